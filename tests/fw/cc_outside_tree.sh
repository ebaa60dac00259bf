#!/usr/bin/env bash
# `ortigia cc` builds a program in a folder outside the tree and it runs:
# fork/join on every core, printf, assert() reporting its line (status
# 134); bad input is status 2 with the reason.
# Usage: cc_outside_tree.sh ORTIGIA SOURCE.c
set -uo pipefail
ort=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$src" "$dir/main.c"
cd "$dir" || exit 1
"$ort" cc -O2 -g main.c -o prog.elf || fail "cc failed"
out=$("$ort" run --quiet prog.elf); st=$?
[ $st = 0 ] && [ "$out" = "cores 8" ] || fail "run: status $st, output '$out'"
"$ort" cc -D BOOM -I "$dir" main.c -o boom.elf || fail "cc -D failed"
out=$("$ort" run --quiet boom.elf); st=$?
[ $st = 134 ] || fail "assert: status $st"
echo "$out" | grep -q 'assertion "n == 3" failed: file "main.c", line 16' || fail "assert: '$out'"
"$ort" cc missing.c -o x.elf 2> err; st=$?
[ $st = 2 ] && grep -q "missing.c: cannot open" err || fail "missing source: $st $(cat err)"
echo 'int main(void) { return undeclared; }' > bad.c
"$ort" cc bad.c -o x.elf 2> err; st=$?
[ $st = 2 ] && grep -q "undeclared" err || fail "compile error: $st $(cat err)"
"$ort" cc notes.txt -o x.elf 2> err; st=$?
[ $st = 2 ] && grep -q "not a source file" err || fail "not a source: $st $(cat err)"
echo "PASS: a program built outside the tree runs; assert reports its line"
