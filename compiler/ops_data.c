/* Operators that move or reduce values: Pad (constant mode), Slice,
 * Gather (constant indices), ReduceMean and ReduceSum. Pad, Slice and
 * Gather become one map (n->p.map_*): each output element is one input
 * element (or a Pad's value), which the reference and the cluster's
 * kernel (emit_data.c) both follow. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"
#include "ortigia/nn_sem.h"

static struct ort_tensor *in_t(const struct ort_graph *g, const struct ort_node *n, int k)
{
    return k < n->n_inputs && n->inputs[k] >= 0 ? &g->tensors[n->inputs[k]] : NULL;
}

static const struct ort_tensor *out_t(const struct ort_graph *g, const struct ort_node *n)
{
    return &g->tensors[n->outputs[0]];
}

/* A constant 1-D (or scalar) input's values into v[max]; *count. */
static int const_list(struct ort_graph *g, struct ort_node *n, int k, const char *what, int64_t *v, int max,
                      int *count, struct ort_diag *d)
{
    const struct ort_tensor *t = in_t(g, n, k);
    if (!t->is_const)
        return ort_node_fail(g, n, d, "%s ('%s') must be a constant", what, t->name);
    int64_t c = ort_shape_count(&t->shape);
    if (t->shape.rank > 1 || c > max)
        return ort_node_fail(g, n, d, "%s must be a list of at most %d values", what, max);
    for (int64_t i = 0; i < c; i++)
        v[i] = t->data[i];
    *count = (int)c;
    return 0;
}

/* Axes given (possibly negative) for rank r into a mask; an error on a
 * repeated or out-of-range axis. */
static int axes_mask(struct ort_graph *g, struct ort_node *n, const int64_t *axes, int count, int r, int64_t *mask,
                     struct ort_diag *d)
{
    *mask = 0;
    for (int i = 0; i < count; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        if (a < 0 || a >= r || (*mask >> a & 1))
            return ort_node_fail(g, n, d, "axis %" PRId64 " is out of range or repeated for rank %d", axes[i], r);
        *mask |= (int64_t)1 << a;
    }
    return 0;
}

int64_t ort_map_index(const struct ort_graph *g, const struct ort_node *n, int64_t flat)
{
    const struct ort_shape *is = &in_t(g, n, 0)->shape, *os = &out_t(g, n)->shape;
    int64_t c[ORT_MAX_RANK];
    for (int i = os->rank - 1; i >= 0; i--) {
        c[i] = flat % os->dim[i];
        flat /= os->dim[i];
    }
    int64_t idx = 0;
    for (int k = 0; k < is->rank; k++) {
        int64_t v;
        if (n->p.map_src[k] == -2) {
            /* Gather: the indices at the output's axes axis.. */
            const struct ort_tensor *ind = in_t(g, n, 1);
            int64_t j = 0;
            for (int q = 0; q < ind->shape.rank; q++)
                j = j * ind->shape.dim[q] + c[k + q];
            v = ind->data[j] < 0 ? ind->data[j] + is->dim[k] : ind->data[j];
        } else
            v = n->p.map_off[k] + (n->p.map_src[k] >= 0 ? n->p.map_step[k] * c[n->p.map_src[k]] : 0);
        if (v < 0 || v >= is->dim[k])
            return -1;
        idx = idx * is->dim[k] + v;
    }
    return idx;
}

static int eval_map(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out)
{
    int64_t count = ort_shape_count(&out_t(g, n)->shape);
    for (int64_t i = 0; i < count; i++) {
        int64_t src = ort_map_index(g, n, i);
        out[i] = src < 0 ? n->p.pad_value : in[0][src];
    }
    return 0;
}

static void identity_map(struct ort_node *n, int rank)
{
    for (int k = 0; k < rank; k++) {
        n->p.map_src[k] = k;
        n->p.map_off[k] = 0;
        n->p.map_step[k] = 1;
    }
}

/* ---- Pad ------------------------------------------------------------- */

int check_pad(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    int r = x->rank, count = 0;
    const char *mode;
    if (ort_attr_str(g, n, "mode", "constant", &mode, d))
        return -1;
    if (strcmp(mode, "constant") != 0)
        return ort_node_fail(g, n, d, "mode '%s' is not supported (only 'constant')", mode);
    int64_t pads[2 * ORT_MAX_RANK] = {0}, given[2 * ORT_MAX_RANK], axes[ORT_MAX_RANK];
    if (in_t(g, n, 1)) {
        if (const_list(g, n, 1, "pads", given, 2 * ORT_MAX_RANK, &count, d))
            return -1;
    } else if (ort_attr_ints(g, n, "pads", given, 2 * ORT_MAX_RANK, &count, d))
        return -1;
    int n_axes = r;
    for (int k = 0; k < r; k++)
        axes[k] = k;
    if (in_t(g, n, 3)) {
        if (const_list(g, n, 3, "axes", axes, ORT_MAX_RANK, &n_axes, d))
            return -1;
        int64_t mask;
        if (axes_mask(g, n, axes, n_axes, r, &mask, d))
            return -1;
    }
    if (count != 2 * n_axes)
        return ort_node_fail(g, n, d, "pads has %d values for %d axes", count, n_axes);
    for (int i = 0; i < n_axes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        pads[a] = given[i];
        pads[r + a] = given[n_axes + i];
    }
    n->p.pad_value = 0;
    if (in_t(g, n, 2)) {
        const struct ort_tensor *v = in_t(g, n, 2);
        if (!v->is_const || ort_shape_count(&v->shape) != 1)
            return ort_node_fail(g, n, d, "the constant value must be a scalar constant");
        n->p.pad_value = v->data[0];
    } else if (ort_node_attr(n, "value")) {
        double v;
        ort_attr_float(n, "value", 0, &v);
        if (v != (double)(int64_t)v)
            return ort_node_fail(g, n, d, "value = %g is not an integer", v);
        n->p.pad_value = (int64_t)v;
    }
    struct ort_shape s = {.rank = r};
    for (int k = 0; k < r; k++) {
        s.dim[k] = x->dim[k] + pads[k] + pads[r + k];
        if (s.dim[k] < 1)
            return ort_node_fail(g, n, d, "pads %" PRId64 ", %" PRId64 " leave axis %d empty", pads[k], pads[r + k], k);
        n->p.map_src[k] = k;
        n->p.map_off[k] = -pads[k];
        n->p.map_step[k] = 1;
    }
    return ort_set_out_shape(g, n, &s, d);
}

void range_pad(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    *lo = x->lo;
    *hi = x->hi;
    /* the value joins where some axis is padded */
    for (int k = 0; k < x->shape.rank; k++)
        if (n->p.map_off[k] < 0 || out_t(g, n)->shape.dim[k] + n->p.map_off[k] > x->shape.dim[k]) {
            *lo = n->p.pad_value < *lo ? n->p.pad_value : *lo;
            *hi = n->p.pad_value > *hi ? n->p.pad_value : *hi;
        }
}

int eval_pad(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
             struct ort_diag *d)
{
    (void)d;
    return eval_map(g, n, in, out);
}

/* ---- Slice ----------------------------------------------------------- */

int check_slice(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    int r = x->rank, ns, ne, na = 0, nst = 0;
    int64_t starts[ORT_MAX_RANK], ends[ORT_MAX_RANK], axes[ORT_MAX_RANK], steps[ORT_MAX_RANK];
    if (n->n_inputs >= 3) {
        if (const_list(g, n, 1, "starts", starts, ORT_MAX_RANK, &ns, d) ||
            const_list(g, n, 2, "ends", ends, ORT_MAX_RANK, &ne, d) ||
            (in_t(g, n, 3) && const_list(g, n, 3, "axes", axes, ORT_MAX_RANK, &na, d)) ||
            (in_t(g, n, 4) && const_list(g, n, 4, "steps", steps, ORT_MAX_RANK, &nst, d)))
            return -1;
    } else if (n->n_inputs == 1) {
        /* opset 1: attributes */
        if (ort_attr_ints(g, n, "starts", starts, ORT_MAX_RANK, &ns, d) ||
            ort_attr_ints(g, n, "ends", ends, ORT_MAX_RANK, &ne, d) ||
            ort_attr_ints(g, n, "axes", axes, ORT_MAX_RANK, &na, d))
            return -1;
    } else
        return ort_node_fail(g, n, d, "takes data, starts and ends (and optionally axes and steps)");
    if (ne != ns || (na && na != ns) || (nst && nst != ns))
        return ort_node_fail(g, n, d, "starts, ends, axes and steps differ in length");
    if (!na)
        for (int i = 0; i < ns; i++)
            axes[i] = i;
    if (!nst)
        for (int i = 0; i < ns; i++)
            steps[i] = 1;
    int64_t mask;
    if (axes_mask(g, n, axes, ns, r, &mask, d))
        return -1;
    identity_map(n, r);
    struct ort_shape s = *x;
    for (int i = 0; i < ns; i++) {
        int a = (int)(axes[i] < 0 ? axes[i] + r : axes[i]);
        int64_t dim = x->dim[a], st = steps[i], b = starts[i], e = ends[i], len;
        if (st == 0)
            return ort_node_fail(g, n, d, "step 0 on axis %d", a);
        b = b < 0 ? b + dim : b;
        e = e < 0 ? e + dim : e;
        if (st > 0) {
            b = b < 0 ? 0 : b > dim ? dim : b;
            e = e < 0 ? 0 : e > dim ? dim : e;
            len = e > b ? (e - b + st - 1) / st : 0;
        } else {
            b = b < 0 ? 0 : b > dim - 1 ? dim - 1 : b;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
            len = b > e ? (b - e - st - 1) / -st : 0;
        }
        if (len < 1)
            return ort_node_fail(g, n, d, "the slice of axis %d is empty", a);
        s.dim[a] = len;
        n->p.map_off[a] = b;
        n->p.map_step[a] = st;
    }
    return ort_set_out_shape(g, n, &s, d);
}

void range_slice(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    *lo = in_t(g, n, 0)->lo;
    *hi = in_t(g, n, 0)->hi;
}

int eval_slice(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
               struct ort_diag *d)
{
    (void)d;
    return eval_map(g, n, in, out);
}

/* ---- Gather ---------------------------------------------------------- */

int check_gather(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_tensor *x = in_t(g, n, 0), *ind = in_t(g, n, 1);
    int r = x->shape.rank, q = ind->shape.rank;
    int64_t axis;
    if (ort_attr_int(g, n, "axis", 0, &axis, d))
        return -1;
    if (axis < -r || axis >= r)
        return ort_node_fail(g, n, d, "axis %" PRId64 " is outside rank %d", axis, r);
    axis = axis < 0 ? axis + r : axis;
    if (!ind->is_const)
        return ort_node_fail(g, n, d, "the indices ('%s') must be a constant", ind->name);
    if (r - 1 + q > ORT_MAX_RANK)
        return ort_node_fail(g, n, d, "the output's rank would be above %d", ORT_MAX_RANK);
    for (int64_t i = 0; i < ort_shape_count(&ind->shape); i++)
        if (ind->data[i] < -x->shape.dim[axis] || ind->data[i] >= x->shape.dim[axis])
            return ort_node_fail(g, n, d, "index %" PRId64 " is outside axis %" PRId64 " of size %" PRId64,
                                 ind->data[i], axis, x->shape.dim[axis]);
    struct ort_shape s = {.rank = r - 1 + q};
    for (int k = 0, o = 0; k < r; k++) {
        if (k == axis) {
            for (int j = 0; j < q; j++)
                s.dim[o++] = ind->shape.dim[j];
            n->p.map_src[k] = q ? -2 : -1;
            n->p.map_off[k] = q ? 0 : (ind->data[0] < 0 ? ind->data[0] + x->shape.dim[k] : ind->data[0]);
            n->p.map_step[k] = 0;
            continue;
        }
        n->p.map_src[k] = o;
        n->p.map_off[k] = 0;
        n->p.map_step[k] = 1;
        s.dim[o++] = x->shape.dim[k];
    }
    return ort_set_out_shape(g, n, &s, d);
}

void range_gather(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    *lo = in_t(g, n, 0)->lo;
    *hi = in_t(g, n, 0)->hi;
}

int eval_gather(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
                struct ort_diag *d)
{
    (void)d;
    /* Written from ONNX's definition rather than through the map, so that
     * the map (which the kernel follows) is checked against it. */
    const struct ort_tensor *x = in_t(g, n, 0), *ind = in_t(g, n, 1);
    int axis = 0;
    while (n->p.map_src[axis] >= 0)
        axis++;
    int64_t outer = 1, inner = 1, dim = x->shape.dim[axis], count = ort_shape_count(&ind->shape);
    for (int k = 0; k < axis; k++)
        outer *= x->shape.dim[k];
    for (int k = axis + 1; k < x->shape.rank; k++)
        inner *= x->shape.dim[k];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < count; j++) {
            int64_t i = ind->data[j] < 0 ? ind->data[j] + dim : ind->data[j];
            memcpy(out + (o * count + j) * inner, in[0] + (o * dim + i) * inner, sizeof *out * (size_t)inner);
        }
    return 0;
}

/* ---- ReduceMean, ReduceSum ------------------------------------------- */

int check_reduce(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    int r = x->rank, count = 0;
    int64_t axes[ORT_MAX_RANK], noop;
    if (in_t(g, n, 1)) {
        if (const_list(g, n, 1, "axes", axes, ORT_MAX_RANK, &count, d))
            return -1;
    } else if (ort_attr_ints(g, n, "axes", axes, ORT_MAX_RANK, &count, d))
        return -1;
    if (ort_attr_int(g, n, "keepdims", 1, &n->p.keepdims, d) ||
        ort_attr_int(g, n, "noop_with_empty_axes", 0, &noop, d))
        return -1;
    if (count == 0 && noop)
        return ort_node_fail(g, n, d, "noop_with_empty_axes = 1 without axes is not supported");
    if (count == 0) {
        count = r;
        for (int k = 0; k < r; k++)
            axes[k] = k;
    }
    if (axes_mask(g, n, axes, count, r, &n->p.reduce_mask, d))
        return -1;
    struct ort_shape s = {.rank = 0};
    for (int k = 0; k < r; k++) {
        if (!(n->p.reduce_mask >> k & 1))
            s.dim[s.rank++] = x->dim[k];
        else if (n->p.keepdims)
            s.dim[s.rank++] = 1;
    }
    if (s.rank == 0)
        s.dim[s.rank++] = 1; /* a scalar result as one element */
    return ort_set_out_shape(g, n, &s, d);
}

int64_t ort_reduce_length(const struct ort_graph *g, const struct ort_node *n)
{
    const struct ort_shape *x = &in_t(g, n, 0)->shape;
    int64_t len = 1;
    for (int k = 0; k < x->rank; k++)
        if (n->p.reduce_mask >> k & 1)
            len *= x->dim[k];
    return len;
}

void range_reduce(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    int64_t len = ort_reduce_length(g, n);
    /* the sum's bounds; a mean's values stay within the input's unless
     * its sum, kept in int32, may leave it: then the sum's (refused by the
     * types pass, naming the node) */
    *lo = x->lo * len;
    *hi = x->hi * len;
    int64_t amax = (x->lo < 0 ? -x->lo : x->lo) > x->hi ? (x->lo < 0 ? -x->lo : x->lo) : x->hi;
    if (ort_op_is_mean(n) && amax * len + len <= INT32_MAX) {
        *lo = x->lo;
        *hi = x->hi;
    }
}

int eval_reduce(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, int64_t *out,
                struct ort_diag *d)
{
    const struct ort_tensor *x = in_t(g, n, 0);
    const struct ort_shape *xs = &x->shape;
    int64_t len = ort_reduce_length(g, n), count = ort_shape_count(xs), outs = ort_shape_count(&out_t(g, n)->shape);
    int64_t amax = (x->lo < 0 ? -x->lo : x->lo) > x->hi ? (x->lo < 0 ? -x->lo : x->lo) : x->hi;
    if (amax * len + len > INT32_MAX)
        return ort_node_fail(g, n, d, "a sum of %" PRId64 " values up to %" PRId64 " leaves int32", len, amax);
    memset(out, 0, sizeof *out * (size_t)outs);
    for (int64_t i = 0; i < count; i++) {
        /* the output element: the input's index without the reduced axes */
        int64_t rem = i, o = 0, stride = 1;
        for (int k = xs->rank - 1; k >= 0; k--) {
            int64_t c = rem % xs->dim[k];
            rem /= xs->dim[k];
            if (!(n->p.reduce_mask >> k & 1)) {
                o += c * stride;
                stride *= xs->dim[k];
            }
        }
        out[o] += in[0][i];
    }
    if (ort_op_is_mean(n)) {
        int shift = -1;
        for (int s = 0; s < 31; s++)
            if ((int64_t)1 << s == len)
                shift = s;
        for (int64_t o = 0; o < outs; o++)
            out[o] = nn_mean_round((int32_t)out[o], (int32_t)len, shift);
    }
    return 0;
}
