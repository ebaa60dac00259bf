/*
 * The parallel int8 kernels (SIMD, hardware loops) against their
 * single-core scalar references, bit for bit, over odd shapes (rows not a
 * multiple of the 2 x 4 block, K not a multiple of 4), 1..8 cores and
 * requantization corners (rounding offsets, saturation at both ends); the
 * L1 kernels and the DMA kernels (operands in L2, streamed through a small
 * L1 workspace so that many double-buffered tiles are needed). Exit code 0
 * and "PASS", or the number of the first failing case.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/cluster.h"
#include "ortigia/kernels.h"

#define MAX_A (64 * 96)
#define MAX_B (96 * 96)
#define MAX_C (64 * 96)

static int8_t A[MAX_A] __attribute__((section(".l1bss"), aligned(4)));
static int8_t Bt[MAX_B] __attribute__((section(".l1bss"), aligned(4)));
static int8_t C[MAX_C] __attribute__((section(".l1bss"), aligned(4)));
static int8_t C_ref[MAX_C];
/* Operands of the DMA kernels, in L2 (odd offsets: unaligned rows). */
static int8_t A2[MAX_A + 3], Bt2[MAX_B + 3], C2[MAX_C + 3];
static uint8_t work[12 * 1024] __attribute__((section(".l1bss"), aligned(4)));

static uint32_t rng = 12345;
static int8_t random_i8(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (int8_t)(rng >> 24);
}

struct job {
    unsigned M, N, K;
    struct k_requant rq;
    int gemv;
    int dma; /* 0: operands in L1; else in L2 at byte offset dma - 1 */
};

static volatile int dma_status;

static void run_job(void *arg)
{
    const struct job *j = arg;
    unsigned off = j->dma ? (unsigned)j->dma - 1 : 0;
    int r = 0;
    if (j->dma && j->gemv)
        r = k_gemv_i8_dma(A2 + off, Bt2 + off, C2 + off, j->N, j->K, &j->rq, work, sizeof work);
    else if (j->dma)
        r = k_matmul_i8_dma(A2 + off, Bt2 + off, C2 + off, j->M, j->N, j->K, &j->rq, work,
                            sizeof work);
    else if (j->gemv)
        k_gemv_i8(A, Bt, C, j->N, j->K, &j->rq);
    else
        k_matmul_i8(A, Bt, C, j->M, j->N, j->K, &j->rq);
    if (r)
        dma_status = r;
}

static int check(int number, unsigned cores, struct job j)
{
    unsigned a_len = j.gemv ? j.N * j.K : j.M * j.K;
    unsigned b_len = j.gemv ? j.K : j.N * j.K;
    unsigned c_len = j.gemv ? j.N : j.M * j.N;
    if (a_len > MAX_A || b_len > MAX_B || c_len > MAX_C) {
        printf("FAIL case %d: too large for the test's buffers\n", number);
        return number;
    }
    for (unsigned i = 0; i < a_len; i++)
        A[i] = random_i8();
    for (unsigned i = 0; i < b_len; i++)
        Bt[i] = random_i8();
    if (j.gemv)
        k_gemv_i8_ref(A, Bt, C_ref, j.N, j.K, &j.rq);
    else
        k_matmul_i8_ref(A, Bt, C_ref, j.M, j.N, j.K, &j.rq);
    int8_t *out = C;
    if (j.dma) {
        unsigned off = (unsigned)j.dma - 1;
        memcpy(A2 + off, A, a_len);
        memcpy(Bt2 + off, Bt, b_len);
        memset(C2, 0x55, sizeof C2);
        out = C2 + off;
    } else {
        memset(C, 0x55, c_len);
    }
    dma_status = 0;
    rt_fork(cores, run_job, &j);
    if (dma_status) {
        printf("FAIL case %d: the DMA kernel refused the workspace\n", number);
        return number;
    }
    for (unsigned i = 0; i < c_len; i++) {
        if (out[i] != C_ref[i]) {
            printf("FAIL case %d (%s%s %ux%ux%u on %u cores): element %u = %d, expected %d\n",
                   number, j.gemv ? "gemv" : "matmul", j.dma ? " dma" : "", j.M, j.N, j.K,
                   cores, i, out[i], C_ref[i]);
            return number;
        }
    }
    if (j.dma) { /* nothing written around the result */
        unsigned off = (unsigned)j.dma - 1;
        for (unsigned i = 0; i < off; i++)
            if (C2[i] != 0x55)
                return number;
        for (unsigned i = off + c_len; i < sizeof C2; i++)
            if (C2[i] != 0x55)
                return number;
    }
    return 0;
}

int main(void)
{
    printf("check_kernels\n");
    const struct k_requant plain = {1, 0, 0}, scaled = {77, 1 << 12, 13},
                           saturating = {1 << 10, -3, 2}, negative = {-5, 100, 3};
    const struct {
        unsigned cores;
        struct job j;
    } cases[] = {
        {8, {1, 1, 1, plain, 0, 0}},        {8, {3, 5, 7, scaled, 0, 0}},
        {8, {8, 16, 32, scaled, 0, 0}},     {8, {13, 17, 33, saturating, 0, 0}},
        {3, {64, 96, 96, scaled, 0, 0}},    {1, {9, 9, 9, negative, 0, 0}},
        {8, {64, 64, 64, negative, 0, 0}},  {8, {0, 37, 129, scaled, 1, 0}},
        {5, {0, 64, 96, saturating, 1, 0}}, {8, {0, 7, 3, plain, 1, 0}},
        /* Operands in L2, tiles through 12 KiB of L1. */
        {8, {64, 96, 96, scaled, 0, 1}},     {8, {13, 17, 33, saturating, 0, 2}},
        {3, {16, 40, 64, negative, 0, 4}},   {8, {1, 96, 8, plain, 0, 1}},
        {8, {0, 64, 96, scaled, 1, 1}},      {8, {0, 37, 129, saturating, 1, 3}},
        {2, {0, 90, 17, negative, 1, 2}},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = check((int)i + 1, cases[i].cores, cases[i].j);
        if (r)
            return r;
    }
    printf("PASS\n");
    return 0;
}
