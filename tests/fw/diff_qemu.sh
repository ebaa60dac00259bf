#!/usr/bin/env bash
# diff_qemu.sh ORTIGIA PROGRAM.elf PROGRAM.qemu.elf
# Runs the same C program on Ortigia and on QEMU (virt board, the reference)
# and requires identical output and a successful exit on both.
# Exits 77 (ctest: skipped) when qemu-system-riscv32 is not installed.
set -u
ortigia=$1 elf=$2 qelf=$3
if ! command -v qemu-system-riscv32 >/dev/null; then
  echo "SKIP: qemu-system-riscv32 not found (Debian package qemu-system-misc)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 120 qemu-system-riscv32 -M virt -bios none -display none -monitor none \
  -serial stdio -kernel "$qelf" >"$tmp/qemu.out" 2>"$tmp/qemu.err" </dev/null
qs=$?
"$ortigia" run --quiet "$elf" >"$tmp/ortigia.out" 2>"$tmp/ortigia.err" </dev/null
os=$?
if [ $qs -ne 0 ]; then echo "FAIL: QEMU exited with $qs"; cat "$tmp/qemu.err"; exit 1; fi
if [ $os -ne 0 ]; then echo "FAIL: Ortigia exited with $os"; cat "$tmp/ortigia.err"; exit 1; fi
if ! cmp -s "$tmp/qemu.out" "$tmp/ortigia.out"; then
  echo "FAIL: outputs differ (< qemu, > ortigia)"
  diff "$tmp/qemu.out" "$tmp/ortigia.out" | head -40
  exit 1
fi
if [ ! -s "$tmp/ortigia.out" ]; then echo "FAIL: no output"; exit 1; fi
echo "ok: $(wc -l <"$tmp/ortigia.out") identical lines"
