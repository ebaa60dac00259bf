#!/usr/bin/env bash
# A report as a user opens it: headless Chromium renders FILE.html (the
# screenshot is not blank: many colours) and the page's script ran to its
# end (it marks the body data-ready="1"). Exit 0 when it does, 1 with the
# reason when not, 77 without chromium (make deps installs it).
# Usage: html_renders.sh FILE.html SCRATCH_DIR
set -uo pipefail
html=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") scratch=$2
browser=$(command -v chromium || command -v chromium-browser) || { echo "SKIP: chromium is not installed (make deps installs it)"; exit 77; }
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$scratch/chromium-profile")
"$browser" "${flags[@]}" --window-size=1000,1400 --screenshot="$scratch/shot.png" "file://$html" > /dev/null 2>&1
[ -s "$scratch/shot.png" ] || { echo "FAIL: chromium made no screenshot of $html"; exit 1; }
"$browser" "${flags[@]}" --dump-dom "file://$html" 2> /dev/null > "$scratch/dom.html"
grep -q 'data-ready="1"' "$scratch/dom.html" || { echo "FAIL: the page's script did not run to its end"; exit 1; }
python3 "$(dirname "$0")/png_not_blank.py" "$scratch/shot.png" || { echo "FAIL: the screenshot is blank"; exit 1; }
