/*
 * Dot products of 8-bit vectors for generated kernels, four lanes per
 * Xpulpv2 sdot instruction: a and b word-aligned, `words` = length / 4.
 * The suffix names the lanes' types (a then b).
 */
#ifndef ORTIGIA_NN_DOT_H
#define ORTIGIA_NN_DOT_H

#include <stdint.h>

#include "xpulp.h"

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
