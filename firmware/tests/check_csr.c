/*
 * Self-checking test of the machine-mode CSRs (Ortigia only): identity
 * registers, the cycle and retired-instruction counters (monotonic, exact
 * enough over straight-line code, writable), mscratch and the
 * csrrw/csrrs/csrrc family with register and immediate operands, mstatus.
 * Exit code 0 and "PASS" on success; otherwise the number of the first
 * failing check, with a line saying what failed.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/rt.h"

#define CSR_READ(name)                                                                             \
    ({                                                                                             \
        uint32_t v_;                                                                               \
        __asm__ volatile("csrr %0, " #name : "=r"(v_));                                            \
        v_;                                                                                        \
    })
#define CSR_WRITE(name, val) __asm__ volatile("csrw " #name ", %0" ::"r"((uint32_t)(val)))

/* misa: MXL = 1 (XLEN 32) and the extensions A, C, I, M, X (Xpulpv2). */
#define MISA_EXT(c) (1u << ((c) - 'A'))
#define EXPECTED_MISA ((1u << 30) | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('X'))

#define NOPS 64
#define STR_(x) #x
#define STR(x) STR_(x)

static int fail(int check, const char *what, uint32_t got, uint32_t want)
{
    printf("FAIL check %d: %s: got 0x%08x, expected 0x%08x\n", check, what, (unsigned)got,
           (unsigned)want);
    return check;
}

/* 64-bit counter reads, retried if the high half changed in between. */
static uint64_t read_mcycle64(void)
{
    uint32_t hi, lo, hi2;
    do {
        hi = CSR_READ(mcycleh);
        lo = CSR_READ(mcycle);
        hi2 = CSR_READ(mcycleh);
    } while (hi != hi2);
    return (uint64_t)hi << 32 | lo;
}

static uint64_t read_minstret64(void)
{
    uint32_t hi, lo, hi2;
    do {
        hi = CSR_READ(minstreth);
        lo = CSR_READ(minstret);
        hi2 = CSR_READ(minstreth);
    } while (hi != hi2);
    return (uint64_t)hi << 32 | lo;
}

static volatile uint32_t sink;

static int run(void)
{
    /* 1: the single core is hart 0. */
    uint32_t hartid = rt_core_id();
    if (hartid != 0)
        return fail(1, "mhartid", hartid, 0);

    /* 2: misa reports RV32 with exactly A, C, I and M. */
    uint32_t misa = CSR_READ(misa);
    if (misa != EXPECTED_MISA)
        return fail(2, "misa", misa, EXPECTED_MISA);
    /* misa is writable without a trap (WARL); writing its own value back
     * must change nothing. */
    CSR_WRITE(misa, misa);
    if (CSR_READ(misa) != EXPECTED_MISA)
        return fail(2, "misa after writing it back", CSR_READ(misa), EXPECTED_MISA);

    /* 3: mcycle never goes backwards and advances over a busy loop. */
    uint64_t prev = read_mcycle64();
    uint64_t first = prev;
    for (int i = 0; i < 50; i++) {
        for (int j = 0; j < i; j++)
            sink += (uint32_t)j;
        uint64_t now = read_mcycle64();
        if (now < prev)
            return fail(3, "mcycle went backwards (low halves)", (uint32_t)now, (uint32_t)prev);
        prev = now;
    }
    if (prev - first < 1000)
        return fail(3, "mcycle advance over 50 loops (>= 1000)", (uint32_t)(prev - first), 1000);

    /* 4: minstret likewise. */
    prev = read_minstret64();
    first = prev;
    for (int i = 0; i < 50; i++) {
        for (int j = 0; j < i; j++)
            sink += (uint32_t)j;
        uint64_t now = read_minstret64();
        if (now < prev)
            return fail(4, "minstret went backwards (low halves)", (uint32_t)now, (uint32_t)prev);
        prev = now;
    }
    if (prev - first < 1000)
        return fail(4, "minstret advance over 50 loops (>= 1000)", (uint32_t)(prev - first),
                    1000);

    /* 5: NOPS nops between two reads retire NOPS instructions, plus at
     * most a few for the reads themselves. */
    uint32_t i0, i1;
    __asm__ volatile("csrr %0, minstret\n"
                     ".rept " STR(NOPS) "\n"
                     "nop\n"
                     ".endr\n"
                     "csrr %1, minstret\n"
                     : "=&r"(i0), "=r"(i1));
    uint32_t idelta = i1 - i0;
    printf("minstret delta over %d nops: %u\n", NOPS, (unsigned)idelta);
    if (idelta < NOPS || idelta >= NOPS + 8)
        return fail(5, "minstret delta over 64 nops (64..71)", idelta, NOPS);

    /* The assembler made those c.nop; the same with 32-bit nops, then a
     * counted loop (1 li + 2 per iteration). */
    __asm__ volatile("csrr %0, minstret\n"
                     ".option push\n"
                     ".option norvc\n"
                     ".rept 32\n"
                     "nop\n"
                     ".endr\n"
                     ".option pop\n"
                     "csrr %1, minstret\n"
                     : "=&r"(i0), "=r"(i1));
    idelta = i1 - i0;
    if (idelta < 32 || idelta >= 32 + 8)
        return fail(5, "minstret delta over 32 32-bit nops (32..39)", idelta, 32);
    uint32_t tmp;
    __asm__ volatile("csrr %0, minstret\n"
                     "li %2, 100\n"
                     "1: addi %2, %2, -1\n"
                     "bnez %2, 1b\n"
                     "csrr %1, minstret\n"
                     : "=&r"(i0), "=r"(i1), "=&r"(tmp));
    idelta = i1 - i0;
    printf("minstret delta over a 100-iteration loop: %u\n", (unsigned)idelta);
    if (idelta < 201 || idelta >= 201 + 8)
        return fail(5, "minstret delta over a 100-iteration loop (201..208)", idelta, 201);

    /* 6: the nops take at least one cycle each. */
    uint32_t c0, c1;
    __asm__ volatile("csrr %0, mcycle\n"
                     ".rept " STR(NOPS) "\n"
                     "nop\n"
                     ".endr\n"
                     "csrr %1, mcycle\n"
                     : "=&r"(c0), "=r"(c1));
    uint32_t cdelta = c1 - c0;
    printf("mcycle delta over %d nops: %u\n", NOPS, (unsigned)cdelta);
    if (cdelta < NOPS || cdelta > 100u * NOPS)
        return fail(6, "mcycle delta over 64 nops (>= 64)", cdelta, NOPS);

    /* 7: the unprivileged aliases cycle/instret follow mcycle/minstret. */
    uint32_t m0 = CSR_READ(mcycle);
    uint32_t u = CSR_READ(cycle);
    uint32_t m1 = CSR_READ(mcycle);
    if (u - m0 > m1 - m0)
        return fail(7, "cycle between two mcycle reads", u, m0);
    m0 = CSR_READ(minstret);
    u = CSR_READ(instret);
    m1 = CSR_READ(minstret);
    if (u - m0 > m1 - m0 || m1 - m0 < 2)
        return fail(7, "instret between two minstret reads", u, m0);
    if (CSR_READ(cycleh) != CSR_READ(mcycleh) || CSR_READ(instreth) != CSR_READ(minstreth))
        return fail(7, "cycleh/instreth equal mcycleh/minstreth", CSR_READ(cycleh),
                    CSR_READ(mcycleh));

    /* 8: mscratch holds whatever is written. */
    static const uint32_t patterns[] = {0, 0xffffffffu, 0xdeadbeefu, 0x12345678u, 0x80000001u,
                                        0x55555555u, 0xaaaaaaaau, 1};
    for (unsigned k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
        CSR_WRITE(mscratch, patterns[k]);
        uint32_t v = CSR_READ(mscratch);
        if (v != patterns[k])
            return fail(8, "mscratch read back", v, patterns[k]);
    }

    /* 9: csrrw/csrrs/csrrc return the old value and write, set, clear;
     * the immediate forms too; rs1 = x0 / uimm = 0 leave it unchanged. */
    uint32_t old;
    CSR_WRITE(mscratch, 0x0f0f0f0fu);
    __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0x12340000u));
    if (old != 0x0f0f0f0fu)
        return fail(9, "csrrw old value", old, 0x0f0f0f0fu);
    __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x000000ffu));
    if (old != 0x12340000u || CSR_READ(mscratch) != 0x123400ffu)
        return fail(9, "csrrs set bits", CSR_READ(mscratch), 0x123400ffu);
    __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x1200000fu));
    if (old != 0x123400ffu || CSR_READ(mscratch) != 0x003400f0u)
        return fail(9, "csrrc clear bits", CSR_READ(mscratch), 0x003400f0u);
    __asm__ volatile("csrrwi %0, mscratch, 21" : "=r"(old));
    if (old != 0x003400f0u || CSR_READ(mscratch) != 21)
        return fail(9, "csrrwi", CSR_READ(mscratch), 21);
    __asm__ volatile("csrrsi %0, mscratch, 10" : "=r"(old));
    if (old != 21 || CSR_READ(mscratch) != 31)
        return fail(9, "csrrsi", CSR_READ(mscratch), 31);
    __asm__ volatile("csrrci %0, mscratch, 6" : "=r"(old));
    if (old != 31 || CSR_READ(mscratch) != 25)
        return fail(9, "csrrci", CSR_READ(mscratch), 25);
    __asm__ volatile("csrrs %0, mscratch, x0" : "=r"(old));
    __asm__ volatile("csrrci x0, mscratch, 0");
    if (old != 25 || CSR_READ(mscratch) != 25)
        return fail(9, "csrrs/csrrci with no bits", CSR_READ(mscratch), 25);

    /* 10: minstret and mcycle are writable; they go on counting from the
     * written value. */
    CSR_WRITE(minstret, 1000);
    uint32_t v = CSR_READ(minstret);
    if (v < 1000 || v > 1010)
        return fail(10, "minstret after writing 1000", v, 1000);
    CSR_WRITE(mcycle, 0x10000u);
    v = CSR_READ(mcycle);
    if (v < 0x10000u || v > 0x10000u + 1000)
        return fail(10, "mcycle after writing 0x10000", v, 0x10000u);
    CSR_WRITE(minstreth, 7);
    v = CSR_READ(minstreth);
    if (v != 7)
        return fail(10, "minstreth after writing 7", v, 7);
    CSR_WRITE(mcycleh, 3);
    v = CSR_READ(mcycleh);
    if (v != 3)
        return fail(10, "mcycleh after writing 3", v, 3);
    /* A carry from the low half reaches the high half. */
    CSR_WRITE(minstreth, 0);
    CSR_WRITE(minstret, 0xfffffff0u);
    __asm__ volatile(".rept 32\nnop\n.endr");
    v = CSR_READ(minstreth);
    if (v != 1)
        return fail(10, "minstreth after minstret wrapped", v, 1);

    /* 11: mstatus: MIE can be set and cleared; MPP reads as machine mode
     * (3), the only privilege level. */
    __asm__ volatile("csrci mstatus, 8");
    uint32_t ms = CSR_READ(mstatus);
    if (ms & 8u)
        return fail(11, "mstatus.MIE after clearing", ms, ms & ~8u);
    if (((ms >> 11) & 3u) != 3u)
        return fail(11, "mstatus.MPP", (ms >> 11) & 3u, 3);
    CSR_WRITE(mie, 0); /* no interrupt sources enabled, so setting MIE is safe */
    __asm__ volatile("csrsi mstatus, 8");
    ms = CSR_READ(mstatus);
    __asm__ volatile("csrci mstatus, 8");
    if (!(ms & 8u))
        return fail(11, "mstatus.MIE after setting", ms, ms | 8u);

    /* 12: the identity CSRs are readable (any value). */
    printf("mvendorid=0x%08x marchid=0x%08x mimpid=0x%08x misa=0x%08x\n",
           (unsigned)CSR_READ(mvendorid), (unsigned)CSR_READ(marchid),
           (unsigned)CSR_READ(mimpid), (unsigned)misa);
    return 0;
}

/* The runtime runs constructors before main (crt0 calls __libc_init_array). */
static volatile uint32_t constructor_ran;
__attribute__((constructor)) static void mark_constructor(void) { constructor_ran = 0xc0ffee; }

int main(void)
{
    printf("check_csr\n");
    if (constructor_ran != 0xc0ffee)
        return fail(99, "constructor did not run", constructor_ran, 0xc0ffee);
    int r = run();
    if (r == 0)
        printf("PASS\n");
    return r;
}
