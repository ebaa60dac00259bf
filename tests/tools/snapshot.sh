#!/usr/bin/env bash
# Behaviour snapshot: every output a user sees that must not move in a
# refactoring (firmware runs with stats, power reports, traces; compiled
# networks' generated C, reports and results), written under OUT_DIR with
# host-dependent figures (wall time, MIPS, compile time) masked. Compare two
# snapshots with `diff -r`. Skips the Deeploy part when its data is absent.
# Usage: tests/tools/snapshot.sh BUILD_DIR OUT_DIR
set -uo pipefail
build=$(cd "${1:?build dir}" && pwd)
out=${2:?output dir}
data=${ORTIGIA_DEEPLOY_TESTDATA:-$(dirname "$0")/../../../shared/testdata/deeploy}
rm -rf "$out"; mkdir -p "$out"
out=$(cd "$out" && pwd)
ort=$build/ortigia
mask() { sed -E -e 's/wall [0-9.]+ s, [0-9.]+ MIPS/wall W s, M MIPS/' \
                -e 's/"(wall_time_s|simulated_mips)": [0-9.e+-]+/"\1": 0/' \
                -e 's/compile time.*/compile time masked/' \
                -e "s#$out#OUT#g" -e "s#$build#BUILD#g"; }

run_fw() { # name elf [extra args...]
  local name=$1 elf=$2; shift 2
  local d=$out/run/$name; mkdir -p "$d"
  "$ort" run --stats "$d/stats.json" --power-json "$d/power.json" --power-csv "$d/power.csv" \
     --power-trace "$d/ptrace.csv" --vcd "$d/power.vcd" --report "$d/report.html" --power \
     "$@" "$elf" > "$d/stdout" 2> "$d/stderr"
  echo $? > "$d/status"
  for f in "$d"/*; do mask < "$f" > "$f.m" && mv "$f.m" "$f"; done
}
fw=$build/firmware
for elf in "$fw"/tests/*.elf "$fw"/tests/faults/*.elf "$fw"/bench/*.elf; do
  case $elf in *.qemu.elf) continue;; esac
  n=$(basename "$elf" .elf)
  case $n in runaway|deadlock*) run_fw "$n" "$elf" --max-cycles 200000;; *) run_fw "$n" "$elf";; esac
done
# Observation and platform options on a multi-core DMA workload.
run_fw check_dma_4c "$fw/tests/check_dma.elf" --set cluster.cores=4 --power-window 777
run_fw check_kernels_q1 "$fw/tests/check_kernels.elf" --set sim.quantum_cycles=1
run_fw check_cluster_s7 "$fw/tests/check_cluster.elf" --set cluster.slice_cycles=7
d=$out/run/hello_trace; mkdir -p "$d"
"$ort" run --trace "$d/trace.gz" "$fw/tests/hello.elf" > "$d/stdout" 2>/dev/null; echo $? > "$d/status"
zcat "$d/trace.gz" > "$d/trace.txt"; rm "$d/trace.gz"

if [ -d "$data" ]; then
  for t in $(cd "$data" && find . -name network.onnx | sort); do
    dir=$data/$(dirname "$t"); n=$(dirname "$t" | tr / _ | sed 's/^\._//')
    d=$out/net/$n; mkdir -p "$d"
    "$ort" compile "$dir/network.onnx" --inputs "$dir/inputs.npz" -o "$d/c" > "$d/compile.out" 2>&1
    echo $? > "$d/compile.status"
    rm -f "$d/c/network.elf" "$d"/c/*.o
    "$ort" test-network "$dir" > "$d/sim.out" 2>&1; echo $? >> "$d/sim.out"
    "$ort" test-network "$dir" --l1-budget 16384 > "$d/sim16k.out" 2>&1; echo $? >> "$d/sim16k.out"
    "$ort" test-network "$dir" --reference > "$d/ref.out" 2>&1; echo $? >> "$d/ref.out"
    for f in "$d"/*.out "$d"/c/report.txt "$d"/c/*.S "$d"/c/build.log; do [ -f "$f" ] && { mask < "$f" > "$f.m"; mv "$f.m" "$f"; }; done
  done
fi
echo "snapshot written to $out"
