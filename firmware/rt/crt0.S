/*
 * Reset entry of every core. Core 0 sets up gp, tp (picolibc keeps errno
 * in TLS), its stack in RAM, zeroes .tbss/.bss (rt_zero) and .l1bss, runs the
 * constructors and main, and passes main's result to exit(). The other
 * cores take a stack at the top of L1 (core i: __l1_stack_top - (i - 1) *
 * __l1_stack_size) and wait in rt_worker_main for work forked to them.
 * The loader (simulator or QEMU) has already placed .text and .data.
 */
    .section .text.rt_call_on_stack, "ax"
/* void rt_call_on_stack(void (*fn)(void *), void *arg, void *stack_top):
   run fn(arg) on another stack, then return on this one. */
    .globl rt_call_on_stack
rt_call_on_stack:
    addi    a2, a2, -16
    sw      ra, 12(a2)
    sw      sp, 8(a2)
    mv      sp, a2
    mv      t0, a0
    mv      a0, a1
    jalr    t0
    lw      ra, 12(sp)
    lw      sp, 8(sp)
    ret

    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base
    csrr    t0, mhartid
    bnez    t0, .Lworker
    la      sp, __stack_top
    la      a0, __bss_start
    la      a1, __bss_end
    call    rt_zero                /* the runtime's: the DMA where there is one */
    la      t0, __l1bss_start
    la      t1, __l1bss_end
    call    .Lzero
    call    __libc_init_array      /* constructors (.init_array) */
    li      a0, 0
    li      a1, 0
    call    main
    call    exit
1:  j       1b

/* Zero [t0, t1), word by word. */
.Lzero:
    bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       .Lzero
2:  ret

.Lworker:
    addi    t0, t0, -1
    la      t1, __l1_stack_size
    mul     t0, t0, t1
    la      sp, __l1_stack_top
    sub     sp, sp, t0
    call    rt_worker_main
1:  j       1b
