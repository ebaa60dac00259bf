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

/* The rounded mean of `count` values summing to acc (ReduceMean, as
 * Deeploy's kernel; AveragePool): with count = 2^shift (shift >= 0)
 * rounded half up by a shift, else half away from zero by a truncating
 * division. The compiler keeps |acc| + count/2 within int32. */
static inline int32_t nn_mean_round(int32_t acc, int32_t count, int32_t shift)
{
    if (shift >= 0)
        return shift ? (acc + (1 << (shift - 1))) >> shift : acc;
    return (acc + (acc < 0 ? -(count >> 1) : (count >> 1))) / count;
}

/* floor(sqrt(v)), by bisection on the result's bits. */
static inline uint32_t nn_isqrt(uint32_t v)
{
    uint32_t r = 0;
    for (int b = 15; b >= 0; b--) {
        uint32_t t = r | (1u << b);
        if (t * t <= v)
            r = t;
    }
    return r;
}

/* iHardswish: x * (clip(x + three, 0, six) * one_over_six), int32. */
static inline int32_t nn_hardswish(int32_t x, int32_t one_over_six, int32_t six, int32_t three)
{
    int32_t t = x + three;
    t = t < 0 ? 0 : t > six ? six : t;
    return x * (t * one_over_six);
}

/* TrueIntegerDiv's constant factor: floor(Delta*eta / (y*eta + eps)); the
 * operator is x * factor (Deeploy folds it into the next RequantShift). */
static inline int64_t nn_true_div_factor(int64_t delta, int64_t eps, int64_t eta, int64_t y)
{
    int64_t num = delta * eta, den = y * eta + eps;
    int64_t q = num / den;
    return (num % den != 0 && ((num < 0) != (den < 0))) ? q - 1 : q;
}

/* floor(x / d), d > 0, given inv = 0xFFFFFFFF / d: a high multiply and at
 * most two corrections (the estimate is at most 2 below), exact for every
 * 32-bit x; cheaper than a division on the target when d is reused. */
static inline uint32_t nn_udiv_inv(uint32_t x, uint32_t d, uint32_t inv)
{
    uint32_t q = (uint32_t)(((uint64_t)x * inv) >> 32);
    uint32_t r = x - q * d;
    while (r >= d) {
        q++;
        r -= d;
    }
    return q;
}

/* v / d truncated toward zero, d > 0, inv = 0xFFFFFFFF / d. */
static inline int32_t nn_sdiv_inv(int32_t v, uint32_t d, uint32_t inv)
{
    uint32_t m = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    uint32_t q = nn_udiv_inv(m, d, inv);
    return v < 0 ? -(int32_t)q : (int32_t)q;
}

#define NN_ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * Row operators, as macros that define a function for given element types
 * (the host instantiates them on int64_t, the target on its storage types);
 * the intermediate widths are fixed inside, so every instance computes
 * the same values. They are always inlined, so the constants the
 * generated code passes fold into them.
 *
 * iSoftmax over a row of n: t = x - max, z = min(floor(-t / log2), 31),
 * p = t + z*log2, e = (A*(p + B)^2 + C) >> z, y = floor(e*(levels-1) / sum e)
 * (e in 32 bits: far below the max, z = 31 and e is 0 or 1).
 * e is computed twice (for the sum, then for each output) rather than
 * stored, so the function needs no scratch memory; within a run of equal
 * inputs (a language model's masked positions) it is computed once.
 */
NN_ALWAYS_INLINE uint32_t nn_softmax_term(int32_t t, int32_t A, int32_t B, int32_t C, int32_t log2,
                                          uint32_t inv_log2)
{
    /* t <= 0; inv_log2 = 0xFFFFFFFF / log2 */
    int32_t z = (int32_t)nn_udiv_inv((uint32_t)-t, (uint32_t)log2, inv_log2);
    if (z > 31)
        z = 31;
    int32_t p = t + z * log2 + B;
    return (uint32_t)((int64_t)A * p * p + C) >> z;
}

/* The larger of two int32: p.max on the target (xpulp.h included before,
 * as the generated code does), a comparison on the host. */
#ifdef XP_INLINE
#define NN_MAX_I32(a, b) xp_max((a), (b))
#else
#define NN_MAX_I32(a, b) ((a) > (b) ? (a) : (b))
#endif

/* A term of the row's body, computed or from its table. */
#define NN_SOFTMAX_TERM(t) nn_softmax_term((t), A, B, C, log2, inv_log2)
#define NN_SOFTMAX_TERM_TAB(t) ((uint32_t)-(t) < tab_n ? tab[(uint32_t)-(t)] : NN_SOFTMAX_TERM(t))

/* The row's body; `pad` more entries of value `pad_x` count in its max
 * and its sum but are not stored (0 for Deeploy's iSoftmax); with `rnd`,
 * each output is rounded to the nearest level (half the sum added before
 * the division), not truncated (0 for Deeploy's iSoftmax). */
#define NN_SOFTMAX_ROW_BODY(out_type, pad, pad_x, rnd, TERM)                                  \
    {                                                                                         \
        int32_t mx = (int32_t)x[0], jm = 1;                                                   \
        for (; jm + 1 < n; jm += 2) /* two a loop: taken branches cost 3 cycles */            \
            mx = NN_MAX_I32(NN_MAX_I32(mx, (int32_t)x[jm]), (int32_t)x[jm + 1]);              \
        if (jm < n)                                                                           \
            mx = NN_MAX_I32(mx, (int32_t)x[jm]);                                              \
        if ((pad) > 0 && (pad_x) > mx)                                                        \
            mx = (pad_x);                                                                     \
        uint32_t sum = 0, inv_log2 = 0xFFFFFFFFu / (uint32_t)log2;                            \
        int32_t px = (int32_t)x[0];                                                           \
        uint32_t pe = TERM(px - mx);                                                          \
        for (int32_t j = 0; j < n; j++) {                                                     \
            if ((int32_t)x[j] != px) { /* a run of equal inputs (masked ones) once */         \
                px = (int32_t)x[j];                                                           \
                pe = TERM(px - mx);                                                           \
            }                                                                                 \
            sum += pe;                                                                        \
        }                                                                                     \
        if ((pad) > 0)                                                                        \
            sum += (uint32_t)(pad) * TERM((pad_x) - mx);                                      \
        uint32_t inv = 0xFFFFFFFFu / sum;                                                     \
        px = (int32_t)x[0];                                                                   \
        uint32_t half = (rnd) ? sum >> 1 : 0u;                                                \
        uint32_t pq = nn_udiv_inv(TERM(px - mx) * (uint32_t)(levels - 1) + half, sum, inv);    \
        for (int32_t j = 0; j < n; j++) {                                                     \
            if ((int32_t)x[j] != px) {                                                        \
                px = (int32_t)x[j];                                                           \
                pq = nn_udiv_inv(TERM(px - mx) * (uint32_t)(levels - 1) + half, sum, inv);     \
            }                                                                                 \
            y[j] = (out_type)pq;                                                              \
        }                                                                                     \
    }
#define NN_DEFINE_SOFTMAX_ROW(name, in_type, out_type)                                        \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, int32_t A, int32_t B, \
                               int32_t C, int32_t log2, int32_t levels)                       \
    NN_SOFTMAX_ROW_BODY(out_type, 0, 0, 0, NN_SOFTMAX_TERM)
/* With Ortigia's `pad` and `pad_value` (a language model's prefill: its
 * causal row as long as the decoding step's, compiler/llm_quant.h). */
#define NN_DEFINE_SOFTMAX_ROW_PAD(name, in_type, out_type)                                    \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, int32_t A, int32_t B, \
                               int32_t C, int32_t log2, int32_t levels, int32_t pad,          \
                               int32_t pad_x, int32_t rnd)                                    \
    NN_SOFTMAX_ROW_BODY(out_type, pad, pad_x, rnd, NN_SOFTMAX_TERM)
/* The same with the terms of the differences max - x below tab_n from
 * tab[max - x] (tab[d] = nn_softmax_term(-d, ...): the same values). */
#define NN_DEFINE_SOFTMAX_ROW_WTAB(name, in_type, out_type)                                   \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, int32_t A, int32_t B, \
                               int32_t C, int32_t log2, int32_t levels, int32_t pad,          \
                               int32_t pad_x, int32_t rnd, const uint32_t *tab,               \
                               uint32_t tab_n)                                                \
    NN_SOFTMAX_ROW_BODY(out_type, pad, pad_x, rnd, NN_SOFTMAX_TERM_TAB)

/* The same with the terms looked up: tab[d] = nn_softmax_term(-d, ...)
 * for every difference d = max - x the input's range allows (the code
 * generator builds the table with nn_softmax_term); the _MAP form then
 * maps each output value q through omap[q] (a chain of elementwise nodes
 * after the softmax, tabulated by the code generator). */
#define NN_SOFTMAX_TABLE_BODY(OUT)                                                            \
    {                                                                                         \
        int32_t mx = (int32_t)x[0];                                                           \
        for (int32_t j = 1; j < n; j++)                                                       \
            if ((int32_t)x[j] > mx)                                                           \
                mx = (int32_t)x[j];                                                           \
        uint32_t sum = 0;                                                                     \
        for (int32_t j = 0; j < n; j++)                                                       \
            sum += tab[mx - (int32_t)x[j]];                                                   \
        uint32_t inv = 0xFFFFFFFFu / sum;                                                     \
        for (int32_t j = 0; j < n; j++) {                                                     \
            uint32_t q = nn_udiv_inv(tab[mx - (int32_t)x[j]] * (uint32_t)(levels - 1), sum, inv); \
            y[j] = (OUT);                                                                     \
        }                                                                                     \
    }
#define NN_DEFINE_SOFTMAX_ROW_TABLE(name, in_type, out_type)                                  \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, const uint32_t *tab,  \
                               int32_t levels)                                                \
    NN_SOFTMAX_TABLE_BODY((out_type)q)
#define NN_DEFINE_SOFTMAX_ROW_TABLE_MAP(name, in_type, out_type)                              \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, const uint32_t *tab,  \
                               const int32_t *omap, int32_t levels)                           \
    NN_SOFTMAX_TABLE_BODY((out_type)omap[q])

/*
 * iRMSNorm over a row of n, elements [j0, j1) of it (so that cores can
 * share a row), on x' = x * in_mul (Ortigia's `in_mul`, 1 in Deeploy's
 * graphs: a scale the input would otherwise need a step for):
 * sd = isqrt(sum(x'^2) / n + 1),
 * y = clip(trunc(x' * w / sd) >> log2d, -128, 127) (int32; / truncates).
 */
#define NN_DEFINE_RMSNORM_ROW(name, in_type, w_type, out_type)                                \
    NN_ALWAYS_INLINE void name(const in_type *x, const w_type *w, out_type *y, int32_t n,     \
                               int32_t log2d, int32_t in_mul, int32_t j0, int32_t j1)         \
    {                                                                                         \
        int32_t ss = 0;                                                                       \
        for (int32_t j = 0; j < n; j++) {                                                     \
            int32_t v = (int32_t)x[j] * in_mul;                                               \
            ss += v * v;                                                                      \
        }                                                                                     \
        uint32_t sd = nn_isqrt((uint32_t)(ss / n + 1));                                       \
        uint32_t inv = 0xFFFFFFFFu / sd;                                                      \
        for (int32_t j = j0; j < j1; j++) {                                                   \
            int32_t v = nn_sdiv_inv((int32_t)x[j] * in_mul * (int32_t)w[j], sd, inv) >> log2d; \
            y[j] = (out_type)(v < -128 ? -128 : v > 127 ? 127 : v);                           \
        }                                                                                     \
    }

/*
 * Deeploy's integer transformer operators (TargetLibraries/Generic and
 * Snitch kernels, Deeploy's test generators), in our words.
 *
 * iGELU: with s = sgn(x), q = min(|x|, -b), L = s * (one - (q + b)^2):
 * y = x * ((one + L) >> 1) (int32).
 */
static inline int32_t nn_igelu_factor(int32_t x, int32_t b, int32_t one)
{
    int32_t s = (x > 0) - (x < 0);
    int64_t a = s * (int64_t)x, q = a > -b ? -b : a, d = q + b;
    return (int32_t)((one + s * (one - d * d)) >> 1);
}

/* The product fits int32 wherever the compiler lets it run (the types
 * pass bounds it from nn_igelu_factor in 64 bits). */
static inline int32_t nn_igelu(int32_t x, int32_t b, int32_t one) { return x * nn_igelu_factor(x, b, one); }

/* iNoNorm: ((x * w + bias) * mul) >> log2d, as int8 (wrapping, as the
 * kernel's store). */
static inline int32_t nn_inonorm(int32_t x, int32_t w, int32_t bias, int32_t mul, int32_t log2d)
{
    return (int8_t)(((x * w + bias) * mul) >> log2d);
}

/* The shift ITAMax and ITAPartialMax use for exp(x - max): (d + 16) >> 5
 * (d = max - x >= 0; 2^-shift approximates the exponential), at most 31
 * so that 256 >> shift stays defined (int8 inputs never reach 9). */
static inline uint32_t nn_ita_shift(int32_t d)
{
    int32_t s = (d + 16) >> 5;
    return (uint32_t)(s > 31 ? 31 : s);
}
#define NN_ITA_SHIFT(d) nn_ita_shift((int32_t)(d))

/*
 * ITAMax over a row of n int8 values: mx = max (Deeploy starts it at
 * -128, the same for int8 values; here at x[0], defined for any), sum of
 * 256 >> shift, inv = (levels - 1) * 256 / sum, y = inv >> shift, in
 * [0, levels - 1] (Deeploy's kernel stores it less levels/2 as int8, its
 * consumers adding the offset back; the test vectors hold y).
 */
#define NN_DEFINE_ITAMAX_ROW(name, in_type, out_type)                                          \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, uint32_t levels)      \
    {                                                                                          \
        int32_t mx = (int32_t)x[0];                                                            \
        for (int32_t j = 1; j < n; j++)                                                        \
            mx = (int32_t)x[j] > mx ? (int32_t)x[j] : mx;                                      \
        uint32_t sum = 0;                                                                      \
        for (int32_t j = 0; j < n; j++)                                                        \
            sum += 256u >> NN_ITA_SHIFT(mx - (int32_t)x[j]);                                   \
        uint32_t inv = (levels - 1) * 256u / sum;                                              \
        for (int32_t j = 0; j < n; j++)                                                        \
            y[j] = (out_type)(inv >> NN_ITA_SHIFT(mx - (int32_t)x[j]));                     \
    }

/*
 * ITAPartialMax: the same over groups of `gw` columns, the sum rescaled
 * (>> the shift of the new maximum's increase) whenever a group raises the
 * maximum, inv = (levels/2 - 1) * 256 / sum; y = inv >> shift in
 * [0, levels/2 - 1].
 */
#define NN_DEFINE_ITAPARTIALMAX_ROW(name, in_type, out_type)                                   \
    NN_ALWAYS_INLINE void name(const in_type *x, out_type *y, int32_t n, int32_t gw,           \
                               uint32_t levels)                                                \
    {                                                                                          \
        int32_t mx = (int32_t)x[0]; /* <= the first group's maximum: as Deeploy's -128 */      \
        uint32_t total = 0;                                                                    \
        for (int32_t g0 = 0; g0 + gw <= n; g0 += gw) {                                         \
            int32_t cm = (int32_t)x[g0];                                                       \
            for (int32_t k = 0; k < gw; k++)                                                   \
                cm = (int32_t)x[g0 + k] > cm ? (int32_t)x[g0 + k] : cm;                        \
            uint32_t sh = cm > mx ? NN_ITA_SHIFT(cm - mx) : 0;                                 \
            mx = cm > mx ? cm : mx;                                                            \
            uint32_t part = 0;                                                                 \
            for (int32_t k = 0; k < gw; k++)                                                   \
                part += 256u >> NN_ITA_SHIFT(mx - (int32_t)x[g0 + k]);                         \
            total = (total >> sh) + part;                                                      \
        }                                                                                      \
        uint32_t inv = (levels / 2 - 1) * 256u / total;                                        \
        for (int32_t j = 0; j < n; j++)                                                        \
            y[j] = (out_type)(inv >> NN_ITA_SHIFT(mx - (int32_t)x[j]));                     \
    }

/* floor(sqrt(v)) for v > 0, else 0 (iLayerNorm's square root). */
static inline int32_t nn_isqrt_pos(int32_t v) { return v > 0 ? (int32_t)nn_isqrt((uint32_t)v) : 0; }

/*
 * iLayerNorm over a row of n: mean = sum / n (truncating), var =
 * sum((int16)(x - mean)^2) / n + 1, sd = floor(sqrt(var)),
 * y = (int8)(((x - mean) * w / sd + bias) >> log2d) (the division in 64
 * bits, truncating).
 */
#define NN_DEFINE_ILAYERNORM_ROW(name, in_type, w_type, b_type, out_type)                      \
    NN_ALWAYS_INLINE void name(const in_type *x, const w_type *w, const b_type *bias,          \
                               out_type *y, int32_t n, int32_t log2d)                          \
    {                                                                                          \
        int32_t mean = 0, ss = 0;                                                              \
        for (int32_t j = 0; j < n; j++)                                                        \
            mean += (int32_t)x[j];                                                             \
        mean /= n;                                                                             \
        for (int32_t j = 0; j < n; j++) {                                                      \
            int32_t t = (int16_t)((int32_t)x[j] - mean);                                       \
            ss += t * t;                                                                       \
        }                                                                                      \
        int32_t sd = nn_isqrt_pos(ss / n + 1);                                                 \
        for (int32_t j = 0; j < n; j++) {                                                      \
            int64_t q = ((int64_t)x[j] - mean) * (int64_t)w[j] / sd;                           \
            y[j] = (out_type)(int8_t)((q + (int64_t)bias[j]) >> log2d);               \
        }                                                                                      \
    }

#endif
