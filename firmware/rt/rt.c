/*
 * Ortigia runtime glue for picolibc: stdout on the uart, _exit through the
 * sim-control device.
 */
#include <stdio.h>
#include <unistd.h>

#include "ortigia/platform.h"

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
