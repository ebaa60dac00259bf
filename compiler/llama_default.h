/*
 * The embedded default model of `ortigia llm`: shaped like Deeploy's
 * microLlama (8 layers, width 64, 16 heads of 4, FFN 256) with a 512-token
 * vocabulary and a 256-token context, its weights
 * generated here, deterministically, so that the main command needs no
 * download. It exists for latency and energy studies: its text is
 * meaningless. The classifier is its own matrix (tied to random
 * embeddings it would only ever repeat the input token), its row for BOS
 * zero (a sequence ends when BOS comes out).
 *
 * Weights: a fixed-seed xorshift64* stream, read in the llama2.c version-1
 * order (norms, embedding, wq, wk, wv, wo, w1, w2, w3, classifier), each value uniform
 * in [-a, a] with a = sqrt(3 / fan_in) (variance 1 / fan_in, so that
 * activations keep their scale through the layers); the embedding uniform
 * in [-sqrt(3), sqrt(3)] (variance 1); every RMSNorm weight 1.
 */
#ifndef ORTIGIA_COMPILER_LLAMA_DEFAULT_H
#define ORTIGIA_COMPILER_LLAMA_DEFAULT_H

#include "diag.h"
#include "llama2c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills m (release with ort_llama_free); -1 with d set when memory is short. */
int ort_llama_default(struct ort_llama_model *m, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
