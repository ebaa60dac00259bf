/*
 * A machine-mode trap handler for the trap tests (install: csrw mtvec,
 * trap_entry). It saves every register it touches, records the trap in
 * `trap_record` (see check_trap.c), then returns with mret:
 *  - interrupts (mcause bit 31): mepc unchanged;
 *  - instruction fetch faults (causes 0, 1): mepc := the saved ra, i.e.
 *    back to the caller of the bad jump (the tests jump with jalr ra, ...);
 *  - any other exception: mepc := mepc + the length of the trapping
 *    instruction (2 or 4 bytes, from its low two bits), so the program
 *    goes on after it.
 * Nothing here may trap itself: mepc is always halfword aligned, so the
 * lhu that reads the instruction is aligned.
 */
#define REC_CAUSE 0
#define REC_EPC 4
#define REC_TVAL 8
#define REC_MSTATUS 12
#define REC_COUNT 16
#define REC_SP 20

    .section .text.trap_entry, "ax"
    .globl trap_entry
    .balign 256 /* CV32E40P: mtvec's base is 256-byte aligned */
trap_entry:
    addi    sp, sp, -64
    sw      ra, 0(sp)
    sw      t0, 4(sp)
    sw      t1, 8(sp)
    sw      t2, 12(sp)
    sw      t3, 16(sp)
    sw      t4, 20(sp)
    sw      t5, 24(sp)
    sw      t6, 28(sp)
    sw      a0, 32(sp)
    sw      a1, 36(sp)
    sw      a2, 40(sp)
    sw      a3, 44(sp)
    sw      a4, 48(sp)
    sw      a5, 52(sp)
    sw      a6, 56(sp)
    sw      a7, 60(sp)

    csrr    t0, mcause
    csrr    t1, mepc
    csrr    t2, mtval
    csrr    t3, mstatus
    la      t4, trap_record
    sw      t0, REC_CAUSE(t4)
    sw      t1, REC_EPC(t4)
    sw      t2, REC_TVAL(t4)
    sw      t3, REC_MSTATUS(t4)
    lw      t5, REC_COUNT(t4)
    addi    t5, t5, 1
    sw      t5, REC_COUNT(t4)
    addi    t5, sp, 64          /* the interrupted code's sp */
    sw      t5, REC_SP(t4)

    bltz    t0, 3f              /* interrupt: resume where it was */
    li      t5, 1
    bleu    t0, t5, 2f          /* fetch fault: mepc cannot be read */
    lhu     t5, 0(t1)
    andi    t5, t5, 3
    li      t6, 3
    addi    t1, t1, 2           /* 16-bit instruction */
    bne     t5, t6, 1f
    addi    t1, t1, 2           /* 32-bit instruction */
1:  csrw    mepc, t1
    j       3f
2:  lw      t1, 0(sp)           /* return to the jump's return address */
    csrw    mepc, t1
3:
    lw      ra, 0(sp)
    lw      t0, 4(sp)
    lw      t1, 8(sp)
    lw      t2, 12(sp)
    lw      t3, 16(sp)
    lw      t4, 20(sp)
    lw      t5, 24(sp)
    lw      t6, 28(sp)
    lw      a0, 32(sp)
    lw      a1, 36(sp)
    lw      a2, 40(sp)
    lw      a3, 44(sp)
    lw      a4, 48(sp)
    lw      a5, 52(sp)
    lw      a6, 56(sp)
    lw      a7, 60(sp)
    addi    sp, sp, 64
    mret

    .section .bss.trap_record, "aw", @nobits
    .globl trap_record
    .balign 4
trap_record:
    .space  24
