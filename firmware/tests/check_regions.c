/*
 * Region markers for the power report: region 1 "run" holds region 2
 * "compute" (an 8-core int8 matmul) and region 3 "idle" (core 0 waits on
 * the cycle counter while the other cores sleep), back to back; region 4
 * "after" follows at top level. tests/unit/test_cli.cpp checks the report.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"
#include "ortigia/kernels.h"
#include "ortigia/rt.h"

#define M 16
#define N 64
#define K 64

static int8_t A[M * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t Bt[N * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t C[M * N] __attribute__((section(".l1bss"), aligned(4)));
static const struct k_requant rq = {77, 1 << 12, 13};

static void job(void *arg)
{
    (void)arg;
    for (int r = 0; r < 4; r++)
        k_matmul_i8(A, Bt, C, M, N, K, &rq);
}

static void wait_cycles(uint32_t n)
{
    uint32_t t0 = rt_cycles();
    while (rt_cycles() - t0 < n)
        ;
}

int main(void)
{
    for (unsigned i = 0; i < M * K; i++)
        A[i] = (int8_t)(i * 7);
    for (unsigned i = 0; i < N * K; i++)
        Bt[i] = (int8_t)(i * 13);
    rt_region_begin(1, "run");
    rt_region_begin(2, "compute");
    rt_fork(0, job, 0);
    rt_region_end(2);
    rt_region_begin(3, "idle");
    wait_cycles(20000);
    rt_region_end(3);
    rt_region_end(1);
    rt_region_begin(4, "after");
    wait_cycles(1000);
    rt_region_end(4);
    printf("regions done\n");
    return 0;
}
