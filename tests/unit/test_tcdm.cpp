// L1 TCDM bank-conflict timing: one access per bank per cycle, claims in any
// order within the window, word interleaving.
#include <gtest/gtest.h>

#include "core_harness.h"

extern "C" {
#include "tcdm.h"
}

namespace {
constexpr uint32_t kL1 = 0x10000000u;

struct Tcdm {
    ort_tcdm t{};
    explicit Tcdm(uint32_t banks) { EXPECT_TRUE(ort_tcdm_init(&t, kL1, 256 * 1024, banks)); }
    ~Tcdm() { ort_tcdm_free(&t); }
};
} // namespace

TEST(Tcdm, RejectsBadBankCounts)
{
    ort_tcdm t;
    EXPECT_FALSE(ort_tcdm_init(&t, kL1, 1024, 0));
    EXPECT_FALSE(ort_tcdm_init(&t, kL1, 1024, 12));
    EXPECT_FALSE(ort_tcdm_init(&t, kL1, 1024, 2048));
    EXPECT_FALSE(ort_tcdm_init(&t, kL1, 0, 16));
}

TEST(Tcdm, WordInterleaving)
{
    Tcdm m(16);
    EXPECT_EQ(ort_tcdm_bank(&m.t, kL1 + 0), 0u);
    EXPECT_EQ(ort_tcdm_bank(&m.t, kL1 + 3), 0u);
    EXPECT_EQ(ort_tcdm_bank(&m.t, kL1 + 4), 1u);
    EXPECT_EQ(ort_tcdm_bank(&m.t, kL1 + 60), 15u);
    EXPECT_EQ(ort_tcdm_bank(&m.t, kL1 + 64), 0u);
}

TEST(Tcdm, SameBankSameCycleWaits)
{
    Tcdm m(16);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 100), 0u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1 + 64, 100), 1u); // bank 0 again
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1 + 128, 100), 2u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1 + 4, 100), 0u); // bank 1 is free
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 101), 2u);     // 100..102 are taken
    EXPECT_EQ(m.t.accesses, 5u);
    EXPECT_EQ(m.t.conflict_cycles, 5u);
}

TEST(Tcdm, ClaimsOutOfOrderOnlyWaitForLaterOnes)
{
    Tcdm m(16);
    // A master simulated first took bank 0 at cycles 200..209.
    for (uint64_t c = 200; c < 210; c++)
        EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, c), 0u);
    // Another, simulated later, accesses bank 0 at earlier cycles: no wait
    // before 200, then pushed past the busy run.
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 150), 0u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 199), 0u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 205), 5u);
}

TEST(Tcdm, OldClaimsAgeOut)
{
    Tcdm m(16);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 7), 0u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 7 + ORT_TCDM_WINDOW), 0u);
    EXPECT_EQ(ort_tcdm_claim(&m.t, kL1, 7 + ORT_TCDM_WINDOW), 1u);
}

TEST(Tcdm, CoreLoadsWaitForABusyBank)
{
    // The harness RAM plays L1: a DMA-like master took bank 2 at cycles 0..2;
    // a load from bank 2 issued at cycle 0 waits 3 cycles, one from bank 3
    // does not.
    CoreHarness h;
    ort_tcdm t;
    ASSERT_TRUE(ort_tcdm_init(&t, CoreHarness::kBase, CoreHarness::kSize, 16));
    ASSERT_TRUE(rv_core_set_region_tcdm(&h.core, CoreHarness::kBase, &t));
    const uint32_t bank2 = CoreHarness::kBase + 0x8000 + 8;
    for (uint64_t c = 0; c < 3; c++)
        ort_tcdm_claim(&t, bank2, c);
    h.x(1) = bank2;
    h.program({enc::i(0, 1, 2, 3, 0x03), enc::i(4, 1, 2, 4, 0x03)}); // lw x3,0(x1); lw x4,4(x1)
    h.step();
    EXPECT_EQ(h.core.cycle, 1u + 3u);
    h.step();
    EXPECT_EQ(h.core.cycle, 5u);
    EXPECT_EQ(h.core.counters.tcdm_stalls, 3u);
    EXPECT_EQ(h.core.counters.mem_stalls, 0u);
    ort_tcdm_free(&t);
}
