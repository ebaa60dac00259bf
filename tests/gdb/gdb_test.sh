#!/bin/bash
# A GDB session against `ortigia run --gdb`: the real gdb-multiarch in batch
# mode, on the multi-core program firmware/tests/gdb_cores.c.
#
#   gdb_test.sh ORTIGIA ELF CASE
#
# Each case gives GDB's commands and the lines its output must hold; every
# case that lets the program finish also checks that the run took as many
# cycles as a run without GDB. Exit 77 (skipped) without gdb-multiarch.
set -u
ort=$1 elf=$2 case=$3
if ! command -v gdb-multiarch >/dev/null; then
  echo "SKIP: gdb-multiarch is not installed (make deps installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

cmds=() expect=() status=0 same_cycles=1
case $case in
break_threads) # break at a function, list the threads, read a global
  cmds=(-ex "break work" -ex "continue" -ex "info threads" -ex "print answer"
        -ex "print results" -ex "continue" -ex "info threads" -ex "delete" -ex "continue")
  expect=('Thread 1 "core 0" hit Breakpoint 1, .* in work'
          '^\* 1 +Thread 1 "core 0"' '^  8 +Thread 8 "core 7"'
          '^\$1 = 42$' 'Thread [2-8] "core [1-7]" hit Breakpoint 1'
          'exited normally') ;;
hwloop_step) # step through a hardware loop: back to its start at its end
  cmds=(-ex "break hwloop_sum" -ex "continue" -ex "stepi 3" -ex 'print $lpcount0'
        -ex 'print $pc == $lpstart0' -ex "stepi" -ex 'print $pc == $lpend0' -ex "stepi"
        -ex 'print $pc == $lpstart0' -ex 'print $lpcount0' -ex "stepi 6"
        -ex 'print $lpcount0' -ex 'print $pc == $lpend0 + 4' -ex "delete" -ex "continue")
  expect=('^\$1 = 4$' '^\$2 = 1$' '^\$3 = 1$' '^\$4 = 1$' '^\$5 = 3$' '^\$6 = 0$'
          '^\$7 = 1$' 'exited normally') ;;
watch) # watch a variable until another core writes it
  cmds=(-ex "break main" -ex "continue" -ex "watch flag" -ex "continue" -ex "info threads"
        -ex "delete" -ex "continue")
  expect=('Hardware watchpoint 2: flag' 'Thread 2 "core 1" hit Hardware watchpoint 2: flag'
          'Old value = 0' 'New value = 4660' '^\* 2 +Thread 2 "core 1"' 'exited normally') ;;
registers) # registers and CSRs, written and read back; memory writes
  cmds=(-ex "break work" -ex "continue" -ex 'print $mhartid' -ex 'print/x $misa'
        -ex 'set var answer = 7' -ex 'print answer' -ex 'set $t6 = 0x5a' -ex 'print $t6'
        -ex 'thread 3' -ex 'print $mhartid' -ex 'set var answer = 42' -ex "delete" -ex "continue")
  expect=('^\$1 = 0$' '^\$2 = 0x40801105$' '^\$3 = 7$' '^\$4 = 90$' '^\$5 = 2$'
          'exited normally') ;;
monitor) # monitor commands; an exit status through continue
  cmds=(-ex "monitor cycles" -ex "monitor stats" -ex "monitor nonsense" -ex "continue")
  expect=('^cycle 0$' '^core 7: 0 cycles' 'core 0: cycles 0, instructions 0, load_use_stalls 0'
          "unknown monitor command 'nonsense'" 'exited normally') ;;
reset) # monitor reset: back to the entry, the program runs again to its end
  cmds=(-ex "break main" -ex "continue" -ex "monitor reset" -ex "maintenance flush register-cache"
        -ex 'print $pc == _start' -ex "continue" -ex "delete" -ex "continue")
  expect=('cores restart at the program' '^\$1 = 1$' 'hit Breakpoint 1, main' 'exited normally')
  same_cycles=0 ;;
hbreak) # a hardware breakpoint is the core's trigger (tdata1/tdata2); CV32E40P has one
  cmds=(-ex "set breakpoint always-inserted on" -ex "hbreak work" -ex "continue" -ex 'print/x $tdata1'
        -ex 'print $tdata2 == $pc' -ex 'print/x $tinfo' -ex "delete"
        -ex "maintenance flush register-cache" -ex 'print/x $tdata1' -ex "continue")
  expect=('Hardware assisted breakpoint 1 at' 'Thread 1 "core 0" hit Breakpoint 1, .* in work'
          '^\$1 = 0x28001044$' '^\$2 = 1$' '^\$3 = 0x4$' '^\$4 = 0x28001040$' 'exited normally') ;;
interrupt) # Ctrl-C (GDB's interrupt) while the program runs, then kill
  cmds=(-ex "continue" -ex "info threads" -ex "kill")
  expect=('Thread [0-9]+ "core [0-7]" received signal SIGINT' 'killed')
  status=137 same_cycles=0 ;;
*) echo "unknown case $case"; exit 2 ;;
esac

# The interrupt case needs a program that runs long enough to be stopped.
if [ "$case" = interrupt ]; then elf=$(dirname "$elf")/faults/runaway.elf; fi

"$ort" run --gdb 0 "$elf" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "waiting for GDB" "$tmp/err" && break; sleep 0.05; done
port=$(sed -n 's/.*waiting for GDB on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/err")
[ -n "$port" ] || { echo "FAIL: the server did not say where it listens"; cat "$tmp/err"; exit 1; }

timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "set confirm off" \
  -ex "target remote 127.0.0.1:$port" "${cmds[@]}" "$elf" >"$tmp/gdb" 2>&1 &
gdb=$!
# Ctrl-C as at a terminal: GDB gets SIGINT and sends the interrupt byte.
if [ "$case" = interrupt ]; then
  for _ in $(seq 400); do grep -q "client connected" "$tmp/err" && break; sleep 0.05; done
  sleep 1
  # To GDB itself: `timeout` would pass the signal on to its process group
  # as well, and a second Ctrl-C makes GDB give up and disconnect.
  kill -INT $(pgrep -P $gdb) 2>/dev/null || kill -INT $gdb
fi
wait $gdb
wait $pid
st=$?
pid=
cat "$tmp/gdb"
echo "---- ortigia (status $st)"
cat "$tmp/err" "$tmp/out"

fail=0
for re in "${expect[@]}"; do
  grep -Eq -- "$re" "$tmp/gdb" || { echo "FAIL: GDB's output lacks /$re/"; fail=1; }
done
[ "$st" = "$status" ] || { echo "FAIL: ortigia exited with $st, expected $status"; fail=1; }
if [ $same_cycles = 1 ]; then
  with=$(sed -n 's/.*status [0-9]*: \([0-9]*\) cycles.*/\1/p' "$tmp/err")
  without=$("$ort" run "$elf" 2>&1 >/dev/null | sed -n 's/.*status [0-9]*: \([0-9]*\) cycles.*/\1/p')
  if [ -z "$with" ] || [ "$with" != "$without" ]; then
    echo "FAIL: $with cycles under GDB, $without without"; fail=1
  else
    echo "same cycles with and without GDB: $with"
  fi
fi
[ $fail = 0 ] && echo "PASS: gdb $case"
exit $fail
