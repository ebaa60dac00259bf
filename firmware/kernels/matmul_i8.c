/*
 * int8 matrix products with int32 accumulation (see ortigia/kernels.h).
 * The parallel kernels give each core of the team a contiguous block of
 * output rows.
 */
#include "ortigia/cluster.h"
#include "ortigia/kernels.h"

static int32_t dot_i8(const int8_t *a, const int8_t *b, unsigned k)
{
    int32_t acc = 0;
    for (unsigned i = 0; i < k; i++)
        acc += (int32_t)a[i] * (int32_t)b[i];
    return acc;
}

/* Rows [first, last) of `rows` for this core of the team. */
static void my_rows(unsigned rows, unsigned *first, unsigned *last)
{
    unsigned cores = rt_team_size(), id = rt_core_id();
    unsigned chunk = (rows + cores - 1) / cores;
    unsigned f = id * chunk;
    *first = f < rows ? f : rows;
    *last = f + chunk < rows ? f + chunk : rows;
}

void k_matmul_i8_ref(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                     unsigned K, const struct k_requant *rq)
{
    for (unsigned m = 0; m < M; m++)
        for (unsigned n = 0; n < N; n++)
            C[m * N + n] = k_requantize(dot_i8(A + m * K, Bt + n * K, K), rq);
}

void k_matmul_i8(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                 unsigned K, const struct k_requant *rq)
{
    unsigned first, last;
    my_rows(M, &first, &last);
    for (unsigned m = first; m < last; m++)
        for (unsigned n = 0; n < N; n++)
            C[m * N + n] = k_requantize(dot_i8(A + m * K, Bt + n * K, K), rq);
}

void k_gemv_i8_ref(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
                   const struct k_requant *rq)
{
    for (unsigned n = 0; n < N; n++)
        y[n] = k_requantize(dot_i8(W + n * K, x, K), rq);
}

void k_gemv_i8(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
               const struct k_requant *rq)
{
    unsigned first, last;
    my_rows(N, &first, &last);
    for (unsigned n = first; n < last; n++)
        y[n] = k_requantize(dot_i8(W + n * K, x, K), rq);
}
