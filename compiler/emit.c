/* The cluster's generated kernels and descriptors (engine_cluster.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_int.h"
#include "engine.h"

void cg_emit(struct gen *G, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(G->c, fmt, ap);
    va_end(ap);
}


/* Operand k declared as `name`, typed by its tensor. */
void cg_emit_operand(struct gen *G, const struct step *s, int k, const char *name, bool is_out)
{
    /* a table the generator made: the type it is stored as */
    const char *type = s->operand_tensor[k] >= 0 ? tensor_ctype(G, s->operand_tensor[k])
                                                 : ctype(G->consts[s->operand_const[k]].type);
    cg_emit(G, "    %s%s *%s = p[%d];\n", is_out ? "" : "const ", type, name, k);
}

/* Operands from..n-2 (all but the output) declared as x<k>. */
static void emit_inputs(struct gen *G, const struct step *s, int from)
{
    for (int k = from; k < s->plan.n - 1; k++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", k % 100);
        cg_emit_operand(G, s, k, name, false);
    }
}

/* Where an output element is, as C expressions: its flat index, or (for
 * matrix products) its row in the [rows x N] view and its column. */
struct pos {
    const char *flat, *row, *col;
    const char *chan; /* or NULL: the index along axis 1 (a convolution's channel) */
};

/* Whether `in` broadcast to `out` varies along out's axis 1 at most. */
static bool per_channel(const struct ort_shape *in, const struct ort_shape *out)
{
    for (int i = 0; i < in->rank; i++) {
        int j = i + out->rank - in->rank;
        if (in->dim[i] != 1 && j != 1)
            return false;
    }
    return true;
}

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
    cg_bcast_expr(&ir, &orow, at->row, rows, sizeof rows);
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
    int k = cg_operand_of(s, t);
    if (s->plan.op[k].was == NN_ROWS) {
        snprintf(buf, size, "(int32_t)x%d[i]", k);
        return;
    }
    char idx[600];
    if (at->chan && per_channel(&x->shape, out)) {
        /* one value per channel: indexed by the channel, no division */
        snprintf(buf, size, "(int32_t)x%d[%s]", k, ort_shape_count(&x->shape) == 1 ? "0" : at->chan);
        return;
    }
    if (at->col && out->rank >= 1)
        bcast_rc(&x->shape, out, at, idx, sizeof idx);
    else
        cg_bcast_expr(&x->shape, out, at->flat, idx, sizeof idx);
    snprintf(buf, size, "(int32_t)x%d[%s]", k, idx);
}

/* Applies elementwise node c to the running value v (its main operand is
 * tensor cur), or, for `head`, computes it from its inputs: the
 * operator's link_emit (ops.h) with its side inputs' values as C text. */
static void emit_link(struct gen *G, const struct step *s, const struct ort_node *c, int cur,
                      const struct ort_shape *out, const struct pos *flat, bool head)
{
    if (head) {
        char a[640];
        value_of(G, s, c->inputs[0], out, flat, a, sizeof a);
        cg_emit(G, "            v = %s;\n", a);
        cur = c->inputs[0];
    }
    int side_t[ORT_LINK_MAX_INPUTS];
    char text[ORT_LINK_MAX_INPUTS][640];
    const char *side[ORT_LINK_MAX_INPUTS];
    int ns = cg_link_sides(c, cur, side_t);
    for (int k = 0; k < ns; k++) {
        value_of(G, s, side_t[k], out, flat, text[k], sizeof text[k]);
        side[k] = text[k];
    }
    c->op->link_emit(G->c, G->g, c, cur, side_t, side);
}

/* The epilogue of node n on the running value v. */
static void emit_epilogue(struct gen *G, const struct step *s, const struct ort_node *n,
                          const struct ort_shape *out, const struct pos *flat)
{
    int cur = n->outputs[0];
    for (int e = 0; e < n->n_epilogue; e++) {
        if (e == s->lut_from) {
            /* the rest of the chain, tabulated over the 8-bit value */
            cg_emit(G, "            v = x%d[v - (%" PRId64 ")];\n", s->lut_operand, s->lut_lo);
            return;
        }
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias) /* the same values, another shape */
            emit_link(G, s, c, cur, out, flat, false);
        cur = c->outputs[0];
    }
}

void cg_emit_epilogue_flat(struct gen *G, const struct step *s, const struct ort_node *n,
                           const struct ort_shape *out, const char *flat, const char *chan)
{
    const struct pos at = {flat, NULL, NULL, chan};
    emit_epilogue(G, s, n, out, &at);
}

static void emit_elemwise(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    emit_inputs(G, s, 0);
    cg_emit_operand(G, s, out_k, "y", true);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t i = b; i < e; i++) {\n");
    cg_emit(G, "        uint32_t g = u0 + i;\n        (void)g;\n        {\n            int32_t v;\n");
    const struct pos at = {"g", NULL, NULL, NULL};
    const struct ort_shape *hs = &T(G, n->outputs[0])->shape; /* before any alias */
    emit_link(G, s, n, -1, hs, &at, true);
    emit_epilogue(G, s, n, hs, &at);
    cg_emit(G, "            y[i] = (%s)v;\n        }\n    }\n", ctype(o->storage));
}

static void emit_rowop(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_tensor *x = T(G, n->inputs[0]), *o = T(G, n->outputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    cg_emit_operand(G, s, 0, "x", false);
    if (s->kind == S_RMSNORM)
        cg_emit_operand(G, s, 1, "w", false);
    cg_emit_operand(G, s, s->plan.n - 1, "y", true);
    if (s->kind == S_SOFTMAX && s->softmax_wide_tab) { /* the usual terms from a table */
        cg_emit(G, "    const uint32_t *tab = p[1];\n    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_wtab_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
                ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64
                ", tab, %" PRId64 "u);\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.coeff[0], n->p.coeff[1],
             n->p.coeff[2], n->p.coeff[3], n->p.n_levels, n->p.coeff[4], n->p.coeff[5], n->p.coeff[6],
             s->softmax_wide_tab);
        return;
    }
    if (s->kind == S_SOFTMAX && s->softmax_q8) {
        const struct ort_tensor *fo = T(G, s->operand_tensor[s->plan.n - 1]);
        bool mapped = s->plan.n == 4;
        cg_emit(G, "    const uint32_t *tab = p[1];\n    const uint8_t *omap = %s;\n", mapped ? "p[2]" : "0");
        cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_q8%s_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64
                ", tab, omap, %" PRId64 "u);\n",
             mapped ? "m" : "", ctype(x->storage), ctype(fo->storage), len, len, len, n->p.n_levels - 1);
        return;
    }
    if (s->kind == S_SOFTMAX && s->plan.n == 4) {
        const struct ort_tensor *fo = T(G, s->operand_tensor[3]);
        cg_emit(G, "    const uint32_t *tab = p[1];\n    const int32_t *omap = p[2];\n");
        cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_map_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64
                ", tab, omap, %" PRId64 ");\n",
             ctype(x->storage), ctype(fo->storage), len, len, len, n->p.n_levels);
        return;
    }
    if (s->kind == S_SOFTMAX && s->plan.n == 3) {
        cg_emit(G, "    const uint32_t *tab = p[1];\n    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_tab_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64
                ", tab, %" PRId64 ");\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.n_levels);
        return;
    }
    if (s->kind == S_SOFTMAX && (n->p.coeff[4] || n->p.coeff[6])) { /* with pad entries, or rounding */
        cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_pad_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
                ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ");\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.coeff[0], n->p.coeff[1],
             n->p.coeff[2], n->p.coeff[3], n->p.n_levels, n->p.coeff[4], n->p.coeff[5], n->p.coeff[6]);
        return;
    }
    if (s->kind == S_SOFTMAX) {
        cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
        cg_emit(G, "    for (uint32_t r = b; r < e; r++)\n");
        cg_emit(G, "        softmax_%s_%s(x + r * %" PRId64 "u, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
                ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ");\n",
             ctype(x->storage), ctype(o->storage), len, len, len, n->p.coeff[0], n->p.coeff[1],
             n->p.coeff[2], n->p.coeff[3], n->p.n_levels);
        return;
    }
    /* RMSNorm: the cores share the tile's elements, rows included. */
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n", len);
    cg_emit(G, "    while (b < e) {\n");
    cg_emit(G, "        uint32_t r = b / %" PRId64 "u, j0 = b - r * %" PRId64 "u;\n", len, len);
    cg_emit(G, "        uint32_t j1 = e - r * %" PRId64 "u < %" PRId64 "u ? e - r * %" PRId64 "u : %" PRId64 "u;\n",
         len, len, len, len);
    cg_emit(G, "        rmsnorm_%s_%s_%s(x + r * %" PRId64 "u, w, y + r * %" PRId64 "u, %" PRId64 ", %" PRId64
            ", %" PRId64 ", (int32_t)j0, (int32_t)j1);\n",
         ctype(x->storage), tensor_ctype(G, n->inputs[1]), ctype(o->storage), len, len, len, n->p.log2d,
         n->p.coeff[0]);
    cg_emit(G, "        b = r * %" PRId64 "u + j1;\n    }\n", len);
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
    if (n->op->id == ORT_OPID_GEMM) {
        if (n->p.alpha != 1)
            cg_emit(G, "            acc *= %" PRId64 ";\n", n->p.alpha);
        if (n->n_inputs > 2 && n->inputs[2] >= 0) {
            struct ort_shape mn = {.rank = 2, .dim = {m->M, m->N}};
            snprintf(var, sizeof var, "(%s * %" PRId64 "u + %s)", row, m->N, col);
            const struct pos cpos = {var, row, col, NULL};
            value_of(G, s, n->inputs[2], &mn, &cpos, val, sizeof val);
            cg_emit(G, "            acc += %" PRId64 " * %s;\n", n->p.beta, val);
        }
    }
    cg_emit(G, "            int32_t v = acc;\n");
    const struct pos at = {flat, row, col, NULL};
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
        cg_emit(G, "            int32_t acc = nn_dot_%s_%s(%s, %s, %" PRId64 "u, 0);\n",
             a->storage == ORT_DT_INT8 ? "i8" : "u8", b->storage == ORT_DT_INT8 ? "i8" : "u8", pa, pb,
             K / 4);
        return;
    }
    cg_emit(G, "            int32_t acc = 0;\n");
    cg_emit(G, "            for (uint32_t k = 0; k < %" PRId64 "u; k++)\n", K);
    cg_emit(G, "                acc += (int32_t)%s[k] * (int32_t)%s[k * %" PRId64 "u];\n", pa, pb, bstep);
}

static void emit_matmul_operands(struct gen *G, const struct step *s, const char *a, const char *b)
{
    cg_emit_operand(G, s, 0, a, false);
    cg_emit_operand(G, s, 1, b, false);
    emit_inputs(G, s, 2);
    cg_emit_operand(G, s, s->plan.n - 1, "y", true);
}

/* Both operands 8-bit, contiguous along K, K a multiple of 4: the
 * register-blocked sdot kernels apply. */
bool cg_mm_blocked(const struct gen *G, const struct ort_node *n, const struct ort_matmul *m,
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
    /* The column comes as the block's j plus a constant jc, added last:
     * GCC then shares the address of the block's row and folds jc into
     * the loads' and stores' offsets (given j + jc, it adds per element). */
    cg_emit(G, "static inline __attribute__((always_inline)) void o%d(void *const *p, const uint32_t *rs, "
            "uint32_t u0, uint32_t i, uint32_t j, uint32_t jc, int32_t acc)\n{\n    (void)rs;\n    (void)u0;\n", si);
    emit_inputs(G, s, 2);
    cg_emit_operand(G, s, out_k, "y", true);
    cg_emit(G, "    {\n");
    char flat[96];
    if (wmode) {
        snprintf(flat, sizeof flat, "(i * %" PRId64 "u + u0 + j + jc)", m->N);
        emit_matmul_epilogue(G, s, n, m, flat, "i", "(u0 + j + jc)");
        cg_emit(G, "            y[i * (rs[%d] / %d) + j + jc] = (%s)v;\n", out_k, esize(o), ctype(o->storage));
    } else {
        cg_emit(G, "            uint32_t u = u0 + i;\n");
        snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j + jc)", m->N);
        emit_matmul_epilogue(G, s, n, m, flat, "u", "j + jc");
        cg_emit(G, "            y[i * %" PRId64 "u + j + jc] = (%s)v;\n", m->N, ctype(o->storage));
    }
    cg_emit(G, "    }\n}\n");
}

/* The blocked kernel: blocks of R rows x 4 (K = 4: 8) columns shared among the
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
    cg_emit(G, "    const %s *a = p[0];\n    const %s *bm = p[1];\n", ta, tb);
    /* The epilogue's operand pointers in registers: read through p, GCC
     * reloads them after every 8-bit store (which may alias anything). */
    cg_emit(G, "    void *const lp[%d] = {", s->plan.n);
    for (int k = 0; k < s->plan.n; k++)
        cg_emit(G, "%sp[%d]", k ? ", " : "", k);
    cg_emit(G, "};\n");
    /* Columns per block: 4 (the sdot kernels'), 8 when K = 4, which halves
     * the block's share of index and pointer arithmetic per output. */
    int C = K == 4 ? 8 : 4, lc = C == 8 ? 3 : 2;
    if (R == 1)
        cg_emit(G, "    uint32_t cb = (%s + %d) >> %d, rb = %s, b, e;\n", cols, C - 1, lc, rows);
    else
        cg_emit(G, "    uint32_t cb = (%s + %d) >> %d, rb = (%s + 1) >> 1, b, e;\n", cols, C - 1, lc, rows);
    cg_emit(G, "    nn_part(rb * cb, &b, &e);\n");
    cg_emit(G, "    uint32_t ib = b / cb, jb = b - ib * cb;\n");
    cg_emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    cg_emit(G, "        uint32_t i = ib * %d, j = jb * %d;\n", R, C);
    if (wmode) {
        cg_emit(G, "        const %s *a0 = a + i * %" PRId64 "u;\n", ta, K);
        cg_emit(G, "        const %s *bb = bm;\n", tb);
    } else {
        char aidx[512], bidx[512], bt_e[256], i_e[256];
        cg_bcast_expr(&m->a_batch, &m->batch, "bt", aidx, sizeof aidx);
        cg_bcast_expr(&m->b_batch, &m->batch, "bt", bidx, sizeof bidx);
        cg_cdiv(bt_e, sizeof bt_e, "(u0 + i)", m->M, s->plan.units - 1);
        cg_cmod(i_e, sizeof i_e, "(u0 + i)", m->M, s->plan.units - 1);
        cg_emit(G, "        uint32_t bt = %s;\n        (void)bt;\n", bt_e);
        if (s->plan.op[0].was == NN_ROWS)
            cg_emit(G, "        const %s *a0 = a + i * %" PRId64 "u;\n", ta, K);
        else
            cg_emit(G, "        const %s *a0 = a + (%s) * %" PRId64 "u + (%s) * %" PRId64 "u;\n", ta, aidx,
                 m->M * K, i_e, K);
        cg_emit(G, "        const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, K * m->N);
    }
    cg_emit(G, "        const %s *b0 = bb + j * %" PRId64 "u;\n", tb, K);
    cg_emit(G, "        if (i + %d <= %s && j + %d <= %s) {\n", R, rows, C, cols);
    if (K != 4)
        cg_emit(G, "            int32_t c[%d];\n", 4 * R);
    if (K == 4) {
        /* One word a row: the dot products are single instructions, each
         * issued just before its epilogue, so that only the six words
         * stay live (eight sums at once spill registers); no hardware
         * loop to set up, no "memory" clobber. */
        for (int c = 0; c < C; c++)
            cg_emit(G, "            const uint32_t w%d = *(const uint32_t *)(b0 + %d);\n", c, 4 * c);
        for (int r = 0; r < R; r++)
            cg_emit(G, "            const uint32_t x%d = *(const uint32_t *)(a0 + %d);\n", r, 4 * r);
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++)
                cg_emit(G, "            o%d(lp, rs, u0, i + %d, j, %du, NN_DOT1_%s(x%d, w%d));\n", si, r, c, sfx, r,
                        c);
    } else if (R == 2)
        cg_emit(G, "            nn_mm2x4_%s(a0, a0 + %" PRId64 "u, b0, %" PRId64 "u, %" PRId64 "u, c);\n", sfx, K,
             K, K / 4);
    else
        cg_emit(G, "            nn_mm1x4_%s(a0, b0, %" PRId64 "u, %" PRId64 "u, c);\n", sfx, K, K / 4);
    for (int r = 0; r < R && K != 4; r++)
        for (int c = 0; c < 4; c++)
            cg_emit(G, "            o%d(lp, rs, u0, i + %d, j, %du, c[%d]);\n", si, r, c, r * 4 + c);
    cg_emit(G, "        } else {\n");
    cg_emit(G, "            for (uint32_t ii = 0; ii < %d && i + ii < %s; ii++)\n", R, rows);
    cg_emit(G, "                for (uint32_t jj = 0; jj < %d && j + jj < %s; jj++)\n", C, cols);
    cg_emit(G, "                    o%d(lp, rs, u0, i + ii, j, jj, nn_dot_%s(a0 + ii * %" PRId64 "u, b0 + jj * %" PRId64
            "u, %" PRId64 "u, 0));\n", si, sfx, K, K, K / 4);
    cg_emit(G, "        }\n");
    cg_emit(G, "        if (++jb == cb) {\n            jb = 0;\n            ib++;\n        }\n    }\n");
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
    cg_emit(G, "    uint32_t ys = rs[%d] / %d, b, e;\n", out_k, esize(o));
    cg_emit(G, "    nn_part(%" PRId64 "u * n, &b, &e);\n", rows);
    if (rows == 1)
        cg_emit(G, "    uint32_t i = 0, j = b;\n");
    else
        cg_emit(G, "    uint32_t i = b / n, j = b - i * n;\n");
    cg_emit(G, "    for (uint32_t q = b; q < e; q++) {\n        {\n");
    cg_emit(G, "            const %s *ar = a + i * %" PRId64 "u;\n", tensor_ctype(G, n->inputs[0]), m.K);
    cg_emit(G, "            const %s *br = bt + j * %" PRId64 "u;\n", tensor_ctype(G, n->inputs[1]), m.K);
    emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "br", 1);
    char flat[96];
    snprintf(flat, sizeof flat, "(i * %" PRId64 "u + u0 + j)", m.N);
    emit_matmul_epilogue(G, s, n, &m, flat, "i", "(u0 + j)");
    cg_emit(G, "            y[i * ys + j] = (%s)v;\n        }\n", ctype(o->storage));
    cg_emit(G, "        if (++j == n) {\n            j = 0;\n            i++;\n        }\n    }\n");
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
    cg_bcast_expr(&m->a_batch, &m->batch, "bt", aidx, sizeof aidx);
    cg_bcast_expr(&m->b_batch, &m->batch, "bt", bidx, sizeof bidx);
    cg_cdiv(bt_e, sizeof bt_e, "u", m->M, s->plan.units - 1);
    cg_cmod(i_e, sizeof i_e, "u", m->M, s->plan.units - 1);
    const char *ta = tensor_ctype(G, n->inputs[0]), *tb = tensor_ctype(G, n->inputs[1]);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t r = b; r < e; r++) {\n");
    cg_emit(G, "        uint32_t u = u0 + r, bt = %s, i = %s;\n        (void)bt;\n        (void)i;\n", bt_e, i_e);
    if (a_rows)
        cg_emit(G, "        const %s *ar = a + r * %" PRId64 "u;\n", ta, m->K);
    else
        cg_emit(G, "        const %s *ar = a + (%s) * %" PRId64 "u + i * %" PRId64 "u;\n", ta, aidx, m->M * m->K,
             m->K);
    cg_emit(G, "        const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, m->K * m->N);
    cg_emit(G, "        int32_t c[%" PRId64 "] = {0};\n", m->N);
    cg_emit(G, "        for (uint32_t k = 0; k < %" PRId64 "u; k++) {\n", m->K);
    cg_emit(G, "            int32_t av = ar[k];\n            const %s *br = bb + k * %" PRId64 "u;\n", tb, m->N);
    for (int64_t j = 0; j < m->N; j++)
        cg_emit(G, "            c[%" PRId64 "] += av * (int32_t)br[%" PRId64 "];\n", j, j);
    cg_emit(G, "        }\n");
    char flat[96];
    snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j)", m->N);
    for (int64_t j = 0; j < m->N; j++) {
        cg_emit(G, "        {\n            const uint32_t j = %" PRId64 "u;\n            int32_t acc = c[j];\n", j);
        emit_matmul_epilogue(G, s, n, m, flat, "u", "j");
        cg_emit(G, "            y[r * %" PRId64 "u + j] = (%s)v;\n        }\n", m->N, ctype(o->storage));
    }
    cg_emit(G, "    }\n");
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
    cg_bcast_expr(&m.a_batch, &m.batch, "bt", aidx, sizeof aidx);
    cg_bcast_expr(&m.b_batch, &m.batch, "bt", bidx, sizeof bidx);
    cg_emit(G, "    uint32_t b, e;\n");
    cg_emit(G, "    nn_part(n * %" PRId64 "u, &b, &e);\n", m.N);
    cg_emit(G, "    uint32_t r = b / %" PRId64 "u, j = b %% %" PRId64 "u;\n", m.N, m.N);
    cg_emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    char bt_e[256], i_e[256];
    cg_cdiv(bt_e, sizeof bt_e, "u", m.M, s->plan.units - 1);
    cg_cmod(i_e, sizeof i_e, "u", m.M, s->plan.units - 1);
    cg_emit(G, "        uint32_t u = u0 + r, bt = %s, i = %s;\n", bt_e, i_e);
    cg_emit(G, "        (void)bt;\n        (void)i;\n        {\n");
    const char *ta = tensor_ctype(G, n->inputs[0]), *tb = tensor_ctype(G, n->inputs[1]);
    if (a_rows)
        cg_emit(G, "            const %s *ar = a + r * %" PRId64 "u;\n", ta, m.K);
    else if (m.trans_a)
        cg_emit(G, "            const %s *ab = a + (%s) * %" PRId64 "u;\n", ta, aidx, m.M * m.K);
    else
        cg_emit(G, "            const %s *ar = a + (%s) * %" PRId64 "u + i * %" PRId64 "u;\n", ta, aidx,
             m.M * m.K, m.K);
    cg_emit(G, "            const %s *bb = bm + (%s) * %" PRId64 "u;\n", tb, bidx, m.K * m.N);
    if (m.trans_a) {
        cg_emit(G, "            int32_t acc = 0;\n");
        cg_emit(G, "            for (uint32_t k = 0; k < %" PRId64 "u; k++)\n", m.K);
        char bv[64];
        if (m.trans_b)
            snprintf(bv, sizeof bv, "j * %" PRId64 "u + k", m.K);
        else
            snprintf(bv, sizeof bv, "k * %" PRId64 "u + j", m.N);
        cg_emit(G, "                acc += (int32_t)ab[k * %" PRId64 "u + i] * (int32_t)bb[%s];\n", m.M, bv);
    } else if (m.trans_b) {
        cg_emit(G, "            const %s *bc = bb + j * %" PRId64 "u;\n", tb, m.K);
        emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "bc", 1);
    } else {
        cg_emit(G, "            const %s *bc = bb + j;\n", tb);
        emit_dot(G, n->inputs[0], n->inputs[1], m.K, "ar", "bc", m.N);
    }
    char flat[96];
    snprintf(flat, sizeof flat, "(u * %" PRId64 "u + j)", m.N);
    emit_matmul_epilogue(G, s, n, &m, flat, "u", "j");
    cg_emit(G, "            y[r * %" PRId64 "u + j] = (%s)v;\n        }\n", m.N, ctype(o->storage));
    cg_emit(G, "        if (++j == %" PRId64 "u) {\n            j = 0;\n            r++;\n        }\n    }\n",
         m.N);
}

static void emit_transpose(struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    char idx[1024];
    cg_transpose_expr(&T(G, n->inputs[0])->shape, n->p.perm, "g", idx, sizeof idx);
    cg_emit_operand(G, s, 0, "x", false);
    cg_emit_operand(G, s, 1, "y", true);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t i = b; i < e; i++) {\n        uint32_t g = u0 + i;\n");
    cg_emit(G, "        y[i] = (%s)x[%s];\n    }\n", tensor_ctype(G, n->outputs[0]), idx);
}

static void emit_concat(struct gen *G, const struct step *s)
{
    int out_k = s->plan.n - 1;
    int64_t total = s->plan.op[out_k].unit_bytes / esize(T(G, s->operand_tensor[out_k]));
    emit_inputs(G, s, 0);
    cg_emit_operand(G, s, out_k, "y", true);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n",
         total);
    cg_emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    char r_e[256], c_e[256];
    cg_cdiv(r_e, sizeof r_e, "q", total, s->plan.units * total - 1);
    cg_cmod(c_e, sizeof c_e, "q", total, s->plan.units * total - 1);
    cg_emit(G, "        uint32_t r = %s, c = %s;\n", r_e, c_e);
    int64_t at = 0;
    for (int k = 0; k < out_k; k++) {
        const struct ort_tensor *x = T(G, s->operand_tensor[k]);
        int64_t len = s->plan.op[k].was == NN_WHOLE ? ort_shape_count(&x->shape) / s->plan.units
                                                    : s->plan.op[k].unit_bytes / esize(x);
        const char *row = s->plan.op[k].was == NN_WHOLE ? "(u0 + r)" : "r";
        cg_emit(G, "        %sif (c < %" PRId64 "u)\n", k ? "else " : "", at + len);
        cg_emit(G, "            y[q] = (%s)x%d[%s * %" PRId64 "u + c - %" PRId64 "u];\n",
             tensor_ctype(G, s->operand_tensor[out_k]), k, row, len, at);
        at += len;
    }
    cg_emit(G, "    }\n");
}

const char *cg_mode_name(int mode)
{
    static const char *names[] = {"NN_WHOLE", "NN_ROWS",    "NN_OUT_ROWS", "NN_OUT_COLS",
                                  "NN_INPLACE", "NN_HALO", "NN_SCRATCH"};
    return names[mode];
}

/* A Concat as DMA copies: input k's rows go to its columns of the output. */
static void emit_copies(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    int out_k = s->plan.n - 1;
    char dst[128], src[128];
    cg_addr_expr(G, s->operand_tensor[out_k], -1, dst, sizeof dst);
    /* in L1: core 0 reads them as it programs the DMA */
    cg_emit(G, "static const struct nn_copy c%d[] __attribute__((section(\".l1data\"))) = {\n", si);
    int64_t at = 0, row = s->plan.op[out_k].unit_bytes;
    for (int k = 0; k < out_k; k++) {
        int64_t len = s->plan.op[k].unit_bytes;
        cg_addr_expr(G, s->operand_tensor[k], -1, src, sizeof src);
        cg_emit(G, "    {%s + %" PRId64 ", %s, %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 "},\n", dst, at, src,
             len, s->plan.units, row, len);
        at += len;
    }
    cg_emit(G, "};\n");
}

void cg_emit_cluster_step(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    cg_emit(G, "\n/* step %d: node '%s' (%s) */\n", si, n->name, n->op_type);
    if (s->kind == S_DMA_COPY) {
        emit_copies(G, si);
        return;
    }
    if (s->kind == S_CONV) {
        cg_emit_conv(G, si);
        cg_emit_descriptor(G, si);
        return;
    }
    struct ort_matmul mm;
    bool blocked = false;
    if (s->kind == S_MATMUL_W || s->kind == S_MATMUL_A) {
        ort_matmul_dims(G->g, n, &mm);
        blocked = cg_mm_blocked(G, n, &mm, s->kind == S_MATMUL_W);
        if (blocked)
            emit_mm_store(G, s, si, &mm, s->kind == S_MATMUL_W);
    }
    cg_emit(G, "static void k%d(void *const *p, const uint32_t *rs, uint32_t u0, uint32_t n)\n{\n", si);
    cg_emit(G, "    (void)rs;\n    (void)u0;\n");
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
    case S_CONCAT_COPY: emit_concat(G, s); break;
    case S_GATHER: cg_emit_gather(G, si); break;
    case S_REDUCE: cg_emit_reduce(G, si); break;
    case S_ROWFN: cg_emit_rowfn(G, si); break;
    case S_DMA_COPY: case S_NPU_GEMM: case S_NPU_CONV: case S_CONV: break; /* S_NPU_*: engine_npu.c */
    }
    cg_emit(G, "}\n");
    cg_emit_descriptor(G, si);
}

void cg_emit_descriptor(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    /* the operand count carries the engine's tag and the staging bits (nn.h) */
    bool whole = false, in = false, out = false;
    for (int k = 0; k < s->plan.n; k++) {
        enum nn_mode m = s->plan.op[k].mode;
        whole = whole || m == NN_WHOLE;
        in = in || m == NN_ROWS;
        out = out || m == NN_OUT_ROWS || m == NN_OUT_COLS;
    }
    cg_emit(G, "static const struct nn_tiling t%d = {%" PRId64 ", %" PRId64 ", %" PRId64 ", NN_OPERANDS(%d, %s)%s%s%s, "
               "k%d, {\n",
            si, s->plan.units, s->plan.tile_units, s->plan.tiles, s->plan.n, s->engine->tag_name,
            whole ? " | NN_STAGES_WHOLE" : "", in ? " | NN_STAGES_IN" : "", out ? " | NN_STAGES_OUT" : "", si);
    for (int k = 0; k < s->plan.n; k++) {
        const struct ort_tile_operand *op = &s->plan.op[k];
        char addr[128], l1[2][64];
        if (s->operand_tensor[k] < 0 && s->operand_const[k] < 0)
            snprintf(addr, sizeof addr, "0"); /* scratch: nothing behind it */
        else
            cg_addr_expr(G, s->operand_tensor[k], s->operand_const[k], addr, sizeof addr);
        for (int b = 0; b < 2; b++) {
            if (op->l1_off[b] >= 0)
                snprintf(l1[b], sizeof l1[b], "ort_l1_arena + %" PRId64, op->l1_off[b]);
            else
                snprintf(l1[b], sizeof l1[b], "0");
        }
        int64_t stride = 0, bytes = op->bytes;
        if (op->stride)
            stride = op->stride;
        else if (op->was == NN_OUT_COLS) {
            struct ort_matmul m;
            ort_matmul_dims(G->g, n, &m);
            stride = m.N * op->unit_bytes;
        }
        if (op->was == NN_HALO)
            bytes = NN_HALO_PACK(op->halo_step, op->halo_pad, op->halo_window);
        /* An operand left in place advances per unit only if it was sliced
         * by units (a halo input's kernel finds its rows itself). */
        int64_t ub = op->mode == NN_INPLACE && (op->was == NN_WHOLE || op->was == NN_HALO) ? 0 : op->unit_bytes;
        cg_emit(G, "    {(uint8_t *)%s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", {%s, %s}},\n",
             addr, cg_mode_name(op->mode), ub, bytes, op->rows, stride, l1[0], l1[1]);
    }
    cg_emit(G, "}};\n");
}

/* A step nn_step runs from a descriptor (a DMA-only step has none). */
static bool has_descriptor(const struct step *s) { return s->kind != S_DMA_COPY; }

/* nn_step with the next descriptor, which core 0 prefetches into L1 while
 * this step runs; or the DMA copies. */
void cg_emit_step_run(struct gen *G, int si, int *ordinal)
{
    const struct step *s = &G->steps[si];
    if (s->kind == S_DMA_COPY) {
        cg_emit(G, "    nn_step_copies(c%d, %d);\n", si, s->plan.n - 1);
        return;
    }
    int next = si + 1;
    while (next < G->n_steps && !has_descriptor(&G->steps[next]))
        next++;
    char nx[64];
    if (next < G->n_steps)
        snprintf(nx, sizeof nx, "&t%d, NN_TILING_BYTES(%d)", next, G->steps[next].plan.n);
    else
        snprintf(nx, sizeof nx, "0, 0");
    cg_emit(G, "    nn_step(&t%d, %d, %s);\n", si, (*ordinal)++, nx);
}

