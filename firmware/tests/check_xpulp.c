/*
 * Xpulpv2 from C (firmware/include/xpulp.h) on the simulator: every
 * wrapper against a plain-C reference over corner inputs, hardware loops
 * written in asm (counts 1, 5, 1000; two nested levels; lp.setupi; a
 * post-increment dot-product loop) with the hardware-loop iteration
 * counter. Exit code 0 and "PASS", or the number of the first failing check.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/perf.h"
#include "xpulp.h"

static int failed;

static void check(int number, const char *what, uint32_t got, uint32_t want)
{
    if (got != want && !failed) {
        printf("FAIL %d %s: got 0x%08lx, expected 0x%08lx\n", number, what, (unsigned long)got,
               (unsigned long)want);
        failed = number;
    }
}

static int32_t lane_b(uint32_t v, int i) { return (int8_t)(v >> (8 * i)); }
static uint32_t lane_bu(uint32_t v, int i) { return (uint8_t)(v >> (8 * i)); }
static int32_t lane_h(uint32_t v, int i) { return (int16_t)(v >> (16 * i)); }

static const uint32_t inputs[] = {0, 1, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80808080u,
                                  0x7f7f7f7fu, 0x01ff7f80u, 0x12345678u, 0xdeadbeefu};
#define NIN (sizeof inputs / sizeof inputs[0])

static void check_alu(void)
{
    for (unsigned i = 0; i < NIN; i++) {
        for (unsigned j = 0; j < NIN; j++) {
            uint32_t a = inputs[i], b = inputs[j];
            int32_t sa = (int32_t)a, sb = (int32_t)b;
            check(1, "p.mac", (uint32_t)xp_mac(7, sa, sb), 7u + a * b);
            check(2, "p.msu", (uint32_t)xp_msu(7, sa, sb), 7u - a * b);
            check(3, "p.min", (uint32_t)xp_min(sa, sb), (uint32_t)(sa < sb ? sa : sb));
            check(4, "p.max", (uint32_t)xp_max(sa, sb), (uint32_t)(sa > sb ? sa : sb));
            check(5, "p.minu", xp_minu(a, b), a < b ? a : b);
            check(6, "p.maxu", xp_maxu(a, b), a > b ? a : b);
            check(7, "p.ror", xp_ror(a, b), (b & 31) ? (a >> (b & 31)) | (a << (32 - (b & 31))) : a);
            int32_t bound = (int32_t)(b & 0xffff);
            int32_t lo = -bound - 1;
            check(8, "p.clipr", (uint32_t)xp_clipr(sa, bound),
                  (uint32_t)(sa < lo ? lo : sa > bound ? bound : sa));
            check(9, "p.clipur", (uint32_t)xp_clipur(sa, bound),
                  (uint32_t)(sa < 0 ? 0 : sa > bound ? bound : sa));
            /* Packed SIMD against lane-by-lane C. */
            int32_t dot = 0, dotu = 0, doth = 0;
            uint32_t add = 0, sub = 0, mx = 0, mn = 0;
            for (int l = 0; l < 4; l++) {
                dot += lane_b(a, l) * lane_b(b, l);
                dotu += (int32_t)lane_bu(a, l) * lane_b(b, l);
                add |= ((lane_bu(a, l) + lane_bu(b, l)) & 0xffu) << (8 * l);
                sub |= ((lane_bu(a, l) - lane_bu(b, l)) & 0xffu) << (8 * l);
                int32_t x = lane_b(a, l), y = lane_b(b, l);
                mx |= ((uint32_t)(x > y ? x : y) & 0xffu) << (8 * l);
                mn |= ((uint32_t)(x < y ? x : y) & 0xffu) << (8 * l);
            }
            for (int l = 0; l < 2; l++)
                doth += lane_h(a, l) * lane_h(b, l);
            uint32_t sdotup = 3;
            for (int l = 0; l < 4; l++)
                sdotup += lane_bu(a, l) * lane_bu(b, l);
            check(10, "pv.sdotsp.b", (uint32_t)xp_sdotsp_b(-5, a, b), (uint32_t)(dot - 5));
            check(11, "pv.dotsp.b", (uint32_t)xp_dotsp_b(a, b), (uint32_t)dot);
            check(12, "pv.sdotusp.b", (uint32_t)xp_sdotusp_b(9, a, b), (uint32_t)(dotu + 9));
            check(13, "pv.sdotup.b", xp_sdotup_b(3, a, b), sdotup);
            check(14, "pv.sdotsp.h", (uint32_t)xp_sdotsp_h(1, a, b), (uint32_t)doth + 1u);
            check(15, "pv.dotsp.h", (uint32_t)xp_dotsp_h(a, b), (uint32_t)doth);
            check(16, "pv.add.b", xp_add_b(a, b), add);
            check(17, "pv.sub.b", xp_sub_b(a, b), sub);
            check(18, "pv.max.b", xp_max_b(a, b), mx);
            check(19, "pv.min.b", xp_min_b(a, b), mn);
            check(20, "pv.add.h", xp_add_h(a, b),
                  (((a >> 16) + (b >> 16)) << 16) | ((a + b) & 0xffffu));
            check(21, "pv.pack.h", xp_pack_h(a, b), (a << 16) | (b & 0xffffu));
            check(22, "pv.packhi.b", xp_packhi_b(0x11223344u, a, b),
                  (a & 0xffu) << 24 | (b & 0xffu) << 16 | 0x3344u);
            check(23, "pv.packlo.b", xp_packlo_b(0x11223344u, a, b),
                  0x11220000u | (a & 0xffu) << 8 | (b & 0xffu));
        }
        uint32_t a = inputs[i];
        int32_t sa = (int32_t)a;
        check(30, "p.abs", (uint32_t)xp_abs(sa), sa < 0 ? 0u - a : a);
        check(31, "p.exths", (uint32_t)xp_exths(a), (uint32_t)(int32_t)(int16_t)a);
        check(32, "p.exthz", xp_exthz(a), a & 0xffffu);
        check(33, "p.extbs", (uint32_t)xp_extbs(a), (uint32_t)(int32_t)(int8_t)a);
        check(34, "p.extbz", xp_extbz(a), a & 0xffu);
        check(35, "p.cnt", xp_cnt(a), (uint32_t)__builtin_popcount(a));
        check(36, "p.ff1", xp_ff1(a), a ? (uint32_t)__builtin_ctz(a) : 32u);
        check(37, "p.fl1", xp_fl1(a), a ? 31u - (uint32_t)__builtin_clz(a) : 32u);
        check(38, "p.clb", xp_clb(a), a ? (uint32_t)__builtin_clrsb(sa) : 0u);
        check(39, "p.clip 8", (uint32_t)xp_clip(sa, 8), (uint32_t)(sa < -128 ? -128 : sa > 127 ? 127 : sa));
        check(40, "p.clipu 9", (uint32_t)xp_clipu(sa, 9), (uint32_t)(sa < 0 ? 0 : sa > 255 ? 255 : sa));
        check(41, "pv.sra.h", xp_sra_h(a, 0x00030011u),
              ((uint32_t)(lane_h(a, 1) >> 3) << 16) | ((uint32_t)(lane_h(a, 0) >> 1) & 0xffffu));
        /* shuffle2.b with selectors 4 (a lane 0), 1 (d lane 1), 7 (a lane 3), 2 (d lane 2). */
        uint32_t d = 0x44332211u;
        check(42, "pv.shuffle2.b", xp_shuffle2_b(d, a, 0x04010702u),
              lane_bu(a, 0) << 24 | 0x22u << 16 | lane_bu(a, 3) << 8 | 0x33u);
    }
}

/* Post-increment and register-offset loads and stores. */
static int8_t buf[64] __attribute__((aligned(4)));

static void check_memory(void)
{
    for (int i = 0; i < 64; i++)
        buf[i] = (int8_t)(i * 7 - 100);
    const void *p = buf;
    uint32_t w = xp_lw_pi(&p);
    int32_t h = xp_lh_pi(&p);
    int32_t b = xp_lb_pi(&p);
    uint32_t bu = xp_lbu_pi(&p);
    check(50, "p.lw post-inc", w, *(uint32_t *)buf);
    check(51, "p.lh post-inc", (uint32_t)h, (uint32_t)(int32_t) * (int16_t *)(buf + 4));
    check(52, "p.lb post-inc", (uint32_t)b, (uint32_t)(int32_t)buf[6]);
    check(53, "p.lbu post-inc", bu, (uint8_t)buf[7]);
    check(54, "post-inc pointer", (uint32_t)(uintptr_t)p, (uint32_t)(uintptr_t)(buf + 8));
    uint32_t r = xp_lw_pr(&p, 12);
    check(55, "p.lw reg post-inc", r, *(uint32_t *)(buf + 8));
    check(56, "reg post-inc pointer", (uint32_t)(uintptr_t)p, (uint32_t)(uintptr_t)(buf + 20));
    check(57, "p.lw reg-reg", xp_lw_rr(buf, 24), *(uint32_t *)(buf + 24));
    void *q = buf + 32;
    xp_sw_pi(&q, 0xa1b2c3d4u);
    xp_sh_pi(&q, 0x5566u);
    xp_sb_pi(&q, 0x77u);
    xp_sb_pi(&q, 0x88u);
    xp_sw_rr(buf, 40, 0xcafef00du);
    check(58, "p.sw post-inc", *(uint32_t *)(buf + 32), 0xa1b2c3d4u);
    check(59, "p.sh/p.sb post-inc", *(uint32_t *)(buf + 36), 0x88775566u);
    check(60, "store pointer", (uint32_t)(uintptr_t)q, (uint32_t)(uintptr_t)(buf + 40));
    check(61, "p.sw reg-reg", *(uint32_t *)(buf + 40), 0xcafef00du);
}

/* sum += 3 in a hardware loop of `n` iterations (n >= 1). */
static uint32_t loop_add(uint32_t n)
{
    uint32_t sum = 0, other = 0;
    __asm__ volatile(XP_ASM_BEGIN
                     XP_LP_SETUP(0, "%[n]", 2)
                     "addi %[sum], %[sum], 1\n"
                     "addi %[sum], %[sum], 2\n"
                     XP_ASM_END
                     "addi %[other], %[sum], 0\n"
                     : [sum] "+r"(sum), [other] "+r"(other)
                     : [n] "r"(n));
    return sum + (other != sum); /* other copies sum once, after the loop */
}

/* Two levels: outer (loop 1) `o` times around an inner loop (loop 0) of
   `i` iterations; returns inner * 1000 + outer body counts. */
static uint32_t nested(uint32_t o, uint32_t i)
{
    uint32_t inner = 0, outer = 0;
    __asm__ volatile(XP_ASM_BEGIN
                     XP_LP_SETUP(1, "%[o]", 4)
                     XP_LP_SETUP(0, "%[i]", 1)
                     "addi %[inner], %[inner], 1\n"
                     "nop\n"
                     "addi %[outer], %[outer], 1\n"
                     XP_ASM_END
                     : [inner] "+r"(inner), [outer] "+r"(outer)
                     : [o] "r"(o), [i] "r"(i));
    return inner * 1000u + outer;
}

static uint32_t setupi_loop(void)
{
    uint32_t sum = 0;
    __asm__ volatile(XP_ASM_BEGIN
                     XP_LP_SETUPI(0, 100, 4) /* 2 instructions, 100 times */
                     "addi %[sum], %[sum], 1\n"
                     "addi %[sum], %[sum], 1\n"
                     XP_ASM_END
                     : [sum] "+r"(sum));
    return sum;
}

static int8_t va[256] __attribute__((aligned(4))), vb[256] __attribute__((aligned(4)));

static void check_loops(void)
{
    struct rt_perf before, after;
    rt_perf_read(&before);
    check(70, "loop of 1", loop_add(1), 3);
    check(71, "loop of 5", loop_add(5), 15);
    check(72, "loop of 1000", loop_add(1000), 3000);
    rt_perf_read(&after);
    check(73, "iterations of 1 + 5 + 1000", after.hwloop_iterations - before.hwloop_iterations,
          0 + 4 + 999);
    check(74, "nested 3 x 4", nested(3, 4), 12 * 1000 + 3);
    check(75, "nested 1 x 1", nested(1, 1), 1 * 1000 + 1);
    check(76, "lp.setupi", setupi_loop(), 200);

    /* A dot product with post-increment loads in a loop vs plain C. */
    for (int i = 0; i < 256; i++) {
        va[i] = (int8_t)(i * 37 + 11);
        vb[i] = (int8_t)(i * 101 - 7);
    }
    int32_t ref = 0;
    for (int i = 0; i < 256; i++)
        ref += va[i] * vb[i];
    int32_t acc = 0;
    const void *pa = va, *pb = vb;
    uint32_t n = 64;
    __asm__ volatile(XP_ASM_BEGIN
                     XP_LP_SETUP(0, "%[n]", 3)
                     ".insn i 0x0B, 2, t0, %[pa], 4\n"
                     ".insn i 0x0B, 2, t1, %[pb], 4\n"
                     ".insn r 0x57, 1, 0x5C, %[acc], t0, t1\n"
                     XP_ASM_END
                     : [acc] "+r"(acc), [pa] "+r"(pa), [pb] "+r"(pb)
                     : [n] "r"(n)
                     : "t0", "t1", "memory");
    check(77, "dot product loop", (uint32_t)acc, (uint32_t)ref);
    check(78, "pointers after the loop", (uint32_t)((uintptr_t)pa - (uintptr_t)va), 256);
}

int main(void)
{
    printf("check_xpulp\n");
    check_alu();
    check_memory();
    check_loops();
    if (failed)
        return failed;
    printf("PASS\n");
    return 0;
}
