/* Conv with ONNX semantics (NCHW, 1-D and 2-D, strides, dilations,
 * explicit or automatic padding, groups, an optional bias), on integers:
 * the accumulator is exact (int64 here; the types pass proves int32 on
 * the target), the requantization after it is a separate RequantShift
 * node that the passes fuse into its kernel as an epilogue. */
#include <inttypes.h>
#include <string.h>

#include "ops_int.h"
#include "ortigia/nn_sem.h"

static struct ort_tensor *in_t(const struct ort_graph *g, const struct ort_node *n, int k)
{
    return k < n->n_inputs && n->inputs[k] >= 0 ? &g->tensors[n->inputs[k]] : NULL;
}

void ort_conv_dims(const struct ort_graph *g, const struct ort_node *n, struct ort_conv *c)
{
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    const struct ort_params *p = &n->p;
    bool pool = n->op->id != ORT_OPID_CONV;
    memset(c, 0, sizeof *c);
    c->spatial = x->rank - 2;
    c->N = x->dim[0];
    c->C = x->dim[1];
    c->H = x->dim[2];
    c->W = c->spatial == 2 ? x->dim[3] : 1;
    /* a pool: each channel its own group */
    c->M = pool ? c->C : in_t(g, n, 1)->shape.dim[0];
    c->KH = p->kernel[0], c->KW = p->kernel[1];
    c->SH = p->strides[0], c->SW = p->strides[1];
    c->DH = p->dilations[0], c->DW = p->dilations[1];
    c->PT = p->pads[0], c->PL = p->pads[1];
    c->G = pool ? c->C : p->group;
    c->Cg = c->C / c->G;
    c->Mg = c->M / c->G;
    int64_t in[2] = {c->H, c->W}, out[2];
    for (int i = 0; i < 2; i++) {
        int64_t room = in[i] + p->pads[i] + p->pads[2 + i] - ((p->kernel[i] - 1) * p->dilations[i] + 1);
        out[i] = (p->ceil_mode ? (room + p->strides[i] - 1) / p->strides[i] : room / p->strides[i]) + 1;
        /* ceil_mode: the last window starts inside the input or its
         * leading padding (as ONNX's shape inference) */
        if (p->ceil_mode && (out[i] - 1) * p->strides[i] >= in[i] + p->pads[i])
            out[i]--;
    }
    c->OH = out[0];
    c->OW = out[1];
}

/* kernel_shape, strides, dilations, pads / auto_pad of a spatial-axis
 * operator (Conv, the pools) into n->p: lengths checked against the
 * input's spatial axes `sp`, sizes `in`. */
int ort_window_attrs(struct ort_graph *g, struct ort_node *n, int sp, const int64_t *in,
                     const int64_t *kernel_from_weights, struct ort_diag *d)
{
    struct ort_params *p = &n->p;
    int count;
    int64_t v[8];
    const char *what[3] = {"kernel_shape", "strides", "dilations"};
    int64_t *dst[3] = {p->kernel, p->strides, p->dilations};
    for (int a = 0; a < 3; a++) {
        dst[a][0] = dst[a][1] = 1;
        if (ort_attr_ints(g, n, what[a], v, 8, &count, d))
            return -1;
        if (count == 0 && a == 0) {
            if (!kernel_from_weights)
                return ort_node_fail(g, n, d, "the 'kernel_shape' attribute is missing");
            for (int i = 0; i < sp; i++)
                v[i] = kernel_from_weights[i];
            count = sp;
        }
        if (count == 0)
            continue;
        if (count != sp)
            return ort_node_fail(g, n, d, "%s has %d values for %d spatial axes", what[a], count, sp);
        for (int i = 0; i < sp; i++) {
            if (v[i] < 1 || v[i] > 4096)
                return ort_node_fail(g, n, d, "%s[%d] = %" PRId64 " is outside 1..4096", what[a], i, v[i]);
            dst[a][i] = v[i];
        }
        if (a == 0 && kernel_from_weights)
            for (int i = 0; i < sp; i++)
                if (v[i] != kernel_from_weights[i])
                    return ort_node_fail(g, n, d, "kernel_shape[%d] = %" PRId64 " but the weights' is %" PRId64,
                                         i, v[i], kernel_from_weights[i]);
    }
    memset(p->pads, 0, sizeof p->pads);
    int64_t pads[8] = {0};
    if (ort_attr_ints(g, n, "pads", pads, 8, &count, d))
        return -1;
    if (count && count != 2 * sp)
        return ort_node_fail(g, n, d, "pads has %d values for %d spatial axes", count, sp);
    const char *ap;
    if (ort_attr_str(g, n, "auto_pad", "NOTSET", &ap, d))
        return -1;
    bool notset = !strcmp(ap, "NOTSET"), valid = !strcmp(ap, "VALID");
    bool upper = !strcmp(ap, "SAME_UPPER"), lower = !strcmp(ap, "SAME_LOWER");
    if (!notset && !valid && !upper && !lower)
        return ort_node_fail(g, n, d, "auto_pad = '%s': expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
    for (int i = 0; i < sp; i++) {
        int64_t b = 0, e = 0;
        if (notset) {
            b = pads[i];
            e = pads[sp + i];
        } else if (count)
            for (int k = 0; k < 2 * sp; k++)
                if (pads[k])
                    return ort_node_fail(g, n, d, "pads given together with auto_pad = '%s'", ap);
        if (upper || lower) {
            /* the output is ceil(in / stride); the padding that takes */
            int64_t out = (in[i] + dst[1][i] - 1) / dst[1][i];
            int64_t total = (out - 1) * dst[1][i] + (dst[0][i] - 1) * dst[2][i] + 1 - in[i];
            if (total < 0)
                total = 0;
            b = upper ? total / 2 : total - total / 2;
            e = total - b;
        }
        if (b < 0 || e < 0 || b > 4096 || e > 4096)
            return ort_node_fail(g, n, d, "pads %" PRId64 ", %" PRId64 " are outside 0..4096", b, e);
        p->pads[i] = b;
        p->pads[2 + i] = e;
        int64_t span = (dst[0][i] - 1) * dst[2][i] + 1;
        if (in[i] + b + e < span)
            return ort_node_fail(g, n, d, "the window (%" PRId64 ") is larger than the padded input (%" PRId64
                                          ") on spatial axis %d",
                                 span, in[i] + b + e, i);
    }
    return 0;
}

int check_conv(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_tensor *x = in_t(g, n, 0), *w = in_t(g, n, 1), *b = in_t(g, n, 2);
    char s1[128], s2[128];
    if (x->shape.rank != 3 && x->shape.rank != 4)
        return ort_node_fail(g, n, d, "input of shape %s: only 1-D and 2-D convolutions are supported",
                             ort_shape_str(&x->shape, s1, sizeof s1));
    int sp = x->shape.rank - 2;
    if (w->shape.rank != x->shape.rank)
        return ort_node_fail(g, n, d, "weights of shape %s for an input of shape %s",
                             ort_shape_str(&w->shape, s1, sizeof s1), ort_shape_str(&x->shape, s2, sizeof s2));
    if (ort_attr_int(g, n, "group", 1, &n->p.group, d))
        return -1;
    int64_t C = x->shape.dim[1], M = w->shape.dim[0], G = n->p.group;
    if (G < 1 || C % G || M % G || w->shape.dim[1] * G != C)
        return ort_node_fail(g, n, d, "group = %" PRId64 " does not fit %" PRId64 " input channels, "
                                      "weights of shape %s",
                             G, C, ort_shape_str(&w->shape, s1, sizeof s1));
    if (b && (b->shape.rank != 1 || b->shape.dim[0] != M))
        return ort_node_fail(g, n, d, "the bias of shape %s is not a vector of %" PRId64 " values",
                             ort_shape_str(&b->shape, s1, sizeof s1), M);
    if (ort_window_attrs(g, n, sp, &x->shape.dim[2], &w->shape.dim[2], d))
        return -1;
    struct ort_conv c;
    ort_conv_dims(g, n, &c);
    struct ort_shape o = {.rank = x->shape.rank, .dim = {c.N, M, c.OH, c.OW}};
    return ort_set_out_shape(g, n, &o, d);
}

/* Per output channel, the sum of each weight times the end of the input's
 * range (zero included: padding) that makes it smallest or largest. */
void range_conv(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0), *w = in_t(g, n, 1), *b = in_t(g, n, 2);
    int64_t xl = x->lo < 0 ? x->lo : 0, xh = x->hi > 0 ? x->hi : 0;
    struct ort_conv c;
    ort_conv_dims(g, n, &c);
    int64_t K = c.Cg * c.KH * c.KW;
    const int64_t lim = (int64_t)1 << 62;
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (int64_t m = 0; m < c.M; m++) {
        __int128 l = 0, h = 0;
        for (int64_t k = 0; k < K; k++) {
            int64_t wl = w->is_const ? w->data[m * K + k] : w->lo, wh = w->is_const ? wl : w->hi;
            int64_t t[4] = {wl * xl, wl * xh, wh * xl, wh * xh};
            int64_t tl = t[0], th = t[0];
            for (int i = 1; i < 4; i++) {
                tl = t[i] < tl ? t[i] : tl;
                th = t[i] > th ? t[i] : th;
            }
            l += tl;
            h += th;
        }
        if (b) {
            l += b->is_const ? b->data[m] : b->lo;
            h += b->is_const ? b->data[m] : b->hi;
        }
        l = l < -lim ? -lim : l;
        h = h > lim ? lim : h;
        *lo = (int64_t)l < *lo ? (int64_t)l : *lo;
        *hi = (int64_t)h > *hi ? (int64_t)h : *hi;
        if (!w->is_const && !(b && b->is_const))
            break; /* every channel alike */
    }
}

int eval_conv(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
              struct ort_diag *d)
{
    (void)d;
    struct ort_conv c;
    ort_conv_dims(g, n, &c);
    const int64_t *x = in[0], *w = in[1], *b = n->n_inputs > 2 && n->inputs[2] >= 0 ? in[2] : NULL;
    for (int64_t bn = 0; bn < c.N; bn++)
        for (int64_t m = 0; m < c.M; m++) {
            int64_t grp = m / c.Mg;
            for (int64_t oh = 0; oh < c.OH; oh++)
                for (int64_t ow = 0; ow < c.OW; ow++) {
                    int64_t acc = b ? b[m] : 0;
                    for (int64_t ci = 0; ci < c.Cg; ci++) {
                        const int64_t *xc = x + (bn * c.C + grp * c.Cg + ci) * c.H * c.W;
                        const int64_t *wc = w + (m * c.Cg + ci) * c.KH * c.KW;
                        for (int64_t kh = 0; kh < c.KH; kh++) {
                            int64_t ih = oh * c.SH - c.PT + kh * c.DH;
                            if (ih < 0 || ih >= c.H)
                                continue;
                            for (int64_t kw = 0; kw < c.KW; kw++) {
                                int64_t iw = ow * c.SW - c.PL + kw * c.DW;
                                if (iw >= 0 && iw < c.W)
                                    acc += xc[ih * c.W + iw] * wc[kh * c.KW + kw];
                            }
                        }
                    }
                    out[((bn * c.M + m) * c.OH + oh) * c.OW + ow] = acc;
                }
        }
    return 0;
}

/* ---- MaxPool, AveragePool -------------------------------------------- */

int check_pool(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    char s1[128];
    if (x->shape.rank != 3 && x->shape.rank != 4)
        return ort_node_fail(g, n, d, "input of shape %s: only 1-D and 2-D pools are supported",
                             ort_shape_str(&x->shape, s1, sizeof s1));
    int sp = x->shape.rank - 2;
    bool avg = n->op->id == ORT_OPID_AVGPOOL;
    int64_t order = 0;
    if (ort_window_attrs(g, n, sp, &x->shape.dim[2], NULL, d) ||
        ort_attr_int(g, n, "ceil_mode", 0, &n->p.ceil_mode, d) ||
        (avg && ort_attr_int(g, n, "count_include_pad", 0, &n->p.count_include_pad, d)) ||
        (!avg && ort_attr_int(g, n, "storage_order", 0, &order, d)))
        return -1;
    if (order != 0)
        return ort_node_fail(g, n, d, "storage_order = %" PRId64 " is not supported", order);
    if (n->p.ceil_mode && avg)
        return ort_node_fail(g, n, d, "ceil_mode = 1 is not supported for AveragePool");
    for (int i = 0; i < sp; i++)
        if (n->p.pads[i] >= (n->p.kernel[i] - 1) * n->p.dilations[i] + 1 ||
            n->p.pads[2 + i] >= (n->p.kernel[i] - 1) * n->p.dilations[i] + 1)
            return ort_node_fail(g, n, d, "pads must be smaller than the window on spatial axis %d", i);
    struct ort_conv c;
    ort_conv_dims(g, n, &c);
    struct ort_shape o = {.rank = x->shape.rank, .dim = {c.N, c.C, c.OH, c.OW}};
    return ort_set_out_shape(g, n, &o, d);
}

void range_pool(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    /* a maximum or a rounded mean of input values; an empty window
     * (ceil_mode's last) gives 0 */
    const struct ort_tensor *x = in_t(g, n, 0);
    *lo = x->lo < 0 ? x->lo : 0;
    *hi = x->hi > 0 ? x->hi : 0;
    /* an average's window sum is kept in int32: where it may leave it,
     * its bound (refused by the types pass, naming the node) */
    int64_t amax = *hi > -*lo ? *hi : -*lo, taps = n->p.kernel[0] * n->p.kernel[1];
    if (n->op->id == ORT_OPID_AVGPOOL && (__int128)amax * taps + taps > INT32_MAX) {
        *hi = amax * taps;
        *lo = -*hi;
    }
}

int eval_pool(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
              struct ort_diag *d)
{
    struct ort_conv c;
    ort_conv_dims(g, n, &c);
    bool avg = n->op->id == ORT_OPID_AVGPOOL;
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t amax = (x->lo < 0 ? -x->lo : x->lo) > x->hi ? (x->lo < 0 ? -x->lo : x->lo) : x->hi;
    if (avg && amax * c.KH * c.KW + c.KH * c.KW > INT32_MAX)
        return ort_node_fail(g, n, d, "a window's sum may leave int32");
    for (int64_t pl = 0; pl < c.N * c.C; pl++)
        for (int64_t oh = 0; oh < c.OH; oh++)
            for (int64_t ow = 0; ow < c.OW; ow++) {
                int64_t acc = 0, count = 0;
                for (int64_t kh = 0; kh < c.KH; kh++) {
                    int64_t ih = oh * c.SH - c.PT + kh * c.DH;
                    for (int64_t kw = 0; kw < c.KW; kw++) {
                        int64_t iw = ow * c.SW - c.PL + kw * c.DW;
                        if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W)
                            continue;
                        int64_t v = in[0][(pl * c.H + ih) * c.W + iw];
                        acc = avg ? acc + v : count == 0 || v > acc ? v : acc;
                        count++;
                    }
                }
                if (avg) {
                    int64_t div = n->p.count_include_pad ? c.KH * c.KW : count;
                    acc = count ? nn_mean_round((int32_t)acc, (int32_t)div, -1) : 0;
                }
                out[(pl * c.OH + oh) * c.OW + ow] = acc;
            }
    return 0;
}
