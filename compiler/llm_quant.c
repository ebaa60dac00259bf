/* A llama2.c model quantized to an integer step graph (llm_quant.h). */
#include "llm_quant.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend.h"
#include "llama_ref.h"
#include "npz.h"
#include "onnx_builder.h"
#include "ref.h"

/* ---- calibration: the float model, with the largest magnitude seen at
 * every point the integer graph has a scale for -------------------------- */

enum point {
    P_H_ATT, P_Q, P_K, P_V, P_SCORES, P_ATT, P_O, P_X1, P_H_FFN, P_A, P_B, P_SA, P_G, P_F, P_X2,
    P_LAYER_POINTS
};

struct samples {
    float *v;
    size_t n, cap;
};

struct calib {
    float *layer; /* [L][P_LAYER_POINTS]: the scale's magnitude at each point */
    float final_h, emb;
    struct samples *smp; /* per layer point, then final_h: every |value| seen */
};

static void see(float *m, const float *v, int n)
{
    for (int i = 0; i < n; i++)
        if (fabsf(v[i]) > *m)
            *m = fabsf(v[i]);
}

/* Keeps every magnitude seen at `slot` (a point of k->layer, or
   k->final_h) for the percentile taken at the end. */
static void see_k(struct calib *k, int layers, float *slot, const float *v, int n)
{
    size_t at = slot == &k->final_h ? (size_t)layers * P_LAYER_POINTS : (size_t)(slot - k->layer);
    struct samples *s = &k->smp[at];
    if (s->n + (size_t)n > s->cap) {
        s->cap = (s->n + (size_t)n) * 2;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    for (int i = 0; i < n; i++)
        s->v[s->n++] = fabsf(v[i]);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Each point's scale magnitude: the q-quantile of its magnitudes (the
   largest values beyond it are clipped: resolution for the rest). */
static void finish_calib(struct calib *k, int layers, double q)
{
    for (size_t i = 0; i <= (size_t)layers * P_LAYER_POINTS; i++) {
        struct samples *s = &k->smp[i];
        float *slot = i == (size_t)layers * P_LAYER_POINTS ? &k->final_h : &k->layer[i];
        if (s->n) {
            qsort(s->v, s->n, sizeof *s->v, cmp_float);
            size_t at = (size_t)(q * (double)(s->n - 1));
            *slot = s->v[at];
        }
        free(s->v);
    }
    free(k->smp);
    k->smp = NULL;
}

static void rope_pair(float *v, int i, int pos, int hs)
{
    float freq = 1.0f / powf(10000.0f, (float)(i % hs) / (float)hs), a = (float)pos * freq;
    float c = cosf(a), s = sinf(a), v0 = v[i], v1 = v[i + 1];
    v[i] = v0 * c - v1 * s;
    v[i + 1] = v0 * s + v1 * c;
}

/* Runs the float model greedily from BOS over `steps` positions, taking
 * the largest magnitude of every point. */
static int calibrate(const struct ort_llama_model *m, int steps, struct calib *k, struct ort_diag *d)
{
    const struct ort_llama_config *c = &m->cfg;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, hs = c->head_size, L = c->n_layers;
    int g = c->n_heads / c->n_kv_heads;
    size_t cache = (size_t)L * steps * KV;
    float *x = calloc((size_t)D, 4), *h = calloc((size_t)D, 4), *q = calloc((size_t)D, 4);
    float *att = calloc((size_t)D, 4), *o = calloc((size_t)D, 4), *a = calloc((size_t)H, 4);
    float *b = calloc((size_t)H, 4), *sc = calloc((size_t)steps, 4), *logits = calloc((size_t)c->vocab_size, 4);
    float *kc = calloc(cache, 4), *vc = calloc(cache, 4);
    k->layer = calloc((size_t)L * P_LAYER_POINTS, 4);
    k->smp = calloc((size_t)L * P_LAYER_POINTS + 1, sizeof *k->smp);
    if (!x || !h || !q || !att || !o || !a || !b || !sc || !logits || !kc || !vc || !k->layer)
        return ort_fail(d, "quantizing: out of memory");
    see(&k->emb, m->tok_embedding, c->vocab_size * D);
    int token = ORT_LLAMA_BOS;
    for (int pos = 0; pos < steps; pos++) {
        memcpy(x, m->tok_embedding + (size_t)token * D, (size_t)D * 4);
        for (int l = 0; l < L; l++) {
            float *p = k->layer + (size_t)l * P_LAYER_POINTS;
            float *kr = kc + ((size_t)l * steps + pos) * KV, *vr = vc + ((size_t)l * steps + pos) * KV;
            ort_llama_rmsnorm(h, x, m->rms_att + (size_t)l * D, D);
            see_k(k, L, &p[P_H_ATT], h, D);
            ort_llama_matvec(q, h, m->wq + (size_t)l * D * D, D, D);
            ort_llama_matvec(kr, h, m->wk + (size_t)l * KV * D, D, KV);
            ort_llama_matvec(vr, h, m->wv + (size_t)l * KV * D, D, KV);
            see_k(k, L, &p[P_Q], q, D);
            see_k(k, L, &p[P_K], kr, KV);
            see_k(k, L, &p[P_V], vr, KV);
            for (int i = 0; i < D; i += 2)
                rope_pair(q, i, pos, hs);
            for (int i = 0; i < KV; i += 2)
                rope_pair(kr, i, pos, hs);
            see_k(k, L, &p[P_Q], q, D);
            see_k(k, L, &p[P_K], kr, KV);
            for (int hd = 0; hd < c->n_heads; hd++) {
                const float *qh = q + (size_t)hd * hs;
                int kvh = hd / g;
                float mx = -INFINITY, sum = 0;
                for (int t = 0; t <= pos; t++) {
                    const float *kt = kc + ((size_t)l * steps + t) * KV + (size_t)kvh * hs;
                    float s = 0;
                    for (int i = 0; i < hs; i++)
                        s += qh[i] * kt[i];
                    sc[t] = s / sqrtf((float)hs);
                    mx = sc[t] > mx ? sc[t] : mx;
                }
                see_k(k, L, &p[P_SCORES], sc, pos + 1);
                for (int t = 0; t <= pos; t++)
                    sum += sc[t] = expf(sc[t] - mx);
                float *out = att + (size_t)hd * hs;
                memset(out, 0, (size_t)hs * 4);
                for (int t = 0; t <= pos; t++) {
                    const float *vt = vc + ((size_t)l * steps + t) * KV + (size_t)kvh * hs;
                    for (int i = 0; i < hs; i++)
                        out[i] += sc[t] / sum * vt[i];
                }
            }
            see_k(k, L, &p[P_ATT], att, D);
            ort_llama_matvec(o, att, m->wo + (size_t)l * D * D, D, D);
            see_k(k, L, &p[P_O], o, D);
            for (int i = 0; i < D; i++)
                x[i] += o[i];
            see_k(k, L, &p[P_X1], x, D);
            ort_llama_rmsnorm(h, x, m->rms_ffn + (size_t)l * D, D);
            see_k(k, L, &p[P_H_FFN], h, D);
            ort_llama_matvec(a, h, m->w1 + (size_t)l * H * D, D, H);
            ort_llama_matvec(b, h, m->w3 + (size_t)l * H * D, D, H);
            see_k(k, L, &p[P_A], a, H);
            see_k(k, L, &p[P_B], b, H);
            for (int i = 0; i < H; i++)
                a[i] = a[i] / (1.0f + expf(-a[i]));
            see_k(k, L, &p[P_SA], a, H);
            for (int i = 0; i < H; i++)
                a[i] *= b[i];
            see_k(k, L, &p[P_G], a, H);
            ort_llama_matvec(o, a, m->w2 + (size_t)l * D * H, H, D);
            see_k(k, L, &p[P_F], o, D);
            for (int i = 0; i < D; i++)
                x[i] += o[i];
            see_k(k, L, &p[P_X2], x, D);
        }
        ort_llama_rmsnorm(h, x, m->rms_final, D);
        see_k(k, L, &k->final_h, h, D);
        ort_llama_matvec(logits, h, m->wcls, D, c->vocab_size);
        int best = ort_llama_argmax(logits, c->vocab_size);
        token = best == ORT_LLAMA_BOS ? ORT_LLAMA_BOS + 1 : best; /* keep going */
    }
    free(x), free(h), free(q), free(att), free(o), free(a), free(b), free(sc), free(logits), free(kc), free(vc);
    const char *pct = getenv("ORT_LLM_QUANTILE");
    finish_calib(k, L, pct ? atof(pct) : 1.0);
    return 0;
}

/* ---- the graph ----------------------------------------------------------- */

static float scale_of(float absmax) { return (absmax > 1e-8f ? absmax : 1e-8f) / 127.0f; }

static int64_t round_i(double v) { return (int64_t)llround(v); }

struct builder {
    struct ob_model *m;
};

static void rqs(struct builder *b, const char *x, const char *y, const int64_t *mul, const int64_t *add,
                int64_t n, int shift, bool is_signed, int levels)
{
    char mn[160], an[160];
    snprintf(mn, sizeof mn, "%s.mul", y);
    snprintf(an, sizeof an, "%s.add", y);
    ob_const(b->m, mn, 1, &n, mul);
    ob_const(b->m, an, 1, &n, add);
    const char *in[] = {x, mn, an};
    int node = ob_node(b->m, "RequantShift", y, 3, in, y);
    ob_attr_tensor(b->m, node, "div", (float)(1u << shift));
    ob_attr_tensor(b->m, node, "n_levels_out", (float)levels);
    ob_attr_tensor(b->m, node, "signed", is_signed ? 1 : 0);
}

/* y = int8 of x (int32 at scale s_in[j] per channel, or one) to s_out: the
 * largest shift that keeps |x| * mul within int32 for |x| <= bound;
 * offset[j] (x's units; NULL: none) added to channel j's x first, in
 * RequantShift's add. */
static void requant_offset(struct builder *b, const char *x, const char *y, const double *ratio, int64_t n,
                           double bound, int levels, const double *offset)
{
    double rmax = 0;
    for (int64_t j = 0; j < n; j++)
        rmax = fabs(ratio[j]) > rmax ? fabs(ratio[j]) : rmax;
    int shift = 0;
    while (shift < 24 && rmax * (double)(1u << (shift + 1)) * bound < 2.0e9)
        shift++;
    int64_t *mul = malloc(sizeof *mul * (size_t)n), *add = calloc((size_t)n, sizeof *add);
    for (int64_t j = 0; j < n; j++) {
        mul[j] = round_i(ratio[j] * (double)(1u << shift));
        add[j] = offset ? round_i(offset[j] * ratio[j] * (double)(1u << shift)) : 0;
    }
    rqs(b, x, y, mul, add, n, shift, true, levels);
    free(mul);
    free(add);
}

static void requant_levels(struct builder *b, const char *x, const char *y, const double *ratio, int64_t n,
                           double bound, int levels)
{
    requant_offset(b, x, y, ratio, n, bound, levels, NULL);
}

static void requant(struct builder *b, const char *x, const char *y, const double *ratio, int64_t n,
                    double bound)
{
    requant_levels(b, x, y, ratio, n, bound, 256);
}

/* out = int8 of x @ W^T, W [rows][n] float: per-channel (or per-tensor)
 * weights; s_x the input's scale, s_out the output's. in_bias: the mean
 * error of the input's values, in its units (an iRMSNorm output is
 * truncated: about -0.5), taken back out of every channel's sum (row r's
 * sum of weights times it) in the requantization; not with raw_out (the
 * int32 products themselves: the classifier, where an Add of the
 * constants cost 5,400 cycles/token for no measured gain). */
static void linear(struct builder *b, const char *x, const char *out, const float *w, int rows, int n,
                   double s_x, double s_out, bool per_tensor, const char *raw_out, double in_bias)
{
    double *offset = calloc((size_t)rows, sizeof *offset);
    int64_t *wi = malloc(sizeof *wi * (size_t)rows * n);
    double *ratio = malloc(sizeof *ratio * (size_t)rows), bound = 0, tmax = 0;
    for (int r = 0; r < rows * n; r++)
        tmax = fabs(w[r]) > tmax ? fabs(w[r]) : tmax;
    for (int r = 0; r < rows; r++) {
        double mx = 0;
        for (int i = 0; i < n; i++)
            mx = fabs(w[(size_t)r * n + i]) > mx ? fabs(w[(size_t)r * n + i]) : mx;
        if (per_tensor)
            mx = tmax;
        double sw = (mx > 1e-12 ? mx : 1e-12) / 127.0, rowsum = 0;
        for (int i = 0; i < n; i++) {
            int64_t v = round_i(w[(size_t)r * n + i] / sw);
            wi[(size_t)i * rows + r] = v; /* [n][rows]: x @ W^T */
            rowsum += (double)v;
        }
        ratio[r] = s_x * sw / s_out;
        offset[r] = -in_bias * rowsum;
    }
    /* The products' range as the compiler bounds it (int8 by int8 over n
       terms): the requantization then fits 32 bits, which the NPU needs. */
    bound = 128.0 * 128.0 * n;
    char wn[160], pn[160];
    snprintf(wn, sizeof wn, "%s.w", raw_out ? raw_out : out);
    snprintf(pn, sizeof pn, "%s.acc", raw_out ? raw_out : out);
    int64_t dims[2] = {n, rows};
    ob_const(b->m, wn, 2, dims, wi);
    const char *in[] = {x, wn};
    ob_node(b->m, "MatMul", raw_out ? raw_out : pn, 2, in, raw_out ? raw_out : pn);
    if (!raw_out)
        requant_offset(b, pn, out, ratio, rows, bound, 256, offset);
    free(offset);
    free(wi);
    free(ratio);
}

static void reshape(struct builder *b, const char *x, const char *y, int rank, const int64_t *dims)
{
    char sn[160];
    snprintf(sn, sizeof sn, "%s.shape", y);
    int64_t r = rank;
    ob_const(b->m, sn, 1, &r, dims);
    const char *in[] = {x, sn};
    ob_node(b->m, "Reshape", y, 2, in, y);
}

/* iRMSNorm truncates (its division toward 0, then its shift down): its
 * outputs are about half a unit below the true values. */
static const double NORM_BIAS = -0.5;

static void irmsnorm(struct builder *b, const char *x, const char *y, const float *g, int n, double s_y)
{
    double gmax = 0;
    for (int i = 0; i < n; i++)
        gmax = fabs(g[i] / s_y) > gmax ? fabs(g[i] / s_y) : gmax;
    int k = 0;
    while (k < 24 && gmax * (double)(1u << (k + 1)) <= 16383.0)
        k++;
    int64_t *w = malloc(sizeof *w * (size_t)n), nn = n;
    for (int i = 0; i < n; i++)
        w[i] = round_i(g[i] / s_y * (double)(1u << k));
    char wn[160];
    snprintf(wn, sizeof wn, "%s.g", y);
    ob_const(b->m, wn, 1, &nn, w);
    /* The input times f first (iRMSNorm's Ortigia attribute `in_mul`, in
       the same kernel): the integer square root is then f times finer
       (int8 values are often small), the result the same; f as large as
       keeps the sum of squares within int32. */
    int64_t f = 16;
    while (f > 1 && 127.0 * 127.0 * (double)(f * f) * n >= 2.0e9)
        f /= 2;
    const char *in[] = {x, wn};
    int node = ob_node(b->m, "iRMSNorm", y, 2, in, y);
    ob_attr_tensor(b->m, node, "D", (float)(1u << k));
    ob_attr_tensor(b->m, node, "n_levels", 256);
    ob_attr_int(b->m, node, "in_mul", f);
    free(w);
}

/* y = int8 of (a * s_a + c * s_c) / s_y: a residual add. */
static void add_scaled(struct builder *b, const char *a, double s_a, const char *c, double s_c, const char *y,
                       double s_y)
{
    int shift = 14;
    int64_t ma = round_i(s_a / s_y * (1 << shift)), mc = round_i(s_c / s_y * (1 << shift)), one = 1, zero = 0;
    char n1[160], n2[160], t1[160], t2[160], t3[160];
    snprintf(n1, sizeof n1, "%s.ma", y), snprintf(n2, sizeof n2, "%s.mc", y);
    snprintf(t1, sizeof t1, "%s.ta", y), snprintf(t2, sizeof t2, "%s.tc", y), snprintf(t3, sizeof t3, "%s.sum", y);
    ob_const(b->m, n1, 1, &one, &ma);
    ob_const(b->m, n2, 1, &one, &mc);
    const char *i1[] = {a, n1}, *i2[] = {c, n2}, *i3[] = {t1, t2};
    /* c's term first: it joins the epilogue of c's producer (a
       projection), and a's term then heads one step with the sum and its
       requantization (an epilogue's side inputs come from nodes before
       its head: compiler/passes.c) */
    ob_node(b->m, "Mul", t2, 2, i2, t2);
    ob_node(b->m, "Mul", t1, 2, i1, t1);
    ob_node(b->m, "Add", t3, 2, i3, t3);
    rqs(b, t3, y, &one, &zero, 1, shift, true, 256);
}

/* The scores' scale: the int8 one (their largest magnitude / 127) over
 * this, in 16 bits: iSoftmax's input twice as fine (docs/compiler.md). */
static const double SCORE_FINE = 2.0;

/* iSoftmax's coefficients for scores at scale s (I-BERT's second-order
 * exp, e = A (p + B)^2 + C >> z), with every term times 255 plus half the
 * row's sum (its `round`), and the row's sum of up to n terms, within 32
 * bits (iSoftmax computes in uint32). */
static void softmax_coeffs(double s, int n, int64_t c[4])
{
    const double a = 0.3585, bq = 1.353, cq = 0.344;
    /* each term (about K at the row's maximum) times levels - 1, plus
       half the sum of n terms, within 32 bits, and the sum too */
    double K = 4294967295.0 / (255.0 + n / 2.0) / 1.1;
    if (K > 4294967295.0 / (double)n / 1.1)
        K = 4294967295.0 / (double)n / 1.1;
    if (a * s * s * K > 32767.0)
        K = 32767.0 / (a * s * s);
    c[0] = round_i(a * s * s * K);
    if (c[0] < 1)
        c[0] = 1;
    c[1] = round_i(bq / s);
    c[2] = round_i(cq * K);
    c[3] = round_i(log(2.0) / s);
    if (c[3] < 1)
        c[3] = 1;
}

/* One layer's attention (scores, mask, softmax, weighted values) of the
 * step (T = 0: the new token over the C + 1 keys of the cache) or of the
 * prefill (T positions): its constants, the same for every group of heads. */
struct attention {
    int T, C;
    double score_ratio, out_ratio; /* the scores' and the output's requantizations */
    int64_t softmax[4];            /* iSoftmax's coefficients */
    int hs;
};

/* The probabilities out_p [heads][rows][keys] (uint8) of q [heads][rows][hs]
 * against kt [heads][hs][keys]. Node names start with prefix ("l3", or
 * "l3.g1" for a group of heads). */
static void attend_scores(struct builder *b, const struct attention *a, const char *prefix, const char *q,
                          const char *kt, char *out_p, size_t size)
{
    char sc[64], sq[64], scm[64];
    snprintf(sc, sizeof sc, "%s.scores", prefix);
    const char *sin_[] = {q, kt};
    ob_node(b->m, "MatMul", sc, 2, sin_, sc);
    snprintf(sq, sizeof sq, "%s.s", prefix);
    requant_levels(b, sc, sq, &a->score_ratio, 1, 127.0 * 127.0 * a->hs, 65536);
    snprintf(scm, sizeof scm, "%s.masked", prefix);
    if (!a->T) {
        const char *min_[] = {sq, "mask16"};
        ob_node(b->m, "Add", scm, 2, min_, scm);
    } else { /* clip(s + mask, 16 bits): -32768 where masked */
        char sm[64];
        int64_t one = 1, zero = 0;
        snprintf(sm, sizeof sm, "%s.sm", prefix);
        const char *min_[] = {sq, "mask"};
        ob_node(b->m, "Add", sm, 2, min_, sm);
        rqs(b, sm, scm, &one, &zero, 1, 0, true, 65536);
    }
    snprintf(out_p, size, "%s.p", prefix);
    const char *pin[] = {scm};
    int sn = ob_node(b->m, "iSoftmax", out_p, 1, pin, out_p);
    ob_attr_tensor(b->m, sn, "coeffA", (float)a->softmax[0]);
    ob_attr_tensor(b->m, sn, "coeffB", (float)a->softmax[1]);
    ob_attr_tensor(b->m, sn, "coeffC", (float)a->softmax[2]);
    ob_attr_tensor(b->m, sn, "log2", (float)a->softmax[3]);
    ob_attr_tensor(b->m, sn, "n_levels", 256);
    ob_attr_int(b->m, sn, "round", 1); /* not truncated: docs/compiler.md */
    if (a->T) {
        ob_attr_int(b->m, sn, "pad", a->C + 1 - a->T);
        ob_attr_int(b->m, sn, "pad_value", -32768);
    }
}

/* out [heads][rows][hs] int8: the probabilities p times the values v. */
static void attend_values(struct builder *b, const struct attention *a, const char *prefix, const char *p,
                          const char *v, const char *out)
{
    char acc[64];
    const char *aoin[] = {p, v};
    snprintf(acc, sizeof acc, "%s.ao.acc", prefix);
    ob_node(b->m, "MatMul", acc, 2, aoin, acc);
    /* the step's bound: the same shift in both graphs */
    requant(b, acc, out, &a->out_ratio, 1, 255.0 * 127.0 * (a->C + 1));
}

/* The prefill's scores of all heads at once are [heads][T][T] int32 in
 * L2 (2 MiB on the default platform, beside the program, both networks'
 * inputs and outputs and the stack): beyond 512 KiB, the heads go in
 * groups (1, 2, 4, ... of the key-value heads), so that a prompt as long
 * as the default model's context fits. Prompts up to 90 ids on the default
 * model (16 heads) take one group. */
static const double ATTENTION_GROUP_BYTES = 512.0 * 1024.0;

static int attention_groups(int kvh, int g, int T)
{
    int groups = 1;
    while (groups < kvh && kvh % (2 * groups) == 0 &&
           (double)(kvh / groups) * g * T * (double)T * 4.0 > ATTENTION_GROUP_BYTES)
        groups *= 2;
    return groups;
}

/* y = the parts, one after another along axis 0: one Concat of up to
 * seven (a step's operands, nn.h), else Concats of seven and one of them. */
static void concat_axis0(struct builder *b, const char **parts, int n, const char *y)
{
    enum { MAX_PARTS = 7 };
    if (n <= MAX_PARTS) {
        int cn = ob_node(b->m, "Concat", y, n, parts, y);
        ob_attr_int(b->m, cn, "axis", 0);
        return;
    }
    int chunks = (n + MAX_PARTS - 1) / MAX_PARTS;
    char(*names)[96] = malloc(sizeof *names * (size_t)chunks);
    const char **outer = malloc(sizeof *outer * (size_t)chunks);
    for (int c = 0; c < chunks; c++) {
        snprintf(names[c], sizeof names[c], "%s.c%d", y, c);
        int k = n - c * MAX_PARTS < MAX_PARTS ? n - c * MAX_PARTS : MAX_PARTS;
        concat_axis0(b, parts + c * MAX_PARTS, k, names[c]);
        outer[c] = names[c];
    }
    concat_axis0(b, outer, chunks, y);
    free(outer);
    free(names);
}

/* y = x[from:to] along axis 0. */
static void slice_axis0(struct builder *b, const char *x, const char *y, int64_t from, int64_t to)
{
    char st[96], en[96], ax[96];
    snprintf(st, sizeof st, "%s.start", y), snprintf(en, sizeof en, "%s.end", y), snprintf(ax, sizeof ax, "%s.axis", y);
    const int64_t one = 1, zero = 0;
    ob_const(b->m, st, 1, &one, &from);
    ob_const(b->m, en, 1, &one, &to);
    ob_const(b->m, ax, 1, &one, &zero);
    const char *in[] = {x, st, en, ax};
    ob_node(b->m, "Slice", y, 4, in, y);
}

/* The graph of a step (T = 0: one token over the caches of C positions) or
 * of a prefill (T >= 1: positions 0..T-1 at once, no caches), written to
 * `path`. Both come from the same calibration, with the same constants; the
 * prefill's operators work row by row, so its keys, values and last logits
 * are the step graph's, bit for bit (see llm_quant.h). */
static int build_graph(const struct ort_llama_model *mdl, const struct calib *k, const struct ort_llm_q *q,
                       int T, const char *path)
{
    const struct ort_llama_config *c = &mdl->cfg;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, hs = c->head_size, L = c->n_layers, V = c->vocab_size;
    int kvh = c->n_kv_heads, g = c->n_heads / c->n_kv_heads, C = q->context;
    double s_emb = scale_of(k->emb);
    /* The prefill's query rows of a head in the order t = a Bq + b by (b, a):
       the causal softmax's cost grows with t, and the cores take
       contiguous rows, so each core gets early and late positions alike. */
    const int Bq = T % 4 == 0 ? 4 : 1;
    struct builder B = {.m = ob_new()};
    const int64_t xd[2] = {T ? T : 1, D}, rd[2] = {hs, hs}, md[1] = {C + 1}, cd[3] = {kvh, C, hs};
    ob_input(B.m, "x", 3, 2, xd);
    if (!T) {
        ob_input(B.m, "rope", 3, 2, rd);
        ob_input(B.m, "mask", 6, 1, md);
    } else {
        /* Positions 0..T-1 are known: their rotary matrices and the causal
           mask are constants. Query row (group member, t) keeps keys 0..t:
           the others become exactly -32768 (the 16-bit score minus 65536,
           clipped to 16 bits again), and iSoftmax's `pad` adds C + 1 - T
           more such entries, so its row
           holds what the step graph's row of position t holds (keys 0..t,
           and C - t entries of -32768 from the cache's zeros), in another
           order. iSoftmax's exponential of such an entry is not always 0
           (its 32-bit arithmetic wraps), so their number matters: it is
           the step's. */
        const int64_t rd3[3] = {T, hs, hs}, md2[2] = {(int64_t)g * T, T};
        size_t nm2 = (size_t)g * T * T;
        int64_t *rv = malloc(sizeof *rv * (size_t)T * hs * hs), *mv = malloc(sizeof *mv * nm2);
        for (size_t i = 0; i < (size_t)T * hs * hs; i++)
            rv[i] = q->rope[i];
        for (int r = 0; r < g * T; r++)
            for (int j = 0; j < T; j++) {
                int i = r % T, t = i % (T / Bq) * Bq + i / (T / Bq);
                mv[(size_t)r * T + j] = j <= t ? 0 : -65536;
            }
        ob_const(B.m, "rope", 3, rd3, rv);
        ob_const(B.m, "mask", 2, md2, mv);
        free(rv);
        free(mv);
    }
    char nm[160], cur[160], tmp[160];
    /* The mask (0, or -32768 where a position is not in the sequence yet)
       through an identity requantization: its 16-bit range, which the
       scores' sum then keeps within int32. */
    if (!T) {
        int64_t one = 1, zero = 0;
        rqs(&B, "mask", "mask16", &one, &zero, 1, 0, true, 65536);
    }
    for (int l = 0; l < L && !T; l++) {
        snprintf(nm, sizeof nm, "kc%d", l);
        ob_input(B.m, nm, 3, 3, cd);
        snprintf(nm, sizeof nm, "vc%d", l);
        ob_input(B.m, nm, 3, 3, cd);
    }
    snprintf(cur, sizeof cur, "x");
    double s_x = s_emb;
    const int64_t perm_swap[3] = {1, 0, 2}; /* [a][b][c] -> [b][a][c] */
    const int64_t perm_outer[4] = {2, 1, 0, 3}; /* [a][b][c][d] -> [c][b][a][d] */
    for (int l = 0; l < L; l++) {
        const float *p = k->layer + (size_t)l * P_LAYER_POINTS;
        double s_h = scale_of(p[P_H_ATT]), s_q = scale_of(p[P_Q]), s_k = scale_of(p[P_K]);
        double s_v = scale_of(p[P_V]), s_s = scale_of(p[P_SCORES]) / SCORE_FINE, s_att = scale_of(p[P_ATT]);
        double s_o = scale_of(p[P_O]), s_x1 = scale_of(p[P_X1]), s_h2 = scale_of(p[P_H_FFN]);
        double s_a = scale_of(p[P_A]), s_b = scale_of(p[P_B]), s_sa = scale_of(p[P_SA]);
        double s_g = scale_of(p[P_G]), s_f = scale_of(p[P_F]), s_x2 = scale_of(p[P_X2]);
        char h[64], qn[64], kn[64], vn[64];
        snprintf(h, sizeof h, "l%d.h", l);
        irmsnorm(&B, cur, h, mdl->rms_att + (size_t)l * D, D, s_h);
        snprintf(qn, sizeof qn, "l%d.q", l), snprintf(kn, sizeof kn, "l%d.k", l), snprintf(vn, sizeof vn, "l%d.v", l);
        linear(&B, h, qn, mdl->wq + (size_t)l * D * D, D, D, s_h, s_q, false, NULL, NORM_BIAS);
        linear(&B, h, kn, mdl->wk + (size_t)l * KV * D, KV, D, s_h, s_k, false, NULL, NORM_BIAS);
        /* v straight into its output shape: the new cache row(s) */
        char vflat[64], vout[64];
        snprintf(vflat, sizeof vflat, "l%d.vflat", l);
        linear(&B, h, vflat, mdl->wv + (size_t)l * KV * D, KV, D, s_h, s_v, false, NULL, NORM_BIAS);
        snprintf(vout, sizeof vout, "v%d", l);
        const int64_t hd3[3] = {kvh, 1, hs}, qd3[3] = {c->n_heads, 1, hs}, gd3[3] = {kvh, g, hs};
        const int64_t thd3[3] = {T, kvh, hs}, tqd3[3] = {T, c->n_heads, hs};
        if (!T) {
            reshape(&B, vflat, vout, 3, hd3);
        } else { /* [T][kvh][hs] -> [kvh][T][hs], the caches' layout */
            char v3[64];
            snprintf(v3, sizeof v3, "l%d.v3", l);
            reshape(&B, vflat, v3, 3, thd3);
            const char *vin[] = {v3};
            int vt = ob_node(B.m, "Transpose", vout, 1, vin, vout);
            ob_attr_ints(B.m, vt, "perm", perm_swap, 3);
        }
        /* rotary: per head, times the position's matrix, back to the scale */
        char q3[64], qr[64], k3[64], kout[64], kr[64];
        snprintf(q3, sizeof q3, "l%d.q3", l), snprintf(qr, sizeof qr, "l%d.qr", l);
        reshape(&B, qn, q3, 3, T ? tqd3 : qd3);
        const char *rin[] = {q3, "rope"};
        snprintf(tmp, sizeof tmp, "l%d.qr.acc", l);
        ob_node(B.m, "MatMul", tmp, 2, rin, tmp);
        double one64 = 1.0 / 64.0;
        requant(&B, tmp, qr, &one64, 1, 127.0 * 128.0 * hs);
        snprintf(k3, sizeof k3, "l%d.k3", l), snprintf(kout, sizeof kout, "k%d", l);
        snprintf(kr, sizeof kr, "l%d.kr", l);
        reshape(&B, kn, k3, 3, T ? thd3 : hd3);
        const char *kin[] = {k3, "rope"};
        snprintf(tmp, sizeof tmp, "l%d.kr.acc", l);
        ob_node(B.m, "MatMul", tmp, 2, kin, tmp);
        requant(&B, tmp, T ? kr : kout, &one64, 1, 127.0 * 128.0 * hs);
        if (T) { /* [T][kvh][hs] -> [kvh][T][hs] */
            const char *tin[] = {kr};
            int kt = ob_node(B.m, "Transpose", kout, 1, tin, kout);
            ob_attr_ints(B.m, kt, "perm", perm_swap, 3);
        }
        /* attention over the cache and the new token, or over the T
           positions (query rows: group member, then position) */
        char qg[64], kcat[64], kt[64], vcat[64], ao[64], af[64], on[64];
        snprintf(qg, sizeof qg, "l%d.qg", l);
        if (!T) {
            reshape(&B, qr, qg, 3, gd3);
        } else { /* [T][H][hs] as [F][Bq][H][hs] -> [H][Bq][F][hs] -> [kvh][g T][hs] */
            char q4[64], qt[64];
            snprintf(q4, sizeof q4, "l%d.q4", l), snprintf(qt, sizeof qt, "l%d.qt", l);
            const int64_t fd4[4] = {T / Bq, Bq, c->n_heads, hs};
            reshape(&B, qr, q4, 4, fd4);
            const char *qin[] = {q4};
            int qtn = ob_node(B.m, "Transpose", qt, 1, qin, qt);
            ob_attr_ints(B.m, qtn, "perm", perm_outer, 4);
            const int64_t tgd3[3] = {kvh, (int64_t)g * T, hs};
            reshape(&B, qt, qg, 3, tgd3);
        }
        snprintf(kcat, sizeof kcat, "l%d.kcat", l), snprintf(nm, sizeof nm, "kc%d", l);
        if (!T) {
            const char *ccat[] = {nm, kout};
            int cn = ob_node(B.m, "Concat", kcat, 2, ccat, kcat);
            ob_attr_int(B.m, cn, "axis", 1);
        }
        snprintf(kt, sizeof kt, "l%d.kt", l);
        const char *tin[] = {T ? kout : kcat};
        int tn = ob_node(B.m, "Transpose", kt, 1, tin, kt);
        const int64_t perm[3] = {0, 2, 1};
        ob_attr_ints(B.m, tn, "perm", perm, 3);
        /* At half the int8 scores' scale (SCORE_FINE), in 16 bits, and then the mask:
           a masked position lands at -32768 or below, so far below every
           real score that iSoftmax shifts its exponential out: to 0, or 1
           where its 32-bit term wraps (against millions for the real
           ones; the prefill graph counts them as the step does). */
        struct attention att = {.T = T, .C = C, .score_ratio = s_q * s_k / sqrt((double)hs) / s_s,
                                .out_ratio = s_v / 255.0 / s_att, .hs = hs};
        softmax_coeffs(s_s, C + 1, att.softmax); /* the step's, in the prefill too */
        if (getenv("ORT_LLM_DEBUG") && !T)
            fprintf(stderr, "layer %d: s_s %g coeffs A %lld B %lld C %lld log2 %lld; s_q %g s_k %g\n", l, s_s,
                    (long long)att.softmax[0], (long long)att.softmax[1], (long long)att.softmax[2],
                    (long long)att.softmax[3], s_q, s_k);
        snprintf(ao, sizeof ao, "l%d.ao", l);
        char prefix[32], pr[64];
        snprintf(prefix, sizeof prefix, "l%d", l);
        int groups = T ? attention_groups(kvh, g, T) : 1;
        if (groups == 1) {
            attend_scores(&B, &att, prefix, qg, kt, pr, sizeof pr);
            snprintf(vcat, sizeof vcat, "l%d.vcat", l), snprintf(nm, sizeof nm, "vc%d", l);
            if (!T) {
                const char *vcin[] = {nm, vout};
                int vcn = ob_node(B.m, "Concat", vcat, 2, vcin, vcat);
                ob_attr_int(B.m, vcn, "axis", 1);
            }
            attend_values(&B, &att, prefix, pr, T ? vout : vcat, ao);
        } else {
            /* the prefill's heads in groups, one after another: a group's
               scores and probabilities are dead before the next group's
               (the arena reuses them); the same integers per head */
            const char **parts = malloc(sizeof *parts * (size_t)groups);
            char(*names)[4][64] = malloc(sizeof *names * (size_t)groups);
            int64_t kg = kvh / groups;
            for (int gi = 0; gi < groups; gi++) {
                char gp[48];
                snprintf(gp, sizeof gp, "l%d.g%d", l, gi);
                const char *src[3] = {qg, kt, vout};
                const char *sfx[3] = {"qg", "kt", "v"};
                for (int t = 0; t < 2; t++) {
                    snprintf(names[gi][t], sizeof names[gi][t], "%s.%s", gp, sfx[t]);
                    slice_axis0(&B, src[t], names[gi][t], gi * kg, (gi + 1) * kg);
                }
                attend_scores(&B, &att, gp, names[gi][0], names[gi][1], pr, sizeof pr);
                snprintf(names[gi][2], sizeof names[gi][2], "%s.%s", gp, sfx[2]);
                slice_axis0(&B, src[2], names[gi][2], gi * kg, (gi + 1) * kg);
                snprintf(names[gi][3], sizeof names[gi][3], "%s.ao", gp);
                attend_values(&B, &att, gp, pr, names[gi][2], names[gi][3]);
                parts[gi] = names[gi][3];
            }
            concat_axis0(&B, parts, groups, ao);
            free(parts);
            free(names);
        }
        snprintf(af, sizeof af, "l%d.af", l);
        if (!T) {
            reshape(&B, ao, af, 2, xd);
        } else { /* [kvh][g T][hs] as [H][Bq][F][hs] -> [F][Bq][H][hs] -> [T][D] */
            char a4[64], at[64];
            snprintf(a4, sizeof a4, "l%d.ao4", l), snprintf(at, sizeof at, "l%d.aot", l);
            const int64_t hd4[4] = {c->n_heads, Bq, T / Bq, hs};
            reshape(&B, ao, a4, 4, hd4);
            const char *ain[] = {a4};
            int atn = ob_node(B.m, "Transpose", at, 1, ain, at);
            ob_attr_ints(B.m, atn, "perm", perm_outer, 4);
            reshape(&B, at, af, 2, xd);
        }
        snprintf(on, sizeof on, "l%d.o", l);
        linear(&B, af, on, mdl->wo + (size_t)l * D * D, D, D, s_att, s_o, false, NULL, 0);
        char x1[64];
        snprintf(x1, sizeof x1, "l%d.x1", l);
        add_scaled(&B, cur, s_x, on, s_o, x1, s_x1);
        /* the gated FFN */
        char h2[64], an[64], bn[64], san[64], gp[64], gn[64], fn[64], x2[64];
        snprintf(h2, sizeof h2, "l%d.h2", l);
        irmsnorm(&B, x1, h2, mdl->rms_ffn + (size_t)l * D, D, s_h2);
        snprintf(an, sizeof an, "l%d.a", l), snprintf(bn, sizeof bn, "l%d.b", l);
        linear(&B, h2, an, mdl->w1 + (size_t)l * H * D, H, D, s_h2, s_a, false, NULL, NORM_BIAS);
        linear(&B, h2, bn, mdl->w3 + (size_t)l * H * D, H, D, s_h2, s_b, false, NULL, NORM_BIAS);
        snprintf(san, sizeof san, "l%d.sa", l);
        const char *lin[] = {an};
        int ln = ob_node(B.m, "iLut", san, 1, lin, san);
        int64_t tab[256];
        for (int v = -128; v < 128; v++) {
            double xa = v * s_a, y = xa / (1.0 + exp(-xa)) / s_sa;
            int64_t r = round_i(y);
            tab[v + 128] = r < -128 ? -128 : r > 127 ? 127 : r;
        }
        ob_attr_ints(B.m, ln, "table", tab, 256);
        snprintf(gp, sizeof gp, "l%d.gp", l), snprintf(gn, sizeof gn, "l%d.g", l);
        const char *gin[] = {san, bn};
        ob_node(B.m, "Mul", gp, 2, gin, gp);
        double rg = s_sa * s_b / s_g;
        requant(&B, gp, gn, &rg, 1, 128.0 * 128.0);
        snprintf(fn, sizeof fn, "l%d.f", l);
        linear(&B, gn, fn, mdl->w2 + (size_t)l * D * H, D, H, s_g, s_f, false, NULL, 0);
        snprintf(x2, sizeof x2, "l%d.x2", l);
        add_scaled(&B, x1, s_x1, fn, s_f, x2, s_x2);
        snprintf(cur, sizeof cur, "%s", x2);
        s_x = s_x2;
    }
    if (T) {
        /* the last position's row alone goes on: a one-hot row times the
           residual stream (exact), back to int8 unchanged */
        const int64_t sd[2] = {1, T}, one = 1, zero = 0;
        int64_t *sel = calloc((size_t)T, sizeof *sel);
        sel[T - 1] = 1;
        ob_const(B.m, "last.sel", 2, sd, sel);
        free(sel);
        const char *lin[] = {"last.sel", cur};
        ob_node(B.m, "MatMul", "last.acc", 2, lin, "last.acc");
        rqs(&B, "last.acc", "last", &one, &zero, 1, 0, true, 256);
        snprintf(cur, sizeof cur, "last");
    }
    irmsnorm(&B, cur, "hf", mdl->rms_final, D, scale_of(k->final_h));
    linear(&B, "hf", NULL, mdl->wcls, V, D, 1.0, 1.0, true, "logits", 0);
    const int64_t ld[2] = {1, V}, od[3] = {kvh, T ? T : 1, hs};
    ob_output(B.m, "logits", 6, 2, ld);
    for (int l = 0; l < L; l++) {
        snprintf(nm, sizeof nm, "k%d", l);
        ob_output(B.m, nm, 3, 3, od);
        snprintf(nm, sizeof nm, "v%d", l);
        ob_output(B.m, nm, 3, 3, od);
    }
    int rc = ob_write(B.m, path);
    ob_free(B.m);
    return rc;
}

int ort_llm_quantize_prefill(const struct ort_llama_model *mdl, int context, int prefill, const char *dir,
                             struct ort_llm_q *q, struct ort_diag *d)
{
    memset(q, 0, sizeof *q);
    const struct ort_llama_config *c = &mdl->cfg;
    if (context < 1 || context > c->seq_len)
        return ort_fail(d, "quantizing: a context of %d positions: the model's is 1..%d", context, c->seq_len);
    if (prefill < 0 || prefill > context)
        return ort_fail(d, "quantizing: a prefill of %d positions: the context is %d", prefill, context);
    if (mkdir(dir, 0777) && errno != EEXIST)
        return ort_fail(d, "%s: cannot create: %s", dir, strerror(errno));
    struct calib k = {0};
    if (calibrate(mdl, context, &k, d)) {
        free(k.layer);
        return -1;
    }
    q->cfg = *c;
    q->context = context;
    q->prefill = prefill;
    int D = c->dim, hs = c->head_size, V = c->vocab_size, C = context;
    /* embedding and rotary tables */
    double s_emb = scale_of(k.emb);
    q->embedding = malloc((size_t)V * D);
    q->rope = calloc((size_t)C * hs * hs, 1);
    for (size_t i = 0; i < (size_t)V * D; i++)
        q->embedding[i] = (int8_t)round_i(mdl->tok_embedding[i] / s_emb);
    for (int pos = 0; pos < C; pos++)
        for (int i = 0; i < hs; i += 2) {
            float freq = 1.0f / powf(10000.0f, (float)i / (float)hs), ang = (float)pos * freq;
            int8_t *r = q->rope + (size_t)pos * hs * hs;
            int8_t cs = (int8_t)round_i(cosf(ang) * 64.0), sn = (int8_t)round_i(sinf(ang) * 64.0);
            r[i * hs + i] = cs, r[(i + 1) * hs + i] = (int8_t)-sn;
            r[i * hs + i + 1] = sn, r[(i + 1) * hs + i + 1] = cs;
        }
    snprintf(q->step_path, sizeof q->step_path, "%s/step.onnx", dir);
    int rc = build_graph(mdl, &k, q, 0, q->step_path);
    if (rc)
        ort_fail(d, "%s: cannot write the step graph", q->step_path);
    if (!rc && prefill) {
        snprintf(q->prefill_path, sizeof q->prefill_path, "%s/prefill.onnx", dir);
        if ((rc = build_graph(mdl, &k, q, prefill, q->prefill_path)))
            ort_fail(d, "%s: cannot write the prefill graph", q->prefill_path);
    }
    free(k.layer);
    return rc ? -1 : 0;
}

int ort_llm_quantize(const struct ort_llama_model *mdl, int context, const char *dir, struct ort_llm_q *q,
                     struct ort_diag *d)
{
    return ort_llm_quantize_prefill(mdl, context, 0, dir, q, d);
}

void ort_llm_q_free(struct ort_llm_q *q)
{
    free(q->embedding);
    free(q->rope);
    q->embedding = NULL;
    q->rope = NULL;
}

/* ---- the host integer model -------------------------------------------------- */

/* The step graph's inputs as arrays (input_N): x, rope, mask, then each
 * layer's key and value caches; data[i] their values. */
struct step_inputs {
    int n;
    struct ort_array *arr;
    int64_t **data;
};

static void inputs_free(struct step_inputs *in)
{
    for (int i = 0; in->data && i < in->n; i++)
        free(in->data[i]);
    free(in->data);
    free(in->arr);
}

static int inputs_init(const struct ort_llm_q *q, struct step_inputs *in)
{
    const struct ort_llama_config *c = &q->cfg;
    int D = c->dim, hs = c->head_size, C = q->context, kvh = c->n_kv_heads;
    in->n = 3 + 2 * c->n_layers;
    in->arr = calloc((size_t)in->n, sizeof *in->arr);
    in->data = calloc((size_t)in->n, sizeof *in->data);
    if (!in->arr || !in->data)
        return -1;
    size_t cache = (size_t)kvh * C * hs;
    for (int i = 0; i < in->n; i++) {
        snprintf(in->arr[i].name, sizeof in->arr[i].name, "input_%d", i);
        size_t count = i == 0 ? (size_t)D : i == 1 ? (size_t)hs * hs : i == 2 ? (size_t)C + 1 : cache;
        in->data[i] = calloc(count, sizeof **in->data);
        if (!in->data[i])
            return -1;
        in->arr[i].data = in->data[i];
        if (i == 0)
            in->arr[i].shape = (struct ort_shape){.rank = 2, .dim = {1, D}};
        else if (i == 1)
            in->arr[i].shape = (struct ort_shape){.rank = 2, .dim = {hs, hs}};
        else if (i == 2)
            in->arr[i].shape = (struct ort_shape){.rank = 1, .dim = {C + 1}};
        else
            in->arr[i].shape = (struct ort_shape){.rank = 3, .dim = {kvh, C, hs}};
    }
    return 0;
}

/* The graph typed by the extremes its inputs take (int8; the mask
 * -32768..0, int32), then the inputs cleared. */
static struct ort_graph *typed_graph(const struct ort_llm_q *q, struct step_inputs *in, struct ort_diag *d)
{
    for (int i = 0; i < in->n; i++) {
        in->data[i][0] = i == 2 ? -32768 : -128;
        in->data[i][1] = 127;
    }
    struct ort_npz inputs = {in->arr, in->n, NULL};
    struct ort_graph *g = ort_frontend(q->step_path, &inputs, true, d);
    for (int i = 0; i < in->n; i++)
        in->data[i][0] = in->data[i][1] = 0;
    return g;
}

struct ort_graph *ort_llm_step_graph(const struct ort_llm_q *q, struct ort_diag *d)
{
    struct step_inputs in = {0};
    struct ort_graph *g = NULL;
    if (inputs_init(q, &in))
        ort_fail(d, "the step graph: out of memory");
    else
        g = typed_graph(q, &in, d);
    inputs_free(&in);
    return g;
}

/* The prefill graph typed by the extremes of its one input, x (int8). */
static struct ort_graph *typed_prefill(const struct ort_llm_q *q, struct ort_array *x, struct ort_diag *d)
{
    int64_t lo = x->data[0], hi = x->data[1];
    x->data[0] = -128;
    x->data[1] = 127;
    struct ort_npz inputs = {x, 1, NULL};
    struct ort_graph *g = ort_frontend(q->prefill_path, &inputs, true, d);
    x->data[0] = lo;
    x->data[1] = hi;
    return g;
}

static void prefill_input(const struct ort_llm_q *q, struct ort_array *x, int64_t *data)
{
    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "input_0");
    x->data = data;
    x->shape = (struct ort_shape){.rank = 2, .dim = {q->prefill, q->cfg.dim}};
}

struct ort_graph *ort_llm_prefill_graph(const struct ort_llm_q *q, struct ort_diag *d)
{
    if (q->prefill < 1) {
        ort_fail(d, "the model was quantized without a prefill graph");
        return NULL;
    }
    int64_t *data = calloc((size_t)q->prefill * q->cfg.dim, sizeof *data);
    struct ort_array x;
    struct ort_graph *g = NULL;
    if (!data)
        ort_fail(d, "the prefill graph: out of memory");
    else {
        prefill_input(q, &x, data);
        g = typed_prefill(q, &x, d);
    }
    free(data);
    return g;
}

uint32_t ort_llm_logits_digest(const int64_t *logits, int vocab)
{
    uint32_t h = 2166136261u; /* FNV-1a over the int32 words */
    for (int v = 0; v < vocab; v++)
        h = (h ^ (uint32_t)(int32_t)logits[v]) * 16777619u;
    return h;
}

/* The prompt's T = q->prefill positions in one pass of the prefill graph:
 * their keys and values into the caches (in->data[3 + 2 l + kv]), the
 * last position's argmax into *best. */
static int run_prefill(const struct ort_llm_q *q, const int *prompt, struct step_inputs *in, int *best,
                       uint32_t *digest, struct ort_diag *d)
{
    const struct ort_llama_config *c = &q->cfg;
    int T = q->prefill, D = c->dim, hs = c->head_size, C = q->context, kvh = c->n_kv_heads;
    int64_t *data = calloc((size_t)T * D, sizeof *data);
    if (!data)
        return ort_fail(d, "the prefill graph: out of memory");
    struct ort_array x;
    prefill_input(q, &x, data);
    struct ort_graph *g = typed_prefill(q, &x, d);
    int rc = -1;
    int64_t **values = NULL;
    if (!g)
        goto out;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < D; i++)
            data[(size_t)t * D + i] = q->embedding[(size_t)prompt[t] * D + i];
    struct ort_npz inputs = {&x, 1, NULL};
    if (ort_ref_run(g, &inputs, &values, d))
        goto out;
    const int64_t *logits = values[g->outputs[0]];
    *best = 0;
    for (int v = 1; v < c->vocab_size; v++)
        if (logits[v] > logits[*best])
            *best = v;
    if (digest)
        *digest = ort_llm_logits_digest(logits, c->vocab_size);
    for (int l = 0; l < c->n_layers; l++)
        for (int k = 0; k < 2; k++) {
            const int64_t *rows = values[g->outputs[1 + 2 * l + k]];
            int64_t *cc = in->data[3 + 2 * l + k];
            for (int h = 0; h < kvh; h++)
                for (int i = 0; i < T * hs; i++)
                    cc[(size_t)h * C * hs + i] = rows[(size_t)h * T * hs + i];
        }
    ort_ref_free(g, values);
    rc = 0;
out:
    if (g)
        ort_graph_free(g);
    free(data);
    return rc;
}

int ort_llm_write_device_files(const struct ort_llm_q *q, const char *dir, const int *prompt, int n_prompt,
                               int steps, struct ort_diag *d)
{
    const struct ort_llama_config *c = &q->cfg;
    char path[4200];
    snprintf(path, sizeof path, "%s/llm_config.h", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "/* Generated by ortigia llm: the model's sizes and the run's prompt. */\n"
               "#ifndef LLM_CONFIG_H\n#define LLM_CONFIG_H\n\n#include <stdint.h>\n\n#include \"network.h\"\n\n"
               "#define LLM_DIM %d\n#define LLM_HS %d\n#define LLM_CONTEXT %d\n#define LLM_KV_HEADS %d\n"
               "#define LLM_LAYERS %d\n#define LLM_VOCAB %d\n#define LLM_STEPS %d\n#define LLM_NPROMPT %d\n"
               "#define LLM_PROMPT {",
            c->dim, c->head_size, q->context, c->n_kv_heads, c->n_layers, c->vocab_size, steps, n_prompt);
    for (int i = 0; i < n_prompt; i++)
        fprintf(f, "%s%d", i ? ", " : "", prompt[i]);
    fprintf(f, "%s}\n\n", n_prompt ? "" : "1");
    fprintf(f, "/* Layer l's key (kv 0) or value (kv 1) cache: network inputs 3 + 2 l + kv. */\n"
               "static inline int8_t *llm_cache(uint32_t l, uint32_t kv)\n{\n    switch (2 * l + kv) {\n");
    for (int i = 0; i < 2 * c->n_layers; i++)
        fprintf(f, "    case %d: return (int8_t *)NETWORK_INPUT_%d;\n", i, 3 + i);
    fprintf(f, "    default: return 0;\n    }\n}\n\n"
               "/* The token's keys or values of layer l: network outputs 1 + 2 l + kv. */\n"
               "static inline const int8_t *llm_output_row(uint32_t l, uint32_t kv)\n{\n    switch (2 * l + kv) {\n");
    for (int i = 0; i < 2 * c->n_layers; i++)
        fprintf(f, "    case %d: return (const int8_t *)ort_output_%d;\n", i, 1 + i);
    fprintf(f, "    default: return 0;\n    }\n}\n\n");
    int T = ort_llm_uses_prefill(q, n_prompt, steps) ? q->prefill : 0;
    fprintf(f, "/* Prompt mode: the prompt's %d positions in one pass of the prefill network\n"
               " * (0: every position is a step). */\n#define LLM_PREFILL %d\n", T, T);
    if (T) {
        fprintf(f, "\n#include \"prefill.h\"\n\n"
                   "/* The prompt's keys or values of layer l, [kv heads][T][hs]: prefill outputs 1 + 2 l + kv. */\n"
                   "static inline const int8_t *llm_prefill_rows(uint32_t l, uint32_t kv)\n{\n"
                   "    switch (2 * l + kv) {\n");
        for (int i = 0; i < 2 * c->n_layers; i++)
            fprintf(f, "    case %d: return (const int8_t *)prefill_output_%d;\n", i, 1 + i);
        fprintf(f, "    default: return 0;\n    }\n}\n");
    }
    fprintf(f, "\n#endif\n");
    if (fclose(f))
        return ort_fail(d, "%s: write error", path);
    /* the tables */
    size_t emb = (size_t)c->vocab_size * c->dim, rope = (size_t)q->context * c->head_size * c->head_size;
    snprintf(path, sizeof path, "%s/llm_tables.bin", dir);
    f = fopen(path, "wb");
    if (!f || fwrite(q->embedding, 1, emb, f) != emb || fwrite(q->rope, 1, rope, f) != rope || fclose(f))
        return ort_fail(d, "%s: cannot write", path);
    char abs_dir[4096];
    if (!realpath(dir, abs_dir))
        return ort_fail(d, "%s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/llm_tables.S", dir);
    f = fopen(path, "w");
    if (!f)
        return ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "/* Generated by ortigia llm: the embedding and the rotary matrices. */\n"
               "    .section .wmem,\"aw\",@progbits\n    .balign 4\n"
               "    .global ort_llm_embedding\nort_llm_embedding:\n"
               "    .incbin \"%s/llm_tables.bin\", 0, %zu\n"
               "    .global ort_llm_rope\nort_llm_rope:\n"
               "    .incbin \"%s/llm_tables.bin\", %zu, %zu\n",
            abs_dir, emb, abs_dir, emb, rope);
    if (fclose(f))
        return ort_fail(d, "%s: write error", path);
    return 0;
}

bool ort_llm_uses_prefill(const struct ort_llm_q *q, int n_prompt, int steps)
{
    return n_prompt >= 2 && n_prompt == q->prefill && n_prompt <= steps;
}

int ort_llm_int_generate(const struct ort_llm_q *q, const int *prompt, int n_prompt, int steps,
                         const int *forced, int n_forced, int *out, int *n_out, uint32_t *digests,
                         struct ort_diag *d)
{
    const struct ort_llama_config *c = &q->cfg;
    int D = c->dim, hs = c->head_size, L = c->n_layers, V = c->vocab_size, C = q->context;
    int kvh = c->n_kv_heads;
    *n_out = 0;
    if (forced)
        steps = n_forced;
    if (steps < 1 || steps > C)
        return ort_fail(d, "%d positions: the quantized model's context is 1..%d", steps, C);
    struct step_inputs in = {0};
    int rc = -1;
    struct ort_graph *g = NULL;
    if (inputs_init(q, &in)) {
        ort_fail(d, "the host integer model: out of memory");
        goto out;
    }
    struct ort_npz inputs = {in.arr, in.n, NULL};
    g = typed_graph(q, &in, d);
    if (!g)
        goto out;
    int64_t **data = in.data;
    int token = n_prompt > 0 ? prompt[0] : forced ? forced[0] : ORT_LLAMA_BOS;
    int pos = 0;
    if (!forced && ort_llm_uses_prefill(q, n_prompt, steps)) {
        /* prompt mode: the prompt's positions in one pass, then the
           generated ones step by step (as the device's llm.c does) */
        int best = 0;
        if (run_prefill(q, prompt, &in, &best, digests ? &digests[n_prompt - 1] : NULL, d))
            goto out;
        for (pos = 0; pos < n_prompt; pos++) {
            int next = pos + 1 < n_prompt ? prompt[pos + 1] : best;
            if (next == ORT_LLAMA_BOS) {
                pos = steps;
                break;
            }
            out[(*n_out)++] = next;
            token = next;
        }
    }
    for (; pos < steps; pos++) {
        if (forced)
            token = forced[pos];
        for (int i = 0; i < D; i++)
            data[0][i] = q->embedding[(size_t)token * D + i];
        for (int i = 0; i < hs * hs; i++)
            data[1][i] = q->rope[(size_t)pos * hs * hs + i];
        for (int j = 0; j < C; j++)
            data[2][j] = j < pos ? 0 : -32768;
        data[2][C] = 0;
        int64_t **values = NULL;
        if (ort_ref_run(g, &inputs, &values, d))
            goto out;
        const int64_t *logits = values[g->outputs[0]];
        int best = 0;
        for (int v = 1; v < V; v++)
            if (logits[v] > logits[best])
                best = v;
        if (digests)
            digests[pos] = ort_llm_logits_digest(logits, V);
        if (q->logits_trace)
            memcpy(q->logits_trace + (size_t)pos * V, logits, sizeof *logits * (size_t)V);
        for (int l = 0; l < L; l++)
            for (int k = 0; k < 2; k++) {
                const int64_t *row = values[g->outputs[1 + 2 * l + k]];
                int64_t *cc = data[3 + 2 * l + k];
                for (int h = 0; h < kvh; h++)
                    for (int i = 0; i < hs; i++)
                        cc[((size_t)h * C + pos) * hs + i] = row[h * hs + i];
            }
        ort_ref_free(g, values);
        if (forced) {
            out[(*n_out)++] = best;
            continue;
        }
        int next = pos + 1 < n_prompt ? prompt[pos + 1] : best;
        if (next == ORT_LLAMA_BOS)
            break;
        out[(*n_out)++] = next;
        token = next;
    }
    rc = 0;
out:
    if (g)
        ort_graph_free(g);
    inputs_free(&in);
    return rc;
}
