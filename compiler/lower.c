/* Nodes to steps: operands, stored constants, the cost model. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_int.h"
#include "ortigia/nn_sem.h"

int cg_root_of(const struct gen *G, int t)
{
    while (G->place[t].alias_of >= 0)
        t = G->place[t].alias_of;
    return t;
}

/* A table of int32 values the generator computed (e.g. softmax terms). */
static int store_table(struct gen *G, int64_t *data, int64_t count, enum ort_dtype type)
{
    G->consts = realloc(G->consts, sizeof *G->consts * (size_t)(G->n_consts + 1));
    struct stored_const *s = &G->consts[G->n_consts];
    memset(s, 0, sizeof *s);
    s->tensor = -1;
    s->data = data;
    s->count = count;
    s->type = type;
    s->bytes = ort_dtype_size(type) * count;
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
void cg_addr_expr(const struct gen *G, int t, int64_t cst, char *buf, size_t size)
{
    if (cst >= 0) {
        snprintf(buf, size, "(ort_weights + %" PRId64 ")", G->consts[cst].offset);
        return;
    }
    t = cg_root_of(G, t);
    const struct place *p = &G->place[t];
    switch (p->where) {
    case W_ARENA: snprintf(buf, size, "(ort_act + %" PRId64 ")", p->offset); break;
    case W_INPUT: snprintf(buf, size, "(ort_inputs + %" PRId64 ")", p->offset); break;
    case W_OUTPUT: snprintf(buf, size, "ort_output_%" PRId64, p->offset); break;
    default: snprintf(buf, size, "0 /* unplaced */");
    }
}

/* ---- lowering: nodes to steps ------------------------------------------ */


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


/* A constant operand is read from the weight memory; a variable one from
 * its buffer. */
static int64_t const_ref(struct gen *G, int t) { return T(G, t)->is_const ? store_const(G, t, false) : -1; }

int cg_operand_of(const struct step *s, int tensor)
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
    if (is_scalar_const(x) || cg_operand_of(s, t) >= 0)
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
/* Links from..end of n's epilogue applied to v on the host (links with
 * scalar constants only), with the target's semantics. */
static int64_t eval_links(const struct gen *G, const struct ort_node *n, int from, int64_t v)
{
    for (int e = from; e < n->n_epilogue; e++) {
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
int cg_final_output(const struct gen *G, const struct ort_node *n)
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

/* Only scalar constants besides the running value (tensor cur). */
static bool scalar_sides(const struct gen *G, const struct ort_node *c, int cur)
{
    bool main_seen = false;
    for (int k = 0; k < c->n_inputs; k++) {
        if (c->inputs[k] == cur && !main_seen) {
            main_seen = true;
            continue;
        }
        if (c->inputs[k] >= 0 && !is_scalar_const(T(G, c->inputs[k])))
            return false;
    }
    return true;
}

/* Where an epilogue's tail can be a table: from the first link whose
 * input is an 8-bit value, when every link from there takes only scalar
 * constants and at least one computes. The table (int32, one entry per
 * value) becomes a whole operand. */
static void plan_lut(struct gen *G, struct step *s, const struct ort_node *n)
{
    s->lut_from = s->lut_operand = -1;
    if (s->plan.n >= NN_MAX_OPERANDS)
        return;
    for (int p = 0; p < n->n_epilogue; p++) {
        int cur = p ? G->g->nodes[n->epilogue[p - 1]].outputs[0] : n->outputs[0];
        const struct ort_tensor *x = T(G, cur);
        if (esize(x) != 1)
            continue;
        bool ok = true, computes = false;
        int at = cur;
        for (int e = p; e < n->n_epilogue && ok; e++) {
            const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
            ok = c->alias || scalar_sides(G, c, at);
            computes = computes || !c->alias;
            at = c->outputs[0];
        }
        /* worth its copy into L1 when enough outputs use it */
        int64_t outs = ort_shape_count(&T(G, cg_final_output(G, n))->shape), links = n->n_epilogue - p;
        if (!ok || !computes || outs * links < 512)
            continue;
        int64_t span = x->hi - x->lo + 1, *tab = malloc(sizeof *tab * (size_t)span);
        for (int64_t v = 0; v < span; v++)
            tab[v] = eval_links(G, n, p, x->lo + v);
        s->lut_from = p;
        s->lut_lo = x->lo;
        /* before the output: the output stays the last operand */
        int out_k = s->plan.n - 1;
        struct ort_tile_operand out = s->plan.op[out_k];
        int out_t = s->operand_tensor[out_k];
        int64_t out_c = s->operand_const[out_k];
        s->plan.n--;
        s->lut_operand = s->plan.n;
        enum ort_dtype type = T(G, cg_final_output(G, n))->storage;
        add_operand(s, -1, store_table(G, tab, span, type), NN_WHOLE, 0, ort_dtype_size(type) * span);
        s->plan.op[s->plan.n] = out;
        s->operand_tensor[s->plan.n] = out_t;
        s->operand_const[s->plan.n] = out_c;
        s->plan.n++;
        return;
    }
}

int cg_lower_node(struct gen *G, int ni, struct step *s)
{
    const struct ort_graph *g = G->g;
    const struct ort_node *n = &g->nodes[ni];
    const char *op = n->op_type;
    int out = n->outputs[0];
    const struct ort_tensor *o = T(G, out);
    memset(s, 0, sizeof *s);
    s->node = ni;
    s->lut_from = s->lut_operand = -1;
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
        out = cg_final_output(G, n);
        add_operand(s, out, -1, NN_OUT_ROWS, esize(T(G, out)), 0);
        plan_lut(G, s, n);
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
            add_operand(s, -1, store_table(G, tab, span, ORT_DT_INT32), NN_WHOLE, 0, 4 * span);
            if (n->n_epilogue) {
                /* The epilogue as a table over the output values. */
                int64_t levels = n->p.n_levels, *map = malloc(sizeof *map * (size_t)levels);
                for (int64_t q = 0; q < levels; q++)
                    map[q] = eval_links(G, n, 0, q);
                add_operand(s, -1, store_table(G, map, levels, ORT_DT_INT32), NN_WHOLE, 0, 4 * levels);
                out = cg_final_output(G, n);
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
        out = cg_final_output(G, n);
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
            plan_lut(G, s, n);
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
        plan_lut(G, s, n);
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

/* ---- the cost model and the engine mapping ------------------------------ */

/* Cycles of a step on the cluster: the larger of its DMA traffic and its
 * compute, plus fixed costs per step and per tile (the target's cost
 * model, target.h). */
static int64_t cluster_cycles(const struct gen *G, const struct step *s)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_cost_model *c = &G->o->target->cost;
    int64_t cores = G->o->target->cores, bw = G->o->target->dma_bytes_per_cycle;
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
    int64_t out = ort_shape_count(&G->g->tensors[cg_final_output(G, n)].shape), links = n->n_epilogue + 1;
    double compute;
    switch (s->kind) {
    case S_MATMUL_W: case S_MATMUL_A: {
        struct ort_matmul m;
        ort_matmul_dims(G->g, n, &m);
        double macs = (double)m.batches * (double)m.M * (double)m.N * (double)m.K;
        double rate = cg_mm_blocked(G, n, &m, s->kind == S_MATMUL_W) ? c->blocked_macs_per_cycle
                                                                       : c->plain_macs_per_cycle;
        compute = macs / (rate * (double)cores) + (double)out * c->product_link_cycles * (double)links / (double)cores;
        break;
    }
    case S_SOFTMAX: case S_RMSNORM: compute = (double)out * c->row_op_cycles / (double)cores; break;
    case S_DMA_COPY: compute = 0; break;
    default:
        compute = (double)out * (c->elementwise_cycles + c->elementwise_link_cycles * (double)links) / (double)cores;
    }
    double dma = (double)moved / (double)bw;
    return (int64_t)(compute > dma ? compute : dma) + c->step_cycles + c->tile_cycles * s->plan.tiles;
}

/* The engine of each step, by the cost model: the cheapest engine that
 * can run it. The cluster runs every operator; no NPU model exists yet
 * (--engine npu is refused before this), so today every step maps to
 * the cluster. */
const char *cg_map_engine(const struct gen *G, const struct step *s, int64_t *cycles)
{
    *cycles = cluster_cycles(G, s);
    return "cluster";
}

