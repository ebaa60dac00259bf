/*
 * Power-model anchor workload (docs/power-model.md, "Validation"): the
 * NPU busy for a long time on one layer, the cores asleep while it runs.
 * The chip-power anchors of Siracusa (332 mW at 0.8 V, 151 mW at 0.65 V,
 * 8.84 TOp/J at the SoC's peak) are figures of the chip with its neural
 * engine busy, so the model is checked on this program.
 *
 * The layer: a 3x3 convolution, 14x14 pixels (12x12 outputs: 2x2 spatial
 * subtiles), 112 -> 64 channels (4 Ki subtiles, 2 Ko subtiles), weights
 * of POWER_NPU_QW bits in the weight memory over the NPU's port, repeated
 * POWER_NPU_REPEAT times between the markers of region 1 ("npu"). The
 * job's registers are computed once and the jobs are queued through the
 * driver's two contexts, so the NPU never waits for the core: busy from
 * the first job to the last. The operands are random: the model's energy
 * does not depend on values. The result is checked against the host
 * reference (its channels split over the 8 cores) so that a broken job
 * cannot pass as a cheap one.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"
#include "ortigia/npu.h"
#include "ortigia/rt.h"
#include "../../models/npu/npu_ref.h"

#ifndef POWER_NPU_QW
#define POWER_NPU_QW 2
#endif
#ifndef POWER_NPU_REPEAT
#define POWER_NPU_REPEAT 40
#endif

#define HW 14
#define CIN 112
#define COUT 64
#define HO (HW - 2)
#define W_BYTES (COUT * (CIN / 28) * 8 * 32) /* room for qw = 8 */

static uint8_t in[HW * HW * CIN] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t out[HO * HO * COUT] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t wenc[W_BYTES] __attribute__((section(".wmem"), aligned(32)));
static uint32_t scale[COUT] __attribute__((section(".l1bss")));
static int32_t bias[COUT] __attribute__((section(".l1bss")));
static int8_t w[COUT * CIN * 9];
static uint8_t expect[HO * HO * COUT];

static struct ort_npu_layer layer;

/* The reference, output channels split over the cores. */
static void ref_part(void *arg)
{
    (void)arg;
    unsigned per = COUT / rt_team_size(), c0 = rt_core_id() * per;
    struct ort_npu_layer l = layer;
    l.cout = per;
    l.out_pixel_stride = COUT; /* the slice's channels in the whole output */
    ort_npu_ref_run(&l, in, w + (size_t)c0 * CIN * 9, scale + c0, bias + c0, NULL, expect + c0);
}

static uint32_t seed = 4242;
static uint32_t next(void) { return seed = seed * 1664525u + 1013904223u; }

int main(void)
{
    struct ort_npu_layer l = {
        .mode = ORT_NPU_MODE_3X3, .h_in = HW, .w_in = HW, .cin = CIN, .cout = COUT,
        .qw = POWER_NPU_QW, .wmin = -(1 << (POWER_NPU_QW - 1)), .signed_in = 1,
        .norm_quant = 1, .scale_bits = 32, .bias = 1, .shift = 12, .out_bits = 8,
        .prefetch = 1,
    };
    for (unsigned i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)next();
    for (unsigned i = 0; i < sizeof w; i++)
        w[i] = (int8_t)((int32_t)(next() >> 24) % (1 << POWER_NPU_QW) + l.wmin);
    for (unsigned c = 0; c < COUT; c++) {
        scale[c] = next() % 32;
        bias[c] = (int32_t)(next() % 4000) - 2000;
    }
    if (!ort_npu_encode_weights(&l, w, wenc)) {
        printf("weights out of range\n");
        return 1;
    }
    layer = l;
    struct ort_npu_addrs a = {
        .weights = (uint32_t)(uintptr_t)wenc - ORT_WMEM_BASE, .in = (uint32_t)(uintptr_t)in,
        .out = (uint32_t)(uintptr_t)out, .scale = (uint32_t)(uintptr_t)scale,
        .bias = (uint32_t)(uintptr_t)bias, .wmem = 1,
    };
    static uint32_t regs[ORT_NPU_JOB_REGS];
    ort_npu_layer_regs(&l, &a, regs);
    uint32_t t0 = rt_cycles();
    rt_region_begin(1, "npu");
    for (unsigned r = 0; r < POWER_NPU_REPEAT; r++)
        rt_npu_run(regs);
    rt_npu_wait_idle();
    rt_region_end(1);
    uint32_t t = rt_cycles() - t0;
    if (rt_npu_error()) {
        printf("the NPU refused the job (error %lu)\n", (unsigned long)rt_npu_error());
        return 1;
    }
    rt_fork(0, ref_part, 0);
    for (unsigned i = 0; i < sizeof out; i++)
        if (out[i] != expect[i]) {
            printf("mismatch at byte %u\n", i);
            return 1;
        }
    unsigned long long macs = (unsigned long long)POWER_NPU_REPEAT * HO * HO * CIN * COUT * 9;
    printf("npu %u-bit 3x3: %llu MACs in %lu cycles: %lu MAC/cycle\n", POWER_NPU_QW, macs,
           (unsigned long)t, (unsigned long)(macs / t));
    return 0;
}
