#!/usr/bin/env bash
# ISS speed benchmark: runs the compute-bound firmware (integer matrix
# multiply + CRC-32, ~200 M instructions) with timing on and tracing off,
# three times, and prints the median simulated MIPS.
# Usage: tests/bench/bench_iss.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
elf=$build/firmware/bench/bench_compute.elf
mips=()
for i in 1 2 3; do
  line=$("$build/ortigia" run "$elf" 2>&1 >/dev/null | grep -E "^ortigia: exit")
  echo "  run $i: ${line#ortigia: }"
  mips+=("$(echo "$line" | sed -E 's/.* ([0-9.]+) MIPS$/\1/')")
done
median=$(printf '%s\n' "${mips[@]}" | sort -g | sed -n 2p)
echo "ISS benchmark (bench_compute, 1 core, timing on, tracing off): median $median MIPS (target >= 200)"

# For scale: the same program with an instruction trace (first 50 M cycles
# only, to keep the file small). Exit status 4 is the cycle limit.
trace=$(mktemp --suffix=.gz)
line=$("$build/ortigia" run --max-cycles 50000000 --trace "$trace" "$elf" 2>&1 >/dev/null |
       grep -E "^ortigia: cycle-limit" || true)
echo "ISS with --trace (first 50 M cycles): ${line##*, } ($(du -h "$trace" | cut -f1) of gzip trace)"
rm -f "$trace"
