/*
 * Macros for the self-checking assembly tests (isa_*.S), riscv-tests
 * style: numbered tests, and the `tohost` convention to report the
 * outcome. Writing 1 to tohost means success, (n << 1) | 1 failure of
 * test n; the program then spins until the simulator stops it.
 *
 * Register use: TESTNUM (gp) holds the current test number, t6 the
 * expected value in EXPECT; everything else is free for the tests.
 *
 * Built with -DISA_TEST_QEMU (not done by the build; for checking the
 * tests themselves on qemu-system-riscv32 -M virt), the outcome goes to
 * QEMU's SiFive test finisher instead: exit 0, or exit status n.
 */
#ifndef ISA_TEST_H
#define ISA_TEST_H

#define TESTNUM gp

/* Start of the program: entry point, a stack for the sp-relative tests. */
.macro TEST_BEGIN
    .section .text.init, "ax"
    .globl _start
_start:
    csrr    t0, mhartid     /* only core 0 runs the tests; the others sleep */
    beqz    t0, 2f
1:  wfi
    j       1b
2:  la      sp, __stack_top
    li      TESTNUM, 0
.endm

/* Start test number n. */
.macro TEST n
    li      TESTNUM, \n
.endm

/* Fail the current test unless reg == value. */
.macro EXPECT reg, value
    li      t6, \value
    beq     \reg, t6, 9f
    j       fail
9:
.endm

/* Fail unless the two registers are equal. */
.macro EXPECT_EQ a, b
    beq     \a, \b, 9f
    j       fail
9:
.endm

/* reg-reg operation: rd = a op b, compared with exp. */
.macro TEST_RR n, op, exp, a, b
    TEST    \n
    li      a1, \a
    li      a2, \b
    \op     a0, a1, a2
    EXPECT  a0, \exp
.endm

/* reg-imm operation. */
.macro TEST_RI n, op, exp, a, imm
    TEST    \n
    li      a1, \a
    \op     a0, a1, \imm
    EXPECT  a0, \exp
.endm

/* A branch that must be taken, and one that must not. */
.macro TEST_BR_TAKEN n, op, a, b
    TEST    \n
    li      a1, \a
    li      a2, \b
    \op     a1, a2, 8f
    j       fail
8:
.endm

.macro TEST_BR_NOT_TAKEN n, op, a, b
    TEST    \n
    li      a1, \a
    li      a2, \b
    \op     a1, a2, 7f
    j       8f
7:  j       fail
8:
.endm

/* The end of the test sequence, the report and the tohost word. */
.macro TEST_END
pass:
#ifdef ISA_TEST_QEMU
    li      t0, 0x5555
    li      t1, 0x100000
    sw      t0, 0(t1)
#else
    li      t0, 1
    la      t1, tohost
    sw      t0, 0(t1)
#endif
1:  j       1b

fail:
#ifdef ISA_TEST_QEMU
    slli    t0, TESTNUM, 16
    li      t1, 0x3333
    or      t0, t0, t1
    li      t1, 0x100000
    sw      t0, 0(t1)
#else
    slli    t0, TESTNUM, 1
    ori     t0, t0, 1
    la      t1, tohost
    sw      t0, 0(t1)
#endif
1:  j       1b

    .section .data.tohost, "aw"
    .balign 8
    .globl  tohost
tohost:
    .word   0
    .word   0
    .globl  fromhost
fromhost:
    .word   0
    .word   0
.endm

#endif
