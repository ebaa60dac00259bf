#!/usr/bin/env bash
# ortigia sweep: a grid over platform keys gives one row per point, the same
# rows for any --jobs; --resume reruns only what is missing; a failing point
# is a row, not the end of the sweep; unknown keys and bad values are
# refused before anything runs.
# Usage: sweep.sh ORTIGIA FW_TESTS_DIR
set -uo pipefail
ort=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fw=$(cd "$2" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Every column but the host's times (wall_s, sim_wall_s).
strip_wall() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i ~ /wall_s$/) w[i]=1} {s=""; for(i=1;i<=NF;i++) if(!(i in w)) s=s (s==""?"":",") $i; print s}' "$1"; }
cat > "$d/spec.json" <<JSON
{"workload": {"elf": "$fw/check_kernels.elf"},
 "grid": {"cluster.cores": [2, 8], "l2.latency": [5, 15]}}
JSON
"$ort" sweep "$d/spec.json" -o "$d/j1" --jobs 1 2> "$d/err1" || fail "jobs 1: $(cat "$d/err1")"
"$ort" sweep "$d/spec.json" -o "$d/j2" --jobs 2 2> "$d/err2" || fail "jobs 2: $(cat "$d/err2")"
[ "$(wc -l < "$d/j1/results.csv")" = 5 ] || fail "expected a header and 4 rows"
[ "$(wc -l < "$d/j1/results.jsonl")" = 4 ] || fail "expected 4 JSON lines"
head -1 "$d/j1/results.csv" | grep -q '^point,cluster.cores,l2.latency,status,cycles,' || fail "header: $(head -1 "$d/j1/results.csv")"
diff <(strip_wall "$d/j1/results.csv") <(strip_wall "$d/j2/results.csv") || fail "rows depend on --jobs"
[ "$(grep -c ',"ok",' "$d/j1/results.csv")" = 4 ] || fail "every point should be ok"
# The rows are the runs: a point's cycles are those of `ortigia run` with its values.
cyc=$("$ort" run --quiet --stats "$d/s.json" --set cluster.cores=8 --set l2.latency=15 "$fw/check_kernels.elf" > /dev/null; sed -n 's/^  "cycles": \([0-9]*\),/\1/p' "$d/s.json")
grep -q "^3,8,15,\"ok\",$cyc," "$d/j1/results.csv" || fail "point 3 is not the run's $cyc cycles"
rm "$d/j1/points/0002.json"
"$ort" sweep "$d/spec.json" -o "$d/j1" --resume 2> "$d/err3" || fail "resume: $(cat "$d/err3")"
grep -q "(3 reused)" "$d/err3" || fail "resume reused: $(cat "$d/err3")"
diff <(strip_wall "$d/j1/results.csv") <(strip_wall "$d/j2/results.csv") || fail "rows changed on --resume"
# A failing point (check_dma expects 8 bytes a cycle) is a row with its reason.
cat > "$d/fail.json" <<JSON
{"workload": {"elf": "$fw/check_dma.elf"}, "list": [{"dma.bandwidth": 8}, {"dma.bandwidth": 4}]}
JSON
"$ort" sweep "$d/fail.json" -o "$d/f" 2> /dev/null; st=$?
[ $st = 1 ] || fail "a failing point: status $st"
grep -q '^0,8,"ok",' "$d/f/results.csv" && grep -qE '^1,4,"exit",.*"exit with status [0-9]+"' "$d/f/results.csv" || fail "rows: $(cat "$d/f/results.csv")"
echo '{"workload": {"elf": "x.elf"}, "grid": {"cluster.core": [2]}}' > "$d/bad.json"
"$ort" sweep "$d/bad.json" -o "$d/b" 2> "$d/err"; st=$?
[ $st = 2 ] && grep -q "unknown configuration key 'cluster.core' (nearest: cluster.cores" "$d/err" || fail "unknown key: $st $(cat "$d/err")"
echo '{"workload": {"elf": "x.elf"}, "grid": {"cluster.cores": [2, 99]}}' > "$d/bad.json"
"$ort" sweep "$d/bad.json" -o "$d/b" 2> "$d/err"; st=$?
[ $st = 2 ] && grep -q "point 1: 'cluster.cores' = 99 is out of range" "$d/err" || fail "bad value: $st $(cat "$d/err")"
[ ! -e "$d/b/results.csv" ] || fail "a refused spec ran"
# A random sample of a grid: the same points every time, in the grid's order.
cat > "$d/sample.json" <<JSON
{"workload": {"elf": "$fw/check_kernels.elf"},
 "sample": {"grid": {"cluster.cores": [1, 2, 4, 8], "l2.latency": [5, 10, 15]}, "count": 3, "seed": 7}}
JSON
"$ort" sweep "$d/sample.json" -o "$d/s1" 2> "$d/errs" || fail "sample: $(cat "$d/errs")"
"$ort" sweep "$d/sample.json" -o "$d/s2" 2> "$d/errs" || fail "sample again: $(cat "$d/errs")"
[ "$(wc -l < "$d/s1/results.csv")" = 4 ] || fail "a sample of 3: $(cat "$d/s1/results.csv")"
diff <(strip_wall "$d/s1/results.csv") <(strip_wall "$d/s2/results.csv") || fail "the sample depends on the run"
echo '{"workload": {"elf": "x.elf"}, "sample": {"grid": {"cluster.cores": [2]}, "count": 0, "seed": 1}}' > "$d/bad.json"
"$ort" sweep "$d/bad.json" -o "$d/b" 2> "$d/err"; st=$?
[ $st = 2 ] && grep -q 'sample: {"grid": {key: \[values\]}, "count": N >= 1' "$d/err" || fail "bad sample: $st $(cat "$d/err")"
# The compiler's options are keys too, for a network workload only.
echo '{"workload": {"elf": "x.elf"}, "grid": {"compiler.engine": ["npu"]}}' > "$d/bad.json"
"$ort" sweep "$d/bad.json" -o "$d/b" 2> "$d/err"; st=$?
[ $st = 2 ] && grep -q "'compiler.engine': compiler options need a network or llm workload" "$d/err" || fail "compiler key on an ELF: $st $(cat "$d/err")"
# An llm workload: the default model compiled per platform; a row's
# cycles per token are `ortigia llm`'s.
cat > "$d/llm.json" <<JSON
{"workload": {"llm": {"steps": 3}}, "grid": {"cluster.cores": [4, 8]}}
JSON
"$ort" sweep "$d/llm.json" -o "$d/l" --jobs 2 2> "$d/errl" || fail "llm sweep: $(cat "$d/errl")"
[ "$(grep -c ',"ok",' "$d/l/results.csv")" = 2 ] || fail "llm rows: $(cat "$d/l/results.csv")"
cpt=$("$ort" llm --steps 3 --set cluster.cores=8 2>&1 >/dev/null | sed -n 's/^autoregressive: [0-9]* positions, \([0-9]*\) cycles.token.*/\1/p')
row=$(awk -F, '$1 == 1 && $2 == 8 && $3 == "\"ok\"" { printf "%.0f", $6 }' "$d/l/results.csv")
[ -n "$cpt" ] && [ "$row" = "$cpt" ] || fail "llm row: want $cpt cycles/token, got '$row': $(cat "$d/l/results.csv")"
# A network workload: compiled once per platform of the compiler's; the
# default point's network cycles are test-network's.
net=${ORTIGIA_DEEPLOY_TESTDATA:-$(dirname "$0")/../../../shared/testdata/deeploy}/kernels/Add/Regular
if [ -d "$net" ]; then
  net=$(cd "$net" && pwd)
  cat > "$d/net.json" <<JSON
{"workload": {"network": "$net"}, "grid": {"cluster.cores": [2, 8], "cluster.slice_cycles": [64, 256]}}
JSON
  "$ort" sweep "$d/net.json" -o "$d/n" --jobs 2 2> "$d/errn" || fail "network sweep: $(cat "$d/errn")"
  [ "$(ls "$d/n/builds" | wc -l)" = 2 ] || fail "expected 2 builds (cores 2 and 8), got $(ls "$d/n/builds")"
  want=$("$ort" test-network "$net" | sed -n 's/^Cycles: //p')
  grep -q "^3,8,256,\"ok\",[0-9]*,$want," "$d/n/results.csv" || fail "network cycles: want $want: $(cat "$d/n/results.csv")"
  # The engine and the L1 budget: one build each; the NPU runs the product.
  gemm=$(cd "$net/../../GEMM/Regular_RQPerColumn" && pwd)
  cat > "$d/eng.json" <<JSON
{"workload": {"network": "$gemm"}, "grid": {"compiler.engine": ["cluster", "npu"], "compiler.l1_budget": [16384, 65536]}}
JSON
  "$ort" sweep "$d/eng.json" -o "$d/e" --jobs 2 2> "$d/erre" || fail "compiler keys: $(cat "$d/erre")"
  [ "$(ls "$d/e/builds" | wc -l)" = 4 ] || fail "expected 4 builds, got $(ls "$d/e/builds")"
  [ "$(grep -c ',"ok",' "$d/e/results.csv")" = 4 ] || fail "compiler keys rows: $(cat "$d/e/results.csv")"
  want=$("$ort" test-network --engine npu --l1-budget 65536 "$gemm" | sed -n 's/^Cycles: //p')
  grep -q "^3,\"npu\",65536,\"ok\",[0-9]*,$want," "$d/e/results.csv" || fail "npu row: want $want: $(cat "$d/e/results.csv")"
  # Every point's outputs are checked against the folder's outputs.npz:
  # a copy whose expected outputs have one element changed gives
  # wrong-output rows (and status 1), not "ok".
  python3 - "$net" "$d/wrong" <<'PY' || fail "cannot make the altered folder"
import shutil, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
with zipfile.ZipFile(src + '/outputs.npz') as zi, zipfile.ZipFile(dst + '/outputs.npz', 'w') as zo:
    for info in zi.infolist():
        data = bytearray(zi.read(info))
        data[-1] ^= 1  # the last element's lowest bit: one element differs
        zo.writestr(info.filename, bytes(data))
PY
  echo "{\"workload\": {\"network\": \"$d/wrong\"}, \"grid\": {\"cluster.cores\": [8]}}" > "$d/wrong.json"
  "$ort" sweep "$d/wrong.json" -o "$d/w" 2> "$d/errw"; st=$?
  [ $st = 1 ] || fail "a wrong output: status $st, want 1"
  grep -q '^0,8,"wrong-output",.*"1 of [0-9]* output elements differ from outputs.npz"$' "$d/w/results.csv" ||
    fail "no wrong-output row: $(cat "$d/w/results.csv")"
  # An ONNX file alone: compiled per platform, run on zero inputs, not checked.
  echo "{\"workload\": {\"network\": \"$net/network.onnx\"}, \"grid\": {\"cluster.cores\": [2, 8]}}" > "$d/onnx.json"
  "$ort" sweep "$d/onnx.json" -o "$d/o" 2> "$d/erro" || fail "an ONNX file workload: $(cat "$d/erro")"
  [ "$(grep -c ',"ok",' "$d/o/results.csv")" = 2 ] && ! grep -q output_errors "$d/o/results.jsonl" ||
    fail "ONNX file rows: $(cat "$d/o/results.csv")"
  python3 - "$d/n/results.jsonl" <<'PY' || fail "the network rows' outputs and memory"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r['status'] == 'ok' and r['output_errors'] == 0, r
    assert r['l1_bytes'] > 0 and r['l2_bytes'] > 0 and r['wmem_bytes'] == 0, r  # Add has no constants
    assert r['energy_j_low'] < r['energy_j'] < r['energy_j_high'], r
PY
else
  echo "note: $net not found: the network workload was not tried"
fi
# "metrics" keeps those columns only; an unknown one is refused with the nearest names.
cat > "$d/met.json" <<JSON
{"workload": {"elf": "$fw/check_regions.elf"}, "grid": {"cluster.cores": [2, 8]}, "metrics": ["cycles", "regions", "energy_j"]}
JSON
"$ort" sweep "$d/met.json" -o "$d/m" 2> "$d/errm" || fail "metrics sweep: $(cat "$d/errm")"
head -1 "$d/m/results.csv" | grep -qE '^point,cluster.cores,status,cycles,energy_j(,region[0-9]+_cycles,region[0-9]+_energy_j)+,error$' ||
  fail "metrics columns: $(head -1 "$d/m/results.csv")"
grep -q '"regions":\[{"id"' "$d/m/results.jsonl" && ! grep -q '"instructions"' "$d/m/results.jsonl" ||
  fail "metrics in results.jsonl: $(head -1 "$d/m/results.jsonl")"
sed -i 's/"cycles", "regions"/"cycels", "regions"/' "$d/met.json"
"$ort" sweep "$d/met.json" -o "$d/m2" 2> "$d/errm"; st=$?
[ $st = 2 ] && grep -q "unknown metric 'cycels' (nearest: cycles" "$d/errm" || fail "unknown metric: $st $(cat "$d/errm")"
echo "PASS: the sweep's rows are the runs, whatever --jobs, resumable, failures are rows"
