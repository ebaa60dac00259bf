/*
 * The float32 host reference of a llama2.c model: one token's forward pass
 * and greedy decoding, the golden model for `ortigia llm`.
 *
 * It computes what llama2.c's run.c computes, operation for operation in
 * float32 and in the same order (sums accumulate j = 0..n-1, the same
 * divisions and reciprocals), so that at temperature 0 it chooses the same
 * tokens: RMSNorm (mean of squares + 1e-5, times 1/sqrtf, times the
 * weight), RoPE on adjacent pairs (i, i+1) with frequency
 * 1/10000^((i mod head_size)/head_size) on q and on k, attention over
 * positions 0..pos scaled by 1/sqrt(head_size) with query head h reading
 * key/value head h/(n_heads/n_kv_heads), the FFN w2(silu(w1 x) * w3 x),
 * residual adds, the final RMSNorm and the classifier. llama_ref.c is built
 * with -ffp-contract=off: a fused multiply-add would round differently.
 */
#ifndef ORTIGIA_COMPILER_LLAMA_REF_H
#define ORTIGIA_COMPILER_LLAMA_REF_H

#include "diag.h"
#include "llama2c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Activations and the KV cache ([L][seq_len][kv_dim] each) of one sequence. */
struct ort_llama_ref {
    float *x, *xb, *xb2;    /* [dim] residual stream and branch buffers */
    float *hb, *hb2;        /* [hidden_dim] */
    float *q;               /* [dim] */
    float *att;             /* [seq_len] one head's scores */
    float *key_cache;
    float *value_cache;
};

/* Allocates the state for model m; -1 with d set when memory is short. */
int ort_llama_ref_init(struct ort_llama_ref *s, const struct ort_llama_model *m, struct ort_diag *d);
void ort_llama_ref_free(struct ort_llama_ref *s);

/* Runs `token` at position `pos` (positions 0..pos-1 must have run before
 * on this state) and writes vocab_size logits. Returns -1 (nothing done)
 * when token or pos is out of range. */
int ort_llama_forward(const struct ort_llama_model *m, struct ort_llama_ref *s, int token, int pos,
                      float *logits);

/* out = w * (x / rms(x)), as run.c (epsilon 1e-5); out may be x (the scale
 * is known before any element is written). */
void ort_llama_rmsnorm(float *out, const float *x, const float *w, int n);

/* out[i] = sum_j w[i][j] x[j], w [rows][n], summed in float from j = 0 up
 * (run.c's order, so the float reference's sums are its sums). */
void ort_llama_matvec(float *out, const float *x, const float *w, int n, int rows);

/* The index of the largest value, the first on ties (run.c's
 * sample_argmax: NaNs are never chosen unless at index 0). */
int ort_llama_argmax(const float *v, int n);

/* Greedy decoding as run.c's generate() at temperature 0: the sequence
 * starts with prompt[0] (BOS when n_prompt is 0); at each position
 * pos < steps the model runs and the next token is prompt[pos+1] while the
 * prompt lasts, else the argmax; a BOS produced ends the sequence (it is
 * not stored). out (room for `steps` ids) gets every next token - the
 * prompt's after the first, then the generated ones - exactly the ids
 * run.c prints; *n_out their number. steps is 1..seq_len; prompt ids must
 * be tokens of the model. -1 with d set on bad arguments or no memory. */
int ort_llama_generate(const struct ort_llama_model *m, const int *prompt, int n_prompt, int steps,
                       int *out, int *n_out, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
