/*
 * Ortigia runtime glue for picolibc: stdout on the uart, _exit through the
 * sim-control device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ortigia/dma.h"
#include "ortigia/platform.h"
#include "ortigia/rt.h"

static int uart_putc(char ch, FILE *file)
{
    (void)file;
    ORT_REG32(ORT_SOC_REG(UART_TX)) = (unsigned char)ch;
    return (unsigned char)ch;
}

static FILE uart_stream = FDEV_SETUP_STREAM(uart_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &uart_stream;
__strong_reference(stdin, stdout);
__strong_reference(stdin, stderr);

void _exit(int code)
{
    ORT_REG32(ORT_SOC_REG(SIM_EXIT)) = (uint32_t)code;
    for (;;)
        ;
}

/* The C library's abort() raises SIGABRT, which needs a process (kill,
   getpid): here it says so on the uart and ends the run with 134 (128 +
   SIGABRT, as a shell reports it). assert() prints the failing expression,
   file and line, then calls this. */
void abort(void)
{
    fputs("abort() called\n", stderr);
    _exit(134);
}

/* Zeroes for the DMA to copy from: a row it reads again for every row of
   the destination (source stride 0). In .rodata, so never itself cleared. */
static const uint32_t rt_zero_row[256];

void rt_zero(void *start, void *end)
{
    /* crt0 calls this before main, on core 0, with .bss not yet zero: it
       uses nothing but locals. One store per word costs a core access
       each (16 cycles in L2); the DMA clears 8 bytes a cycle. */
    uint32_t *p = start, *e = end;
    const uint32_t row = sizeof rt_zero_row;
    uint32_t rows = (uint32_t)((uintptr_t)e - (uintptr_t)p) / row;
    if (rows >= 4) {
        uint32_t id = rt_dma_copy_2d(p, rt_zero_row, row, rows, (int32_t)row, 0);
        if (id != RT_DMA_FAILED) {
            rt_dma_wait(id);
            p += rows * (row / sizeof *p);
        }
    }
    for (volatile uint32_t *q = p; q < e; q++) /* volatile: not a memset call */
        *q = 0;
}
