/* The cluster's convolution kernels (engine_cluster.c, lower_conv): a tile
 * is a run of output rows; the cores share its output pixels (im2col) or
 * its output rows of every channel (direct). */
#include <inttypes.h>
#include <stdio.h>

#include "codegen_int.h"
#include "engine.h"

static const char *lane(const struct gen *G, int t) { return T(G, t)->storage == ORT_DT_INT8 ? "i8" : "u8"; }

/* "static inline" with the constants folded in where they are used. */
#define CG_INLINE "static inline __attribute__((always_inline))"

/* A halo-staged input's geometry for nn_halo_begin (nn.h), before the
 * kernel. */
void cg_emit_halo(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    const struct ort_tile_operand *op = &s->plan.op[0];
    if (op->mode != NN_HALO)
        return;
    int64_t cap = (s->plan.tile_units - 1) * op->halo_step + op->halo_window;
    char src[128];
    cg_addr_expr(G, s->operand_tensor[0], -1, src, sizeof src);
    int64_t b1 = op->l1_off[1] >= 0 ? op->l1_off[1] : op->l1_off[0];
    cg_emit(G, "static const struct nn_halo h%d = {(const uint8_t *)%s, {ort_l1_arena + %" PRId64 ", ort_l1_arena + %" PRId64
               "}, %" PRIu32 "u, %" PRId64 "u, %" PRId64 "u, %" PRId64 "u, %" PRId64 "u, %" PRId64 "u, %" PRId64 "u};\n",
            si, src, op->l1_off[0], b1, (uint32_t)NN_HALO_PACK(op->halo_step, op->halo_pad, op->halo_window), c->H,
            op->unit_bytes, op->rows, cap < c->H ? cap : c->H, s->plan.units, s->plan.tile_units);
}

/* The input `x` and where its rows are: `first` (the first row the tile
 * holds) and `cap` (rows a plane holds), as C declarations. */
static void emit_rows(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    const struct ort_tile_operand *op = &s->plan.op[0];
    const char *xt = tensor_ctype(G, s->operand_tensor[0]);
    if (op->mode == NN_HALO) {
        int64_t cap = (s->plan.tile_units - 1) * op->halo_step + op->halo_window;
        cg_emit(G, "    uint32_t pend;\n    const %s *x = (const %s *)nn_halo_begin(&h%d, u0, n, &pend);\n", xt, xt,
                si);
        cg_emit(G, "    uint32_t first, count;\n");
        cg_emit(G, "    nn_halo_rows(h%d.packed, %" PRId64 "u, u0, n, &first, &count);\n    (void)count;\n", si, c->H);
        cg_emit(G, "    const uint32_t cap = %" PRId64 "u;\n", cap < c->H ? cap : c->H);
    } else {
        /* whole, or read where it is: every row, from the first */
        cg_emit(G, "    const %s *x = p[0];\n", xt);
        cg_emit(G, "    const uint32_t first = 0, cap = %" PRId64 "u;\n", c->H);
    }
}

/* o<si>(p, ys, u0, bn, r, ow, m, acc): bias, epilogue and store of the
 * output element of image bn, channel m, tile row r, column ow. */
static void emit_store(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const struct ort_tensor *o = T(G, s->operand_tensor[out_k]);
    cg_emit(G, CG_INLINE " void o%d(void *const *p, uint32_t ys, uint32_t u0, uint32_t bn, uint32_t r, "
               "uint32_t ow, uint32_t m, int32_t acc)\n{\n    (void)u0;\n    (void)bn;\n", si);
    for (int k = 1; k < out_k; k++) {
        if (k == s->conv.scratch_operand || k == s->conv.weights_operand)
            continue;
        char name[16];
        snprintf(name, sizeof name, k == s->conv.bias_operand ? "cb" : "x%d", k);
        cg_emit_operand(G, s, k, name, false);
    }
    cg_emit_operand(G, s, out_k, "y", true);
    cg_emit(G, "    {\n");
    if (s->conv.bias_operand >= 0)
        cg_emit(G, "            acc += (int32_t)cb[m];\n");
    cg_emit(G, "            int32_t v = acc;\n");
    cg_emit(G, "            const uint32_t f = ((bn * %" PRId64 "u + m) * %" PRId64 "u + u0 + r) * %" PRId64
               "u + ow;\n            (void)f;\n",
            c->M, c->OH, c->OW);
    cg_emit_epilogue_flat(G, s, n, &T(G, n->outputs[0])->shape, "f", "m");
    cg_emit(G, "            y[(bn * %" PRId64 "u + m) * ys + r * %" PRId64 "u + ow] = (%s)v;\n", c->M, c->OW,
            ctype(o->storage));
    cg_emit(G, "    }\n}\n");
}

/* Tile pixel q as (r, bn, ow): rows outermost, so that the divisors are
 * constants. */
static void emit_pixel(struct gen *G, const struct step *s, const struct ort_conv *c, const char *q,
                       const char *sfx)
{
    int64_t per_row = c->N * c->OW, qmax = s->plan.tile_units * per_row - 1;
    char r_e[256], rem_e[256], bn_e[256], ow_e[256], rem[32];
    cg_cdiv(r_e, sizeof r_e, q, per_row, qmax);
    cg_cmod(rem_e, sizeof rem_e, q, per_row, qmax);
    snprintf(rem, sizeof rem, "rem%s", sfx);
    cg_cdiv(bn_e, sizeof bn_e, rem, c->OW, per_row - 1);
    cg_cmod(ow_e, sizeof ow_e, rem, c->OW, per_row - 1);
    cg_emit(G, "        const uint32_t r%s = %s, rem%s = %s;\n", sfx, r_e, sfx, rem_e);
    cg_emit(G, "        const uint32_t bn%s = %s, ow%s = %s;\n", sfx, bn_e, sfx, ow_e);
}

/* g<si>(x, col, first, cap, u0, q): pixel q's windows of every group into
 * col, each group's zero-padded to kg4 bytes. */
static void emit_gather(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    const char *xt = tensor_ctype(G, s->operand_tensor[0]);
    int64_t kg = c->Cg * c->KH * c->KW;
    cg_emit(G, CG_INLINE " void g%d(const %s *x, %s *col, uint32_t first, uint32_t cap, uint32_t u0, uint32_t q)\n{\n",
            si, xt, xt);
    emit_pixel(G, s, c, "q", "");
    cg_emit(G, "        const int32_t ih0 = (int32_t)((u0 + r) * %" PRId64 "u) - %" PRId64 ";\n", c->SH, c->PT);
    cg_emit(G, "        const int32_t iw0 = (int32_t)(ow * %" PRId64 "u) - %" PRId64 ";\n", c->SW, c->PL);
    /* the window inside the row: no column checks */
    cg_emit(G, "        const int inside = iw0 >= 0 && iw0 + %" PRId64 " < %" PRId64 ";\n", (c->KW - 1) * c->DW, c->W);
    cg_emit(G, "        const %s *xb = x + bn * %" PRId64 "u * cap;\n", xt, c->C * c->W);
    cg_emit(G, "        %s *d = col;\n", xt);
    if (c->KH * c->KW <= 64) {
        /* the whole window inside the input: its rows unrolled, no checks */
        cg_emit(G, "        if (inside && ih0 >= 0 && ih0 + %" PRId64 " <= %" PRId64 ") {\n", (c->KH - 1) * c->DH + 1, c->H);
        cg_emit(G, "            const %s *w0 = xb + ((uint32_t)ih0 - first) * %" PRId64 "u + iw0;\n", xt, c->W);
        cg_emit(G, "            for (uint32_t ch = 0; ch < %" PRId64 "u; ch++) {\n", c->C);
        cg_emit(G, "                const %s *pl = w0 + ch * cap * %" PRId64 "u;\n", xt, c->W);
        cg_emit(G, "#pragma GCC unroll 64\n                for (uint32_t kh = 0; kh < %" PRId64 "u; kh++)\n", c->KH);
        cg_emit(G, "#pragma GCC unroll 64\n                    for (uint32_t kw = 0; kw < %" PRId64 "u; kw++)\n", c->KW);
        cg_emit(G, "                        *d++ = pl[kh * %" PRId64 "u + kw * %" PRId64 "u];\n", c->DH * c->W, c->DW);
        if (s->conv.kg4 != kg) {
            cg_emit(G, "                if (ch %% %" PRId64 "u == %" PRId64 "u)\n", c->Cg, c->Cg - 1);
            cg_emit(G, "                    for (uint32_t t = %" PRId64 "u; t < %" PRId64 "u; t++)\n", kg, s->conv.kg4);
            cg_emit(G, "                        *d++ = 0;\n");
        }
        cg_emit(G, "            }\n            return;\n        }\n");
    }
    cg_emit(G, "        for (uint32_t ch = 0; ch < %" PRId64 "u; ch++) {\n", c->C);
    cg_emit(G, "            const %s *pl = xb + ch * cap * %" PRId64 "u;\n", xt, c->W);
    cg_emit(G, "            for (uint32_t kh = 0; kh < %" PRId64 "u; kh++) {\n", c->KH);
    cg_emit(G, "                const int32_t ih = ih0 + (int32_t)(kh * %" PRId64 "u);\n", c->DH);
    cg_emit(G, "                if ((uint32_t)ih >= %" PRId64 "u) {\n", c->H);
    cg_emit(G, "                    for (uint32_t kw = 0; kw < %" PRId64 "u; kw++)\n", c->KW);
    cg_emit(G, "                        *d++ = 0;\n                    continue;\n                }\n");
    cg_emit(G, "                const %s *row = pl + ((uint32_t)ih - first) * %" PRId64 "u;\n", xt, c->W);
    cg_emit(G, "                if (inside)\n");
    cg_emit(G, "#pragma GCC unroll 16\n                    for (uint32_t kw = 0; kw < %" PRId64 "u; kw++)\n", c->KW);
    cg_emit(G, "                        *d++ = row[iw0 + (int32_t)(kw * %" PRId64 "u)];\n", c->DW);
    cg_emit(G, "                else\n");
    cg_emit(G, "                    for (uint32_t kw = 0; kw < %" PRId64 "u; kw++) {\n", c->KW);
    cg_emit(G, "                        const int32_t iw = iw0 + (int32_t)(kw * %" PRId64 "u);\n", c->DW);
    cg_emit(G, "                        *d++ = (uint32_t)iw < %" PRId64 "u ? row[iw] : 0;\n", c->W);
    cg_emit(G, "                    }\n            }\n");
    if (s->conv.kg4 != kg) {
        /* the end of each group: its words' padding */
        cg_emit(G, "            if (ch %% %" PRId64 "u == %" PRId64 "u)\n", c->Cg, c->Cg - 1);
        cg_emit(G, "                for (uint32_t t = %" PRId64 "u; t < %" PRId64 "u; t++)\n", kg, s->conv.kg4);
        cg_emit(G, "                    *d++ = 0;\n");
    }
    cg_emit(G, "        }\n}\n");
}

static void emit_im2col(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    const struct ort_node *n = &G->g->nodes[s->node];
    int out_k = s->plan.n - 1;
    const char *xt = tensor_ctype(G, s->operand_tensor[0]);
    const char *wt = ctype(G->consts[s->operand_const[1]].type);
    char sfx[16];
    snprintf(sfx, sizeof sfx, "%s_%s", lane(G, n->inputs[0]), lane(G, n->inputs[1]));
    int64_t kg4 = s->conv.kg4, kt4 = c->G * kg4, mg4 = c->Mg / 4 * 4;
    cg_emit(G, "    const %s *w = p[1];\n", wt);
    /* the epilogue's operand pointers in registers: read through p, GCC
     * reloads them after every 8-bit store (which may alias anything) */
    cg_emit(G, "    void *const lp[%d] = {", s->plan.n);
    for (int k = 0; k < s->plan.n; k++)
        cg_emit(G, "%sp[%d]", k ? ", " : "", k);
    cg_emit(G, "};\n");
    int px = s->conv.pixels;
    cg_emit(G, "    %s *col0 = (%s *)p[%d] + rt_core_id() * %" PRId64 "u, *col1 = col0 + %" PRId64 "u;\n", xt, xt,
            s->conv.scratch_operand, px * kt4, kt4);
    cg_emit(G, "    const uint32_t ys = rs[%d] / %d;\n", out_k, esize(T(G, s->operand_tensor[out_k])));
    emit_rows(G, s, si, c);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n", c->N * c->OW);
    cg_emit(G, "    for (uint32_t q = b; q < e; q += %d) {\n", px);
    cg_emit(G, "        g%d(x, col0, first, cap, u0, q);\n", si);
    if (px == 2) {
        cg_emit(G, "        const int two = q + 1 < e;\n");
        cg_emit(G, "        if (two)\n            g%d(x, col1, first, cap, u0, q + 1);\n", si);
    } else
        cg_emit(G, "        const int two = 0; /* one pixel at a time: L1 is short */\n");
    emit_pixel(G, s, c, "q", "0");
    emit_pixel(G, s, c, "(q + 1)", "1");
    cg_emit(G, "        for (uint32_t g = 0; g < %" PRId64 "u; g++) {\n", c->G);
    cg_emit(G, "            const %s *a0 = col0 + g * %" PRId64 "u, *a1 = col1 + g * %" PRId64 "u;\n", xt, kg4, kg4);
    cg_emit(G, "            const %s *wb = w + g * %" PRId64 "u;\n", wt, c->Mg * kg4);
    cg_emit(G, "            uint32_t m = g * %" PRId64 "u;\n", c->Mg);
    cg_emit(G, "            for (const uint32_t mend = m + %" PRId64 "u; m < mend; m += 4, wb += %" PRId64 "u) {\n",
            mg4, 4 * kg4);
    cg_emit(G, "                int32_t cc[8];\n");
    cg_emit(G, "                if (two) {\n");
    cg_emit(G, "                    nn_mm2x4_%s(a0, a1, wb, %" PRId64 "u, %" PRId64 "u, cc);\n", sfx, kg4, kg4 / 4);
    for (int j = 0; j < 4; j++)
        cg_emit(G, "                    o%d(lp, ys, u0, bn1, r1, ow1, m + %d, cc[%d]);\n", si, j, 4 + j);
    cg_emit(G, "                } else\n");
    cg_emit(G, "                    nn_mm1x4_%s(a0, wb, %" PRId64 "u, %" PRId64 "u, cc);\n", sfx, kg4, kg4 / 4);
    for (int j = 0; j < 4; j++)
        cg_emit(G, "                o%d(lp, ys, u0, bn0, r0, ow0, m + %d, cc[%d]);\n", si, j, j);
    cg_emit(G, "            }\n");
    if (mg4 != c->Mg) {
        cg_emit(G, "            for (const uint32_t mend = g * %" PRId64 "u + %" PRId64 "u; m < mend; m++, wb += %" PRId64
                   "u) {\n",
                c->Mg, c->Mg, kg4);
        cg_emit(G, "                o%d(lp, ys, u0, bn0, r0, ow0, m, nn_dot_%s(a0, wb, %" PRId64 "u, 0));\n", si, sfx,
                kg4 / 4);
        cg_emit(G, "                if (two)\n");
        cg_emit(G, "                    o%d(lp, ys, u0, bn1, r1, ow1, m, nn_dot_%s(a1, wb, %" PRId64 "u, 0));\n", si,
                sfx, kg4 / 4);
        cg_emit(G, "            }\n");
    }
    cg_emit(G, "            (void)a1;\n        }\n    }\n");
}

/* Any types, any group: the cores share the tile's output rows of every
 * (image, channel); the window's bounds checked per element. */
static void emit_direct(struct gen *G, const struct step *s, int si, const struct ort_conv *c)
{
    int out_k = s->plan.n - 1;
    const char *xt = tensor_ctype(G, s->operand_tensor[0]);
    bool pool = s->conv.pool, avg = pool && G->g->nodes[s->node].op->id == ORT_OPID_AVGPOOL;
    int64_t kk = c->Cg * c->KH * c->KW, pw = s->conv.pw;
    bool fast = s->conv.window;
    if (!pool)
        cg_emit_operand(G, s, 1, "w", false);
    cg_emit(G, "    void *const lp[%d] = {", s->plan.n);
    for (int k = 0; k < s->plan.n; k++)
        cg_emit(G, "%sp[%d]", k ? ", " : "", k);
    cg_emit(G, "};\n");
    cg_emit(G, "    const uint32_t ys = rs[%d] / %d;\n", out_k, esize(T(G, s->operand_tensor[out_k])));
    emit_rows(G, s, si, c);
    int64_t nm = c->N * c->M, qmax = s->plan.tile_units * nm - 1;
    char r_e[256], rem_e[256], bn_e[256], m_e[256], g_e[256];
    cg_cdiv(r_e, sizeof r_e, "q", nm, qmax);
    cg_cmod(rem_e, sizeof rem_e, "q", nm, qmax);
    cg_cdiv(bn_e, sizeof bn_e, "rem", c->M, nm - 1);
    cg_cmod(m_e, sizeof m_e, "rem", c->M, nm - 1);
    cg_cdiv(g_e, sizeof g_e, "m", c->Mg, c->M - 1);
    cg_emit(G, "    uint32_t b, e;\n    nn_part(n * %" PRId64 "u, &b, &e);\n", nm);
    cg_emit(G, "    for (uint32_t q = b; q < e; q++) {\n");
    cg_emit(G, "        const uint32_t r = %s, rem = %s;\n", r_e, rem_e);
    cg_emit(G, "        const uint32_t bn = %s, m = %s, g = %s;\n", bn_e, m_e, g_e);
    cg_emit(G, "        const int32_t ih0 = (int32_t)((u0 + r) * %" PRId64 "u) - %" PRId64 ";\n", c->SH, c->PT);
    cg_emit(G, "        const %s *xb = x + (bn * %" PRId64 "u + g * %" PRId64 "u) * cap * %" PRId64 "u;\n", xt, c->C,
            c->Cg, c->W);
    if (!pool && !s->conv.window_sdot)
        cg_emit(G, "        const %s *wm = w + m * %" PRId64 "u;\n", tensor_ctype(G, s->operand_tensor[1]),
                c->Cg * c->KH * c->KW);
    if (fast) {
        /* the rows of this output row's windows, padded, then the windows
         * unchecked and unrolled, the weights in registers */
        cg_emit(G, "        %s *buf = (%s *)p[%d] + rt_core_id() * %" PRId64 "u, *d = buf;\n", xt, xt,
                s->conv.scratch_operand, s->conv.wstride / esize(T(G, s->operand_tensor[0])));
        cg_emit(G, "        for (uint32_t ch = 0; ch < %" PRId64 "u; ch++)\n", c->Cg);
        cg_emit(G, "            for (uint32_t kh = 0; kh < %" PRId64 "u; kh++) {\n", c->KH);
        cg_emit(G, "                const int32_t ih = ih0 + (int32_t)(kh * %" PRId64 "u);\n", c->DH);
        cg_emit(G, "                if ((uint32_t)ih >= %" PRId64 "u) {\n", c->H);
        cg_emit(G, "                    for (uint32_t t = 0; t < %" PRId64 "u; t++)\n                        *d++ = 0;\n", pw);
        cg_emit(G, "                    continue;\n                }\n");
        cg_emit(G, "                const %s *row = xb + (ch * cap + (uint32_t)ih - first) * %" PRId64 "u;\n", xt, c->W);
        if (c->PL)
            cg_emit(G, "                for (uint32_t t = 0; t < %" PRId64 "u; t++)\n                    *d++ = 0;\n", c->PL);
        cg_emit(G, "                for (uint32_t t = 0; t < %" PRId64 "u; t++)\n                    *d++ = row[t];\n", c->W);
        if (pw - c->PL - c->W > 0)
            cg_emit(G, "                for (uint32_t t = 0; t < %" PRId64 "u; t++)\n                    *d++ = 0;\n",
                    pw - c->PL - c->W);
        cg_emit(G, "            }\n");
        if (s->conv.window_sdot) {
            /* a misaligned word of each padded row (the core splits the
             * access), its lanes past the window's against zero weights */
            const struct ort_node *nd = &G->g->nodes[s->node];
            const char *dot = T(G, nd->inputs[0])->storage == ORT_DT_INT8 ? "xp_sdotsp_b" : "xp_sdotusp_b";
            int64_t rows = c->Cg * c->KH;
            cg_emit(G, "        const uint32_t *wq = (const uint32_t *)w + m * %" PRId64 "u;\n", rows);
            cg_emit(G, "        uint32_t wk[%" PRId64 "];\n", rows);
            cg_emit(G, "#pragma GCC unroll 64\n        for (uint32_t t = 0; t < %" PRId64 "u; t++)\n            wk[t] = wq[t];\n",
                    rows);
            cg_emit(G, "        for (uint32_t ow = 0; ow < %" PRId64 "u; ow++) {\n", c->OW);
            cg_emit(G, "            const %s *x0 = buf + ow * %" PRId64 "u;\n", xt, c->SW);
            cg_emit(G, "            int32_t acc = 0;\n");
            cg_emit(G, "#pragma GCC unroll 64\n            for (uint32_t t = 0; t < %" PRId64 "u; t++)\n", rows);
            cg_emit(G, "                acc = %s(acc, *(const uint32_t *)(const void *)(x0 + t * %" PRId64 "u), wk[t]);\n",
                    dot, pw);
            cg_emit(G, "            o%d(lp, ys, u0, bn, r, ow, m, acc);\n        }\n    }\n", si);
            return;
        }
        cg_emit(G, "        int32_t wk[%" PRId64 "];\n", kk);
        cg_emit(G, "#pragma GCC unroll 64\n        for (uint32_t t = 0; t < %" PRId64 "u; t++)\n            wk[t] = wm[t];\n", kk);
        cg_emit(G, "        for (uint32_t ow = 0; ow < %" PRId64 "u; ow++) {\n", c->OW);
        cg_emit(G, "            const %s *x0 = buf + ow * %" PRId64 "u;\n", xt, c->SW);
        cg_emit(G, "            int32_t acc = 0;\n");
        cg_emit(G, "#pragma GCC unroll 64\n            for (uint32_t t = 0; t < %" PRId64 "u; t++)\n", c->Cg * c->KH);
        cg_emit(G, "#pragma GCC unroll 64\n                for (uint32_t kw = 0; kw < %" PRId64 "u; kw++)\n", c->KW);
        /* p.mac: one instruction a tap */
        cg_emit(G, "                    acc = xp_mac(acc, (int32_t)x0[t * %" PRId64 "u + kw * %" PRId64 "u], wk[t * %" PRId64
                   "u + kw]);\n",
                pw, c->DW, c->KW);
        cg_emit(G, "            o%d(lp, ys, u0, bn, r, ow, m, acc);\n        }\n    }\n", si);
        return;
    }
    cg_emit(G, "        for (uint32_t ow = 0; ow < %" PRId64 "u; ow++) {\n", c->OW);
    cg_emit(G, "            const int32_t iw0 = (int32_t)(ow * %" PRId64 "u) - %" PRId64 ";\n", c->SW, c->PL);
    cg_emit(G, "            int32_t acc = %s;\n", pool && !avg ? "INT32_MIN" : "0");
    if (pool)
        cg_emit(G, "            uint32_t cnt = 0;\n");
    cg_emit(G, "            for (uint32_t ch = 0; ch < %" PRId64 "u; ch++)\n", c->Cg);
    cg_emit(G, "                for (uint32_t kh = 0; kh < %" PRId64 "u; kh++) {\n", c->KH);
    cg_emit(G, "                    const int32_t ih = ih0 + (int32_t)(kh * %" PRId64 "u);\n", c->DH);
    cg_emit(G, "                    if ((uint32_t)ih >= %" PRId64 "u)\n                        continue;\n", c->H);
    cg_emit(G, "                    const %s *row = xb + (ch * cap + (uint32_t)ih - first) * %" PRId64 "u;\n", xt, c->W);
    if (!pool)
        cg_emit(G, "                    const %s *wr = wm + (ch * %" PRId64 "u + kh) * %" PRId64 "u;\n",
                tensor_ctype(G, s->operand_tensor[1]), c->KH, c->KW);
    cg_emit(G, "                    for (uint32_t kw = 0; kw < %" PRId64 "u; kw++) {\n", c->KW);
    cg_emit(G, "                        const int32_t iw = iw0 + (int32_t)(kw * %" PRId64 "u);\n", c->DW);
    cg_emit(G, "                        if ((uint32_t)iw < %" PRId64 "u)\n", c->W);
    if (avg)
        cg_emit(G, "                            acc += (int32_t)row[iw], cnt++;\n");
    else if (pool)
        cg_emit(G, "                            acc = (int32_t)row[iw] > acc ? (int32_t)row[iw] : acc, cnt++;\n");
    else
        cg_emit(G, "                            acc += (int32_t)row[iw] * (int32_t)wr[kw];\n");
    cg_emit(G, "                    }\n                }\n");
    /* an empty window (ceil_mode's last) gives 0, as the reference */
    if (avg && G->g->nodes[s->node].p.count_include_pad)
        cg_emit(G, "            acc = cnt ? nn_mean_round(acc, %" PRId64 ", -1) : 0;\n", c->KH * c->KW);
    else if (avg)
        cg_emit(G, "            acc = cnt ? nn_mean_round(acc, (int32_t)cnt, -1) : 0;\n");
    else if (pool)
        cg_emit(G, "            acc = cnt ? acc : 0;\n");
    cg_emit(G, "            o%d(lp, ys, u0, bn, r, ow, m, acc);\n", si);
    cg_emit(G, "        }\n    }\n");
}

void cg_emit_conv(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    struct ort_conv c;
    ort_conv_dims(G->g, n, &c);
    emit_store(G, s, si, &c);
    cg_emit_halo(G, s, si, &c);
    if (s->conv.im2col)
        emit_gather(G, s, si, &c);
    cg_emit(G, "static void k%d(void *const *p, const uint32_t *rs, uint32_t u0, uint32_t n)\n{\n", si);
    cg_emit(G, "    (void)rs;\n    (void)u0;\n");
    if (s->conv.im2col)
        emit_im2col(G, s, si, &c);
    else
        emit_direct(G, s, si, &c);
    if (s->plan.op[0].mode == NN_HALO)
        cg_emit(G, "    nn_halo_end(pend);\n");
    cg_emit(G, "}\n");
}
