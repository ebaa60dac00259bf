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
# Three runs: the firmware's figures are exact (the same every run); the
# simulator's speed is wall-clock, so print each and the median.
mips=()
for i in 1 2 3; do
  out=$("$build/ortigia" run "$elf" 2>&1)
  [ "$i" -eq 1 ] && echo "$out" | grep -E "^matmul"
  line=$(echo "$out" | grep -E "^ortigia: exit")
  echo "  run $i: ${line#ortigia: }"
  mips+=("$(echo "$line" | sed -E 's/.* ([0-9.]+) MIPS$/\1/')")
done
median=$(printf '%s\n' "${mips[@]}" | sort -g | sed -n 2p)
echo "simulator on this workload (8 cores, timing on): median $median MIPS (target >= 150)"
