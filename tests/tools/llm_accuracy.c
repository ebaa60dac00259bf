/*
 * llm_accuracy: how close the quantized language model (compiler/llm_quant.h)
 * is to the float one, under teacher forcing on the float model's greedy
 * sequence from BOS: a measuring tool for quantization experiments, not
 * part of the simulator.
 *
 *   llm_accuracy [MODEL.bin] [STEPS]    (no model: the embedded default)
 *
 * Prints the top-1 agreement (what `ortigia llm --reference int` prints),
 * and smoother figures beside it: the agreement over the positions where
 * the float model's top-1 leads its second by more than a margin (near
 * ties are coin flips for any quantization), how often the float top-1 is
 * in the integer model's top 2 and top 5, and the mean cosine similarity
 * of the two logit vectors (centred). Agreement moves by whole positions;
 * the cosine shows whether a change helps before it flips a position.
 *
 * With LLM_ACCURACY_SIM set, also a fake-quantized float model (the
 * integer model's roundings in float arithmetic, from the same kind of
 * calibration) with one part at a time rounded, or all but one, or one
 * widened to int16: which part limits the agreement
 * (LLM_ACCURACY_SIM_FLOOR_P: the probabilities truncated, not rounded).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "llama2c.h"
#include "llama_default.h"
#include "llama_ref.h"
#include "llm_quant.h"


/* ---- the float model with chosen parts rounded as the integer model
 * rounds them (fake quantization): which part limits the agreement ---- */

enum part { Q_W, Q_NORM, Q_QKV, Q_SCORES, Q_PROB, Q_ATT, Q_O, Q_RES, Q_FFN, Q_ROPE, Q_PARTS };
static const char *const part_name[Q_PARTS] = {
    "weights (int8 per channel)", "RMSNorm outputs (int8)", "q, k, v and the KV cache (int8)",
    "scores (int8 scale)", "probabilities (1/255)", "attention output (int8)", "o projection (int8)",
    "residual stream (int8)", "FFN a, b, SiLU, gate, w2 out (int8)", "rotary matrix (1/64)"};

enum { S_H, S_Q, S_K, S_V, S_S, S_ATT, S_O, S_X1, S_H2, S_A, S_B, S_SA, S_G, S_F, S_X2, S_N };

struct sim {
    const struct ort_llama_model *m;
    unsigned parts;  /* the parts rounded */
    unsigned wide;   /* the activation parts rounded to int16 instead of int8 */
    float *amax;     /* [L][S_N], then final h: calibration magnitudes */
    float *w[7];     /* wq wk wv wo w1 w2 w3, rounded when Q_W */
    float *cls;
};

static bool floor_p; /* the probabilities truncated, as iSoftmax does without `round` */
static void fq(float *v, int n, float amax, float levels_half)
{
    float s = (amax > 1e-8f ? amax : 1e-8f) / levels_half;
    for (int i = 0; i < n; i++) {
        float r = roundf(v[i] / s);
        v[i] = (r > levels_half ? levels_half : r < -levels_half - 1 ? -levels_half - 1 : r) * s;
    }
}

static float *round_rows(const float *w, int rows, int n, bool per_tensor)
{
    float *o = malloc(sizeof *o * (size_t)rows * n), tmax = 0;
    for (size_t i = 0; i < (size_t)rows * n; i++)
        tmax = fabsf(w[i]) > tmax ? fabsf(w[i]) : tmax;
    for (int r = 0; r < rows; r++) {
        float mx = 0;
        for (int i = 0; i < n; i++)
            mx = fabsf(w[(size_t)r * n + i]) > mx ? fabsf(w[(size_t)r * n + i]) : mx;
        memcpy(o + (size_t)r * n, w + (size_t)r * n, sizeof *o * (size_t)n);
        fq(o + (size_t)r * n, n, per_tensor ? tmax : mx, 127);
    }
    return o;
}

static void see(float *m, const float *v, int n)
{
    for (int i = 0; i < n; i++)
        *m = fabsf(v[i]) > *m ? fabsf(v[i]) : *m;
}

/* One run over `forced` (n ids): the logits at every position into
 * logits [n][vocab]; with amax_only, the magnitudes into s->amax instead
 * (nothing rounded). */
static void sim_run(struct sim *S, const int *forced, int n, float *logits, bool amax_only)
{
    const struct ort_llama_model *m = S->m;
    const struct ort_llama_config *c = &m->cfg;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, hs = c->head_size, L = c->n_layers;
    int g = c->n_heads / c->n_kv_heads;
    unsigned P = amax_only ? 0 : S->parts, wide = S->wide;
#define QP(part, pt, v, cnt) do { float *a_ = &S->amax[(size_t)l * S_N + (pt)]; \
        if (amax_only) see(a_, v, cnt); else if (P & (1u << (part))) fq(v, cnt, *a_, wide & (1u << (part)) ? 32767 : 127); } while (0)
    float *x = calloc((size_t)D, 4), *h = calloc((size_t)D, 4), *q = calloc((size_t)D, 4);
    float *att = calloc((size_t)D, 4), *o = calloc((size_t)D, 4), *a = calloc((size_t)H, 4);
    float *b = calloc((size_t)H, 4), *sc = calloc((size_t)n, 4);
    float *kc = calloc((size_t)L * n * KV, 4), *vc = calloc((size_t)L * n * KV, 4);
    const float *const *w = (const float *const *)S->w;
    bool rw = P & (1u << Q_W);
    float emb_max = 0;
    see(&emb_max, m->tok_embedding, c->vocab_size * D);
    for (int pos = 0; pos < n; pos++) {
        memcpy(x, m->tok_embedding + (size_t)forced[pos] * D, (size_t)D * 4);
        if (rw)
            fq(x, D, emb_max, 127);
        for (int l = 0; l < L; l++) {
            float *kr = kc + ((size_t)l * n + pos) * KV, *vr = vc + ((size_t)l * n + pos) * KV;
            ort_llama_rmsnorm(h, x, m->rms_att + (size_t)l * D, D);
            QP(Q_NORM, S_H, h, D);
            ort_llama_matvec(q, h, rw ? w[0] + (size_t)l * D * D : m->wq + (size_t)l * D * D, D, D);
            ort_llama_matvec(kr, h, rw ? w[1] + (size_t)l * KV * D : m->wk + (size_t)l * KV * D, D, KV);
            ort_llama_matvec(vr, h, rw ? w[2] + (size_t)l * KV * D : m->wv + (size_t)l * KV * D, D, KV);
            QP(Q_QKV, S_Q, q, D);
            QP(Q_QKV, S_K, kr, KV);
            QP(Q_QKV, S_V, vr, KV);
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < (pass ? KV : D); i += 2) {
                    float *v = pass ? kr : q;
                    float fr = 1.0f / powf(10000.0f, (float)(i % hs) / (float)hs), an = (float)pos * fr;
                    float cs = cosf(an), sn = sinf(an), v0 = v[i], v1 = v[i + 1];
                    if (P & (1u << Q_ROPE))
                        cs = roundf(cs * 64) / 64, sn = roundf(sn * 64) / 64;
                    v[i] = v0 * cs - v1 * sn;
                    v[i + 1] = v0 * sn + v1 * cs;
                }
            QP(Q_QKV, S_Q, q, D);
            QP(Q_QKV, S_K, kr, KV);
            for (int hd = 0; hd < c->n_heads; hd++) {
                const float *qh = q + (size_t)hd * hs;
                float mx = -INFINITY, sum = 0;
                for (int t = 0; t <= pos; t++) {
                    const float *kt = kc + ((size_t)l * n + t) * KV + (size_t)(hd / g) * hs;
                    float s = 0;
                    for (int i = 0; i < hs; i++)
                        s += qh[i] * kt[i];
                    sc[t] = s / sqrtf((float)hs);
                }
                QP(Q_SCORES, S_S, sc, pos + 1);
                for (int t = 0; t <= pos; t++)
                    mx = sc[t] > mx ? sc[t] : mx;
                for (int t = 0; t <= pos; t++)
                    sum += sc[t] = expf(sc[t] - mx);
                for (int t = 0; t <= pos; t++) {
                    sc[t] /= sum;
                    if (P & (1u << Q_PROB))
                        sc[t] = (floor_p ? floorf(sc[t] * 255) : roundf(sc[t] * 255)) / 255;
                }
                float *out = att + (size_t)hd * hs;
                memset(out, 0, (size_t)hs * 4);
                for (int t = 0; t <= pos; t++) {
                    const float *vt = vc + ((size_t)l * n + t) * KV + (size_t)(hd / g) * hs;
                    for (int i = 0; i < hs; i++)
                        out[i] += sc[t] * vt[i];
                }
            }
            QP(Q_ATT, S_ATT, att, D);
            ort_llama_matvec(o, att, rw ? w[3] + (size_t)l * D * D : m->wo + (size_t)l * D * D, D, D);
            QP(Q_O, S_O, o, D);
            for (int i = 0; i < D; i++)
                x[i] += o[i];
            QP(Q_RES, S_X1, x, D);
            ort_llama_rmsnorm(h, x, m->rms_ffn + (size_t)l * D, D);
            QP(Q_NORM, S_H2, h, D);
            ort_llama_matvec(a, h, rw ? w[4] + (size_t)l * H * D : m->w1 + (size_t)l * H * D, D, H);
            ort_llama_matvec(b, h, rw ? w[6] + (size_t)l * H * D : m->w3 + (size_t)l * H * D, D, H);
            QP(Q_FFN, S_A, a, H);
            QP(Q_FFN, S_B, b, H);
            for (int i = 0; i < H; i++)
                a[i] = a[i] / (1.0f + expf(-a[i]));
            QP(Q_FFN, S_SA, a, H);
            for (int i = 0; i < H; i++)
                a[i] *= b[i];
            QP(Q_FFN, S_G, a, H);
            ort_llama_matvec(o, a, rw ? w[5] + (size_t)l * D * H : m->w2 + (size_t)l * D * H, H, D);
            QP(Q_FFN, S_F, o, D);
            for (int i = 0; i < D; i++)
                x[i] += o[i];
            QP(Q_RES, S_X2, x, D);
        }
        ort_llama_rmsnorm(h, x, m->rms_final, D);
        float *fa = &S->amax[(size_t)L * S_N];
        if (amax_only)
            see(fa, h, D);
        else if (P & (1u << Q_NORM))
            fq(h, D, *fa, 127);
        if (!amax_only)
            ort_llama_matvec(logits + (size_t)pos * c->vocab_size, h, rw ? S->cls : m->wcls, D, c->vocab_size);
    }
#undef QP
    free(x), free(h), free(q), free(att), free(o), free(a), free(b), free(sc), free(kc), free(vc);
}

/* Agreement of `logits` [n][V] with the float ones, and the mean cosine. */
static double agreement(const float *fl, const float *lq, int n, int V, double *cosine)
{
    int agree = 0;
    double cs = 0;
    for (int p = 0; p < n; p++) {
        const float *f = fl + (size_t)p * V, *g = lq + (size_t)p * V;
        agree += ort_llama_argmax(f, V) == ort_llama_argmax(g, V);
        double mf = 0, mg = 0, fg = 0, ff = 0, gg = 0;
        for (int v = 0; v < V; v++)
            mf += f[v], mg += g[v];
        mf /= V, mg /= V;
        for (int v = 0; v < V; v++)
            fg += (f[v] - mf) * (g[v] - mg), ff += (f[v] - mf) * (f[v] - mf), gg += (g[v] - mg) * (g[v] - mg);
        cs += fg / sqrt(ff * gg + 1e-30);
    }
    *cosine = cs / n;
    return 100.0 * agree / n;
}

static void simulate(const struct ort_llama_model *m, const int *forced, int n, const float *fl)
{
    const struct ort_llama_config *c = &m->cfg;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, L = c->n_layers, V = c->vocab_size;
    struct sim S = {.m = m, .amax = calloc((size_t)L * S_N + 1, sizeof(float))};
    const float *src[7] = {m->wq, m->wk, m->wv, m->wo, m->w1, m->w2, m->w3};
    const int rows[7] = {D, KV, KV, D, H, D, H}, cols[7] = {D, D, D, D, D, H, D};
    for (int i = 0; i < 7; i++) {
        S.w[i] = malloc(sizeof(float) * (size_t)L * rows[i] * cols[i]);
        for (int l = 0; l < L; l++) {
            size_t off = (size_t)l * rows[i] * cols[i];
            float *r = round_rows(src[i] + off, rows[i], cols[i], false);
            memcpy(S.w[i] + off, r, sizeof(float) * (size_t)rows[i] * cols[i]);
            free(r);
        }
    }
    S.cls = round_rows(m->wcls, V, D, true);
    float *lq = malloc(sizeof(float) * (size_t)n * V);
    sim_run(&S, forced, n, NULL, true);
    double cs;
    unsigned all = (1u << Q_PARTS) - 1;
    S.parts = all;
    sim_run(&S, forced, n, lq, false);
    double cs_all, a_all = agreement(fl, lq, n, V, &cs_all);
    for (int k = 0; k < Q_PARTS; k++) {
        if (k == Q_W || k == Q_PROB || k == Q_ROPE)
            continue;
        S.parts = all;
        S.wide = 1u << k;
        sim_run(&S, forced, n, lq, false);
        double w1 = agreement(fl, lq, n, V, &cs);
        printf("  every part rounded, %s in int16 instead: %.1f %% (cos %.4f)\n", part_name[k], w1, cs);
    }
    S.wide = all & ~(1u << Q_W | 1u << Q_PROB | 1u << Q_ROPE);
    S.parts = all;
    sim_run(&S, forced, n, lq, false);
    double a16 = agreement(fl, lq, n, V, &cs);
    printf("  every activation in int16 (weights int8, probabilities 1/255, rotary 1/64): %.1f %% (cos %.4f)\n",
           a16, cs);
    S.parts = all & ~(1u << Q_PROB | 1u << Q_ROPE);
    sim_run(&S, forced, n, lq, false);
    a16 = agreement(fl, lq, n, V, &cs);
    printf("  the same, probabilities and rotary exact: %.1f %% (cos %.4f)\n", a16, cs);
    S.wide = 0;
    printf("fake quantization (float arithmetic, the integer model's roundings):\n"
           "  every part rounded: agreement %.1f %%, cosine %.4f\n"
           "  %-38s %-22s %s\n", a_all, cs_all, "part", "only it rounded", "all but it rounded");
    for (int k = 0; k < Q_PARTS; k++) {
        double c1, c2;
        S.parts = 1u << k;
        sim_run(&S, forced, n, lq, false);
        double a1 = agreement(fl, lq, n, V, &c1);
        S.parts = all & ~(1u << k);
        sim_run(&S, forced, n, lq, false);
        double a2 = agreement(fl, lq, n, V, &c2);
        printf("  %-38s %5.1f %% (cos %.4f)   %5.1f %% (cos %.4f)\n", part_name[k], a1, c1, a2, c2);
    }
    for (int i = 0; i < 7; i++)
        free(S.w[i]);
    free(S.cls), free(S.amax), free(lq);
}

static int rank_of(const int64_t *v, int n, int i)
{
    int r = 0;
    for (int j = 0; j < n; j++)
        r += v[j] > v[i];
    return r;
}

int main(int argc, char **argv)
{
    struct ort_diag d = {0};
    struct ort_llama_model m;
    const char *path = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL;
    if (path ? ort_llama_load(path, &m, &d) : ort_llama_default(&m, &d)) {
        fprintf(stderr, "llm_accuracy: %s\n", d.msg);
        return 1;
    }
    int steps = argc > 2 ? atoi(argv[2]) : 256, V = m.cfg.vocab_size;
    if (steps > m.cfg.seq_len)
        steps = m.cfg.seq_len;
    /* the float model, greedy from BOS: its logits at every position */
    struct ort_llama_ref s;
    float *fl = malloc(sizeof *fl * (size_t)steps * V);
    int *forced = malloc(sizeof *forced * (size_t)steps), n = 0, token = ORT_LLAMA_BOS;
    if (!fl || !forced || ort_llama_ref_init(&s, &m, &d))
        return 1;
    for (int pos = 0; pos < steps; pos++) {
        forced[n++] = token;
        ort_llama_forward(&m, &s, token, pos, fl + (size_t)pos * V);
        token = ort_llama_argmax(fl + (size_t)pos * V, V);
        if (token == ORT_LLAMA_BOS)
            break;
    }
    ort_llama_ref_free(&s);
    /* the integer model, forced on the same sequence */
    char dir[] = "/tmp/llm-accuracy-XXXXXX";
    struct ort_llm_q q;
    if (!mkdtemp(dir) || ort_llm_quantize(&m, steps, dir, &q, &d)) {
        fprintf(stderr, "llm_accuracy: %s\n", d.msg);
        return 1;
    }
    q.logits_trace = calloc((size_t)steps * V, sizeof *q.logits_trace);
    int *top = malloc(sizeof *top * (size_t)steps), nt = 0;
    if (!q.logits_trace || !top || ort_llm_int_generate(&q, NULL, 0, n, forced, n, top, &nt, NULL, &d)) {
        fprintf(stderr, "llm_accuracy: %s\n", d.msg);
        return 1;
    }
    static const double margins[] = {0.0, 0.1, 0.3, 1.0};
    int agree = 0, in2 = 0, in5 = 0, over[4] = {0}, agree_over[4] = {0};
    double cos_sum = 0;
    for (int p = 0; p < nt; p++) {
        const float *f = fl + (size_t)p * V;
        const int64_t *li = q.logits_trace + (size_t)p * V;
        int best = ort_llama_argmax(f, V);
        float second = -INFINITY;
        double mf = 0, mi = 0, fi = 0, ff = 0, ii = 0;
        for (int v = 0; v < V; v++) {
            if (v != best && f[v] > second)
                second = f[v];
            mf += f[v], mi += (double)li[v];
        }
        mf /= V, mi /= V;
        for (int v = 0; v < V; v++) {
            double a = f[v] - mf, b = (double)li[v] - mi;
            fi += a * b, ff += a * a, ii += b * b;
        }
        cos_sum += fi / sqrt(ff * ii + 1e-30);
        int r = rank_of(li, V, best);
        agree += top[p] == best, in2 += r < 2, in5 += r < 5;
        for (int k = 0; k < 4; k++)
            if (f[best] - second > margins[k]) {
                over[k]++;
                agree_over[k] += top[p] == best;
            }
    }
    printf("positions %d: top-1 agreement %d (%.1f %%), float top-1 in int top-2 %.1f %%, top-5 %.1f %%, "
           "mean logit cosine %.4f\n",
           nt, agree, 100.0 * agree / nt, 100.0 * in2 / nt, 100.0 * in5 / nt, cos_sum / nt);
    for (int k = 1; k < 4; k++)
        printf("  float margin > %.1f: %d positions, agreement %.1f %%\n", margins[k], over[k],
               over[k] ? 100.0 * agree_over[k] / over[k] : 0.0);
    if (getenv("LLM_ACCURACY_SIM")) {
        floor_p = getenv("LLM_ACCURACY_SIM_FLOOR_P") != NULL;
        simulate(&m, forced, n, fl);
    }
    free(q.logits_trace);
    ort_llm_q_free(&q);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm))
        fprintf(stderr, "llm_accuracy: could not remove %s\n", dir);
    free(fl), free(forced), free(top);
    ort_llama_free(&m);
    return 0;
}
