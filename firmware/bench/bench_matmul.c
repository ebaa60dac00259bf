/*
 * int8 matrix multiply benchmark: C (64 x 256) = A (64 x 256) x B (256 x 256)
 * with int32 accumulation and requantization: operands in L1 on 1 core and
 * on every core, then operands and result in L2 streamed through L1 by the
 * double-buffered DMA kernel on every core. Prints cycles and MAC/cycle of
 * each and the speed-up, and checks every result against the 1-core one.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/cluster.h"
#include "ortigia/kernels.h"
#include "ortigia/rt.h"

#define M 64
#define N 256
#define K 256
#define REPEAT 40

static int8_t A[M * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t Bt[N * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t C1[M * N] __attribute__((section(".l1bss"), aligned(4)));
static int8_t Cn[M * N] __attribute__((section(".l1bss"), aligned(4)));

/* The same operands in L2 for the DMA kernel, and its L1 workspace. */
static int8_t A2[M * K], Bt2[N * K], C2[M * N];
static uint8_t work[64 * 1024] __attribute__((section(".l1bss"), aligned(4)));

static const struct k_requant rq = {77, 1 << 12, 13};
static int8_t *out;
static int use_dma;

static void job(void *arg)
{
    (void)arg;
    if (use_dma)
        k_matmul_i8_dma(A2, Bt2, C2, M, N, K, &rq, work, sizeof work);
    else
        k_matmul_i8(A, Bt, out, M, N, K, &rq);
}

static uint32_t timed_fork(unsigned cores, int8_t *dst)
{
    out = dst;
    uint32_t t0 = rt_cycles();
    rt_fork(cores, job, 0);
    return rt_cycles() - t0;
}

int main(void)
{
    uint32_t x = 1;
    for (unsigned i = 0; i < M * K; i++)
        A[i] = (int8_t)((x = x * 1103515245u + 12345u) >> 24);
    for (unsigned i = 0; i < N * K; i++)
        Bt[i] = (int8_t)((x = x * 1103515245u + 12345u) >> 24);
    unsigned cores = rt_num_cores();
    uint32_t c1 = timed_fork(1, C1);
    uint32_t cn = timed_fork(cores, Cn);
    const double macs = (double)M * N * K;
    printf("matmul %ux%ux%u int8: 1 core %lu cycles (%.2f MAC/cycle), %u cores %lu cycles "
           "(%.2f MAC/cycle), speed-up %.2f\n",
           M, N, K, (unsigned long)c1, macs / c1, cores, (unsigned long)cn, macs / cn,
           (double)c1 / cn);
    if (memcmp(C1, Cn, sizeof C1) != 0) {
        printf("FAIL: the %u-core result differs from the 1-core one\n", cores);
        return 1;
    }
    memcpy(A2, A, sizeof A);
    memcpy(Bt2, Bt, sizeof Bt);
    use_dma = 1;
    uint32_t cd = timed_fork(cores, 0);
    printf("matmul %ux%ux%u int8 from L2 (double-buffered DMA through %u KiB of L1): "
           "%u cores %lu cycles (%.2f MAC/cycle)\n",
           M, N, K, (unsigned)(sizeof work / 1024), cores, (unsigned long)cd, macs / cd);
    if (memcmp(C1, C2, sizeof C1) != 0) {
        printf("FAIL: the DMA kernel's result differs from the 1-core one\n");
        return 1;
    }
    /* Repeat the 8-core L1 kernel so that the run's simulator speed is that
       of this workload, not of the start-up and the data generation. */
    use_dma = 0;
    for (int i = 0; i < REPEAT; i++)
        timed_fork(cores, Cn);
    printf("matmul repeated %d times on %u cores for the simulator-speed figure\n", REPEAT,
           cores);
    return 0;
}
