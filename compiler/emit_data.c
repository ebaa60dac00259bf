/* The cluster's kernels for Pad, Slice, Gather (S_GATHER) and ReduceMean,
 * ReduceSum (S_REDUCE): the cores share the tile's output elements; each
 * finds its coordinates with constant divisions (cexpr.c). */
#include <inttypes.h>
#include <stdio.h>

#include "codegen_int.h"
#include "engine.h"

/* Coordinates c<k> of output element `g` (flat, < count) of shape s. */
static void emit_coords(struct gen *G, const struct ort_shape *s, const char *g)
{
    int64_t count = ort_shape_count(s);
    cg_emit(G, "        uint32_t t = %s;\n", g);
    for (int k = s->rank - 1; k >= 0; k--) {
        char q[256], r[256];
        cg_cmod(r, sizeof r, "t", s->dim[k], count - 1);
        cg_cdiv(q, sizeof q, "t", s->dim[k], count - 1);
        cg_emit(G, "        const uint32_t c%d = %s;\n        (void)c%d;\n", k, r, k);
        if (k > 0)
            cg_emit(G, "        t = %s;\n", q);
        count = (count + s->dim[k] - 1) / s->dim[k];
    }
}

void cg_emit_gather(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_tensor *x = T(G, n->inputs[0]), *o = T(G, n->outputs[0]);
    int out_k = s->plan.n - 1;
    cg_emit_operand(G, s, 0, "x", false);
    if (out_k == 2)
        cg_emit(G, "    const int32_t *ix = p[1];\n");
    cg_emit_operand(G, s, out_k, "y", true);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t i = b; i < e; i++) {\n");
    char g[32];
    snprintf(g, sizeof g, "u0 + i");
    emit_coords(G, &o->shape, g);
    cg_emit(G, "        int32_t src = 0, ok = 1;\n");
    for (int k = 0; k < x->shape.rank; k++) {
        int64_t src = n->p.map_src[k], off = n->p.map_off[k], step = n->p.map_step[k], dim = x->shape.dim[k];
        if (src == -2) {
            /* Gather: the indices at the output's axes k..k+q-1 */
            const struct ort_tensor *ind = T(G, n->inputs[1]);
            cg_emit(G, "        const int32_t i%d = ix[", k);
            int64_t stride = 1;
            for (int q = ind->shape.rank - 1; q >= 0; q--) {
                cg_emit(G, "%sc%d * %" PRId64 "u", q == ind->shape.rank - 1 ? "" : " + ", k + q, stride);
                stride *= ind->shape.dim[q];
            }
            cg_emit(G, "];\n");
        } else if (src < 0)
            cg_emit(G, "        const int32_t i%d = %" PRId64 ";\n", k, off);
        else {
            cg_emit(G, "        const int32_t i%d = %" PRId64 " + %" PRId64 " * (int32_t)c%" PRId64 ";\n", k, off, step, src);
            int64_t last = off + step * (o->shape.dim[src] - 1);
            /* a Pad's axis reaches outside the input */
            if (off < 0 || off >= dim || last < 0 || last >= dim)
                cg_emit(G, "        ok &= (uint32_t)i%d < %" PRId64 "u;\n", k, dim);
        }
        cg_emit(G, "        src = src * %" PRId64 " + i%d;\n", dim, k);
    }
    cg_emit(G, "        y[i] = ok ? (%s)x[src] : (%s)%" PRId64 ";\n    }\n", ctype(o->storage), ctype(o->storage),
            n->p.pad_value);
}

void cg_emit_reduce(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_tensor *x = T(G, n->inputs[0]);
    const struct ort_shape *xs = &x->shape;
    int out_k = s->plan.n - 1;
    const struct ort_tensor *fo = T(G, s->operand_tensor[out_k]);
    cg_emit_operand(G, s, 0, "x", false);
    cg_emit_operand(G, s, out_k, "y", true);
    /* the output's coordinates are the kept axes' */
    struct ort_shape kept = {.rank = 0};
    int64_t stride[ORT_MAX_RANK], st = 1;
    for (int k = xs->rank - 1; k >= 0; k--) {
        stride[k] = st;
        st *= xs->dim[k];
    }
    for (int k = 0; k < xs->rank; k++)
        if (!(n->p.reduce_mask >> k & 1))
            kept.dim[kept.rank++] = xs->dim[k];
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t i = b; i < e; i++) {\n        const uint32_t g = u0 + i;\n");
    if (kept.rank)
        emit_coords(G, &kept, "g");
    cg_emit(G, "        const %s *xb = x", tensor_ctype(G, n->inputs[0]));
    for (int k = 0, j = 0; k < xs->rank; k++)
        if (!(n->p.reduce_mask >> k & 1))
            cg_emit(G, " + c%d * %" PRId64 "u", j++, stride[k]);
    cg_emit(G, ";\n        int32_t acc = 0;\n");
    int depth = 0;
    const char *ptr = "xb";
    char name[2][16];
    for (int k = 0; k < xs->rank; k++) {
        if (!(n->p.reduce_mask >> k & 1))
            continue;
        snprintf(name[depth & 1], sizeof name[0], "r%d", k);
        cg_emit(G, "%*sfor (uint32_t j%d = 0; j%d < %" PRId64 "u; j%d++) {\n", 8 + 4 * depth, "", k, k, xs->dim[k], k);
        cg_emit(G, "%*sconst %s *%s = %s + j%d * %" PRId64 "u;\n", 12 + 4 * depth, "", tensor_ctype(G, n->inputs[0]),
                name[depth & 1], ptr, k, stride[k]);
        ptr = name[depth & 1];
        depth++;
    }
    cg_emit(G, "%*sacc += (int32_t)*%s;\n", 8 + 4 * depth, "", ptr);
    for (int d = depth; d > 0; d--)
        cg_emit(G, "%*s}\n", 4 + 4 * d, "");
    if (ort_op_is_mean(n)) {
        int64_t len = ort_reduce_length(G->g, n);
        cg_emit(G, "        acc = nn_mean_round(acc, %" PRId64 ", %d);\n", len, pow2(len) ? log2i(len) : -1);
    }
    cg_emit(G, "        {\n            int32_t v = acc;\n");
    cg_emit_epilogue_flat(G, s, n, &T(G, n->outputs[0])->shape, "g", NULL);
    cg_emit(G, "            y[i] = (%s)v;\n        }\n    }\n", ctype(fo->storage));
}

void cg_rowfn_instance(const struct gen *G, const struct step *s, char *name, size_t size, char *def, size_t dsize)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    const char *x = tensor_ctype(G, n->inputs[0]), *y = tensor_ctype(G, n->outputs[0]);
    if (n->op->id == ORT_OPID_ILAYERNORM) {
        const char *w = tensor_ctype(G, n->inputs[1]), *b = tensor_ctype(G, n->inputs[2]);
        snprintf(name, size, "ilayernorm_%s_%s_%s_%s", x, w, b, y);
        snprintf(def, dsize, "NN_DEFINE_ILAYERNORM_ROW(%s, %s, %s, %s, %s)", name, x, w, b, y);
    } else {
        bool partial = n->op->id == ORT_OPID_ITAPARTIALMAX;
        snprintf(name, size, "%s_%s_%s", partial ? "itapartialmax" : "itamax", x, y);
        snprintf(def, dsize, "NN_DEFINE_%s_ROW(%s, %s, %s)", partial ? "ITAPARTIALMAX" : "ITAMAX", name, x, y);
    }
}

/* The cores share the tile's rows. */
void cg_emit_rowfn(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_tensor *x = T(G, n->inputs[0]);
    int64_t len = x->shape.dim[x->shape.rank - 1];
    int out_k = s->plan.n - 1;
    char name[96], def[128];
    cg_rowfn_instance(G, s, name, sizeof name, def, sizeof def);
    cg_emit_operand(G, s, 0, "x", false);
    cg_emit_operand(G, s, out_k, "y", true);
    bool whole = s->plan.op[0].was == NN_WHOLE;
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n, &b, &e);\n");
    cg_emit(G, "    for (uint32_t r = b; r < e; r++) {\n");
    cg_emit(G, "        const %s *xr = x + (%sr) * %" PRId64 "u;\n        %s *yr = y + r * %" PRId64 "u;\n",
            ctype(x->storage), whole ? "u0 + " : "", len, tensor_ctype(G, n->outputs[0]), len);
    if (n->op->id == ORT_OPID_ILAYERNORM) {
        cg_emit_operand(G, s, 1, "w", false);
        cg_emit_operand(G, s, 2, "bi", false);
        cg_emit(G, "        %s(xr, w, bi, yr, %" PRId64 ", %" PRId64 ");\n", name, len, n->p.log2d);
    } else if (n->op->id == ORT_OPID_ITAPARTIALMAX)
        cg_emit(G, "        %s(xr, yr, %" PRId64 ", %" PRId64 ", %" PRId64 "u);\n", name, len, n->p.coeff[0],
                n->p.n_levels);
    else
        cg_emit(G, "        %s(xr, yr, %" PRId64 ", %" PRId64 "u);\n", name, len, n->p.n_levels);
    cg_emit(G, "    }\n");
}
