/*
 * Self-checking test of machine-mode traps (Ortigia only). Installs the
 * handler of trap_handler.S through mtvec and raises, one at a time:
 * ecall, ebreak (32- and 16-bit), illegal instructions (an unassigned
 * encoding, the all-zero halfword, an unimplemented CSR, a write to a
 * read-only CSR), misaligned loads and stores, load/store/fetch access
 * faults at an unmapped address; checks mcause, mepc and mtval of each,
 * that the faulting instruction had no effect, that all registers survive
 * a trap, the mstatus MIE/MPIE/MPP stacking and mtvec's vectored mode.
 * Exit code 0 and "PASS" on success; otherwise the number of the first
 * failing check, with a line saying what failed.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/platform.h"

/* Filled by the handler (trap_handler.S). */
struct trap_record {
    uint32_t cause, epc, tval, mstatus, count, sp;
};
extern volatile struct trap_record trap_record;
extern char trap_entry[];

/* Nothing is mapped here on Ortigia (between L2 and the end of the
 * 32-bit space, outside every device). */
#ifndef UNMAPPED_ADDR
#define UNMAPPED_ADDR 0x30000000u
#endif

#define CAUSE_FETCH_ACCESS 1u
#define CAUSE_ILLEGAL 2u
#define CAUSE_BREAKPOINT 3u
#define CAUSE_MISALIGNED_LOAD 4u
#define CAUSE_LOAD_ACCESS 5u
#define CAUSE_MISALIGNED_STORE 6u
#define CAUSE_STORE_ACCESS 7u
#define CAUSE_ECALL_M 11u

#define MSTATUS_MIE (1u << 3)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_MPP (3u << 11)

static uint32_t expected_count;
static volatile uint32_t words[4] __attribute__((aligned(16))) = {0x11223344u, 0x55667788u,
                                                                  0x99aabbccu, 0xddeeff00u};

static int fail(int check, const char *what, uint32_t got, uint32_t want)
{
    printf("FAIL check %d: %s: got 0x%08x, expected 0x%08x\n", check, what, (unsigned)got,
           (unsigned)want);
    printf("  last trap: mcause=0x%08x mepc=0x%08x mtval=0x%08x count=%u\n",
           (unsigned)trap_record.cause, (unsigned)trap_record.epc, (unsigned)trap_record.tval,
           (unsigned)trap_record.count);
    return check;
}

/* One trap must have been taken since the last call, with these values.
 * tval_alt is a second acceptable mtval where the privileged spec lets an
 * implementation choose (0 or the faulting instruction / pc). */
static int expect_trap(int check, const char *what, uint32_t cause, uint32_t epc, uint32_t tval,
                       uint32_t tval_alt)
{
    expected_count++;
    if (trap_record.count != expected_count)
        return fail(check, what, trap_record.count, expected_count);
    if (trap_record.cause != cause)
        return fail(check, what, trap_record.cause, cause);
    if (trap_record.epc != epc)
        return fail(check, what, trap_record.epc, epc);
    /* CV32E40P's mtval is read-only zero; the value the privileged spec
       would allow is documented at each check (tval, tval_alt). */
    (void)tval, (void)tval_alt;
    if (trap_record.tval != 0)
        return fail(check, what, trap_record.tval, 0);
    printf("ok %2d %-28s mcause=%2u mepc=%08x mtval=%08x\n", check, what,
           (unsigned)trap_record.cause, (unsigned)trap_record.epc, (unsigned)trap_record.tval);
    return 0;
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        int r_ = (expr);                                                                           \
        if (r_)                                                                                    \
            return r_;                                                                             \
    } while (0)

static int run(void)
{
    uint32_t at, v, sp;

    /* 1: install the handler, direct mode. */
    __asm__ volatile("csrw mtvec, %0" ::"r"(trap_entry));
    __asm__ volatile("csrr %0, mtvec" : "=r"(v));
    if (v != (uint32_t)(uintptr_t)trap_entry)
        return fail(1, "mtvec read back", v, (uint32_t)(uintptr_t)trap_entry);
    if (trap_record.count != 0)
        return fail(1, "no trap yet", trap_record.count, 0);

    /* 2: ecall; the handler sees the caller's stack pointer. */
    __asm__ volatile("mv %1, sp\n"
                     "la %0, 1f\n"
                     "1: ecall\n"
                     : "=&r"(at), "=&r"(sp)::"memory");
    CHECK(expect_trap(2, "ecall", CAUSE_ECALL_M, at, 0, 0));
    if (trap_record.sp != sp)
        return fail(2, "sp seen by the handler", trap_record.sp, sp);

    /* 3: a 32-bit ebreak; mtval is 0 or the pc. */
    __asm__ volatile(".option push\n"
                     ".option norvc\n"
                     "la %0, 1f\n"
                     "1: ebreak\n"
                     ".option pop\n"
                     : "=r"(at)::"memory");
    CHECK(expect_trap(3, "ebreak", CAUSE_BREAKPOINT, at, at, 0));

    /* 4: c.ebreak: the handler must skip 2 bytes, not 4. */
    v = 0;
    __asm__ volatile("la %0, 1f\n"
                     "1: c.ebreak\n"
                     "c.li %1, 5\n"
                     "c.addi %1, 7\n"
                     : "=&r"(at), "+r"(v)::"memory");
    CHECK(expect_trap(4, "c.ebreak", CAUSE_BREAKPOINT, at, at, 0));
    if (v != 12)
        return fail(4, "instructions after c.ebreak", v, 12);

    /* 5: an unassigned 32-bit encoding; mtval is 0 or the instruction. */
    __asm__ volatile("la %0, 1f\n"
                     "1: .word 0xffffffff\n"
                     : "=r"(at)::"memory");
    CHECK(expect_trap(5, "illegal .word 0xffffffff", CAUSE_ILLEGAL, at, 0xffffffffu, 0));

    /* 6: the all-zero halfword is defined to be illegal (c.unimp). */
    v = 0;
    __asm__ volatile("la %0, 1f\n"
                     "1: .half 0\n"
                     "c.li %1, 9\n"
                     : "=&r"(at), "+r"(v)::"memory");
    CHECK(expect_trap(6, "illegal .half 0", CAUSE_ILLEGAL, at, 0, 0));
    if (v != 9)
        return fail(6, "instruction after the illegal halfword", v, 9);

    /* 7: reading a CSR the core does not have (satp: no S-mode). The
     * destination register keeps its value. csrr a5, satp = 0x180027f3. */
    v = 0x5a5a5a5au;
    __asm__ volatile("la %0, 1f\n"
                     "mv a5, %1\n"
                     "1: csrr a5, satp\n"
                     "mv %1, a5\n"
                     : "=&r"(at), "+r"(v)::"a5", "memory");
    CHECK(expect_trap(7, "csrr satp", CAUSE_ILLEGAL, at, 0x180027f3u, 0));
    if (v != 0x5a5a5a5au)
        return fail(7, "rd after an illegal csrr", v, 0x5a5a5a5au);

    /* 8: writing the read-only cycle CSR (this is the canonical unimp,
     * csrrw x0, cycle, x0 = 0xc0001073). */
    __asm__ volatile(".option push\n"
                     ".option norvc\n"
                     "la %0, 1f\n"
                     "1: csrrw x0, cycle, x0\n"
                     ".option pop\n"
                     : "=r"(at)::"memory");
    CHECK(expect_trap(8, "csrw cycle (read-only)", CAUSE_ILLEGAL, at, 0xc0001073u, 0));

    /* 9: misaligned lw: mtval is the address; rd is not written. */
    uint32_t addr = (uint32_t)(uintptr_t)&words[0] + 2;
    v = 0xcafef00du;
    __asm__ volatile("la %0, 1f\n"
                     "1: lw %1, 0(%2)\n"
                     : "=&r"(at), "+r"(v)
                     : "r"(addr)
                     : "memory");
    CHECK(expect_trap(9, "misaligned lw", CAUSE_MISALIGNED_LOAD, at, addr, addr));
    if (v != 0xcafef00du)
        return fail(9, "rd after a misaligned lw", v, 0xcafef00du);

    /* Runs `mnemonic rd, 0(addr)`; `at` gets the instruction's address. */
#define TRAPPING_LOAD(mnemonic, at, v, addr)                                                       \
    __asm__ volatile("la %0, 1f\n"                                                                 \
                     "1: " mnemonic " %1, 0(%2)\n"                                                 \
                     : "=&r"(at), "=r"(v)                                                          \
                     : "r"(addr)                                                                   \
                     : "memory")

    /* 10: misaligned lh and lhu (odd addresses), lw at +1 and +3. */
    static const uint32_t offsets[] = {1, 3, 5};
    for (unsigned k = 0; k < 3; k++) {
        addr = (uint32_t)(uintptr_t)&words[1] + offsets[k];
        TRAPPING_LOAD("lh", at, v, addr);
        CHECK(expect_trap(10, "misaligned lh", CAUSE_MISALIGNED_LOAD, at, addr, addr));
        TRAPPING_LOAD("lhu", at, v, addr);
        CHECK(expect_trap(10, "misaligned lhu", CAUSE_MISALIGNED_LOAD, at, addr, addr));
        TRAPPING_LOAD("lw", at, v, addr);
        CHECK(expect_trap(10, "misaligned lw", CAUSE_MISALIGNED_LOAD, at, addr, addr));
    }
    /* Aligned halfword loads inside a word are fine. */
    __asm__ volatile("lhu %0, 2(%1)" : "=r"(v) : "r"(&words[0]) : "memory");
    if (v != 0x1122u || trap_record.count != expected_count)
        return fail(10, "aligned lhu at +2", v, 0x1122u);

    /* 11: misaligned sw and sh: cause 6, memory unchanged. */
    addr = (uint32_t)(uintptr_t)&words[2] + 1;
    __asm__ volatile("la %0, 1f\n"
                     "1: sw %1, 0(%2)\n"
                     : "=&r"(at)
                     : "r"(0xffffffffu), "r"(addr)
                     : "memory");
    CHECK(expect_trap(11, "misaligned sw", CAUSE_MISALIGNED_STORE, at, addr, addr));
    addr = (uint32_t)(uintptr_t)&words[2] + 3;
    __asm__ volatile("la %0, 1f\n"
                     "1: sh %1, 0(%2)\n"
                     : "=&r"(at)
                     : "r"(0xffffffffu), "r"(addr)
                     : "memory");
    CHECK(expect_trap(11, "misaligned sh", CAUSE_MISALIGNED_STORE, at, addr, addr));
    if (words[2] != 0x99aabbccu || words[3] != 0xddeeff00u)
        return fail(11, "memory after misaligned stores", words[2], 0x99aabbccu);

    /* 12: a load from an unmapped address: load access fault. */
    v = 0x600dcafeu;
    __asm__ volatile("la %0, 1f\n"
                     "1: lw %1, 0(%2)\n"
                     : "=&r"(at), "+r"(v)
                     : "r"(UNMAPPED_ADDR)
                     : "memory");
    CHECK(expect_trap(12, "load from unmapped", CAUSE_LOAD_ACCESS, at, UNMAPPED_ADDR,
                      UNMAPPED_ADDR));
    if (v != 0x600dcafeu)
        return fail(12, "rd after a faulting load", v, 0x600dcafeu);
    __asm__ volatile("la %0, 1f\n"
                     "1: lbu %1, 0(%2)\n"
                     : "=&r"(at), "=r"(v)
                     : "r"(UNMAPPED_ADDR + 5)
                     : "memory");
    CHECK(expect_trap(12, "lbu from unmapped", CAUSE_LOAD_ACCESS, at, UNMAPPED_ADDR + 5,
                      UNMAPPED_ADDR + 5));

    /* 13: a store there: store access fault. */
    __asm__ volatile("la %0, 1f\n"
                     "1: sw %1, 8(%2)\n"
                     : "=&r"(at)
                     : "r"(1u), "r"(UNMAPPED_ADDR)
                     : "memory");
    CHECK(expect_trap(13, "store to unmapped", CAUSE_STORE_ACCESS, at, UNMAPPED_ADDR + 8,
                      UNMAPPED_ADDR + 8));

    /* 14: a jump there: instruction access fault with mepc = the target;
     * the handler returns to ra, just after the jalr. */
    v = 0;
    __asm__ volatile("jalr ra, 0(%1)\n"
                     "li %0, 77\n"
                     : "+r"(v)
                     : "r"(UNMAPPED_ADDR)
                     : "ra", "memory");
    CHECK(expect_trap(14, "fetch from unmapped", CAUSE_FETCH_ACCESS, UNMAPPED_ADDR,
                      UNMAPPED_ADDR, UNMAPPED_ADDR));
    if (v != 77)
        return fail(14, "execution after the fetch fault", v, 77);

    /* 15: every register the handler uses comes back unchanged. */
    {
        register uint32_t a0 __asm__("a0") = 0xa0a0a0a0u;
        register uint32_t a1 __asm__("a1") = 0xa1a1a1a1u;
        register uint32_t a2 __asm__("a2") = 0xa2a2a2a2u;
        register uint32_t a3 __asm__("a3") = 0xa3a3a3a3u;
        register uint32_t a4 __asm__("a4") = 0xa4a4a4a4u;
        register uint32_t a5 __asm__("a5") = 0xa5a5a5a5u;
        register uint32_t a6 __asm__("a6") = 0xa6a6a6a6u;
        register uint32_t a7 __asm__("a7") = 0xa7a7a7a7u;
        register uint32_t t0 __asm__("t0") = 0x70707070u;
        register uint32_t t1 __asm__("t1") = 0x71717171u;
        register uint32_t t2 __asm__("t2") = 0x72727272u;
        register uint32_t t3 __asm__("t3") = 0x73737373u;
        register uint32_t t4 __asm__("t4") = 0x74747474u;
        register uint32_t t5 __asm__("t5") = 0x75757575u;
        register uint32_t t6 __asm__("t6") = 0x76767676u;
        __asm__ volatile("ecall"
                         : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
                           "+r"(a7), "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5),
                           "+r"(t6)
                         :
                         : "memory");
        uint32_t got[15] = {a0, a1, a2, a3, a4, a5, a6, a7, t0, t1, t2, t3, t4, t5, t6};
        static const uint32_t want[15] = {
            0xa0a0a0a0u, 0xa1a1a1a1u, 0xa2a2a2a2u, 0xa3a3a3a3u, 0xa4a4a4a4u,
            0xa5a5a5a5u, 0xa6a6a6a6u, 0xa7a7a7a7u, 0x70707070u, 0x71717171u,
            0x72727272u, 0x73737373u, 0x74747474u, 0x75757575u, 0x76767676u,
        };
        expected_count++;
        if (trap_record.count != expected_count || trap_record.cause != CAUSE_ECALL_M)
            return fail(15, "ecall with all registers live", trap_record.cause, CAUSE_ECALL_M);
        for (int k = 0; k < 15; k++)
            if (got[k] != want[k])
                return fail(15, "register preserved across a trap", got[k], want[k]);
        printf("ok 15 registers preserved across a trap\n");
    }

    /* 16: trap entry stacks MIE into MPIE and clears MIE, MPP = M; mret
     * restores MIE. No interrupt source is enabled (mie = 0). */
    __asm__ volatile("csrw mie, zero\n"
                     "csrsi mstatus, 8\n"
                     "ecall\n"
                     "csrr %0, mstatus\n"
                     "csrci mstatus, 8\n"
                     : "=r"(v)::"memory");
    expected_count++;
    if (trap_record.count != expected_count)
        return fail(16, "ecall with MIE set", trap_record.count, expected_count);
    uint32_t ms = trap_record.mstatus;
    if (ms & MSTATUS_MIE)
        return fail(16, "mstatus.MIE in the handler", ms & MSTATUS_MIE, 0);
    if (!(ms & MSTATUS_MPIE))
        return fail(16, "mstatus.MPIE in the handler", ms & MSTATUS_MPIE, MSTATUS_MPIE);
    if ((ms & MSTATUS_MPP) != MSTATUS_MPP)
        return fail(16, "mstatus.MPP in the handler", ms & MSTATUS_MPP, MSTATUS_MPP);
    if (!(v & MSTATUS_MIE))
        return fail(16, "mstatus.MIE after mret", v & MSTATUS_MIE, MSTATUS_MIE);
    /* With MIE clear before the trap, MPIE is clear in the handler. */
    __asm__ volatile("ecall" ::: "memory");
    expected_count++;
    if (trap_record.mstatus & (MSTATUS_MIE | MSTATUS_MPIE))
        return fail(16, "mstatus.MIE/MPIE in the handler (MIE was 0)", trap_record.mstatus, 0);
    printf("ok 16 mstatus stacking: handler saw 0x%08x\n", (unsigned)ms);

    /* 17: vectored mode sends exceptions to the base address too. */
    __asm__ volatile("csrw mtvec, %0" ::"r"((uint32_t)(uintptr_t)trap_entry | 1u));
    __asm__ volatile("csrr %0, mtvec" : "=r"(v));
    if (v != ((uint32_t)(uintptr_t)trap_entry | 1u))
        return fail(17, "mtvec vectored read back", v, (uint32_t)(uintptr_t)trap_entry | 1u);
    __asm__ volatile("la %0, 1f\n"
                     "1: ecall\n"
                     : "=r"(at)::"memory");
    CHECK(expect_trap(17, "ecall, vectored mtvec", CAUSE_ECALL_M, at, 0, 0));
    __asm__ volatile("csrw mtvec, %0" ::"r"(trap_entry));

    /* 18: a misaligned AMO: store/AMO address misaligned (or, as the spec
     * allows, store/AMO access fault); memory unchanged. */
    addr = (uint32_t)(uintptr_t)&words[1] + 2;
    __asm__ volatile("la %0, 1f\n"
                     "1: amoadd.w %1, %2, (%3)\n"
                     : "=&r"(at), "=r"(v)
                     : "r"(1u), "r"(addr)
                     : "memory");
    expected_count++;
    if (trap_record.count != expected_count ||
        (trap_record.cause != CAUSE_MISALIGNED_STORE && trap_record.cause != CAUSE_STORE_ACCESS) ||
        trap_record.epc != at)
        return fail(18, "misaligned amoadd.w", trap_record.cause, CAUSE_MISALIGNED_STORE);
    if (words[1] != 0x55667788u || words[2] != 0x99aabbccu)
        return fail(18, "memory after a misaligned amoadd.w", words[1], 0x55667788u);
    printf("ok 18 misaligned amoadd.w          mcause=%2u\n", (unsigned)trap_record.cause);

    /* 19: many traps in a row, from a loop. */
    for (int k = 0; k < 100; k++)
        __asm__ volatile("ecall" ::: "memory");
    expected_count += 100;
    if (trap_record.count != expected_count)
        return fail(19, "trap count after 100 ecalls", trap_record.count, expected_count);
    printf("ok 19 %u traps taken in all\n", (unsigned)expected_count);
    return 0;
}

int main(void)
{
    printf("check_trap\n");
    int r = run();
    /* Leave no handler behind: a later fault halts the run again. */
    __asm__ volatile("csrw mtvec, zero");
    if (r == 0)
        printf("PASS\n");
    return r;
}
