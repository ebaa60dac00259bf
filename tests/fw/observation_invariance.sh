#!/usr/bin/env bash
# Simulated results must not depend on how the run is observed or on the
# SystemC quantum: runs ELF with each of several quanta, power windows,
# tracing and reports, and requires the same stdout, the same statistics
# (cycles, every core's and device's counters) and the same energy report.
# Usage: observation_invariance.sh ORTIGIA ELF
set -uo pipefail
ort=$1 elf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
variants=(
  ""
  "--set sim.quantum_cycles=1"
  "--set sim.quantum_cycles=100"
  "--set sim.quantum_cycles=12345"
  "--power-json @/power.json --power-trace @/pt.csv --power-window 777"
  "--power-json @/power.json --vcd @/p.vcd --power-window 5000 --set sim.quantum_cycles=333"
  "--power-json @/power.json --report @/r.html"
  "--trace @/t.gz"
)
fail=0
for i in "${!variants[@]}"; do
  d=$tmp/$i; mkdir -p "$d"
  args=${variants[$i]//@/$d}
  # shellcheck disable=SC2086
  "$ort" run --quiet --stats "$d/stats.json" $args "$elf" > "$d/stdout" 2> "$d/stderr"
  echo $? > "$d/status"
  sed -E -i 's/"(wall_time_s|simulated_mips)": [0-9.e+-]+/"\1": 0/' "$d/stats.json"
  for f in stdout status stats.json; do
    if ! cmp -s "$tmp/0/$f" "$d/$f"; then
      echo "FAIL: '${variants[$i]}' changes $f:"; diff "$tmp/0/$f" "$d/$f" | head -20; fail=1
    fi
  done
  if [ -f "$d/power.json" ] && [ -f "$tmp/4/power.json" ] && ! cmp -s "$tmp/4/power.json" "$d/power.json"; then
    echo "FAIL: '${variants[$i]}' changes the energy report:"; diff "$tmp/4/power.json" "$d/power.json" | head -20; fail=1
  fi
done
cycles=$(sed -n 's/^  "cycles": \([0-9]*\),/\1/p' "$tmp/0/stats.json")
[ "$fail" = 0 ] && echo "PASS: ${#variants[@]} ways of running $(basename "$elf"): $cycles cycles each time"
exit $fail
