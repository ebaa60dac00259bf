/* A misaligned word load with no trap handler: with core.misaligned_traps=1
   a fault, exit status 3; by default (as on CV32E40P) it completes as two
   aligned accesses and the value is printed. */
#include <stdint.h>
#include <stdio.h>

static volatile uint32_t words[2] = {0x11223344u, 0x55667788u};

int main(void)
{
    volatile uint32_t *p = (volatile uint32_t *)((uintptr_t)words + 2);
    printf("loading from 0x%08x\n", (unsigned)(uintptr_t)p);
    uint32_t v;
    /* An explicit lw: C code would let the compiler split the access. */
    __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p));
    printf("loaded 0x%08x\n", (unsigned)v);
    return 0;
}
