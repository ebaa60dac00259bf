/*
 * Reset entry: set up gp, tp (picolibc keeps errno in TLS), the stack,
 * zero .tbss and .bss, run constructors and main, and pass its result to exit().
 * The loader (simulator or QEMU) has already placed .text and .data.
 */
    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  call    __libc_init_array      /* constructors (.init_array) */
    li      a0, 0
    li      a1, 0
    call    main
    call    exit
3:  j       3b
