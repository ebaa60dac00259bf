#include "llama_ref.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int ort_llama_ref_init(struct ort_llama_ref *s, const struct ort_llama_model *m, struct ort_diag *d)
{
    const struct ort_llama_config *c = &m->cfg;
    memset(s, 0, sizeof *s);
    size_t cache;
    if (__builtin_mul_overflow((size_t)c->n_layers, (size_t)c->seq_len, &cache) ||
        __builtin_mul_overflow(cache, (size_t)c->kv_dim, &cache))
        return ort_fail(d, "llama reference: the KV cache (%d layers x %d positions x %d) does not fit in "
                        "memory", c->n_layers, c->seq_len, c->kv_dim);
    s->x = calloc((size_t)c->dim, sizeof(float));
    s->xb = calloc((size_t)c->dim, sizeof(float));
    s->xb2 = calloc((size_t)c->dim, sizeof(float));
    s->q = calloc((size_t)c->dim, sizeof(float));
    s->hb = calloc((size_t)c->hidden_dim, sizeof(float));
    s->hb2 = calloc((size_t)c->hidden_dim, sizeof(float));
    s->att = calloc((size_t)c->seq_len, sizeof(float));
    s->key_cache = calloc(cache, sizeof(float));
    s->value_cache = calloc(cache, sizeof(float));
    if (!s->x || !s->xb || !s->xb2 || !s->q || !s->hb || !s->hb2 || !s->att || !s->key_cache ||
        !s->value_cache) {
        ort_llama_ref_free(s);
        return ort_fail(d, "llama reference: out of memory for the state (KV cache %zu floats twice)", cache);
    }
    return 0;
}

void ort_llama_ref_free(struct ort_llama_ref *s)
{
    free(s->x);
    free(s->xb);
    free(s->xb2);
    free(s->q);
    free(s->hb);
    free(s->hb2);
    free(s->att);
    free(s->key_cache);
    free(s->value_cache);
    memset(s, 0, sizeof *s);
}

void ort_llama_rmsnorm(float *out, const float *x, const float *w, int n)
{
    float ss = 0.0f;
    for (int j = 0; j < n; j++)
        ss += x[j] * x[j];
    ss /= (float)n;
    ss += 1e-5f;
    float inv = 1.0f / sqrtf(ss);
    for (int j = 0; j < n; j++)
        out[j] = w[j] * (inv * x[j]);
}

void ort_llama_matvec(float *out, const float *x, const float *w, int n, int rows)
{
    for (int i = 0; i < rows; i++) {
        const float *row = w + (size_t)i * (size_t)n;
        float acc = 0.0f;
        for (int j = 0; j < n; j++)
            acc += row[j] * x[j];
        out[i] = acc;
    }
}

static void softmax(float *v, int n)
{
    float max = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] > max)
            max = v[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        v[i] = expf(v[i] - max);
        sum += v[i];
    }
    for (int i = 0; i < n; i++)
        v[i] /= sum;
}

/* Rotates the pairs (i, i+1) of q (all dim) and k (its kv_dim) by
 * pos * 10000^-(i mod head_size)/head_size. */
static void rope(float *q, float *k, int pos, const struct ort_llama_config *c)
{
    for (int i = 0; i < c->dim; i += 2) {
        float freq = 1.0f / powf(10000.0f, (float)(i % c->head_size) / (float)c->head_size);
        float angle = (float)pos * freq;
        float cs = cosf(angle), sn = sinf(angle);
        float *vecs[2] = {q, k};
        int n = i < c->kv_dim ? 2 : 1;
        for (int v = 0; v < n; v++) {
            float a = vecs[v][i], b = vecs[v][i + 1];
            vecs[v][i] = a * cs - b * sn;
            vecs[v][i + 1] = a * sn + b * cs;
        }
    }
}

/* One layer's attention for position pos: q, and k, v already in the
 * cache at pos; the heads' outputs into out [dim]. */
static void attention(const struct ort_llama_config *c, struct ort_llama_ref *s, size_t layer_off, int pos,
                      float *out)
{
    int group = c->n_heads / c->n_kv_heads; /* query heads per key/value head */
    float scale = sqrtf((float)c->head_size);
    for (int h = 0; h < c->n_heads; h++) {
        const float *q = s->q + (size_t)h * (size_t)c->head_size;
        size_t kv_off = layer_off + (size_t)(h / group) * (size_t)c->head_size;
        for (int t = 0; t <= pos; t++) {
            const float *k = s->key_cache + kv_off + (size_t)t * (size_t)c->kv_dim;
            float score = 0.0f;
            for (int i = 0; i < c->head_size; i++)
                score += q[i] * k[i];
            s->att[t] = score / scale; /* a division, as run.c: not a multiply by 1/scale */
        }
        softmax(s->att, pos + 1);
        float *o = out + (size_t)h * (size_t)c->head_size;
        memset(o, 0, (size_t)c->head_size * sizeof(float));
        for (int t = 0; t <= pos; t++) {
            const float *v = s->value_cache + kv_off + (size_t)t * (size_t)c->kv_dim;
            float a = s->att[t];
            for (int i = 0; i < c->head_size; i++)
                o[i] += a * v[i];
        }
    }
}

int ort_llama_forward(const struct ort_llama_model *m, struct ort_llama_ref *s, int token, int pos,
                      float *logits)
{
    const struct ort_llama_config *c = &m->cfg;
    if (token < 0 || token >= c->vocab_size || pos < 0 || pos >= c->seq_len)
        return -1;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    float *x = s->x;
    memcpy(x, m->tok_embedding + (size_t)token * D, D * sizeof(float));

    for (size_t l = 0; l < (size_t)c->n_layers; l++) {
        ort_llama_rmsnorm(s->xb, x, m->rms_att + l * D, c->dim);
        size_t layer_off = l * (size_t)c->seq_len * KV;
        float *k = s->key_cache + layer_off + (size_t)pos * KV;
        float *v = s->value_cache + layer_off + (size_t)pos * KV;
        ort_llama_matvec(s->q, s->xb, m->wq + l * D * D, c->dim, c->dim);
        ort_llama_matvec(k, s->xb, m->wk + l * KV * D, c->dim, c->kv_dim);
        ort_llama_matvec(v, s->xb, m->wv + l * KV * D, c->dim, c->kv_dim);
        rope(s->q, k, pos, c);
        attention(c, s, layer_off, pos, s->xb);
        ort_llama_matvec(s->xb2, s->xb, m->wo + l * D * D, c->dim, c->dim);
        for (size_t i = 0; i < D; i++)
            x[i] += s->xb2[i];

        ort_llama_rmsnorm(s->xb, x, m->rms_ffn + l * D, c->dim);
        ort_llama_matvec(s->hb, s->xb, m->w1 + l * H * D, c->dim, c->hidden_dim);
        ort_llama_matvec(s->hb2, s->xb, m->w3 + l * H * D, c->dim, c->hidden_dim);
        for (size_t i = 0; i < H; i++) {
            float g = s->hb[i];
            /* silu as run.c rounds it: g times the rounded sigmoid, not g / (1 + e^-g) */
            g *= 1.0f / (1.0f + expf(-g));
            s->hb[i] = g * s->hb2[i];
        }
        ort_llama_matvec(s->xb, s->hb, m->w2 + l * D * H, c->hidden_dim, c->dim);
        for (size_t i = 0; i < D; i++)
            x[i] += s->xb[i];
    }
    ort_llama_rmsnorm(x, x, m->rms_final, c->dim);
    ort_llama_matvec(logits, x, m->wcls, c->dim, c->vocab_size);
    return 0;
}

int ort_llama_argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

int ort_llama_generate(const struct ort_llama_model *m, const int *prompt, int n_prompt, int steps,
                       int *out, int *n_out, struct ort_diag *d)
{
    const struct ort_llama_config *c = &m->cfg;
    *n_out = 0;
    if (steps < 1 || steps > c->seq_len)
        return ort_fail(d, "llama reference: %d steps: the model takes 1 to %d (seq_len)", steps, c->seq_len);
    if (n_prompt < 0 || (n_prompt > 0 && !prompt))
        return ort_fail(d, "llama reference: no prompt");
    for (int i = 0; i < n_prompt; i++)
        if (prompt[i] < 0 || prompt[i] >= c->vocab_size)
            return ort_fail(d, "llama reference: prompt token %d (at %d) is not in the vocabulary (0..%d)",
                            prompt[i], i, c->vocab_size - 1);
    static const int bos = ORT_LLAMA_BOS;
    if (n_prompt == 0) {
        prompt = &bos;
        n_prompt = 1;
    }
    struct ort_llama_ref s;
    if (ort_llama_ref_init(&s, m, d) != 0)
        return -1;
    float *logits = malloc((size_t)c->vocab_size * sizeof(float));
    if (!logits) {
        ort_llama_ref_free(&s);
        return ort_fail(d, "llama reference: out of memory");
    }
    int token = prompt[0];
    for (int pos = 0; pos < steps; pos++) {
        ort_llama_forward(m, &s, token, pos, logits);
        int next = pos + 1 < n_prompt ? prompt[pos + 1] : ort_llama_argmax(logits, c->vocab_size);
        if (next == ORT_LLAMA_BOS)
            break;
        out[(*n_out)++] = next;
        token = next;
    }
    free(logits);
    ort_llama_ref_free(&s);
    return 0;
}
