/* The NPU from firmware, through its driver (ortigia/npu.h): layers of every
   mode, weights in L1 and in the weight memory, two jobs in flight (both
   contexts), each checked bit for bit against the host reference
   (models/npu/npu_ref.c, compiled into this program), and a refused job
   reported through ERROR. */
#include <stdio.h>
#include <string.h>

#include "ortigia/npu.h"
#include "../../models/npu/npu_ref.h"

#define IN_BYTES (12 * 12 * 64)
#define OUT_BYTES (12 * 12 * 64 * 4)
#define W_BYTES (64 * 3 * 8 * 32)

static uint8_t in[IN_BYTES] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t out[2][OUT_BYTES] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t weights_l1[W_BYTES] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t weights_wmem[W_BYTES] __attribute__((section(".wmem"), aligned(4)));
static uint32_t scale[64];                                   /* the reference's */
static uint8_t scale_mem[64 * 4] __attribute__((section(".l1bss"))); /* scale_bits / 8 bytes each */
static int32_t bias[64] __attribute__((section(".l1bss")));
static uint8_t shift[64] __attribute__((section(".l1bss")));
static int8_t w[64 * 64 * 9];
static uint8_t expect[OUT_BYTES];

static uint32_t seed = 12345;
static uint32_t next(void) { return seed = seed * 1664525u + 1013904223u; }

static int run_layer(const char *name, struct ort_npu_layer *l, int wmem)
{
    unsigned k = l->mode == ORT_NPU_MODE_1X1 ? 1 : 9;
    unsigned wcin = l->mode == ORT_NPU_MODE_DW ? 1 : l->cin;
    for (unsigned i = 0; i < l->h_in * l->w_in * l->cin; i++)
        in[i] = (uint8_t)next();
    for (unsigned i = 0; i < l->cout * wcin * k; i++)
        w[i] = (int8_t)((int32_t)(next() >> 24) - 128);
    unsigned sb = l->scale_bits / 8;
    for (unsigned c = 0; c < l->cout; c++) {
        scale[c] = next() & 0xff;
        for (unsigned k = 0; k < sb; k++) /* the NPU reads scale_bits / 8 bytes a channel */
            scale_mem[c * sb + k] = (uint8_t)(scale[c] >> (8 * k));
        bias[c] = (int32_t)(next() % 20000) - 10000;
        shift[c] = (uint8_t)(next() % 12);
    }
    uint8_t *wdst = wmem ? weights_wmem : weights_l1;
    if (ort_npu_weight_bytes(l) > W_BYTES || !ort_npu_encode_weights(l, w, wdst)) {
        printf("FAIL %s: weights do not fit or encode\n", name);
        return 1;
    }
    struct ort_npu_addrs a = {
        .weights = wmem ? (uint32_t)(uintptr_t)wdst - ORT_WMEM_BASE : (uint32_t)(uintptr_t)wdst,
        .in = (uint32_t)(uintptr_t)in, .out = (uint32_t)(uintptr_t)out[0],
        .scale = (uint32_t)(uintptr_t)scale_mem, .shift = (uint32_t)(uintptr_t)shift,
        .bias = (uint32_t)(uintptr_t)bias, .wmem = wmem != 0,
    };
    uint32_t regs[ORT_NPU_JOB_REGS];
    ort_npu_layer_regs(l, &a, regs);
    memset(out[0], 0, sizeof out[0]);
    rt_npu_run(regs);
    rt_npu_wait();
    uint32_t err = rt_npu_error();
    if (err) {
        printf("FAIL %s: the NPU refused the job (error %lu)\n", name, (unsigned long)err);
        return 1;
    }
    memset(expect, 0, sizeof expect);
    ort_npu_ref_run(l, in, w, scale, bias, shift, expect);
    size_t bytes = (size_t)ort_npu_layer_h_out(l) * ort_npu_layer_out_row_stride(l);
    for (size_t i = 0; i < bytes; i++)
        if (out[0][i] != expect[i]) {
            printf("FAIL %s: byte %u is %u, the reference says %u\n", name, (unsigned)i,
                   out[0][i], expect[i]);
            return 1;
        }
    printf("%s: %u bytes bit-exact\n", name, (unsigned)bytes);
    return 0;
}

static struct ort_npu_layer layer(enum ort_npu_mode m, unsigned hw, unsigned cin, unsigned cout,
                                  unsigned pad)
{
    struct ort_npu_layer l = {
        .mode = m, .h_in = hw, .w_in = hw, .cin = cin, .cout = cout,
        .pad_top = pad, .pad_right = pad, .pad_bottom = pad, .pad_left = pad,
        .qw = 8, .wmin = -128, .signed_in = 1, .norm_quant = 1, .scale_bits = 8,
        .bias = 1, .per_channel_shift = 1, .relu = 0, .out_bits = 8,
    };
    return l;
}

int main(void)
{
    struct ort_npu_layer l = layer(ORT_NPU_MODE_1X1, 9, 48, 40, 0);
    if (run_layer("1x1 9x9 48->40, weights in L1", &l, 0))
        return 1;
    l.relu = 1;
    l.signed_in = 0;
    if (run_layer("1x1 with ReLU, uint8 input, weights in the weight memory", &l, 1))
        return 1;
    l = layer(ORT_NPU_MODE_3X3, 10, 30, 33, 1);
    if (run_layer("3x3 10x10 30->33 padded", &l, 1))
        return 1;
    l = layer(ORT_NPU_MODE_DW, 11, 29, 29, 1);
    if (run_layer("3x3 depthwise 11x11 29 channels padded", &l, 0))
        return 1;
    l = layer(ORT_NPU_MODE_1X1, 7, 64, 16, 0);
    l.norm_quant = 0;
    l.out_bits = 32;
    if (run_layer("1x1 with 32-bit accumulators out", &l, 0))
        return 1;

    /* Two jobs in flight: both contexts taken, then both complete. */
    l = layer(ORT_NPU_MODE_1X1, 6, 32, 32, 0);
    struct ort_npu_addrs a = {.weights = (uint32_t)(uintptr_t)weights_l1,
                              .in = (uint32_t)(uintptr_t)in, .scale = (uint32_t)(uintptr_t)scale_mem,
                              .shift = (uint32_t)(uintptr_t)shift, .bias = (uint32_t)(uintptr_t)bias};
    uint32_t regs[2][ORT_NPU_JOB_REGS];
    for (int j = 0; j < 2; j++) {
        a.out = (uint32_t)(uintptr_t)out[j];
        ort_npu_layer_regs(&l, &a, regs[j]);
    }
    uint32_t id0 = rt_npu_run(regs[0]), id1 = rt_npu_run(regs[1]);
    uint32_t busy = rt_npu_status();
    rt_npu_wait_idle();
    if (busy != (ORT_NPU_STATUS_CTX0 | ORT_NPU_STATUS_CTX1) || id1 != ((id0 + 1) & 0xff) ||
        rt_npu_status() != 0 || memcmp(out[0], out[1], 6 * 6 * 32) != 0) {
        printf("FAIL two jobs: status 0x%lx, ids %lu %lu\n", (unsigned long)busy,
               (unsigned long)id0, (unsigned long)id1);
        return 1;
    }
    printf("two jobs in flight: ids %lu and %lu, the same outputs\n", (unsigned long)id0,
           (unsigned long)id1);

    /* A refused job: its output outside the L1. The event comes anyway. */
    a.out = 0x30000000u;
    ort_npu_layer_regs(&l, &a, regs[0]);
    rt_npu_run(regs[0]);
    rt_npu_wait();
    uint32_t err = rt_npu_error();
    if (err != ORT_NPU_ERR_OUTFEAT) {
        printf("FAIL a job writing outside the L1: error %lu\n", (unsigned long)err);
        return 1;
    }
    printf("a job writing outside the L1: refused (error %lu)\nPASS\n", (unsigned long)err);
    return 0;
}
