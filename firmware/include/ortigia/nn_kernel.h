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

/* Cores running the network (set by nn_run_network; in L1). */
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

/* nn_requant32 (nn_sem.h) with the clip in one Xpulpv2 instruction:
 * p.clip to [-2^(n-1), 2^(n-1) - 1], p.clipu to [0, 2^(n-1) - 1], or
 * p.max/p.min to [lo, hi]; the same values, without branches. s, n are
 * constants. */
/* x * m as one 1-cycle mul: for some constants GCC's RV32 tuning prefers
 * two or three shifts and adds (x * 32764: sll, sub, sll), which cost
 * more here; a power of two stays a shift. */
static inline __attribute__((always_inline)) int32_t nn_mul_insn(int32_t x, int32_t m)
{
    int32_t r;
    __asm__("mul %0, %1, %2" : "=r"(r) : "r"(x), "r"(m));
    return r;
}
#define NN_MUL(x, m)                                                                        \
    (__builtin_constant_p(m) && ((uint32_t)(m) & ((uint32_t)(m) - 1u)) == 0                  \
         ? (int32_t)(x) * (int32_t)(m)                                                      \
         : nn_mul_insn((int32_t)(x), (int32_t)(m)))
/* mul = 2^s and add = 0 (constants): (x * 2^s + 2^(s-1)) >> s is x, as the
 * compiler uses these forms only where x * mul + add + 2^(s-1) cannot
 * leave int32 (ops_link.c, rqs_fits32); GCC does not see it. */
#define NN_RQ_IDENTITY(mul, add, s)                                                         \
    (__builtin_constant_p(mul) && __builtin_constant_p(add) && (s) >= 0 && (s) < 31 &&      \
     (add) == 0 && (mul) == (1 << ((s) >= 0 && (s) < 31 ? (s) : 0)))
#define NN_RQ_PRE(x, mul, add, s)                                                           \
    (NN_RQ_IDENTITY(mul, add, s) ? (int32_t)(x)                                             \
     : (s) > 0 ? (NN_MUL(x, mul) + (int32_t)(add) + (1 << ((s) > 0 ? (s) - 1 : 0))) >> (s)    \
               : NN_MUL(x, mul) + (int32_t)(add))
#define nn_rq32_clip(x, mul, add, s, n) xp_clip(NN_RQ_PRE(x, mul, add, s), n)
#define nn_rq32_clipu(x, mul, add, s, n) xp_clipu(NN_RQ_PRE(x, mul, add, s), n)
#define nn_rq32_range(x, mul, add, s, lo, hi) xp_min(xp_max(NN_RQ_PRE(x, mul, add, s), lo), hi)

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
 * four rows of b (b, b + bstride, ... bytes apart), `words` >= 1 words
 * each; c gets the 4 (8) int32 sums, row-major. Hardware loops with
 * post-increment loads: each A word is loaded once for the four columns,
 * 9 instructions per 16 MACs (1x4), 14 per 32 (2x4), no loop overhead,
 * no load used by the next instruction.
 *
 * The sdot flavour by lane types (a, b): sdotsp.b (i8 i8), sdotusp.b with
 * the unsigned operand first (u8 i8; i8 u8 swapped), sdotup.b (u8 u8).
 */
#define NN_F7_i8_i8 0x5C
#define NN_F7_u8_i8 0x54
#define NN_F7_i8_u8 0x54
#define NN_F7_u8_u8 0x50
#define NN_ORD_i8_i8(x, w) x ", " w
#define NN_ORD_u8_i8(x, w) x ", " w
#define NN_ORD_i8_u8(x, w) w ", " x
#define NN_ORD_u8_u8(x, w) x ", " w
#define NN_STR_(x) #x
#define NN_STR(x) NN_STR_(x)
#define NN_SDOT(f7, ord, acc, x, w) ".insn r 0x57, 1, " NN_STR(f7) ", %[" #acc "], " ord(x, w) "\n"
#define NN_PLW(reg, ptr) ".insn i 0x0B, 2, " reg ", %[" #ptr "], 4\n"

#define NN_DEFINE_MM(ta, tb)                                                                 \
    static inline __attribute__((always_inline)) void nn_mm1x4_##ta##_##tb(                  \
        const void *a0, const void *b, uint32_t bstride, uint32_t words, int32_t *c)         \
    {                                                                                        \
        const void *pa = a0, *p0 = b, *p1 = (const uint8_t *)b + bstride,                    \
                   *p2 = (const uint8_t *)b + 2 * bstride, *p3 = (const uint8_t *)b + 3 * bstride; \
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                              \
        __asm__ volatile(XP_ASM_BEGIN XP_LP_SETUP(0, "%[k4]", 9)                             \
                         NN_PLW("t0", pa) NN_PLW("t1", p0) NN_PLW("t2", p1)                  \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s0, "t0", "t1")      \
                         NN_PLW("t3", p2)                                                    \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s1, "t0", "t2")      \
                         NN_PLW("t4", p3)                                                    \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s2, "t0", "t3")      \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s3, "t0", "t4")      \
                         XP_ASM_END                                                          \
                         : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3),       \
                           [pa] "+r"(pa), [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2),       \
                           [p3] "+r"(p3)                                                     \
                         : [k4] "r"(words)                                                   \
                         : "t0", "t1", "t2", "t3", "t4", "memory");                          \
        c[0] = s0, c[1] = s1, c[2] = s2, c[3] = s3;                                          \
    }                                                                                        \
    static inline __attribute__((always_inline)) void nn_mm2x4_##ta##_##tb(                  \
        const void *a0, const void *a1, const void *b, uint32_t bstride, uint32_t words,     \
        int32_t *c)                                                                          \
    {                                                                                        \
        const void *pa0 = a0, *pa1 = a1, *p0 = b, *p1 = (const uint8_t *)b + bstride,        \
                   *p2 = (const uint8_t *)b + 2 * bstride, *p3 = (const uint8_t *)b + 3 * bstride; \
        int32_t s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;      \
        __asm__ volatile(XP_ASM_BEGIN XP_LP_SETUP(0, "%[k4]", 14)                            \
                         NN_PLW("t0", pa0) NN_PLW("t1", pa1) NN_PLW("t2", p0) NN_PLW("t3", p1) \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s00, "t0", "t2")     \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s10, "t1", "t2")     \
                         NN_PLW("t4", p2)                                                    \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s01, "t0", "t3")     \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s11, "t1", "t3")     \
                         NN_PLW("t5", p3)                                                    \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s02, "t0", "t4")     \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s12, "t1", "t4")     \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s03, "t0", "t5")     \
                         NN_SDOT(NN_F7_##ta##_##tb, NN_ORD_##ta##_##tb, s13, "t1", "t5")     \
                         XP_ASM_END                                                          \
                         : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s03] "+r"(s03), \
                           [s10] "+r"(s10), [s11] "+r"(s11), [s12] "+r"(s12), [s13] "+r"(s13), \
                           [pa0] "+r"(pa0), [pa1] "+r"(pa1), [p0] "+r"(p0), [p1] "+r"(p1),   \
                           [p2] "+r"(p2), [p3] "+r"(p3)                                      \
                         : [k4] "r"(words)                                                   \
                         : "t0", "t1", "t2", "t3", "t4", "t5", "memory");                    \
        c[0] = s00, c[1] = s01, c[2] = s02, c[3] = s03;                                      \
        c[4] = s10, c[5] = s11, c[6] = s12, c[7] = s13;                                      \
    }

/*
 * iSoftmax over rows of 8-bit values with the terms looked up: the same
 * values as NN_SOFTMAX_TABLE_BODY (nn_sem.h), in about a third of the
 * cycles. That body spends ~49 core cycles per element: a byte loop for
 * the maximum, a second one for the sum, and per output a 5-cycle mulhu,
 * a data-dependent correction branch (taken: 3 cycles), an int32 map
 * lookup and loop branches. Here the three passes run in hardware loops
 * with post-increment and register-offset loads, two elements per
 * iteration so that no load feeds the next instruction, and the division
 * is one 1-cycle mul and a branch-free correction. The compiler
 * (engine_cluster.c, softmax_q8_fits) proves at compile time what makes
 * that exact and passes tables made for it:
 *
 *   stab[d] = tab[d] * L, L = levels - 1 (1..255), tab[0] > 0 the largest
 *   term, n * tab[0] * L < 2^32 and tab[0] * L < 2^24;
 *   omap: the output for each q as bytes (or none: the output is q).
 *
 * Then S = sum of stab (no wrap) = L * sum, sum = S / L exactly, and with
 * v = stab[d] <= L * sum, m = floor(2^24 / sum): q0 = (v * m) >> 24 does
 * not wrap (v * m <= L * 2^24 < 2^32), q0 <= v / sum, and
 * v / sum - v * m / 2^24 = v (2^24 - m sum) / (sum 2^24) < v / 2^24 < 1,
 * so q = floor(v / sum) is q0 or q0 + 1: q = q0 + (v - q0 * sum >= sum).
 * `lx` is the input's post-increment byte load (p.lb 0, p.lbu 4), `vmax`
 * the packed maximum's funct6 (pv.max.b 0x0C, pv.maxu.b 0x0E).
 */
#define NN_SM_LB(f3, rd, ptr) ".insn i 0x0B, " #f3 ", " rd ", %[" #ptr "], 1\n"
#define NN_SM_LWRR(rd, base, off) ".insn r 0x03, 7, 0x10, " rd ", %[" #base "], " off "\n"
#define NN_SM_LBURR(rd, base, off) ".insn r 0x03, 7, 0x20, " rd ", %[" #base "], " off "\n"
#define NN_SM_SB(rs, ptr) ".insn s 0x2B, 0, " rs ", 1(%[" #ptr "])\n"

#define NN_DEFINE_SOFTMAX_ROW_Q8(name, in_type, out_type, lx, vmax, mapped)                    \
    static inline __attribute__((always_inline)) void name(                                    \
        const in_type *x, out_type *y, int32_t n, const uint32_t *stab, const uint8_t *omap,   \
        uint32_t lm1)                                                                          \
    {                                                                                          \
        const in_type *px = x;                                                                 \
        int32_t j = 0, mx;                                                                     \
        /* the maximum: four lanes a word when the row is word-aligned */                      \
        if ((((uintptr_t)x | (uint32_t)n) & 3) == 0 && n >= 8) {                               \
            uint32_t w = *(const uint32_t *)x, k = (uint32_t)n >> 3;                           \
            uint32_t t0, t1;                                                                   \
            __asm__ volatile(XP_ASM_BEGIN XP_LP_SETUP(0, "%[k]", 4)                            \
                             ".insn i 0x0B, 2, %[t0], %[px], 4\n"                              \
                             ".insn i 0x0B, 2, %[t1], %[px], 4\n"                              \
                             ".insn r 0x57, 1, 2*" #vmax ", %[w], %[w], %[t0]\n"               \
                             ".insn r 0x57, 1, 2*" #vmax ", %[w], %[w], %[t1]\n" XP_ASM_END    \
                             : [w] "+r"(w), [px] "+r"(px), [t0] "=&r"(t0), [t1] "=&r"(t1)      \
                             : [k] "r"(k)                                                      \
                             : "memory");                                                      \
            j = (int32_t)(k << 3);                                                             \
            int32_t l0 = (in_type)w, l1 = (in_type)(w >> 8), l2 = (in_type)(w >> 16),          \
                    l3 = (in_type)(w >> 24);                                                   \
            l0 = l0 > l1 ? l0 : l1;                                                            \
            l2 = l2 > l3 ? l2 : l3;                                                            \
            mx = l0 > l2 ? l0 : l2;                                                            \
        } else {                                                                               \
            mx = (int32_t)x[0];                                                                \
        }                                                                                      \
        for (; j < n; j++)                                                                     \
            mx = (int32_t)x[j] > mx ? (int32_t)x[j] : mx;                                      \
        /* stab[mx - x] = tb[-x]: the byte offset -4x */                                       \
        const uint32_t *tb = stab + mx;                                                        \
        const int32_t m4 = -4;                                                                 \
        uint32_t s = 0, half = (uint32_t)n >> 1;                                               \
        px = x;                                                                                \
        if (half) {                                                                            \
            uint32_t t0, t1;                                                                   \
            __asm__ volatile(XP_ASM_BEGIN XP_LP_SETUP(0, "%[k]", 8)                            \
                             NN_SM_LB(lx, "%[t0]", px) NN_SM_LB(lx, "%[t1]", px)               \
                             "mul %[t0], %[t0], %[m4]\n"                                       \
                             "mul %[t1], %[t1], %[m4]\n"                                       \
                             NN_SM_LWRR("%[t0]", tb, "%[t0]") NN_SM_LWRR("%[t1]", tb, "%[t1]") \
                             "add %[s], %[s], %[t0]\n"                                         \
                             "add %[s], %[s], %[t1]\n" XP_ASM_END                              \
                             : [s] "+r"(s), [px] "+r"(px), [t0] "=&r"(t0), [t1] "=&r"(t1)      \
                             : [k] "r"(half), [m4] "r"(m4), [tb] "r"(tb)                       \
                             : "memory");                                                      \
        }                                                                                      \
        if (n & 1)                                                                             \
            s += tb[-(int32_t)x[n - 1]];                                                       \
        uint32_t sum = s / lm1, m = (1u << 24) / sum;                                          \
        /* out: q = q0 + 1 - (r < sum); omap + 1 takes the + 1 */                              \
        uintptr_t om = (mapped) ? (uintptr_t)(omap + 1) : 1;                                  \
        out_type *py = y;                                                                      \
        px = x;                                                                                \
        if (half) {                                                                            \
            uint32_t a0, a1, a2, b0, b1, b2;                                                   \
            __asm__ volatile(XP_ASM_BEGIN XP_LP_SETUP(0, "%[k]", 22)                           \
                             NN_SM_LB(lx, "%[a0]", px) NN_SM_LB(lx, "%[b0]", px)               \
                             "mul %[a0], %[a0], %[m4]\n"                                       \
                             "mul %[b0], %[b0], %[m4]\n"                                       \
                             NN_SM_LWRR("%[a0]", tb, "%[a0]") NN_SM_LWRR("%[b0]", tb, "%[b0]") \
                             "mul %[a1], %[a0], %[m]\n"                                        \
                             "mul %[b1], %[b0], %[m]\n"                                        \
                             "srli %[a1], %[a1], 24\n"                                         \
                             "srli %[b1], %[b1], 24\n"                                         \
                             "mul %[a2], %[a1], %[sum]\n"                                      \
                             "mul %[b2], %[b1], %[sum]\n"                                      \
                             "sub %[a2], %[a0], %[a2]\n"                                       \
                             "sub %[b2], %[b0], %[b2]\n"                                       \
                             "sltu %[a2], %[a2], %[sum]\n"                                     \
                             "sltu %[b2], %[b2], %[sum]\n"                                     \
                             "sub %[a1], %[a1], %[a2]\n"                                       \
                             "sub %[b1], %[b1], %[b2]\n"                                       \
                             NN_SM_Q8_OUT(mapped, "%[a1]") NN_SM_Q8_OUT(mapped, "%[b1]")       \
                             NN_SM_SB("%[a1]", py) NN_SM_SB("%[b1]", py) XP_ASM_END            \
                             : [px] "+r"(px), [py] "+r"(py), [a0] "=&r"(a0), [a1] "=&r"(a1),   \
                               [a2] "=&r"(a2), [b0] "=&r"(b0), [b1] "=&r"(b1), [b2] "=&r"(b2)  \
                             : [k] "r"(half), [m4] "r"(m4), [tb] "r"(tb), [m] "r"(m),          \
                               [sum] "r"(sum), [om] "r"(om)                                    \
                             : "memory");                                                      \
        }                                                                                      \
        if (n & 1) {                                                                           \
            uint32_t v = tb[-(int32_t)x[n - 1]], q = (v * m) >> 24;                            \
            q += v - q * sum >= sum;                                                           \
            y[n - 1] = (out_type)(mapped ? omap[q] : q);                                       \
        }                                                                                      \
    }
/* The output of q0 + 1 - c in `r`: the map's byte (p.lbu r, r(om), with
 * om = omap + 1), or the value itself (om = 1). */
#define NN_SM_Q8_OUT(mapped, r) NN_SM_Q8_OUT_##mapped(r)
#define NN_SM_Q8_OUT_1(r) NN_SM_LBURR(r, om, r)
#define NN_SM_Q8_OUT_0(r) "add " r ", " r ", %[om]\n"

/* One dot product of a word of each (K = 4: emit.c issues them one at a
 * time), non-accumulating, lanes as NN_F7_*: dotsp.b, dotusp.b with the
 * unsigned operand first, dotup.b. */
#define NN_DOT1_i8_i8(x, w) (int32_t)XP_PV(0x26, 1, x, w)
#define NN_DOT1_u8_i8(x, w) (int32_t)XP_PV(0x22, 1, x, w)
#define NN_DOT1_i8_u8(x, w) (int32_t)XP_PV(0x22, 1, w, x)
#define NN_DOT1_u8_u8(x, w) (int32_t)XP_PV(0x20, 1, x, w)

NN_DEFINE_MM(i8, i8)
NN_DEFINE_MM(u8, i8)
NN_DEFINE_MM(i8, u8)
NN_DEFINE_MM(u8, u8)

#endif
