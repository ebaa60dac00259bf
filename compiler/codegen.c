#include "codegen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "memplan.h"
#include "ortigia/nn_sem.h"
#include "ops.h"
#include "ops_int.h"
#include "tiling.h"
#include "types.h"

/* ---- where each tensor lives ------------------------------------------ */

enum where { W_NONE, W_ARENA, W_WMEM, W_INPUT, W_OUTPUT };

struct place {
    enum where where;
    int64_t offset;  /* in its area; W_OUTPUT: the output's index */
    int alias_of;    /* tensor whose buffer this one shares (Reshape), or -1 */
    int buffer;      /* W_ARENA: index into the plan's buffers */
};

/* A constant as stored in the weight memory: tensor t, row-major or (for a
 * matrix product's weights) transposed to [N][K]. */
struct stored_const {
    int tensor;          /* -1: a table the generator made (data) */
    bool transposed;
    int64_t offset, bytes;
    int64_t *data, count; /* a made table: int32 values */
};

/* One step of the generated program: a node and how it is tiled. */
enum step_kind {
    S_ELEMWISE, S_SOFTMAX, S_RMSNORM, S_MATMUL_W, S_MATMUL_A, S_TRANSPOSE, S_CONCAT,
    S_DMA_COPY, /* a Concat the DMA does alone */
};

struct step {
    int node;
    enum step_kind kind;
    int operand_tensor[NN_MAX_OPERANDS]; /* tensor of each operand (-1 none) */
    int64_t operand_const[NN_MAX_OPERANDS]; /* stored_const index for weights, else -1 */
    struct ort_tile_plan plan;
};

struct gen {
    const struct ort_graph *g;
    const struct ort_codegen_options *o;
    struct place *place;
    struct stored_const *consts;
    int n_consts;
    int64_t wmem_bytes;
    struct step *steps;
    int n_steps;
    int64_t inputs_bytes;
    FILE *c;
    struct ort_diag *d;
};

static int64_t align4(int64_t v) { return (v + 3) & ~(int64_t)3; }

static const char *ctype(enum ort_dtype t)
{
    switch (t) {
    case ORT_DT_INT8: return "int8_t";
    case ORT_DT_UINT8: return "uint8_t";
    default: return "int32_t";
    }
}

static int esize(const struct ort_tensor *t) { return ort_dtype_size(t->storage); }

static int64_t tensor_bytes(const struct ort_tensor *t)
{
    return ort_shape_count(&t->shape) * esize(t);
}

static int root_of(const struct gen *G, int t)
{
    while (G->place[t].alias_of >= 0)
        t = G->place[t].alias_of;
    return t;
}

/* A table of int32 values the generator computed (e.g. softmax terms). */
static int store_table(struct gen *G, int64_t *data, int64_t count)
{
    G->consts = realloc(G->consts, sizeof *G->consts * (size_t)(G->n_consts + 1));
    struct stored_const *s = &G->consts[G->n_consts];
    memset(s, 0, sizeof *s);
    s->tensor = -1;
    s->data = data;
    s->count = count;
    s->bytes = 4 * count;
    s->offset = G->wmem_bytes;
    G->wmem_bytes += align4(s->bytes);
    return G->n_consts++;
}

static int store_const(struct gen *G, int t, bool transposed)
{
    for (int i = 0; i < G->n_consts; i++)
        if (G->consts[i].tensor == t && G->consts[i].transposed == transposed)
            return i;
    G->consts = realloc(G->consts, sizeof *G->consts * (size_t)(G->n_consts + 1));
    struct stored_const *s = &G->consts[G->n_consts];
    memset(s, 0, sizeof *s);
    s->tensor = t;
    s->transposed = transposed;
    s->bytes = tensor_bytes(&G->g->tensors[t]);
    s->offset = G->wmem_bytes;
    G->wmem_bytes += align4(s->bytes);
    return G->n_consts++;
}

/* The C expression of a tensor's (or stored constant's) address. */
static void addr_expr(const struct gen *G, int t, int64_t cst, char *buf, size_t size)
{
    if (cst >= 0) {
        snprintf(buf, size, "(ort_weights + %" PRId64 ")", G->consts[cst].offset);
        return;
    }
    t = root_of(G, t);
    const struct place *p = &G->place[t];
    switch (p->where) {
    case W_ARENA: snprintf(buf, size, "(ort_act + %" PRId64 ")", p->offset); break;
    case W_INPUT: snprintf(buf, size, "(ort_inputs + %" PRId64 ")", p->offset); break;
    case W_OUTPUT: snprintf(buf, size, "ort_output_%" PRId64, p->offset); break;
    default: snprintf(buf, size, "0 /* unplaced */");
    }
}

/* ---- index expressions -------------------------------------------------- */

/* Flat index into `in` of the element at flat index `var` of `out` under
 * broadcasting, as C text with literal constants. */
/* Division by a constant in generated code. GCC for RV32 emits divu for
 * x / d even with d constant (3-35 cycles on the core); a high multiply
 * by a magic number (5 cycles) is exact for every x <= xmax when
 * xmax * (M*d - 2^S) < 2^S, with M = ceil(2^S / d) and S = 32 + s. */
static bool magic(int64_t d, int64_t xmax, uint32_t *m, int *shift)
{
    for (int sh = 0; sh < 32; sh++) {
        unsigned __int128 two_s = (unsigned __int128)1 << (32 + sh);
        unsigned __int128 M = (two_s + (unsigned __int128)d - 1) / (unsigned __int128)d;
        if (M >> 32)
            return false;
        unsigned __int128 e = M * (unsigned __int128)d - two_s;
        if ((unsigned __int128)xmax * e < two_s) {
            *m = (uint32_t)M;
            *shift = sh;
            return true;
        }
    }
    return false;
}

static bool pow2(int64_t d) { return d > 0 && (d & (d - 1)) == 0; }

static int log2i(int64_t d)
{
    int k = 0;
    while (((int64_t)1 << k) < d)
        k++;
    return k;
}

/* C text of x / d and x % d for 0 <= x <= xmax. */
static void cdiv(char *buf, size_t size, const char *x, int64_t d, int64_t xmax)
{
    uint32_t m;
    int sh;
    if (d == 1)
        snprintf(buf, size, "%s", x);
    else if (pow2(d))
        snprintf(buf, size, "((%s) >> %d)", x, log2i(d));
    else if (magic(d, xmax, &m, &sh))
        snprintf(buf, size, "nn_divc(%s, %uu, %d)", x, m, sh);
    else
        snprintf(buf, size, "((%s) / %" PRId64 "u)", x, d);
}

static void cmod(char *buf, size_t size, const char *x, int64_t d, int64_t xmax)
{
    uint32_t m;
    int sh;
    if (d == 1)
        snprintf(buf, size, "0u");
    else if (pow2(d))
        snprintf(buf, size, "((%s) & %" PRId64 "u)", x, d - 1);
    else if (magic(d, xmax, &m, &sh))
        snprintf(buf, size, "nn_modc(%s, %" PRId64 "u, %uu, %d)", x, d, m, sh);
    else
        snprintf(buf, size, "((%s) %% %" PRId64 "u)", x, d);
}

/* The coordinate (var / ostride) % od of an index var < total, as C. */
static void coord_expr(char *buf, size_t size, const char *var, int64_t ostride, int64_t od, int64_t total)
{
    char q[256];
    cdiv(q, sizeof q, var, ostride, total - 1);
    if (ostride * od >= total)
        snprintf(buf, size, "%s", q);
    else
        cmod(buf, size, q, od, total / ostride - 1);
}

/* Flat index into `in` of the element at flat index `var` of `out` under
 * broadcasting, as C text with literal constants. */
static void bcast_expr(const struct ort_shape *in, const struct ort_shape *out, const char *var,
                       char *buf, size_t size)
{
    size_t at = 0;
    int64_t ostride = 1, istride = 1, total = ort_shape_count(out);
    buf[0] = 0;
    int terms = 0;
    for (int i = out->rank - 1; i >= 0; i--) {
        int ii = i - (out->rank - in->rank);
        int64_t od = out->dim[i], id = ii >= 0 ? in->dim[ii] : 1;
        if (id != 1 && od != 1) {
            char c[600];
            coord_expr(c, sizeof c, var, ostride, od, total);
            at += (size_t)snprintf(buf + at, size - at, "%s%s * %" PRId64 "u", terms++ ? " + " : "", c,
                                   istride);
        }
        ostride *= od;
        if (ii >= 0)
            istride *= id;
    }
    if (!terms)
        snprintf(buf, size, "0");
}

static void transpose_expr(const struct ort_shape *in, const int64_t *perm, const char *var, char *buf,
                           size_t size)
{
    int64_t istride[ORT_MAX_RANK], s = 1;
    for (int i = in->rank - 1; i >= 0; i--) {
        istride[i] = s;
        s *= in->dim[i];
    }
    size_t at = 0;
    int terms = 0;
    int64_t ostride = 1;
    buf[0] = 0;
    for (int i = in->rank - 1; i >= 0; i--) {
        int64_t od = in->dim[perm[i]];
        if (od != 1) {
            char c[600];
            coord_expr(c, sizeof c, var, ostride, od, s);
            at += (size_t)snprintf(buf + at, size - at, "%s%s * %" PRId64 "u", terms++ ? " + " : "", c,
                                   istride[perm[i]]);
        }
        ostride *= od;
    }
    if (!terms)
        snprintf(buf, size, "0");
}

/* ---- lowering: nodes to steps ------------------------------------------ */

static struct ort_tensor *T(const struct gen *G, int t) { return &G->g->tensors[t]; }

static void add_operand(struct step *s, int tensor, int64_t cst, int mode, int64_t unit_bytes,
                        int64_t bytes)
{
    int k = s->plan.n++;
    s->operand_tensor[k] = tensor;
    s->operand_const[k] = cst;
    s->plan.op[k].mode = mode;
    s->plan.op[k].unit_bytes = unit_bytes;
    s->plan.op[k].bytes = bytes;
    s->plan.op[k].rows = 0;
}

static bool is_scalar_const(const struct ort_tensor *t)
{
    return t->is_const && ort_shape_count(&t->shape) == 1;
}

/* A constant operand is read from the weight memory; a variable one from
 * its buffer. */
static int64_t const_ref(struct gen *G, int t) { return T(G, t)->is_const ? store_const(G, t, false) : -1; }

static int operand_of(const struct step *s, int tensor)
{
    for (int k = 0; k < s->plan.n; k++)
        if (s->operand_tensor[k] == tensor)
            return k;
    return -1;
}

/* An input a link of the step reads: nothing for a scalar constant (a
 * literal), a sliced operand for a full-size variable when `rows` allows,
 * else the whole tensor (read at the broadcast index). */
static void add_side(struct gen *G, struct step *s, int t, int64_t out_count, bool rows)
{
    const struct ort_tensor *x = T(G, t);
    if (is_scalar_const(x) || operand_of(s, t) >= 0)
        return;
    if (rows && !x->is_const && ort_shape_count(&x->shape) == out_count)
        add_operand(s, t, -1, NN_ROWS, esize(x), 0);
    else
        add_operand(s, t, const_ref(G, t), NN_WHOLE, 0, tensor_bytes(x));
}

/* The other inputs of an epilogue link c whose main operand is `cur`. */
static void add_link_sides(struct gen *G, struct step *s, const struct ort_node *c, int cur,
                           int64_t out_count, bool rows)
{
    bool main_seen = false;
    for (int k = 0; k < c->n_inputs; k++) {
        if (c->inputs[k] == cur && !main_seen) {
            main_seen = true;
            continue;
        }
        add_side(G, s, c->inputs[k], out_count, rows);
    }
}

/* The epilogue of n applied to the value v on the host (its links take
 * only scalar constants), with the target's semantics. */
static int64_t eval_epilogue(const struct gen *G, const struct ort_node *n, int64_t v)
{
    for (int e = 0; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        const char *op = c->op_type;
        if (c->alias)
            continue;
        if (!strcmp(op, "Add") || !strcmp(op, "Mul")) {
            int other = c->inputs[0] == (e ? G->g->nodes[n->epilogue[e - 1]].outputs[0] : n->outputs[0])
                            ? c->inputs[1] : c->inputs[0];
            int64_t k = T(G, other)->data[0];
            v = op[0] == 'A' ? v + k : v * k;
        } else if (!strcmp(op, "iHardswish")) {
            v = nn_hardswish((int32_t)v, (int32_t)c->p.coeff[0], (int32_t)c->p.coeff[1], (int32_t)c->p.coeff[2]);
        } else if (!strcmp(op, "TrueIntegerDiv")) {
            v = v * c->p.coeff[0];
        } else {
            int64_t lo = c->p.is_signed ? -(c->p.n_levels / 2) : 0;
            int64_t hi = c->p.is_signed ? c->p.n_levels / 2 - 1 : c->p.n_levels - 1;
            v = nn_requant64(v, (int32_t)T(G, c->inputs[1])->data[0], (int32_t)T(G, c->inputs[2])->data[0],
                             (int32_t)c->p.log2d, (int32_t)lo, (int32_t)hi);
        }
    }
    return v;
}

/* The tensor a node's kernel finally writes: the last of its epilogue. */
static int final_output(const struct gen *G, const struct ort_node *n)
{
    return n->n_epilogue ? G->g->nodes[n->epilogue[n->n_epilogue - 1]].outputs[0] : n->outputs[0];
}

/* Side operands of the whole epilogue of n. */
static void add_epilogue_sides(struct gen *G, struct step *s, const struct ort_node *n, bool rows)
{
    int cur = n->outputs[0];
    int64_t count = ort_shape_count(&T(G, cur)->shape);
    for (int e = 0; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias)
            add_link_sides(G, s, c, cur, count, rows);
        cur = c->outputs[0];
    }
}

static int lower_node(struct gen *G, int ni, struct step *s)
{
    const struct ort_graph *g = G->g;
    const struct ort_node *n = &g->nodes[ni];
    const char *op = n->op_type;
    int out = n->outputs[0];
    const struct ort_tensor *o = T(G, out);
    memset(s, 0, sizeof *s);
    s->node = ni;
    for (int k = 0; k < NN_MAX_OPERANDS; k++) {
        s->operand_tensor[k] = -1;
        s->operand_const[k] = -1;
    }
    int64_t count = ort_shape_count(&o->shape);
    if (!strcmp(op, "Add") || !strcmp(op, "Mul") || !strcmp(op, "RequantShift") ||
        !strcmp(op, "iHardswish") || !strcmp(op, "TrueIntegerDiv")) {
        s->kind = S_ELEMWISE;
        s->plan.units = count;
        for (int k = 0; k < n->n_inputs; k++)
            add_side(G, s, n->inputs[k], count, true);
        add_epilogue_sides(G, s, n, true);
        out = final_output(G, n);
        add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
        return 0;
    }
    if (!strcmp(op, "iSoftmax") || !strcmp(op, "iRMSNorm")) {
        const struct ort_tensor *x = T(G, n->inputs[0]);
        int64_t len = x->shape.dim[x->shape.rank - 1];
        s->kind = op[1] == 'S' ? S_SOFTMAX : S_RMSNORM;
        s->plan.units = count / len;
        add_operand(s, n->inputs[0], -1, NN_ROWS, len * esize(x), 0);
        if (s->kind == S_SOFTMAX && esize(x) == 1) {
            /* The terms, looked up by max - x (at most 256 values). */
            int64_t span = x->hi - x->lo + 1, *tab = malloc(sizeof *tab * (size_t)span);
            for (int64_t d = 0; d < span; d++)
                tab[d] = nn_softmax_term((int32_t)-d, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1],
                                         (int32_t)n->p.coeff[2], (int32_t)n->p.coeff[3],
                                         0xFFFFFFFFu / (uint32_t)n->p.coeff[3]);
            add_operand(s, -1, store_table(G, tab, span), NN_WHOLE, 0, 4 * span);
            if (n->n_epilogue) {
                /* The epilogue as a table over the output values. */
                int64_t levels = n->p.n_levels, *map = malloc(sizeof *map * (size_t)levels);
                for (int64_t q = 0; q < levels; q++)
                    map[q] = eval_epilogue(G, n, q);
                add_operand(s, -1, store_table(G, map, levels), NN_WHOLE, 0, 4 * levels);
                out = final_output(G, n);
                o = T(G, out);
            }
        }
        if (s->kind == S_RMSNORM)
            add_operand(s, n->inputs[1], const_ref(G, n->inputs[1]), NN_WHOLE, 0,
                        tensor_bytes(T(G, n->inputs[1])));
        add_operand(s, out, -1, NN_OUT_ROWS, len * esize(o), 0);
        return 0;
    }
    if (!strcmp(op, "MatMul") || !strcmp(op, "Gemm")) {
        struct ort_matmul m;
        ort_matmul_dims(g, n, &m);
        out = final_output(G, n);
        o = T(G, out);
        const struct ort_tensor *a = T(G, n->inputs[0]), *b = T(G, n->inputs[1]);
        bool gemm = op[0] == 'G';
        bool b_flat = gemm || ort_shape_count(&m.b_batch) == 1;
        if (b->is_const && b_flat && !m.trans_a) {
            /* Weights: streamed by columns of the output, as rows of the
             * transposed matrix; A's batch folds into its rows. */
            s->kind = S_MATMUL_W;
            int64_t rows = m.batches * m.M;
            s->plan.units = m.N;
            add_operand(s, n->inputs[0], const_ref(G, n->inputs[0]), NN_WHOLE, 0, rows * m.K * esize(a));
            add_operand(s, n->inputs[1], store_const(G, n->inputs[1], !m.trans_b), NN_ROWS,
                        m.K * esize(b), 0);
            if (gemm && n->n_inputs > 2 && n->inputs[2] >= 0)
                add_side(G, s, n->inputs[2], 0, false);
            add_epilogue_sides(G, s, n, false);
            add_operand(s, out, -1, NN_OUT_COLS, esize(o), 0);
            s->plan.op[s->plan.n - 1].rows = rows;
            return 0;
        }
        s->kind = S_MATMUL_A;
        s->plan.units = m.batches * m.M;
        bool a_rows = !m.trans_a && !a->is_const && ort_shape_count(&m.a_batch) == m.batches;
        if (a_rows)
            add_operand(s, n->inputs[0], -1, NN_ROWS, m.K * esize(a), 0);
        else
            add_operand(s, n->inputs[0], const_ref(G, n->inputs[0]), NN_WHOLE, 0, tensor_bytes(a));
        add_operand(s, n->inputs[1], const_ref(G, n->inputs[1]), NN_WHOLE, 0, tensor_bytes(b));
        if (gemm && n->n_inputs > 2 && n->inputs[2] >= 0)
            add_side(G, s, n->inputs[2], 0, false);
        add_epilogue_sides(G, s, n, false);
        add_operand(s, out, -1, NN_OUT_ROWS, m.N * esize(o), 0);
        return 0;
    }
    if (!strcmp(op, "Transpose")) {
        s->kind = S_TRANSPOSE;
        s->plan.units = count;
        int x = n->inputs[0];
        add_operand(s, x, const_ref(G, x), NN_WHOLE, 0, tensor_bytes(T(G, x)));
        add_operand(s, out, -1, NN_OUT_ROWS, esize(o), 0);
        return 0;
    }
    if (!strcmp(op, "Concat") || !strcmp(op, "Reshape")) {
        /* Reshape lowered to a step only when it must copy (see plan). */
        s->kind = S_CONCAT;
        int64_t axis = op[0] == 'C' ? n->p.axis : 0, outer = 1, inner = 1;
        for (int i = 0; i < axis; i++)
            outer *= o->shape.dim[i];
        for (int i = (int)axis + 1; i < o->shape.rank; i++)
            inner *= o->shape.dim[i];
        if (op[0] == 'R')
            inner = count, outer = 1;
        s->plan.units = outer;
        int ins = op[0] == 'C' ? n->n_inputs : 1;
        bool dma_only = true;
        for (int k = 0; k < ins; k++)
            dma_only = dma_only && !T(G, n->inputs[k])->is_const &&
                       T(G, n->inputs[k])->storage == o->storage;
        if (dma_only)
            s->kind = S_DMA_COPY;
        if (ins > NN_MAX_OPERANDS - 1)
            return ort_fail(G->d, "%s: node '%s' (Concat): %d inputs, at most %d supported",
                            g->source, n->name, ins, NN_MAX_OPERANDS - 1);
        for (int k = 0; k < ins; k++) {
            const struct ort_tensor *x = T(G, n->inputs[k]);
            int64_t len = op[0] == 'C' ? x->shape.dim[axis] * inner : inner;
            if (x->is_const)
                add_operand(s, n->inputs[k], const_ref(G, n->inputs[k]), NN_WHOLE, 0, tensor_bytes(x));
            else
                add_operand(s, n->inputs[k], -1, NN_ROWS, len * esize(x), 0);
        }
        add_operand(s, out, -1, NN_OUT_ROWS, count / outer * esize(o), 0);
        return 0;
    }
    return ort_fail(G->d, "%s: node '%s' (%s): no code generator for this operator", g->source,
                    n->name, op);
}

/* ---- memory planning ------------------------------------------------------ */

static int plan_memory(struct gen *G, struct ort_codegen_report *r)
{
    const struct ort_graph *g = G->g;
    int nt = g->n_tensors;
    G->place = calloc((size_t)nt, sizeof *G->place);
    for (int t = 0; t < nt; t++) {
        G->place[t].alias_of = -1;
        G->place[t].buffer = -1;
    }
    int64_t at = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        struct place *p = &G->place[g->inputs[i]];
        p->where = W_INPUT;
        p->offset = at;
        at += align4(tensor_bytes(T(G, g->inputs[i])));
    }
    G->inputs_bytes = at;
    int64_t out_bytes = 0;
    for (int i = 0; i < g->n_outputs; i++) {
        int t = g->outputs[i];
        const struct ort_tensor *ot = T(G, t);
        if (ot->is_input || ot->is_const || G->place[t].where == W_OUTPUT)
            return ort_fail(G->d, "%s: output '%s' is %s; only outputs that nodes compute, each "
                                  "listed once, are supported",
                            g->source, ot->name,
                            ot->is_input ? "a graph input" : ot->is_const ? "a constant" : "listed twice");
        if (G->place[t].where == W_NONE) {
            G->place[t].where = W_OUTPUT;
            G->place[t].offset = i;
            out_bytes += align4(tensor_bytes(T(G, t)));
        }
    }
    r->l2_io_bytes = G->inputs_bytes + out_bytes;
    /* Nodes whose output is their input's bytes (Reshape, no-op Transpose,
     * identity RequantShift) share its buffer: the output aliases the
     * input; or, when the output is a graph output, the input (an
     * intermediate) is written straight into the output's buffer. Else
     * (a constant input, another type) the node copies. */
    bool *no_step = calloc((size_t)g->n_nodes + 1, sizeof *no_step);
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        if (n->removed || !n->alias)
            continue;
        int x = n->inputs[0], y = n->outputs[0];
        const struct ort_tensor *tx = T(G, x), *ty = T(G, y);
        if (tx->is_const || tx->storage != ty->storage)
            continue;
        if (!ty->is_output) {
            G->place[y].alias_of = x;
            no_step[i] = true;
        } else if (tx->producer >= 0 && !tx->is_output && G->place[x].alias_of < 0 &&
                   G->place[x].where == W_NONE) {
            G->place[x].alias_of = y;
            no_step[i] = true;
        }
    }
    /* Steps. */
    G->steps = calloc(g->n_nodes > 0 ? (size_t)g->n_nodes : 1, sizeof *G->steps);
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        if (n->removed || n->fused || no_step[i])
            continue;
        if (lower_node(G, i, &G->steps[G->n_steps])) {
            free(no_step);
            return -1;
        }
        G->n_steps++;
    }
    /* Lifetimes of the arena buffers: from the step that writes the root
     * to the last step that reads it or an alias of it. */
    struct ort_buffer *bufs = calloc((size_t)nt, sizeof *bufs);
    int nb = 0;
    for (int si = 0; si < G->n_steps; si++) {
        const struct step *s = &G->steps[si];
        for (int k = 0; k < s->plan.n; k++) {
            int t = s->operand_tensor[k];
            if (t < 0 || s->operand_const[k] >= 0)
                continue;
            t = root_of(G, t);
            struct place *p = &G->place[t];
            if (p->where == W_INPUT || p->where == W_OUTPUT)
                continue;
            if (p->buffer < 0) {
                p->where = W_ARENA;
                p->buffer = nb;
                bufs[nb].size = tensor_bytes(T(G, t));
                bufs[nb].first = bufs[nb].last = si;
                nb++;
            }
            struct ort_buffer *b = &bufs[p->buffer];
            if (si < b->first)
                b->first = si;
            if (si > b->last)
                b->last = si;
        }
    }
    free(no_step);
    r->l2_peak = ort_memplan(bufs, nb, 4, &r->l2_lower_bound);
    /* Small enough: the activations live in L1, used in place. */
    r->activations_in_l1 = r->l2_peak <= G->o->l1_budget / 2;
    for (int t = 0; t < nt; t++)
        if (G->place[t].buffer >= 0)
            G->place[t].offset = bufs[G->place[t].buffer].offset;
    free(bufs);
    r->wmem_bytes = G->wmem_bytes;
    /* What the memories hold: the platform's sizes (code and the stacks
     * take up to 256 KiB of L2). */
    const int64_t l2_reserve = 256 * 1024;
    if (r->l2_peak + r->l2_io_bytes + l2_reserve > G->o->l2_size)
        return ort_fail(G->d, "%s: the network does not fit L2: activations need %" PRId64
                              " bytes and inputs/outputs %" PRId64 " (with %" PRId64
                              " for code and stacks), L2 has %" PRId64,
                        g->source, r->l2_peak, r->l2_io_bytes, l2_reserve, G->o->l2_size);
    if (G->wmem_bytes > G->o->wmem_size)
        return ort_fail(G->d, "%s: the constants need %" PRId64 " bytes, more than the weight "
                              "memory's %" PRId64, g->source, G->wmem_bytes, G->o->wmem_size);
    return 0;
}

/* ---- emission ---------------------------------------------------------------- */

static void emit(struct gen *G, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *G, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(G->c, fmt, ap);
    va_end(ap);
}

static const char *tensor_ctype(const struct gen *G, int t) { return ctype(T(G, t)->storage); }

/* Operand k declared as `name`, typed by its tensor. */
static void emit_operand(struct gen *G, const struct step *s, int k, const char *name, bool is_out)
{
    emit(G, "    %s%s *%s = p[%d];\n", is_out ? "" : "const ", tensor_ctype(G, s->operand_tensor[k]),
         name, k);
}

/* Operands from..n-2 (all but the output) declared as x<k>. */
static void emit_inputs(struct gen *G, const struct step *s, int from)
{
    for (int k = from; k < s->plan.n - 1; k++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", k % 100);
        emit_operand(G, s, k, name, false);
    }
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int64_t rqs_lo(const struct ort_node *r) { return r->p.is_signed ? -(r->p.n_levels / 2) : 0; }
static int64_t rqs_hi(const struct ort_node *r)
{
    return r->p.is_signed ? r->p.n_levels / 2 - 1 : r->p.n_levels - 1;
}

static int64_t absmax(const struct ort_tensor *t)
{
    int64_t a = abs64(t->lo), b = abs64(t->hi);
    return a > b ? a : b;
}

/* x * mul + add + 2^(s-1) stays within int32 for every value the ranges
 * allow: the int32 form of the requantization is exact. */
static bool rqs_fits32(const struct ort_node *r, const struct ort_tensor *x, const struct ort_tensor *mt,
                       const struct ort_tensor *at)
{
    int64_t xm = absmax(x), mm = absmax(mt), am = absmax(at);
    return xm <= INT32_MAX && mm <= INT32_MAX &&
           (__int128)xm * mm + am + ((int64_t)1 << r->p.log2d) < ((__int128)1 << 31);
}

/* The value of input tensor t as C text: a literal for a scalar constant,
 * x<k>[i] for a sliced operand, x<k>[<broadcast index of flat>] else. */
/* Where an output element is, as C expressions: its flat index, or (for
 * matrix products) its row in the [rows x N] view and its column. */
struct pos {
    const char *flat, *row, *col;
};

/* Broadcast index from (row, col) of an [.., N] output: the last axis is
 * either N (the column) or 1; the rest broadcast over the rows. */
static void bcast_rc(const struct ort_shape *in, const struct ort_shape *out, const struct pos *at,
                     char *buf, size_t size)
{
    struct ort_shape ir = *in, orow = *out;
    int64_t in_last = in->rank ? in->dim[in->rank - 1] : 1;
    ir.rank = in->rank ? in->rank - 1 : 0;
    orow.rank = out->rank - 1;
    char rows[400];
    bcast_expr(&ir, &orow, at->row, rows, sizeof rows);
    if (in_last == 1)
        snprintf(buf, size, "%s", rows);
    else
        snprintf(buf, size, "(%s) * %" PRId64 "u + %s", rows, in_last, at->col);
}

/* The value of input tensor t as C text: a literal for a scalar constant,
 * x<k>[i] for a sliced operand, x<k>[<broadcast index>] else. */
static void value_of(const struct gen *G, const struct step *s, int t, const struct ort_shape *out,
                     const struct pos *at, char *buf, size_t size)
{
    const struct ort_tensor *x = T(G, t);
    if (is_scalar_const(x)) {
        snprintf(buf, size, "%" PRId64, x->data[0]);
        return;
    }
    int k = operand_of(s, t);
    if (s->plan.op[k].was == NN_ROWS) {
        snprintf(buf, size, "(int32_t)x%d[i]", k);
        return;
    }
    char idx[600];
    if (at->col && out->rank >= 1)
        bcast_rc(&x->shape, out, at, idx, sizeof idx);
    else
        bcast_expr(&x->shape, out, at->flat, idx, sizeof idx);
    snprintf(buf, size, "(int32_t)x%d[%s]", k, idx);
}

/* Applies elementwise node c to the running value v (its main operand is
 * tensor cur), or, for `head`, computes it from its inputs. */
static void emit_link(struct gen *G, const struct step *s, const struct ort_node *c, int cur,
                      const struct ort_shape *out, const struct pos *flat, bool head)
{
    char a[640], b[640], m[640], d[640];
    const char *op = c->op_type;
    int other = -1;
    if (head) {
        value_of(G, s, c->inputs[0], out, flat, a, sizeof a);
        emit(G, "            v = %s;\n", a);
        cur = c->inputs[0];
        if (c->n_inputs > 1)
            other = c->inputs[1];
    } else {
        bool main_seen = false;
        for (int k = 0; k < c->n_inputs && other < 0; k++) {
            if (c->inputs[k] == cur && !main_seen)
                main_seen = true;
            else if (k < 2)
                other = c->inputs[k];
        }
    }
    if (!strcmp(op, "Add") || !strcmp(op, "Mul")) {
        value_of(G, s, other, out, flat, b, sizeof b);
        emit(G, "            v = v %c %s;\n", op[0] == 'A' ? '+' : '*', b);
    } else if (!strcmp(op, "iHardswish")) {
        emit(G, "            v = nn_hardswish(v, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", c->p.coeff[0],
             c->p.coeff[1], c->p.coeff[2]);
    } else if (!strcmp(op, "TrueIntegerDiv")) {
        emit(G, "            v = v * %" PRId64 ";\n", c->p.coeff[0]);
    } else {
        const struct ort_tensor *x = T(G, cur), *mt = T(G, c->inputs[1]), *at = T(G, c->inputs[2]);
        value_of(G, s, c->inputs[1], out, flat, m, sizeof m);
        value_of(G, s, c->inputs[2], out, flat, d, sizeof d);
        int64_t lo = rqs_lo(c), hi = rqs_hi(c);
        if (!rqs_fits32(c, x, mt, at))
            emit(G, "            v = nn_requant64(v, %s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", m, d,
                 c->p.log2d, lo, hi);
        else if (pow2(hi + 1) && lo == -(hi + 1))
            emit(G, "            v = nn_rq32_clip(v, %s, %s, %" PRId64 ", %d);\n", m, d, c->p.log2d,
                 log2i(hi + 1) + 1);
        else if (pow2(hi + 1) && lo == 0)
            emit(G, "            v = nn_rq32_clipu(v, %s, %s, %" PRId64 ", %d);\n", m, d, c->p.log2d,
                 log2i(hi + 1) + 1);
        else
            emit(G, "            v = nn_rq32_range(v, %s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", m, d,
                 c->p.log2d, lo, hi);
    }
}

/* The epilogue of node n on the running value v. */
static void emit_epilogue(struct gen *G, const struct step *s, const struct ort_node *n,
                          const struct ort_shape *out, const struct pos *flat)
{
    int cur = n->outputs[0];
    for (int e = 0; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias) /* the same values, another shape */
            emit_link(G, s, c, cur, out, flat, false);
        cur = c->outputs[0];
    }
}

static void emit_elemwise(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    emit_inputs(G, s, 0);
    emit_operand(G, s, out_k, "y", true);
    emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    emit(G, "    for (uint32_t i = b; i < e; i++) {\n");
    emit(G, "        uint32_t g = u0 + i;\n        (void)g;\n        {\n            int32_t v;\n");
    const struct pos at = {"g", NULL, NULL};
    const struct ort_shape *hs = &T(G, n->outputs[0])->shape; /* before any alias */
    emit_link(G, s, n, -1, hs, &at, true);
    emit_epilogue(G, s, n, hs, &at);
    emit(G, "            y[i] = (%s)v;\n        }\n    }\n", ctype(o->storage));
}

static void emit_rowop(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_tensor *x = T(G, n->inputs[0]), *o = T(G, n->outputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    emit_operand(G, s, 0, "x", false);
    if (s->kind == S_RMSNORM)
        emit_operand(G, s, 1, "w", false);
    emit_operand(G, s, s->plan.n - 1, "y", true);
    if (s->kind == S_SOFTMAX && s->plan.n == 4) {
        const struct ort_tensor *fo = T(G, s->operand_tensor[3]);
        emit(G, "    const uint32_t *tab = p[1];\n    const int32_t *omap = p[2];\n");
        emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        emit(G, "        softmax_map_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64
                ", tab, omap, %" PRId64 ");\n",
             ctype(x->storage), ctype(fo->storage), len, len, len, n->p.n_levels);
        return;
    }
    if (s->kind == S_SOFTMAX && s->plan.n == 3) {
        emit(G, "    const uint32_t *tab = p[1];\n    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        emit(G, "        softmax_tab_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64
                ", tab, %" PRId64 ");\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.n_levels);
        return;
    }
    if (s->kind == S_SOFTMAX) {
        emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        emit(G, "        softmax_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
                ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ");\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.coeff[0], n->p.coeff[1],
             n->p.coeff[2], n->p.coeff[3], n->p.n_levels);
        return;
    }
    /* RMSNorm: the cores share the tile's elements, rows included. */
    emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n", len);
    emit(G, "    while (b < e) {\n");
    emit(G, "        uint32_t r = b / %" PRId64 "u, j0 = b - r * %" PRId64 "u;\n", len, len);
    emit(G, "        uint32_t j1 = e - r * %" PRId64 "u < %" PRId64 "u ? e - r * %" PRId64 "u : %" PRId64 "u;\n",
         len, len, len, len);
    emit(G, "        rmsnorm_%s_%s_%s(x + r * %" PRId64 "u, w, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
            ", (int32_t)j0, (int32_t)j1);\n",
         ctype(x->storage), tensor_ctype(G, n->inputs[1]), ctype(o->storage), len, len, len, n->p.log2d);
    emit(G, "        b = r * %" PRId64 "u + j1;\n    }\n", len);
}

/* The matrix product's epilogue on int32 acc: Gemm's alpha and beta * C,
 * the fused bias, the fused requantization. `flat` is the C expression of
 * the output element's flat index, `row`/`col` its row (within the
 * output's [rows x N] view) and global column. Extra operands start at 2. */
static void emit_matmul_epilogue(struct gen *G, const struct step *s, const struct ort_node *n,
                                 const struct ort_matmul *m, const char *flat, const char *row,
                                 const char *col)
{
    char val[640], var[128];
    struct ort_shape out = m->out;
    if (!strcmp(n->op_type, "Gemm")) {
        if (n->p.alpha != 1)
            emit(G, "            acc *= %" PRId64 ";\n", n->p.alpha);
        if (n->n_inputs > 2 && n->inputs[2] >= 0) {
            struct ort_shape mn = {.rank = 2, .dim = {m->M, m->N}};
            snprintf(var, sizeof var, "(%s * %" PRId64 "u + %s)", row, m->N, col);
            const struct pos cpos = {var, row, col};
            value_of(G, s, n->inputs[2], &mn, &cpos, val, sizeof val);
            emit(G, "            acc += %" PRId64 " * %s;\n", n->p.beta, val);
        }
    }
    emit(G, "            int32_t v = acc;\n");
    const struct pos at = {flat, row, col};
    emit_epilogue(G, s, n, &out, &at);
}

/* The dot product of K elements at pointers `pa` and `pb` (b's stride
 * `bstep` elements): Xpulpv2 sdot on 8-bit lanes when both are 8-bit,
 * contiguous and K a multiple of 4 (rows stay word-aligned), else C. */
static void emit_dot(struct gen *G, int ta, int tb, int64_t K, const char *pa, const char *pb,
                     int64_t bstep)
{
    const struct ort_tensor *a = T(G, ta), *b = T(G, tb);
    bool a8 = esize(a) == 1, b8 = esize(b) == 1;
    if (a8 && b8 && bstep == 1 && K % 4 == 0) {
        emit(G, "            int32_t acc = nn_dot_%s_%s(%s, %s, %" PRId64 "u, 0);\n",
             a->storage == ORT_DT_INT8 ? "i8" : "u8", b->storage == ORT_DT_INT8 ? "i8" : "u8", pa, pb,
             K / 4);
        return;
    }
    emit(G, "            int32_t acc = 0;\n");
    emit(G, "            for (uint32_t k = 0; k < %" PRId64 "u; k++)\n", K);
    emit(G, "                acc += (int32_t)%s[k] * (int32_t)%s[k * %" PRId64 "u];\n", pa, pb, bstep);
}

static void emit_matmul_operands(struct gen *G, const struct step *s, const char *a, const char *b)
{
    emit_operand(G, s, 0, a, false);
    emit_operand(G, s, 1, b, false);
    emit_inputs(G, s, 2);
    emit_operand(G, s, s->plan.n - 1, "y", true);
}

/* Both operands 8-bit, contiguous along K, K a multiple of 4: the
 * register-blocked sdot kernels apply. */
static bool mm_blocked(const struct gen *G, const struct ort_node *n, const struct ort_matmul *m,
                       bool wmode)
{
    return esize(T(G, n->inputs[0])) == 1 && esize(T(G, n->inputs[1])) == 1 && m->K % 4 == 0 &&
           !m->trans_a && (wmode || m->trans_b);
}

static const char *lane(const struct gen *G, int t) { return T(G, t)->storage == ORT_DT_INT8 ? "i8" : "u8"; }

/* o<si>(p, rs, u0, i, j, acc): the epilogue and store of one output
 * element (W mode: row i, tile column j; A mode: tile row i, column j). */
static void emit_mm_store(struct gen *G, const struct step *s, int si, const struct ort_matmul *m,
                          bool wmode)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    emit(G, "static inline __attribute__((always_inline)) void o%d(void *const *p, const uint32_t *rs, "
            "uint32_t u0, uint32_t i, uint32_t j, int32_t acc)\n{\n    (void)rs;\n    (void)u0;\n", si);
    emit_inputs(G, s, 2);
    emit_operand(G, s, out_k, "y", true);
    emit(G, "    {\n");
    char flat[96];
    if (wmode) {
        snprintf(flat, sizeof flat, "(i * %" PRId64 "u + u0 + j)", m->N);
        emit_matmul_epilogue(G, s, n, m, flat, "i", "(u0 + j)");
        emit(G, "            y[i * (rs[%d] / %d) + j] = (%s)v;\n", out_k, esize(o), ctype(o->storage));
    } else {
        emit(G, "            uint32_t u = u0 + i;\n");
        snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j)", m->N);
        emit_matmul_epilogue(G, s, n, m, flat, "u", "j");
        emit(G, "            y[i * %" PRId64 "u + j] = (%s)v;\n", m->N, ctype(o->storage));
    }
    emit(G, "    }\n}\n");
}

/* The blocked kernel: blocks of R rows x 4 columns shared among the
 * cores; `rows`/`cols` are C expressions of the counts, `arow(i)` and
 * `brow(j)` pointer expressions written by the caller into a0 and b0. */
static void emit_mm_blocked(struct gen *G, const struct step *s, int si, const struct ort_matmul *m,
                            bool wmode)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const char *ta = tensor_ctype(G, n->inputs[0]), *tb = tensor_ctype(G, n->inputs[1]);
    char sfx[16];
    snprintf(sfx, sizeof sfx, "%s_%s", lane(G, n->inputs[0]), lane(G, n->inputs[1]));
    int64_t K = m->K, rows_w = m->batches * m->M;
    /* Two-row blocks: in A mode both rows must be of the same batch. */
    int R = wmode ? (rows_w >= 2 ? 2 : 1)
                  : (m->M % 2 == 0 && s->plan.tile_units % 2 == 0 ? 2 : 1);
    char rows[32], cols[32];
    snprintf(rows, sizeof rows, wmode ? "%" PRId64 "u" : "n", rows_w);
    snprintf(cols, sizeof cols, wmode ? "n" : "%" PRId64 "u", m->N);
    emit(G, "    const %s *a = p[0];\n    const %s *bm = p[1];\n", ta, tb);
    emit(G, "    uint32_t cb = (%s + 3) >> 2, rb = (%s + %d) / %d, b, e;\n", cols, rows, R - 1, R);
    emit(G, "    nn_part(rb * cb, &b, &e);\n");
    emit(G, "    uint32_t ib = b / cb, jb = b - ib * cb;\n");
    emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    emit(G, "        uint32_t i = ib * %d, j = jb * 4;\n", R);
    if (wmode) {
        emit(G, "        const %s *a0 = a + i * %" PRId64 "u;\n", ta, K);
        emit(G, "        const %s *bb = bm;\n", tb);
    } else {
        char aidx[512], bidx[512], bt_e[256], i_e[256];
        bcast_expr(&m->a_batch, &m->batch, "bt", aidx, sizeof aidx);
        bcast_expr(&m->b_batch, &m->batch, "bt", bidx, sizeof bidx);
        cdiv(bt_e, sizeof bt_e, "(u0 + i)", m->M, s->plan.units - 1);
        cmod(i_e, sizeof i_e, "(u0 + i)", m->M, s->plan.units - 1);
        emit(G, "        uint32_t bt = %s;\n        (void)bt;\n", bt_e);
        if (s->plan.op[0].was == NN_ROWS)
            emit(G, "        const %s *a0 = a + i * %" PRId64 "u;\n", ta, K);
        else
            emit(G, "        const %s *a0 = a + (%s) * %" PRId64 "u + (%s) * %" PRId64 "u;\n", ta, aidx,
                 m->M * K, i_e, K);
        emit(G, "        const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, K * m->N);
    }
    emit(G, "        const %s *b0 = bb + j * %" PRId64 "u;\n", tb, K);
    emit(G, "        if (i + %d <= %s && j + 4 <= %s) {\n            int32_t c[%d];\n", R, rows, cols, 4 * R);
    if (R == 2)
        emit(G, "            nn_mm2x4_%s(a0, a0 + %" PRId64 "u, b0, %" PRId64 "u, %" PRId64 "u, c);\n", sfx, K,
             K, K / 4);
    else
        emit(G, "            nn_mm1x4_%s(a0, b0, %" PRId64 "u, %" PRId64 "u, c);\n", sfx, K, K / 4);
    for (int r = 0; r < R; r++)
        for (int c = 0; c < 4; c++)
            emit(G, "            o%d(p, rs, u0, i + %d, j + %d, c[%d]);\n", si, r, c, r * 4 + c);
    emit(G, "        } else {\n");
    emit(G, "            for (uint32_t ii = 0; ii < %d && i + ii < %s; ii++)\n", R, rows);
    emit(G, "                for (uint32_t jj = 0; jj < 4 && j + jj < %s; jj++)\n", cols);
    emit(G, "                    o%d(p, rs, u0, i + ii, j + jj, nn_dot_%s(a0 + ii * %" PRId64 "u, b0 + jj * %" PRId64
            "u, %" PRId64 "u, 0));\n", si, sfx, K, K, K / 4);
    emit(G, "        }\n");
    emit(G, "        if (++jb == cb) {\n            jb = 0;\n            ib++;\n        }\n    }\n");
}

static void emit_matmul_w(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    struct ort_matmul m;
    ort_matmul_dims(G->g, n, &m);
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    emit_matmul_operands(G, s, "a", "bt");
    int64_t rows = m.batches * m.M;
    emit(G, "    uint32_t ys = rs[%d] / %d, b, e;\n", out_k, esize(o));
    emit(G, "    nn_part(%" PRId64 "u * n, &b, &e);\n", rows);
    if (rows == 1)
        emit(G, "    uint32_t i = 0, j = b;\n");
    else
        emit(G, "    uint32_t i = b / n, j = b - i * n;\n");
    emit(G, "    for (uint32_t q = b; q < e; q++) {\n        {\n");
    emit(G, "            const %s *ar = a + i * %" PRId64 "u;\n", tensor_ctype(G, n->inputs[0]), m.K);
    emit(G, "            const %s *br = bt + j * %" PRId64 "u;\n", tensor_ctype(G, n->inputs[1]), m.K);
    emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "br", 1);
    char flat[96];
    snprintf(flat, sizeof flat, "(i * %" PRId64 "u + u0 + j)", m.N);
    emit_matmul_epilogue(G, s, n, &m, flat, "i", "(u0 + j)");
    emit(G, "            y[i * ys + j] = (%s)v;\n        }\n", ctype(o->storage));
    emit(G, "        if (++j == n) {\n            j = 0;\n            i++;\n        }\n    }\n");
}

/* A product with few columns (N <= 8) and B in [K, N] layout: each core
 * takes whole rows and keeps the N sums in registers while it walks K
 * once, reading B's rows contiguously (e.g. attention weights x V). */
static void emit_matmul_small_n(struct gen *G, const struct step *s, const struct ort_matmul *m)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    bool a_rows = s->plan.op[0].was == NN_ROWS;
    emit_matmul_operands(G, s, "a", "bm");
    char aidx[512], bidx[512], bt_e[256], i_e[256];
    bcast_expr(&m->a_batch, &m->batch, "bt", aidx, sizeof aidx);
    bcast_expr(&m->b_batch, &m->batch, "bt", bidx, sizeof bidx);
    cdiv(bt_e, sizeof bt_e, "u", m->M, s->plan.units - 1);
    cmod(i_e, sizeof i_e, "u", m->M, s->plan.units - 1);
    const char *ta = tensor_ctype(G, n->inputs[0]), *tb = tensor_ctype(G, n->inputs[1]);
    emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    emit(G, "    for (uint32_t r = b; r < e; r++) {\n");
    emit(G, "        uint32_t u = u0 + r, bt = %s, i = %s;\n        (void)bt;\n        (void)i;\n", bt_e, i_e);
    if (a_rows)
        emit(G, "        const %s *ar = a + r * %" PRId64 "u;\n", ta, m->K);
    else
        emit(G, "        const %s *ar = a + (%s) * %" PRId64 "u + i * %" PRId64 "u;\n", ta, aidx, m->M * m->K,
             m->K);
    emit(G, "        const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, m->K * m->N);
    emit(G, "        int32_t c[%" PRId64 "] = {0};\n", m->N);
    emit(G, "        for (uint32_t k = 0; k < %" PRId64 "u; k++) {\n", m->K);
    emit(G, "            int32_t av = ar[k];\n            const %s *br = bb + k * %" PRId64 "u;\n", tb, m->N);
    for (int64_t j = 0; j < m->N; j++)
        emit(G, "            c[%" PRId64 "] += av * (int32_t)br[%" PRId64 "];\n", j, j);
    emit(G, "        }\n");
    char flat[96];
    snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j)", m->N);
    for (int64_t j = 0; j < m->N; j++) {
        emit(G, "        {\n            const uint32_t j = %" PRId64 "u;\n            int32_t acc = c[j];\n", j);
        emit_matmul_epilogue(G, s, n, m, flat, "u", "j");
        emit(G, "            y[r * %" PRId64 "u + j] = (%s)v;\n        }\n", m->N, ctype(o->storage));
    }
    emit(G, "    }\n");
}

static void emit_matmul_a(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    struct ort_matmul m;
    ort_matmul_dims(G->g, n, &m);
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    bool a_rows = s->plan.op[0].was == NN_ROWS;
    emit_matmul_operands(G, s, "a", "bm");
    char aidx[512], bidx[512];
    bcast_expr(&m.a_batch, &m.batch, "bt", aidx, sizeof aidx);
    bcast_expr(&m.b_batch, &m.batch, "bt", bidx, sizeof bidx);
    emit(G, "    uint32_t b, e;\n");
    emit(G, "    nn_part(n * %" PRId64 "u, &b, &e);\n", m.N);
    emit(G, "    uint32_t r = b / %" PRId64 "u, j = b %% %" PRId64 "u;\n", m.N, m.N);
    emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    char bt_e[256], i_e[256];
    cdiv(bt_e, sizeof bt_e, "u", m.M, s->plan.units - 1);
    cmod(i_e, sizeof i_e, "u", m.M, s->plan.units - 1);
    emit(G, "        uint32_t u = u0 + r, bt = %s, i = %s;\n", bt_e, i_e);
    emit(G, "        (void)bt;\n        (void)i;\n        {\n");
    const char *ta = tensor_ctype(G, n->inputs[0]), *tb = tensor_ctype(G, n->inputs[1]);
    if (a_rows)
        emit(G, "            const %s *ar = a + r * %" PRId64 "u;\n", ta, m.K);
    else if (m.trans_a)
        emit(G, "            const %s *ab = a + (%s) * %" PRId64 "u;\n", ta, aidx, m.M * m.K);
    else
        emit(G, "            const %s *ar = a + (%s) * %" PRId64 "u + i * %" PRId64 "u;\n", ta, aidx,
             m.M * m.K, m.K);
    emit(G, "            const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, m.K * m.N);
    if (m.trans_a) {
        emit(G, "            int32_t acc = 0;\n");
        emit(G, "            for (uint32_t k = 0; k < %" PRId64 "u; k++)\n", m.K);
        char bv[64];
        if (m.trans_b)
            snprintf(bv, sizeof bv, "j * %" PRId64 "u + k", m.K);
        else
            snprintf(bv, sizeof bv, "k * %" PRId64 "u + j", m.N);
        emit(G, "                acc += (int32_t)ab[k * %" PRId64 "u + i] * (int32_t)bb[%s];\n", m.M, bv);
    } else if (m.trans_b) {
        emit(G, "            const %s *bc = bb + j * %" PRId64 "u;\n", tb, m.K);
        emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "bc", 1);
    } else {
        emit(G, "            const %s *bc = bb + j;\n", tb);
        emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "bc", m.N);
    }
    char flat[96];
    snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j)", m.N);
    emit_matmul_epilogue(G, s, n, &m, flat, "u", "j");
    emit(G, "            y[r * %" PRId64 "u + j] = (%s)v;\n        }\n", m.N, ctype(o->storage));
    emit(G, "        if (++j == %" PRId64 "u) {\n            j = 0;\n            r++;\n        }\n    }\n",
         m.N);
}

static void emit_transpose(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    char idx[1024];
    transpose_expr(&T(G, n->inputs[0])->shape, n->p.perm, "g", idx, sizeof idx);
    emit_operand(G, s, 0, "x", false);
    emit_operand(G, s, 1, "y", true);
    emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    emit(G, "    for (uint32_t i = b; i < e; i++) {\n        uint32_t g = u0 + i;\n");
    emit(G, "        y[i] = (%s)x[%s];\n    }\n", tensor_ctype(G, n->outputs[0]), idx);
}

static void emit_concat(struct gen *G, const struct step *s)
{
    int out_k = s->plan.n - 1;
    int64_t total = s->plan.op[out_k].unit_bytes / esize(T(G, s->operand_tensor[out_k]));
    emit_inputs(G, s, 0);
    emit_operand(G, s, out_k, "y", true);
    emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n",
         total);
    emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    char r_e[256], c_e[256];
    cdiv(r_e, sizeof r_e, "q", total, s->plan.units * total - 1);
    cmod(c_e, sizeof c_e, "q", total, s->plan.units * total - 1);
    emit(G, "        uint32_t r = %s, c = %s;\n", r_e, c_e);
    int64_t at = 0;
    for (int k = 0; k < out_k; k++) {
        const struct ort_tensor *x = T(G, s->operand_tensor[k]);
        int64_t len = s->plan.op[k].was == NN_WHOLE ? ort_shape_count(&x->shape) / s->plan.units
                                                    : s->plan.op[k].unit_bytes / esize(x);
        const char *row = s->plan.op[k].was == NN_WHOLE ? "(u0 + r)" : "r";
        emit(G, "        %sif (c < %" PRId64 "u)\n", k ? "else " : "", at + len);
        emit(G, "            y[q] = (%s)x%d[%s * %" PRId64 "u + c - %" PRId64 "u];\n",
             tensor_ctype(G, s->operand_tensor[out_k]), k, row, len, at);
        at += len;
    }
    emit(G, "    }\n");
}

/* ---- the cost model and the engine mapping ------------------------------ */

/* Cycles of a step on the cluster: the larger of its DMA traffic and its
 * compute (rates measured on the generated kernels: blocked 8-bit products
 * about 1.5 MAC/cycle per core, plain C about 0.25; elementwise links a
 * few cycles per element), plus fixed costs per step and per tile. */
static int64_t cluster_cycles(const struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int64_t cores = G->o->cores > 0 ? G->o->cores : 8, bw = G->o->dma_bytes_per_cycle > 0 ? G->o->dma_bytes_per_cycle : 8;
    int64_t moved = 0;
    for (int k = 0; k < s->plan.n; k++) {
        const struct ort_tile_operand *op = &s->plan.op[k];
        if (op->mode == NN_WHOLE)
            moved += op->bytes;
        else if (op->mode == NN_ROWS || op->mode == NN_OUT_ROWS)
            moved += op->unit_bytes * s->plan.units;
        else if (op->mode == NN_OUT_COLS)
            moved += op->unit_bytes * op->rows * s->plan.units;
    }
    int64_t out = ort_shape_count(&G->g->tensors[final_output(G, n)].shape), links = n->n_epilogue + 1;
    double compute;
    switch (s->kind) {
    case S_MATMUL_W: case S_MATMUL_A: {
        struct ort_matmul m;
        ort_matmul_dims(G->g, n, &m);
        double macs = (double)m.batches * (double)m.M * (double)m.N * (double)m.K;
        double rate = mm_blocked(G, n, &m, s->kind == S_MATMUL_W) ? 1.5 : 0.25;
        compute = macs / (rate * (double)cores) + (double)out * 6.0 * (double)links / (double)cores;
        break;
    }
    case S_SOFTMAX: case S_RMSNORM: compute = (double)out * 25.0 / (double)cores; break;
    case S_DMA_COPY: compute = 0; break;
    default: compute = (double)out * (3.0 + 5.0 * (double)links) / (double)cores;
    }
    double dma = (double)moved / (double)bw;
    return (int64_t)(compute > dma ? compute : dma) + 300 + 150 * s->plan.tiles;
}

/* The engine of each step, by the cost model: the cheapest engine that
 * can run it. The cluster runs every operator; no NPU model exists yet
 * (--engine npu is refused before this), so today every step maps to
 * the cluster. */
static const char *map_engine(const struct gen *G, const struct step *s, int64_t *cycles)
{
    *cycles = cluster_cycles(G, s);
    return "cluster";
}

static const char *mode_name(int mode)
{
    static const char *names[] = {"NN_WHOLE", "NN_ROWS", "NN_OUT_ROWS", "NN_OUT_COLS", "NN_INPLACE"};
    return names[mode];
}

/* A Concat as DMA copies: input k's rows go to its columns of the output. */
static void emit_copies(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    int out_k = s->plan.n - 1;
    char dst[128], src[128];
    addr_expr(G, s->operand_tensor[out_k], -1, dst, sizeof dst);
    emit(G, "static const struct nn_copy c%d[] = {\n", si);
    int64_t at = 0, row = s->plan.op[out_k].unit_bytes;
    for (int k = 0; k < out_k; k++) {
        int64_t len = s->plan.op[k].unit_bytes;
        addr_expr(G, s->operand_tensor[k], -1, src, sizeof src);
        emit(G, "    {%s + %" PRId64 ", %s, %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 "},\n", dst, at, src,
             len, s->plan.units, row, len);
        at += len;
    }
    emit(G, "};\n");
}

static void emit_step(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    emit(G, "\n/* step %d: node '%s' (%s) */\n", si, n->name, n->op_type);
    if (s->kind == S_DMA_COPY) {
        emit_copies(G, si);
        return;
    }
    struct ort_matmul mm;
    bool blocked = false;
    if (s->kind == S_MATMUL_W || s->kind == S_MATMUL_A) {
        ort_matmul_dims(G->g, n, &mm);
        blocked = mm_blocked(G, n, &mm, s->kind == S_MATMUL_W);
        if (blocked)
            emit_mm_store(G, s, si, &mm, s->kind == S_MATMUL_W);
    }
    emit(G, "static void k%d(void *const *p, const uint32_t *rs, uint32_t u0, uint32_t n)\n{\n", si);
    emit(G, "    (void)rs;\n    (void)u0;\n");
    switch (s->kind) {
    case S_ELEMWISE: emit_elemwise(G, s); break;
    case S_SOFTMAX: case S_RMSNORM: emit_rowop(G, s); break;
    case S_MATMUL_W:
    case S_MATMUL_A:
        if (blocked)
            emit_mm_blocked(G, s, si, &mm, s->kind == S_MATMUL_W);
        else if (s->kind == S_MATMUL_W)
            emit_matmul_w(G, s);
        else if (!mm.trans_a && !mm.trans_b && mm.N <= 8)
            emit_matmul_small_n(G, s, &mm);
        else
            emit_matmul_a(G, s);
        break;
    case S_TRANSPOSE: emit_transpose(G, s); break;
    case S_CONCAT: emit_concat(G, s); break;
    case S_DMA_COPY: break;
    }
    emit(G, "}\n");
    emit(G, "static const struct nn_tiling t%d = {%" PRId64 ", %" PRId64 ", %" PRId64 ", %d, k%d, {\n", si,
         s->plan.units, s->plan.tile_units, s->plan.tiles, s->plan.n, si);
    for (int k = 0; k < s->plan.n; k++) {
        const struct ort_tile_operand *op = &s->plan.op[k];
        char addr[128], l1[2][64];
        addr_expr(G, s->operand_tensor[k], s->operand_const[k], addr, sizeof addr);
        for (int b = 0; b < 2; b++) {
            if (op->l1_off[b] >= 0)
                snprintf(l1[b], sizeof l1[b], "ort_l1_arena + %" PRId64, op->l1_off[b]);
            else
                snprintf(l1[b], sizeof l1[b], "0");
        }
        int64_t stride = 0;
        if (op->was == NN_OUT_COLS) {
            struct ort_matmul m;
            ort_matmul_dims(G->g, n, &m);
            stride = m.N * op->unit_bytes;
        }
        /* An operand left in place advances per unit only if it was sliced. */
        int64_t ub = op->mode == NN_INPLACE && op->was == NN_WHOLE ? 0 : op->unit_bytes;
        emit(G, "    {(uint8_t *)%s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", {%s, %s}},\n",
             addr, mode_name(op->mode), ub, op->bytes, op->rows, stride, l1[0], l1[1]);
    }
    emit(G, "}};\n");
}

static int write_blob(struct gen *G, const char *dir, const char *name, const uint8_t *data, int64_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, (size_t)n, f) != (size_t)n) || fclose(f))
        return ort_fail(G->d, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

static void put_values(uint8_t *dst, enum ort_dtype t, const int64_t *v, int64_t count)
{
    int es = ort_dtype_size(t);
    for (int64_t i = 0; i < count; i++)
        for (int b = 0; b < es; b++)
            dst[i * es + b] = (uint8_t)((uint64_t)v[i] >> (8 * b));
}

static int write_asm(struct gen *G, const char *dir, const char *name, const char *section,
                     const char *symbol, const char *blob)
{
    char path[4096], abs_dir[4096];
    if (!realpath(dir, abs_dir))
        return ort_fail(G->d, "%s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return ort_fail(G->d, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "/* Generated by ortigia compile. */\n    .section %s,\"aw\",@progbits\n    .balign 8\n"
               "    .global %s\n%s:\n    .incbin \"%s/%s\"\n    .byte 0\n",
            section, symbol, symbol, abs_dir, blob);
    return fclose(f) ? ort_fail(G->d, "%s: write error", path) : 0;
}

void ort_codegen_print_report(FILE *f, const struct ort_codegen_report *r)
{
    int64_t act = r->activations_in_l1 ? (r->l2_peak + 3) / 4 * 4 : 0;
    int64_t act_bound = r->activations_in_l1 ? r->l2_lower_bound : 0;
    fprintf(f, "steps: %d (%d in several tiles, %d operands too large for L1 read in place)\n", r->steps,
            r->tiled_steps,
            r->inplace_operands);
    fprintf(f, "L1: peak %" PRId64 " bytes (staging %" PRId64 " + activations %" PRId64 "), lower bound %" PRId64
               "\n", r->l1_peak + act, r->l1_peak, act, r->l1_lower_bound + act_bound);
    fprintf(f, "L2: peak %" PRId64 " bytes (activations %" PRId64 ", lower bound %" PRId64
               "; inputs and outputs %" PRId64 ")\n",
            r->l2_io_bytes + (r->activations_in_l1 ? 0 : r->l2_peak), r->activations_in_l1 ? 0 : r->l2_peak,
            r->activations_in_l1 ? 0 : r->l2_lower_bound, r->l2_io_bytes);
    fprintf(f, "weight memory: %" PRId64 " bytes of constants\n", r->wmem_bytes);
    fprintf(f, "estimated cycles: %" PRId64 " (every step on the cluster)\n", r->estimated_cycles);
}

int ort_codegen(const struct ort_graph *g, const struct ort_codegen_options *o,
                struct ort_codegen_report *r, struct ort_diag *d)
{
    struct gen G = {.g = g, .o = o, .d = d};
    memset(r, 0, sizeof *r);
    int rc = -1;
    uint8_t *blob = NULL;
    FILE *rep = NULL;
    if (o->engine == ORT_ENGINE_NPU) {
        ort_fail(d, "%s: --engine npu: this platform has no NPU model yet; use cluster or auto",
                 g->source);
        goto out;
    }
    if (mkdir(o->outdir, 0777) && errno != EEXIST) {
        ort_fail(d, "%s: cannot create: %s", o->outdir, strerror(errno));
        goto out;
    }
    if (plan_memory(&G, r))
        goto out;
    /* Tiling: each step's staging buffers under what the L1 budget leaves. */
    int64_t act_l1 = r->activations_in_l1 ? align4(r->l2_peak) : 0;
    for (int si = 0; si < G.n_steps; si++) {
        struct step *s = &G.steps[si];
        bool bytes_units = s->kind == S_ELEMWISE || s->kind == S_TRANSPOSE;
        for (int k = 0; k < s->plan.n; k++) {
            int t = s->operand_tensor[k];
            s->plan.op[k].resident = r->activations_in_l1 && s->operand_const[k] < 0 && t >= 0 &&
                                     G.place[root_of(&G, t)].where == W_ARENA;
        }
        ort_tile(&s->plan, o->l1_budget - act_l1, bytes_units ? 4 : 1, 4);
        if (s->plan.l1_bytes > r->l1_peak)
            r->l1_peak = s->plan.l1_bytes;
        r->tiled_steps += s->plan.tiles > 1;
        for (int k = 0; k < s->plan.n; k++)
            r->inplace_operands += s->plan.op[k].mode == NN_INPLACE && !s->plan.op[k].resident;
    }
    r->l1_lower_bound = r->l1_peak; /* one step at a time shares the arena */
    r->steps = G.n_steps;
    for (int si = 0; si < G.n_steps; si++) {
        int64_t est;
        map_engine(&G, &G.steps[si], &est);
        r->estimated_cycles += est;
    }

    char path[4096];
    snprintf(path, sizeof path, "%s/network.c", o->outdir);
    G.c = fopen(path, "w");
    if (!G.c) {
        ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    emit(&G, "/* Generated by ortigia compile from %s: do not edit. */\n", g->source);
    emit(&G, "#include <stdint.h>\n\n#include \"ortigia/cluster.h\"\n#include \"ortigia/nn.h\"\n"
             "#include \"ortigia/nn_kernel.h\"\n#include \"ortigia/nn_sem.h\"\n#include \"network.h\"\n\n");
    emit(&G, "extern const uint8_t ort_weights[]; /* weights.S: the weight memory */\n");
    emit(&G, "extern uint8_t ort_inputs[];        /* inputs.S: L2 */\n");
    emit(&G, "static uint8_t ort_act[%" PRId64 "] __attribute__((%saligned(8)));\n",
         r->l2_peak ? r->l2_peak : 4, r->activations_in_l1 ? "section(\".l1bss\"), " : "");
    emit(&G, "static uint8_t ort_l1_arena[%" PRId64 "] __attribute__((section(\".l1bss\"), aligned(8)));\n",
         r->l1_peak ? r->l1_peak : 4);
    for (int i = 0; i < g->n_outputs; i++)
        if (G.place[g->outputs[i]].where == W_OUTPUT && G.place[g->outputs[i]].offset == i)
            emit(&G, "uint8_t ort_output_%d[%" PRId64 "] __attribute__((aligned(4)));\n", i,
                 tensor_bytes(T(&G, g->outputs[i])));
    /* Row operators, instantiated for the element types used. */
    char seen[64][96];
    int n_seen = 0;
    for (int si = 0; si < G.n_steps; si++) {
        const struct step *s = &G.steps[si];
        if (s->kind != S_SOFTMAX && s->kind != S_RMSNORM)
            continue;
        const struct ort_node *n = &g->nodes[s->node];
        char line[96];
        const char *x = tensor_ctype(&G, n->inputs[0]), *y = tensor_ctype(&G, n->outputs[0]);
        if (s->kind == S_SOFTMAX && s->plan.n == 4)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_TABLE_MAP(softmax_map_%s_%s, %s, %s)", x,
                     tensor_ctype(&G, s->operand_tensor[3]), x, tensor_ctype(&G, s->operand_tensor[3]));
        else if (s->kind == S_SOFTMAX && s->plan.n == 3)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_TABLE(softmax_tab_%s_%s, %s, %s)", x, y, x, y);
        else if (s->kind == S_SOFTMAX)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW(softmax_%s_%s, %s, %s)", x, y, x, y);
        else {
            const char *w = tensor_ctype(&G, n->inputs[1]);
            snprintf(line, sizeof line, "NN_DEFINE_RMSNORM_ROW(rmsnorm_%s_%s_%s, %s, %s, %s)", x, w, y,
                     x, w, y);
        }
        bool dup = false;
        for (int k = 0; k < n_seen && !dup; k++)
            dup = !strcmp(seen[k], line);
        if (!dup && n_seen < 64) {
            strcpy(seen[n_seen++], line);
            emit(&G, "%s\n", line);
        }
    }
    for (int si = 0; si < G.n_steps; si++)
        emit_step(&G, si);
    if (o->profile)
        emit(&G, "\nuint32_t ort_step_cycles[%d];\n", G.n_steps ? G.n_steps : 1);
    /* Every core runs the steps in order; one barrier between steps. */
    emit(&G, "\nstatic void network_body(void *arg)\n{\n    (void)arg;\n");
    if (o->profile)
        emit(&G, "    uint32_t t = rt_cycles(), now, core = rt_core_id();\n");
    int ordinal = 0;
    for (int si = 0; si < G.n_steps; si++) {
        if (G.steps[si].kind == S_DMA_COPY) {
            emit(&G, "    nn_step_copies(c%d, %d);\n", si, G.steps[si].plan.n - 1);
        } else {
            int next = si + 1;
            while (next < G.n_steps && G.steps[next].kind == S_DMA_COPY)
                next++;
            char nx[32];
            snprintf(nx, sizeof nx, next < G.n_steps ? "&t%d" : "0", next);
            emit(&G, "    nn_step(&t%d, %d, %s);\n", si, ordinal++, nx);
        }
        if (o->profile)
            emit(&G, "    if (core == 0) {\n        now = rt_cycles();\n        ort_step_cycles[%d] = now - t;\n"
                     "        t = now;\n    }\n", si);
    }
    emit(&G, "}\n\nvoid network_run(void)\n{\n    nn_run_network(network_body);\n}\n");
    r->step_names = calloc(G.n_steps > 0 ? (size_t)G.n_steps : 1, sizeof *r->step_names);
    for (int si = 0; si < G.n_steps; si++)
        snprintf(r->step_names[si], sizeof r->step_names[si], "%s (%s)", g->nodes[G.steps[si].node].name,
                 g->nodes[G.steps[si].node].op_type);
    if (fclose(G.c)) {
        G.c = NULL;
        ort_fail(d, "%s: write error", path);
        goto out;
    }
    G.c = NULL;

    snprintf(path, sizeof path, "%s/network.h", o->outdir);
    FILE *h = fopen(path, "w");
    if (!h) {
        ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    fprintf(h, "/* Generated by ortigia compile: the compiled network. */\n#ifndef NETWORK_H\n"
               "#define NETWORK_H\n\n#include <stdint.h>\n\n/* Runs the network once on the cluster "
               "(core 0 calls it). */\nvoid network_run(void);\n\n");
    for (int i = 0; i < g->n_outputs; i++)
        fprintf(h, "extern uint8_t ort_output_%d[]; /* '%s', %s */\n", i, T(&G, g->outputs[i])->name,
                ctype(T(&G, g->outputs[i])->storage));
    fprintf(h, "\n#endif\n");
    fclose(h);

    snprintf(path, sizeof path, "%s/main.c", o->outdir);
    FILE *mf = fopen(path, "w");
    if (!mf) {
        ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    fprintf(mf, "/* Generated by ortigia compile: runs the network once and records its cycles. */\n"
                "#include <stdint.h>\n\n#include \"ortigia/rt.h\"\n#include \"network.h\"\n\n"
                "volatile uint32_t ort_net_cycles;\n\nint main(void)\n{\n"
                "    rt_region_begin(1, \"network\");\n    uint32_t t0 = rt_cycles();\n"
                "    network_run();\n    ort_net_cycles = rt_cycles() - t0;\n"
                "    rt_region_end(1);\n    return 0;\n}\n");
    fclose(mf);

    /* Constants, in their storage types, some transposed. */
    blob = calloc((size_t)(G.wmem_bytes > G.inputs_bytes ? G.wmem_bytes : G.inputs_bytes) + 8, 1);
    for (int i = 0; i < G.n_consts; i++) {
        const struct stored_const *c = &G.consts[i];
        if (c->tensor < 0) {
            put_values(blob + c->offset, ORT_DT_INT32, c->data, c->count);
            continue;
        }
        const struct ort_tensor *t = T(&G, c->tensor);
        int64_t count = ort_shape_count(&t->shape);
        if (!c->transposed) {
            put_values(blob + c->offset, t->storage, t->data, count);
            continue;
        }
        int64_t rows = t->shape.dim[0], cols = t->shape.dim[1];
        int64_t *tr = malloc(sizeof *tr * (size_t)count);
        for (int64_t a = 0; a < rows; a++)
            for (int64_t b = 0; b < cols; b++)
                tr[b * rows + a] = t->data[a * cols + b];
        put_values(blob + c->offset, t->storage, tr, count);
        free(tr);
    }
    if (write_blob(&G, o->outdir, "weights.bin", blob, G.wmem_bytes))
        goto out;
    memset(blob, 0, (size_t)G.inputs_bytes);
    for (int i = 0; i < g->n_inputs && o->inputs; i++) {
        const struct ort_tensor *t = T(&G, g->inputs[i]);
        const struct ort_array *a = ort_npz_input(g, o->inputs, i);
        if (a && ort_shape_count(&a->shape) == ort_shape_count(&t->shape))
            put_values(blob + G.place[g->inputs[i]].offset, t->storage, a->data,
                       ort_shape_count(&t->shape));
    }
    if (write_blob(&G, o->outdir, "inputs.bin", blob, G.inputs_bytes) ||
        write_asm(&G, o->outdir, "weights.S", ".wmem", "ort_weights", "weights.bin") ||
        write_asm(&G, o->outdir, "inputs.S", ".data.ort_inputs", "ort_inputs", "inputs.bin"))
        goto out;

    snprintf(path, sizeof path, "%s/report.txt", o->outdir);
    rep = fopen(path, "w");
    if (!rep) {
        ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    fprintf(rep, "model: %s\nL1 budget: %" PRId64 " bytes\n", g->source, o->l1_budget);
    ort_codegen_print_report(rep, r);
    fprintf(rep, "estimated cycles: %" PRId64 "\n", r->estimated_cycles);
    fprintf(rep, "\nstep  node (op)  engine  estimated cycles  units/tile x tiles  L1 bytes  operands\n");
    for (int si = 0; si < G.n_steps; si++) {
        const struct step *s = &G.steps[si];
        const struct ort_node *n = &g->nodes[s->node];
        int64_t est;
        const char *engine = map_engine(&G, s, &est);
        fprintf(rep, "%4d  %s (%s)  %s  %" PRId64 "  %" PRId64 "/%" PRId64 " x %" PRId64 "  %" PRId64 " ", si,
                n->name, n->op_type, engine, est, s->plan.units, s->plan.tile_units, s->plan.tiles,
                s->plan.l1_bytes);
        for (int k = 0; k < s->plan.n; k++)
            fprintf(rep, " %s:%s", s->operand_tensor[k] >= 0 ? T(&G, s->operand_tensor[k])->name : "(table)",
                    mode_name(s->plan.op[k].mode) + 3);
        fprintf(rep, "\n");
    }
    rc = 0;
out:
    if (rep)
        fclose(rep);
    if (G.c)
        fclose(G.c);
    free(blob);
    free(G.place);
    for (int i = 0; i < G.n_consts; i++)
        free(G.consts[i].data);
    free(G.consts);
    free(G.steps);
    return rc;
}
