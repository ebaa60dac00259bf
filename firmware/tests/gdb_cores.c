/*
 * The program the GDB tests debug (tests/gdb): every core sums through a
 * hardware loop, core 1 then sets `flag`, and core 0 checks the results.
 * Exit code 0 when all is right. Kept small and without inlining at the
 * functions the tests break at, so their names and lines stay put.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"
#include "xpulp.h"

#define MAX_CORES 16

volatile uint32_t flag;               /* set by core 1: the watch test */
volatile uint32_t results[MAX_CORES]; /* each core's hardware-loop sum */
uint32_t answer = 42;                 /* a global the tests read */

/* 2 n through a hardware loop of two instructions (n >= 1). */
__attribute__((noinline)) uint32_t hwloop_sum(uint32_t n)
{
    uint32_t acc = 0;
    __asm__ volatile(XP_ASM_BEGIN
                     XP_LP_SETUP(0, "%[n]", 2)
                     "addi %[acc], %[acc], 3\n"
                     "addi %[acc], %[acc], -1\n"
                     XP_ASM_END
                     : [acc] "+r"(acc)
                     : [n] "r"(n));
    return acc;
}

__attribute__((noinline)) void work(void *arg)
{
    (void)arg;
    unsigned id = rt_core_id();
    results[id] = hwloop_sum(4 + id);
    rt_barrier();
    if (id == 1)
        flag = 0x1234; /* after the barrier: core 0 may be anywhere */
}

int main(void)
{
    rt_fork(0, work, NULL);
    unsigned n = rt_num_cores(), bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad += results[i] != 2 * (4 + i);
    printf("gdb_cores: %u cores, answer %u, flag 0x%x, %u wrong\n", n, (unsigned)answer,
           (unsigned)flag, bad);
    return bad != 0 || flag != 0x1234;
}
