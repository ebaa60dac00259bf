/* Index and division expressions of the generated C. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_int.h"

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



/* C text of x / d and x % d for 0 <= x <= xmax. */
void cg_cdiv(char *buf, size_t size, const char *x, int64_t d, int64_t xmax)
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

void cg_cmod(char *buf, size_t size, const char *x, int64_t d, int64_t xmax)
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
    cg_cdiv(q, sizeof q, var, ostride, total - 1);
    if (ostride * od >= total)
        snprintf(buf, size, "%s", q);
    else
        cg_cmod(buf, size, q, od, total / ostride - 1);
}

/* Flat index into `in` of the element at flat index `var` of `out` under
 * broadcasting, as C text with literal constants. */
void cg_bcast_expr(const struct ort_shape *in, const struct ort_shape *out, const char *var,
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

void cg_transpose_expr(const struct ort_shape *in, const int64_t *perm, const char *var, char *buf,
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

