/* Nodes to steps: operands, stored constants, epilogue links and tables,
 * the cost model. */
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

/* A table the generator computed (e.g. softmax terms), stored as `type`. */
int cg_store_table(struct gen *G, int64_t *data, int64_t count, enum ort_dtype type)
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

int cg_store_const(struct gen *G, int t, bool transposed)
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

void cg_step_init(struct step *s, int ni)
{
    memset(s, 0, sizeof *s);
    s->node = ni;
    s->lut_from = s->lut_operand = -1;
    for (int k = 0; k < NN_MAX_OPERANDS; k++) {
        s->operand_tensor[k] = -1;
        s->operand_const[k] = -1;
    }
}

void cg_add_operand(struct step *s, int tensor, int64_t cst, int mode, int64_t unit_bytes, int64_t bytes)
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
int64_t cg_const_ref(struct gen *G, int t) { return T(G, t)->is_const ? cg_store_const(G, t, false) : -1; }

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
void cg_add_side(struct gen *G, struct step *s, int t, int64_t out_count, bool rows)
{
    const struct ort_tensor *x = T(G, t);
    if (is_scalar_const(x) || cg_operand_of(s, t) >= 0)
        return;
    if (rows && !x->is_const && ort_shape_count(&x->shape) == out_count)
        cg_add_operand(s, t, -1, NN_ROWS, esize(x), 0);
    else
        cg_add_operand(s, t, cg_const_ref(G, t), NN_WHOLE, 0, tensor_bytes(x));
}

int cg_link_sides(const struct ort_node *c, int main, int *side)
{
    int n = 0;
    bool main_seen = false;
    for (int k = 0; k < c->n_inputs; k++) {
        if (c->inputs[k] == main && !main_seen) {
            main_seen = true;
            continue;
        }
        side[n++] = c->inputs[k];
    }
    return n;
}

int cg_check_links(const struct gen *G, const struct ort_node *n)
{
    for (int e = -1; e < n->n_epilogue; e++) {
        /* an elementwise node is the first link of its own kernel */
        const struct ort_node *c = e < 0 ? n : &G->g->nodes[n->epilogue[e]];
        if (e < 0 && !(n->op->flags & ORT_OP_ELEMENTWISE))
            continue;
        if (!c->alias && (!c->op->link_eval || !c->op->link_emit || c->n_inputs > ORT_LINK_MAX_INPUTS))
            return ort_fail(G->d, "%s: node '%s' (%s): the operator has no epilogue-link semantics "
                                  "(ops.h: link_eval, link_emit)",
                            G->g->source, c->name, c->op_type);
    }
    return 0;
}

int64_t cg_eval_links(const struct gen *G, const struct ort_node *n, int from, int64_t v)
{
    int cur = from ? G->g->nodes[n->epilogue[from - 1]].outputs[0] : n->outputs[0];
    for (int e = from; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias) { /* an alias: the same values, another shape */
            int side_t[ORT_LINK_MAX_INPUTS];
            int64_t side[ORT_LINK_MAX_INPUTS];
            int ns = cg_link_sides(c, cur, side_t);
            for (int k = 0; k < ns; k++)
                side[k] = T(G, side_t[k])->data[0];
            v = c->op->link_eval(G->g, c, v, side);
        }
        cur = c->outputs[0];
    }
    return v;
}

/* The tensor a node's kernel finally writes: the last of its epilogue. */
int cg_final_output(const struct gen *G, const struct ort_node *n)
{
    return n->n_epilogue ? G->g->nodes[n->epilogue[n->n_epilogue - 1]].outputs[0] : n->outputs[0];
}

/* Side operands of the whole epilogue of n. */
void cg_add_epilogue_sides(struct gen *G, struct step *s, const struct ort_node *n, bool rows)
{
    int cur = n->outputs[0];
    int64_t count = ort_shape_count(&T(G, cur)->shape);
    for (int e = 0; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias) {
            int side[ORT_LINK_MAX_INPUTS];
            int ns = cg_link_sides(c, cur, side);
            for (int k = 0; k < ns; k++)
                cg_add_side(G, s, side[k], count, rows);
        }
        cur = c->outputs[0];
    }
}

/* Only scalar constants besides the running value (tensor cur). */
static bool scalar_sides(const struct gen *G, const struct ort_node *c, int cur)
{
    int side[ORT_LINK_MAX_INPUTS];
    int ns = cg_link_sides(c, cur, side);
    for (int k = 0; k < ns; k++)
        if (side[k] >= 0 && !is_scalar_const(T(G, side[k])))
            return false;
    return true;
}

/* Where an epilogue's tail can be a table: from the first link whose
 * input is an 8-bit value, when every link from there takes only scalar
 * constants and at least one computes. The table (one entry per value,
 * of the output's type) becomes a whole operand. */
void cg_plan_lut(struct gen *G, struct step *s, const struct ort_node *n)
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
            tab[v] = cg_eval_links(G, n, p, x->lo + v);
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
        cg_add_operand(s, -1, cg_store_table(G, tab, span, type), NN_WHOLE, 0, ort_dtype_size(type) * span);
        s->plan.op[s->plan.n] = out;
        s->operand_tensor[s->plan.n] = out_t;
        s->operand_const[s->plan.n] = out_c;
        s->plan.n++;
        return;
    }
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

/* Softmax and RMSNorm: by rows of the last axis. */
static void lower_row_op(struct gen *G, const struct ort_node *n, struct step *s)
{
    int out = n->outputs[0];
    const struct ort_tensor *o = T(G, out), *x = T(G, n->inputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    s->kind = n->op->step == ORT_STEP_SOFTMAX ? S_SOFTMAX : S_RMSNORM;
    s->plan.units = ort_shape_count(&o->shape) / len;
    cg_add_operand(s, n->inputs[0], -1, NN_ROWS, len * esize(x), 0);
    if (s->kind == S_SOFTMAX && esize(x) == 1) {
        /* The terms, looked up by max - x (at most 256 values). */
        int64_t span = x->hi - x->lo + 1, *tab = malloc(sizeof *tab * (size_t)span);
        for (int64_t d = 0; d < span; d++)
            tab[d] = nn_softmax_term((int32_t)-d, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1],
                                     (int32_t)n->p.coeff[2], (int32_t)n->p.coeff[3],
                                     0xFFFFFFFFu / (uint32_t)n->p.coeff[3]);
        cg_add_operand(s, -1, cg_store_table(G, tab, span, ORT_DT_INT32), NN_WHOLE, 0, 4 * span);
        if (n->n_epilogue) {
            /* The epilogue as a table over the output values. */
            int64_t levels = n->p.n_levels, *map = malloc(sizeof *map * (size_t)levels);
            for (int64_t q = 0; q < levels; q++)
                map[q] = cg_eval_links(G, n, 0, q);
            cg_add_operand(s, -1, cg_store_table(G, map, levels, ORT_DT_INT32), NN_WHOLE, 0, 4 * levels);
            out = cg_final_output(G, n);
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

int cg_lower_node(struct gen *G, int ni, struct step *s)
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
    }
    return ort_fail(G->d, "%s: node '%s' (%s): no code generator for this operator", G->g->source, n->name,
                    n->op_type);
}

/* ---- the cost model and the engine mapping ------------------------------ */

/* Cycles of a step on the cluster: the larger of its DMA traffic and its
 * compute, plus fixed costs per step and per tile (target.h). */
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
