#include "ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* ---- helpers ---------------------------------------------------------- */

static struct ort_tensor *in_t(const struct ort_graph *g, const struct ort_node *n, int k)
{
    return k < n->n_inputs && n->inputs[k] >= 0 ? &g->tensors[n->inputs[k]] : NULL;
}

static struct ort_tensor *out_t(const struct ort_graph *g, const struct ort_node *n)
{
    return &g->tensors[n->outputs[0]];
}

int ort_node_fail(const struct ort_graph *g, const struct ort_node *n, struct ort_diag *d,
                  const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ort_fail(d, "%s: node '%s' (%s): %s", g->source, n->name, n->op_type, msg);
}

int ort_broadcast_shape(const struct ort_shape *a, const struct ort_shape *b, struct ort_shape *out)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    struct ort_shape s = {.rank = r};
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dim[ia] : 1, db = ib >= 0 ? b->dim[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        s.dim[i] = da == 1 ? db : da;
    }
    *out = s;
    return 0;
}

int64_t ort_bcast_index(const struct ort_shape *in, const struct ort_shape *out, int64_t flat)
{
    int64_t idx = 0, stride = 1;
    for (int i = out->rank - 1; i >= 0; i--) {
        int64_t c = flat % out->dim[i];
        flat /= out->dim[i];
        int ii = i - (out->rank - in->rank);
        if (ii < 0)
            continue;
        if (in->dim[ii] != 1)
            idx += c * stride;
        stride *= in->dim[ii];
    }
    return idx;
}

int ort_set_out_shape(struct ort_graph *g, struct ort_node *n, const struct ort_shape *s,
                      struct ort_diag *d)
{
    struct ort_tensor *o = out_t(g, n);
    char a[128], b[128];
    if (o->shape_known && !ort_shape_equal(&o->shape, s))
        return ort_node_fail(g, n, d, "output '%s' is declared %s but the inputs give %s", o->name,
                             ort_shape_str(&o->shape, a, sizeof a), ort_shape_str(s, b, sizeof b));
    o->shape = *s;
    o->shape_known = true;
    return 0;
}

static void corners(int64_t alo, int64_t ahi, int64_t blo, int64_t bhi, int64_t *lo, int64_t *hi)
{
    int64_t c[4] = {alo * blo, alo * bhi, ahi * blo, ahi * bhi};
    *lo = *hi = c[0];
    for (int i = 1; i < 4; i++) {
        if (c[i] < *lo)
            *lo = c[i];
        if (c[i] > *hi)
            *hi = c[i];
    }
}

/* Ranges are kept within +-2^62 so that interval arithmetic cannot overflow;
 * the types pass refuses anything beyond int32 anyway. */
static int64_t sat62(int64_t v)
{
    const int64_t lim = (int64_t)1 << 62;
    return v > lim ? lim : v < -lim ? -lim : v;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    __int128 p = (__int128)a * b;
    const __int128 lim = (__int128)1 << 62;
    return p > lim ? ((int64_t)1 << 62) : p < -lim ? -((int64_t)1 << 62) : (int64_t)p;
}

/* ---- elementwise: Add, Mul ------------------------------------------- */

static int check_binary(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    struct ort_tensor *a = in_t(g, n, 0), *b = in_t(g, n, 1);
    struct ort_shape s;
    char x[128], y[128];
    if (ort_broadcast_shape(&a->shape, &b->shape, &s))
        return ort_node_fail(g, n, d, "shapes %s and %s do not broadcast",
                             ort_shape_str(&a->shape, x, sizeof x), ort_shape_str(&b->shape, y, sizeof y));
    return ort_set_out_shape(g, n, &s, d);
}

static void range_add(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    *lo = sat62(in_t(g, n, 0)->lo + in_t(g, n, 1)->lo);
    *hi = sat62(in_t(g, n, 0)->hi + in_t(g, n, 1)->hi);
}

static void range_mul(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *a = in_t(g, n, 0), *b = in_t(g, n, 1);
    corners(a->lo, a->hi, b->lo, b->hi, lo, hi);
    *lo = sat62(*lo);
    *hi = sat62(*hi);
}

static void range_sub(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    *lo = sat62(in_t(g, n, 0)->lo - in_t(g, n, 1)->hi);
    *hi = sat62(in_t(g, n, 0)->hi - in_t(g, n, 1)->lo);
}

enum binary { B_ADD, B_MUL, B_SUB };

static int eval_binary(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                       int64_t *out, enum binary op)
{
    const struct ort_shape *sa = &in_t(g, n, 0)->shape, *sb = &in_t(g, n, 1)->shape;
    const struct ort_shape *so = &out_t(g, n)->shape;
    int64_t count = ort_shape_count(so);
    for (int64_t i = 0; i < count; i++) {
        int64_t a = in[0][ort_bcast_index(sa, so, i)], b = in[1][ort_bcast_index(sb, so, i)];
        out[i] = op == B_MUL ? a * b : op == B_SUB ? a - b : a + b;
    }
    return 0;
}

static int eval_add(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                    int64_t *out, struct ort_diag *d)
{
    (void)d;
    return eval_binary(g, n, in, out, B_ADD);
}

static int eval_sub(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                    int64_t *out, struct ort_diag *d)
{
    (void)d;
    return eval_binary(g, n, in, out, B_SUB);
}

static int eval_mul(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                    int64_t *out, struct ort_diag *d)
{
    (void)d;
    return eval_binary(g, n, in, out, B_MUL);
}

/* ---- MatMul and Gemm ------------------------------------------------- */

/* A matrix product's geometry, shared with codegen: batch dims of the
 * output, M, N, K, and how each operand's batch index maps. */
int ort_matmul_dims(const struct ort_graph *g, const struct ort_node *n, struct ort_matmul *m)
{
    const struct ort_shape *a = &in_t(g, n, 0)->shape, *b = &in_t(g, n, 1)->shape;
    memset(m, 0, sizeof *m);
    bool gemm = n->op->id == ORT_OPID_GEMM;
    struct ort_shape ab = {0}, bb = {0};
    if (gemm) {
        if (a->rank != 2 || b->rank != 2)
            return -1;
        m->M = n->p.trans_a ? a->dim[1] : a->dim[0];
        m->K = n->p.trans_a ? a->dim[0] : a->dim[1];
        m->N = n->p.trans_b ? b->dim[0] : b->dim[1];
        int64_t kb = n->p.trans_b ? b->dim[1] : b->dim[0];
        if (kb != m->K)
            return -1;
        m->trans_a = (int)n->p.trans_a;
        m->trans_b = (int)n->p.trans_b;
    } else {
        if (a->rank < 1 || b->rank < 1)
            return -1;
        m->M = a->rank >= 2 ? a->dim[a->rank - 2] : 1;
        m->K = a->dim[a->rank - 1];
        /* trans_b: set by the pass that folds a Transpose of B into it */
        m->trans_b = (int)n->p.trans_b;
        int64_t kb = b->rank >= 2 ? b->dim[b->rank - 2 + m->trans_b] : b->dim[0];
        m->N = b->rank >= 2 ? b->dim[b->rank - 1 - m->trans_b] : 1;
        if (kb != m->K)
            return -1;
        ab.rank = a->rank > 2 ? a->rank - 2 : 0;
        bb.rank = b->rank > 2 ? b->rank - 2 : 0;
        memcpy(ab.dim, a->dim, sizeof(int64_t) * (size_t)ab.rank);
        memcpy(bb.dim, b->dim, sizeof(int64_t) * (size_t)bb.rank);
    }
    if (ort_broadcast_shape(&ab, &bb, &m->batch))
        return -1;
    m->a_batch = ab;
    m->b_batch = bb;
    m->batches = ort_shape_count(&m->batch);
    /* output shape */
    struct ort_shape o = m->batch;
    if (gemm || a->rank >= 2)
        o.dim[o.rank++] = m->M;
    if (gemm || b->rank >= 2)
        o.dim[o.rank++] = m->N;
    m->out = o;
    return 0;
}

static int read_gemm_attrs(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    if (ort_attr_int(g, n, "transA", 0, &n->p.trans_a, d) ||
        ort_attr_int(g, n, "transB", 0, &n->p.trans_b, d))
        return -1;
    const char *names[2] = {"alpha", "beta"};
    int64_t *dst[2] = {&n->p.alpha, &n->p.beta};
    for (int i = 0; i < 2; i++) {
        struct ort_attr *a = ort_node_attr(n, names[i]);
        *dst[i] = 1;
        if (!a)
            continue;
        if (a->n != 1 || a->values[0] != (double)(int64_t)a->values[0])
            return ort_node_fail(g, n, d, "attribute '%s' = %g: only integer scales are supported "
                                          "in integer networks", names[i], a->n ? a->values[0] : 0.0);
        *dst[i] = (int64_t)a->values[0];
    }
    return 0;
}

static int check_matmul(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    bool gemm = n->op->id == ORT_OPID_GEMM;
    if (gemm && read_gemm_attrs(g, n, d))
        return -1;
    struct ort_matmul m;
    char x[128], y[128];
    const struct ort_shape *a = &in_t(g, n, 0)->shape, *b = &in_t(g, n, 1)->shape;
    if (ort_matmul_dims(g, n, &m))
        return ort_node_fail(g, n, d, "shapes %s and %s do not multiply%s",
                             ort_shape_str(a, x, sizeof x), ort_shape_str(b, y, sizeof y),
                             gemm ? " (Gemm takes 2-D operands)" : "");
    if (gemm && in_t(g, n, 2)) {
        struct ort_shape mn = {.rank = 2, .dim = {m.M, m.N}}, s;
        if (ort_broadcast_shape(&in_t(g, n, 2)->shape, &mn, &s) || !ort_shape_equal(&s, &mn))
            return ort_node_fail(g, n, d, "bias C of shape %s does not broadcast to [%" PRId64
                                          ",%" PRId64 "]",
                                 ort_shape_str(&in_t(g, n, 2)->shape, x, sizeof x), m.M, m.N);
    }
    return ort_set_out_shape(g, n, &m.out, d);
}

static void range_matmul(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    const struct ort_tensor *a = in_t(g, n, 0), *b = in_t(g, n, 1), *c = in_t(g, n, 2);
    struct ort_matmul m;
    ort_matmul_dims(g, n, &m);
    int64_t plo, phi;
    corners(a->lo, a->hi, b->lo, b->hi, &plo, &phi);
    *lo = sat_mul(plo, m.K);
    *hi = sat_mul(phi, m.K);
    if (n->op->id == ORT_OPID_GEMM) {
        int64_t l2, h2;
        corners(*lo, *hi, n->p.alpha, n->p.alpha, &l2, &h2);
        *lo = sat62(l2);
        *hi = sat62(h2);
        if (c) {
            corners(c->lo, c->hi, n->p.beta, n->p.beta, &l2, &h2);
            *lo = sat62(*lo + l2);
            *hi = sat62(*hi + h2);
        }
    }
}

static int eval_matmul(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                       int64_t *out, struct ort_diag *d)
{
    (void)d;
    struct ort_matmul m;
    ort_matmul_dims(g, n, &m);
    bool gemm = n->op->id == ORT_OPID_GEMM;
    const struct ort_tensor *c = gemm ? in_t(g, n, 2) : NULL;
    struct ort_shape mn = {.rank = 2, .dim = {m.M, m.N}};
    for (int64_t bt = 0; bt < m.batches; bt++) {
        const int64_t *A = in[0] + ort_bcast_index(&m.a_batch, &m.batch, bt) * m.M * m.K;
        const int64_t *B = in[1] + ort_bcast_index(&m.b_batch, &m.batch, bt) * m.K * m.N;
        int64_t *Y = out + bt * m.M * m.N;
        for (int64_t i = 0; i < m.M; i++)
            for (int64_t j = 0; j < m.N; j++) {
                int64_t acc = 0;
                for (int64_t k = 0; k < m.K; k++) {
                    int64_t av = m.trans_a ? A[k * m.M + i] : A[i * m.K + k];
                    int64_t bv = m.trans_b ? B[j * m.K + k] : B[k * m.N + j];
                    acc += av * bv;
                }
                if (gemm) {
                    acc *= n->p.alpha;
                    if (c)
                        acc += n->p.beta * in[2][ort_bcast_index(&c->shape, &mn, i * m.N + j)];
                }
                Y[i * m.N + j] = acc;
            }
    }
    return 0;
}

/* ---- data movement: Transpose, Reshape, Concat ------------------------ */

static int check_transpose(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *a = &in_t(g, n, 0)->shape;
    int count;
    if (ort_attr_ints(g, n, "perm", n->p.perm, ORT_MAX_RANK, &count, d))
        return -1;
    if (count == 0) {
        count = a->rank;
        for (int i = 0; i < a->rank; i++)
            n->p.perm[i] = a->rank - 1 - i;
    }
    if (count != a->rank)
        return ort_node_fail(g, n, d, "perm has %d entries for an input of rank %d", count, a->rank);
    bool seen[ORT_MAX_RANK] = {0};
    struct ort_shape s = {.rank = a->rank};
    for (int i = 0; i < count; i++) {
        int64_t p = n->p.perm[i];
        if (p < 0 || p >= a->rank || seen[p])
            return ort_node_fail(g, n, d, "perm is not a permutation of 0..%d", a->rank - 1);
        seen[p] = true;
        s.dim[i] = a->dim[p];
    }
    return ort_set_out_shape(g, n, &s, d);
}

static void range_union(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    int k_max = n->op->id == ORT_OPID_CONCAT ? n->n_inputs : 1;
    for (int k = 0; k < k_max; k++) {
        const struct ort_tensor *t = in_t(g, n, k);
        if (t->lo < *lo)
            *lo = t->lo;
        if (t->hi > *hi)
            *hi = t->hi;
    }
}

int ort_transpose_eval(const struct ort_shape *in_shape, const int64_t *perm, const int64_t *in,
                       int64_t *out)
{
    int r = in_shape->rank;
    int64_t in_stride[ORT_MAX_RANK], out_dim[ORT_MAX_RANK];
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        in_stride[i] = s;
        s *= in_shape->dim[i];
    }
    for (int i = 0; i < r; i++)
        out_dim[i] = in_shape->dim[perm[i]];
    int64_t count = s;
    for (int64_t o = 0; o < count; o++) {
        int64_t rem = o, src = 0;
        for (int i = r - 1; i >= 0; i--) {
            src += (rem % out_dim[i]) * in_stride[perm[i]];
            rem /= out_dim[i];
        }
        out[o] = in[src];
    }
    return 0;
}

static int eval_transpose(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                          int64_t *out, struct ort_diag *d)
{
    (void)d;
    return ort_transpose_eval(&in_t(g, n, 0)->shape, n->p.perm, in[0], out);
}

static int check_reshape(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_tensor *a = in_t(g, n, 0), *sh = in_t(g, n, 1);
    int64_t allowzero;
    if (ort_attr_int(g, n, "allowzero", 0, &allowzero, d))
        return -1;
    if (!sh->is_const)
        return ort_node_fail(g, n, d, "the target shape '%s' is not a constant", sh->name);
    int64_t k = ort_shape_count(&sh->shape);
    if (sh->shape.rank != 1 || k > ORT_MAX_RANK)
        return ort_node_fail(g, n, d, "the target shape must be a 1-D list of at most %d values",
                             ORT_MAX_RANK);
    struct ort_shape s = {.rank = (int)k};
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < k; i++) {
        int64_t v = sh->data[i];
        if (v == 0 && !allowzero) {
            if (i >= a->shape.rank)
                return ort_node_fail(g, n, d, "shape entry %d is 0 (copy) past the input's rank", i);
            v = a->shape.dim[i];
        }
        if (v == -1) {
            if (infer >= 0)
                return ort_node_fail(g, n, d, "more than one -1 in the target shape");
            infer = i;
            continue;
        }
        if (v < 0)
            return ort_node_fail(g, n, d, "negative size %" PRId64 " in the target shape", v);
        if (v > ORT_MAX_ELEMENTS || (v && known > ORT_MAX_ELEMENTS / v))
            return ort_node_fail(g, n, d, "the target shape has more than %" PRId64 " elements",
                                 ORT_MAX_ELEMENTS);
        s.dim[i] = v;
        known *= v;
    }
    int64_t total = ort_shape_count(&a->shape);
    if (infer >= 0) {
        if (known == 0 || total % known)
            return ort_node_fail(g, n, d, "cannot infer the -1 entry of the target shape");
        s.dim[infer] = total / known;
    }
    char x[128], y[128];
    if (ort_shape_count(&s) != total)
        return ort_node_fail(g, n, d, "cannot reshape %s into %s",
                             ort_shape_str(&a->shape, x, sizeof x), ort_shape_str(&s, y, sizeof y));
    return ort_set_out_shape(g, n, &s, d);
}

static int eval_copy(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                     int64_t *out, struct ort_diag *d)
{
    (void)d;
    memcpy(out, in[0], sizeof(int64_t) * (size_t)ort_shape_count(&out_t(g, n)->shape));
    return 0;
}

static int check_identity(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    return ort_set_out_shape(g, n, &in_t(g, n, 0)->shape, d);
}

/* Flatten: [d0 .. d(axis-1)] and [d(axis) ..] each folded into one axis. */
static int check_flatten(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *a = &in_t(g, n, 0)->shape;
    int64_t axis;
    if (ort_attr_int(g, n, "axis", 1, &axis, d))
        return -1;
    if (axis < -a->rank || axis > a->rank)
        return ort_node_fail(g, n, d, "axis %" PRId64 " is outside rank %d", axis, a->rank);
    if (axis < 0)
        axis += a->rank;
    struct ort_shape s = {.rank = 2, .dim = {1, 1}};
    for (int i = 0; i < a->rank; i++)
        s.dim[i < axis ? 0 : 1] *= a->dim[i];
    return ort_set_out_shape(g, n, &s, d);
}

static int check_concat(struct ort_graph *g, struct ort_node *n, struct ort_diag *d)
{
    const struct ort_shape *a = &in_t(g, n, 0)->shape;
    struct ort_attr *ax = ort_node_attr(n, "axis");
    if (!ax)
        return ort_node_fail(g, n, d, "the 'axis' attribute is missing");
    if (ort_attr_int(g, n, "axis", 0, &n->p.axis, d))
        return -1;
    if (n->p.axis < -a->rank || n->p.axis >= a->rank)
        return ort_node_fail(g, n, d, "axis %" PRId64 " is outside rank %d", n->p.axis, a->rank);
    if (n->p.axis < 0)
        n->p.axis += a->rank;
    struct ort_shape s = *a;
    for (int k = 1; k < n->n_inputs; k++) {
        const struct ort_shape *b = &in_t(g, n, k)->shape;
        bool ok = b->rank == a->rank;
        for (int i = 0; ok && i < a->rank; i++)
            ok = i == n->p.axis || b->dim[i] == a->dim[i];
        char x[128], y[128];
        if (!ok)
            return ort_node_fail(g, n, d, "input %d of shape %s does not match %s outside axis %" PRId64,
                                 k, ort_shape_str(b, x, sizeof x), ort_shape_str(a, y, sizeof y),
                                 n->p.axis);
        s.dim[n->p.axis] += b->dim[n->p.axis];
    }
    return ort_set_out_shape(g, n, &s, d);
}

static int eval_concat(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                       int64_t *out, struct ort_diag *d)
{
    (void)d;
    const struct ort_shape *so = &out_t(g, n)->shape;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < n->p.axis; i++)
        outer *= so->dim[i];
    for (int i = (int)n->p.axis + 1; i < so->rank; i++)
        inner *= so->dim[i];
    int64_t at = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < n->n_inputs; k++) {
            int64_t len = in_t(g, n, k)->shape.dim[n->p.axis] * inner;
            memcpy(out + at, in[k] + o * len, sizeof(int64_t) * (size_t)len);
            at += len;
        }
    return 0;
}

/* ---- the table ------------------------------------------------------- */

static const struct ort_op ops[] = {
    ORT_ELEMENTWISE_OP("Add", ORT_OPID_ADD, 2, 2, check_binary, add, ORT_OP_COMMUTATIVE),
    ORT_ELEMENTWISE_OP("Mul", ORT_OPID_MUL, 2, 2, check_binary, mul, ORT_OP_COMMUTATIVE),
    ORT_ELEMENTWISE_OP("Sub", ORT_OPID_SUB, 2, 2, check_binary, sub, 0),
    {.name = "MatMul", .id = ORT_OPID_MATMUL, .min_inputs = 2, .max_inputs = 2,
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_PRODUCT, .check = check_matmul,
     .range = range_matmul, .eval = eval_matmul},
    {.name = "Gemm", .id = ORT_OPID_GEMM, .min_inputs = 2, .max_inputs = 3,
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_PRODUCT, .check = check_matmul,
     .range = range_matmul, .eval = eval_matmul},
    {.name = "Transpose", .id = ORT_OPID_TRANSPOSE, .min_inputs = 1, .max_inputs = 1,
     .step = ORT_STEP_TRANSPOSE, .check = check_transpose, .range = range_union, .eval = eval_transpose},
    {.name = "Reshape", .id = ORT_OPID_RESHAPE, .min_inputs = 2, .max_inputs = 2, .flags = ORT_OP_ALIAS,
     .step = ORT_STEP_COPY, .check = check_reshape, .range = range_union, .eval = eval_copy},
    /* the values as they are: aliases of their input, as a Reshape */
    {.name = "Identity", .id = ORT_OPID_IDENTITY, .min_inputs = 1, .max_inputs = 1, .flags = ORT_OP_ALIAS,
     .step = ORT_STEP_COPY, .check = check_identity, .range = range_union, .eval = eval_copy},
    {.name = "Flatten", .id = ORT_OPID_FLATTEN, .min_inputs = 1, .max_inputs = 1, .flags = ORT_OP_ALIAS,
     .step = ORT_STEP_COPY, .check = check_flatten, .range = range_union, .eval = eval_copy},
    {.name = "Concat", .id = ORT_OPID_CONCAT, .min_inputs = 1, .max_inputs = 64, .step = ORT_STEP_COPY,
     .check = check_concat, .range = range_union, .eval = eval_concat},
    ORT_INTEGER_OPS
};

const struct ort_op *ort_op_table(size_t *n)
{
    *n = sizeof ops / sizeof ops[0];
    return ops;
}

const struct ort_op *ort_op_find(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

static void list_ops(char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", ops[i].name);
}

int ort_ops_check(struct ort_graph *g, struct ort_diag *d)
{
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        const struct ort_op *op = ort_op_find(n->op_type);
        if (!op) {
            char known[512];
            list_ops(known, sizeof known);
            return ort_fail(d, "%s: node '%s': operator '%s' is not supported (supported: %s)",
                            g->source, n->name, n->op_type, known);
        }
        n->op = op;
        n->alias = op->flags & ORT_OP_ALIAS;
        if (n->n_inputs < op->min_inputs || n->n_inputs > op->max_inputs)
            return ort_node_fail(g, n, d, "has %d inputs, expected %d..%d", n->n_inputs,
                                 op->min_inputs, op->max_inputs);
        if (n->n_outputs != 1)
            return ort_node_fail(g, n, d, "has %d outputs; only one is supported", n->n_outputs);
        for (int k = 0; k < op->min_inputs; k++)
            if (n->inputs[k] < 0)
                return ort_node_fail(g, n, d, "input %d is missing", k);
        for (int k = 0; k < n->n_inputs; k++) {
            const struct ort_tensor *t = in_t(g, n, k);
            if (t && !t->shape_known)
                return ort_node_fail(g, n, d, "the shape of input '%s' is unknown", t->name);
        }
        memset(&n->p, 0, sizeof n->p);
        for (int a = 0; a < n->n_attrs; a++)
            n->attrs[a].used = false;
        if (op->check(g, n, d))
            return -1;
        char what[600];
        snprintf(what, sizeof what, "node '%s' (%s): output '%s'", n->name, n->op_type,
                 out_t(g, n)->name);
        if (ort_shape_check(&out_t(g, n)->shape, g->source, what, d))
            return -1;
        for (int a = 0; a < n->n_attrs; a++)
            if (!n->attrs[a].used)
                return ort_node_fail(g, n, d, "unknown attribute '%s'", n->attrs[a].name);
    }
    return 0;
}
