#!/usr/bin/env bash
# ortigia llm's figures as a user reads them, on the default model with a
# 4-id prompt over 12 positions:
# - stdout's `tokens:` line holds the generated ids, the prompt's excluded,
#   and they are the JSON file's;
# - the power regions tile the token loop (each begins where the previous
#   ended, but for the loop's bookkeeping): the prompt's 4 positions as one
#   prefill pass, then one per generated position; their cycles and energy
#   add up to each
#   mode's figures, the components' energy to each mode's energy, and the
#   regions' energy to the run's but for the part outside the loop (startup),
#   which is bounded by its cycles;
# - the layer breakdown has every layer, the head and the token loop, and
#   the step breakdown every step, each layer's cycles its steps' sum; the
#   same for the prefill pass, whose total is its region's;
# - the HTML report renders in headless Chromium (not blank, its script ran
#   to its end) with the charts and tables (skipped without chromium).
# Usage: llm_report.sh ORTIGIA
set -uo pipefail
ort=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$ort" llm --steps 12 --prompt-ids 1,5,9,17 --json "$d/llm.json" --report "$d/llm.html" > "$d/out" 2> "$d/err" ||
  fail "ortigia llm: $(cat "$d/err")"
grep -q "^prompt: 4 positions in 1 pass, [0-9]* cycles, .* cycles/token .* uJ/token (band" "$d/err" ||
  fail "no prompt (prefill) line: $(cat "$d/err")"
grep -q "^autoregressive: 8 positions, .* cycles/token .* uJ/token (band" "$d/err" || fail "no autoregressive line"
grep -q "^memory: L1 .* weight memory" "$d/err" || fail "no memory line"
python3 - "$d/llm.json" "$d/out" <<'PY' || fail "the JSON file's figures"
import json, sys
r = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read().split()
assert out[0] == 'tokens:', out
assert [int(t) for t in out[1:]] == r['tokens'], (out, r['tokens'])
assert r['prompt'] == [1, 5, 9, 17]
assert len(r['tokens']) == 12 - 3, r['tokens']           # the prompt's last position gives the first
regions, run = r['regions'], r['run']
assert len(regions) == 9 and [g['first_position'] for g in regions] == [0] + list(range(4, 12)), regions
assert [g['mode'] for g in regions] == ['prompt'] + ['autoregressive'] * 8
assert [g['positions'] for g in regions] == [4] + [1] * 8
for a, b in zip(regions, regions[1:]):
    gap = b['begin_cycle'] - (a['begin_cycle'] + a['cycles'])
    assert 0 <= gap < 500, ('regions do not tile the loop', a, b)  # a few instructions and two region markers
for mode, m in r['modes'].items():
    mine = [g for g in regions if g['mode'] == mode]
    assert m['positions'] == sum(g['positions'] for g in mine) and m['passes'] == len(mine)
    assert m['cycles'] == sum(g['cycles'] for g in mine)
    e = sum(g['energy_j'] for g in mine)
    assert abs(m['energy_j'] - e) <= 1e-8 * e, (mode, m['energy_j'], e)  # 9 digits in the JSON
    assert abs(sum(m['energy_j_by_component'].values()) - e) <= 1e-6 * e, ('components', mode)
    assert abs(m['cycles_per_token'] - m['cycles'] / m['positions']) < 1e-6
    assert m['energy_j_low'] < m['energy_j'] < m['energy_j_high']
inside_c = sum(g['cycles'] for g in regions)
inside_e = sum(g['energy_j'] for g in regions)
outside_c = run['cycles'] - inside_c
assert 0 < outside_c < 0.05 * run['cycles'], ('startup cycles', outside_c)
outside_e = run['energy_j'] - inside_e
# outside the loop one core runs (startup): less than the loop's average power
assert 0 < outside_e <= outside_c * inside_e / inside_c, ('energy outside the regions', outside_e)
names = [l['name'] for l in r['layers_one_position']]
assert names == ['input'] + ['layer %d' % i for i in range(8)] + ['head', 'token loop'], names
assert all(l['cycles'] > 0 for l in r['layers_one_position'])
assert sum(l['npu_steps'] for l in r['layers_one_position']) == run['npu_steps']
# every step of the same build, in the network's order: each layer's
# cycles are its steps', the engines count the NPU's steps
steps = r['steps_one_position']
assert len(steps) == run['steps'], (len(steps), run['steps'])
layer_of = {l['name']: l for l in r['layers_one_position']}
for name, l in layer_of.items():
    if name != 'token loop':
        mine = [s for s in steps if s['layer'] == name]
        assert sum(s['cycles'] for s in mine) == l['cycles'], (name, l['cycles'])
        assert len(mine) == l['steps'], name
assert sum(s['engine'] == 'npu' for s in steps) == run['npu_steps']
assert all(s['cycles'] > 0 and s['estimated_cycles'] > 0 for s in steps)
# the prefill pass's breakdown (prompt mode), the same way; its total is
# the prefill region's, but for the stamps of the profiled build
pre_layers, pre_steps = r['layers_prefill'], r['steps_prefill']
assert pre_layers[-1]['name'] == 'prefill loop' and len(pre_steps) > 0
for l in pre_layers[:-1]:
    mine = [s for s in pre_steps if s['layer'] == l['name']]
    assert sum(s['cycles'] for s in mine) == l['cycles'] and len(mine) == l['steps'], l['name']
total = sum(l['cycles'] for l in pre_layers)
region = [g for g in regions if g['mode'] == 'prompt'][0]['cycles']
assert 0.98 * region < total < 1.05 * region, ('prefill breakdown', total, region)
PY
html=$d/llm.html
grep -q "Latency per token" "$html" && grep -q "Energy per token" "$html" && grep -q "Layers of one position" "$html" ||
  fail "the report lacks a chart"
[ "$(grep -c '<tr><td>l[0-9]*\.' "$html")" -ge 40 ] || fail "no tables of the costliest steps"
grep -q "Layers of the prefill pass" "$html" || fail "no prefill breakdown"
[ "$(grep -c '<rect class="prompt"' "$html")" -ge 2 ] || fail "no prompt bars"  # the prefill's, in each chart
! grep -qE '(src|href)="https?:' "$html" || fail "the report is not self-contained"
"$(dirname "$0")/html_renders.sh" "$html" "$d"; st=$?
[ $st = 0 ] || exit $st
echo "PASS: tokens, per-mode figures, regions that add up, layers and steps; the report renders in Chromium"
