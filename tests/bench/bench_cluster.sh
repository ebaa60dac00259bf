#!/usr/bin/env bash
# Cluster benchmark: int8 matmul 64x256 by 256x256 (SIMD kernel, hardware
# loops) with operands in L1 on 1 core and on all cores, and from L2 through
# the double-buffered DMA kernel (MAC/cycle, speed-up; target >= 15.5
# MAC/cycle on 8 cores, aim 20), and the simulator's aggregate speed on
# that workload (target >= 150 MIPS).
# Usage: tests/bench/bench_cluster.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
elf=$build/firmware/bench/bench_matmul.elf
out=$("$build/ortigia" run "$elf" 2>&1)
echo "$out" | grep -E "^matmul"
echo "$out" | grep -E "^ortigia: exit" | sed -E 's/^ortigia: exit, status 0: /simulator on this workload: /'
