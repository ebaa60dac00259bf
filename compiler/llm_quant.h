/*
 * A llama2.c model quantized to int8 by Ortigia, as an integer network of
 * the compiler's operators, and the host integer model that runs it.
 *
 * One decoding step is an ONNX graph (step.onnx in the output folder) in
 * the style of Deeploy's microLlama graphs: the token's embedding row, the
 * rotary matrix of its position and an additive mask over the KV cache
 * come in with the caches; the logits (int32) and the token's keys and
 * values (int8) come out. Everything around it (embedding lookup, the
 * rotary table, the mask, storing the new keys and values, argmax) is what
 * the device's token loop does, and ort_llm_int_generate does on the host.
 *
 * Quantization (post-training, every choice here):
 * - weights: int8, symmetric, per output channel; the classifier per
 *   tensor (so that argmax over its int32 products is argmax over the
 *   logits); the embedding per tensor;
 * - activations: int8, symmetric, per tensor, each scale the largest
 *   magnitude a calibration run of the float model reached (greedy from
 *   BOS over the step's context);
 * - RMSNorm: iRMSNorm with int16 weights g / s_out * 2^k, on its int8
 *   input times up to 16 (its `in_mul`: a finer square root); its outputs
 *   are truncated (half a unit low on average), so the projections after
 *   it (q, k, v, w1, w3) add half their row's sum of weights back in their
 *   RequantShift's add (no cycles); the classifier not (+5,400
 *   cycles/token for no measured gain);
 * - rotary embedding: a matrix per position, int8 at 1/64;
 * - scores: int16 at half the int8 scale (largest magnitude / 254);
 * - softmax: iSoftmax (I-BERT's second-order exp) with coefficients from
 *   the scores' scale; its output uint8 at 1/255, rounded to the nearest
 *   (its `round` attribute, Ortigia's), not truncated;
 * - SiLU: iLut, a table of its 256 int8 inputs;
 * - residual adds and the gated product: RequantShift of int32 sums;
 * - keys and values: int8 in the cache, at their projections' scales.
 * No other tensor is widened to int16: none that the operators support
 * paid (measured, with the agreement before and after each choice and its
 * cycles: docs/compiler.md, "What limits accuracy"; tests/tools/llm_accuracy).
 * Top-1 agreement with the float model under teacher forcing: 71.1 % on
 * stories260K over 256 positions (60.2 % before these choices;
 * LlmQuant.AgreementStories260K), against a 90 % target that int8
 * activations and weights do not reach on a model this small.
 */
#ifndef ORTIGIA_COMPILER_LLM_QUANT_H
#define ORTIGIA_COMPILER_LLM_QUANT_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "llama2c.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_llm_q {
    struct ort_llama_config cfg;
    int context;        /* C: cache positions of the step graph */
    int8_t *embedding;  /* [vocab][dim] */
    int8_t *rope;       /* [context][head_size][head_size] */
    char step_path[4096]; /* the step graph's ONNX file */
    int prefill;        /* T: positions of the prefill graph (0: none) */
    char prefill_path[4096]; /* the prefill graph's ONNX file */
    int64_t *logits_trace; /* optional, [steps][vocab]: ort_llm_int_generate's logits per step
                              (for accuracy measurements) */
};

/* Quantizes m for steps over `context` positions (1..seq_len) into dir
 * (created; step.onnx). -1 with d set on an error. */
int ort_llm_quantize(const struct ort_llama_model *m, int context, const char *dir, struct ort_llm_q *q,
                     struct ort_diag *d);
void ort_llm_q_free(struct ort_llm_q *q);

/*
 * The same, and also the prefill graph of positions 0..prefill-1
 * (prefill.onnx; 1..context, or 0 for none): the prompt (prefill) mode,
 * all of a prompt's positions in one pass that fills the KV cache.
 * Input: x [T][dim], the prompt's embedding rows; the rotary matrices of
 * positions 0..T-1 and the causal mask are constants. Outputs: the logits
 * of the last position [1][vocab] (int32), and every layer's keys and
 * values of the T positions, [kv_heads][T][head_size] (int8, the caches'
 * layout). Same calibration, weights, tables and constants as the step
 * graph (iSoftmax's coefficients and every requantization's shift are the
 * step's, chosen for C + 1 positions); every operator works row by row (a
 * position's projections, norms, rotary). Query row t sees keys 0..t; its
 * other entries are exactly -32768 (the 16-bit score minus 65536, clipped
 * to 16 bits), as the step's masked cache entries are, and iSoftmax's
 * `pad` attribute counts C + 1 - T more of them, so the row has the
 * step's C - t masked entries. (Their exponentials are 0 or 1, not always 0: iSoftmax's
 * 32-bit arithmetic wraps that far out, so their number must be the
 * step's.) So its outputs equal T steps' (keys, values, the last step's
 * logits) bit for bit (tests LlmQuant.PrefillEqualsSteps*). Query rows are
 * ordered t mod 4 first (t = 4 a + b as (b, a)), so that the cores, which
 * take contiguous rows, share the causal rows' uneven work evenly.
 */
int ort_llm_quantize_prefill(const struct ort_llama_model *m, int context, int prefill, const char *dir,
                             struct ort_llm_q *q, struct ort_diag *d);

/*
 * The host integer model, greedy: like ort_llama_generate (prompt ids, or
 * BOS; out gets the ids after the first; stops at BOS or after `steps`
 * positions, at most q->context). With `forced` (n_forced ids), the
 * teacher-forced run instead: position i's input is forced[i], and out[i]
 * the model's argmax after it. In prompt mode (ort_llm_uses_prefill) the
 * prompt's positions run as one pass of the prefill graph, then the step
 * graph for each generated position, as on the device.
 */
/* The step graph, checked and typed (its inputs as their values make them:
 * int8, the mask int32), optimized as for compilation. */
struct ort_graph *ort_llm_step_graph(const struct ort_llm_q *q, struct ort_diag *d);
/* The prefill graph likewise (q->prefill >= 1). */
struct ort_graph *ort_llm_prefill_graph(const struct ort_llm_q *q, struct ort_diag *d);

/* For the device: dir/llm_config.h (the sizes, the prompt, where the
 * network's inputs and outputs are) and dir/llm_tables.S (+ .bin: the
 * embedding and the rotary matrices, in the weight memory), for a run of
 * `steps` positions from the prompt. */
int ort_llm_write_device_files(const struct ort_llm_q *q, const char *dir, const int *prompt, int n_prompt,
                               int steps, struct ort_diag *d);

/* Whether a run of `steps` positions from this prompt uses the prefill
 * graph: a prompt of at least 2 ids, exactly q->prefill of them, within
 * the steps. Otherwise every position is a step (today's behaviour). */
bool ort_llm_uses_prefill(const struct ort_llm_q *q, int n_prompt, int steps);

/* With `digests` (steps entries): each position's logits digest
 * (ort_llm_logits_digest) where the model computed logits: every step,
 * and the prefill's last position; the others are left as they are. */
int ort_llm_int_generate(const struct ort_llm_q *q, const int *prompt, int n_prompt, int steps,
                         const int *forced, int n_forced, int *out, int *n_out, uint32_t *digests,
                         struct ort_diag *d);

/* A position's logits in 32 bits, as the device's token loop computes it
 * with LLM_LOGITS_DIGEST (FNV-1a over the int32 words), so that device and
 * host logits can be compared at every position without moving them. */
uint32_t ort_llm_logits_digest(const int64_t *logits, int vocab);

#ifdef __cplusplus
}
#endif

#endif
