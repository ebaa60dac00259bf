/*
 * Calibration workload of the power model (power/models/siracusa.json):
 * the 8-core int8 matmul kernel (64x256 by 256x256, operands in L1) run
 * REPEAT times, after a short parallel fill of the operands, so that the
 * whole run is the kernel: the cluster at full load. Its power fits the
 * cores' background to the 107 mW implied by Siracusa's cluster peak
 * (120.6 GOp/s at 1.13 TOp/J, 2-bit operations, secondary); the test
 * power.Validation.ClusterFullLoad checks it (docs/power-model.md).
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"
#include "ortigia/kernels.h"

#define M 64
#define N 256
#define K 256
#define REPEAT 10

static int8_t A[M * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t Bt[N * K] __attribute__((section(".l1bss"), aligned(4)));
static int8_t C[M * N] __attribute__((section(".l1bss"), aligned(4)));
static const struct k_requant rq = {77, 1 << 12, 13};

static void fill(void *arg)
{
    (void)arg;
    unsigned id = rt_core_id(), n = rt_team_size();
    uint32_t x = 12345u + id;
    for (unsigned i = id; i < M * K; i += n)
        A[i] = (int8_t)((x = x * 1103515245u + 12345u) >> 24);
    for (unsigned i = id; i < N * K; i += n)
        Bt[i] = (int8_t)((x = x * 1103515245u + 12345u) >> 24);
}

static void job(void *arg)
{
    (void)arg;
    for (int r = 0; r < REPEAT; r++) {
        k_matmul_i8(A, Bt, C, M, N, K, &rq);
        rt_barrier();
    }
}

int main(void)
{
    rt_fork(0, fill, 0);
    rt_fork(0, job, 0);
    printf("calibration: %d x %ux%ux%u int8 MACs on %u cores\n", REPEAT, M, N, K, rt_num_cores());
    return 0;
}
