/*
 * int8 kernels for the cluster. Matrices are row-major; the second operand
 * of a matrix product is given transposed (Bt is N x K), so that both
 * operands of every dot product are contiguous in memory, as the SIMD dot
 * products want.
 *
 * Requantization of an int32 accumulator, in int32 arithmetic:
 *   y = clip((acc * mul + add) >> shift, -128, 127)      (arithmetic shift)
 *
 * The parallel kernels split the rows of the output among the cores of the
 * current fork (rt_fork): every core of the team calls them with the same
 * arguments. The _ref kernels are plain C on one core: the references the
 * tests compare with, bit for bit.
 */
#ifndef ORTIGIA_KERNELS_H
#define ORTIGIA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

struct k_requant {
    int32_t mul, add;
    unsigned shift; /* 0..31 */
};

static inline int8_t k_requantize(int32_t acc, const struct k_requant *rq)
{
    int32_t v = (int32_t)((uint32_t)acc * (uint32_t)rq->mul + (uint32_t)rq->add) >> rq->shift;
    return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}

/* C (M x N) = requant(A (M x K) x Bt (N x K)^T). */
void k_matmul_i8(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                 unsigned K, const struct k_requant *rq);
void k_matmul_i8_ref(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                     unsigned K, const struct k_requant *rq);

/* y (N) = requant(W (N x K) x x (K)): a matrix-vector product. */
void k_gemv_i8(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
               const struct k_requant *rq);
void k_gemv_i8_ref(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
                   const struct k_requant *rq);

/*
 * The same with operands and result in L2 (or the weight memory): core 0
 * streams Bt (W) through L1 in tiles of rows with the DMA, double-buffered,
 * while the team computes on the previous tile; C (y) goes back by DMA.
 * `l1_work` is L1 scratch of `work_bytes` for A (M x K), two tiles of Bt
 * and two tiles of C (for GEMV: x, y and two tiles of W). Every core of the
 * team calls it with the same arguments. Returns 0, or -1 when the
 * workspace cannot hold A plus one 1-row tile.
 */
int k_matmul_i8_dma(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                    unsigned K, const struct k_requant *rq, void *l1_work, size_t work_bytes);
int k_gemv_i8_dma(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
                  const struct k_requant *rq, void *l1_work, size_t work_bytes);

#endif
