/*
 * The integer arithmetic of Deeploy's quantized operators, as scalar
 * functions: included both by the compiler's host reference interpreter
 * (compiler/ops_int.c) and by the C the compiler generates for the target,
 * so the golden model and the firmware compute the same thing from one
 * definition. Widths are those the target uses: a function that takes an
 * int64_t needs it; the code generator picks the int32 forms only where
 * the value ranges prove they are exact.
 *
 * Semantics follow Deeploy's generic kernels (TargetLibraries/Generic);
 * docs/compiler.md states each operator.
 */
#ifndef ORTIGIA_NN_SEM_H
#define ORTIGIA_NN_SEM_H

#include <stdint.h>

static inline int32_t nn_clip(int64_t v, int32_t lo, int32_t hi)
{
    return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

/* RequantShift: clip((x * mul + add) >> log2d, lo, hi), shift rounding
 * toward minus infinity (arithmetic), after adding half of the divisor
 * when `rounding`. */
static inline int32_t nn_requant64(int64_t x, int32_t mul, int32_t add, int32_t log2d, int32_t lo,
                                   int32_t hi)
{
    int64_t v = x * mul + add;
    if (log2d > 0)
        v = (v + ((int64_t)1 << (log2d - 1))) >> log2d;
    return nn_clip(v, lo, hi);
}

static inline int32_t nn_requant32(int32_t x, int32_t mul, int32_t add, int32_t log2d, int32_t lo,
                                   int32_t hi)
{
    int32_t v = x * mul + add;
    if (log2d > 0)
        v = (v + (1 << (log2d - 1))) >> log2d;
    return v < lo ? lo : v > hi ? hi : v;
}

#endif
