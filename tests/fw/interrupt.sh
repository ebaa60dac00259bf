#!/usr/bin/env bash
# SIGINT or SIGTERM ends a run cleanly: status 128 + the signal, the
# firmware's output so far on stdout, the stats and energy report written
# with stop_reason "interrupted", and the trace a complete gzip file.
# The firmware's uart reaches a pipe line by line, before the run ends.
# Usage: interrupt.sh ORTIGIA RUNAWAY_ELF
set -uo pipefail
ort=$1 elf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for sig in INT TERM; do
  mkfifo "$tmp/out.$sig"
  "$ort" run --max-cycles 100000000000 --stats "$tmp/s.json" --power-json "$tmp/p.json" \
    --trace "$tmp/t.gz" "$elf" > "$tmp/out.$sig" 2> "$tmp/err" &
  pid=$!
  # The firmware prints its line at once and then spins: the line must
  # arrive while the simulation still runs (flushed at the newline).
  line=$(timeout 20 head -1 "$tmp/out.$sig") || { kill -KILL $pid; fail "no line from the uart while running"; }
  [ "$line" = "spinning forever" ] || { kill -KILL $pid; fail "got '$line'"; }
  kill -0 $pid 2>/dev/null || fail "the run ended before the signal"
  kill -$sig $pid
  wait $pid; st=$?
  want=$([ $sig = INT ] && echo 130 || echo 143)
  [ $st = "$want" ] || fail "SIG$sig: status $st, want $want"
  grep -q "interrupted by SIG$sig at cycle" "$tmp/err" || fail "SIG$sig: no message: $(cat "$tmp/err")"
  grep -q '"stop_reason": "interrupted"' "$tmp/s.json" || fail "SIG$sig: stats not written"
  grep -q '"energy_j"' "$tmp/p.json" || fail "SIG$sig: energy report not written"
  zcat "$tmp/t.gz" > /dev/null || fail "SIG$sig: the trace is not a complete gzip file"
  rm -f "$tmp/s.json" "$tmp/p.json" "$tmp/t.gz"
done
echo "PASS: SIGINT and SIGTERM end the run cleanly"
