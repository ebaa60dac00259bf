/*
 * The parallel int8 kernels against their single-core references, bit for
 * bit, over odd shapes, 1..8 cores and requantization corners (rounding
 * offsets, saturation at both ends). Exit code 0 and "PASS", or the number
 * of the first failing case.
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
};

static void run_job(void *arg)
{
    const struct job *j = arg;
    if (j->gemv)
        k_gemv_i8(A, Bt, C, j->N, j->K, &j->rq);
    else
        k_matmul_i8(A, Bt, C, j->M, j->N, j->K, &j->rq);
}

static int check(int number, unsigned cores, struct job j)
{
    unsigned a_len = j.gemv ? j.N * j.K : j.M * j.K;
    unsigned b_len = j.gemv ? j.K : j.N * j.K;
    unsigned c_len = j.gemv ? j.N : j.M * j.N;
    for (unsigned i = 0; i < a_len; i++)
        A[i] = random_i8();
    for (unsigned i = 0; i < b_len; i++)
        Bt[i] = random_i8();
    if (j.gemv)
        k_gemv_i8_ref(A, Bt, C_ref, j.N, j.K, &j.rq);
    else
        k_matmul_i8_ref(A, Bt, C_ref, j.M, j.N, j.K, &j.rq);
    memset(C, 0x55, c_len);
    rt_fork(cores, run_job, &j);
    for (unsigned i = 0; i < c_len; i++) {
        if (C[i] != C_ref[i]) {
            printf("FAIL case %d (%s %ux%ux%u on %u cores): element %u = %d, expected %d\n",
                   number, j.gemv ? "gemv" : "matmul", j.M, j.N, j.K, cores, i, C[i], C_ref[i]);
            return number;
        }
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
        {8, {1, 1, 1, plain, 0}},        {8, {3, 5, 7, scaled, 0}},
        {8, {8, 16, 32, scaled, 0}},     {8, {13, 17, 33, saturating, 0}},
        {3, {64, 96, 96, scaled, 0}},    {1, {9, 9, 9, negative, 0}},
        {8, {64, 64, 64, negative, 0}},  {8, {0, 37, 129, scaled, 1}},
        {5, {0, 64, 96, saturating, 1}}, {8, {0, 7, 3, plain, 1}},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = check((int)i + 1, cases[i].cores, cases[i].j);
        if (r)
            return r;
    }
    printf("PASS\n");
    return 0;
}
