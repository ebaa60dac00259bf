/* What lowering a node to a step needs on any engine: operands, stored
 * constants, the epilogue's side inputs and links, epilogue tables. The
 * engines' own lowering is in engine_<name>.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_int.h"

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
        snprintf(buf, size, "(%sweights + %" PRId64 ")", G->sym, G->consts[cst].offset);
        return;
    }
    t = cg_root_of(G, t);
    const struct place *p = &G->place[t];
    switch (p->where) {
    case W_ARENA: snprintf(buf, size, "(ort_act + %" PRId64 ")", p->offset); break;
    case W_INPUT: snprintf(buf, size, "(%sinputs + %" PRId64 ")", G->sym, p->offset); break;
    case W_OUTPUT: snprintf(buf, size, "%soutput_%" PRId64, G->sym, p->offset); break;
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

bool cg_scalar_sides(const struct gen *G, const struct ort_node *c, int cur)
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
            ok = c->alias || cg_scalar_sides(G, c, at);
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
