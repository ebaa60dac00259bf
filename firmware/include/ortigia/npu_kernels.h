/*
 * Layer kernels on the NPU (models/npu/npu.h), through its driver
 * (ortigia/npu.h): each computes the job registers of a layer the way the
 * Siracusa driver does (ort_npu_layer_regs), runs the job on the calling
 * core and sleeps until it completes. They return 0, or the NPU's
 * ORT_NPU_ERR_* for a job it refused (its message is on the simulator's
 * stderr).
 *
 * Tensors are HWC in L1 (activations int8 with l->signed_in, else uint8);
 * the weights are encoded with ort_npu_encode_weights (models/npu/npu_ref.h),
 * in L1 or, with a->wmem, in the weight memory (a->weights then an offset
 * from ORT_WMEM_BASE); scale, bias and shift per output channel in L1, as
 * the layer's fields say. The layer's mode is set by the kernel.
 *
 * Link models/npu/npu_ref.c (the register and shape computations) with the
 * program; libort_kernels.a has it.
 */
#ifndef ORTIGIA_NPU_KERNELS_H
#define ORTIGIA_NPU_KERNELS_H

#include <stdint.h>

#include "ortigia/npu.h"
#include "../../../models/npu/npu_ref.h"

uint32_t npu_conv1x1(const struct ort_npu_layer *l, const struct ort_npu_addrs *a);
/* 3x3, padding 0..2 on each side from the layer. */
uint32_t npu_conv3x3(const struct ort_npu_layer *l, const struct ort_npu_addrs *a);
/* 3x3 depthwise: cout = cin channels, weights [c][1][3][3]. */
uint32_t npu_dwconv3x3(const struct ort_npu_layer *l, const struct ort_npu_addrs *a);

/*
 * out[m][n] = the layer's quantization of sum_k in[m][k] w[n][k]: a GEMM
 * as a 1x1 layer with K input and N output channels, the M rows of `in`
 * as pixels of an H x W image (ort_npu_gemm_shape: Deeploy's choice).
 * `q` gives everything but the mode and the sizes (signedness, qw, wmin,
 * normalization, output bits); a->in, a->out point at the rows (dense:
 * K bytes and N * out_bits / 8 bytes each).
 */
uint32_t npu_matmul(unsigned m, unsigned k, unsigned n, const struct ort_npu_layer *q,
                    const struct ort_npu_addrs *a);

#endif
