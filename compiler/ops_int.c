/* Deeploy's integer operators: RequantShift, iSoftmax, iRMSNorm,
 * iHardswish, TrueIntegerDiv. Arithmetic: firmware/include/ortigia/nn_sem.h. */
#include <inttypes.h>
#include <string.h>

#include "ops_int.h"
#include "ortigia/nn_sem.h"

static struct ort_tensor *in_t(const struct ort_graph *g, const struct ort_node *n, int k)
{
    return k < n->n_inputs && n->inputs[k] >= 0 ? &g->tensors[n->inputs[k]] : NULL;
}

static int same_shape_out(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    struct ort_tensor *o = &g->tensors[n->outputs[0]];
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    char a[128], b[128];
    if (o->shape_known && !ort_shape_equal(&o->shape, s))
        return ort_node_fail(g, n, d, "output '%s' is declared %s but the input is %s", o->name,
                             ort_shape_str(&o->shape, a, sizeof a), ort_shape_str(s, b, sizeof b));
    o->shape = *s;
    o->shape_known = true;
    return 0;
}

/* n_levels -> the output range: signed [-n/2, n/2-1], unsigned [0, n-1]. */
static void levels_range(int64_t n_levels, bool is_signed, int64_t *lo, int64_t *hi)
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
        const struct ort_tensor *t = in_t(g, n, k);
        struct ort_shape s;
        char a[128];
        if (!t->is_const)
            return ort_node_fail(g, n, d, "input %d ('%s', %s) must be a constant", k, t->name,
                                 k == 1 ? "mul" : "add");
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
    levels_range(n->p.n_levels, n->p.is_signed, lo, hi);
}

int eval_rqs(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
             int64_t *out, struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *s = &in_t(g, n, 0)->shape;
    const struct ort_shape *sm = &in_t(g, n, 1)->shape, *sa = &in_t(g, n, 2)->shape;
    int64_t lo, hi;
    levels_range(n->p.n_levels, n->p.is_signed, &lo, &hi);
    int64_t count = ort_shape_count(s);
    for (int64_t i = 0; i < count; i++)
        out[i] = nn_requant64(in[0][i], (int32_t)in[1][ort_bcast_index(sm, s, i)],
                              (int32_t)in[2][ort_bcast_index(sa, s, i)], (int32_t)n->p.log2d,
                              (int32_t)lo, (int32_t)hi);
    return 0;
}

/* ---- to come --------------------------------------------------------- */
#define NOT_YET(fn)                                                                          \
    int check_##fn(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)              \
    {                                                                                        \
        return ort_node_fail(g, n, d, "not yet");                                            \
    }                                                                                        \
    void range_##fn(const struct ort_graph *g, const struct ort_node *n, int64_t *lo,        \
                    int64_t *hi)                                                             \
    {                                                                                        \
        (void)g; (void)n; *lo = *hi = 0;                                                     \
    }                                                                                        \
    int eval_##fn(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, \
                  int64_t *out, struct ort_diag *d)                                          \
    {                                                                                        \
        (void)in; (void)out;                                                                 \
        return ort_node_fail(g, n, d, "not yet");                                            \
    }
NOT_YET(isoftmax)
NOT_YET(irmsnorm)
NOT_YET(ihardswish)
NOT_YET(idiv)
