#!/usr/bin/env bash
# Compiler benchmark: microLlama64 (an autoregressive step with 64 tokens in
# the KV cache) and microLlama64_parallel (a 64-token prefill) from
# Deeploy's test vectors, compiled and run on the simulator: cycles per
# network run (exact), the memory plan's peaks, compile time. Published for
# the same networks on GVSoC's Siracusa model: about 780k and 28.3M cycles;
# target: at most half of each. Skipped when the test data is absent.
# Usage: tests/bench/bench_compiler.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
data=${ORTIGIA_DEEPLOY_TESTDATA:-$(dirname "$0")/../../../shared/testdata/deeploy}
if [ ! -d "$data/microLlama" ]; then
  echo "compiler benchmark skipped: $data/microLlama not found"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for net in microLlama64:780000 microLlama64_parallel:28300000; do
  name=${net%%:*} ref=${net##*:}
  dir=$data/microLlama/$name
  out=$("$build/ortigia" compile "$dir/network.onnx" --inputs "$dir/inputs.npz" -o "$tmp/$name")
  run=$("$build/ortigia" test-network "$dir")
  cycles=$(echo "$run" | sed -n 's/^Cycles: //p')
  errors=$(echo "$run" | sed -n 's/^Errors: //p')
  echo "$name: $cycles cycles per run (published reference ~$ref, target <= $((ref / 2))), errors $errors"
  echo "$out" | grep -E "^(L1|L2|weight memory|compile time)" | sed 's/^/  /'
done
