/* The cluster as an engine (engine.h): every operator, on the cores in
 * generated kernels (emit.c) over tiles the DMA stages in L1
 * (firmware/kernels/nn_tiled.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ortigia/nn_sem.h"

static bool cluster_can_run(const struct gen *G, int node, char *why, size_t size)
{
    switch (G->g->nodes[node].op->step) {
    case ORT_STEP_ELEMENTWISE: case ORT_STEP_SOFTMAX: case ORT_STEP_RMSNORM: case ORT_STEP_PRODUCT:
    case ORT_STEP_TRANSPOSE: case ORT_STEP_COPY: case ORT_STEP_CONV: case ORT_STEP_GATHER:
    case ORT_STEP_REDUCE: case ORT_STEP_ROWFN:
        return true;
    }
    snprintf(why, size, "the cluster has no kernel for this operator");
    return false;
}

/* ---- lowering ----------------------------------------------------------- */

static void lower_elementwise(struct gen *G, const struct ort_node *n, struct step *s)
{
    int64_t count = ort_shape_count(&T(G, n->outputs[0])->shape);
    s->kind = S_ELEMWISE;
    s->plan.units = count;
    for (int k = 0; k < n->n_inputs; k++)
        cg_add_side(G, s, n->inputs[k], count, true);
    cg_add_epilogue_sides(G, s, n, true);
    int out = cg_final_output(G, n);
    cg_add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
    cg_plan_lut(G, s, n);
}

/* Whether the softmax's term table meets what nn_kernel.h's
 * NN_DEFINE_SOFTMAX_ROW_Q8 needs to give NN_SOFTMAX_TABLE_BODY's values
 * (the proof is there): levels - 1 = L in 1..255, tab[0] > 0 the largest
 * term, L * tab[0] < 2^24 and a row's sum of scaled terms below 2^32. */
static bool softmax_q8_fits(const int64_t *tab, int64_t span, int64_t len, int64_t levels)
{
    int64_t L = levels - 1;
    if (L < 1 || L > 255 || span < 1 || tab[0] <= 0)
        return false;
    for (int64_t d = 1; d < span; d++)
        if (tab[d] < 0 || tab[d] > tab[0])
            return false;
    return tab[0] * L < ((int64_t)1 << 24) && len * tab[0] * L < ((int64_t)1 << 32);
}

/* Softmax and RMSNorm: by rows of the last axis. */
static void lower_row_op(struct gen *G, const struct ort_node *n, struct step *s)
{
    int out = n->outputs[0];
    const struct ort_tensor *o = T(G, out), *x = T(G, n->inputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    s->kind = n->op->step == ORT_STEP_SOFTMAX ? S_SOFTMAX : S_RMSNORM;
    s->plan.units = ort_shape_count(&o->shape) / len;
    cg_add_operand(s, n->inputs[0], -1, NN_ROWS, len * esize(x), 0);
    if (s->kind == S_SOFTMAX && esize(x) > 1 && !n->n_epilogue) {
        /* Wider inputs (a language model's masked scores): the terms of
           the differences max - x below 256, the usual ones, from a table;
           the others computed. */
        int64_t span = x->hi - x->lo + 1 < 256 ? x->hi - x->lo + 1 : 256, *tab = malloc(sizeof *tab * 256);
        for (int64_t d = 0; d < span; d++)
            tab[d] = nn_softmax_term((int32_t)-d, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1],
                                     (int32_t)n->p.coeff[2], (int32_t)n->p.coeff[3],
                                     0xFFFFFFFFu / (uint32_t)n->p.coeff[3]);
        s->softmax_wide_tab = span;
        cg_add_operand(s, -1, cg_store_table(G, tab, span, ORT_DT_INT32), NN_WHOLE, 0, 4 * span);
    }
    if (s->kind == S_SOFTMAX && esize(x) == 1 && !n->p.coeff[4] && !n->p.coeff[6]) {
        /* The terms, looked up by max - x (at most 256 values). */
        int64_t span = x->hi - x->lo + 1, *tab = malloc(sizeof *tab * (size_t)span);
        for (int64_t d = 0; d < span; d++)
            tab[d] = nn_softmax_term((int32_t)-d, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1],
                                     (int32_t)n->p.coeff[2], (int32_t)n->p.coeff[3],
                                     0xFFFFFFFFu / (uint32_t)n->p.coeff[3]);
        int final = n->n_epilogue ? cg_final_output(G, n) : out;
        s->softmax_q8 = softmax_q8_fits(tab, span, len, n->p.n_levels) && esize(T(G, final)) == 1;
        if (s->softmax_q8)
            for (int64_t d = 0; d < span; d++)
                tab[d] *= n->p.n_levels - 1;
        cg_add_operand(s, -1, cg_store_table(G, tab, span, ORT_DT_INT32), NN_WHOLE, 0, 4 * span);
        if (n->n_epilogue) {
            /* The epilogue as a table over the output values. */
            int64_t levels = n->p.n_levels, *map = malloc(sizeof *map * (size_t)levels);
            for (int64_t q = 0; q < levels; q++)
                map[q] = cg_eval_links(G, n, 0, q);
            enum ort_dtype mt = s->softmax_q8 ? T(G, final)->storage : ORT_DT_INT32;
            cg_add_operand(s, -1, cg_store_table(G, map, levels, mt), NN_WHOLE, 0,
                           ort_dtype_size(mt) * levels);
            out = final;
            o = T(G, out);
        }
    }
    if (s->kind == S_RMSNORM)
        cg_add_operand(s, n->inputs[1], cg_const_ref(G, n->inputs[1]), NN_WHOLE, 0,
                       tensor_bytes(T(G, n->inputs[1])));
    cg_add_operand(s, out, -1, NN_OUT_ROWS, len * esize(o), 0);
}

static void lower_product(struct gen *G, const struct ort_node *n, struct step *s)
{
    struct ort_matmul m;
    ort_matmul_dims(G->g, n, &m);
    int out = cg_final_output(G, n);
    const struct ort_tensor *o = T(G, out), *a = T(G, n->inputs[0]), *b = T(G, n->inputs[1]);
    bool gemm = n->op->id == ORT_OPID_GEMM;
    bool b_flat = gemm || ort_shape_count(&m.b_batch) == 1;
    bool has_c = gemm && n->n_inputs > 2 && n->inputs[2] >= 0;
    if (b->is_const && b_flat && !m.trans_a) {
        /* Weights: streamed by columns of the output, as rows of the
         * transposed matrix; A's batch folds into its rows. */
        s->kind = S_MATMUL_W;
        int64_t rows = m.batches * m.M;
        s->plan.units = m.N;
        cg_add_operand(s, n->inputs[0], cg_const_ref(G, n->inputs[0]), NN_WHOLE, 0, rows * m.K * esize(a));
        cg_add_operand(s, n->inputs[1], cg_store_const(G, n->inputs[1], !m.trans_b), NN_ROWS, m.K * esize(b), 0);
        if (has_c)
            cg_add_side(G, s, n->inputs[2], 0, false);
        cg_add_epilogue_sides(G, s, n, false);
        cg_add_operand(s, out, -1, NN_OUT_COLS, esize(o), 0);
        s->plan.op[s->plan.n - 1].rows = rows;
        cg_plan_lut(G, s, n);
        return;
    }
    s->kind = S_MATMUL_A;
    s->plan.units = m.batches * m.M;
    bool a_rows = !m.trans_a && !a->is_const && ort_shape_count(&m.a_batch) == m.batches;
    if (a_rows)
        cg_add_operand(s, n->inputs[0], -1, NN_ROWS, m.K * esize(a), 0);
    else
        cg_add_operand(s, n->inputs[0], cg_const_ref(G, n->inputs[0]), NN_WHOLE, 0, tensor_bytes(a));
    cg_add_operand(s, n->inputs[1], cg_const_ref(G, n->inputs[1]), NN_WHOLE, 0, tensor_bytes(b));
    if (has_c)
        cg_add_side(G, s, n->inputs[2], 0, false);
    cg_add_epilogue_sides(G, s, n, false);
    cg_add_operand(s, out, -1, NN_OUT_ROWS, m.N * esize(o), 0);
    cg_plan_lut(G, s, n);
}

static void lower_transpose(struct gen *G, const struct ort_node *n, struct step *s)
{
    int x = n->inputs[0], out = n->outputs[0];
    s->kind = S_TRANSPOSE;
    s->plan.units = ort_shape_count(&T(G, out)->shape);
    cg_add_operand(s, x, cg_const_ref(G, x), NN_WHOLE, 0, tensor_bytes(T(G, x)));
    cg_add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
}

/* A Concat along its axis, or a Reshape that must copy (its input is a
 * constant or of another storage type) as a Concat of its one input over
 * the flat data: outer rows of the inputs' pieces side by side. */
static int lower_copy(struct gen *G, const struct ort_node *n, struct step *s)
{
    const struct ort_tensor *o = T(G, n->outputs[0]);
    int64_t count = ort_shape_count(&o->shape);
    bool concat = n->op->id == ORT_OPID_CONCAT;
    int64_t axis = concat ? n->p.axis : 0, outer = 1, inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= o->shape.dim[i];
    for (int i = (int)axis + 1; i < o->shape.rank; i++)
        inner *= o->shape.dim[i];
    if (!concat)
        inner = count, outer = 1;
    s->kind = S_CONCAT_COPY;
    s->plan.units = outer;
    int ins = concat ? n->n_inputs : 1;
    bool dma_only = true;
    for (int k = 0; k < ins; k++)
        dma_only = dma_only && !T(G, n->inputs[k])->is_const && T(G, n->inputs[k])->storage == o->storage;
    if (dma_only)
        s->kind = S_DMA_COPY;
    if (ins > NN_MAX_OPERANDS - 1)
        return ort_fail(G->d, "%s: node '%s' (Concat): %d inputs, at most %d supported", G->g->source,
                        n->name, ins, NN_MAX_OPERANDS - 1);
    for (int k = 0; k < ins; k++) {
        const struct ort_tensor *x = T(G, n->inputs[k]);
        int64_t len = concat ? x->shape.dim[axis] * inner : inner;
        if (x->is_const)
            cg_add_operand(s, n->inputs[k], cg_const_ref(G, n->inputs[k]), NN_WHOLE, 0, tensor_bytes(x));
        else
            cg_add_operand(s, n->inputs[k], -1, NN_ROWS, len * esize(x), 0);
    }
    cg_add_operand(s, n->outputs[0], -1, NN_OUT_ROWS, count / outer * esize(o), 0);
    return 0;
}

/* A convolution by output rows: its input staged with the halo its
 * windows need (NN_HALO), the weights and bias whole, the output rows of
 * every (image, channel) plane as the columns of a [N*M, OH*OW] matrix
 * (NN_OUT_COLS). With 8-bit input and constant 8-bit weights and at least
 * 4 output channels per group, the cores gather each output pixel's
 * window (im2col) into their scratch and take the dot products with the
 * sdot kernels, four channels and two pixels at a time; else a direct
 * loop. */
static void lower_conv(struct gen *G, const struct ort_node *n, struct step *s)
{
    struct ort_conv c;
    ort_conv_dims(G->g, n, &c);
    bool pool = n->op->id != ORT_OPID_CONV;
    int out = cg_final_output(G, n), xt = n->inputs[0], wt = pool ? xt : n->inputs[1];
    const struct ort_tensor *o = T(G, out), *x = T(G, xt), *w = T(G, wt);
    s->kind = S_CONV;
    s->conv.pool = pool;
    s->plan.units = c.OH;
    int64_t window = (c.KH - 1) * c.DH + 1, rb = c.W * esize(x);
    if (!x->is_const && c.SH <= 255 && c.PT <= 255 && window <= 65535) {
        cg_add_operand(s, xt, -1, NN_HALO, rb, 0);
        struct ort_tile_operand *op = &s->plan.op[s->plan.n - 1];
        op->rows = c.N * c.C;
        op->stride = c.H * rb;
        op->halo_step = c.SH, op->halo_pad = c.PT, op->halo_window = window, op->halo_h = c.H;
    } else
        cg_add_operand(s, xt, cg_const_ref(G, xt), NN_WHOLE, 0, tensor_bytes(x));
    int64_t kg = c.Cg * c.KH * c.KW, kg4 = (kg + 3) / 4 * 4;
    /* The scratch stays in L1 whatever else the tiling leaves in place:
     * at most half the budget (the rest may hold L1 activations), two
     * pixels a core, or one where that is too much. */
    s->conv.pixels = 2;
    int64_t scratch = G->target->cores * 2 * c.G * kg4;
    if (scratch > G->o->l1_budget / 4) {
        s->conv.pixels = 1;
        scratch /= 2;
    }
    s->conv.im2col = !pool && esize(x) == 1 && esize(w) == 1 && w->is_const && c.Mg >= 4 &&
                     scratch <= G->o->l1_budget / 2;
    s->conv.kg4 = kg4;
    s->conv.bias_operand = s->conv.scratch_operand = -1;
    s->conv.weights_operand = pool ? -1 : s->plan.n;
    /* Small windows on the direct loop (depthwise): per output row, the
     * rows its windows read, padded, into the core's scratch, so that the
     * windows are summed without checks; with 8-bit data and rows of at
     * most 4 taps, one sdot a row on a (misaligned) word of the padded
     * row and the row's weights packed in a word, its spare lanes 0. */
    int64_t pw = c.W + c.PL, span_w = (c.OW - 1) * c.SW + (c.KW - 1) * c.DW + 1;
    pw = pw > span_w ? pw : span_w;
    int64_t wstride = (c.Cg * c.KH * pw * esize(x) + 4 + 3) / 4 * 4; /* + a word read past the last row */
    int64_t wscratch = G->target->cores * wstride;
    s->conv.window = !pool && !s->conv.im2col && c.Cg * c.KH * c.KW <= 32 && wscratch <= G->o->l1_budget / 4;
    s->conv.window_sdot = s->conv.window && esize(x) == 1 && esize(w) == 1 && w->is_const && c.KW <= 4 && c.DW == 1;
    s->conv.pw = pw;
    s->conv.wstride = wstride;
    if (pool) {
        /* no weights */
    } else if (s->conv.im2col) {
        /* each output channel's weights zero-padded to whole words */
        int64_t *pw = calloc((size_t)(c.M * kg4), sizeof *pw);
        for (int64_t m = 0; m < c.M; m++)
            memcpy(pw + m * kg4, w->data + m * kg, sizeof *pw * (size_t)kg);
        cg_add_operand(s, -1, cg_store_table(G, pw, c.M * kg4, w->storage), NN_WHOLE, 0, c.M * kg4);
    } else if (s->conv.window_sdot) {
        /* each window row's weights as a word, little-endian lanes */
        int64_t rows = c.M * c.Cg * c.KH, *pk = calloc((size_t)rows, sizeof *pk);
        for (int64_t r = 0; r < rows; r++) {
            uint32_t word = 0;
            for (int64_t k = 0; k < c.KW; k++)
                word |= ((uint32_t)w->data[r * c.KW + k] & 0xFFu) << (8 * k);
            pk[r] = (int32_t)word;
        }
        cg_add_operand(s, -1, cg_store_table(G, pk, rows, ORT_DT_INT32), NN_WHOLE, 0, 4 * rows);
    } else
        cg_add_operand(s, wt, cg_const_ref(G, wt), NN_WHOLE, 0, tensor_bytes(w));
    if (!pool && n->n_inputs > 2 && n->inputs[2] >= 0) {
        s->conv.bias_operand = s->plan.n;
        cg_add_operand(s, n->inputs[2], cg_const_ref(G, n->inputs[2]), NN_WHOLE, 0,
                       tensor_bytes(T(G, n->inputs[2])));
    }
    if (s->conv.im2col || s->conv.window) {
        s->conv.scratch_operand = s->plan.n;
        cg_add_operand(s, -1, -1, NN_SCRATCH, 0, s->conv.im2col ? scratch : wscratch);
    }
    cg_add_epilogue_sides(G, s, n, false);
    cg_add_operand(s, out, -1, NN_OUT_COLS, c.OW * esize(o), 0);
    s->plan.op[s->plan.n - 1].rows = c.N * c.M;
    s->plan.op[s->plan.n - 1].stride = c.OH * c.OW * esize(o);
    cg_plan_lut(G, s, n);
}

/* Pad, Slice, Gather: output elements, the input whole (or in place);
 * a Gather's indices as an int32 table. */
static void lower_gather(struct gen *G, const struct ort_node *n, struct step *s)
{
    int x = n->inputs[0], out = n->outputs[0];
    s->kind = S_GATHER;
    s->plan.units = ort_shape_count(&T(G, out)->shape);
    cg_add_operand(s, x, cg_const_ref(G, x), NN_WHOLE, 0, tensor_bytes(T(G, x)));
    if (n->op->id == ORT_OPID_GATHER && ort_shape_count(&T(G, n->inputs[1])->shape) > 0 &&
        T(G, n->inputs[1])->shape.rank > 0) {
        const struct ort_tensor *ind = T(G, n->inputs[1]);
        int axis = 0;
        while (n->p.map_src[axis] != -2)
            axis++;
        int64_t count = ort_shape_count(&ind->shape), dim = T(G, x)->shape.dim[axis];
        int64_t *tab = malloc(sizeof *tab * (size_t)count);
        for (int64_t i = 0; i < count; i++)
            tab[i] = ind->data[i] < 0 ? ind->data[i] + dim : ind->data[i];
        cg_add_operand(s, -1, cg_store_table(G, tab, count, ORT_DT_INT32), NN_WHOLE, 0, 4 * count);
    }
    cg_add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
}

/* ReduceMean, ReduceSum: output elements, the input whole (or in place),
 * an epilogue of constants. */
static int lower_reduce(struct gen *G, const struct ort_node *n, struct step *s)
{
    int x = n->inputs[0], out = cg_final_output(G, n);
    const struct ort_tensor *xt = T(G, x);
    int64_t len = ort_reduce_length(G->g, n);
    int64_t amax = (xt->lo < 0 ? -xt->lo : xt->lo) > xt->hi ? (xt->lo < 0 ? -xt->lo : xt->lo) : xt->hi;
    if (amax * len + len > INT32_MAX)
        return ort_fail(G->d, "%s: node '%s' (%s): a sum of %" PRId64 " values up to %" PRId64 " leaves int32",
                        G->g->source, n->name, n->op_type, len, amax);
    s->kind = S_REDUCE;
    s->plan.units = ort_shape_count(&T(G, n->outputs[0])->shape);
    cg_add_operand(s, x, cg_const_ref(G, x), NN_WHOLE, 0, tensor_bytes(xt));
    cg_add_epilogue_sides(G, s, n, false);
    cg_add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
    cg_plan_lut(G, s, n);
    return 0;
}

/* iLayerNorm, ITAMax, ITAPartialMax: by rows, iLayerNorm's weight and
 * bias whole. */
static void lower_rowfn(struct gen *G, const struct ort_node *n, struct step *s)
{
    int out = n->outputs[0];
    const struct ort_tensor *x = T(G, n->inputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    s->kind = S_ROWFN;
    s->plan.units = ort_shape_count(&x->shape) / len;
    cg_add_operand(s, n->inputs[0], cg_const_ref(G, n->inputs[0]), x->is_const ? NN_WHOLE : NN_ROWS,
                   x->is_const ? 0 : len * esize(x), x->is_const ? tensor_bytes(x) : 0);
    for (int k = 1; k < n->n_inputs; k++)
        cg_add_operand(s, n->inputs[k], cg_const_ref(G, n->inputs[k]), NN_WHOLE, 0, tensor_bytes(T(G, n->inputs[k])));
    cg_add_operand(s, out, -1, NN_OUT_ROWS, len * esize(T(G, out)), 0);
}

static int cluster_lower(struct gen *G, int ni, struct step *s)
{
    const struct ort_node *n = &G->g->nodes[ni];
    cg_step_init(s, ni);
    if (cg_check_links(G, n))
        return -1;
    switch (n->op->step) {
    case ORT_STEP_ELEMENTWISE: lower_elementwise(G, n, s); return 0;
    case ORT_STEP_SOFTMAX: case ORT_STEP_RMSNORM: lower_row_op(G, n, s); return 0;
    case ORT_STEP_PRODUCT: lower_product(G, n, s); return 0;
    case ORT_STEP_TRANSPOSE: lower_transpose(G, n, s); return 0;
    case ORT_STEP_COPY: return lower_copy(G, n, s);
    case ORT_STEP_CONV: lower_conv(G, n, s); return 0;
    case ORT_STEP_GATHER: lower_gather(G, n, s); return 0;
    case ORT_STEP_REDUCE: return lower_reduce(G, n, s);
    case ORT_STEP_ROWFN: lower_rowfn(G, n, s); return 0;
    }
    return ort_fail(G->d, "%s: node '%s' (%s): no code generator for this operator", G->g->source, n->name,
                    n->op_type);
}

/* ---- tiling and cost ---------------------------------------------------- */

static int64_t cluster_cost(const struct gen *G, const struct step *s);

static void cluster_tile(const struct gen *G, struct step *s, int64_t l1_budget)
{
    /* Element loops take units of whole words, so that tiles of 8-bit
     * data start word-aligned. */
    bool bytes_units = s->kind == S_ELEMWISE || s->kind == S_TRANSPOSE || s->kind == S_GATHER ||
                       s->kind == S_REDUCE;
    if (s->kind != S_MATMUL_W && s->kind != S_MATMUL_A) {
        ort_tile(&s->plan, l1_budget, bytes_units ? 4 : 1, 4);
        return;
    }
    /* A product: one tile, or several so that the transfers overlap the
     * compute, whichever the cost model finds cheaper (more tiles also
     * mean fewer blocks a tile for the cores to share). */
    struct ort_tile_plan best_plan = s->plan;
    int64_t best = -1;
    for (int64_t min_tiles = 1; min_tiles <= 4; min_tiles *= 2) {
        struct step t = *s;
        ort_tile(&t.plan, l1_budget, 1, min_tiles);
        int64_t c = cluster_cost(G, &t);
        if (best < 0 || c < best) {
            best = c;
            best_plan = t.plan;
        }
    }
    s->plan = best_plan;
}

/* The MACs of the busiest core over a blocked product's tiles: the kernel
 * (emit.c, emit_mm_blocked) splits each tile's blocks of R rows by C
 * columns among the cores, so a tile of fewer blocks than cores leaves
 * some idle (a matrix-vector product's tile of 16 columns is 4 blocks). */
static double blocked_mac_cycles(const struct step *s, const struct ort_matmul *m, int64_t cores)
{
    bool wmode = s->kind == S_MATMUL_W;
    const struct ort_tile_plan *p = &s->plan;
    int64_t tu = p->tile_units > 0 ? p->tile_units : p->units, tiles = p->tiles > 0 ? p->tiles : 1;
    int64_t rows_w = m->batches * m->M, C = m->K == 4 ? 8 : 4;
    int64_t R = wmode ? (rows_w >= 2 ? 2 : 1) : (m->M % 2 == 0 && tu % 2 == 0 ? 2 : 1);
    double total = 0;
    for (int last = 0; last < 2; last++) {
        int64_t n = last ? p->units - (tiles - 1) * tu : tu, count = last ? 1 : tiles - 1;
        int64_t blocks = wmode ? (rows_w + R - 1) / R * ((n + C - 1) / C) : (n + R - 1) / R * ((m->N + C - 1) / C);
        total += (double)count * (double)((blocks + cores - 1) / cores) * (double)(R * C * m->K);
    }
    return total;
}

/* Cycles of a step on the cluster: the larger of its DMA traffic and its
 * compute, plus fixed costs per step and per tile (target.h). */
static int64_t cluster_cost(const struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_cost_model *c = &G->target->cost;
    int64_t cores = G->target->cores, bw = G->target->dma_bytes_per_cycle;
    /* Bytes per unit staged in and out, and the whole operands. */
    int64_t whole = 0, in = 0, outb = 0;
    for (int k = 0; k < s->plan.n; k++) {
        const struct ort_tile_operand *op = &s->plan.op[k];
        if (op->mode == NN_WHOLE)
            whole += op->bytes;
        else if (op->mode == NN_ROWS)
            in += op->unit_bytes;
        else if (op->mode == NN_HALO) /* each unit's new rows; halos ignored */
            in += op->unit_bytes * op->halo_step * op->rows;
        else if (op->mode == NN_OUT_ROWS)
            outb += op->unit_bytes;
        else if (op->mode == NN_OUT_COLS)
            outb += op->unit_bytes * op->rows;
    }
    int64_t out = ort_shape_count(&G->g->tensors[cg_final_output(G, n)].shape), links = n->n_epilogue + 1;
    double compute;
    switch (s->kind) {
    case S_MATMUL_W: case S_MATMUL_A: {
        struct ort_matmul m;
        ort_matmul_dims(G->g, n, &m);
        double macs = (double)m.batches * (double)m.M * (double)m.N * (double)m.K;
        bool blocked = cg_mm_blocked(G, n, &m, s->kind == S_MATMUL_W);
        double rate = blocked ? c->blocked_macs_per_cycle : c->plain_macs_per_cycle;
        double link = blocked && m.K == 4 ? c->product_k4_link_cycles : c->product_link_cycles;
        compute = (blocked ? blocked_mac_cycles(s, &m, cores) / rate : macs / (rate * (double)cores)) +
                  (double)out * link * (double)links / (double)cores;
        break;
    }
    case S_SOFTMAX:
        compute = (double)out * (s->softmax_q8 ? c->softmax_q8_cycles : c->row_op_cycles) / (double)cores;
        break;
    case S_RMSNORM: {
        /* The cores share the elements; each sums the squares of every
         * row it touches (about rows / cores of them, at least one). */
        const struct ort_tensor *x = &G->g->tensors[n->inputs[0]];
        int64_t len = x->shape.dim[x->shape.rank - 1], rows = out / len;
        double touched = (double)((rows + cores - 1) / cores);
        compute = (double)out * c->rmsnorm_cycles / (double)cores +
                  touched * (c->rmsnorm_row_cycles + c->rmsnorm_square_cycles * (double)len);
        break;
    }
    case S_TRANSPOSE: case S_GATHER: compute = (double)out * c->transpose_cycles / (double)cores; break;
    case S_ROWFN: /* about three passes over each row */
        compute = (double)out * 3.0 * c->row_op_cycles / 4.0 / (double)cores;
        break;
    case S_REDUCE:
        compute = (double)out * ((double)ort_reduce_length(G->g, n) + c->elementwise_link_cycles * (double)links) /
                  (double)cores;
        break;
    case S_CONV: {
        struct ort_conv cv;
        ort_conv_dims(G->g, n, &cv);
        double pixels = (double)(cv.N * cv.OH * cv.OW), kg = (double)(cv.Cg * cv.KH * cv.KW);
        double macs = pixels * (double)cv.M * kg;
        double rate = s->conv.im2col ? c->blocked_macs_per_cycle : c->plain_macs_per_cycle;
        /* im2col: about three cycles a gathered byte */
        double gather = s->conv.im2col ? pixels * (double)cv.G * kg * 3.0 : 0.0;
        compute = (macs / rate + gather) / (double)cores +
                  (double)out * c->product_link_cycles * (double)links / (double)cores;
        break;
    }
    case S_DMA_COPY: /* one transfer per input straight into the output: no staging, no tiles */
        return (int64_t)(out * esize(&G->g->tensors[cg_final_output(G, n)])) / bw + c->dma_copy_cycles;
    default:
        compute = (double)out * (c->elementwise_cycles + c->elementwise_link_cycles * (double)links) / (double)cores;
    }
    /* The whole operands and the first tile come in before any compute
     * and the last tile's output goes out after it; the other transfers
     * overlap the compute (nn_tiled.c). */
    const struct ort_tile_plan *p = &s->plan;
    int64_t tiles = p->tiles > 0 ? p->tiles : 1, tu = p->tile_units > 0 ? p->tile_units : p->units;
    int64_t last = p->units - (tiles - 1) * tu;
    double first = (double)(whole + tu * in) / (double)bw, last_out = (double)(last * outb) / (double)bw;
    double rest = (double)(whole + p->units * (in + outb)) / (double)bw - first - last_out;
    return (int64_t)(first + (compute > rest ? compute : rest) + last_out) + c->step_cycles + c->tile_cycles * tiles;
}

/* ---- emission ----------------------------------------------------------- */

/* The row operators of nn_sem.h, instantiated once for each combination
 * of element types the steps use. */
static void cluster_emit_shared(struct gen *G)
{
    char seen[64][128];
    int n_seen = 0;
    for (int si = 0; si < G->n_steps; si++) {
        const struct step *s = &G->steps[si];
        if (s->engine != &ort_engine_cluster ||
            (s->kind != S_SOFTMAX && s->kind != S_RMSNORM && s->kind != S_ROWFN))
            continue;
        const struct ort_node *n = &G->g->nodes[s->node];
        char line[128];
        if (s->kind == S_ROWFN) {
            char name[96];
            cg_rowfn_instance(G, s, name, sizeof name, line, sizeof line);
        } else {
        const char *x = tensor_ctype(G, n->inputs[0]), *y = tensor_ctype(G, n->outputs[0]);
        if (s->kind == S_SOFTMAX && s->softmax_wide_tab)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_WTAB(softmax_wtab_%s_%s, %s, %s)", x, y, x, y);
        else if (s->kind == S_SOFTMAX && s->softmax_q8) {
            const char *yt = tensor_ctype(G, s->operand_tensor[s->plan.n - 1]);
            bool sx = T(G, n->inputs[0])->storage == ORT_DT_INT8, mapped = s->plan.n == 4;
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_Q8(softmax_q8%s_%s_%s, %s, %s, %d, %s, %d)",
                     mapped ? "m" : "", x, yt, x, yt, sx ? 0 : 4, sx ? "0x0C" : "0x0E", mapped);
        } else if (s->kind == S_SOFTMAX && s->plan.n == 4)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_TABLE_MAP(softmax_map_%s_%s, %s, %s)", x,
                     tensor_ctype(G, s->operand_tensor[3]), x, tensor_ctype(G, s->operand_tensor[3]));
        else if (s->kind == S_SOFTMAX && s->plan.n == 3)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_TABLE(softmax_tab_%s_%s, %s, %s)", x, y, x, y);
        else if (s->kind == S_SOFTMAX && (n->p.coeff[4] || n->p.coeff[6]))
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW_PAD(softmax_pad_%s_%s, %s, %s)", x, y, x, y);
        else if (s->kind == S_SOFTMAX)
            snprintf(line, sizeof line, "NN_DEFINE_SOFTMAX_ROW(softmax_%s_%s, %s, %s)", x, y, x, y);
        else {
            const char *w = tensor_ctype(G, n->inputs[1]);
            snprintf(line, sizeof line, "NN_DEFINE_RMSNORM_ROW(rmsnorm_%s_%s_%s, %s, %s, %s)", x, w, y, x, w, y);
        }
        }
        bool dup = false;
        for (int k = 0; k < n_seen && !dup; k++)
            dup = !strcmp(seen[k], line);
        if (!dup && n_seen < 64) {
            strcpy(seen[n_seen++], line);
            cg_emit(G, "%s\n", line);
        }
    }
}

const struct ort_engine_ops ort_engine_cluster = {
    .name = "cluster",
    .tag = NN_ENGINE_CLUSTER,
    .tag_name = "NN_ENGINE_CLUSTER",
    .can_run = cluster_can_run,
    .applies = NULL,
    .lower = cluster_lower,
    .tile = cluster_tile,
    .cost = cluster_cost,
    .emit_shared = cluster_emit_shared,
    .emit = cg_emit_cluster_step,
    .emit_run = cg_emit_step_run,
};
