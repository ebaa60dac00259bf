/*
 * Xpulpv2 for stock GCC: the PULP extensions of the Ortigia cores (legacy
 * RI5CY / CV32E40P v1 encoding, as the simulator decodes them) as inline
 * functions built on the assembler's `.insn` directive, so no PULP
 * toolchain is needed.
 *
 *   int32_t acc = xp_sdotsp_b(acc, a, b);   // acc += a.b (4 x int8)
 *   uint32_t v = xp_lw_pi(&p, 4);           // v = *p; p += 4 bytes
 *
 * Hardware loops need the loop body in the same asm block as the setup
 * (the end address is the body's last instruction): use XP_LP_SETUP in an
 * asm string between XP_ASM_BEGIN and XP_ASM_END, which word-align the
 * block and make every instruction in it 4 bytes (`.option norvc`):
 *
 *   __asm__ volatile(XP_ASM_BEGIN
 *                    XP_LP_SETUP(0, "%[n]", 2)   // body: the next 2 instructions
 *                    "...\n" "...\n"
 *                    XP_ASM_END : ... : [n] "r"(count));
 *
 * Encodings: opcode 0x57 packed SIMD (funct6 << 1 in funct7, funct3 form:
 * 0 .h, 1 .b, 4 .sc.h, 5 .sc.b, 6 .sci.h, 7 .sci.b), 0x0B post-increment
 * loads, 0x2B post-increment stores, 0x7B hardware loops, 0x33 ALU
 * extensions. See models/core/xpulp_table.h.
 */
#ifndef ORTIGIA_XPULP_H
#define ORTIGIA_XPULP_H

#include <stdint.h>

#define XP_INLINE static inline __attribute__((always_inline))

/* ---- hardware loops (for asm strings) ---------------------------------- */

/* Around an asm block with a hardware loop: word-aligned (the alignment
   is lost otherwise, as the design notes say), no compressed instructions. */
#define XP_ASM_BEGIN ".balign 4\n.option push\n.option norvc\n"
#define XP_ASM_END ".option pop\n"

/* lp.setup L, reg, end: count from `reg`, body = the next `n` 4-byte
   instructions (end = this instruction + 4 * n). */
#define XP_LP_SETUP(L, reg, n) ".insn i 0x7B, 4, x" #L ", " reg ", 2*" #n "\n"
/* lp.setupi L, count, end: count a constant 0..4095; the end is
   `halfwords` (a literal 2..31: twice the number of 4-byte instructions of
   the body) after this instruction. The 5-bit offset sits in rs1's field,
   hence the register-name spelling. */
#define XP_LP_SETUPI(L, count, halfwords) ".insn i 0x7B, 5, x" #L ", x" #halfwords ", " #count "\n"

/* Hardware-loop CSRs (PULP SDK / GVSoC numbering), read/write. */
#define XP_CSR_LPSTART0 0x800
#define XP_CSR_LPEND0 0x801
#define XP_CSR_LPCOUNT0 0x802
#define XP_CSR_LPSTART1 0x804
#define XP_CSR_LPEND1 0x805
#define XP_CSR_LPCOUNT1 0x806

/* ---- post-increment loads and stores ------------------------------------ */

/* v = *(*p); *p += sizeof v (p.lw / p.lh / p.lb ... rd, imm(rs1!)). */
XP_INLINE uint32_t xp_lw_pi(const void **p)
{
    uint32_t v;
    __asm__ volatile(".insn i 0x0B, 2, %0, %1, 4" : "=r"(v), "+r"(*p) : : "memory");
    return v;
}
XP_INLINE int32_t xp_lh_pi(const void **p)
{
    int32_t v;
    __asm__ volatile(".insn i 0x0B, 1, %0, %1, 2" : "=r"(v), "+r"(*p) : : "memory");
    return v;
}
XP_INLINE int32_t xp_lb_pi(const void **p)
{
    int32_t v;
    __asm__ volatile(".insn i 0x0B, 0, %0, %1, 1" : "=r"(v), "+r"(*p) : : "memory");
    return v;
}
XP_INLINE uint32_t xp_lbu_pi(const void **p)
{
    uint32_t v;
    __asm__ volatile(".insn i 0x0B, 4, %0, %1, 1" : "=r"(v), "+r"(*p) : : "memory");
    return v;
}
/* v = *(*p); *p += inc (register post-increment, p.lw rd, rs2(rs1!)). */
XP_INLINE uint32_t xp_lw_pr(const void **p, int32_t inc)
{
    uint32_t v;
    __asm__ volatile(".insn r 0x0B, 7, 0x10, %0, %1, %2" : "=r"(v), "+r"(*p) : "r"(inc) : "memory");
    return v;
}
/* v = *(p + off) (register-register, p.lw rd, rs2(rs1)). */
XP_INLINE uint32_t xp_lw_rr(const void *p, int32_t off)
{
    uint32_t v;
    __asm__ volatile(".insn r 0x03, 7, 0x10, %0, %1, %2" : "=r"(v) : "r"(p), "r"(off) : "memory");
    return v;
}
/* *(*p) = v; *p += 4 / 2 / 1 (p.sw / p.sh / p.sb rs2, imm(rs1!)). */
XP_INLINE void xp_sw_pi(void **p, uint32_t v)
{
    __asm__ volatile(".insn s 0x2B, 2, %1, 4(%0)" : "+r"(*p) : "r"(v) : "memory");
}
XP_INLINE void xp_sh_pi(void **p, uint32_t v)
{
    __asm__ volatile(".insn s 0x2B, 1, %1, 2(%0)" : "+r"(*p) : "r"(v) : "memory");
}
XP_INLINE void xp_sb_pi(void **p, uint32_t v)
{
    __asm__ volatile(".insn s 0x2B, 0, %1, 1(%0)" : "+r"(*p) : "r"(v) : "memory");
}
/* *(p + off) = v (register-register, p.sw rs2, rs3(rs1); rs3 in rd's field). */
XP_INLINE void xp_sw_rr(void *p, int32_t off, uint32_t v)
{
    __asm__ volatile(".insn r 0x23, 6, 0, %2, %0, %1" : : "r"(p), "r"(v), "r"(off) : "memory");
}

/* ---- scalar ALU --------------------------------------------------------- */

#define XP_R(f7, f3, a, b)                                                             \
    ({                                                                                 \
        uint32_t r_;                                                                   \
        __asm__(".insn r 0x33, " #f3 ", " #f7 ", %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); \
        r_;                                                                            \
    })
#define XP_R1(f7, f3, a)                                                               \
    ({                                                                                 \
        uint32_t r_;                                                                   \
        __asm__(".insn r 0x33, " #f3 ", " #f7 ", %0, %1, x0" : "=r"(r_) : "r"(a));     \
        r_;                                                                            \
    })

XP_INLINE int32_t xp_mac(int32_t acc, int32_t a, int32_t b)
{
    __asm__(".insn r 0x33, 0, 0x21, %0, %1, %2" : "+r"(acc) : "r"(a), "r"(b));
    return acc;
}
XP_INLINE int32_t xp_msu(int32_t acc, int32_t a, int32_t b)
{
    __asm__(".insn r 0x33, 1, 0x21, %0, %1, %2" : "+r"(acc) : "r"(a), "r"(b));
    return acc;
}
XP_INLINE int32_t xp_abs(int32_t a) { return (int32_t)XP_R1(0x02, 0, a); }
XP_INLINE int32_t xp_min(int32_t a, int32_t b) { return (int32_t)XP_R(0x02, 4, a, b); }
XP_INLINE uint32_t xp_minu(uint32_t a, uint32_t b) { return XP_R(0x02, 5, a, b); }
XP_INLINE int32_t xp_max(int32_t a, int32_t b) { return (int32_t)XP_R(0x02, 6, a, b); }
XP_INLINE uint32_t xp_maxu(uint32_t a, uint32_t b) { return XP_R(0x02, 7, a, b); }
XP_INLINE int32_t xp_exths(uint32_t a) { return (int32_t)XP_R1(0x08, 4, a); }
XP_INLINE uint32_t xp_exthz(uint32_t a) { return XP_R1(0x08, 5, a); }
XP_INLINE int32_t xp_extbs(uint32_t a) { return (int32_t)XP_R1(0x08, 6, a); }
XP_INLINE uint32_t xp_extbz(uint32_t a) { return XP_R1(0x08, 7, a); }
XP_INLINE uint32_t xp_cnt(uint32_t a) { return XP_R1(0x08, 3, a); }
XP_INLINE uint32_t xp_ff1(uint32_t a) { return XP_R1(0x08, 0, a); }
XP_INLINE uint32_t xp_fl1(uint32_t a) { return XP_R1(0x08, 1, a); }
XP_INLINE uint32_t xp_clb(uint32_t a) { return XP_R1(0x08, 2, a); }
XP_INLINE uint32_t xp_ror(uint32_t a, uint32_t b) { return XP_R(0x04, 5, a, b); }
/* Clip to [-(b+1), b] / [0, b]. */
XP_INLINE int32_t xp_clipr(int32_t a, int32_t b) { return (int32_t)XP_R(0x0A, 5, a, b); }
XP_INLINE int32_t xp_clipur(int32_t a, int32_t b) { return (int32_t)XP_R(0x0A, 6, a, b); }
/* p.clip rd, rs1, n: clip to [-2^(n-1), 2^(n-1) - 1]; n a constant 0..31
   (it sits in the rs2 field: written as register name x<n>). */
#define xp_clip(a, n)                                                                   \
    ({                                                                                  \
        int32_t r_;                                                                     \
        __asm__(".insn r 0x33, 1, 0x0A, %0, %1, x%2" : "=r"(r_) : "r"(a), "i"(n));      \
        r_;                                                                             \
    })
#define xp_clipu(a, n)                                                                  \
    ({                                                                                  \
        int32_t r_;                                                                     \
        __asm__(".insn r 0x33, 2, 0x0A, %0, %1, x%2" : "=r"(r_) : "r"(a), "i"(n));      \
        r_;                                                                             \
    })

/* ---- packed SIMD -------------------------------------------------------- */

/* Lane-wise and dot-product forms: f6 the operation, form 0 .h, 1 .b,
   4 .sc.h, 5 .sc.b. */
#define XP_PV(f6, form, a, b)                                                          \
    ({                                                                                 \
        uint32_t r_;                                                                   \
        __asm__(".insn r 0x57, " #form ", 2*" #f6 ", %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); \
        r_;                                                                            \
    })
/* Forms that also read rd (sdot*, shuffle2, packhi/lo). */
#define XP_PV_ACC(f6, form, acc, a, b)                                                 \
    ({                                                                                 \
        uint32_t r_ = (acc);                                                           \
        __asm__(".insn r 0x57, " #form ", 2*" #f6 ", %0, %1, %2" : "+r"(r_) : "r"(a), "r"(b)); \
        r_;                                                                            \
    })

#define XP_F6_ADD 0x00
#define XP_F6_SUB 0x02
#define XP_F6_AVG 0x04
#define XP_F6_AVGU 0x06
#define XP_F6_MIN 0x08
#define XP_F6_MINU 0x0A
#define XP_F6_MAX 0x0C
#define XP_F6_MAXU 0x0E
#define XP_F6_SRL 0x10
#define XP_F6_SRA 0x12
#define XP_F6_SLL 0x14
#define XP_F6_OR 0x16
#define XP_F6_XOR 0x18
#define XP_F6_AND 0x1A
#define XP_F6_ABS 0x1C
#define XP_F6_DOTUP 0x20
#define XP_F6_DOTUSP 0x22
#define XP_F6_DOTSP 0x26
#define XP_F6_SDOTUP 0x28
#define XP_F6_SDOTUSP 0x2A
#define XP_F6_SDOTSP 0x2E
#define XP_F6_SHUFFLE 0x30
#define XP_F6_SHUFFLE2 0x32
#define XP_F6_PACK 0x34
#define XP_F6_PACKHI 0x36
#define XP_F6_PACKLO 0x38

/* acc + a.b over 4 int8 lanes (sdotsp), 4 uint8 x int8 (sdotusp),
   4 uint8 (sdotup), 2 int16 (sdotsp.h). */
XP_INLINE int32_t xp_sdotsp_b(int32_t acc, uint32_t a, uint32_t b)
{
    return (int32_t)XP_PV_ACC(0x2E, 1, (uint32_t)acc, a, b);
}
XP_INLINE int32_t xp_sdotusp_b(int32_t acc, uint32_t a, uint32_t b)
{
    return (int32_t)XP_PV_ACC(0x2A, 1, (uint32_t)acc, a, b);
}
XP_INLINE uint32_t xp_sdotup_b(uint32_t acc, uint32_t a, uint32_t b)
{
    return XP_PV_ACC(0x28, 1, acc, a, b);
}
XP_INLINE int32_t xp_sdotsp_h(int32_t acc, uint32_t a, uint32_t b)
{
    return (int32_t)XP_PV_ACC(0x2E, 0, (uint32_t)acc, a, b);
}
XP_INLINE int32_t xp_dotsp_b(uint32_t a, uint32_t b) { return (int32_t)XP_PV(0x26, 1, a, b); }
XP_INLINE int32_t xp_dotsp_h(uint32_t a, uint32_t b) { return (int32_t)XP_PV(0x26, 0, a, b); }
XP_INLINE uint32_t xp_add_b(uint32_t a, uint32_t b) { return XP_PV(0x00, 1, a, b); }
XP_INLINE uint32_t xp_add_h(uint32_t a, uint32_t b) { return XP_PV(0x00, 0, a, b); }
XP_INLINE uint32_t xp_sub_b(uint32_t a, uint32_t b) { return XP_PV(0x02, 1, a, b); }
XP_INLINE uint32_t xp_max_b(uint32_t a, uint32_t b) { return XP_PV(0x0C, 1, a, b); }
XP_INLINE uint32_t xp_min_b(uint32_t a, uint32_t b) { return XP_PV(0x08, 1, a, b); }
XP_INLINE uint32_t xp_sra_h(uint32_t a, uint32_t b) { return XP_PV(0x12, 0, a, b); }
/* {a.h0, b.h0} as {hi, lo}; bytes a.b0 b.b0 into rd's high / low half. */
XP_INLINE uint32_t xp_pack_h(uint32_t a, uint32_t b) { return XP_PV(0x34, 0, a, b); }
XP_INLINE uint32_t xp_packhi_b(uint32_t d, uint32_t a, uint32_t b) { return XP_PV_ACC(0x36, 1, d, a, b); }
XP_INLINE uint32_t xp_packlo_b(uint32_t d, uint32_t a, uint32_t b) { return XP_PV_ACC(0x38, 1, d, a, b); }
XP_INLINE uint32_t xp_shuffle2_b(uint32_t d, uint32_t a, uint32_t sel) { return XP_PV_ACC(0x32, 1, d, a, sel); }

#endif
