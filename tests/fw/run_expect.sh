#!/usr/bin/env bash
# run_expect.sh STATUS STDOUT_REGEX STDERR_REGEX command...
# Runs the command and checks its exit status, and that its stdout and
# stderr each contain a line matching the extended regex ("" = no check).
# The stderr regex is matched against the whole text, so .* spans lines.
set -u
want=$1 out_re=$2 err_re=$3
shift 3
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err" </dev/null
status=$?
ok=1
if [ "$status" -ne "$want" ]; then
  echo "FAIL: exit status $status, expected $want"; ok=0
fi
if [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$out"; then
  echo "FAIL: stdout does not match /$out_re/"; ok=0
fi
if [ -n "$err_re" ] && ! grep -Ezq -- "$err_re" "$err"; then
  echo "FAIL: stderr does not match /$err_re/"; ok=0
fi
if [ $ok -eq 0 ]; then
  echo "--- command: $*"; echo "--- stdout:"; head -c 4000 "$out"; echo "--- stderr:"; head -c 4000 "$err"
  exit 1
fi
echo "ok: status $status"
