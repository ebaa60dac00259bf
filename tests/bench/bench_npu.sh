#!/usr/bin/env bash
# NPU benchmark: MAC/cycle of a 1x1 layer, 64x64 pixels, 256 -> 256
# channels, on the N-EUREKA NPU (weights in the L1 and in the weight memory,
# with and without prefetch; 22 jobs over bands of output rows reusing one
# L1 buffer, two contexts queued), beside the 8-core int8 matmul kernel on
# the same GEMM (M=4096, K=256, N=256). One run: the figures are exact.
# Usage: tests/bench/bench_npu.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
elf=$build/firmware/bench/bench_npu.elf
status=0
out=$("$build/ortigia" run "$elf" 2>&1) || status=$?
echo "$out" | grep -E "^(NPU|cluster|FAIL)" || true
line=$(echo "$out" | grep -E "^ortigia: exit" || true)
echo "  ${line#ortigia: }"
# The firmware exits 1 when a checked job differs from the reference.
exit "$status"
