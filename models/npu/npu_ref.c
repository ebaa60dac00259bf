#include "npu_ref.h"

#include <string.h>

#include "npu_regs.h"

static unsigned ksize(const struct ort_npu_layer *l)
{
    return l->mode == ORT_NPU_MODE_1X1 ? 1 : 3;
}

static unsigned tp_in(const struct ort_npu_layer *l)
{
    return l->mode == ORT_NPU_MODE_1X1 ? ORT_NPU_KI_1X1 : ORT_NPU_KI_3X3;
}

static unsigned tp_out(const struct ort_npu_layer *l)
{
    return l->mode == ORT_NPU_MODE_DW ? ORT_NPU_KO_DW : ORT_NPU_KO;
}

static unsigned ceil_div(unsigned a, unsigned b)
{
    return (a + b - 1) / b;
}

unsigned ort_npu_layer_h_out(const struct ort_npu_layer *l)
{
    return l->h_in + l->pad_top + l->pad_bottom - (ksize(l) - 1);
}

unsigned ort_npu_layer_w_out(const struct ort_npu_layer *l)
{
    return l->w_in + l->pad_left + l->pad_right - (ksize(l) - 1);
}

uint32_t ort_npu_layer_in_pixel_stride(const struct ort_npu_layer *l)
{
    return l->in_pixel_stride ? l->in_pixel_stride : l->cin;
}

uint32_t ort_npu_layer_in_row_stride(const struct ort_npu_layer *l)
{
    return l->in_row_stride ? l->in_row_stride : l->w_in * ort_npu_layer_in_pixel_stride(l);
}

uint32_t ort_npu_layer_out_pixel_stride(const struct ort_npu_layer *l)
{
    return l->out_pixel_stride ? l->out_pixel_stride : l->cout * (l->out_bits / 8);
}

uint32_t ort_npu_layer_out_row_stride(const struct ort_npu_layer *l)
{
    return l->out_row_stride ? l->out_row_stride
                             : ort_npu_layer_w_out(l) * ort_npu_layer_out_pixel_stride(l);
}

/* Input channels per weight block: depthwise weights are one block of
   cin channels (the encoder's (1, C, 3, 3) view). */
static unsigned n_ki(const struct ort_npu_layer *l)
{
    return ceil_div(l->cin, tp_in(l));
}

size_t ort_npu_weight_bytes(const struct ort_npu_layer *l)
{
    size_t words;
    if (l->mode == ORT_NPU_MODE_1X1)
        words = (size_t)l->cout * n_ki(l);
    else if (l->mode == ORT_NPU_MODE_3X3)
        words = (size_t)l->cout * n_ki(l) * l->qw;
    else
        words = (size_t)n_ki(l) * l->qw;
    return words * ORT_NPU_WORD_BYTES;
}

static void set_bit(uint8_t *word, unsigned n)
{
    word[n / 8] |= (uint8_t)(1u << (n % 8));
}

bool ort_npu_encode_weights(const struct ort_npu_layer *l, const int8_t *w, uint8_t *dst)
{
    memset(dst, 0, ort_npu_weight_bytes(l));
    unsigned k = ksize(l), taps = k * k, tp = tp_in(l), nki = n_ki(l);
    bool dw = l->mode == ORT_NPU_MODE_DW;
    unsigned couts = dw ? 1 : l->cout;
    for (unsigned co = 0; co < couts; co++)
        for (unsigned ci = 0; ci < l->cin; ci++)
            for (unsigned t = 0; t < taps; t++) {
                /* Depthwise: channel ci's filter is w[ci][0][.][.]. */
                size_t at = dw ? (size_t)ci * taps + t : ((size_t)co * l->cin + ci) * taps + t;
                int32_t u = (int32_t)w[at] - l->wmin;
                if (u < 0 || u >= (1 << l->qw))
                    return false;
                unsigned kim = ci / tp, c = ci % tp;
                for (unsigned b = 0; b < l->qw; b++) {
                    if (!((u >> b) & 1))
                        continue;
                    if (l->mode == ORT_NPU_MODE_1X1) {
                        uint8_t *word = dst + ((size_t)co * nki + kim) * ORT_NPU_WORD_BYTES;
                        set_bit(word, 32 * (c / 4) + 4 * b + c % 4);
                    } else {
                        uint8_t *word =
                            dst + (((size_t)co * nki + kim) * l->qw + b) * ORT_NPU_WORD_BYTES;
                        set_bit(word, 28 * t + c);
                    }
                }
            }
    return true;
}

/* An input value at padded position (y, x), channel c. */
static int32_t input_at(const struct ort_npu_layer *l, const uint8_t *in, int y, int x, unsigned c)
{
    int iy = y - (int)l->pad_top, ix = x - (int)l->pad_left;
    uint8_t v;
    if (iy < 0 || ix < 0 || iy >= (int)l->h_in || ix >= (int)l->w_in)
        v = l->pad_value;
    else
        v = in[(size_t)iy * ort_npu_layer_in_row_stride(l) +
               (size_t)ix * ort_npu_layer_in_pixel_stride(l) + c];
    return l->signed_in ? (int8_t)v : v;
}

uint32_t ort_npu_ref_quant(const struct ort_npu_layer *l, int32_t acc, uint32_t s, int32_t b,
                           unsigned sh)
{
    if (l->scale_bits < 32)
        s &= (1u << l->scale_bits) - 1;
    int64_t t;
    if (l->bias) {
        /* The bias step runs in a 32-bit adder: product and sum wrap. */
        uint32_t sum = (uint32_t)acc * s + (uint32_t)b;
        t = (int64_t)(int32_t)sum;
    } else {
        /* A signed 48-bit product. */
        int64_t p = (int64_t)acc * (int64_t)s;
        int64_t m = p & ((INT64_C(1) << 48) - 1);
        if (m & (INT64_C(1) << 47))
            m -= INT64_C(1) << 48;
        t = m;
    }
    /* Arithmetic shift, without rounding. */
    t = t >= 0 ? t >> sh : -((-t - 1) >> sh) - 1;
    if (l->out_bits == 8) {
        int64_t lo = l->relu ? 0 : -128, hi = l->relu ? 255 : 127;
        t = t < lo ? lo : t > hi ? hi : t;
        return (uint32_t)(t & 0xFF);
    }
    if (l->relu)
        return t < 0 ? 0u : (uint32_t)(t & 0xFFFFFFFF);
    if (t > INT32_MAX)
        t = INT32_MAX;
    if (t < INT32_MIN)
        t = INT32_MIN;
    return (uint32_t)(int32_t)t;
}

void ort_npu_ref_run(const struct ort_npu_layer *l, const uint8_t *in, const int8_t *w,
                     const uint32_t *scale, const int32_t *bias, const uint8_t *shift,
                     uint8_t *out)
{
    unsigned k = ksize(l), ho = ort_npu_layer_h_out(l), wo = ort_npu_layer_w_out(l);
    bool dw = l->mode == ORT_NPU_MODE_DW;
    uint32_t ops = ort_npu_layer_out_pixel_stride(l), ors = ort_npu_layer_out_row_stride(l);
    for (unsigned y = 0; y < ho; y++)
        for (unsigned x = 0; x < wo; x++)
            for (unsigned co = 0; co < l->cout; co++) {
                uint8_t *o = out + (size_t)y * ors + (size_t)x * ops;
                /* Accumulate modulo 2^32, as the hardware's adders wrap. */
                uint32_t acc = 0;
                if (l->streamin)
                    acc = (uint32_t)o[4 * co] | (uint32_t)o[4 * co + 1] << 8 |
                          (uint32_t)o[4 * co + 2] << 16 | (uint32_t)o[4 * co + 3] << 24;
                for (unsigned ky = 0; ky < k; ky++)
                    for (unsigned kx = 0; kx < k; kx++) {
                        if (dw) {
                            int32_t v = input_at(l, in, (int)(y + ky), (int)(x + kx), co);
                            acc += (uint32_t)(w[((size_t)co * k + ky) * k + kx] * v);
                            continue;
                        }
                        for (unsigned ci = 0; ci < l->cin; ci++) {
                            int32_t v = input_at(l, in, (int)(y + ky), (int)(x + kx), ci);
                            acc += (uint32_t)(w[(((size_t)co * l->cin + ci) * k + ky) * k + kx] * v);
                        }
                    }
                uint32_t r = acc;
                if (l->norm_quant)
                    r = ort_npu_ref_quant(l, (int32_t)acc, scale[co], bias ? bias[co] : 0,
                                          l->per_channel_shift ? shift[co] & 31u : l->shift);
                if (l->out_bits == 8) {
                    o[co] = (uint8_t)r;
                } else {
                    o[4 * co] = (uint8_t)r;
                    o[4 * co + 1] = (uint8_t)(r >> 8);
                    o[4 * co + 2] = (uint8_t)(r >> 16);
                    o[4 * co + 3] = (uint8_t)(r >> 24);
                }
            }
}

void ort_npu_layer_regs(const struct ort_npu_layer *l, const struct ort_npu_addrs *a,
                        uint32_t regs[24])
{
    unsigned ti = tp_in(l), to = tp_out(l);
    unsigned ho = ort_npu_layer_h_out(l), wo = ort_npu_layer_w_out(l);
    unsigned nki = ceil_div(l->cin, ti), nko = ceil_div(l->cout, to);
    unsigned rki = (l->cin - 1) % ti + 1, rko = (l->cout - 1) % to + 1;
    if (l->mode == ORT_NPU_MODE_DW) {
        nki = nko;
        rki = rko;
    }
    unsigned nho = ceil_div(ho, 6), nwo = ceil_div(wo, 6);
    unsigned rho = (ho - 1) % 6 + 1, rwo = (wo - 1) % 6 + 1;
    unsigned extra = l->mode == ORT_NPU_MODE_1X1 ? 0 : 2;
    uint32_t ips = ort_npu_layer_in_pixel_stride(l), irs = ort_npu_layer_in_row_stride(l);
    memset(regs, 0, 24 * sizeof regs[0]);
    regs[0] = a->weights;
    regs[1] = a->in - (l->pad_top * irs + l->pad_left * ips);
    regs[2] = a->out;
    regs[3] = a->scale;
    regs[4] = a->shift;
    regs[5] = a->bias;
    regs[6] = ips;
    regs[7] = irs;
    regs[9] = ORT_NPU_WORD_BYTES;
    regs[10] = ort_npu_layer_out_pixel_stride(l);
    regs[11] = ort_npu_layer_out_row_stride(l);
    regs[12] = ORT_NPU_WORD_BYTES;
    regs[13] = l->mode == ORT_NPU_MODE_1X1   ? ORT_NPU_WORD_BYTES * nki
               : l->mode == ORT_NPU_MODE_3X3 ? ORT_NPU_WORD_BYTES * l->qw * nki
                                             : 0;
    regs[15] = ORT_NPU_PACK(rko, rki);
    regs[16] = ORT_NPU_PACK(rho, rwo);
    regs[17] = ORT_NPU_PACK(rho + extra - l->pad_bottom, rwo + extra - l->pad_right);
    regs[18] = ORT_NPU_PACK(nko, nki);
    regs[19] = ORT_NPU_PACK(nho, nwo);
    regs[20] = ORT_NPU_PADDING(l->pad_top, l->pad_right, l->pad_bottom, l->pad_left, l->pad_value);
    regs[21] = (uint32_t)l->wmin;
    uint32_t conf = ORT_NPU_CONF0_WEIGHT_BITS(l->qw) | ((uint32_t)l->mode << 5) |
                    ORT_NPU_CONF0_WEIGHT_OFFSET_LAYER |
                    (a->wmem ? ORT_NPU_CONF0_WMEM : 0) |
                    (l->out_bits == 32 ? ORT_NPU_CONF0_OUT_32 : ORT_NPU_CONF0_OUT_8) |
                    (l->signed_in ? ORT_NPU_CONF0_SIGNED_IN : 0) |
                    (l->streamin ? ORT_NPU_CONF0_STREAMIN : 0) |
                    (l->prefetch ? ORT_NPU_CONF0_PREFETCH : 0);
    if (l->norm_quant)
        conf |= ORT_NPU_CONF0_NORM_QUANT |
                (l->scale_bits == 32   ? ORT_NPU_CONF0_NORM_32
                 : l->scale_bits == 16 ? ORT_NPU_CONF0_NORM_16
                                       : ORT_NPU_CONF0_NORM_8) |
                ORT_NPU_CONF0_SHIFT(l->shift) | (l->relu ? 0 : ORT_NPU_CONF0_NO_RELU) |
                (l->per_channel_shift ? ORT_NPU_CONF0_PER_CHANNEL_SHIFT : 0) |
                (l->bias ? ORT_NPU_CONF0_BIAS : 0);
    regs[23] = conf;
}

void ort_npu_gemm_shape(unsigned m, unsigned *h, unsigned *w)
{
    unsigned best_h = 1, best_tiles = 0;
    for (unsigned a = 1; a * a <= m; a++) {
        if (m % a)
            continue;
        unsigned b = m / a, tiles = ceil_div(a, ORT_NPU_TILE_HW) * ceil_div(b, ORT_NPU_TILE_HW);
        /* a grows towards sqrt(m): a later factor is more square */
        if (!best_tiles || tiles <= best_tiles) {
            best_tiles = tiles;
            best_h = a;
        }
    }
    *h = best_h;
    *w = m / best_h;
}
