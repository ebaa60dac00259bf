/* The NPU's layer kernels (ortigia/npu_kernels.h): npu_conv1x1,
   npu_conv3x3, npu_dwconv3x3 checked bit for bit against the host
   reference (ort_npu_ref_run, models/npu/npu_ref.c), and npu_matmul
   against a plain GEMM with the reference's quantization, for row counts
   that factor well (64, 36), badly (37: prime) and not at all (1). */
#include <stdio.h>
#include <string.h>

#include "ortigia/npu_kernels.h"

#define IN_BYTES (12 * 12 * 64)
#define OUT_BYTES (12 * 12 * 64)
#define W_BYTES (64 * 3 * 8 * 32)

static uint8_t in[IN_BYTES] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t out[OUT_BYTES] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t wenc[W_BYTES] __attribute__((section(".wmem"), aligned(4)));
static uint32_t scale[64] __attribute__((section(".l1bss")));
static int32_t bias[64] __attribute__((section(".l1bss")));
static int8_t w[64 * 64 * 9];
static uint8_t expect[OUT_BYTES];

static uint32_t seed = 777;
static uint32_t next(void) { return seed = seed * 1664525u + 1013904223u; }

static struct ort_npu_layer quant_layer(void)
{
    struct ort_npu_layer l = {
        .qw = 8, .wmin = -128, .signed_in = 1, .norm_quant = 1, .scale_bits = 32, .bias = 1,
        .shift = 9, .out_bits = 8,
    };
    return l;
}

static void fill(unsigned in_bytes, unsigned w_count, unsigned cout)
{
    for (unsigned i = 0; i < in_bytes; i++)
        in[i] = (uint8_t)next();
    for (unsigned i = 0; i < w_count; i++)
        w[i] = (int8_t)((int32_t)(next() >> 24) - 128);
    for (unsigned c = 0; c < cout; c++) {
        scale[c] = next() % 64;
        bias[c] = (int32_t)(next() % 40000) - 20000;
    }
}

static struct ort_npu_addrs addrs(void)
{
    struct ort_npu_addrs a = {
        .weights = (uint32_t)(uintptr_t)wenc - ORT_WMEM_BASE, .in = (uint32_t)(uintptr_t)in,
        .out = (uint32_t)(uintptr_t)out, .scale = (uint32_t)(uintptr_t)scale,
        .bias = (uint32_t)(uintptr_t)bias, .wmem = 1,
    };
    return a;
}

static int compare(const char *name, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        if (out[i] != expect[i]) {
            printf("FAIL %s: byte %u is %u, the reference says %u\n", name, i, out[i], expect[i]);
            return 1;
        }
    printf("%s: %u bytes bit-exact\n", name, bytes);
    return 0;
}

typedef uint32_t (*kernel)(const struct ort_npu_layer *, const struct ort_npu_addrs *);

static int conv(const char *name, kernel k, struct ort_npu_layer l)
{
    unsigned taps = l.mode == ORT_NPU_MODE_1X1 ? 1 : 9, wcin = l.mode == ORT_NPU_MODE_DW ? 1 : l.cin;
    fill(l.h_in * l.w_in * l.cin, l.cout * wcin * taps, l.cout);
    if (ort_npu_weight_bytes(&l) > W_BYTES || !ort_npu_encode_weights(&l, w, wenc)) {
        printf("FAIL %s: the weights do not encode\n", name);
        return 1;
    }
    struct ort_npu_addrs a = addrs();
    memset(out, 0, sizeof out);
    uint32_t err = k(&l, &a);
    if (err) {
        printf("FAIL %s: the NPU refused the job (error %lu)\n", name, (unsigned long)err);
        return 1;
    }
    memset(expect, 0, sizeof expect);
    ort_npu_ref_run(&l, in, w, scale, bias, NULL, expect);
    return compare(name, ort_npu_layer_h_out(&l) * ort_npu_layer_out_row_stride(&l));
}

static int matmul(unsigned m, unsigned k, unsigned n)
{
    struct ort_npu_layer q = quant_layer(), l = q;
    l.mode = ORT_NPU_MODE_1X1;
    l.h_in = l.w_in = 1;
    l.cin = k;
    l.cout = n;
    fill(m * k, n * k, n);
    if (!ort_npu_encode_weights(&l, w, wenc)) {
        printf("FAIL matmul: the weights do not encode\n");
        return 1;
    }
    struct ort_npu_addrs a = addrs();
    memset(out, 0, sizeof out);
    uint32_t err = npu_matmul(m, k, n, &q, &a);
    if (err) {
        printf("FAIL matmul %ux%ux%u: the NPU refused the job (error %lu)\n", m, k, n, (unsigned long)err);
        return 1;
    }
    /* A plain GEMM, then the reference's quantization of each sum. */
    for (unsigned r = 0; r < m; r++)
        for (unsigned c = 0; c < n; c++) {
            int32_t acc = 0;
            for (unsigned i = 0; i < k; i++)
                acc += (int32_t)(int8_t)in[r * k + i] * w[c * k + i];
            expect[r * n + c] = (uint8_t)ort_npu_ref_quant(&q, acc, scale[c], bias[c], q.shift);
        }
    unsigned h, wd;
    ort_npu_gemm_shape(m, &h, &wd);
    char name[64];
    snprintf(name, sizeof name, "matmul %ux%ux%u as %ux%u pixels", m, k, n, h, wd);
    return compare(name, m * n);
}

int main(void)
{
    struct ort_npu_layer l = quant_layer();
    l.mode = ORT_NPU_MODE_1X1;
    l.h_in = l.w_in = 9;
    l.cin = 48;
    l.cout = 40;
    if (conv("npu_conv1x1 9x9 48->40", npu_conv1x1, l))
        return 1;
    l.mode = ORT_NPU_MODE_3X3;
    l.h_in = l.w_in = 10;
    l.cin = 30;
    l.cout = 33;
    l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = 1;
    if (conv("npu_conv3x3 10x10 30->33 padded", npu_conv3x3, l))
        return 1;
    l.mode = ORT_NPU_MODE_DW;
    l.h_in = l.w_in = 11;
    l.cin = l.cout = 29;
    if (conv("npu_dwconv3x3 11x11 29 channels padded", npu_dwconv3x3, l))
        return 1;
    static const unsigned rows[] = {64, 36, 37, 1};
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (matmul(rows[i], 45, 40))
            return 1;
    printf("PASS\n");
    return 0;
}
