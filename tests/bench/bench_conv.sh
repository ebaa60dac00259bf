#!/usr/bin/env bash
# Convolution benchmark: int8 3x3 convolutions (stride 1, "same" padding,
# requantized per channel) compiled for the default platform and run on
# its 8 cores: cycles of the network (exact) and MAC/cycle. PULP-NN reports
# about 15 MAC/cycle for its 8-core int8 convolution.
# Usage: tests/bench/bench_conv.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# C M H W K
for shape in "32 64 16 16 3" "64 64 16 16 3" "16 32 32 32 3"; do
  read -r C M H W K <<< "$shape"
  dir=$tmp/conv_${C}_${M}_${H}x${W}_${K}
  "$build/tests/conv_net" "$dir" "$C" "$M" "$H" "$W" "$K"
  run=$("$build/ortigia" test-network "$dir")
  cycles=$(echo "$run" | sed -n 's/^Cycles: //p')
  errors=$(echo "$run" | sed -n 's/^Errors: //p')
  macs=$((H * W * M * C * K * K))
  echo "conv ${K}x${K} C=$C M=$M ${H}x${W}: $macs MACs, $cycles cycles," \
       "$(awk -v m="$macs" -v c="$cycles" 'BEGIN { printf "%.2f", m / c }') MAC/cycle (errors $errors)"
done
