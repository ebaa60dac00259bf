/*
 * What generated kernels use on the target (not on the host): the team's
 * split of the work, without divisions, and 8-bit dot products, four
 * lanes per Xpulpv2 sdot instruction (a and b word-aligned, `words` =
 * length / 4; the suffix names the lanes' types, a then b).
 */
#ifndef ORTIGIA_NN_KERNEL_H
#define ORTIGIA_NN_KERNEL_H

#include <stdint.h>

#include "ortigia/cluster.h"
#include "xpulp.h"

/* Cores running the current step (set by nn_run_step; in L1). */
extern uint32_t nn_team_cores, nn_team_shift; /* shift: log2(cores) if a power of two, else 32 */

/* The part [*begin, *end) of `count` items that this core takes: an even
 * split, the first cores taking one more. */
static inline void nn_part(uint32_t count, uint32_t *begin, uint32_t *end)
{
    uint32_t core = rt_core_id(), cores = nn_team_cores, q, r;
    if (nn_team_shift < 32) {
        q = count >> nn_team_shift;
        r = count & (cores - 1);
    } else {
        q = count / cores;
        r = count - q * cores;
    }
    *begin = core * q + (core < r ? core : r);
    *end = *begin + q + (core < r ? 1 : 0);
}

/* x / d and x % d with the magic number m and shift s the compiler chose
 * for d (codegen.c: exact over the range x takes there). */
static inline uint32_t nn_divc(uint32_t x, uint32_t m, uint32_t s)
{
    return (uint32_t)(((uint64_t)x * m) >> 32) >> s;
}

static inline uint32_t nn_modc(uint32_t x, uint32_t d, uint32_t m, uint32_t s)
{
    return x - nn_divc(x, m, s) * d;
}

static inline int32_t nn_dot_i8_i8(const void *a, const void *b, uint32_t words, int32_t acc)
{
    const uint32_t *pa = a, *pb = b;
    for (uint32_t k = 0; k < words; k++)
        acc = xp_sdotsp_b(acc, pa[k], pb[k]);
    return acc;
}

static inline int32_t nn_dot_u8_i8(const void *a, const void *b, uint32_t words, int32_t acc)
{
    const uint32_t *pa = a, *pb = b;
    for (uint32_t k = 0; k < words; k++)
        acc = xp_sdotusp_b(acc, pa[k], pb[k]);
    return acc;
}

static inline int32_t nn_dot_i8_u8(const void *a, const void *b, uint32_t words, int32_t acc)
{
    return nn_dot_u8_i8(b, a, words, acc);
}

static inline int32_t nn_dot_u8_u8(const void *a, const void *b, uint32_t words, int32_t acc)
{
    const uint32_t *pa = a, *pb = b;
    uint32_t u = (uint32_t)acc;
    for (uint32_t k = 0; k < words; k++)
        u = xp_sdotup_b(u, pa[k], pb[k]);
    return (int32_t)u;
}

/*
 * Register-blocked products for 8-bit operands: rows a0 (and a1) against
 * four rows of b (b, b + bstride, ... bytes apart), `words` words each;
 * c gets the 4 (8) int32 sums, row-major. Each A word is loaded once for
 * the four columns: 9 instructions per 16 MACs (1x4), 14 per 32 (2x4).
 */
#define NN_DOT_i8_i8(acc, a, b) xp_sdotsp_b(acc, a, b)
#define NN_DOT_u8_i8(acc, a, b) xp_sdotusp_b(acc, a, b)
#define NN_DOT_i8_u8(acc, a, b) xp_sdotusp_b(acc, b, a)
#define NN_DOT_u8_u8(acc, a, b) ((int32_t)xp_sdotup_b((uint32_t)(acc), a, b))

#define NN_DEFINE_MM(ta, tb)                                                                 \
    static inline __attribute__((always_inline)) void nn_mm1x4_##ta##_##tb(                  \
        const void *a0, const void *b, uint32_t bstride, uint32_t words, int32_t *c)         \
    {                                                                                        \
        const uint32_t *pa = a0, *p0 = b;                                                    \
        const uint32_t *p1 = (const uint32_t *)((const uint8_t *)b + bstride);               \
        const uint32_t *p2 = (const uint32_t *)((const uint8_t *)b + 2 * bstride);           \
        const uint32_t *p3 = (const uint32_t *)((const uint8_t *)b + 3 * bstride);           \
        int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;                                              \
        for (uint32_t k = 0; k < words; k++) {                                               \
            uint32_t x = pa[k];                                                              \
            c0 = NN_DOT_##ta##_##tb(c0, x, p0[k]);                                           \
            c1 = NN_DOT_##ta##_##tb(c1, x, p1[k]);                                           \
            c2 = NN_DOT_##ta##_##tb(c2, x, p2[k]);                                           \
            c3 = NN_DOT_##ta##_##tb(c3, x, p3[k]);                                           \
        }                                                                                    \
        c[0] = c0;                                                                           \
        c[1] = c1;                                                                           \
        c[2] = c2;                                                                           \
        c[3] = c3;                                                                           \
    }                                                                                        \
    static inline __attribute__((always_inline)) void nn_mm2x4_##ta##_##tb(                  \
        const void *a0, const void *a1, const void *b, uint32_t bstride, uint32_t words,     \
        int32_t *c)                                                                          \
    {                                                                                        \
        const uint32_t *pa = a0, *pb = a1, *p0 = b;                                          \
        const uint32_t *p1 = (const uint32_t *)((const uint8_t *)b + bstride);               \
        const uint32_t *p2 = (const uint32_t *)((const uint8_t *)b + 2 * bstride);           \
        const uint32_t *p3 = (const uint32_t *)((const uint8_t *)b + 3 * bstride);           \
        int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;              \
        for (uint32_t k = 0; k < words; k++) {                                               \
            uint32_t x = pa[k], y = pb[k], w0 = p0[k], w1 = p1[k], w2 = p2[k], w3 = p3[k];   \
            c0 = NN_DOT_##ta##_##tb(c0, x, w0);                                              \
            c1 = NN_DOT_##ta##_##tb(c1, x, w1);                                              \
            c2 = NN_DOT_##ta##_##tb(c2, x, w2);                                              \
            c3 = NN_DOT_##ta##_##tb(c3, x, w3);                                              \
            c4 = NN_DOT_##ta##_##tb(c4, y, w0);                                              \
            c5 = NN_DOT_##ta##_##tb(c5, y, w1);                                              \
            c6 = NN_DOT_##ta##_##tb(c6, y, w2);                                              \
            c7 = NN_DOT_##ta##_##tb(c7, y, w3);                                              \
        }                                                                                    \
        c[0] = c0;                                                                           \
        c[1] = c1;                                                                           \
        c[2] = c2;                                                                           \
        c[3] = c3;                                                                           \
        c[4] = c4;                                                                           \
        c[5] = c5;                                                                           \
        c[6] = c6;                                                                           \
        c[7] = c7;                                                                           \
    }

NN_DEFINE_MM(i8, i8)
NN_DEFINE_MM(u8, i8)
NN_DEFINE_MM(i8, u8)
NN_DEFINE_MM(u8, u8)

#endif
