#!/usr/bin/env bash
# The figures the README and the user guide quote come from the current
# build: each quoted example is run, and the numbers the doc prints (cycles,
# instructions, IPC; a network's cycles and errors) must appear in the
# output. Host-dependent figures (wall time, MIPS) are not checked.
# Usage: quoted_figures.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
ort=$build/ortigia
data=${ORTIGIA_DEEPLOY_TESTDATA:-$src/../shared/testdata/deeploy}
fail=0
# The numbers of a quoted summary line: "N cycles", "M instructions", "IPC X".
summary_numbers() { grep -oE '[0-9]+ cycles \(|[0-9]+ instructions|IPC [0-9.]+' <<< "$1" | sed 's/ ($//'; }
check_summary() { # doc, the doc's line (regex to find it), command...
  local doc=$1 pattern=$2; shift 2
  local quoted; quoted=$(grep -m1 -E "$pattern" "$src/$doc") || { echo "FAIL: $doc: no line like '$pattern'"; fail=1; return; }
  local out; out=$("$@" 2>&1 >/dev/null | grep -E '^ortigia: exit')
  while read -r n; do
    grep -qF "$n" <<< "$out" || { echo "FAIL: $doc quotes '$n'; the build prints: $out"; fail=1; }
  done < <(summary_numbers "$quoted")
}
check_summary README.md 'ortigia: exit, status 0: [0-9]+ cycles' "$ort" run "$build/firmware/bench/bench_compute.elf"
check_summary docs/user-guide.md 'ortigia: exit, status 0: [0-9]+ cycles' "$ort" run "$build/firmware/tests/hello.elf"
if [ -d "$data/microLlama/microLlama64" ]; then
  out=$("$ort" test-network "$data/microLlama/microLlama64")
  for key in 'Cycles' 'Run cycles' 'Errors'; do
    quoted=$(grep -m1 -E "^    $key: " "$src/docs/user-guide.md" | sed 's/^    //')
    grep -qxF "$quoted" <<< "$out" || { echo "FAIL: docs/user-guide.md quotes '$quoted'; test-network prints: $out"; fail=1; }
  done
  grep -qF "$(grep -oE 'Errors: 0 out of [0-9]+' "$src/README.md" | head -1)" <<< "$out" || { echo "FAIL: README.md's Errors line"; fail=1; }
else
  echo "note: $data not found: the network's figures were not checked"
fi
[ $fail = 0 ] && echo "PASS: the quoted figures match the build"
exit $fail
