/* The elementwise operators as links of an epilogue (ops.h: link_eval,
 * link_emit): once with the target's semantics on the host, for the
 * tables the compiler computes, and once as the C the kernels run. Both
 * use the arithmetic of firmware/include/ortigia/nn_sem.h. */
#include <inttypes.h>
#include <stdio.h>

#include "ops_int.h"
#include "ortigia/nn_sem.h"

#define LINK_INDENT "            "

int64_t link_eval_add(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)n;
    return v + side[0];
}

void link_emit_add(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                   const int *side_t, const char *const *side)
{
    (void)g, (void)n, (void)main_t, (void)side_t;
    fprintf(c, LINK_INDENT "v = v + %s;\n", side[0]);
}

int64_t link_eval_mul(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)n;
    return v * side[0];
}

void link_emit_mul(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                   const int *side_t, const char *const *side)
{
    (void)g, (void)n, (void)main_t, (void)side_t;
    fprintf(c, LINK_INDENT "v = v * %s;\n", side[0]);
}

/* Sub: the running value is always the minuend (Sub is not commutative:
 * passes.c fuses it only with the running value as input 0). */
int64_t link_eval_sub(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)n;
    return v - side[0];
}

void link_emit_sub(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                   const int *side_t, const char *const *side)
{
    (void)g, (void)n, (void)main_t, (void)side_t;
    fprintf(c, LINK_INDENT "v = v - %s;\n", side[0]);
}

int64_t link_eval_ihardswish(const struct ort_graph *g, const struct ort_node *n, int64_t v,
                             const int64_t *side)
{
    (void)g, (void)side;
    return nn_hardswish((int32_t)v, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1], (int32_t)n->p.coeff[2]);
}

void link_emit_ihardswish(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                          const int *side_t, const char *const *side)
{
    (void)g, (void)main_t, (void)side_t, (void)side;
    fprintf(c, LINK_INDENT "v = nn_hardswish(v, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", n->p.coeff[0],
            n->p.coeff[1], n->p.coeff[2]);
}

/* TrueIntegerDiv is x * floor(Delta*eta / (y*eta + eps)), the factor
 * computed at check time into coeff[0]. */
int64_t link_eval_idiv(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)side;
    return v * n->p.coeff[0];
}

void link_emit_idiv(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                    const int *side_t, const char *const *side)
{
    (void)g, (void)main_t, (void)side_t, (void)side;
    fprintf(c, LINK_INDENT "v = v * %" PRId64 ";\n", n->p.coeff[0]);
}

/* ---- RequantShift: clip((x * mul + add + div/2) >> log2(div)) ---------- */

int64_t link_eval_rqs(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g;
    int64_t lo, hi;
    ort_levels_range(n->p.n_levels, n->p.is_signed, &lo, &hi);
    return nn_requant64(v, (int32_t)side[0], (int32_t)side[1], (int32_t)n->p.log2d, (int32_t)lo, (int32_t)hi);
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

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

/* hi + 1 is 2^k: the clip is a p.clip to k + 1 signed (or k unsigned) bits. */
static int clip_bits(int64_t hi)
{
    int k = 0;
    while (((int64_t)1 << k) < hi + 1)
        k++;
    return ((int64_t)1 << k) == hi + 1 ? k + 1 : -1;
}

void link_emit_rqs(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                   const int *side_t, const char *const *side)
{
    const char *m = side[0], *d = side[1];
    int64_t lo, hi;
    ort_levels_range(n->p.n_levels, n->p.is_signed, &lo, &hi);
    int bits = clip_bits(hi);
    if (!rqs_fits32(n, &g->tensors[main_t], &g->tensors[side_t[0]], &g->tensors[side_t[1]]))
        fprintf(c, LINK_INDENT "v = nn_requant64(v, %s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", m, d,
                n->p.log2d, lo, hi);
    else if (bits > 0 && lo == -(hi + 1))
        fprintf(c, LINK_INDENT "v = nn_rq32_clip(v, %s, %s, %" PRId64 ", %d);\n", m, d, n->p.log2d, bits);
    else if (bits > 0 && lo == 0)
        fprintf(c, LINK_INDENT "v = nn_rq32_clipu(v, %s, %s, %" PRId64 ", %d);\n", m, d, n->p.log2d, bits);
    else
        fprintf(c, LINK_INDENT "v = nn_rq32_range(v, %s, %s, %" PRId64 ", %" PRId64 ", %" PRId64 ");\n", m, d,
                n->p.log2d, lo, hi);
}

/* ---- iLut ------------------------------------------------------------- */

int64_t link_eval_ilut(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)side;
    const double *t = ort_ilut_table(n);
    return (int64_t)t[(v + 128) & 255];
}

void link_emit_ilut(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                    const int *side_t, const char *const *side)
{
    (void)g, (void)main_t, (void)side_t, (void)side;
    const double *t = ort_ilut_table(n);
    fprintf(c, LINK_INDENT "{\n" LINK_INDENT "    static const int32_t lut_[256] = {");
    for (int i = 0; i < 256; i++)
        fprintf(c, "%s%" PRId64, i ? (i % 16 ? ", " : ",\n" LINK_INDENT "        ") : "", (int64_t)t[i]);
    fprintf(c, "};\n" LINK_INDENT "    v = lut_[(v + 128) & 255];\n" LINK_INDENT "}\n");
}

/* ---- iGELU, iNoNorm (nn_sem.h) ---------------------------------------- */

int64_t link_eval_igelu(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g, (void)side;
    return nn_igelu((int32_t)v, (int32_t)n->p.coeff[0], (int32_t)n->p.coeff[1]);
}

void link_emit_igelu(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                     const int *side_t, const char *const *side)
{
    (void)g, (void)main_t, (void)side_t, (void)side;
    fprintf(c, LINK_INDENT "v = nn_igelu(v, %" PRId64 ", %" PRId64 ");\n", n->p.coeff[0], n->p.coeff[1]);
}

/* side: the weight, then the bias */
int64_t link_eval_inonorm(const struct ort_graph *g, const struct ort_node *n, int64_t v, const int64_t *side)
{
    (void)g;
    return nn_inonorm((int32_t)v, (int32_t)side[0], (int32_t)side[1], (int32_t)n->p.coeff[0], (int32_t)n->p.log2d);
}

void link_emit_inonorm(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                       const int *side_t, const char *const *side)
{
    (void)g, (void)main_t, (void)side_t;
    fprintf(c, LINK_INDENT "v = nn_inonorm(v, %s, %s, %" PRId64 ", %" PRId64 ");\n", side[0], side[1], n->p.coeff[0],
            n->p.log2d);
}
