/*
 * Self-checking RV32I/M/C instruction test (riscv-tests `tohost`
 * convention, no C runtime): each numbered test computes a value and
 * compares it with the expected one; the first mismatch reports failure
 * of that test, reaching the end reports success.
 *
 *   2-19    register-register ALU
 *   20-34   register-immediate ALU, lui, auipc, x0
 *   35-46   loads (sign/zero extension) and stores
 *   47-58   branches, taken and not taken, a backward loop
 *   59-62   jal, jalr (offset, bit 0 cleared, rd == rs1)
 *   63-81   M extension, including division by zero and overflow
 *   82-100  C extension, explicit compressed forms
 *   101-104 fence, fence.i and self-modifying code, a CSR
 */
#include "isa_test.h"

    TEST_BEGIN

    /* ---- register-register ALU ---- */
    TEST_RR 2,  add,  12,          5,          7
    TEST_RR 3,  add,  0x80000000,  0x7fffffff, 1
    TEST_RR 4,  add,  0xfffffffe,  -1,         -1
    TEST_RR 5,  sub,  0xfffffffe,  5,          7
    TEST_RR 6,  sub,  0x7fffffff,  0x80000000, 1
    TEST_RR 7,  sll,  0x80000000,  1,          31
    TEST_RR 8,  sll,  0x23456780,  0x12345678, 36   /* shift amount: low 5 bits */
    TEST_RR 9,  srl,  1,           0x80000000, 31
    TEST_RR 10, sra,  0xffffffff,  0x80000000, 31
    TEST_RR 11, sra,  0x7fff,      0x7fff0000, 16
    TEST_RR 12, srl,  0x7fffffff,  0xffffffff, 33
    TEST_RR 13, slt,  1,           -1,         1
    TEST_RR 14, slt,  0,           1,          -1
    TEST_RR 15, sltu, 0,           -1,         1
    TEST_RR 16, sltu, 1,           1,          -1
    TEST_RR 17, xor,  0xf0f0f0f0,  0xff00ff00, 0x0ff00ff0
    TEST_RR 18, or,   0xfff0fff0,  0xff00ff00, 0x0ff00ff0
    TEST_RR 19, and,  0x0f000f00,  0xff00ff00, 0x0ff00ff0

    /* ---- register-immediate ALU ---- */
    TEST_RI 20, addi,  0xfffff7ff, -1,         -2048
    TEST_RI 21, addi,  0x80000000, 0x7fffffff, 1
    TEST_RI 22, slti,  1,          -5,         -4
    TEST_RI 23, sltiu, 1,          5,          -1   /* compares with 0xffffffff */
    TEST_RI 24, sltiu, 1,          0,          1    /* seqz */
    TEST_RI 25, xori,  0xedcba987, 0x12345678, -1   /* not */
    TEST_RI 26, ori,   0x00ff07ff, 0x00ff00ff, 0x700
    TEST_RI 27, andi,  0x12345670, 0x12345678, -16
    TEST_RI 28, slli,  0x00100000, 1,          20
    TEST_RI 29, srli,  0xf,        0xf0000000, 28
    TEST_RI 30, srai,  0xffffffff, 0xf0000000, 28

    TEST 31
    lui     a0, 0xfffff
    EXPECT  a0, 0xfffff000

    TEST 32
    lui     a0, 0x12345
    addi    a0, a0, 0x678
    EXPECT  a0, 0x12345678

    TEST 33                     /* auipc: pc-relative */
1:  auipc   a0, 0
    la      a1, 1b
    EXPECT_EQ a0, a1
2:  auipc   a0, 1
    la      a1, 2b
    sub     a0, a0, a1
    EXPECT  a0, 0x1000

    TEST 34                     /* writes to x0 are discarded */
    li      a0, 5
    addi    x0, a0, 1
    lui     x0, 0x12345
    add     a1, x0, x0
    EXPECT  a1, 0
    mv      a1, zero
    EXPECT  a1, 0

    /* ---- loads and stores ---- */
    TEST 35
    la      s0, tdat
    lb      a0, 0(s0)
    EXPECT  a0, 0x7f
    TEST 36
    lb      a0, 1(s0)
    EXPECT  a0, 0xffffff82
    TEST 37
    lbu     a0, 1(s0)
    EXPECT  a0, 0x82
    TEST 38
    lh      a0, 2(s0)
    EXPECT  a0, 0xffff8081
    TEST 39
    lhu     a0, 2(s0)
    EXPECT  a0, 0x8081
    TEST 40
    lh      a0, 0(s0)
    EXPECT  a0, 0xffff827f
    TEST 41
    lw      a0, 4(s0)
    EXPECT  a0, 0x12345678
    TEST 42                     /* negative offset */
    addi    a1, s0, 8
    lw      a0, -4(a1)
    EXPECT  a0, 0x12345678

    TEST 43
    la      s1, scratch
    li      a1, 0xdeadbeef
    sw      a1, 0(s1)
    lw      a0, 0(s1)
    EXPECT  a0, 0xdeadbeef
    TEST 44
    li      a1, 0x123456aa      /* sb stores only the low byte */
    sb      a1, 1(s1)
    lw      a0, 0(s1)
    EXPECT  a0, 0xdeadaaef
    TEST 45
    li      a1, 0xffff1234      /* sh stores only the low half */
    sh      a1, 2(s1)
    lw      a0, 0(s1)
    EXPECT  a0, 0x1234aaef
    TEST 46
    lbu     a0, 3(s1)
    EXPECT  a0, 0x12
    sw      a1, -4(s1)          /* negative store offset: scratch - 4 */
    lw      a0, -4(s1)
    EXPECT  a0, 0xffff1234
    lw      a0, 4(s1)           /* the word after is untouched */
    EXPECT  a0, 0x55555555

    /* ---- branches ---- */
    TEST_BR_TAKEN     47, beq,  3,  3
    TEST_BR_NOT_TAKEN 48, beq,  3,  4
    TEST_BR_TAKEN     49, bne,  3,  4
    TEST_BR_TAKEN     50, blt,  -1, 1
    TEST_BR_NOT_TAKEN 51, blt,  1,  -1
    TEST_BR_TAKEN     52, bge,  -1, -1
    TEST_BR_NOT_TAKEN 53, bge,  -2, -1
    TEST_BR_TAKEN     54, bltu, 1,  -1
    TEST_BR_NOT_TAKEN 55, bltu, -1, 1
    TEST_BR_TAKEN     56, bgeu, -1, 1
    TEST_BR_NOT_TAKEN 57, bgeu, 0,  1

    TEST 58                     /* backward branch: sum of 1..10 */
    li      a0, 0
    li      a1, 10
1:  add     a0, a0, a1
    addi    a1, a1, -1
    bnez    a1, 1b
    EXPECT  a0, 55

    /* ---- jumps ---- */
    TEST 59                     /* jal links to the next instruction */
    jal     a2, 1f
2:  j       fail
1:  la      a3, 2b
    EXPECT_EQ a2, a3

    TEST 60                     /* jalr with an offset */
    la      a0, 3f
    addi    a0, a0, -8
    jalr    a1, 8(a0)
4:  j       fail
3:  la      a2, 4b
    EXPECT_EQ a1, a2

    TEST 61                     /* jalr clears bit 0 of the target */
    la      a0, 3f
    addi    a0, a0, 1
    jalr    x0, 0(a0)
    j       fail
3:

    TEST 62                     /* jalr with rd == rs1: target from the old value */
    la      a0, 3f
    jalr    a0, 0(a0)
4:  j       fail
3:  la      a1, 4b
    EXPECT_EQ a0, a1

    /* ---- M extension ---- */
    TEST_RR 63, mul,    0xffffffeb, 7,          -3
    TEST_RR 64, mul,    0x242d2080, 0x12345678, 0x9abcdef0
    TEST_RR 65, mulh,   0x40000000, 0x80000000, 0x80000000
    TEST_RR 66, mulh,   0,          -1,         -1
    TEST_RR 67, mulhu,  0xfffffffe, 0xffffffff, 0xffffffff
    TEST_RR 68, mulhsu, 0xffffffff, -1,         0xffffffff
    TEST_RR 69, mulhsu, 0xc0000000, 0x80000000, 0x80000000
    TEST_RR 70, div,    -3,         -7,         2
    TEST_RR 71, rem,    -1,         -7,         2
    TEST_RR 72, divu,   0x7ffffffc, 0xfffffff9, 2
    TEST_RR 73, remu,   1,          0xfffffff9, 2
    TEST_RR 74, div,    -1,         5,          0
    TEST_RR 75, rem,    5,          5,          0
    TEST_RR 76, divu,   0xffffffff, 5,          0
    TEST_RR 77, remu,   5,          5,          0
    TEST_RR 78, div,    0x80000000, 0x80000000, -1
    TEST_RR 79, rem,    0,          0x80000000, -1
    TEST_RR 80, div,    -14,        100,        -7
    TEST_RR 81, rem,    2,          100,        -7

    /* ---- C extension (x8..x15 for the 3-bit register fields) ---- */
    TEST 82
    c.li    a0, -32
    EXPECT  a0, 0xffffffe0
    TEST 83
    c.addi  a0, 31
    EXPECT  a0, -1
    TEST 84
    c.lui   a1, 1
    EXPECT  a1, 0x1000
    c.lui   a1, 0xfffff         /* sign-extended 6-bit immediate */
    EXPECT  a1, 0xfffff000
    TEST 85
    c.lui   a1, 1
    c.mv    a2, a1
    c.add   a2, a1
    EXPECT  a2, 0x2000
    TEST 86
    li      a0, 0x0ff0
    li      a1, 0x3c3c
    c.mv    a2, a0
    c.sub   a2, a1
    EXPECT  a2, 0xffffd3b4
    c.mv    a2, a0
    c.xor   a2, a1
    EXPECT  a2, 0x33cc
    c.mv    a2, a0
    c.or    a2, a1
    EXPECT  a2, 0x3ffc
    c.mv    a2, a0
    c.and   a2, a1
    EXPECT  a2, 0x0c30
    TEST 87
    li      a3, 0x80000f0f
    c.slli  a3, 4
    EXPECT  a3, 0x0000f0f0
    li      a3, 0x80000f0f
    c.srli  a3, 8
    EXPECT  a3, 0x0080000f
    li      a3, 0x80000f0f
    c.srai  a3, 8
    EXPECT  a3, 0xff80000f
    li      a3, 0x12345678
    c.andi  a3, -8
    EXPECT  a3, 0x12345678
    c.andi  a3, 0x1c
    EXPECT  a3, 0x18

    TEST 88                     /* sp arithmetic */
    mv      s1, sp
    c.addi16sp sp, -64
    sub     a0, s1, sp
    EXPECT  a0, 64
    c.addi4spn a0, sp, 16
    sub     a0, a0, sp
    EXPECT  a0, 16
    TEST 89                     /* sp-relative load/store */
    li      a0, 0xcafe1234
    c.swsp  a0, 8(sp)
    c.lwsp  a1, 8(sp)
    EXPECT_EQ a0, a1
    lw      a2, 8(sp)
    EXPECT_EQ a0, a2
    c.addi16sp sp, 64
    EXPECT_EQ sp, s1
    TEST 90                     /* register-relative load/store */
    la      s1, scratch
    li      a0, 0x0badf00d
    c.sw    a0, 8(s1)
    c.lw    a2, 8(s1)
    EXPECT  a2, 0x0badf00d
    lw      a2, 8(s1)
    EXPECT  a2, 0x0badf00d

    TEST 91                     /* c.beqz / c.bnez */
    li      a0, 0
    c.beqz  a0, 1f
    j       fail
1:  c.bnez  a0, 2f
    j       3f
2:  j       fail
3:  li      a0, 7
    c.bnez  a0, 1f
    j       fail
1:  c.beqz  a0, 2f
    j       3f
2:  j       fail
3:

    TEST 92                     /* c.j */
    c.j     1f
    j       fail
1:

    TEST 93                     /* c.jal links to pc + 2 */
    c.jal   1f
2:  j       fail
1:  la      a0, 2b
    EXPECT_EQ ra, a0

    TEST 94                     /* c.jr */
    la      a0, 1f
    c.jr    a0
    j       fail
1:

    TEST 95                     /* c.jalr links to pc + 2 */
    la      a0, 1f
    c.jalr  a0
2:  j       fail
1:  la      a1, 2b
    EXPECT_EQ ra, a1

    TEST 96                     /* c.nop and a 32-bit instruction at pc % 4 == 2 */
    .balign 4
    c.nop
    addi    a0, zero, 0x123
    .option push
    .option norvc
    addi    a0, a0, 0x100       /* 32-bit: at an odd halfword */
    .option pop
    EXPECT  a0, 0x223

    TEST 97                     /* c.add / c.addi with negative values */
    li      a0, -100
    li      a1, 50
    c.add   a0, a1
    c.addi  a0, -1
    EXPECT  a0, -51

    TEST 98                     /* c.mv does not sign-extend or alter the value */
    li      a1, 0x80000000
    c.mv    a0, a1
    EXPECT  a0, 0x80000000

    TEST 99                     /* c.li with a positive immediate, c.slli by 31 */
    c.li    a4, 31
    EXPECT  a4, 31
    c.li    a4, 1
    c.slli  a4, 31
    EXPECT  a4, 0x80000000

    TEST 100                    /* c.lw/c.sw with the largest offset (124) */
    la      s1, scratch
    li      a0, 0x76543210
    c.sw    a0, 124(s1)
    lw      a1, 124(s1)
    EXPECT_EQ a0, a1

    /* ---- fences, self-modifying code, a CSR ---- */
    TEST 101
    fence
    fence.i
    fence   rw, rw

    TEST 102                    /* write code, fence.i, run it */
    la      s2, smc_buf
    li      a1, 0x02a00513      /* addi a0, zero, 42 */
    sw      a1, 0(s2)
    li      a1, 0x00008067      /* jalr zero, 0(ra) */
    sw      a1, 4(s2)
    fence.i
    li      a0, 0
    jalr    ra, 0(s2)
    EXPECT  a0, 42

    TEST 103                    /* rewrite it: the new code runs */
    li      a1, 0x02b00513      /* addi a0, zero, 43 */
    sw      a1, 0(s2)
    fence.i
    jalr    ra, 0(s2)
    EXPECT  a0, 43

    TEST 104                    /* Zicsr: mscratch */
    li      a0, 0x5a5aa5a5
    csrw    mscratch, a0
    csrr    a1, mscratch
    EXPECT_EQ a0, a1
    csrrw   a2, mscratch, zero
    EXPECT_EQ a2, a0
    csrr    a1, mscratch
    EXPECT  a1, 0

    j       pass

    TEST_END

    .section .data.isa_basic, "aw"
    .balign 4
tdat:
    .word   0x8081827f          /* bytes 7f 82 81 80 */
    .word   0x12345678
    .word   0
    .word   0x55555555          /* scratch - 4 */
scratch:
    .word   0
    .word   0x55555555
    .space  128
smc_buf:
    .word   0x00000013
    .word   0x00000013
