/*
 * Semantics of the Xpulpv2 arithmetic as pure functions of their operands
 * (RI5CY / CV32E40P v1 user manuals; GVSoC's pulpv2 ISA model): scalar
 * ALU extensions, bit manipulation and the packed-SIMD lanes. The run loop
 * (core_loop.inc) calls these; nothing here touches core state.
 *
 * Packed SIMD: a 32-bit register holds two 16-bit lanes (.h) or four 8-bit
 * lanes (.b), lane 0 in the low bits. Lane arithmetic wraps; shifts use the
 * low 4 (.h) or 3 (.b) bits of each lane's shift amount; dot products sum
 * the lane products into 32 bits (wrapping), sdot* add them to rd.
 */
#ifndef ORTIGIA_XPULP_SEM_H
#define ORTIGIA_XPULP_SEM_H

#include <stdint.h>

/* ---- scalar ------------------------------------------------------------ */

static inline uint32_t xp_abs(uint32_t a) { return (int32_t)a < 0 ? 0u - a : a; }
static inline uint32_t xp_min(uint32_t a, uint32_t b) { return (int32_t)a < (int32_t)b ? a : b; }
static inline uint32_t xp_max(uint32_t a, uint32_t b) { return (int32_t)a > (int32_t)b ? a : b; }
static inline uint32_t xp_minu(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t xp_maxu(uint32_t a, uint32_t b) { return a > b ? a : b; }

static inline uint32_t xp_clip_range(uint32_t a, int32_t lo, int32_t hi)
{
    int32_t v = (int32_t)a;
    return (uint32_t)(v < lo ? lo : v > hi ? hi : v);
}

/* p.clip rd, rs1, n: clip to [-2^(n-1), 2^(n-1) - 1]; p.clipu: to
   [0, 2^(n-1) - 1]. n = 0 gives [-1, 0] and [0, 0]. */
static inline uint32_t xp_clip(uint32_t a, uint32_t n)
{
    int32_t hi = n == 0 ? 0 : (int32_t)((1u << (n - 1)) - 1u);
    return xp_clip_range(a, -hi - 1, hi);
}
static inline uint32_t xp_clipu(uint32_t a, uint32_t n)
{
    int32_t hi = n == 0 ? 0 : (int32_t)((1u << (n - 1)) - 1u);
    return xp_clip_range(a, 0, hi);
}

/* p.clipr: clip to [-(b + 1), b]; p.clipur: clip to [0, b]. */
static inline uint32_t xp_clipr(uint32_t a, uint32_t b)
{
    int32_t hi = (int32_t)b;
    return xp_clip_range(a, -hi - 1, hi);
}
static inline uint32_t xp_clipur(uint32_t a, uint32_t b)
{
    return xp_clip_range(a, 0, (int32_t)b);
}

/* Bit fields: `size` = Is3 + 1 bits at bit `pos` = Is2 (fields past bit 31
   are cut off at bit 31). */
static inline uint32_t xp_field_mask(unsigned size, unsigned pos)
{
    uint32_t m = size >= 32 ? 0xffffffffu : (1u << size) - 1u;
    return m << (pos & 31);
}
static inline uint32_t xp_extractu(uint32_t a, unsigned size, unsigned pos)
{
    uint32_t m = size >= 32 ? 0xffffffffu : (1u << size) - 1u;
    return (a >> (pos & 31)) & m;
}
static inline uint32_t xp_extract(uint32_t a, unsigned size, unsigned pos)
{
    uint32_t v = xp_extractu(a, size, pos);
    unsigned width = size + (pos & 31) > 32 ? 32 - (pos & 31) : size;
    if (width >= 32)
        return v;
    uint32_t sign = 1u << (width - 1);
    return (v ^ sign) - sign;
}
static inline uint32_t xp_insert(uint32_t d, uint32_t a, unsigned size, unsigned pos)
{
    uint32_t m = xp_field_mask(size, pos);
    return (d & ~m) | ((a << (pos & 31)) & m);
}

static inline uint32_t xp_ff1(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32u; }
static inline uint32_t xp_fl1(uint32_t a) { return a ? 31u - (uint32_t)__builtin_clz(a) : 32u; }
/* Count leading bits equal to the sign bit, minus one (0 for 0). */
static inline uint32_t xp_clb(uint32_t a)
{
    if (a == 0)
        return 0;
    uint32_t x = (int32_t)a < 0 ? ~a : a;
    return x ? (uint32_t)__builtin_clz(x) - 1u : 31u;
}
static inline uint32_t xp_cnt(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
static inline uint32_t xp_ror(uint32_t a, uint32_t b)
{
    unsigned s = b & 31;
    return s ? (a >> s) | (a << (32 - s)) : a;
}

/* ---- packed SIMD lanes ------------------------------------------------- */

static inline int32_t xp_h(uint32_t v, unsigned i) { return (int16_t)(v >> (16 * i)); }
static inline uint32_t xp_hu(uint32_t v, unsigned i) { return (uint16_t)(v >> (16 * i)); }
static inline int32_t xp_b(uint32_t v, unsigned i) { return (int8_t)(v >> (8 * i)); }
static inline uint32_t xp_bu(uint32_t v, unsigned i) { return (uint8_t)(v >> (8 * i)); }

static inline uint32_t xp_pack_h(uint32_t l1, uint32_t l0) { return (l1 & 0xffffu) << 16 | (l0 & 0xffffu); }
static inline uint32_t xp_pack_b(uint32_t l3, uint32_t l2, uint32_t l1, uint32_t l0)
{
    return (l3 & 0xffu) << 24 | (l2 & 0xffu) << 16 | (l1 & 0xffu) << 8 | (l0 & 0xffu);
}

/* Replicate lane 0 of b into every lane (the .sc and .sci forms). */
static inline uint32_t xp_rep_h(uint32_t b) { return (b & 0xffffu) * 0x00010001u; }
static inline uint32_t xp_rep_b(uint32_t b) { return (b & 0xffu) * 0x01010101u; }

/* Lane-wise operation on halfwords / bytes: OP(x, y) gets the lanes as int32
   (signed) or uint32 (unsigned) and returns the new lane. */
#define XP_LANES_H(a, b, get, OP) xp_pack_h((uint32_t)OP(get(a, 1), get(b, 1)), (uint32_t)OP(get(a, 0), get(b, 0)))
#define XP_LANES_B(a, b, get, OP)                                                               \
    xp_pack_b((uint32_t)OP(get(a, 3), get(b, 3)), (uint32_t)OP(get(a, 2), get(b, 2)),           \
              (uint32_t)OP(get(a, 1), get(b, 1)), (uint32_t)OP(get(a, 0), get(b, 0)))

#define XP_ADD(x, y) ((x) + (y))
#define XP_SUB(x, y) ((x) - (y))
#define XP_AVG(x, y) (((x) + (y)) >> 1)
#define XP_MIN(x, y) ((x) < (y) ? (x) : (y))
#define XP_MAX(x, y) ((x) > (y) ? (x) : (y))
#define XP_OR(x, y) ((x) | (y))
#define XP_XOR(x, y) ((x) ^ (y))
#define XP_AND(x, y) ((x) & (y))
#define XP_ABS(x, y) ((void)(y), (x) < 0 ? -(x) : (x))
#define XP_SRA_H(x, y) ((x) >> ((y) & 15))
#define XP_SRL_H(x, y) ((x) >> ((y) & 15))
#define XP_SLL_H(x, y) ((x) << ((y) & 15))
#define XP_SRA_B(x, y) ((x) >> ((y) & 7))
#define XP_SRL_B(x, y) ((x) >> ((y) & 7))
#define XP_SLL_B(x, y) ((x) << ((y) & 7))

/* The lane-wise packed-SIMD operations: xp_pv_<name>_h / _b (a, b). */
#define XP_DEF_LANEWISE(name, OP, GET_H, GET_B)                                            \
    static inline uint32_t xp_pv_##name##_h(uint32_t a, uint32_t b)                         \
    {                                                                                       \
        return XP_LANES_H(a, b, GET_H, OP##_H);                                             \
    }                                                                                       \
    static inline uint32_t xp_pv_##name##_b(uint32_t a, uint32_t b)                         \
    {                                                                                       \
        return XP_LANES_B(a, b, GET_B, OP##_B);                                             \
    }
#define XP_ADD_H XP_ADD
#define XP_ADD_B XP_ADD
#define XP_SUB_H XP_SUB
#define XP_SUB_B XP_SUB
#define XP_AVG_H XP_AVG
#define XP_AVG_B XP_AVG
#define XP_MIN_H XP_MIN
#define XP_MIN_B XP_MIN
#define XP_MAX_H XP_MAX
#define XP_MAX_B XP_MAX
#define XP_OR_H XP_OR
#define XP_OR_B XP_OR
#define XP_XOR_H XP_XOR
#define XP_XOR_B XP_XOR
#define XP_AND_H XP_AND
#define XP_AND_B XP_AND
#define XP_ABS_H XP_ABS
#define XP_ABS_B XP_ABS
XP_DEF_LANEWISE(add, XP_ADD, xp_hu, xp_bu)
XP_DEF_LANEWISE(sub, XP_SUB, xp_hu, xp_bu)
XP_DEF_LANEWISE(avg, XP_AVG, xp_h, xp_b)
XP_DEF_LANEWISE(avgu, XP_AVG, xp_hu, xp_bu)
XP_DEF_LANEWISE(min, XP_MIN, xp_h, xp_b)
XP_DEF_LANEWISE(minu, XP_MIN, xp_hu, xp_bu)
XP_DEF_LANEWISE(max, XP_MAX, xp_h, xp_b)
XP_DEF_LANEWISE(maxu, XP_MAX, xp_hu, xp_bu)
XP_DEF_LANEWISE(or, XP_OR, xp_hu, xp_bu)
XP_DEF_LANEWISE(xor, XP_XOR, xp_hu, xp_bu)
XP_DEF_LANEWISE(and, XP_AND, xp_hu, xp_bu)
XP_DEF_LANEWISE(abs, XP_ABS, xp_h, xp_b)
XP_DEF_LANEWISE(sra, XP_SRA, xp_h, xp_b)
XP_DEF_LANEWISE(srl, XP_SRL, xp_hu, xp_bu)
XP_DEF_LANEWISE(sll, XP_SLL, xp_hu, xp_bu)

/* Dot products: sum of lane products (a's lanes as `ga`, b's as `gb`). */
static inline uint32_t xp_dot_h(int64_t p0, int64_t p1) { return (uint32_t)(p0 + p1); }
#define XP_DOT_H(a, b, ga, gb) xp_dot_h((int64_t)ga(a, 0) * gb(b, 0), (int64_t)ga(a, 1) * gb(b, 1))
#define XP_DOT_B(a, b, ga, gb)                                                     \
    ((uint32_t)(ga(a, 0) * gb(b, 0) + ga(a, 1) * gb(b, 1) + ga(a, 2) * gb(b, 2) + \
                ga(a, 3) * gb(b, 3)))

/* shuffle2: lane i of the result is lane (sel & idx) of rs1 when the lane's
   selector bit is set, else of rd. */
static inline uint32_t xp_shuffle2_h(uint32_t d, uint32_t a, uint32_t s)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 2; i++) {
        uint32_t sel = xp_hu(s, i);
        uint32_t src = (sel & 2) ? a : d;
        r |= xp_hu(src, sel & 1) << (16 * i);
    }
    return r;
}
static inline uint32_t xp_shuffle2_b(uint32_t d, uint32_t a, uint32_t s)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t sel = xp_bu(s, i);
        uint32_t src = (sel & 4) ? a : d;
        r |= xp_bu(src, sel & 3) << (8 * i);
    }
    return r;
}
static inline uint32_t xp_shuffle_h(uint32_t a, uint32_t s)
{
    return xp_pack_h(xp_hu(a, xp_hu(s, 1) & 1), xp_hu(a, xp_hu(s, 0) & 1));
}
static inline uint32_t xp_shuffle_b(uint32_t a, uint32_t s)
{
    return xp_pack_b(xp_bu(a, xp_bu(s, 3) & 3), xp_bu(a, xp_bu(s, 2) & 3),
                     xp_bu(a, xp_bu(s, 1) & 3), xp_bu(a, xp_bu(s, 0) & 3));
}

/* ---- the (a, b, rd) shape the run loop's SIMD forms call ---------------- */

#define XP_DEF3_LANEWISE(name)                                                      \
    static inline uint32_t xp3_##name##_h(uint32_t a, uint32_t b, uint32_t rd)       \
    {                                                                                \
        (void)rd;                                                                    \
        return xp_pv_##name##_h(a, b);                                               \
    }                                                                                \
    static inline uint32_t xp3_##name##_b(uint32_t a, uint32_t b, uint32_t rd)       \
    {                                                                                \
        (void)rd;                                                                    \
        return xp_pv_##name##_b(a, b);                                               \
    }
XP_DEF3_LANEWISE(add)
XP_DEF3_LANEWISE(sub)
XP_DEF3_LANEWISE(avg)
XP_DEF3_LANEWISE(avgu)
XP_DEF3_LANEWISE(min)
XP_DEF3_LANEWISE(minu)
XP_DEF3_LANEWISE(max)
XP_DEF3_LANEWISE(maxu)
XP_DEF3_LANEWISE(or)
XP_DEF3_LANEWISE(xor)
XP_DEF3_LANEWISE(and)
XP_DEF3_LANEWISE(sra)
XP_DEF3_LANEWISE(srl)
XP_DEF3_LANEWISE(sll)

/* Dot products (rd ignored) and sum-of-dot-products (rd + dot). */
#define XP_DEF3_DOT(name, GA_H, GB_H, GA_B, GB_B)                                   \
    static inline uint32_t xp3_##name##_h(uint32_t a, uint32_t b, uint32_t rd)       \
    {                                                                                \
        (void)rd;                                                                    \
        return XP_DOT_H(a, b, GA_H, GB_H);                                           \
    }                                                                                \
    static inline uint32_t xp3_##name##_b(uint32_t a, uint32_t b, uint32_t rd)       \
    {                                                                                \
        (void)rd;                                                                    \
        return XP_DOT_B(a, b, GA_B, GB_B);                                           \
    }                                                                                \
    static inline uint32_t xp3_s##name##_h(uint32_t a, uint32_t b, uint32_t rd)      \
    {                                                                                \
        return rd + XP_DOT_H(a, b, GA_H, GB_H);                                      \
    }                                                                                \
    static inline uint32_t xp3_s##name##_b(uint32_t a, uint32_t b, uint32_t rd)      \
    {                                                                                \
        return rd + XP_DOT_B(a, b, GA_B, GB_B);                                      \
    }
XP_DEF3_DOT(dotup, xp_hu, xp_hu, xp_bu, xp_bu)
XP_DEF3_DOT(dotusp, xp_hu, xp_h, xp_bu, xp_b)

/* dotsp.b is the int8 kernels' workhorse: on x86 hosts, sign-extend the
   bytes to 16-bit lanes and multiply-add them with SSE2 (half the host
   instructions of four scalar products); the result is the same. */
#if defined(__SSE2__)
#include <emmintrin.h>
static inline uint32_t xp_dotsp_b_fast(uint32_t a, uint32_t b)
{
    __m128i va = _mm_cvtsi32_si128((int)a), vb = _mm_cvtsi32_si128((int)b);
    va = _mm_srai_epi16(_mm_unpacklo_epi8(va, va), 8);
    vb = _mm_srai_epi16(_mm_unpacklo_epi8(vb, vb), 8);
    __m128i p = _mm_madd_epi16(va, vb); /* a0 b0 + a1 b1, a2 b2 + a3 b3 */
    return (uint32_t)_mm_cvtsi128_si32(p) + (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(p, 4));
}
#else
static inline uint32_t xp_dotsp_b_fast(uint32_t a, uint32_t b) { return XP_DOT_B(a, b, xp_b, xp_b); }
#endif
static inline uint32_t xp3_dotsp_h(uint32_t a, uint32_t b, uint32_t rd)
{
    (void)rd;
    return XP_DOT_H(a, b, xp_h, xp_h);
}
static inline uint32_t xp3_dotsp_b(uint32_t a, uint32_t b, uint32_t rd)
{
    (void)rd;
    return xp_dotsp_b_fast(a, b);
}
static inline uint32_t xp3_sdotsp_h(uint32_t a, uint32_t b, uint32_t rd)
{
    return rd + XP_DOT_H(a, b, xp_h, xp_h);
}
static inline uint32_t xp3_sdotsp_b(uint32_t a, uint32_t b, uint32_t rd)
{
    return rd + xp_dotsp_b_fast(a, b);
}

#endif
