// N-EUREKA NPU engine: bit-exactness against the host reference (npu_ref)
// over many random layers, the two-context job queue, exact cycle counts
// from the timing formula of npu.h, L1 contention, independence from the
// advance step, every error path, and the NPU in the cluster scheduler.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core_harness.h"

extern "C" {
#include "cluster.h"
#include "decode_cache.h"
#include "npu.h"
#include "npu_ref.h"
}

namespace {

constexpr uint32_t kL1 = 0x10000000u;
constexpr uint32_t kL1Size = 256 * 1024;
constexpr uint32_t kWmem = 0x10400000u;
constexpr uint32_t kWmemSize = 1024 * 1024;
constexpr uint32_t kBanks = 16;

struct Wake {
    unsigned core;
    uint64_t cycle;
};

/* An NPU with an L1 (memory + bank timing), a weight memory and an event
   unit, driven through its register interface. */
struct Npu {
    ort_mem l1{}, wmem{};
    ort_tcdm tcdm{};
    ort_event_unit eu{};
    ort_npu npu{};
    std::vector<Wake> wakes;

    explicit Npu(const ort_npu_params *params = nullptr, unsigned cores = 2,
                 uint32_t l1_size = kL1Size)
    {
        EXPECT_TRUE(ort_mem_init(&l1, "l1", kL1, l1_size, 0));
        EXPECT_TRUE(ort_mem_init(&wmem, "wmem", kWmem, kWmemSize, 0));
        EXPECT_TRUE(ort_tcdm_init(&tcdm, kL1, l1_size, kBanks));
        ort_eu_init(&eu, cores, &Npu::on_eu_wake, this);
        ort_npu_params p;
        ort_npu_default_params(&p, cores);
        if (params)
            p = *params;
        char err[256];
        EXPECT_TRUE(ort_npu_init(&npu, &p, err, sizeof err)) << err;
        ort_npu_set_l1(&npu, &l1, &tcdm);
        ort_npu_set_weight_memory(&npu, &wmem);
        ort_npu_set_event_unit(&npu, &eu);
        ort_npu_set_wake(&npu, &Npu::on_wake, this);
    }
    ~Npu()
    {
        ort_tcdm_free(&tcdm);
        ort_mem_free(&wmem);
        ort_mem_free(&l1);
    }
    Npu(const Npu &) = delete;
    Npu &operator=(const Npu &) = delete;

    static void on_wake(void *ctx, unsigned core, uint64_t cycle)
    {
        static_cast<Npu *>(ctx)->wakes.push_back({core, cycle});
    }
    static void on_eu_wake(void *, unsigned, uint64_t) {}

    rv_bus_status access(unsigned core, uint32_t off, bool is_write, uint32_t *v, uint64_t now)
    {
        uint32_t extra = 99;
        rv_bus_status s = ort_npu_access(&npu, core, off, 4, is_write, v, now, &extra);
        EXPECT_EQ(extra, 0u);
        return s;
    }
    void set(unsigned core, uint32_t off, uint32_t v, uint64_t now = 0)
    {
        EXPECT_EQ(access(core, off, true, &v, now), RV_BUS_OK);
    }
    uint32_t get(unsigned core, uint32_t off, uint64_t now = 0)
    {
        uint32_t v = 0xDEADBEEFu;
        EXPECT_EQ(access(core, off, false, &v, now), RV_BUS_OK);
        return v;
    }
    /* ACQUIRE, the 24 registers, TRIGGER = `trigger`; returns the job id. */
    uint32_t submit(const uint32_t regs[24], uint64_t now = 0, unsigned core = 0,
                    uint32_t trigger = 0)
    {
        uint32_t id = get(core, ORT_NPU_REG_ACQUIRE, now);
        for (unsigned i = 0; i < 24; i++)
            set(core, ORT_NPU_REG_JOB(i), regs[i], now);
        set(core, ORT_NPU_REG_TRIGGER, trigger, now);
        return id;
    }
    /* Advance by `step` until `jobs` jobs have completed; the cycle of the
       last completion. */
    uint64_t run_until_done(uint64_t jobs, uint64_t step = 1000, uint64_t from = 0)
    {
        uint64_t t = from;
        while (npu.jobs < jobs) {
            t += step;
            ort_npu_advance(&npu, t);
            if (t > 100000000u) {
                ADD_FAILURE() << "the NPU never finished";
                break;
            }
        }
        return npu.engine_free;
    }
    uint8_t *at(uint32_t addr) { return l1.data + (addr - kL1); }
};

/* A layer in memory: where everything is, and its reference output. */
struct Placed {
    ort_npu_layer l{};
    ort_npu_addrs a{};
    std::vector<int8_t> w;
    std::vector<uint32_t> scale;
    std::vector<int32_t> bias;
    std::vector<uint8_t> shift;
    uint32_t out_bytes = 0;
    uint32_t regs[24]{};
};

uint32_t in_bytes(const ort_npu_layer &l)
{
    return (l.h_in - 1) * ort_npu_layer_in_row_stride(&l) +
           (l.w_in - 1) * ort_npu_layer_in_pixel_stride(&l) + l.cin;
}

uint32_t out_span(const ort_npu_layer &l)
{
    return (ort_npu_layer_h_out(&l) - 1) * ort_npu_layer_out_row_stride(&l) +
           (ort_npu_layer_w_out(&l) - 1) * ort_npu_layer_out_pixel_stride(&l) +
           l.cout * l.out_bits / 8;
}

/* Put the layer's data in memory (random contents from rng), encode the
   weights, compute the registers. `skew` misaligns the regions. */
void place(Npu &n, Placed &p, std::mt19937 &rng, bool wmem, unsigned skew = 0)
{
    ort_npu_layer &l = p.l;
    auto byte = [&] { return (uint8_t)(rng() & 0xFF); };
    uint32_t next = kL1 + 0x100 + skew;
    auto alloc = [&](uint32_t bytes) {
        uint32_t a = next;
        next += (bytes + 63) & ~31u;
        next += skew;
        EXPECT_LE(next, kL1 + n.l1.size) << "layer too large for the test L1";
        return a;
    };
    p.a.in = alloc(in_bytes(l));
    for (uint32_t k = 0; k < in_bytes(l); k++)
        *n.at(p.a.in + k) = byte();
    unsigned taps = l.mode == ORT_NPU_MODE_1X1 ? 1 : 9;
    size_t nw = l.mode == ORT_NPU_MODE_DW ? (size_t)l.cout * taps : (size_t)l.cout * l.cin * taps;
    p.w.resize(nw);
    int span = 1 << l.qw;
    for (auto &v : p.w)
        v = (int8_t)(l.wmin + (int)(rng() % (unsigned)span));
    size_t wb = ort_npu_weight_bytes(&l);
    std::vector<uint8_t> enc(wb);
    EXPECT_TRUE(ort_npu_encode_weights(&l, p.w.data(), enc.data()));
    p.a.wmem = wmem;
    if (wmem) {
        p.a.weights = 0x40 + skew; // an offset in the weight memory
        memcpy(n.wmem.data + p.a.weights, enc.data(), wb);
    } else {
        p.a.weights = alloc((uint32_t)wb);
        memcpy(n.at(p.a.weights), enc.data(), wb);
    }
    p.scale.resize(l.cout);
    p.bias.resize(l.cout);
    p.shift.resize(l.cout);
    unsigned sb = l.scale_bits / 8;
    p.a.scale = alloc(l.cout * 4);
    p.a.bias = alloc(l.cout * 4);
    p.a.shift = alloc(l.cout);
    for (unsigned c = 0; c < l.cout; c++) {
        uint32_t s = rng();
        if (rng() % 2)
            s &= 0xFF; // small scales make outputs that are not all saturated
        s &= sb == 4 ? 0xFFFFFFFFu : (1u << (8 * sb)) - 1;
        p.scale[c] = s;
        for (unsigned k = 0; k < sb; k++)
            *n.at(p.a.scale + c * sb + k) = (uint8_t)(s >> (8 * k));
        p.bias[c] = (int32_t)(rng() % 200001) - 100000;
        if (rng() % 8 == 0)
            p.bias[c] = (int32_t)rng();
        for (unsigned k = 0; k < 4; k++)
            *n.at(p.a.bias + c * 4 + k) = (uint8_t)((uint32_t)p.bias[c] >> (8 * k));
        p.shift[c] = (uint8_t)std::min(31u, l.shift + (unsigned)(rng() % 5) - 2);
        *n.at(p.a.shift + c) = p.shift[c];
    }
    p.out_bytes = out_span(l);
    p.a.out = alloc(p.out_bytes);
    for (uint32_t k = 0; k < p.out_bytes; k++)
        *n.at(p.a.out + k) = byte(); // streamin values and untouched gaps
    ort_npu_layer_regs(&l, &p.a, p.regs);
}

/* The expected output region: the reference over copies of the inputs. */
std::vector<uint8_t> expected(Npu &n, const Placed &p)
{
    std::vector<uint8_t> out(n.at(p.a.out), n.at(p.a.out) + p.out_bytes);
    ort_npu_ref_run(&p.l, n.at(p.a.in), p.w.data(), p.scale.data(),
                    p.l.bias ? p.bias.data() : nullptr, p.shift.data(), out.data());
    return out;
}

/* A random layer that the hardware can run. */
ort_npu_layer random_layer(std::mt19937 &rng, int mode = -1)
{
    auto pick = [&](unsigned lo, unsigned hi) { return lo + (unsigned)(rng() % (hi - lo + 1)); };
    ort_npu_layer l{};
    l.mode = (ort_npu_mode)(mode >= 0 ? mode : (int)pick(0, 2));
    l.cin = pick(1, 70);
    l.cout = l.mode == ORT_NPU_MODE_DW ? l.cin : pick(1, 70);
    if (l.mode != ORT_NPU_MODE_1X1) {
        l.pad_top = pick(0, 2);
        l.pad_right = pick(0, 2);
        l.pad_bottom = pick(0, 2);
        l.pad_left = pick(0, 2);
    }
    unsigned k = l.mode == ORT_NPU_MODE_1X1 ? 1 : 3;
    // at least one output pixel
    l.h_in = pick(1, 15);
    l.w_in = pick(1, 15);
    while (l.h_in + l.pad_top + l.pad_bottom < k)
        l.h_in++;
    while (l.w_in + l.pad_left + l.pad_right < k)
        l.w_in++;
    l.pad_value = (uint8_t)rng();
    l.qw = rng() % 3 == 0 ? pick(1, 7) : 8;
    l.wmin = rng() % 2 ? -(1 << (l.qw - 1)) : (int32_t)pick(0, 256 - (1u << l.qw)) - 128;
    l.signed_in = rng() % 2;
    l.norm_quant = rng() % 4 != 0;
    l.scale_bits = 8u << pick(0, 2);
    l.bias = l.norm_quant && rng() % 2;
    l.per_channel_shift = l.norm_quant && rng() % 2;
    // A shift near log2 of the typical |acc * scale| / 64 (|x w| ~ 2^13,
    // random signs, scale ~ 2^7), so that most outputs are not clipped.
    unsigned taps = k * k * (l.mode == ORT_NPU_MODE_DW ? 1 : l.cin), lg = 0;
    while ((1u << (2 * lg)) < taps)
        lg++;
    l.shift = std::min(31u, 14 + lg + pick(0, 4) - 2);
    l.relu = rng() % 2;
    l.out_bits = !l.norm_quant || rng() % 3 == 0 ? 32 : 8;
    l.streamin = l.out_bits == 32 && rng() % 3 == 0;
    l.prefetch = rng() % 2;
    if (rng() % 3 == 0) { // channel slices of larger tensors, padded rows
        l.in_pixel_stride = l.cin + pick(0, 5);
        l.in_row_stride = l.w_in * l.in_pixel_stride + pick(0, 9);
        l.out_pixel_stride = l.cout * l.out_bits / 8 + pick(0, 3) * (l.out_bits / 8);
        l.out_row_stride = ort_npu_layer_w_out(&l) * l.out_pixel_stride + pick(0, 7);
    }
    return l;
}

std::string describe(const ort_npu_layer &l, bool wmem)
{
    char b[400];
    snprintf(b, sizeof b,
             "mode %d in %ux%ux%u out %u pad t%u r%u b%u l%u v%u qw %u wmin %d signed %d quant %d "
             "scale %u bias %d chshift %d shift %u relu %d out %u streamin %d strides %u/%u %u/%u "
             "wmem %d prefetch %d",
             (int)l.mode, l.h_in, l.w_in, l.cin, l.cout, l.pad_top, l.pad_right, l.pad_bottom,
             l.pad_left, l.pad_value, l.qw, l.wmin, l.signed_in, l.norm_quant, l.scale_bits,
             l.bias, l.per_channel_shift, l.shift, l.relu, l.out_bits, l.streamin,
             l.in_pixel_stride, l.in_row_stride, l.out_pixel_stride, l.out_row_stride, wmem,
             l.prefetch);
    return b;
}

/* 8-bit outputs seen by check_layer, and those not at a clip bound: the
   random layers must exercise more than saturation. */
struct {
    uint64_t total, inside;
} g_out8;

/* Run one placed layer; check the output region bit for bit. */
void check_layer(Placed &p, std::mt19937 &rng, bool wmem, unsigned skew, uint64_t step = 997)
{
    Npu n;
    place(n, p, rng, wmem, skew);
    std::vector<uint8_t> want = expected(n, p);
    if (p.l.out_bits == 8 && !p.l.out_pixel_stride)
        for (uint8_t v : want) {
            g_out8.total++;
            g_out8.inside += v != 0 && v != 255 && v != 127 && v != 128;
        }
    n.submit(p.regs);
    uint64_t done = n.run_until_done(1, step);
    ASSERT_EQ(n.npu.errors, 0u) << ort_npu_last_error(&n.npu) << "\n" << describe(p.l, wmem);
    // The compiler's estimate (ort_npu_job_cycles) is the job's cycles
    // less only the cycles it waited for L1 banks.
    EXPECT_EQ(done, ort_npu_job_cycles(&n.npu.p, p.regs) + n.npu.tcdm_wait_cycles) << describe(p.l, wmem);
    const uint8_t *got = n.at(p.a.out);
    for (uint32_t k = 0; k < p.out_bytes; k++)
        ASSERT_EQ(got[k], want[k]) << "output byte " << k << " of " << p.out_bytes << "\n"
                                   << describe(p.l, wmem);
}

} // namespace

// ---- the host side ----------------------------------------------------------

TEST(NpuRef, QuantizationFollowsTheSpecification)
{
    ort_npu_layer l{};
    l.norm_quant = true;
    l.scale_bits = 8;
    l.out_bits = 8;
    l.relu = true;
    EXPECT_EQ(ort_npu_ref_quant(&l, 1000, 3, 0, 4), 187u);    // 3000 >> 4
    EXPECT_EQ(ort_npu_ref_quant(&l, -1000, 3, 0, 4), 0u);     // ReLU
    EXPECT_EQ(ort_npu_ref_quant(&l, 100000, 255, 0, 2), 255u); // saturates
    l.relu = false;
    EXPECT_EQ(ort_npu_ref_quant(&l, -1000, 3, 0, 4), (uint32_t)(uint8_t)-128); // -188 clips
    EXPECT_EQ(ort_npu_ref_quant(&l, -17, 1, 0, 2), (uint32_t)(uint8_t)-5);   // floor, no rounding
    l.bias = true;
    EXPECT_EQ(ort_npu_ref_quant(&l, 10, 2, -30, 1), (uint32_t)(uint8_t)-5); // (20 - 30) >> 1
    l.out_bits = 32;
    l.bias = false;
    l.scale_bits = 32;
    // 48-bit product: 2^30 * 2^20 = 2^50 wraps to 0 in 48 bits
    EXPECT_EQ(ort_npu_ref_quant(&l, 1 << 30, 1u << 20, 0, 0), 0u);
    // saturates to int32 without ReLU
    EXPECT_EQ(ort_npu_ref_quant(&l, 1 << 30, 4, 0, 0), 0x7FFFFFFFu);
    l.relu = true; // with ReLU, the low 32 bits of a positive result
    EXPECT_EQ(ort_npu_ref_quant(&l, 1 << 30, 4, 0, 0), 0u);
    l.bias = true; // the 32-bit multiply-add wraps
    l.relu = false;
    EXPECT_EQ(ort_npu_ref_quant(&l, 0x40000000, 2, 5, 0), 0x80000005u);
}

TEST(NpuRef, WeightEncodingMatchesTheDocumentedLayout)
{
    ort_npu_layer l{};
    l.mode = ORT_NPU_MODE_1X1;
    l.cin = 5;
    l.cout = 1;
    l.qw = 8;
    l.wmin = -128;
    std::vector<int8_t> w = {-128, -127, 0, 127, 5};
    ASSERT_EQ(ort_npu_weight_bytes(&l), 32u);
    std::vector<uint8_t> e(32);
    ASSERT_TRUE(ort_npu_encode_weights(&l, w.data(), e.data()));
    // w_u = 0, 1, 128, 255, 133; bit 32 g + 4 b + c4 = bit b of channel 4 g + c4
    auto bit = [&](unsigned n) { return (e[n / 8] >> (n % 8)) & 1; };
    EXPECT_EQ(bit(0 * 4 + 1), 1); // channel 1 bit 0
    EXPECT_EQ(bit(7 * 4 + 2), 1); // channel 2 bit 7
    EXPECT_EQ(bit(1 * 4 + 2), 0);
    for (unsigned b = 0; b < 8; b++)
        EXPECT_EQ(bit(4 * b + 3), 1); // channel 3 = 255
    EXPECT_EQ(bit(32 + 0), 1);        // channel 4 = 133: bits 0, 2, 7
    EXPECT_EQ(bit(32 + 8), 1);
    EXPECT_EQ(bit(32 + 28), 1);
    EXPECT_EQ(bit(32 + 4), 0);
    // Out of range for qw = 2 with this offset: refused.
    l.qw = 2;
    EXPECT_FALSE(ort_npu_encode_weights(&l, w.data(), e.data()));

    // 3x3: one word per (cout, Ki subtile, bit); bit 28 tap + c.
    ort_npu_layer k3{};
    k3.mode = ORT_NPU_MODE_3X3;
    k3.cin = 30;
    k3.cout = 2;
    k3.qw = 3;
    k3.wmin = 0;
    EXPECT_EQ(ort_npu_weight_bytes(&k3), 2u * 2 * 3 * 32);
    std::vector<int8_t> w3(2 * 30 * 9, 0);
    w3[((1 * 30 + 29) * 9) + 4] = 5; // cout 1, channel 29 (Ki subtile 1, c 1), tap 4: bits 0, 2
    std::vector<uint8_t> e3(ort_npu_weight_bytes(&k3));
    ASSERT_TRUE(ort_npu_encode_weights(&k3, w3.data(), e3.data()));
    auto bit3 = [&](unsigned word, unsigned n) { return (e3[32 * word + n / 8] >> (n % 8)) & 1; };
    unsigned base = (1 * 2 + 1) * 3; // word of (cout 1, kim 1, b 0)
    EXPECT_EQ(bit3(base + 0, 28 * 4 + 1), 1);
    EXPECT_EQ(bit3(base + 1, 28 * 4 + 1), 0);
    EXPECT_EQ(bit3(base + 2, 28 * 4 + 1), 1);
    unsigned set = 0;
    for (uint8_t v : e3)
        set += (unsigned)__builtin_popcount(v);
    EXPECT_EQ(set, 2u);
}

// ---- bit-exactness ------------------------------------------------------------

TEST(Npu, MatchesTheReferenceOnRandomLayers)
{
    std::mt19937 rng(20261202);
    for (int t = 0; t < 150; t++) {
        Placed p;
        p.l = random_layer(rng, t % 3);
        bool wmem = rng() % 2;
        unsigned skew = rng() % 4 == 0 ? (unsigned)(rng() % 4) : 0;
        SCOPED_TRACE("layer " + std::to_string(t));
        check_layer(p, rng, wmem, skew);
        if (HasFatalFailure())
            return;
    }
    EXPECT_GT(g_out8.total, 10000u);
    EXPECT_GT(g_out8.inside * 4, g_out8.total) << g_out8.inside << " of " << g_out8.total;
}

TEST(Npu, MatchesTheReferenceOnFullTilesAndRemainders)
{
    // Every mode at exact multiples of the subtiles and one past them.
    std::mt19937 rng(7);
    for (int mode = 0; mode < 3; mode++)
        for (unsigned extra : {0u, 1u}) {
            Placed p;
            ort_npu_layer &l = p.l;
            l.mode = (ort_npu_mode)mode;
            l.cin = (mode == ORT_NPU_MODE_1X1 ? 64 : 56) + extra;
            l.cout = mode == ORT_NPU_MODE_DW ? l.cin : 64 + extra;
            unsigned pad = mode == ORT_NPU_MODE_1X1 ? 0 : 1;
            l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = pad;
            l.h_in = l.w_in = 12 + extra;
            l.qw = 8;
            l.wmin = -128;
            l.signed_in = true;
            l.norm_quant = true;
            l.scale_bits = 8;
            l.bias = true;
            l.shift = 9;
            l.relu = false;
            l.out_bits = 8;
            l.prefetch = extra == 1;
            SCOPED_TRACE(describe(l, extra));
            check_layer(p, rng, extra == 1, 0);
        }
}

// ---- timing ---------------------------------------------------------------------

namespace {

/* A full 1x1 subtile: 6x6 pixels, 32 in, 32 out, 8-bit scale and bias,
   8-bit output: the design note's worked example. */
ort_npu_layer full_1x1()
{
    ort_npu_layer l{};
    l.mode = ORT_NPU_MODE_1X1;
    l.h_in = l.w_in = 6;
    l.cin = l.cout = 32;
    l.qw = 8;
    l.wmin = -128;
    l.norm_quant = true;
    l.scale_bits = 8;
    l.bias = true;
    l.shift = 8;
    l.out_bits = 8;
    return l;
}

/* The full 1x1 subtile laid out in n with random data from `seed`. */
void lay_out(Npu &n, Placed &p, uint32_t seed, bool wmem = false)
{
    std::mt19937 rng(seed);
    p.l = full_1x1();
    place(n, p, rng, wmem);
}

} // namespace

TEST(Npu, AFull1x1SubtileTakesTheDocumentedCycles)
{
    Npu n;
    Placed p;
    lay_out(n, p, 1);
    n.submit(p.regs, 100);
    // start 1; load 6 + 36 + (36 - 36) + 6; weights 10 + 32; multiply
    // 1 access + 7 + 9; bias 4 accesses + 8; streamout 36 + 3; end 1.
    uint64_t want = 100 + 1 + (6 + 42) + (10 + 32) + 17 + 12 + 39 + 1;
    EXPECT_EQ(n.run_until_done(1, 1, 100), want);
    EXPECT_EQ(want - 101, 159u); // the design note's sum
    EXPECT_EQ(n.npu.macs, 36u * 32 * 32);
    EXPECT_EQ(n.npu.tcdm_wait_cycles, 0u);
    EXPECT_EQ(n.npu.busy_cycles, 159u);
    // accesses: 36 loads, 32 weight words, 1 scale, 4 bias, 36 stores
    EXPECT_EQ(n.npu.streamer_accesses, 36u + 32 + 1 + 4 + 36);
    // The event reaches the triggering core at completion.
    EXPECT_EQ(n.eu.core[0].pending & ORT_EU_EVENT_NPU, ORT_EU_EVENT_NPU);
    EXPECT_EQ(n.eu.core[1].pending & ORT_EU_EVENT_NPU, 0u);
}

TEST(Npu, RemaindersAndTheWeightPortTakeTheDocumentedCycles)
{
    std::mt19937 rng(2);
    Npu n;
    Placed p;
    ort_npu_layer &l = p.l;
    l = full_1x1();
    l.h_in = l.w_in = 4; // remHo = remWo = 4
    l.cin = 40;          // nKi 2, remKi 8
    l.cout = 10;         // remKo 10
    l.per_channel_shift = true;
    place(n, p, rng, true); // weights over the weight port
    n.submit(p.regs, 0);
    uint64_t ki = (6 + 16 + (36 - 16) + 6) + (10 + 10); // per Ki subtile
    uint64_t norm = (1 + 7) + (1 + 2 + 9) + (2 + 8);   // shifts, 3 multiply cycles, 2 bias
    uint64_t out = (3 * 6 + 4) + 3;
    uint64_t want = 1 + 2 * ki + norm + out + 1;
    EXPECT_EQ(n.run_until_done(1, 1), want);
    EXPECT_EQ(n.npu.weight_port_bytes, 2u * 10 * 32);
    EXPECT_EQ(n.npu.macs, 16u * 10 * 40);
}

TEST(Npu, PrefetchHidesTheNextLoadBehindTheWeightPort)
{
    // A full 1x1 subtile with two Ki subtiles (64 input channels).
    for (bool prefetch : {false, true}) {
        for (bool wmem : {false, true}) {
            std::mt19937 rng(18);
            Npu n;
            Placed p;
            p.l = full_1x1();
            p.l.cin = 64;
            p.l.prefetch = prefetch;
            place(n, p, rng, wmem);
            std::vector<uint8_t> want = expected(n, p);
            n.submit(p.regs, 0);
            uint64_t ki = (6 + 36 + 0 + 6) + (10 + 32), tail = 17 + 12 + 39 + 1;
            uint64_t want_cycles = 1 + 2 * ki + tail;
            if (prefetch && wmem) // the second load during the first 36 weight slots
                want_cycles = 1 + (6 + 36 + 6) + 10 + 36 + 3 + 3 + 32 + tail;
            // Without contention the engine's completion estimate is exact.
            EXPECT_EQ(ort_npu_next_event(&n.npu), want_cycles);
            EXPECT_EQ(n.run_until_done(1, 1), want_cycles) << prefetch << wmem;
            EXPECT_EQ(memcmp(n.at(p.a.out), want.data(), want.size()), 0);
            EXPECT_EQ(n.npu.buffer_writes, 72u);
        }
    }
    // 3x3: 56 input channels, 8x8 input, the second load (64 accesses)
    // inside the first 32 x 8 weight slots.
    std::mt19937 rng(19);
    Npu n;
    Placed p;
    p.l = full_1x1();
    p.l.mode = ORT_NPU_MODE_3X3;
    p.l.h_in = p.l.w_in = 8;
    p.l.cin = 56;
    p.l.prefetch = true;
    place(n, p, rng, true);
    n.submit(p.regs, 0);
    uint64_t want_cycles = 1 + (6 + 64) + (6 + 256 + 8) + 3 + (6 + 256 + 8) + 17 + 12 + 36 + 1;
    EXPECT_EQ(ort_npu_next_event(&n.npu), want_cycles);
    EXPECT_EQ(n.run_until_done(1, 1), want_cycles);
}

TEST(Npu, A3x3AndADepthwiseSubtileTakeTheDocumentedCycles)
{
    std::mt19937 rng(3);
    for (int mode : {ORT_NPU_MODE_3X3, ORT_NPU_MODE_DW}) {
        Npu n;
        Placed p;
        ort_npu_layer &l = p.l;
        l = full_1x1();
        l.mode = (ort_npu_mode)mode;
        l.cin = 28;
        l.cout = mode == ORT_NPU_MODE_DW ? 28 : 32;
        l.h_in = l.w_in = 8; // 6x6 output, 8x8 input
        place(n, p, rng, false);
        n.submit(p.regs, 0);
        unsigned ko = l.cout;
        uint64_t mv = mode == ORT_NPU_MODE_DW ? 34 + 8 : 6 + 32 * 8 + 8;
        uint64_t want = 1 + (6 + 64) + mv + (1 + (ko * 8 + 31) / 32 - 1 + 9) +
                        ((ko * 4 + 31) / 32 + 8) + 36 + 1;
        EXPECT_EQ(n.run_until_done(1, 1), want) << "mode " << mode;
    }
    // The design note's 3x3 example: 6 + 64 + 6 + 256 + 8 + 17 + 12 + 36 + 1 = 406.
    EXPECT_EQ(6 + 64 + 6 + 256 + 8 + 17 + 12 + 36 + 1, 406);
}

namespace {

/* Lay out `l` (seed 9), let `contend` claim L1 slots as other masters
   would, run to completion advancing by `step`; checks the output against
   the reference. Returns the completion cycle; *waits: the NPU's. */
uint64_t run_contended_job(const ort_npu_layer &l, bool misaligned,
                           void (*contend)(ort_tcdm *t, const Placed &p), uint64_t step,
                           uint64_t *waits)
{
    Npu n;
    std::mt19937 r(9);
    Placed p;
    p.l = l;
    place(n, p, r, false, misaligned ? 1 : 0);
    if (contend)
        contend(&n.tcdm, p);
    std::vector<uint8_t> want = expected(n, p);
    n.submit(p.regs, 0);
    uint64_t done = n.run_until_done(1, step);
    EXPECT_EQ(memcmp(n.at(p.a.out), want.data(), want.size()), 0);
    *waits = n.npu.tcdm_wait_cycles;
    return done;
}

ort_npu_layer layer_3x3_40()
{
    std::mt19937 rng(4);
    ort_npu_layer l = random_layer(rng, ORT_NPU_MODE_3X3);
    l.cin = 40;
    l.cout = 40;
    l.in_pixel_stride = l.in_row_stride = l.out_pixel_stride = l.out_row_stride = 0;
    return l;
}

} // namespace

TEST(Npu, TheCompletionCycleDoesNotDependOnTheAdvanceStep)
{
    // A core's accesses on banks 0..15 every third cycle, claimed before
    // the NPU's; misaligned data: 9-word accesses.
    auto core = [](ort_tcdm *t, const Placed &) {
        for (uint64_t c = 0; c < 3000; c += 3)
            ort_tcdm_claim(t, kL1 + 4 * (c % 16), c);
    };
    uint64_t first = 0;
    for (uint64_t step : {1u, 7u, 256u, 100000u}) {
        uint64_t waits;
        uint64_t done = run_contended_job(layer_3x3_40(), true, core, step, &waits);
        if (!first)
            first = done;
        EXPECT_EQ(done, first) << "step " << step;
        EXPECT_GT(waits, 0u);
    }
}

TEST(Npu, ContentionCostsExactlyTheCyclesLost)
{
    uint64_t waits;
    uint64_t free_done = run_contended_job(full_1x1(), false, nullptr, 1, &waits);
    EXPECT_EQ(waits, 0u);
    // One slot taken: the bank of the first input word at the first load's
    // cycle (start 1 + load prepare 6): one cycle lost.
    auto one = [](ort_tcdm *t, const Placed &p) { ort_tcdm_claim(t, p.a.in, 7); };
    EXPECT_EQ(run_contended_job(full_1x1(), false, one, 1, &waits), free_done + 1);
    EXPECT_EQ(waits, 1u);
    // A core hammering one bank every cycle for 400 cycles.
    auto hammer = [](ort_tcdm *t, const Placed &) {
        for (uint64_t c = 0; c < 400; c++)
            ort_tcdm_claim(t, kL1 + 8 * 4, c);
    };
    uint64_t done = run_contended_job(full_1x1(), false, hammer, 3, &waits);
    EXPECT_GT(waits, 0u);
    EXPECT_EQ(done, free_done + waits);
}

// ---- the two-context queue ------------------------------------------------------

TEST(Npu, BackToBackJobsQueueInTwoContexts)
{
    Npu n;
    Placed p;
    lay_out(n, p, 10);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), 0u);
    EXPECT_EQ(n.submit(p.regs, 0), 0u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), ORT_NPU_STATUS_CTX0);
    EXPECT_EQ(n.submit(p.regs, 2), 1u); // programmed while job 0 runs
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), ORT_NPU_STATUS_CTX0 | ORT_NPU_STATUS_CTX1);
    // Both contexts are taken: ACQUIRE sleeps.
    uint32_t v = 0;
    EXPECT_EQ(n.access(1, ORT_NPU_REG_ACQUIRE, false, &v, 5), RV_BUS_SLEEP);
    char why[400];
    EXPECT_TRUE(ort_npu_describe_wait(&n.npu, 1, why, sizeof why));
    EXPECT_NE(std::string(why).find("NPU ACQUIRE"), std::string::npos) << why;
    // Job 0 ends at 1 + 159; job 1 starts there and takes 159 more.
    ort_npu_advance(&n.npu, 161);
    EXPECT_EQ(n.npu.jobs, 1u);
    ASSERT_EQ(n.wakes.size(), 1u);
    EXPECT_EQ(n.wakes[0].core, 1u);
    EXPECT_EQ(n.wakes[0].cycle, 160u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), ORT_NPU_STATUS_CTX1);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_RUNNING_JOB), 1u);
    EXPECT_EQ(n.get(1, ORT_NPU_REG_ACQUIRE, 160), 2u); // the retried ACQUIRE
    EXPECT_EQ(n.run_until_done(2, 1, 161), 160u + 159);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_FINISHED), 2u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_FINISHED), 0u); // cleared by the read
    EXPECT_EQ(n.get(0, ORT_NPU_REG_RUNNING_JOB), 1u);
    // Core 1 holds context 0 now; its registers read back.
    n.set(1, ORT_NPU_REG_JOB(3), 0x1234);
    EXPECT_EQ(n.get(1, ORT_NPU_REG_JOB(3)), 0x1234u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_CTX_JOB(0, 3)), 0x1234u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_CTX_JOB(1, 23)), p.regs[23]);
}

TEST(Npu, ACommitWithoutRunWaitsForTheNextTrigger)
{
    Npu n;
    Placed p;
    lay_out(n, p, 11);
    n.submit(p.regs, 0, 0, 1); // commit only
    ort_npu_advance(&n.npu, 1000);
    EXPECT_EQ(n.npu.jobs, 0u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), ORT_NPU_STATUS_CTX0);
    n.submit(p.regs, 1000, 0, 0); // commit and run: both run
    EXPECT_EQ(n.run_until_done(2, 1, 1000), 1000u + 1 + 159 + 159);
}

TEST(Npu, SoftClearAbortsAndFreesEverything)
{
    Npu n;
    Placed p;
    lay_out(n, p, 12);
    n.submit(p.regs, 0);
    n.submit(p.regs, 0);
    uint32_t v;
    EXPECT_EQ(n.access(1, ORT_NPU_REG_ACQUIRE, false, &v, 3), RV_BUS_SLEEP);
    ort_npu_advance(&n.npu, 50);
    n.set(0, ORT_NPU_REG_SOFT_CLEAR, 0, 50);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), 0u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_JOB(23)), 0u); // registers cleared
    ASSERT_EQ(n.wakes.size(), 1u);                 // the sleeper retries
    EXPECT_EQ(n.wakes[0].cycle, 50u);
    EXPECT_EQ(ort_npu_next_event(&n.npu), UINT64_MAX);
    ort_npu_advance(&n.npu, 10000);
    EXPECT_EQ(n.npu.jobs, 0u); // aborted: no completion, no event
    EXPECT_EQ(n.eu.core[0].pending & ORT_EU_EVENT_NPU, 0u);
    // It works again afterwards.
    n.submit(p.regs, 10000);
    EXPECT_EQ(n.run_until_done(1, 1, 10000), 10000u + 160);
}

// ---- errors ------------------------------------------------------------------------

namespace {

/* Submit a modified job; check it is refused with `code` and a message
   containing `text`. */
void expect_refused(void (*edit)(uint32_t *regs), uint32_t code, const char *text,
                    bool wmem = false)
{
    Npu n;
    Placed p;
    lay_out(n, p, 13, wmem);
    edit(p.regs);
    uint32_t id = n.submit(p.regs, 10);
    EXPECT_EQ(n.npu.errors, 1u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_ERROR), code) << ort_npu_last_error(&n.npu);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_ERROR), 0u); // cleared by the read
    EXPECT_EQ(n.get(0, ORT_NPU_REG_ERROR_JOB), id);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_STATUS), 0u);
    std::string msg = ort_npu_last_error(&n.npu);
    EXPECT_NE(msg.find(text), std::string::npos) << msg;
    EXPECT_NE(msg.find("refused"), std::string::npos) << msg;
    // The waiting core is not left waiting: the event comes a cycle later.
    EXPECT_EQ(n.eu.core[0].pending & ORT_EU_EVENT_NPU, ORT_EU_EVENT_NPU);
    ort_npu_advance(&n.npu, 100000);
    EXPECT_EQ(n.npu.jobs, 0u);
}

} // namespace

TEST(Npu, BadJobsAreRefusedWithTheirRegisterValues)
{
    expect_refused([](uint32_t *r) { r[23] |= 3u << 5; }, ORT_NPU_ERR_CONF, "filter mode 3");
    expect_refused([](uint32_t *r) { r[23] |= ORT_NPU_CONF0_STRIDED; }, ORT_NPU_ERR_CONF,
                   "CONF0 0x");
    expect_refused([](uint32_t *r) { r[23] |= ORT_NPU_CONF0_LINEAR; }, ORT_NPU_ERR_CONF, "linear");
    expect_refused([](uint32_t *r) { r[23] |= ORT_NPU_CONF0_MODE16; }, ORT_NPU_ERR_CONF, "16-bit");
    expect_refused([](uint32_t *r) { r[23] |= 1u << 21; }, ORT_NPU_ERR_CONF, "output bits");
    expect_refused([](uint32_t *r) { r[23] |= 3u << 12; }, ORT_NPU_ERR_CONF, "scale bits");
    expect_refused([](uint32_t *r) { r[23] &= ~ORT_NPU_CONF0_NORM_QUANT; }, ORT_NPU_ERR_CONF,
                   "raw accumulators");
    expect_refused([](uint32_t *r) { r[23] |= ORT_NPU_CONF0_STREAMIN; }, ORT_NPU_ERR_CONF,
                   "streamin");
    expect_refused([](uint32_t *r) { r[22] = 1; }, ORT_NPU_ERR_CONF, "FILTER_MASKING 0x00000001");
    expect_refused([](uint32_t *r) { r[18] = 0; }, ORT_NPU_ERR_SIZE, "SUBTILE_NUMBER_0 0x00000000");
    expect_refused([](uint32_t *r) { r[15] = ORT_NPU_PACK(33, 32); }, ORT_NPU_ERR_SIZE,
                   "SUBTILE_REMAINDER_0 0x00210020");
    expect_refused([](uint32_t *r) { r[16] = ORT_NPU_PACK(7, 6); }, ORT_NPU_ERR_SIZE,
                   "output remainder");
    expect_refused([](uint32_t *r) { r[17] = ORT_NPU_PACK(5, 6); }, ORT_NPU_ERR_SIZE,
                   "input remainders");
    expect_refused([](uint32_t *r) { r[20] = ORT_NPU_PADDING(1, 0, 0, 0, 0); }, ORT_NPU_ERR_SIZE,
                   "padding in 1x1");
    expect_refused([](uint32_t *r) { r[1] = 0x0FFFFF00u; }, ORT_NPU_ERR_INFEAT,
                   "INFEAT_PTR 0x0fffff00");
    expect_refused([](uint32_t *r) { r[7] = 0x100000; }, ORT_NPU_ERR_INFEAT, "INFEAT_D1_STRIDE");
    expect_refused([](uint32_t *r) { r[2] = kL1 + kL1Size - 100; }, ORT_NPU_ERR_OUTFEAT,
                   "OUTFEAT_PTR");
    expect_refused([](uint32_t *r) { r[0] = 0x1C000000u; }, ORT_NPU_ERR_WEIGHTS, "WEIGHTS_PTR");
    expect_refused([](uint32_t *r) { r[0] = kWmemSize - 64; }, ORT_NPU_ERR_WEIGHTS,
                   "outside the wmem", true);
    expect_refused([](uint32_t *r) { r[3] = 0; }, ORT_NPU_ERR_NORM, "SCALE_PTR 0x00000000");
    expect_refused([](uint32_t *r) { r[5] = kL1 + kL1Size - 8; }, ORT_NPU_ERR_NORM, "biases");
}

TEST(Npu, ADepthwiseJobNeedsMatchingChannelCounts)
{
    expect_refused(
        [](uint32_t *r) {
            r[23] = (r[23] & ~ORT_NPU_CONF0_FILTER_MASK) | ORT_NPU_CONF0_FILTER_DW;
            r[15] = ORT_NPU_PACK(28, 20);
            r[17] = ORT_NPU_PACK(6, 6);
        },
        ORT_NPU_ERR_SIZE, "depthwise");
}

TEST(Npu, ATriggerWithoutAcquireIsRefused)
{
    Npu n;
    n.set(1, ORT_NPU_REG_TRIGGER, 0, 20);
    EXPECT_EQ(n.get(1, ORT_NPU_REG_ERROR), ORT_NPU_ERR_NO_ACQUIRE);
    EXPECT_EQ(n.get(1, ORT_NPU_REG_ERROR_JOB), 0xFFFFFFFFu);
    std::string msg = ort_npu_last_error(&n.npu);
    EXPECT_NE(msg.find("core 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("without an acquired context"), std::string::npos) << msg;
    EXPECT_EQ(n.eu.core[1].pending & ORT_EU_EVENT_NPU, ORT_EU_EVENT_NPU);
    // A trigger by another core than the holder is refused too.
    EXPECT_EQ(n.get(0, ORT_NPU_REG_ACQUIRE, 30), 0u);
    n.set(1, ORT_NPU_REG_TRIGGER, 0, 31);
    EXPECT_EQ(n.npu.errors, 2u);
    EXPECT_EQ(n.get(0, ORT_NPU_REG_ACQUIRE, 32), 0u); // core 0 still holds job 0
}

TEST(Npu, BadRegisterAccessesAreBusErrors)
{
    Npu n;
    uint32_t v = 0, extra;
    EXPECT_EQ(ort_npu_access(&n.npu, 0, ORT_NPU_REG_STATUS, 2, false, &v, 0, &extra), RV_BUS_ERROR);
    EXPECT_EQ(ort_npu_access(&n.npu, 0, 0x3FC, 4, false, &v, 0, &extra), RV_BUS_ERROR);
    EXPECT_EQ(ort_npu_access(&n.npu, 0, ORT_NPU_REG_STATUS, 4, true, &v, 0, &extra), RV_BUS_ERROR);
    EXPECT_EQ(ort_npu_access(&n.npu, 0, ORT_NPU_REG_CTX_JOB(0, 1), 4, true, &v, 0, &extra),
              RV_BUS_ERROR);
    EXPECT_EQ(ort_npu_access(&n.npu, 5, ORT_NPU_REG_STATUS, 4, false, &v, 0, &extra), RV_BUS_ERROR);
}

TEST(Npu, BadParametersAreRefused)
{
    ort_npu_params p;
    ort_npu_default_params(&p, 0);
    ort_npu n;
    char err[200];
    EXPECT_FALSE(ort_npu_init(&n, &p, err, sizeof err));
    ort_npu_default_params(&p, 2);
    p.tcdm_ports = 0;
    EXPECT_FALSE(ort_npu_init(&n, &p, err, sizeof err));
    EXPECT_NE(std::string(err).find("npu.tcdm_ports"), std::string::npos) << err;
}

// ---- throughput -----------------------------------------------------------------------

TEST(Npu, ALarge1x1JobsThroughput)
{
    // 64x64 pixels, 256 in, 256 out channels; printed as MAC/cycle. The
    // tensors (1 MiB each) need a 4 MiB L1 (the largest l1.size).
    for (int run = 0; run < 3; run++) {
        bool wmem = run > 0;
        std::mt19937 rng(14);
        Npu n(nullptr, 2, 4u << 20);
        Placed p;
        ort_npu_layer &l = p.l;
        l = full_1x1();
        l.h_in = l.w_in = 64;
        l.cin = l.cout = 256;
        l.prefetch = run == 2;
        place(n, p, rng, wmem);
        std::vector<uint8_t> want = expected(n, p);
        n.submit(p.regs, 0);
        uint64_t done = n.run_until_done(1, 256);
        double mac = 64.0 * 64 * 256 * 256;
        printf("NPU 1x1 64x64x256->256, weights in %s%s: %llu cycles, %.1f MAC/cycle\n",
               wmem ? "the weight memory" : "L1", l.prefetch ? ", prefetch" : "",
               (unsigned long long)done, mac / (double)done);
        EXPECT_EQ(n.npu.macs, (uint64_t)mac);
        EXPECT_EQ(memcmp(n.at(p.a.out), want.data(), want.size()), 0);
        EXPECT_GT(mac / (double)done, 100.0);
    }
}

TEST(Npu, TheWeightPortPaysOffWhenTheL1IsBusy)
{
    // The same large 1x1 job while other masters take 8 of the 16 L1 banks
    // in every cycle (claimed slice by slice before the NPU advances, as the
    // scheduler runs the cores first): weights over the weight port avoid
    // half of the conflicts.
    uint64_t cycles[2];
    for (bool wmem : {false, true}) {
        std::mt19937 rng(14);
        Npu n(nullptr, 2, 4u << 20);
        Placed p;
        p.l = full_1x1();
        p.l.h_in = p.l.w_in = 64;
        p.l.cin = p.l.cout = 256;
        place(n, p, rng, wmem);
        n.submit(p.regs, 0);
        const uint64_t slice = 256;
        for (uint64_t t = 0; n.npu.jobs < 1; t += slice) {
            for (uint64_t c = t; c < t + slice; c++)
                for (uint32_t k = 0; k < 8; k++)
                    ort_tcdm_claim(&n.tcdm, kL1 + 4 * ((c * 3 + 2 * k) % 16), c);
            ort_npu_advance(&n.npu, t + slice);
        }
        cycles[wmem] = n.npu.engine_free;
        printf("NPU 1x1 64x64x256->256, L1 half busy, weights in %s: %llu cycles, "
               "%.1f MAC/cycle\n",
               wmem ? "the weight memory" : "L1", (unsigned long long)cycles[wmem],
               64.0 * 64 * 256 * 256 / (double)cycles[wmem]);
        EXPECT_EQ(cycles[wmem], 761554u + n.npu.tcdm_wait_cycles);
    }
    EXPECT_LT(cycles[1], cycles[0]);
}

TEST(Npu, A3x3JobsThroughput)
{
    // 3x3, 32x32 output pixels, 112 in, 128 out channels, padding 1.
    std::mt19937 rng(17);
    Npu n(nullptr, 2, 4u << 20);
    Placed p;
    ort_npu_layer &l = p.l;
    l = full_1x1();
    l.mode = ORT_NPU_MODE_3X3;
    l.h_in = l.w_in = 32;
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
    l.cin = 112;
    l.cout = 128;
    l.prefetch = true;
    place(n, p, rng, true);
    std::vector<uint8_t> want = expected(n, p);
    n.submit(p.regs, 0);
    uint64_t done = n.run_until_done(1, 256);
    double mac = 32.0 * 32 * 112 * 128 * 9;
    printf("NPU 3x3 32x32x112->128, weights in the weight memory, prefetch: %llu cycles, "
           "%.1f MAC/cycle\n",
           (unsigned long long)done, mac / (double)done);
    EXPECT_EQ(n.npu.macs, (uint64_t)mac);
    EXPECT_EQ(memcmp(n.at(p.a.out), want.data(), want.size()), 0);
}

// ---- in the cluster ---------------------------------------------------------------------

namespace {

using namespace enc;

constexpr uint32_t kCode = 0x1C000000u;
constexpr uint32_t kCodeSize = 16384;
const uint32_t kT0 = 5, kT1 = 6, kT2 = 7, kT3 = 28, kT4 = 29;

/* li rd, v (lui + addi). */
void li(std::vector<uint32_t> &prog, uint32_t rd, uint32_t v)
{
    uint32_t lo = v & 0xFFF, hi = (v >> 12) + (lo >= 0x800 ? 1 : 0);
    prog.push_back(u(hi & 0xFFFFF, rd, 0x37));
    prog.push_back(i((int32_t)(lo << 20) >> 20, rd, 0, rd, 0x13));
}

ort_cluster_params cluster_params(unsigned cores, uint32_t slice, bool npu)
{
    ort_cluster_params p{};
    p.cores = cores;
    p.l1_size = kL1Size;
    p.l1_banks = kBanks;
    p.slice_cycles = slice;
    p.dma_bandwidth = 8;
    p.dma_queue_depth = 8;
    p.npu_enabled = npu;
    ort_npu_default_params(&p.npu, cores);
    return p;
}

/* A job laid out in a scratch NPU's L1 (copied into a cluster's), with
   the reference's output. */
struct ScratchJob {
    Npu scratch;
    Placed p;
    std::vector<uint8_t> want;
    ScratchJob(uint32_t seed, unsigned cout, unsigned hw)
    {
        std::mt19937 rng(seed);
        p.l = full_1x1();
        p.l.cout = cout;
        p.l.h_in = p.l.w_in = hw;
        place(scratch, p, rng, false);
        for (uint32_t k = 0; k < 8192; k++) // a DMA's source
            scratch.l1.data[0x30000 + k] = (uint8_t)(k * 13 + 1);
        want = expected(scratch, p);
    }
};

struct NpuCluster {
    ort_cluster cl{};
    rv_decode_cache dc{};
    std::vector<uint8_t> code = std::vector<uint8_t>(kCodeSize, 0);

    NpuCluster(const std::vector<uint32_t> &program, uint32_t slice = 64)
    {
        ort_cluster_params p = cluster_params(2, slice, true);
        char err[256];
        EXPECT_TRUE(ort_cluster_init(&cl, &p, err, sizeof err)) << err;
        EXPECT_TRUE(rv_decode_cache_init(&dc, kCode, kCodeSize));
        std::memcpy(code.data(), program.data(), program.size() * 4);
        EXPECT_TRUE(ort_cluster_add_memory(&cl, kCode, kCodeSize, code.data(), 0, &dc));
        ort_cluster_boot(&cl, kCode);
    }
    ~NpuCluster()
    {
        ort_cluster_free(&cl);
        rv_decode_cache_free(&dc);
    }
};

/* Core 0: ACQUIRE, the registers, TRIGGER, wait for event 12, read cycle
   into t4, spin. Core 1: wfi. */
std::vector<uint32_t> job_program(const uint32_t regs[24], bool trigger = true)
{
    std::vector<uint32_t> prog;
    prog.push_back(csr(0xF14, 0, 2, kT1)); // csrr t1, mhartid
    prog.push_back(b(8, 0, kT1, 0));       // beq t1, x0, +8
    prog.push_back(wfi);                   // core 1 sleeps for good
    li(prog, kT0, ORT_NPU_BASE);
    if (trigger) {
        prog.push_back(i(ORT_NPU_REG_ACQUIRE, kT0, 2, kT2, 0x03)); // lw t2, ACQUIRE(t0)
        for (unsigned k = 0; k < 24; k++) {
            li(prog, kT1, regs[k]);
            prog.push_back(s(ORT_NPU_REG_JOB(k), kT1, kT0, 2));
        }
        prog.push_back(s(ORT_NPU_REG_TRIGGER, 0, kT0, 2)); // sw x0, TRIGGER(t0)
    }
    li(prog, kT3, ORT_EU_BASE);
    li(prog, kT1, ORT_EU_EVENT_NPU);
    prog.push_back(s(ORT_EU_REG_EVT_MASK, kT1, kT3, 2));
    prog.push_back(i(ORT_EU_REG_EVT_WAIT, kT3, 2, kT2, 0x03)); // lw t2, EVT_WAIT(t3)
    prog.push_back(csr(0xB00, 0, 2, kT4));                    // csrr t4, mcycle
    prog.push_back(wfi);
    return prog;
}

} // namespace

TEST(NpuCluster, ACoreProgramsAJobSleepsAndWakesAtCompletion)
{
    ScratchJob job(15, 48, 6);
    const Placed &p = job.p;
    const std::vector<uint8_t> &want = job.want;
    for (uint32_t slice : {1u, 64u, 256u}) {
        NpuCluster c(job_program(p.regs), slice);
        memcpy(c.cl.l1.data, job.scratch.l1.data, kL1Size);
        EXPECT_EQ(ort_cluster_run(&c.cl, 200000), ORT_CLUSTER_DEADLOCK) << "slice " << slice;
        const ort_npu &n = c.cl.npu;
        EXPECT_EQ(n.jobs, 1u);
        EXPECT_EQ(n.errors, 0u) << ort_npu_last_error(&n);
        EXPECT_EQ(memcmp(c.cl.l1.data + (p.a.out - kL1), want.data(), want.size()), 0);
        // The core woke ORT_EU_WAKE_CYCLES after the completion, executed
        // the load again (1 cycle), then read the cycle: the same for every
        // slice.
        const rv_core &core = c.cl.core[0];
        EXPECT_EQ(core.x[kT2], ORT_EU_EVENT_NPU);
        EXPECT_EQ(core.x[kT4], n.engine_free + ORT_EU_WAKE_CYCLES + 1) << "slice " << slice;
        EXPECT_GT(core.counters.sleep_cycles, 100u);
        const ort_device *dev = ort_cluster_device(&c.cl, "npu");
        ASSERT_NE(dev, nullptr);
        EXPECT_EQ(dev->base, 0x10201000u);
        EXPECT_EQ(ort_counter_value(ort_counter_find(dev->counters, dev->n_counters, "jobs"),
                                    dev->ctx),
                  1u);
    }
}

namespace {

/* Core 0 runs job_program's job; core 1, when `busy`, starts a DMA copy
   inside the L1 and then reads the NPU's input region in a loop. */
std::vector<uint32_t> contended_program(const uint32_t regs[24], uint32_t input, bool busy)
{
    std::vector<uint32_t> core1;
    if (busy) {
        const uint32_t kA0 = 10;
        li(core1, kT0, ORT_DMA_BASE);
        li(core1, kT1, kL1 + 0x30000);
        core1.push_back(s(ORT_DMA_REG_SRC, kT1, kT0, 2));
        li(core1, kT1, kL1 + 0x34000);
        core1.push_back(s(ORT_DMA_REG_DST, kT1, kT0, 2));
        li(core1, kT1, 8192);
        core1.push_back(s(ORT_DMA_REG_LEN, kT1, kT0, 2));
        core1.push_back(i(ORT_DMA_REG_PUSH, kT0, 2, kT2, 0x03)); // lw t2, PUSH(t0)
        li(core1, kT0, 1500);
        li(core1, kA0, input);
        size_t loop = core1.size();
        for (int k = 0; k < 4; k++)
            core1.push_back(i(4 * k, kA0, 2, kT2, 0x03)); // lw t2, 4k(a0)
        core1.push_back(i(-1, kT0, 0, kT0, 0x13));        // addi t0, t0, -1
        core1.push_back(b(-4 * (int32_t)(core1.size() - loop), 0, kT0, 1)); // bne t0, x0, loop
    }
    core1.push_back(wfi);
    std::vector<uint32_t> job = job_program(regs);
    // job_program starts with csrr, beq +8, wfi: replace its core-1 part.
    std::vector<uint32_t> prog = {job[0], b(4 * (int32_t)(core1.size() + 1), 0, kT1, 0)};
    prog.insert(prog.end(), core1.begin(), core1.end());
    prog.insert(prog.end(), job.begin() + 3, job.end());
    return prog;
}

struct ContendedRun {
    uint64_t done, npu_waits, core1_cycles, core1_stalls, dma_bytes;
    bool output_ok, dma_ok;
};

ContendedRun run_contended(const ScratchJob &job, bool busy)
{
    const Placed &p = job.p;
    const std::vector<uint8_t> &want = job.want;
    NpuCluster c(contended_program(p.regs, p.a.in, busy));
    memcpy(c.cl.l1.data, job.scratch.l1.data, kL1Size);
    EXPECT_EQ(ort_cluster_run(&c.cl, 500000), ORT_CLUSTER_DEADLOCK); // all in wfi at the end
    ContendedRun r{};
    r.done = c.cl.npu.engine_free;
    r.npu_waits = c.cl.npu.tcdm_wait_cycles;
    r.core1_cycles = c.cl.core[1].cycle;
    r.core1_stalls = c.cl.core[1].counters.tcdm_stalls;
    r.dma_bytes = c.cl.dma.bytes;
    r.output_ok = memcmp(c.cl.l1.data + (p.a.out - kL1), want.data(), want.size()) == 0;
    r.dma_ok = memcmp(c.cl.l1.data + 0x34000, c.cl.l1.data + 0x30000, 8192) == 0;
    EXPECT_EQ(c.cl.npu.jobs, 1u);
    return r;
}

} // namespace

TEST(NpuCluster, CoresDmaAndNpuContendForTheL1Deterministically)
{
    ScratchJob job(16, 32, 12);
    ContendedRun quiet = run_contended(job, false);
    ContendedRun a = run_contended(job, true);
    ContendedRun b = run_contended(job, true);
    EXPECT_TRUE(quiet.output_ok);
    EXPECT_TRUE(a.output_ok);
    EXPECT_TRUE(a.dma_ok);
    EXPECT_EQ(a.dma_bytes, 8192u);
    EXPECT_EQ(quiet.npu_waits, 0u);
    // The NPU lost cycles to the core and the DMA, and exactly those.
    EXPECT_GT(a.npu_waits, 0u);
    EXPECT_EQ(a.done, quiet.done + a.npu_waits);
    // Cores run before the devices in a slice, so on a same-cycle claim the
    // core wins (npu.h, "Timing"): here it never waits.
    EXPECT_EQ(a.core1_stalls, 0u);
    // Deterministic: the same run twice gives the same cycles.
    EXPECT_EQ(a.done, b.done);
    EXPECT_EQ(a.npu_waits, b.npu_waits);
    EXPECT_EQ(a.core1_cycles, b.core1_cycles);
    EXPECT_EQ(a.core1_stalls, b.core1_stalls);
}

TEST(NpuCluster, ADeadlockReportNamesTheNpu)
{
    uint32_t none[24] = {};
    NpuCluster c(job_program(none, false));
    EXPECT_EQ(ort_cluster_run(&c.cl, 100000), ORT_CLUSTER_DEADLOCK);
    char line[512];
    ort_cluster_describe_core(&c.cl, 0, line, sizeof line);
    std::string s = line;
    EXPECT_NE(s.find("waits for events 0x1000"), std::string::npos) << s;
    EXPECT_NE(s.find("waits for the NPU event"), std::string::npos) << s;
    EXPECT_NE(s.find("no job running"), std::string::npos) << s;
}

TEST(NpuCluster, WithoutTheNpuThereIsNoDevice)
{
    ort_cluster cl{};
    ort_cluster_params p = cluster_params(1, 64, false);
    char err[256];
    ASSERT_TRUE(ort_cluster_init(&cl, &p, err, sizeof err)) << err;
    EXPECT_EQ(ort_cluster_device(&cl, "npu"), nullptr);
    EXPECT_EQ(cl.n_dev, 2u);
    ort_cluster_free(&cl);
}

TEST(NpuRef, AGemmsRowsTakeTheFactorizationWithTheFewestSubtiles)
{
    // (m, h, w): fewest 6x6 subtiles, ties to the most square.
    const unsigned cases[][3] = {
        {1, 1, 1}, {7, 1, 7}, {36, 6, 6}, {37, 1, 37}, {64, 4, 16}, {72, 6, 12}, {96, 6, 16}, {4096, 64, 64},
    };
    for (const auto &c : cases) {
        unsigned h = 0, w = 0;
        ort_npu_gemm_shape(c[0], &h, &w);
        EXPECT_EQ(h, c[1]) << c[0];
        EXPECT_EQ(w, c[2]) << c[0];
    }
}
