#!/usr/bin/env bash
# Convolution benchmark: int8 3x3 convolutions (stride 1, "same" padding,
# requantized per channel) compiled for the default platform, on its 8
# cores (--engine cluster) and on its NPU (--engine npu: N-EUREKA jobs,
# the NCHW<->HWC moves on the cores inside the step): cycles of the network
# (exact) and MAC/cycle. PULP-NN reports about 15 MAC/cycle for its 8-core
# int8 convolution. Then MLPerf Tiny keyword spotting (Deeploy's DS-CNN):
# cycles and energy per inference (the harness's `network` region of
# `run --power`), cluster only and with the NPU (--engine auto).
# Usage: tests/bench/bench_conv.sh BUILD_DIR [DEEPLOY_TESTDATA]
set -euo pipefail
build=${1:-build}
data=${2:-${ORTIGIA_DEEPLOY_TESTDATA:-$(dirname "$0")/../../../shared/testdata/deeploy}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# C M H W K GROUP
for shape in "32 64 16 16 3 1" "64 64 16 16 3 1" "16 32 32 32 3 1" "64 64 16 16 3 64"; do
  read -r C M H W K G <<< "$shape"
  dir=$tmp/conv_${C}_${M}_${H}x${W}_${K}_${G}
  "$build/tests/conv_net" "$dir" "$C" "$M" "$H" "$W" "$K" "$G"
  macs=$((H * W * M * (C / G) * K * K))
  kind=$([ "$G" = 1 ] && echo "conv" || echo "depthwise conv")
  for engine in cluster npu; do
    run=$("$build/ortigia" test-network --engine "$engine" "$dir")
    cycles=$(echo "$run" | sed -n 's/^Cycles: //p')
    errors=$(echo "$run" | sed -n 's/^Errors: //p')
    echo "$kind ${K}x${K} C=$C M=$M ${H}x${W} --engine $engine: $macs MACs, $cycles cycles," \
         "$(awk -v m="$macs" -v c="$cycles" 'BEGIN { printf "%.2f", m / c }') MAC/cycle (errors $errors)"
  done
done

kws=$data/models/MLPerf/KeywordSpotting
if [ ! -f "$kws/network.onnx" ]; then
  echo "keyword spotting: skipped ($kws not found; set ORTIGIA_DEEPLOY_TESTDATA)"
  exit 0
fi
for engine in cluster auto; do
  out=$tmp/kws_$engine
  run=$("$build/ortigia" test-network -o "$out" --engine "$engine" "$kws")
  errors=$(echo "$run" | sed -n 's/^Errors: //p')
  steps=$(grep -o '([0-9]* steps on the cluster, [0-9]* on the NPU)\|(every step on the cluster)' "$out/report.txt" | head -1)
  # the `network` region: id label cycles time_us energy_uJ avg_mW low_uJ high_uJ
  region=$("$build/ortigia" run --power "$out/network.elf" 2>&1 | awk '$2 == "network" { print; exit }')
  read -r _ _ cycles us uj mw lo hi <<< "$region"
  echo "keyword spotting (MLPerf Tiny DS-CNN) --engine $engine $steps: $cycles cycles, $us us," \
       "$uj uJ per inference (band $lo .. $hi uJ), $mw mW (errors $errors)"
done
