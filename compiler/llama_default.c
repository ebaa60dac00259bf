/* The embedded default model (llama_default.h). */
#include "llama_default.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64* (Vigna): small, fast and the same on every host. */
static uint64_t next_u64(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [-a, a], from the top 24 bits (exact in float). */
static void fill(float *w, size_t n, float a, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        float u = (float)(next_u64(s) >> 40) / 16777216.0f; /* [0, 1) */
        w[i] = (2.0f * u - 1.0f) * a;
    }
}

int ort_llama_default(struct ort_llama_model *m, struct ort_diag *d)
{
    memset(m, 0, sizeof *m);
    struct ort_llama_config *c = &m->cfg;
    c->dim = 64;
    c->hidden_dim = 256;
    c->n_layers = 8;
    c->n_heads = 16;
    c->n_kv_heads = 16;
    c->vocab_size = 512;
    c->seq_len = 256;
    c->shared_classifier = 0; /* tied, random weights repeat the input token forever */
    c->version = 1;
    c->head_size = c->dim / c->n_heads;
    c->kv_dim = c->head_size * c->n_kv_heads;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers, V = (size_t)c->vocab_size;
    size_t KV = (size_t)c->kv_dim;
    size_t total = 2 * L * D + D + 2 * V * D + L * (D * D + 2 * KV * D + D * D + 3 * H * D);
    m->data = malloc(total * sizeof *m->data);
    if (!m->data)
        return ort_fail(d, "the default model: out of memory (%zu floats)", total);
    float *p = m->data;
    m->rms_att = p, p += L * D;
    m->rms_ffn = p, p += L * D;
    m->rms_final = p, p += D;
    m->tok_embedding = p, p += V * D;
    m->wq = p, p += L * D * D;
    m->wk = p, p += L * KV * D;
    m->wv = p, p += L * KV * D;
    m->wo = p, p += L * D * D;
    m->w1 = p, p += L * H * D;
    m->w2 = p, p += L * D * H;
    m->w3 = p, p += L * H * D;
    m->wcls = p, p += V * D;
    for (size_t i = 0; i < 2 * L * D + D; i++)
        m->rms_att[i] = 1.0f; /* rms_att, rms_ffn and rms_final are contiguous */
    uint64_t s = 0x4F5254494749414EULL; /* "ORTIGIAN" */
    float a_in = sqrtf(3.0f / (float)D), a_hidden = sqrtf(3.0f / (float)H);
    fill(m->tok_embedding, V * D, sqrtf(3.0f), &s);
    fill(m->wq, L * D * D, a_in, &s);
    fill(m->wk, L * KV * D, a_in, &s);
    fill(m->wv, L * KV * D, a_in, &s);
    fill(m->wo, L * D * D, a_in, &s);
    fill(m->w1, L * H * D, a_in, &s);
    fill(m->w2, L * D * H, a_hidden, &s);
    fill(m->w3, L * H * D, a_in, &s);
    fill(m->wcls, V * D, a_in, &s);
    /* BOS's logit 0: a sequence ends when BOS comes out, and a random
       model would end them early (a study wants its tokens). */
    memset(m->wcls + (size_t)ORT_LLAMA_BOS * D, 0, D * sizeof *m->wcls);
    return 0;
}
