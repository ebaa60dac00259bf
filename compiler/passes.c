#include "passes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "ref.h"

int ort_pass_fold_constants(struct ort_graph *g, struct ort_diag *d)
{
    int64_t **values = calloc((size_t)g->n_tensors, sizeof *values);
    for (int t = 0; t < g->n_tensors; t++)
        values[t] = g->tensors[t].data;
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        bool all_const = true;
        for (int k = 0; k < n->n_inputs && all_const; k++)
            all_const = n->inputs[k] < 0 || g->tensors[n->inputs[k]].is_const;
        struct ort_tensor *o = &g->tensors[n->outputs[0]];
        if (!all_const || o->is_output)
            continue;
        int64_t *v = ort_ref_eval_node(g, i, values, d);
        if (!v) {
            free(values);
            return -1;
        }
        o->data = values[n->outputs[0]] = v;
        o->is_const = true;
        o->producer = -1;
        n->removed = true;
    }
    free(values);
    return 0;
}

/* Consumers of tensor t among live nodes: count, and the only one. */
static int consumers(const struct ort_graph *g, int t, int *only)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == t) {
                c++;
                *only = i;
            }
    }
    return c;
}

static void rewire(struct ort_graph *g, int from, int to)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] == from)
                g->nodes[i].inputs[k] = to;
}

static bool scalar_const(const struct ort_tensor *t, int64_t *v)
{
    if (!t->is_const || ort_shape_count(&t->shape) != 1)
        return false;
    *v = t->data[0];
    return true;
}

/* (x * 2^s + 2^(s-1)) >> s == x, and the clip range holds x's range. */
static bool identity_rqs(const struct ort_graph *g, const struct ort_node *n)
{
    int64_t mul, add;
    const struct ort_tensor *x = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
    if (!scalar_const(&g->tensors[n->inputs[1]], &mul) || !scalar_const(&g->tensors[n->inputs[2]], &add))
        return false;
    return mul == ((int64_t)1 << n->p.log2d) && add == 0 && x->lo >= y->lo && x->hi <= y->hi &&
           x->storage == y->storage && ort_shape_equal(&x->shape, &y->shape);
}

/* A permutation that keeps the order of the dimensions larger than 1. */
static bool noop_perm(const struct ort_shape *in, const int64_t *perm)
{
    int64_t last = -1;
    for (int i = 0; i < in->rank; i++) {
        if (in->dim[perm[i]] == 1)
            continue;
        if (perm[i] < last)
            return false;
        last = perm[i];
    }
    return true;
}

static bool swaps_last_two(int rank, const int64_t *perm)
{
    if (rank < 2)
        return false;
    for (int i = 0; i < rank - 2; i++)
        if (perm[i] != i)
            return false;
    return perm[rank - 2] == rank - 1 && perm[rank - 1] == rank - 2;
}

/* An elementwise node with its link semantics: it can join an epilogue. */
static bool is_link(const struct ort_node *n)
{
    return ort_node_has(n, ORT_OP_ELEMENTWISE) && n->op->link_eval && n->op->link_emit;
}

/* Extends node h's epilogue: the next node must be elementwise, read the
 * current result as its main operand with the same shape out, and take
 * its other operands from tensors ready before h runs (constants, inputs,
 * or outputs of nodes before h). The head's own output and the links'
 * intermediates must have no other reader and not be graph outputs. A
 * MatMul head takes only constant or broadcast side operands (its output
 * is tiled by columns). */
static void fuse_chain(struct ort_graph *g, int h)
{
    struct ort_node *head = &g->nodes[h];
    bool matmul = ort_node_has(head, ORT_OP_PRODUCT);
    /* A softmax's epilogue becomes a table over its output values: only
     * links with scalar constants. */
    bool softmax = ort_node_has(head, ORT_OP_TABLE_EPILOGUE);
    int cur = head->outputs[0];
    /* Past an alias (Reshape, no-op Transpose) the flat order is the same
     * but the shape is not: only scalar constants may join from there. */
    bool past_alias = softmax;
    while (head->n_epilogue < ORT_MAX_EPILOGUE) {
        int next = -1;
        if (g->tensors[cur].is_output || consumers(g, cur, &next) != 1)
            break;
        struct ort_node *c = &g->nodes[next];
        /* an alias link: the values pass unchanged (not an identity
         * RequantShift, which stays an alias only to write a graph output) */
        if (c->alias && !softmax && !c->removed && c->inputs[0] == cur &&
            !ort_node_is(c, ORT_OPID_REQUANT_SHIFT)) {
            head->epilogue[head->n_epilogue++] = next;
            c->fused = true;
            cur = c->outputs[0];
            past_alias = true;
            continue;
        }
        if (!is_link(c) || c->alias)
            break;
        const struct ort_shape *cs = &g->tensors[cur].shape;
        if (!ort_shape_equal(&g->tensors[c->outputs[0]].shape, cs))
            break;
        bool main_seen = false, ok = true;
        for (int k = 0; k < c->n_inputs && ok; k++) {
            int t = c->inputs[k];
            bool main = t == cur && !main_seen && (k == 0 || ort_node_has(c, ORT_OP_COMMUTATIVE));
            if (main) {
                main_seen = true;
                continue;
            }
            const struct ort_tensor *side = &g->tensors[t];
            if (t == cur || (side->producer >= 0 && side->producer >= h))
                ok = false;
            else if (matmul && !side->is_const && ort_shape_count(&side->shape) >= ort_shape_count(cs))
                ok = false;
            else if (past_alias && !(side->is_const && ort_shape_count(&side->shape) == 1))
                ok = false;
        }
        if (!ok || !main_seen)
            break;
        head->epilogue[head->n_epilogue++] = next;
        c->fused = true;
        cur = c->outputs[0];
    }
    /* A chain ends on a computing link, not on an alias. */
    while (head->n_epilogue && g->nodes[head->epilogue[head->n_epilogue - 1]].alias) {
        g->nodes[head->epilogue[head->n_epilogue - 1]].fused = false;
        head->n_epilogue--;
    }
}

static void set_const_bounds(struct ort_tensor *t)
{
    int64_t count = ort_shape_count(&t->shape);
    t->lo = t->hi = count ? t->data[0] : 0;
    for (int64_t i = 1; i < count; i++) {
        t->lo = t->data[i] < t->lo ? t->data[i] : t->lo;
        t->hi = t->data[i] > t->hi ? t->data[i] : t->hi;
    }
    t->storage = t->lo >= -128 && t->hi <= 127 ? ORT_DT_INT8
                 : t->lo >= 0 && t->hi <= 255  ? ORT_DT_UINT8
                                               : ORT_DT_INT32;
}

/* TrueIntegerDiv (x * c) read only by a RequantShift: requant(x*c, mul)
 * is requant(x, mul*c), the same integers; the multiplication moves into
 * the requantization's constant (as Deeploy does). */
static void fold_true_div(struct ort_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        if (!ort_node_is(&g->nodes[i], ORT_OPID_TRUE_INTEGER_DIV))
            continue;
        int out = g->nodes[i].outputs[0], next = -1;
        if (g->tensors[out].is_output || consumers(g, out, &next) != 1)
            continue;
        struct ort_node *c = &g->nodes[next];
        if (!ort_node_is(c, ORT_OPID_REQUANT_SHIFT) || c->inputs[0] != out)
            continue;
        int mul = c->inputs[1];
        int64_t coeff = g->nodes[i].p.coeff[0], count = ort_shape_count(&g->tensors[mul].shape);
        bool fits = true;
        for (int64_t k = 0; k < count && fits; k++) {
            __int128 v = (__int128)g->tensors[mul].data[k] * coeff;
            fits = v >= INT32_MIN && v <= INT32_MAX;
        }
        if (!fits)
            continue;
        char name[600];
        snprintf(name, sizeof name, "%s*%lld", g->tensors[mul].name, (long long)coeff);
        int nt = ort_graph_tensor(g, name); /* may move g->tensors */
        struct ort_tensor *t = &g->tensors[nt];
        if (!t->is_const) {
            const struct ort_tensor *m = &g->tensors[mul];
            t->shape = m->shape;
            t->shape_known = true;
            t->dtype = m->dtype;
            t->is_const = true;
            t->data = malloc(sizeof *t->data * (size_t)(count ? count : 1));
            for (int64_t k = 0; k < count; k++)
                t->data[k] = m->data[k] * coeff;
            set_const_bounds(t);
        }
        c = &g->nodes[next];
        c->inputs[1] = nt;
        c->inputs[0] = g->nodes[i].inputs[0];
        g->nodes[i].removed = true;
    }
}

/* MatMul(A, B) with B an 8-bit activation in [.., K, N] layout, K a
 * multiple of 4, and enough outputs to pay for a copy: B is transposed
 * first (a Transpose node, shared by the products that read the same B)
 * so that the product runs on the sdot kernels along contiguous K. */
static int transpose_activation_b(struct ort_graph *g, struct ort_diag *d)
{
    bool added = false;
    int n_nodes = g->n_nodes;
    for (int i = 0; i < n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (!ort_node_is(n, ORT_OPID_MATMUL) || n->p.trans_b)
            continue;
        int b = n->inputs[1];
        const struct ort_tensor *a = &g->tensors[n->inputs[0]], *bt = &g->tensors[b];
        int r = bt->shape.rank;
        if (bt->is_const || r < 2 || ort_dtype_size(bt->storage) != 1 ||
            ort_dtype_size(a->storage) != 1 || a->shape.dim[a->shape.rank - 1] % 4 != 0 ||
            ort_shape_count(&g->tensors[n->outputs[0]].shape) < 1024)
            continue;
        char name[600];
        snprintf(name, sizeof name, "%s.T", bt->name);
        bool exists = ort_graph_find(g, name) >= 0;
        int tt = ort_graph_tensor(g, name);
        if (!exists) {
            struct ort_tensor *t = &g->tensors[tt], *src = &g->tensors[b];
            t->shape = src->shape;
            t->shape.dim[r - 2] = src->shape.dim[r - 1];
            t->shape.dim[r - 1] = src->shape.dim[r - 2];
            t->shape_known = true;
            t->dtype = src->dtype;
            t->storage = src->storage;
            t->lo = src->lo;
            t->hi = src->hi;
            char nname[640];
            snprintf(nname, sizeof nname, "%s.transpose", src->name);
            int nn = ort_graph_add_node(g, nname, "Transpose"); /* may move g->nodes */
            struct ort_node *tn = &g->nodes[nn];
            ort_node_add_input(g, nn, b);
            ort_node_add_output(g, nn, tt);
            tn->op = ort_op_find("Transpose");
            tn->alias = false;
            for (int k = 0; k < r; k++)
                tn->p.perm[k] = k;
            tn->p.perm[r - 2] = r - 1;
            tn->p.perm[r - 1] = r - 2;
            added = true;
        }
        n = &g->nodes[i];
        n->inputs[1] = tt;
        n->p.trans_b = 1;
    }
    return added ? ort_graph_sort(g, d) : 0;
}

static bool same_tensor(const struct ort_graph *g, int a, int b)
{
    if (a == b)
        return true;
    if (a < 0 || b < 0)
        return false;
    const struct ort_tensor *x = &g->tensors[a], *y = &g->tensors[b];
    return x->is_const && y->is_const && x->storage == y->storage &&
           ort_shape_equal(&x->shape, &y->shape) &&
           !memcmp(x->data, y->data, sizeof *x->data * (size_t)ort_shape_count(&x->shape));
}

/* Common subexpressions: a node computing what an earlier one computes
 * (the same operator, parameters and inputs, constants compared by value)
 * is dropped and its readers read the earlier result (e.g. the attention
 * mask requantized the same way in every layer). */
static void merge_common_nodes(struct ort_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *a = &g->nodes[i];
        if (a->removed)
            continue;
        for (int j = i + 1; j < g->n_nodes; j++) {
            struct ort_node *b = &g->nodes[j];
            if (b->removed || a->op != b->op || a->n_inputs != b->n_inputs ||
                memcmp(&a->p, &b->p, sizeof a->p) || a->alias != b->alias ||
                g->tensors[b->outputs[0]].is_output ||
                g->tensors[a->outputs[0]].storage != g->tensors[b->outputs[0]].storage)
                continue;
            bool same = true;
            for (int k = 0; k < a->n_inputs && same; k++)
                same = same_tensor(g, a->inputs[k], b->inputs[k]);
            if (!same)
                continue;
            rewire(g, b->outputs[0], a->outputs[0]);
            b->removed = true;
        }
    }
}

/* Nodes that read only graph inputs and constants run first (their order
 * kept), so that their results are ready before any node whose epilogue
 * may read them (e.g. an attention mask requantized from an input). */
static int hoist_input_nodes(struct ort_graph *g, struct ort_diag *d)
{
    int n = g->n_nodes, at = 0;
    struct ort_node *order = malloc(sizeof *order * (size_t)(n ? n : 1));
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const struct ort_node *x = &g->nodes[i];
            bool early = true;
            for (int k = 0; k < x->n_inputs && early; k++)
                early = x->inputs[k] < 0 || g->tensors[x->inputs[k]].is_input ||
                        g->tensors[x->inputs[k]].is_const;
            if (early == (pass == 0))
                order[at++] = *x;
        }
    if (n)
        memcpy(g->nodes, order, sizeof *order * (size_t)n);
    free(order);
    return ort_graph_sort(g, d);
}

int ort_pass_optimize(struct ort_graph *g, struct ort_diag *d)
{
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (ort_node_is(n, ORT_OPID_REQUANT_SHIFT) && identity_rqs(g, n)) {
            if (g->tensors[n->outputs[0]].is_output) {
                n->alias = true; /* the graph output shares its input's bytes */
            } else {
                rewire(g, n->outputs[0], n->inputs[0]);
                n->removed = true;
            }
        } else if (ort_node_is(n, ORT_OPID_TRANSPOSE) && noop_perm(&g->tensors[n->inputs[0]].shape, n->p.perm)) {
            n->alias = true;
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (!ort_node_is(n, ORT_OPID_MATMUL) || n->p.trans_b)
            continue;
        struct ort_tensor *b = &g->tensors[n->inputs[1]];
        if (b->producer < 0)
            continue;
        struct ort_node *t = &g->nodes[b->producer];
        if (ort_node_is(t, ORT_OPID_TRANSPOSE) && !t->alias && swaps_last_two(b->shape.rank, t->p.perm) &&
            g->tensors[t->inputs[0]].storage == b->storage) {
            n->inputs[1] = t->inputs[0];
            n->p.trans_b = 1;
        }
    }
    fold_true_div(g);
    if (transpose_activation_b(g, d))
        return -1;
    /* Dead nodes, until none is left. */
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; i < g->n_nodes; i++) {
            struct ort_node *n = &g->nodes[i];
            int only = -1;
            if (!n->removed && !g->tensors[n->outputs[0]].is_output && !consumers(g, n->outputs[0], &only)) {
                n->removed = true;
                again = true;
            }
        }
    }
    if (hoist_input_nodes(g, d))
        return -1;
    merge_common_nodes(g);
    /* Epilogues: a node whose kernel applies one (a matrix product, an
     * elementwise node, a softmax over 8-bit values) takes over the chain
     * of elementwise nodes after it, each the only reader of the one
     * before (see fuse_chain). */
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        bool table8 = !ort_node_has(n, ORT_OP_TABLE_EPILOGUE) ||
                      ort_dtype_size(g->tensors[n->inputs[0]].storage) == 1;
        if (!n->fused && !n->alias && ort_node_has(n, ORT_OP_EPILOGUE) && table8)
            fuse_chain(g, i);
    }
    return 0;
}
