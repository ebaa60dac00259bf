// Event unit engine: events and wait-for-event, the barrier, the mutex,
// wake-up cycles, and the errors firmware bugs get.
#include <gtest/gtest.h>

#include <vector>

extern "C" {
#include "event_unit.h"
}

namespace {

struct Wake {
    unsigned core;
    uint64_t cycle;
};

struct Unit {
    ort_event_unit eu{};
    std::vector<Wake> wakes;
    explicit Unit(unsigned cores = 4) { ort_eu_init(&eu, cores, &Unit::on_wake, this); }
    static void on_wake(void *ctx, unsigned core, uint64_t cycle)
    {
        static_cast<Unit *>(ctx)->wakes.push_back({core, cycle});
    }
    ort_eu_status read(unsigned core, uint32_t off, uint64_t now, uint32_t *v, uint32_t *extra)
    {
        return ort_eu_access(&eu, core, off, false, v, now, extra);
    }
    ort_eu_status write(unsigned core, uint32_t off, uint32_t v, uint64_t now)
    {
        uint32_t extra = 0;
        return ort_eu_access(&eu, core, off, true, &v, now, &extra);
    }
};

} // namespace

TEST(EventUnit, WaitSleepsUntilAMaskedEventArrives)
{
    Unit u;
    uint32_t v = 0, extra = 0;
    ASSERT_EQ(u.write(1, ORT_EU_REG_EVT_MASK, 0x3, 0), ORT_EU_OK);
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_WAIT, 100, &v, &extra), ORT_EU_SLEEP);
    // An event outside the mask stays pending and wakes nobody.
    ort_eu_raise(&u.eu, 1u << 1, 1u << 4, 120);
    EXPECT_TRUE(u.wakes.empty());
    // Software event 1 from core 0 at cycle 150: core 1 wakes 2 cycles later.
    ASSERT_EQ(u.write(0, ORT_EU_REG_SW_EVENT, (1u << 16) | (1u << 1), 150), ORT_EU_WOKE);
    ASSERT_EQ(u.wakes.size(), 1u);
    EXPECT_EQ(u.wakes[0].core, 1u);
    EXPECT_EQ(u.wakes[0].cycle, 150u + ORT_EU_WAKE_CYCLES);
    // The retried read returns and consumes the masked events only.
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_WAIT, 152, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 0x2u);
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_PENDING, 153, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 1u << 4);
    ASSERT_EQ(u.write(1, ORT_EU_REG_EVT_CLEAR, 1u << 4, 154), ORT_EU_OK);
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_PENDING, 155, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 0u);
}

TEST(EventUnit, AnAccessSaysWhetherItWokeACore)
{
    // The scheduler lets a woken core run in the same slice only when the
    // access says so: an event nobody waits for wakes no one.
    Unit u;
    uint32_t v, extra;
    EXPECT_EQ(u.write(0, ORT_EU_REG_SW_EVENT, (1u << 16) | (1u << 1), 10), ORT_EU_OK);
    EXPECT_TRUE(u.wakes.empty());
    u.write(1, ORT_EU_REG_EVT_MASK, 1u << 2, 0);
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_WAIT, 20, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.write(0, ORT_EU_REG_SW_EVENT, (3u << 16) | (1u << 1), 30), ORT_EU_OK); // masked
    EXPECT_EQ(u.write(0, ORT_EU_REG_SW_EVENT, (2u << 16) | (1u << 1), 40), ORT_EU_WOKE);
    EXPECT_EQ(u.wakes.size(), 1u);
}

TEST(EventUnit, AnEventFromAnEarlierCycleWakesAtTheWaitsStart)
{
    // Core 2 (simulated later) sends at cycle 50 to core 1, which started
    // waiting at cycle 80: it had the event already, so it resumes at 80.
    Unit u;
    uint32_t v, extra;
    u.write(1, ORT_EU_REG_EVT_MASK, 1, 0);
    EXPECT_EQ(u.read(1, ORT_EU_REG_EVT_WAIT, 80, &v, &extra), ORT_EU_SLEEP);
    u.write(2, ORT_EU_REG_SW_EVENT, 1u << 1, 50);
    ASSERT_EQ(u.wakes.size(), 1u);
    EXPECT_EQ(u.wakes[0].cycle, 80u);
}

TEST(EventUnit, BarrierReleasesEveryoneAfterTheLastArrival)
{
    Unit u(4);
    uint32_t v, extra = 0;
    EXPECT_EQ(u.read(0, ORT_EU_REG_BAR_WAIT, 100, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.read(2, ORT_EU_REG_BAR_WAIT, 300, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.read(3, ORT_EU_REG_BAR_WAIT, 120, &v, &extra), ORT_EU_SLEEP);
    EXPECT_TRUE(u.wakes.empty());
    // The last one arrives at 200, but core 2 arrived at 300: release at 302.
    EXPECT_EQ(u.read(1, ORT_EU_REG_BAR_WAIT, 200, &v, &extra), ORT_EU_WOKE);
    EXPECT_EQ(extra, 302u - 200u);
    ASSERT_EQ(u.wakes.size(), 3u);
    for (const Wake &w : u.wakes)
        EXPECT_EQ(w.cycle, 302u);
    // Retried reads of the woken cores complete without a second arrival.
    for (unsigned c : {0u, 2u, 3u})
        EXPECT_EQ(u.read(c, ORT_EU_REG_BAR_WAIT, 302, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(u.eu.barriers, 1u);
    // The next barrier starts from scratch.
    EXPECT_EQ(u.read(0, ORT_EU_REG_BAR_WAIT, 400, &v, &extra), ORT_EU_SLEEP);
}

TEST(EventUnit, BarrierWithASubsetOfCores)
{
    Unit u(4);
    uint32_t v, extra;
    ASSERT_EQ(u.write(0, ORT_EU_REG_BAR_MASK, 0x5, 0), ORT_EU_OK); // cores 0 and 2
    EXPECT_EQ(u.read(1, ORT_EU_REG_BAR_WAIT, 10, &v, &extra), ORT_EU_ERROR); // not a participant
    EXPECT_EQ(u.read(0, ORT_EU_REG_BAR_WAIT, 10, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.write(0, ORT_EU_REG_BAR_MASK, 0x3, 11), ORT_EU_ERROR); // mid-barrier
    EXPECT_EQ(u.read(2, ORT_EU_REG_BAR_WAIT, 20, &v, &extra), ORT_EU_WOKE);
    EXPECT_EQ(u.write(0, ORT_EU_REG_BAR_MASK, 0x10, 30), ORT_EU_ERROR); // no such core
    EXPECT_EQ(u.write(0, ORT_EU_REG_BAR_MASK, 0, 30), ORT_EU_ERROR);
}

TEST(EventUnit, MutexTestAndSetAndBlockingLock)
{
    Unit u(4);
    uint32_t v, extra;
    EXPECT_EQ(u.read(0, ORT_EU_REG_MUTEX_TAS, 10, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 1u); // was free, now held by core 0
    EXPECT_EQ(u.read(1, ORT_EU_REG_MUTEX_TAS, 11, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 0u);
    EXPECT_EQ(u.read(3, ORT_EU_REG_MUTEX_LOCK, 12, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.read(2, ORT_EU_REG_MUTEX_LOCK, 13, &v, &extra), ORT_EU_SLEEP);
    EXPECT_EQ(u.write(1, ORT_EU_REG_MUTEX_TAS, 0, 14), ORT_EU_ERROR); // not the holder
    // Release at 40: the lowest-numbered waiter (core 2) gets it.
    EXPECT_EQ(u.write(0, ORT_EU_REG_MUTEX_TAS, 0, 40), ORT_EU_WOKE);
    ASSERT_EQ(u.wakes.size(), 1u);
    EXPECT_EQ(u.wakes[0].core, 2u);
    EXPECT_EQ(u.wakes[0].cycle, 41u);
    EXPECT_EQ(u.eu.mutex_owner, 2);
    EXPECT_EQ(u.read(2, ORT_EU_REG_MUTEX_LOCK, 41, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(u.write(2, ORT_EU_REG_MUTEX_TAS, 0, 50), ORT_EU_WOKE);
    EXPECT_EQ(u.eu.mutex_owner, 3);
}

TEST(EventUnit, BadAccessesAreErrors)
{
    Unit u(2);
    uint32_t v, extra;
    EXPECT_EQ(u.read(0, 0x3FC, 0, &v, &extra), ORT_EU_ERROR);
    EXPECT_EQ(u.write(0, ORT_EU_REG_SW_EVENT, 8u << 16, 0), ORT_EU_ERROR); // event 8
    EXPECT_EQ(u.read(5, ORT_EU_REG_EVT_MASK, 0, &v, &extra), ORT_EU_ERROR); // no core 5
    EXPECT_EQ(u.read(0, ORT_EU_REG_CORE_COUNT, 0, &v, &extra), ORT_EU_OK);
    EXPECT_EQ(v, 2u);
}

TEST(EventUnit, DescribesWhatACoreWaitsFor)
{
    Unit u(2);
    uint32_t v, extra;
    char buf[160];
    u.read(0, ORT_EU_REG_BAR_WAIT, 5, &v, &extra);
    ort_eu_describe_wait(&u.eu, 0, buf, sizeof buf);
    EXPECT_STREQ(buf, "waits at the barrier (1 of 2 cores arrived, mask 0x3)");
    u.write(1, ORT_EU_REG_EVT_MASK, 0x100, 0);
    u.read(1, ORT_EU_REG_EVT_WAIT, 7, &v, &extra);
    ort_eu_describe_wait(&u.eu, 1, buf, sizeof buf);
    EXPECT_STREQ(buf, "waits for events 0x100 (pending 0x0) since cycle 7");
}
