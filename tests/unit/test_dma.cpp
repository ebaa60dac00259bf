// Cluster DMA engine: exact completion cycles, 1-D and 2-D copies, the FIFO
// queue, WAIT and a full queue (sleep and wake), descriptor errors, the
// completion event, L1 bank conflicts, and bad parameters.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "dma.h"
}

namespace {

constexpr uint32_t kL2 = 0x1C000000u;
constexpr uint32_t kL2Size = 64 * 1024;
constexpr uint32_t kL2Latency = 4;
constexpr uint32_t kL1 = 0x10000000u;
constexpr uint32_t kL1Size = 64 * 1024;
constexpr uint32_t kL1Latency = 0;
constexpr uint32_t kBanks = 16;
constexpr uint8_t kGuard = 0xEE;

struct Wake {
    unsigned core;
    uint64_t cycle;
};

// The documented timing of one transfer without L1 bank waits:
//   start      = max(push + ORT_DMA_START_CYCLES, previous completion)
//   completion = start + source latency + ceil(bytes / bandwidth)
uint64_t completion(uint64_t push, uint64_t previous, uint32_t latency, uint64_t bytes,
                    uint32_t bandwidth)
{
    uint64_t start = push + ORT_DMA_START_CYCLES;
    if (start < previous)
        start = previous;
    return start + latency + (bytes + bandwidth - 1) / bandwidth;
}

struct Dma {
    ort_mem l2{}, l1{};
    ort_tcdm tcdm{};
    ort_event_unit eu{};
    ort_dma dma{};
    std::vector<Wake> wakes, eu_wakes;
    uint64_t l1_written = 0; // bytes the L1 write hook saw

    explicit Dma(uint32_t bandwidth = ORT_DMA_DEFAULT_BANDWIDTH,
                 uint32_t depth = ORT_DMA_DEFAULT_QUEUE_DEPTH, unsigned cores = 4)
    {
        EXPECT_TRUE(ort_mem_init(&l2, "l2", kL2, kL2Size, kL2Latency));
        EXPECT_TRUE(ort_mem_init(&l1, "l1", kL1, kL1Size, kL1Latency));
        EXPECT_TRUE(ort_tcdm_init(&tcdm, kL1, kL1Size, kBanks));
        l1.on_write = &Dma::on_l1_write;
        l1.on_write_ctx = this;
        for (uint32_t i = 0; i < kL2Size; i++)
            l2.data[i] = static_cast<uint8_t>(i * 7 + i / 251 + 3);
        memset(l1.data, kGuard, kL1Size);
        ort_eu_init(&eu, cores, &Dma::on_eu_wake, this);
        ort_dma_params p;
        ort_dma_default_params(&p, cores);
        p.bandwidth = bandwidth;
        p.queue_depth = depth;
        char err[128];
        EXPECT_TRUE(ort_dma_init(&dma, &p, err, sizeof err)) << err;
        EXPECT_TRUE(ort_dma_add_memory(&dma, &l2, nullptr));
        EXPECT_TRUE(ort_dma_add_memory(&dma, &l1, &tcdm));
        ort_dma_set_event_unit(&dma, &eu);
        ort_dma_set_wake(&dma, &Dma::on_wake, this);
    }
    ~Dma()
    {
        ort_dma_free(&dma);
        ort_tcdm_free(&tcdm);
        ort_mem_free(&l1);
        ort_mem_free(&l2);
    }
    Dma(const Dma &) = delete;
    Dma &operator=(const Dma &) = delete;

    static void on_wake(void *ctx, unsigned core, uint64_t cycle)
    {
        static_cast<Dma *>(ctx)->wakes.push_back({core, cycle});
    }
    static void on_eu_wake(void *ctx, unsigned core, uint64_t cycle)
    {
        static_cast<Dma *>(ctx)->eu_wakes.push_back({core, cycle});
    }
    static void on_l1_write(void *ctx, uint32_t, uint32_t len)
    {
        static_cast<Dma *>(ctx)->l1_written += len;
    }

    rv_bus_status access(unsigned core, uint32_t off, bool is_write, uint32_t *v, uint64_t now,
                         unsigned size = 4)
    {
        uint32_t extra = 99;
        rv_bus_status s = ort_dma_access(&dma, core, off, size, is_write, v, now, &extra);
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
    void stage(unsigned core, uint32_t src, uint32_t dst, uint32_t len, uint32_t rows = 1,
               int32_t src_stride = 0, int32_t dst_stride = 0)
    {
        set(core, ORT_DMA_REG_SRC, src);
        set(core, ORT_DMA_REG_DST, dst);
        set(core, ORT_DMA_REG_LEN, len);
        set(core, ORT_DMA_REG_ROWS, rows);
        set(core, ORT_DMA_REG_SRC_STRIDE, static_cast<uint32_t>(src_stride));
        set(core, ORT_DMA_REG_DST_STRIDE, static_cast<uint32_t>(dst_stride));
    }
    uint32_t push(unsigned core, uint64_t now) { return get(core, ORT_DMA_REG_PUSH, now); }
    rv_bus_status wait(unsigned core, uint32_t id, uint64_t now)
    {
        return access(core, ORT_DMA_REG_WAIT, true, &id, now);
    }
    // The cycle the transfers in flight drop to `left`, advancing one cycle
    // at a time from `from` (0 if never).
    uint64_t run_until_in_flight(unsigned left, uint64_t from, uint64_t limit = 100000)
    {
        for (uint64_t c = from; c < limit; c++) {
            ort_dma_advance(&dma, c);
            if (dma.count <= left)
                return c;
        }
        return 0;
    }
};

// Every byte of L1 equals what a plain 2-D copy from L2 would give, guard
// bytes elsewhere. Returns the number of mismatches (and reports the first).
int check_l1(const Dma &d, uint32_t src, uint32_t dst, uint32_t len, uint32_t rows,
             int32_t src_stride, int32_t dst_stride)
{
    std::vector<uint8_t> want(kL1Size, kGuard);
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t b = 0; b < len; b++)
            want[dst - kL1 + r * dst_stride + b] = d.l2.data[src - kL2 + r * src_stride + b];
    int bad = 0;
    for (uint32_t i = 0; i < kL1Size; i++) {
        if (d.l1.data[i] != want[i]) {
            if (bad == 0)
                ADD_FAILURE() << "L1 byte 0x" << std::hex << (kL1 + i) << " is 0x"
                              << unsigned(d.l1.data[i]) << ", want 0x" << unsigned(want[i]);
            bad++;
        }
    }
    return bad;
}

} // namespace

TEST(DMA, OneDimensionalCopyTimingIsExact)
{
    Dma d;
    d.stage(0, kL2 + 0x100, kL1 + 0x200, 256);
    EXPECT_EQ(d.push(0, 100), 0u);
    // start 102, first word from L2 at 106, 32 beats of 8 bytes: 106..137.
    const uint64_t done = completion(100, 0, kL2Latency, 256, 8);
    ASSERT_EQ(done, 138u);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), done);

    ort_dma_advance(&d.dma, done - 1);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 0u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 1u);
    EXPECT_EQ(d.dma.bytes, 256u - 8u); // the last beat (cycle 137) is still to come
    EXPECT_EQ(d.l1.data[0x200 + 247], d.l2.data[0x100 + 247]);
    EXPECT_EQ(d.l1.data[0x200 + 248], kGuard);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), done);

    ort_dma_advance(&d.dma, done);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 1u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0u);
    EXPECT_EQ(check_l1(d, kL2 + 0x100, kL1 + 0x200, 256, 1, 0, 0), 0);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), UINT64_MAX);
    EXPECT_EQ(d.l1_written, 256u); // every byte went through the write hook
    EXPECT_EQ(d.dma.transfers, 1u);
    EXPECT_EQ(d.dma.bytes, 256u);
    EXPECT_EQ(d.dma.rows, 1u);
    EXPECT_EQ(d.dma.busy_cycles, 32u);
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 0u);
    EXPECT_EQ(d.dma.errors, 0u);
    EXPECT_EQ(d.l2.read_bytes, 256u);
}

TEST(DMA, AdvanceMovesOnlyTheBeatsBeforeUntil)
{
    Dma d;
    d.stage(0, kL2, kL1, 256);
    EXPECT_EQ(d.push(0, 100), 0u);
    const uint64_t first = 100 + ORT_DMA_START_CYCLES + kL2Latency; // 106
    ort_dma_advance(&d.dma, first);
    EXPECT_EQ(d.l1.data[0], kGuard); // nothing before the first beat's cycle
    ort_dma_advance(&d.dma, first + 4); // beats at 106..109
    for (uint32_t i = 0; i < 32; i++)
        EXPECT_EQ(d.l1.data[i], d.l2.data[i]) << i;
    EXPECT_EQ(d.l1.data[32], kGuard);
    EXPECT_EQ(d.dma.busy_cycles, 4u);
}

TEST(DMA, SourceLatencyIsTheSourceMemorys)
{
    // L1 (latency 0) to L2: the first beat is at the start.
    Dma d;
    memset(d.l2.data, 0, 64);
    for (uint32_t i = 0; i < 40; i++)
        d.l1.data[i] = static_cast<uint8_t>(0x80 + i);
    d.stage(0, kL1, kL2 + 8, 40);
    EXPECT_EQ(d.push(0, 10), 0u);
    const uint64_t done = completion(10, 0, kL1Latency, 40, 8); // 12 + 0 + 5
    EXPECT_EQ(ort_dma_next_completion(&d.dma), done);
    ort_dma_advance(&d.dma, done);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 1u);
    for (uint32_t i = 0; i < 40; i++)
        EXPECT_EQ(d.l2.data[8 + i], 0x80 + i);
    EXPECT_EQ(d.l2.data[7], 0);
    EXPECT_EQ(d.l2.data[48], 0);
}

TEST(DMA, TwoDimensionalGatherIntoDenseRows)
{
    // 5 rows of 12 bytes, 40 apart in L2, packed at an unaligned L1 address.
    Dma d;
    const uint32_t src = kL2 + 0x301, dst = kL1 + 0x103;
    d.stage(2, src, dst, 12, 5, 40, 12);
    EXPECT_EQ(d.push(2, 50), 0u);
    // Rows back to back: 60 bytes are 8 beats, no per-row cost.
    const uint64_t done = completion(50, 0, kL2Latency, 60, 8);
    ASSERT_EQ(done, 64u);
    ort_dma_advance(&d.dma, done - 1);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 0u);
    ort_dma_advance(&d.dma, done);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 1u);
    EXPECT_EQ(check_l1(d, src, dst, 12, 5, 40, 12), 0);
    EXPECT_EQ(d.dma.rows, 5u);
    EXPECT_EQ(d.dma.bytes, 60u);
}

TEST(DMA, OddShapesWithANarrowEngine)
{
    // 3 bytes per cycle: beats straddle row ends on both sides.
    Dma d(3);
    const uint32_t src = kL2 + 0x11, dst = kL1 + 0x402;
    d.stage(1, src, dst, 5, 7, 9, 13); // scattered destination rows
    EXPECT_EQ(d.push(1, 0), 0u);
    const uint64_t done = completion(0, 0, kL2Latency, 35, 3); // 12 beats
    ASSERT_EQ(done, 18u);
    ort_dma_advance(&d.dma, done);
    EXPECT_EQ(d.get(1, ORT_DMA_REG_DONE_COUNT), 1u);
    EXPECT_EQ(check_l1(d, src, dst, 5, 7, 9, 13), 0);
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 0u);
    EXPECT_EQ(d.dma.busy_cycles, 12u);

    // One byte, one row, odd address.
    d.stage(1, kL2 + 0x999, kL1 + 0x7777, 1);
    EXPECT_EQ(d.push(1, 100), 1u);
    ort_dma_advance(&d.dma, completion(100, done, kL2Latency, 1, 3));
    EXPECT_EQ(d.get(1, ORT_DMA_REG_DONE_COUNT), 2u);
    EXPECT_EQ(d.l1.data[0x7777], d.l2.data[0x999]);
    EXPECT_EQ(d.l1.data[0x7776], kGuard);
    EXPECT_EQ(d.l1.data[0x7778], kGuard);
}

TEST(DMA, NegativeAndZeroSourceStrides)
{
    Dma d;
    // Rows read bottom-up: the image flipped.
    const uint32_t src = kL2 + 0x800, dst = kL1 + 0x40;
    d.stage(0, src, dst, 16, 4, -16, 16);
    EXPECT_EQ(d.push(0, 0), 0u);
    ort_dma_advance(&d.dma, 1000);
    EXPECT_EQ(check_l1(d, src, dst, 16, 4, -16, 16), 0);

    // One row broadcast three times.
    memset(d.l1.data, kGuard, kL1Size);
    d.stage(0, kL2 + 0x20, kL1 + 0x1000, 10, 3, 0, 12);
    EXPECT_EQ(d.push(0, 1000), 1u);
    ort_dma_advance(&d.dma, 2000);
    EXPECT_EQ(check_l1(d, kL2 + 0x20, kL1 + 0x1000, 10, 3, 0, 12), 0);
}

TEST(DMA, StagingRegistersArePerCore)
{
    Dma d;
    EXPECT_EQ(d.get(3, ORT_DMA_REG_ROWS), 1u); // reset value: a 1-D transfer
    // Cores 0 and 1 program interleaved: neither sees the other's values.
    d.set(0, ORT_DMA_REG_SRC, kL2 + 0x000);
    d.set(1, ORT_DMA_REG_SRC, kL2 + 0x400);
    d.set(0, ORT_DMA_REG_DST, kL1 + 0x000);
    d.set(1, ORT_DMA_REG_DST, kL1 + 0x400);
    d.set(1, ORT_DMA_REG_LEN, 24);
    d.set(0, ORT_DMA_REG_LEN, 32);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_SRC), kL2);
    EXPECT_EQ(d.get(1, ORT_DMA_REG_SRC), kL2 + 0x400);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_LEN), 32u);
    EXPECT_EQ(d.get(1, ORT_DMA_REG_LEN), 24u);
    d.set(1, ORT_DMA_REG_SRC_STRIDE, 0x1234);
    d.set(1, ORT_DMA_REG_DST_STRIDE, 0x5678);
    EXPECT_EQ(d.get(1, ORT_DMA_REG_SRC_STRIDE), 0x1234u);
    EXPECT_EQ(d.get(1, ORT_DMA_REG_DST_STRIDE), 0x5678u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_SRC_STRIDE), 0u);
    EXPECT_EQ(d.push(1, 10), 0u);
    EXPECT_EQ(d.push(0, 11), 1u);
    ort_dma_advance(&d.dma, 1000);
    EXPECT_EQ(memcmp(d.l1.data, d.l2.data, 32), 0);
    EXPECT_EQ(memcmp(d.l1.data + 0x400, d.l2.data + 0x400, 24), 0);
    EXPECT_EQ(d.l1.data[32], kGuard);
    EXPECT_EQ(d.l1.data[0x400 + 24], kGuard);
}

TEST(DMA, OutstandingTransfersCompleteInFifoOrder)
{
    Dma d;
    const unsigned n = 5;
    for (unsigned i = 0; i < n; i++) {
        d.stage(i % 4, kL2 + 0x100 * i, kL1 + 0x100 * i, 64);
        EXPECT_EQ(d.push(i % 4, 100 + i), i); // ids 0, 1, 2, ...
    }
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0x1Fu);
    // Each starts when the one before completes: 114, 126, 138, 150, 162.
    uint64_t previous = 0, from = 100;
    for (unsigned i = 0; i < n; i++) {
        uint64_t want = completion(100 + i, previous, kL2Latency, 64, 8);
        uint64_t got = d.run_until_in_flight(n - 1 - i, from);
        EXPECT_EQ(got, want) << "transfer " << i;
        EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), i + 1);
        // The finished ones leave STATUS from the lowest id up.
        EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0x1Fu & ~((2u << i) - 1));
        // Nothing of a later transfer has landed yet.
        if (i + 1 < n) {
            EXPECT_EQ(d.l1.data[0x100 * (i + 1)], kGuard);
        }
        previous = want;
        from = got + 1;
    }
    EXPECT_EQ(previous, 162u);
    for (unsigned i = 0; i < n; i++)
        EXPECT_EQ(memcmp(d.l1.data + 0x100 * i, d.l2.data + 0x100 * i, 64), 0) << i;
    EXPECT_EQ(d.dma.transfers, n);
}

TEST(DMA, StatusBitIsTheIdModuloThirtyTwo)
{
    Dma d;
    d.stage(0, kL2, kL1, 4);
    for (uint32_t id = 0; id < 33; id++) {
        EXPECT_EQ(d.push(0, 100 * id), id);
        ort_dma_advance(&d.dma, 100 * id + 50);
    }
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 33u);
    EXPECT_EQ(d.push(0, 4000), 33u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 1u << 1);
}

TEST(DMA, WaitSleepsUntilTheTransferCompletes)
{
    Dma d;
    d.stage(0, kL2, kL1, 256);
    ASSERT_EQ(d.push(0, 100), 0u);
    const uint64_t done = completion(100, 0, kL2Latency, 256, 8);
    EXPECT_EQ(d.wait(1, 0, 110), RV_BUS_SLEEP);
    char buf[160];
    ASSERT_TRUE(ort_dma_describe_wait(&d.dma, 1, buf, sizeof buf));
    EXPECT_NE(std::string(buf).find("waits for DMA transfer 0"), std::string::npos) << buf;
    EXPECT_FALSE(ort_dma_describe_wait(&d.dma, 0, buf, sizeof buf));
    // Ids not in flight count as done: never issued, or finished.
    EXPECT_EQ(d.wait(2, 7, 110), RV_BUS_OK);
    ort_dma_advance(&d.dma, done - 1);
    EXPECT_TRUE(d.wakes.empty());
    ort_dma_advance(&d.dma, done);
    ASSERT_EQ(d.wakes.size(), 1u);
    EXPECT_EQ(d.wakes[0].core, 1u);
    EXPECT_EQ(d.wakes[0].cycle, done + 1);
    EXPECT_EQ(d.wait(1, 0, done + 1), RV_BUS_OK); // the retried write
    EXPECT_FALSE(ort_dma_describe_wait(&d.dma, 1, buf, sizeof buf));
}

TEST(DMA, AWaitThatBeganAfterTheCompletionResumesAtItsStart)
{
    // The core is simulated ahead of the DMA: it waits at cycle 500 for a
    // transfer that (as the DMA finds out later) completed at 138.
    Dma d;
    d.stage(0, kL2, kL1, 256);
    ASSERT_EQ(d.push(0, 100), 0u);
    EXPECT_EQ(d.wait(0, 0, 500), RV_BUS_SLEEP);
    ort_dma_advance(&d.dma, 512);
    ASSERT_EQ(d.wakes.size(), 1u);
    EXPECT_EQ(d.wakes[0].cycle, 500u);
}

TEST(DMA, FullQueueMakesPushSleepUntilASlotFrees)
{
    Dma d(8, 4);
    for (uint32_t i = 0; i < 4; i++) {
        d.stage(i, kL2 + 0x100 * i, kL1 + 0x100 * i, 64);
        EXPECT_EQ(d.push(i, 100), i);
    }
    d.stage(0, kL2 + 0x400, kL1 + 0x400, 64);
    uint32_t v = 0xAAAAAAAAu;
    EXPECT_EQ(d.access(0, ORT_DMA_REG_PUSH, false, &v, 101), RV_BUS_SLEEP);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0xFu); // nothing enqueued
    char buf[160];
    ASSERT_TRUE(ort_dma_describe_wait(&d.dma, 0, buf, sizeof buf));
    EXPECT_NE(std::string(buf).find("queue slot (4 of 4"), std::string::npos) << buf;
    const uint64_t first_done = completion(100, 0, kL2Latency, 64, 8); // 114
    ort_dma_advance(&d.dma, first_done - 1);
    EXPECT_TRUE(d.wakes.empty());
    ort_dma_advance(&d.dma, first_done);
    ASSERT_EQ(d.wakes.size(), 1u);
    EXPECT_EQ(d.wakes[0].core, 0u);
    EXPECT_EQ(d.wakes[0].cycle, first_done); // the cycle the slot frees
    // The retried read gets the next id; the transfer joins the queue.
    EXPECT_EQ(d.push(0, first_done), 4u);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_STATUS), 0x1Eu);
    ort_dma_advance(&d.dma, 1000);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 5u);
    for (uint32_t i = 0; i < 5; i++)
        EXPECT_EQ(memcmp(d.l1.data + 0x100 * i, d.l2.data + 0x100 * i, 64), 0) << i;
}

TEST(DMA, BadDescriptorsAreRejectedAndEnqueueNothing)
{
    struct Case {
        const char *what;
        uint32_t src, dst, len, rows;
        int32_t src_stride, dst_stride;
        uint32_t error, error_addr;
    };
    const uint32_t l1_end = kL1 + kL1Size;
    const Case cases[] = {
        {"zero LEN", kL2, kL1, 0, 1, 0, 0, ORT_DMA_ERR_ZERO_SIZE, 0},
        {"zero ROWS", kL2, kL1, 16, 0, 0, 0, ORT_DMA_ERR_ZERO_SIZE, 0},
        {"source outside", 0x30000000u, kL1, 16, 1, 0, 0, ORT_DMA_ERR_SRC, 0x30000000u},
        {"source crossing the end of L2", kL2 + kL2Size - 8, kL1, 16, 1, 0, 0, ORT_DMA_ERR_SRC,
         kL2 + kL2Size - 8},
        {"source row 3 outside", kL2 + kL2Size - 100, kL1, 16, 5, 30, 16, ORT_DMA_ERR_SRC,
         kL2 + kL2Size - 100 + 3 * 30},
        {"destination outside", kL2, 0x00001000u, 16, 1, 0, 0, ORT_DMA_ERR_DST, 0x1000u},
        {"destination crossing the end of L1", kL2, l1_end - 40, 16, 4, 16, 16, ORT_DMA_ERR_DST,
         l1_end - 8},
        {"destination rows below L1", kL2, kL1 + 8, 4, 3, 4, -8, ORT_DMA_ERR_DST, kL1 - 8},
        {"len * rows overflows", kL2, kL1, 0x10000u, 0x10000u, 0, 0, ORT_DMA_ERR_OVERFLOW, 0},
        {"overlap in L1", kL1 + 0x100, kL1 + 0x120, 64, 1, 0, 0, ORT_DMA_ERR_OVERLAP, 0},
        {"interleaved rows (spans overlap)", kL1 + 0x000, kL1 + 0x010, 8, 4, 64, 64,
         ORT_DMA_ERR_OVERLAP, 0},
    };
    Dma d;
    uint64_t errors = 0;
    for (const Case &c : cases) {
        SCOPED_TRACE(c.what);
        d.stage(3, c.src, c.dst, c.len, c.rows, c.src_stride, c.dst_stride);
        EXPECT_EQ(d.push(3, 10), ORT_DMA_PUSH_FAILED);
        EXPECT_EQ(d.get(3, ORT_DMA_REG_ERROR_ADDR), c.error_addr);
        EXPECT_EQ(d.get(3, ORT_DMA_REG_ERROR), c.error);
        EXPECT_EQ(d.get(3, ORT_DMA_REG_ERROR), 0u); // the read cleared it
        EXPECT_EQ(d.get(2, ORT_DMA_REG_ERROR), 0u); // other cores' errors are their own
        EXPECT_EQ(d.get(3, ORT_DMA_REG_STATUS), 0u);
        EXPECT_EQ(ort_dma_next_completion(&d.dma), UINT64_MAX);
        EXPECT_EQ(d.dma.errors, ++errors);
    }
    // Nothing was enqueued: the first good transfer still gets id 0.
    // (Adjacent spans in one memory are fine.)
    d.stage(3, kL1 + 0x100, kL1 + 0x140, 64);
    EXPECT_EQ(d.push(3, 20), 0u);
    EXPECT_EQ(d.get(3, ORT_DMA_REG_ERROR), 0u);
    ort_dma_advance(&d.dma, 1000);
    EXPECT_EQ(d.dma.transfers, 1u);
}

TEST(DMA, CompletionRaisesTheDmaEventOnEveryCore)
{
    Dma d;
    uint32_t v = ORT_EU_EVENT_DMA, extra;
    ASSERT_EQ(ort_eu_access(&d.eu, 2, ORT_EU_REG_EVT_MASK, true, &v, 0, &extra), ORT_EU_OK);
    EXPECT_EQ(ort_eu_access(&d.eu, 2, ORT_EU_REG_EVT_WAIT, false, &v, 110, &extra), ORT_EU_SLEEP);
    d.stage(0, kL2, kL1, 256);
    ASSERT_EQ(d.push(0, 100), 0u);
    const uint64_t done = completion(100, 0, kL2Latency, 256, 8);
    ort_dma_advance(&d.dma, done - 1);
    EXPECT_TRUE(d.eu_wakes.empty());
    ort_dma_advance(&d.dma, done);
    for (unsigned c : {0u, 1u, 3u})
        EXPECT_EQ(d.eu.core[c].pending, ORT_EU_EVENT_DMA) << "core " << c;
    ASSERT_EQ(d.eu_wakes.size(), 1u);
    EXPECT_EQ(d.eu_wakes[0].core, 2u);
    EXPECT_EQ(d.eu_wakes[0].cycle, done + ORT_EU_WAKE_CYCLES);
    EXPECT_EQ(ort_eu_access(&d.eu, 2, ORT_EU_REG_EVT_WAIT, false, &v, done + 2, &extra), ORT_EU_OK);
    EXPECT_EQ(v, ORT_EU_EVENT_DMA);
    EXPECT_TRUE(d.wakes.empty()); // no core waited in the DMA itself
}

TEST(DMA, TcdmConflictDelaysCompletionByTheWaitedCycles)
{
    Dma d;
    const uint32_t dst = kL1 + 0x200; // bank 0; beat k writes banks 2k, 2k+1 (mod 16)
    d.stage(0, kL2, dst, 256);
    ASSERT_EQ(d.push(0, 100), 0u);
    const uint64_t first = 100 + ORT_DMA_START_CYCLES + kL2Latency; // 106
    const uint64_t undisturbed = completion(100, 0, kL2Latency, 256, 8);
    // A core holds bank 0 at 106 and 107 (beat 0 waits 2 and moves at 108,
    // beat 1 at 109) and bank 4 at 110 (beat 2 waits 1).
    EXPECT_EQ(ort_tcdm_claim(&d.tcdm, kL1, first), 0u);
    EXPECT_EQ(ort_tcdm_claim(&d.tcdm, kL1, first + 1), 0u);
    EXPECT_EQ(ort_tcdm_claim(&d.tcdm, kL1 + 16, first + 4), 0u);
    // Before the DMA meets the conflicts, the estimate is the undisturbed one.
    EXPECT_EQ(ort_dma_next_completion(&d.dma), undisturbed);
    ort_dma_advance(&d.dma, first + 3); // beat 0 (at 108) only
    EXPECT_EQ(d.dma.bytes, 8u);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), undisturbed + 2);
    const uint64_t done = d.run_until_in_flight(0, first + 3);
    EXPECT_EQ(done, undisturbed + 3);
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 3u);
    EXPECT_EQ(d.dma.busy_cycles, 32u);
    EXPECT_EQ(check_l1(d, kL2, dst, 256, 1, 0, 0), 0);
    // 64 words claimed by the DMA, 3 by the "core".
    EXPECT_EQ(d.tcdm.accesses, 64u + 3u);
}

TEST(DMA, L1ToL1CopyMeetsItselfWhenBanksCoincide)
{
    // Source and destination 1 KiB apart use the same banks: in each beat
    // the destination words wait one cycle for the source's claims, so a
    // beat takes 2 cycles. Shifting the destination by one beat avoids it.
    Dma d;
    for (uint32_t i = 0; i < 64; i++)
        d.l1.data[i] = static_cast<uint8_t>(i + 1);
    d.stage(0, kL1, kL1 + 0x400, 64);
    ASSERT_EQ(d.push(0, 0), 0u);
    const uint64_t start = ORT_DMA_START_CYCLES + kL1Latency;
    EXPECT_EQ(d.run_until_in_flight(0, 0), start + 2 * (64 / 8));
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 8u);
    EXPECT_EQ(memcmp(d.l1.data + 0x400, d.l1.data, 64), 0);

    d.stage(0, kL1, kL1 + 0x808, 64);
    ASSERT_EQ(d.push(0, 100), 1u);
    EXPECT_EQ(d.run_until_in_flight(0, 100), 100 + start + 64 / 8);
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 8u);
    EXPECT_EQ(memcmp(d.l1.data + 0x808, d.l1.data, 64), 0);
}

TEST(DMA, LongRowsAreCopiedWhole)
{
    // Rows longer than the engine's copy buffer, into L1 with bank timing.
    // (32 bytes a beat: 9 words at most, all in different banks of 16.)
    Dma d(32);
    const uint32_t src = kL2 + 0x10, dst = kL1 + 0x3;
    d.stage(0, src, dst, 3000, 3, 3100, 3001);
    ASSERT_EQ(d.push(0, 0), 0u);
    const uint64_t done = completion(0, 0, kL2Latency, 9000, 32); // 282 beats
    EXPECT_EQ(d.run_until_in_flight(0, 0), done);
    EXPECT_EQ(check_l1(d, src, dst, 3000, 3, 3100, 3001), 0);
    EXPECT_EQ(d.l1_written, 9000u);
    EXPECT_EQ(d.dma.tcdm_wait_cycles, 0u);
}

TEST(DMA, TheAdvanceStepDoesNotChangeTheOutcome)
{
    // Same transfers and the same foreign bank claims, advanced in steps of
    // 1, 7, 64 cycles and in one go: same completion cycles, same bytes.
    struct Outcome {
        std::vector<uint64_t> woken;
        std::vector<uint8_t> l1, l2;
        uint64_t waits;
    };
    auto run = [](uint64_t step) {
        Dma d;
        for (uint32_t i = 0; i < 0x800; i++)
            d.l1.data[i] = static_cast<uint8_t>(i ^ 0x5A);
        for (uint64_t c = 100; c < 300; c += 3) // a core hammering banks 0..2
            ort_tcdm_claim(&d.tcdm, kL1 + 4 * (c % 3), c);
        d.stage(0, kL2 + 0x21, kL1 + 0x1000, 13, 9, 29, 17);
        EXPECT_EQ(d.push(0, 100), 0u);
        d.stage(1, kL1 + 0x10, kL2 + 0x4000, 200, 2, 256, 200);
        EXPECT_EQ(d.push(1, 101), 1u);
        d.stage(2, kL1 + 0x400, kL1 + 0x2000, 96, 4, 100, 96);
        EXPECT_EQ(d.push(2, 102), 2u);
        for (unsigned c = 0; c < 3; c++)
            EXPECT_EQ(d.wait(c, c, 102), RV_BUS_SLEEP);
        for (uint64_t t = 100; d.dma.count; t += step)
            ort_dma_advance(&d.dma, t);
        Outcome o;
        for (const Wake &w : d.wakes)
            o.woken.push_back(w.cycle);
        o.l1.assign(d.l1.data, d.l1.data + kL1Size);
        o.l2.assign(d.l2.data, d.l2.data + kL2Size);
        o.waits = d.dma.tcdm_wait_cycles;
        return o;
    };
    const Outcome ref = run(1);
    ASSERT_EQ(ref.woken.size(), 3u);
    EXPECT_GT(ref.waits, 0u); // the claims did get in the way
    for (uint64_t step : {7u, 64u, 100000u}) {
        SCOPED_TRACE(step);
        const Outcome o = run(step);
        EXPECT_EQ(o.woken, ref.woken);
        EXPECT_EQ(o.waits, ref.waits);
        EXPECT_TRUE(o.l1 == ref.l1);
        EXPECT_TRUE(o.l2 == ref.l2);
    }
}

TEST(DMA, NextCompletionIsAfterTheAdvancedCycle)
{
    Dma d;
    EXPECT_EQ(ort_dma_next_completion(&d.dma), UINT64_MAX);
    ort_dma_advance(&d.dma, 1000);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), UINT64_MAX);
    // A core simulated behind the DMA pushes at 500: the transfer "really"
    // completes at 538, already passed, so the estimate is 1001 and the
    // next advance completes it with its true cycle.
    d.stage(0, kL2, kL1, 256);
    ASSERT_EQ(d.push(0, 500), 0u);
    EXPECT_EQ(ort_dma_next_completion(&d.dma), 1001u);
    ort_dma_advance(&d.dma, 1001);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_DONE_COUNT), 1u);
    EXPECT_EQ(d.eu.core[0].pending, ORT_EU_EVENT_DMA);
    EXPECT_EQ(d.dma.engine_free, completion(500, 0, kL2Latency, 256, 8));
    EXPECT_EQ(ort_dma_next_completion(&d.dma), UINT64_MAX);
}

TEST(DMA, BadAccessesAreBusErrors)
{
    Dma d;
    uint32_t v = 0;
    EXPECT_EQ(d.access(0, ORT_DMA_REG_SRC, false, &v, 0, 2), RV_BUS_ERROR);  // 16-bit
    EXPECT_EQ(d.access(0, ORT_DMA_REG_SRC, true, &v, 0, 1), RV_BUS_ERROR);   // 8-bit
    EXPECT_EQ(d.access(0, ORT_DMA_REG_SRC + 2, false, &v, 0), RV_BUS_ERROR); // unaligned
    EXPECT_EQ(d.access(0, 0x30, false, &v, 0), RV_BUS_ERROR);            // no register
    EXPECT_EQ(d.access(0, 0x3FC, true, &v, 0), RV_BUS_ERROR);
    for (uint32_t ro : {ORT_DMA_REG_PUSH, ORT_DMA_REG_STATUS, ORT_DMA_REG_ERROR, ORT_DMA_REG_ERROR_ADDR,
                        ORT_DMA_REG_DONE_COUNT})
        EXPECT_EQ(d.access(0, ro, true, &v, 0), RV_BUS_ERROR) << ro;
    EXPECT_EQ(d.access(0, ORT_DMA_REG_WAIT, false, &v, 0), RV_BUS_ERROR); // write-only
    EXPECT_EQ(d.access(4, ORT_DMA_REG_SRC, false, &v, 0), RV_BUS_ERROR);  // no core 4
    EXPECT_EQ(d.dma.next_id, 0u);
}

TEST(DMA, BadParamsNameTheParameter)
{
    struct Case {
        unsigned cores;
        uint32_t bandwidth, depth;
        const char *message;
    };
    const Case cases[] = {
        {4, 0, 8, "dma.bandwidth = 0: must be 1 to 64"},
        {4, 65, 8, "dma.bandwidth = 65: must be 1 to 64"},
        {4, 8, 0, "dma.queue_depth = 0: must be 1 to 16"},
        {4, 8, 17, "dma.queue_depth = 17: must be 1 to 16"},
        {0, 8, 8, "dma.cores = 0: must be 1 to 16"},
        {17, 8, 8, "dma.cores = 17: must be 1 to 16"},
    };
    for (const Case &c : cases) {
        ort_dma dma;
        ort_dma_params p{c.cores, c.bandwidth, c.depth};
        char err[128] = "";
        EXPECT_FALSE(ort_dma_init(&dma, &p, err, sizeof err));
        EXPECT_STREQ(err, c.message);
    }
    // The limits themselves are fine.
    ort_dma dma;
    char err[128];
    ort_dma_params lo{1, 1, 1}, hi{16, 64, 16};
    EXPECT_TRUE(ort_dma_init(&dma, &lo, err, sizeof err)) << err;
    EXPECT_TRUE(ort_dma_init(&dma, &hi, err, sizeof err)) << err;
    ort_dma_params def;
    ort_dma_default_params(&def, 4);
    EXPECT_EQ(def.bandwidth, 8u);
    EXPECT_EQ(def.queue_depth, 8u);
}

TEST(DMA, AttachesAtMostFourMemories)
{
    Dma d; // l2 and l1 attached
    ort_mem extra[3];
    for (unsigned i = 0; i < 3; i++)
        ASSERT_TRUE(ort_mem_init(&extra[i], "extra", 0x20000000u + 0x1000u * i, 0x1000u, 1));
    EXPECT_TRUE(ort_dma_add_memory(&d.dma, &extra[0], nullptr));
    EXPECT_TRUE(ort_dma_add_memory(&d.dma, &extra[1], nullptr));
    EXPECT_FALSE(ort_dma_add_memory(&d.dma, &extra[2], nullptr));
    EXPECT_FALSE(ort_dma_add_memory(&d.dma, nullptr, nullptr));
    // A transfer between two memories without bank timing: latency 1.
    extra[0].data[5] = 0x5A;
    d.stage(0, 0x20000005u, 0x20001007u, 1);
    ASSERT_EQ(d.push(0, 0), 0u);
    ort_dma_advance(&d.dma, completion(0, 0, 1, 1, 8));
    EXPECT_EQ(extra[1].data[7], 0x5A);
    // The third memory is not reachable.
    d.stage(0, 0x20002000u, kL1, 4);
    EXPECT_EQ(d.push(0, 10), ORT_DMA_PUSH_FAILED);
    EXPECT_EQ(d.get(0, ORT_DMA_REG_ERROR), uint32_t(ORT_DMA_ERR_SRC));
    for (ort_mem &m : extra)
        ort_mem_free(&m);
}
