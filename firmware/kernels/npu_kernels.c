/* Layer kernels on the NPU (ortigia/npu_kernels.h). */
#include "ortigia/npu_kernels.h"

/* The layer as `mode`, run to completion on this core. */
static uint32_t run(const struct ort_npu_layer *l, enum ort_npu_mode mode, const struct ort_npu_addrs *a)
{
    struct ort_npu_layer x = *l;
    x.mode = mode;
    uint32_t regs[ORT_NPU_JOB_REGS];
    ort_npu_layer_regs(&x, a, regs);
    rt_npu_run(regs);
    rt_npu_wait_idle();
    return rt_npu_error();
}

uint32_t npu_conv1x1(const struct ort_npu_layer *l, const struct ort_npu_addrs *a)
{
    return run(l, ORT_NPU_MODE_1X1, a);
}

uint32_t npu_conv3x3(const struct ort_npu_layer *l, const struct ort_npu_addrs *a)
{
    return run(l, ORT_NPU_MODE_3X3, a);
}

uint32_t npu_dwconv3x3(const struct ort_npu_layer *l, const struct ort_npu_addrs *a)
{
    return run(l, ORT_NPU_MODE_DW, a);
}

uint32_t npu_matmul(unsigned m, unsigned k, unsigned n, const struct ort_npu_layer *q,
                    const struct ort_npu_addrs *a)
{
    struct ort_npu_layer l = *q;
    ort_npu_gemm_shape(m, &l.h_in, &l.w_in);
    l.cin = k;
    l.cout = n;
    l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = 0;
    l.in_pixel_stride = l.in_row_stride = l.out_pixel_stride = l.out_row_stride = 0; /* dense */
    return run(&l, ORT_NPU_MODE_1X1, a);
}
