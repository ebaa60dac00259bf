/*
 * Microbenchmarks for `ortigia power-fit` campaigns (docs/power-model.md,
 * "Fitting to measurements"): each variant (FIT_BENCH, one ELF each)
 * excites mainly one class of events, so that a set of measured runs can
 * tell the model's numbers apart. Short on purpose (about 10^5 cycles):
 * a campaign repeats them, at each operating point (soc.opp) and with
 * several cluster sizes (cluster.cores), which separates the cores'
 * background from the always-on one.
 *
 *   1 fit_alu    core 0: integer adds (the others asleep)
 *   2 fit_mul    core 0: multiplies
 *   3 fit_l1     core 0: 32-bit loads from the L1 (TCDM)
 *   4 fit_l2     core 0: 32-bit stores to the L2
 *   5 fit_simd   core 0: 4 x int8 dot products (xpulp sdotsp.b)
 *   6 fit_dma    the DMA copies L2 -> L1 while core 0 sleeps
 *   7 fit_par    every core: integer adds (the cores' active background)
 *   8 fit_branch core 0: taken branches (the loop's own branch and
 *                counter are in every variant: this one sets them apart)
 */
#include <stdint.h>

#include "ortigia/cluster.h"
#include "ortigia/dma.h"
#include "ortigia/rt.h"
#include "xpulp.h"

#ifndef FIT_BENCH
#define FIT_BENCH 1
#endif
#ifndef FIT_ITER
#define FIT_ITER 4000
#endif
#if FIT_BENCH == 4 && FIT_ITER > 400
#undef FIT_ITER
#define FIT_ITER 400
#endif

static uint32_t l1buf[256] __attribute__((section(".l1bss"), aligned(4), unused));
static uint32_t l2buf[4096] __attribute__((aligned(4), unused));
static volatile uint32_t sink;

/* 8 adds per iteration. */
__attribute__((unused)) static void alu_loop(void *arg)
{
    (void)arg;
    uint32_t x = 1, y = 3;
    for (unsigned i = 0; i < FIT_ITER; i++)
        __asm__ volatile("add %0,%0,%1\n add %0,%0,%1\n add %0,%0,%1\n add %0,%0,%1\n"
                         "add %0,%0,%1\n add %0,%0,%1\n add %0,%0,%1\n add %0,%0,%1\n"
                         : "+r"(x) : "r"(y));
    sink = x;
}

int main(void)
{
    uint32_t x = 1, y = 7;
    (void)x;
    (void)y;
#if FIT_BENCH == 1
    alu_loop(0);
#elif FIT_BENCH == 2
    for (unsigned i = 0; i < FIT_ITER; i++)
        __asm__ volatile("mul %0,%0,%1\n mul %0,%0,%1\n mul %0,%0,%1\n mul %0,%0,%1\n"
                         "mul %0,%0,%1\n mul %0,%0,%1\n mul %0,%0,%1\n mul %0,%0,%1\n"
                         : "+r"(x) : "r"(y));
    sink = x;
#elif FIT_BENCH == 3
    const volatile uint32_t *p = l1buf;
    for (unsigned i = 0; i < FIT_ITER; i++)
        __asm__ volatile("lw %0,0(%1)\n lw %0,4(%1)\n lw %0,8(%1)\n lw %0,12(%1)\n"
                         "lw %0,16(%1)\n lw %0,20(%1)\n lw %0,24(%1)\n lw %0,28(%1)\n"
                         : "=&r"(x) : "r"(p) : "memory");
    sink = x;
#elif FIT_BENCH == 4
    volatile uint32_t *p = l2buf;
    for (unsigned i = 0; i < FIT_ITER; i++)
        __asm__ volatile("sw %0,0(%1)\n sw %0,4(%1)\n sw %0,8(%1)\n sw %0,12(%1)\n"
                         "sw %0,16(%1)\n sw %0,20(%1)\n sw %0,24(%1)\n sw %0,28(%1)\n"
                         : : "r"(i), "r"(p) : "memory");
#elif FIT_BENCH == 5
    int32_t acc = 0;
    uint32_t a = 0x01020304u, b = 0x05060708u;
    for (unsigned i = 0; i < FIT_ITER; i++) {
        acc = xp_sdotsp_b(acc, a, b);
        acc = xp_sdotsp_b(acc, b, a);
        acc = xp_sdotsp_b(acc, a, b);
        acc = xp_sdotsp_b(acc, b, a);
        acc = xp_sdotsp_b(acc, a, b);
        acc = xp_sdotsp_b(acc, b, a);
        acc = xp_sdotsp_b(acc, a, b);
        acc = xp_sdotsp_b(acc, b, a);
    }
    sink = (uint32_t)acc;
#elif FIT_BENCH == 6
    for (unsigned r = 0; r < FIT_ITER / 100; r++) {
        uint32_t id = rt_dma_copy(l1buf, l2buf, sizeof l1buf);
        rt_dma_wait(id);
    }
    if (rt_dma_error())
        return 1;
#elif FIT_BENCH == 7
    rt_fork(0, alu_loop, 0);
#elif FIT_BENCH == 8
    for (unsigned i = 0; i < FIT_ITER; i++)
        __asm__ volatile("beq x0,x0,1f\n1: beq x0,x0,2f\n2: beq x0,x0,3f\n3: beq x0,x0,4f\n"
                         "4: beq x0,x0,5f\n5: beq x0,x0,6f\n6: beq x0,x0,7f\n7: beq x0,x0,8f\n8:\n");
#endif
    return 0;
}
