#!/usr/bin/env bash
# `ortigia llm` on the simulated MCU against the host integer model: the
# same token ids and the same logits (each position's digest, FNV-1a of
# its int32 logits), bit for bit, over N positions (the KV cache across
# steps), and a cycles/token line. Without MODEL (or with ""): the embedded
# default model; a MODEL that is absent skips (exit 77). With PROMPT_LEN
# (2+): a prompt of that many ids (--prompt-len), run in prompt mode (one
# prefill pass, then the steps) on both, and a prefill line. With ENGINE:
# the device build's --engine (the host model has none: every engine must
# give its results), and the model line's count of NPU steps checked
# (none for cluster, some for npu).
# Usage: llm_device.sh ORTIGIA N [MODEL.bin] [PROMPT_LEN] [ENGINE]
set -uo pipefail
ort=$1 steps=$2 model=${3:-} plen=${4:-} engine=${5:-}
if [ -n "$model" ] && [ ! -f "$model" ]; then
  echo "SKIP: $model not found (test data lives in ../shared/testdata/llama2c)"
  exit 77
fi
fed=$(( ${plen:-1} > 1 ? ${plen:-1} - 1 : 0 ))
args=(${model:+"$model"} --steps "$steps" ${plen:+--prompt-len "$plen"} --logits-digest)
dev=$("$ort" llm "${args[@]}" ${engine:+--engine "$engine"} 2>"${TMPDIR:-/tmp}/llm_dev_err.$$") || {
  echo "FAIL: the device run ended with status $?"; cat "${TMPDIR:-/tmp}/llm_dev_err.$$"; exit 1; }
err=$(cat "${TMPDIR:-/tmp}/llm_dev_err.$$"); rm -f "${TMPDIR:-/tmp}/llm_dev_err.$$"
host=$("$ort" llm --reference int "${args[@]}" 2>/dev/null) || { echo "FAIL: the host integer model"; exit 1; }
echo "device: $dev"
echo "host:   $host"
echo "$err"
[ "$dev" = "$host" ] || { echo "FAIL: the device's tokens or logits differ from the host integer model's"; exit 1; }
# a digest for every position that computes logits (the prefill's first
# positions compute none), and not zeros
digests=$(sed -n 's/^logits: //p' <<< "$dev")
nonzero=$(tr ' ' '\n' <<< "$digests" | grep -vc '^00000000$')
[ "$nonzero" -ge $((steps - fed)) ] || { echo "FAIL: $nonzero logits digests, want $((steps - fed))"; exit 1; }
# `tokens:` and the generated ids (the prompt's fed ids not among them)
[ $(( $(head -1 <<< "$dev" | wc -w) - 1 )) -ge $((steps - fed - 1)) ] || { echo "FAIL: fewer tokens than positions"; exit 1; }
grep -q "cycles/token.*uJ/token (band" <<< "$err" || { echo "FAIL: no cycles/token and uJ/token line"; exit 1; }
npu_steps=$(sed -n 's/.*; \([0-9]*\) of [0-9]* steps on the NPU$/\1/p' <<< "$err")
case "$engine" in
  cluster) [ "$npu_steps" = 0 ] || { echo "FAIL: --engine cluster, but '$npu_steps' steps on the NPU"; exit 1; } ;;
  npu) [ "${npu_steps:-0}" -gt 0 ] || { echo "FAIL: --engine npu, but no step on the NPU"; exit 1; } ;;
esac
if [ -n "$plen" ]; then
  grep -q "^prompt: $plen positions in 1 pass, [0-9]* cycles" <<< "$err" ||
    { echo "FAIL: no prefill line"; exit 1; }
  grep -q "^autoregressive: $((steps - plen)) positions" <<< "$err" ||
    { echo "FAIL: no autoregressive line for the $((steps - plen)) generated positions"; exit 1; }
fi
echo "PASS: $steps positions${plen:+ ($plen in one prefill pass)}${engine:+, --engine $engine}, the same tokens and logits on the device and on the host integer model"
