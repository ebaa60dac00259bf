/*
 * The same runtime glue for QEMU's 'virt' board, so that one C program can
 * run on both simulators and their outputs be compared: an ns16550 uart at
 * 0x10000000 and the SiFive test finisher at 0x100000 for exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define QEMU_UART 0x10000000u
#define QEMU_UART_LSR (QEMU_UART + 5u)
#define QEMU_UART_LSR_THRE 0x20u
#define QEMU_FINISHER 0x00100000u

static int uart_putc(char ch, FILE *file)
{
    (void)file;
    while (!(*(volatile uint8_t *)QEMU_UART_LSR & QEMU_UART_LSR_THRE))
        ;
    *(volatile uint8_t *)QEMU_UART = (uint8_t)ch;
    return (unsigned char)ch;
}

static FILE uart_stream = FDEV_SETUP_STREAM(uart_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &uart_stream;
__strong_reference(stdin, stdout);
__strong_reference(stdin, stderr);

void _exit(int code)
{
    uint32_t v = code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u;
    *(volatile uint32_t *)QEMU_FINISHER = v;
    for (;;)
        ;
}

/* QEMU's virt board runs one hart here; crt0 still names the worker entry. */
void rt_worker_main(void);
void rt_worker_main(void)
{
    for (;;)
        __asm__ volatile("wfi");
}

/* A program that faults on QEMU would otherwise spin in the reset vector;
   end it with status 3 and the cause, as Ortigia does. */
static void __attribute__((interrupt("machine"), aligned(4))) qemu_fault(void)
{
    uint32_t cause, epc;
    __asm__ volatile("csrr %0, mcause\n csrr %1, mepc" : "=r"(cause), "=r"(epc));
    printf("qemu: fault, mcause %u at pc 0x%08x\n", (unsigned)cause, (unsigned)epc);
    _exit(3);
}

static void __attribute__((constructor)) install_fault_handler(void)
{
    __asm__ volatile("csrw mtvec, %0" ::"r"((uintptr_t)qemu_fault));
}

/* crt0's .bss clearing: QEMU's board has no cluster DMA. */
void rt_zero(void *start, void *end)
{
    for (volatile uint32_t *q = start; q < (uint32_t *)end; q++)
        *q = 0;
}
