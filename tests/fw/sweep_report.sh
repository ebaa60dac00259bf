#!/usr/bin/env bash
# ortigia sweep's DIR/report.html as a user opens it: headless Chromium
# renders it (the screenshot is not blank: many colours) and its script ran
# without an error (it marks the page ready at its end), and the page holds
# the scatter with the Pareto front, a chart per varied key and the table.
# Exit 77 (skipped) without chromium (make deps installs it).
# Usage: sweep_report.sh ORTIGIA FW_TESTS_DIR
set -uo pipefail
ort=$1 fw=$(cd "$2" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cat > "$d/spec.json" <<JSON
{"workload": {"elf": "$fw/check_kernels.elf"}, "grid": {"cluster.cores": [2, 4, 8], "l2.latency": [5, 15]}}
JSON
"$ort" sweep "$d/spec.json" -o "$d/s" --jobs 2 2> "$d/err" || fail "sweep: $(cat "$d/err")"
html=$d/s/report.html
[ -s "$html" ] || fail "no report.html"
grep -q "<svg" "$html" || fail "no inline SVG"
grep -q "cycles against cluster.cores" "$html" && grep -q "cycles against l2.latency" "$html" || fail "a chart per varied key"
[ "$(grep -c '<tr' "$html")" -ge 7 ] || fail "a table row per point"
grep -q 'class="front"' "$html" || fail "no point on the Pareto front"
! grep -qE '(src|href)="https?:' "$html" || fail "the report is not self-contained"
"$(dirname "$0")/html_renders.sh" "$html" "$d"; st=$?
[ $st = 0 ] || exit $st
echo "PASS: report.html renders in Chromium, its script runs, it holds the charts and the table"
