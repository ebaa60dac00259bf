/*
 * Host side of the N-EUREKA NPU, independent of the engine: a layer
 * description, the reference arithmetic over whole arrays (a direct
 * convolution, not the engine's subtile traversal), the weight encoder
 * (int8 [Cout][Cin][kh][kw] to the NPU's memory layout) and the job
 * register values of a layer as the Siracusa driver computes them. The
 * compiler uses it to encode weights at compile time and to predict the
 * NPU's outputs bit for bit; the engine's tests check the engine against
 * it. The arithmetic it implements is specified in npu.h.
 */
#ifndef ORTIGIA_NPU_REF_H
#define ORTIGIA_NPU_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ort_npu_mode { ORT_NPU_MODE_3X3 = 0, ORT_NPU_MODE_DW = 1, ORT_NPU_MODE_1X1 = 2 };

/* Channel subtiles: input channels per Ki subtile and output channels per
   Ko subtile of each mode; the spatial subtile is 6x6 output pixels. */
#define ORT_NPU_TILE_HW 6u
#define ORT_NPU_KI_1X1 32u
#define ORT_NPU_KI_3X3 28u
#define ORT_NPU_KO 32u
#define ORT_NPU_KO_DW 28u
#define ORT_NPU_WORD_BYTES 32u /* one weight word (and one streamer vector) */

struct ort_npu_layer {
    enum ort_npu_mode mode;
    unsigned h_in, w_in;   /* input pixels (without padding) */
    unsigned cin, cout;    /* channels; depthwise: cout == cin */
    unsigned pad_top, pad_right, pad_bottom, pad_left; /* 0..2, 3x3 modes only */
    uint8_t pad_value;     /* byte value of padded pixels (as the input's type) */
    unsigned qw;           /* weight bits, 1..8 */
    int32_t wmin;          /* weight offset: a weight w is stored as w - wmin, in [0, 2^qw) */
    bool signed_in;        /* int8 activations (else uint8) */
    bool norm_quant;       /* scale/bias/shift/clip; false: raw int32 accumulators */
    unsigned scale_bits;   /* 8, 16 or 32 */
    bool bias;             /* add an int32 bias per output channel */
    bool per_channel_shift; /* a uint8 shift per output channel (else `shift`) */
    unsigned shift;        /* 0..31 */
    bool relu;             /* clip to the unsigned range (uint8 output) */
    unsigned out_bits;     /* 8 or 32 */
    bool streamin;         /* accumulators start from the int32 output (out_bits 32) */
    bool prefetch;         /* CONF0[10]: timing only (npu.h), the results are the same */
    /* Memory layout, bytes (0: dense HWC). Input pixel stride >= cin,
       output pixel stride >= cout * out_bits / 8. */
    uint32_t in_pixel_stride, in_row_stride;
    uint32_t out_pixel_stride, out_row_stride;
};

/* Output size: h_in + pad_top + pad_bottom - (k - 1), likewise for w. */
unsigned ort_npu_layer_h_out(const struct ort_npu_layer *l);
unsigned ort_npu_layer_w_out(const struct ort_npu_layer *l);
/* The strides actually used (the given ones, or the dense ones). */
uint32_t ort_npu_layer_in_pixel_stride(const struct ort_npu_layer *l);
uint32_t ort_npu_layer_in_row_stride(const struct ort_npu_layer *l);
uint32_t ort_npu_layer_out_pixel_stride(const struct ort_npu_layer *l);
uint32_t ort_npu_layer_out_row_stride(const struct ort_npu_layer *l);

/* Bytes of the encoded weights of the layer. */
size_t ort_npu_weight_bytes(const struct ort_npu_layer *l);

/*
 * Encode weights w[cout][cin][kh][kw] (depthwise: w[c][1][3][3]; 1x1:
 * kh = kw = 1) into dst (ort_npu_weight_bytes). Layout (npu.h, "Weight
 * layout"): 3x3 and depthwise, one 32-byte word per (cout, Ki subtile,
 * bit b) with bit 28 * tap + c = bit b of w - wmin; 1x1, one 32-byte word
 * per (cout, Ki subtile) with bit 32 * (c / 4) + 4 * b + c % 4 = bit b of
 * channel c. False when a weight is outside [wmin, wmin + 2^qw).
 */
bool ort_npu_encode_weights(const struct ort_npu_layer *l, const int8_t *w, uint8_t *dst);

/*
 * The reference: out = the layer applied to `in`, computed as a direct
 * convolution over the padded input. in: HWC bytes with the layer's input
 * strides (uint8 or int8); w as for the encoder; scale[cout] (the low
 * scale_bits used), bias[cout], shift[cout] (per-channel shift), each NULL
 * when unused; out: HWC with the output strides, 8-bit (uint8 with ReLU,
 * else int8) or int32 (little-endian, channel c at byte 4 c of its pixel).
 * With streamin, out holds the int32 starting values on entry.
 */
void ort_npu_ref_run(const struct ort_npu_layer *l, const uint8_t *in, const int8_t *w,
                     const uint32_t *scale, const int32_t *bias, const uint8_t *shift,
                     uint8_t *out);

/* One output value from the accumulator: the normalization/quantization
   of npu.h (scale s, bias b, shift sh), as the low out_bits of the result. */
uint32_t ort_npu_ref_quant(const struct ort_npu_layer *l, int32_t acc, uint32_t s, int32_t b,
                           unsigned sh);

/* Addresses of a job. `weights` is a byte address in the L1, or with
   `wmem` an offset in the weight memory. */
struct ort_npu_addrs {
    uint32_t weights, in, out, scale, shift, bias;
    bool wmem;
};

/* The 24 job register values of a layer (ORT_NPU_REG_JOB order), as the
   Siracusa driver (pulp-nnx neureka) computes them: INFEAT_PTR is moved
   back to the virtual padded origin, subtile numbers and remainders, and
   CONF0. */
void ort_npu_layer_regs(const struct ort_npu_layer *l, const struct ort_npu_addrs *a,
                        uint32_t regs[24]);

/* A GEMM's M rows as an H x W image for a 1x1 layer, as Deeploy lowers
   it: of the exact factorizations H * W = M, the one with the fewest 6x6
   subtiles, ties to the most square (H <= W). */
void ort_npu_gemm_shape(unsigned m, unsigned *h, unsigned *w);

#ifdef __cplusplus
}
#endif

#endif
