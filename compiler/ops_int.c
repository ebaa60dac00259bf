/* Deeploy's integer operators: RequantShift, iSoftmax, iRMSNorm,
 * iHardswish, TrueIntegerDiv. Arithmetic: firmware/include/ortigia/nn_sem.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"
#include "ortigia/nn_sem.h"

static struct ort_tensor *in_t(const struct ort_graph *g, const struct ort_node *n, int k)
{
    return k < n->n_inputs && n->inputs[k] >= 0 ? &g->tensors[n->inputs[k]] : NULL;
}

/* The output has the input's shape. */
static int same_shape_out(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    return ort_set_out_shape(g, n, &in_t(g, n, 0)->shape, d);
}

/* n_levels -> the output range: signed [-n/2, n/2-1], unsigned [0, n-1]. */
void ort_levels_range(int64_t n_levels, bool is_signed, int64_t *lo, int64_t *hi)
{
    *lo = is_signed ? -(n_levels / 2) : 0;
    *hi = is_signed ? n_levels / 2 - 1 : n_levels - 1;
}

static int read_levels(struct ort_graph *g, struct ort_node *n, const char *name, bool required,
                       struct ort_diag *d)
{
    if (!ort_node_attr(n, name)) {
        if (required)
            return ort_node_fail(g, n, d, "the '%s' attribute is missing", name);
        return 0;
    }
    if (ort_attr_int(g, n, name, 256, &n->p.n_levels, d))
        return -1;
    if (n->p.n_levels < 2 || n->p.n_levels > ((int64_t)1 << 32))
        return ort_node_fail(g, n, d, "%s = %" PRId64 " is out of range", name, n->p.n_levels);
    return 0;
}

static int log2_exact(int64_t v)
{
    int k = 0;
    while (k < 62 && ((int64_t)1 << k) < v)
        k++;
    return ((int64_t)1 << k) == v ? k : -1;
}

/* ---- RequantShift ---------------------------------------------------- */

int check_rqs(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t div;
    if (!ort_node_attr(n, "div"))
        return ort_node_fail(g, n, d, "the 'div' attribute is missing");
    if (ort_attr_int(g, n, "div", 1, &div, d))
        return -1;
    n->p.log2d = log2_exact(div);
    if (n->p.log2d < 0 || n->p.log2d > 31)
        return ort_node_fail(g, n, d, "div = %" PRId64 " is not a power of two up to 2^31", div);
    n->p.n_levels = 256;
    if (ort_node_attr(n, "n_levels_out") ? read_levels(g, n, "n_levels_out", true, d)
                                         : read_levels(g, n, "n_levels", false, d))
        return -1;
    if (ort_attr_int(g, n, "signed", 1, &n->p.is_signed, d))
        return -1;
    for (int k = 1; k < 3; k++) {
        struct ort_tensor *t = in_t(g, n, k);
        const struct ort_shape *x = &in_t(g, n, 0)->shape;
        struct ort_shape s;
        char a[128];
        if (!t->is_const)
            return ort_node_fail(g, n, d, "input %d ('%s', %s) must be a constant", k, t->name,
                                 k == 1 ? "mul" : "add");
        /* Deeploy's per-channel convention: as many values as channels
         * (axis 1), whatever the trailing 1s (e.g. [16,1,1] after a 1-D
         * convolution's [1,16,32]), mean one per channel. */
        if (x->rank >= 2 && ort_shape_count(&t->shape) == x->dim[1] && x->dim[1] > 1 &&
            (ort_broadcast_shape(&t->shape, x, &s) != 0 || !ort_shape_equal(&s, x))) {
            struct ort_shape per_channel = {.rank = x->rank - 1};
            per_channel.dim[0] = x->dim[1];
            for (int i = 1; i < per_channel.rank; i++)
                per_channel.dim[i] = 1;
            bool channels_only = true;
            for (int i = 0; i < t->shape.rank; i++)
                channels_only = channels_only && (t->shape.dim[i] == 1 || t->shape.dim[i] == x->dim[1]);
            if (channels_only)
                t->shape = per_channel;
        }
        if (ort_broadcast_shape(&t->shape, &in_t(g, n, 0)->shape, &s) ||
            !ort_shape_equal(&s, &in_t(g, n, 0)->shape))
            return ort_node_fail(g, n, d, "%s of shape %s does not broadcast to the input",
                                 k == 1 ? "mul" : "add", ort_shape_str(&t->shape, a, sizeof a));
        for (int64_t i = 0; i < ort_shape_count(&t->shape); i++)
            if (t->data[i] < INT32_MIN || t->data[i] > INT32_MAX)
                return ort_node_fail(g, n, d, "%s value %" PRId64 " does not fit int32",
                                     k == 1 ? "mul" : "add", t->data[i]);
    }
    return same_shape_out(g, n, d);
}

void range_rqs(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    (void)g;
    ort_levels_range(n->p.n_levels, n->p.is_signed, lo, hi);
}

int eval_rqs(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
             int64_t *out, struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    const struct ort_shape *sm = &in_t(g, n, 1)->shape, *sa = &in_t(g, n, 2)->shape;
    int64_t lo, hi;
    ort_levels_range(n->p.n_levels, n->p.is_signed, &lo, &hi);
    int64_t count = ort_shape_count(s);
    for (int64_t i = 0; i < count; i++)
        out[i] = nn_requant64(in[0][i], (int32_t)in[1][ort_bcast_index(sm, s, i)],
                              (int32_t)in[2][ort_bcast_index(sa, s, i)], (int32_t)n->p.log2d,
                              (int32_t)lo, (int32_t)hi);
    return 0;
}

/* ---- iSoftmax -------------------------------------------------------- */

NN_DEFINE_SOFTMAX_ROW_PAD(softmax_row_ref, int64_t, int64_t)

static int read_int_attr(struct ort_graph *g, struct ort_node *n, const char *name, int64_t *out,
                         int64_t lo, int64_t hi, struct ort_diag *d)
{
    if (!ort_node_attr(n, name))
        return ort_node_fail(g, n, d, "the '%s' attribute is missing", name);
    if (ort_attr_int(g, n, name, 0, out, d))
        return -1;
    if (*out < lo || *out > hi)
        return ort_node_fail(g, n, d, "%s = %" PRId64 " is outside [%" PRId64 ", %" PRId64 "]", name,
                             *out, lo, hi);
    return 0;
}

static int check_row_input(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t axis;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    if (ort_attr_int(g, n, "axis", -1, &axis, d))
        return -1;
    if (axis != -1 && axis != s->rank - 1)
        return ort_node_fail(g, n, d, "axis %" PRId64 ": only the last axis is supported", axis);
    if (s->rank < 1 || s->dim[s->rank - 1] < 1)
        return ort_node_fail(g, n, d, "the input needs a non-empty last axis");
    return 0;
}

int check_isoftmax(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t *c = n->p.coeff;
    if (read_int_attr(g, n, "coeffA", &c[0], 0, 1 << 15, d) ||
        read_int_attr(g, n, "coeffB", &c[1], -(1 << 15), 1 << 15, d) ||
        read_int_attr(g, n, "coeffC", &c[2], -(1 << 30), 1 << 30, d) ||
        read_int_attr(g, n, "log2", &c[3], 1, 1 << 15, d) || read_levels(g, n, "n_levels", true, d) ||
        check_row_input(g, n, d))
        return -1;
    /* Ortigia's: `pad` entries of value `pad_value` beyond the row's, in its
       max and sum (a language model's prefill, compiler/llm_quant.h) */
    if (ort_attr_int(g, n, "pad", 0, &c[4], d) || ort_attr_int(g, n, "pad_value", 0, &c[5], d))
        return -1;
    /* Ortigia's: `round` 1, the probabilities rounded to the nearest
       level rather than truncated (a language model's, llm_quant.h) */
    if (ort_attr_int(g, n, "round", 0, &c[6], d))
        return -1;
    if (c[6] != 0 && c[6] != 1)
        return ort_node_fail(g, n, d, "round = %" PRId64 ": 0 or 1", c[6]);
    if (c[4] < 0 || c[4] > (1 << 20) || c[5] < -(1 << 20) || c[5] > (1 << 20))
        return ort_node_fail(g, n, d, "pad = %" PRId64 ", pad_value = %" PRId64 ": pad in [0, 2^20], "
                                      "pad_value in [-2^20, 2^20]", c[4], c[5]);
    if (n->p.n_levels > 256)
        return ort_node_fail(g, n, d, "n_levels = %" PRId64 ": at most 256 supported", n->p.n_levels);
    return same_shape_out(g, n, d);
}

void range_isoftmax(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    (void)g;
    *lo = 0;
    *hi = n->p.n_levels - 1;
}

int eval_isoftmax(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                  int64_t *out, struct ort_diag *d)
{
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    int64_t len = s->dim[s->rank - 1], rows = ort_shape_count(s) / len;
    (void)d;
    const int64_t *c = n->p.coeff;
    for (int64_t r = 0; r < rows; r++)
        softmax_row_ref(in[0] + r * len, out + r * len, (int32_t)len, (int32_t)c[0], (int32_t)c[1],
                        (int32_t)c[2], (int32_t)c[3], (int32_t)n->p.n_levels, (int32_t)c[4], (int32_t)c[5],
                        (int32_t)c[6]);
    return 0;
}

/* ---- iRMSNorm -------------------------------------------------------- */

NN_DEFINE_RMSNORM_ROW(rmsnorm_row_ref, int64_t, int64_t, int64_t)

int check_irmsnorm(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t D, stash;
    /* Ortigia's `in_mul` (coeff[0]): the input times it first (a language
       model's int8 activations scaled so that the square root is finer,
       compiler/llm_quant.c), within int32 as the kernel computes */
    if (read_int_attr(g, n, "D", &D, 1, (int64_t)1 << 31, d) ||
        read_levels(g, n, "n_levels", false, d) || check_row_input(g, n, d) ||
        ort_attr_int(g, n, "stash_type", 1, &stash, d) || ort_attr_int(g, n, "in_mul", 1, &n->p.coeff[0], d))
        return -1;
    if (n->p.coeff[0] < 1 || n->p.coeff[0] > (1 << 16))
        return ort_node_fail(g, n, d, "in_mul = %" PRId64 ": in [1, 65536]", n->p.coeff[0]);
    n->p.log2d = log2_exact(D);
    if (n->p.log2d < 0 || n->p.log2d > 31)
        return ort_node_fail(g, n, d, "D = %" PRId64 " is not a power of two", D);
    const struct ort_tensor *w = in_t(g, n, 1), *x = in_t(g, n, 0);
    char a[128];
    if (!w->is_const || w->shape.rank != 1 || w->shape.dim[0] != x->shape.dim[x->shape.rank - 1])
        return ort_node_fail(g, n, d, "the weight must be a constant vector as long as the last "
                                      "axis (%" PRId64 "), got %s%s",
                             x->shape.dim[x->shape.rank - 1], ort_shape_str(&w->shape, a, sizeof a),
                             w->is_const ? "" : " (not constant)");
    return same_shape_out(g, n, d);
}

void range_irmsnorm(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    (void)g;
    (void)n;
    *lo = -128;
    *hi = 127;
}

int eval_irmsnorm(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                  int64_t *out, struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    int64_t len = s->dim[s->rank - 1], rows = ort_shape_count(s) / len;
    for (int64_t r = 0; r < rows; r++)
        rmsnorm_row_ref(in[0] + r * len, in[1], out + r * len, (int32_t)len, (int32_t)n->p.log2d,
                        (int32_t)n->p.coeff[0], 0, (int32_t)len);
    return 0;
}

/* ---- iHardswish ------------------------------------------------------ */

int check_ihardswish(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t *c = n->p.coeff;
    if (read_int_attr(g, n, "one_over_six", &c[0], 0, 1 << 15, d) ||
        read_int_attr(g, n, "six", &c[1], 0, 1 << 15, d) ||
        read_int_attr(g, n, "three", &c[2], -(1 << 15), 1 << 15, d))
        return -1;
    return same_shape_out(g, n, d);
}

void range_ihardswish(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t tmax = n->p.coeff[1] * n->p.coeff[0];
    int64_t c[4] = {x->lo * 0, x->lo * tmax, x->hi * 0, x->hi * tmax};
    *lo = *hi = c[0];
    for (int i = 1; i < 4; i++) {
        *lo = c[i] < *lo ? c[i] : *lo;
        *hi = c[i] > *hi ? c[i] : *hi;
    }
}

int eval_ihardswish(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                    int64_t *out, struct ort_diag *d)
{
    (void)d;
    const int64_t *c = n->p.coeff;
    int64_t count = ort_shape_count(&in_t(g, n, 0)->shape);
    for (int64_t i = 0; i < count; i++)
        out[i] = nn_hardswish((int32_t)in[0][i], (int32_t)c[0], (int32_t)c[1], (int32_t)c[2]);
    return 0;
}

/* ---- TrueIntegerDiv -------------------------------------------------- */

int check_idiv(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t delta, eps, eta, y;
    const int64_t big = (int64_t)1 << 31;
    if (read_int_attr(g, n, "Delta", &delta, -big, big, d) ||
        read_int_attr(g, n, "eps", &eps, -big, big, d) ||
        read_int_attr(g, n, "eta", &eta, -big, big, d) || read_int_attr(g, n, "y", &y, -big, big, d))
        return -1;
    if (y * eta + eps == 0)
        return ort_node_fail(g, n, d, "y*eta + eps is 0: the divisor vanishes");
    n->p.coeff[0] = nn_true_div_factor(delta, eps, eta, y);
    if (n->p.coeff[0] < INT32_MIN || n->p.coeff[0] > INT32_MAX)
        return ort_node_fail(g, n, d, "the factor Delta*eta/(y*eta+eps) = %" PRId64
                                      " does not fit int32", n->p.coeff[0]);
    return same_shape_out(g, n, d);
}

void range_idiv(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t a = x->lo * n->p.coeff[0], b = x->hi * n->p.coeff[0];
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
}

int eval_idiv(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
              int64_t *out, struct ort_diag *d)
{
    (void)d;
    int64_t count = ort_shape_count(&in_t(g, n, 0)->shape);
    for (int64_t i = 0; i < count; i++)
        out[i] = in[0][i] * n->p.coeff[0];
    return 0;
}

/* ---- iLut: y = table[x + 128] for int8 x (an Ortigia operator: a
 * function of one int8 value as its 256 results, e.g. SiLU) ------------- */

const double *ort_ilut_table(const struct ort_node *n)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, "table") && n->attrs[i].n == 256)
            return n->attrs[i].values;
    return NULL;
}

int check_ilut(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    struct ort_attr *a = ort_node_attr(n, "table");
    if (!a || a->n != 256)
        return ort_node_fail(g, n, d, "the 'table' attribute must list 256 integers (the results for "
                                      "inputs -128..127)");
    for (size_t i = 0; i < 256; i++)
        if (a->values[i] != (double)(int64_t)a->values[i] || a->values[i] < INT32_MIN ||
            a->values[i] > INT32_MAX)
            return ort_node_fail(g, n, d, "table[%zu] = %g is not an int32", i, a->values[i]);
    return same_shape_out(g, n, d);
}

void range_ilut(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    (void)g;
    const double *t = ort_ilut_table(n);
    *lo = *hi = t ? (int64_t)t[0] : 0;
    for (int i = 1; t && i < 256; i++) {
        *lo = (int64_t)t[i] < *lo ? (int64_t)t[i] : *lo;
        *hi = (int64_t)t[i] > *hi ? (int64_t)t[i] : *hi;
    }
}

int eval_ilut(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
              struct ort_diag *d)
{
    const double *t = ort_ilut_table(n);
    int64_t count = ort_shape_count(&in_t(g, n, 0)->shape);
    for (int64_t i = 0; i < count; i++) {
        if (in[0][i] < -128 || in[0][i] > 127)
            return ort_node_fail((struct ort_graph *)g, (struct ort_node *)n, d,
                                 "input value %" PRId64 " is outside the table's -128..127", in[0][i]);
        out[i] = (int64_t)t[in[0][i] + 128];
    }
    return 0;
}

/* ---- iGELU ------------------------------------------------------------ */

int check_igelu(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    if (read_int_attr(g, n, "b", &n->p.coeff[0], -(1 << 15), 1 << 15, d) ||
        read_int_attr(g, n, "one", &n->p.coeff[1], -(1 << 15), 1 << 15, d))
        return -1;
    return same_shape_out(g, n, d);
}

void range_igelu(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t b = n->p.coeff[0], one = n->p.coeff[1];
    if (x->hi - x->lo <= 65536) {
        /* every value: exact bounds */
        *lo = INT64_MAX;
        *hi = INT64_MIN;
        for (int64_t v = x->lo; v <= x->hi; v++) {
            int64_t y = v * nn_igelu_factor((int32_t)v, (int32_t)b, (int32_t)one);
            *lo = y < *lo ? y : *lo;
            *hi = y > *hi ? y : *hi;
        }
        return;
    }
    int64_t t = (2 * (one < 0 ? -one : one) + b * b) / 2 + 1, m = -x->lo > x->hi ? -x->lo : x->hi;
    *lo = -m * t;
    *hi = m * t;
}

int eval_igelu(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
               struct ort_diag *d)
{
    (void)d;
    int64_t count = ort_shape_count(&in_t(g, n, 0)->shape);
    for (int64_t i = 0; i < count; i++)
        out[i] = nn_igelu((int32_t)in[0][i], (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1]);
    return 0;
}

/* ---- iNoNorm ---------------------------------------------------------- */

int check_inonorm(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t D;
    if (read_int_attr(g, n, "D", &D, 1, (int64_t)1 << 31, d) ||
        read_int_attr(g, n, "mul", &n->p.coeff[0], -((int64_t)1 << 31), ((int64_t)1 << 31) - 1, d) ||
        read_levels(g, n, "n_levels", false, d))
        return -1;
    n->p.log2d = log2_exact(D);
    if (n->p.log2d < 0 || n->p.log2d > 31)
        return ort_node_fail(g, n, d, "D = %" PRId64 " is not a power of two", D);
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    for (int k = 1; k < 3; k++) {
        struct ort_shape s;
        char a[128];
        if (ort_broadcast_shape(&in_t(g, n, k)->shape, x, &s) || !ort_shape_equal(&s, x))
            return ort_node_fail(g, n, d, "%s of shape %s does not broadcast to the input",
                                 k == 1 ? "the weight" : "the bias", ort_shape_str(&in_t(g, n, k)->shape, a, sizeof a));
    }
    return same_shape_out(g, n, d);
}

/* int8; but where (x * w + bias) * mul, computed in int32, may leave it,
 * that bound, which the types pass refuses naming the node (the inputs'
 * bounds are known only here). */
void range_inonorm(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *w = in_t(g, n, 1), *b = in_t(g, n, 2), *xt = in_t(g, n, 0);
    int64_t xm = xt->hi > -xt->lo ? xt->hi : -xt->lo, wm = w->hi > -w->lo ? w->hi : -w->lo;
    int64_t bm = b->hi > -b->lo ? b->hi : -b->lo, mm = n->p.coeff[0] < 0 ? -n->p.coeff[0] : n->p.coeff[0];
    __int128 bound = ((__int128)xm * wm + bm) * mm;
    *lo = -128;
    *hi = 127;
    if (bound > INT32_MAX) {
        *hi = bound > ((__int128)1 << 62) ? (int64_t)1 << 62 : (int64_t)bound;
        *lo = -*hi;
    }
}

int eval_inonorm(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
                 struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    const struct ort_shape *sw = &in_t(g, n, 1)->shape, *sb = &in_t(g, n, 2)->shape;
    int64_t count = ort_shape_count(s);
    for (int64_t i = 0; i < count; i++)
        out[i] = nn_inonorm((int32_t)in[0][i], (int32_t)in[1][ort_bcast_index(sw, s, i)],
                            (int32_t)in[2][ort_bcast_index(sb, s, i)], (int32_t)n->p.coeff[0], (int32_t)n->p.log2d);
    return 0;
}

/* ---- iLayerNorm ------------------------------------------------------- */

NN_DEFINE_ILAYERNORM_ROW(ilayernorm_row_ref, int64_t, int64_t, int64_t, int64_t)

int check_ilayernorm(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    int64_t D;
    if (read_int_attr(g, n, "D", &D, 1, (int64_t)1 << 31, d) || read_levels(g, n, "n_levels", false, d) ||
        check_row_input(g, n, d))
        return -1;
    n->p.log2d = log2_exact(D);
    if (n->p.log2d < 0 || n->p.log2d > 31)
        return ort_node_fail(g, n, d, "D = %" PRId64 " is not a power of two", D);
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    for (int k = 1; k < 3; k++) {
        const struct ort_tensor *t = in_t(g, n, k);
        char a[128];
        if (!t->is_const || ort_shape_count(&t->shape) != len || t->shape.dim[t->shape.rank - 1] != len)
            return ort_node_fail(g, n, d, "the %s must be a constant vector as long as the last axis (%" PRId64
                                          "), got %s%s",
                                 k == 1 ? "weight" : "bias", len, ort_shape_str(&t->shape, a, sizeof a),
                                 t->is_const ? "" : " (not constant)");
    }
    return same_shape_out(g, n, d);
}

/* int8; but where the row's sums, kept in int32, may leave it, their
 * bound (refused by the types pass, naming the node). */
void range_ilayernorm(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t len = x->shape.dim[x->shape.rank - 1], xm = x->hi > -x->lo ? x->hi : -x->lo;
    __int128 bound = (__int128)4 * xm * xm * len + xm * len;
    *lo = -128;
    *hi = 127;
    if (bound > INT32_MAX) {
        *hi = bound > ((__int128)1 << 62) ? (int64_t)1 << 62 : (int64_t)bound;
        *lo = -*hi;
    }
}

int eval_ilayernorm(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
                    struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    int64_t len = s->dim[s->rank - 1], rows = ort_shape_count(s) / len;
    for (int64_t r = 0; r < rows; r++)
        ilayernorm_row_ref(in[0] + r * len, in[1], in[2], out + r * len, (int32_t)len, (int32_t)n->p.log2d);
    return 0;
}

/* ---- ITAMax, ITAPartialMax -------------------------------------------- */

NN_DEFINE_ITAMAX_ROW(itamax_row_ref, int64_t, int64_t)
NN_DEFINE_ITAPARTIALMAX_ROW(itapartialmax_row_ref, int64_t, int64_t)

int check_itamax(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    if (read_levels(g, n, "n_levels", true, d) || check_row_input(g, n, d))
        return -1;
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    if (n->p.n_levels > 256 || n->p.n_levels < 4)
        return ort_node_fail(g, n, d, "n_levels = %" PRId64 ": 4..256 supported", n->p.n_levels);
    if (n->op->id == ORT_OPID_ITAPARTIALMAX) {
        if (read_int_attr(g, n, "group_width", &n->p.coeff[0], 1, len, d))
            return -1;
        if (len % n->p.coeff[0])
            return ort_node_fail(g, n, d, "group_width %" PRId64 " does not divide the row of %" PRId64,
                                 n->p.coeff[0], len);
    }
    return same_shape_out(g, n, d);
}

/* inv >> shift with inv <= (levels - 1) (ITAMax), levels/2 - 1
 * (ITAPartialMax): the maximum's term alone is 256. */
void range_itamax(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    (void)g;
    *lo = 0;
    *hi = n->op->id == ORT_OPID_ITAMAX ? n->p.n_levels - 1 : n->p.n_levels / 2 - 1;
}

int eval_itamax(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
                struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    int64_t len = s->dim[s->rank - 1], rows = ort_shape_count(s) / len;
    for (int64_t r = 0; r < rows; r++) {
        if (n->op->id == ORT_OPID_ITAMAX)
            itamax_row_ref(in[0] + r * len, out + r * len, (int32_t)len, (uint32_t)n->p.n_levels);
        else
            itapartialmax_row_ref(in[0] + r * len, out + r * len, (int32_t)len, (int32_t)n->p.coeff[0],
                                  (uint32_t)n->p.n_levels);
    }
    return 0;
}
