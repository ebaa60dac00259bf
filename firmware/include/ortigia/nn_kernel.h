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

#endif
