// The cluster scheduler driven with a fake device (device.h): a one-shot
// timer that puts a core to sleep until it fires. Checks that the scheduler
// advances every device, jumps over idle time to the devices' next event,
// wakes the core at that cycle, asks devices for the deadlock report, and
// that device windows are checked when added.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core_harness.h"

extern "C" {
#include "cluster.h"
#include "decode_cache.h"
}

using namespace enc;

namespace {

constexpr uint32_t kCode = 0x1C000000u;
constexpr uint32_t kCodeSize = 4096;
constexpr uint32_t kTimerBase = 0x10202000u;

/* The fake device: write ARM (0x0) = delay: fires at now + delay; read
   WAIT (0x4): the fire cycle, sleeping until then; write STOP (0x8): ends
   the run. */
struct FakeTimer {
    ort_cluster *cl = nullptr;
    uint64_t fire_at = UINT64_MAX;
    bool fired = false;
    int sleeper = -1;
    uint64_t accesses = 0, fires = 0, advance_calls = 0;

    static rv_bus_status access(void *ctx, unsigned core, uint32_t off, unsigned, bool is_write,
                                uint32_t *data, uint64_t now, uint32_t *extra)
    {
        auto *t = static_cast<FakeTimer *>(ctx);
        *extra = 0;
        t->accesses++;
        if (is_write && off == 0x0) {
            t->fire_at = now + *data;
            t->fired = false;
            return RV_BUS_OK;
        }
        if (is_write && off == 0x8)
            return RV_BUS_STOP;
        if (!is_write && off == 0x4) {
            if (t->fired) {
                *data = (uint32_t)t->fire_at;
                return RV_BUS_OK;
            }
            t->sleeper = (int)core;
            return RV_BUS_SLEEP;
        }
        return RV_BUS_ERROR;
    }
    static void advance(void *ctx, uint64_t until)
    {
        auto *t = static_cast<FakeTimer *>(ctx);
        t->advance_calls++;
        if (!t->fired && t->fire_at <= until) {
            t->fired = true;
            t->fires++;
            if (t->sleeper >= 0)
                ort_cluster_wake(t->cl, (unsigned)t->sleeper, t->fire_at);
            t->sleeper = -1;
        }
    }
    static uint64_t next_event(const void *ctx)
    {
        auto *t = static_cast<const FakeTimer *>(ctx);
        return t->fired ? UINT64_MAX : t->fire_at;
    }
    static bool describe_wait(const void *ctx, unsigned core, char *buf, size_t len)
    {
        auto *t = static_cast<const FakeTimer *>(ctx);
        if (t->sleeper != (int)core)
            return false;
        snprintf(buf, len, "waits for the fake timer");
        return true;
    }
};

const ort_counter kTimerCounters[] = {
    ORT_COUNTER(FakeTimer, accesses),
    ORT_COUNTER(FakeTimer, fires),
};

struct ClusterWithTimer {
    ort_cluster cl{};
    rv_decode_cache dc{};
    std::vector<uint8_t> code = std::vector<uint8_t>(kCodeSize, 0);
    FakeTimer timer;

    ClusterWithTimer(unsigned cores, uint32_t slice, const std::vector<uint32_t> &program)
    {
        ort_cluster_params p{};
        p.cores = cores;
        p.l1_size = 64 * 1024;
        p.l1_banks = 16;
        p.slice_cycles = slice;
        p.dma_bandwidth = 8;
        p.dma_queue_depth = 8;
        char err[256];
        EXPECT_TRUE(ort_cluster_init(&cl, &p, err, sizeof err)) << err;
        EXPECT_TRUE(rv_decode_cache_init(&dc, kCode, kCodeSize));
        std::memcpy(code.data(), program.data(), program.size() * 4);
        EXPECT_TRUE(ort_cluster_add_memory(&cl, kCode, kCodeSize, code.data(), 0, &dc));
        timer.cl = &cl;
        ort_device dev{};
        dev.name = "timer";
        dev.base = kTimerBase;
        dev.size = 0x100;
        dev.ctx = &timer;
        dev.access = FakeTimer::access;
        dev.advance = FakeTimer::advance;
        dev.next_event = FakeTimer::next_event;
        dev.describe_wait = FakeTimer::describe_wait;
        dev.counters = kTimerCounters;
        dev.n_counters = 2;
        EXPECT_TRUE(ort_cluster_add_device(&cl, &dev, err, sizeof err)) << err;
        ort_cluster_boot(&cl, kCode);
    }
    ~ClusterWithTimer()
    {
        ort_cluster_free(&cl);
        rv_decode_cache_free(&dc);
    }
};

const uint32_t kT0 = 5, kT1 = 6, kT2 = 7;

/* Arm the timer for 100 cycles, wait for it, store the fire cycle to STOP. */
const std::vector<uint32_t> kArmAndWait = {
    u(kTimerBase >> 12, kT0, 0x37), // lui  t0, timer
    i(100, 0, 0, kT1, 0x13),        // addi t1, x0, 100
    s(0, kT1, kT0, 2),              // sw   t1, 0(t0)   arm
    i(4, kT0, 2, kT2, 0x03),        // lw   t2, 4(t0)   wait
    s(8, kT2, kT0, 2),              // sw   t2, 8(t0)   stop
    j(0, 0),                        // j .
};

} // namespace

TEST(Cluster, AFakeDeviceWakesASleepingCoreAtItsEventAndIdleTimeIsSkipped)
{
    ClusterWithTimer c(1, 8, kArmAndWait);
    EXPECT_EQ(ort_cluster_run(&c.cl, 100000), ORT_CLUSTER_HALTED);
    const rv_core &core = c.cl.core[0];
    // The armed cycle is that of the store: lui, addi, then sw at cycle 2.
    EXPECT_EQ(c.timer.fire_at, 2u + 100u);
    EXPECT_EQ(core.x[kT2], 102u); // the retried load saw the timer fired
    EXPECT_EQ(c.timer.fires, 1u);
    // The core slept from the load (cycle 3) until the fire cycle.
    EXPECT_EQ(core.counters.sleep_cycles, 102u - 3u);
    // With 8-cycle slices, stepping through 100 idle cycles would take
    // more than 12 device advances; the scheduler jumps to the event.
    EXPECT_LT(c.timer.advance_calls, 6u);
    // Counters through the descriptor table, found by device name.
    const ort_device *dev = ort_cluster_device(&c.cl, "timer");
    ASSERT_NE(dev, nullptr);
    const ort_counter *acc = ort_counter_find(dev->counters, dev->n_counters, "accesses");
    ASSERT_NE(acc, nullptr);
    EXPECT_EQ(ort_counter_value(acc, dev->ctx), 4u); // arm, wait, wait again, stop
    EXPECT_EQ(ort_counter_find(dev->counters, dev->n_counters, "bogus"), nullptr);
}

TEST(Cluster, TheResultDoesNotDependOnTheSlice)
{
    for (uint32_t slice : {1u, 3u, 8u, 256u, 2048u}) {
        ClusterWithTimer c(1, slice, kArmAndWait);
        EXPECT_EQ(ort_cluster_run(&c.cl, 100000), ORT_CLUSTER_HALTED) << "slice " << slice;
        EXPECT_EQ(c.cl.core[0].x[kT2], 102u) << "slice " << slice;
        EXPECT_EQ(c.cl.core[0].counters.sleep_cycles, 99u) << "slice " << slice;
    }
}

TEST(Cluster, TheDeadlockReportAsksEachDevice)
{
    // Wait without arming: nothing can wake the core.
    ClusterWithTimer c(2, 256, {u(kTimerBase >> 12, kT0, 0x37), i(4, kT0, 2, kT2, 0x03), j(0, 0)});
    EXPECT_EQ(ort_cluster_run(&c.cl, 100000), ORT_CLUSTER_DEADLOCK);
    char line[256];
    ort_cluster_describe_core(&c.cl, 1, line, sizeof line);
    EXPECT_NE(std::string(line).find("core 1: pc 0x1c000004"), std::string::npos) << line;
    EXPECT_NE(std::string(line).find("waits for the fake timer"), std::string::npos) << line;
    ort_cluster_describe_core(&c.cl, 0, line, sizeof line);
    // Core 0 slept first; the timer remembers only its last sleeper, so core
    // 0's wait is nobody's: the report says so rather than inventing one.
    EXPECT_NE(std::string(line).find("sleeps in wfi"), std::string::npos) << line;
}

TEST(Cluster, DeviceWindowsAreChecked)
{
    ClusterWithTimer c(1, 256, kArmAndWait);
    char err[256];
    ort_device dev = c.cl.dev[c.cl.n_dev - 1];
    dev.name = "second";
    EXPECT_FALSE(ort_cluster_add_device(&c.cl, &dev, err, sizeof err));
    EXPECT_NE(std::string(err).find("overlaps device 'timer'"), std::string::npos) << err;
    dev.base = ORT_DMA_BASE + 0x100;
    EXPECT_FALSE(ort_cluster_add_device(&c.cl, &dev, err, sizeof err));
    EXPECT_NE(std::string(err).find("overlaps device 'dma'"), std::string::npos) << err;
    dev.base = ORT_L1_BASE;
    EXPECT_FALSE(ort_cluster_add_device(&c.cl, &dev, err, sizeof err));
    EXPECT_NE(std::string(err).find("outside the cluster's peripheral space"), std::string::npos)
        << err;
    unsigned added = 0;
    for (uint32_t b = kTimerBase + 0x1000; added < ORT_CLUSTER_MAX_DEVICES; b += 0x1000, added++)
        if (dev.base = b, !ort_cluster_add_device(&c.cl, &dev, err, sizeof err))
            break;
    EXPECT_EQ(c.cl.n_dev, (unsigned)ORT_CLUSTER_MAX_DEVICES);
    EXPECT_NE(std::string(err).find("at most"), std::string::npos) << err;
}

// ---- a timed sleep from outside the cluster (ort_cluster_sleep_until) ------

namespace {

constexpr uint32_t kOuterBase = 0x1A102000u;

/* A block on the outer bus, as the power controller: the first write asks
   for a sleep of `value` cycles from the access, the write executed again
   at the wake-up completes it. */
struct OuterSleeper {
    explicit OuterSleeper(ort_cluster *c) : cl(c) {}
    ort_cluster *cl;
    bool armed = false;
    std::vector<uint64_t> writes; /* the cycles of the writes */
    static rv_bus_status access(void *ctx, rv_core *core, uint32_t, unsigned, bool is_write,
                                uint32_t *data, uint32_t *extra)
    {
        auto *o = static_cast<OuterSleeper *>(ctx);
        *extra = 1;
        if (!is_write)
            return RV_BUS_ERROR;
        o->writes.push_back(core->cycle);
        if (!o->armed)
            ort_cluster_sleep_until(o->cl, core->cycle + *data);
        o->armed = !o->armed;
        return RV_BUS_OK;
    }
};

/* Sleep 1000 cycles through the outer block, then stop at the timer. */
const std::vector<uint32_t> kOuterSleep = {
    u(kTimerBase >> 12, kT0, 0x37),  // lui  t0, timer
    u(kOuterBase >> 12, kT1, 0x37),  // lui  t1, outer block
    i(1000, 0, 0, kT2, 0x13),        // addi t2, x0, 1000
    s(0, kT2, kT1, 2),               // sw   t2, 0(t1)   sleep
    s(8, kT2, kT0, 2),               // sw   t2, 8(t0)   stop
    j(0, 0),                         // j .
};

} // namespace

// The core sleeps at its store from the access's cycle (3) to 1003, then
// executes it again; the scheduler jumps over the sleep (a few device
// advances, not one per slice) whatever the slice.
TEST(Cluster, ATimedSleepFromOutsideIsJumpedOver)
{
    for (uint32_t slice : {1u, 8u, 256u}) {
        ClusterWithTimer c(2, slice, kOuterSleep);
        OuterSleeper o(&c.cl);
        ort_cluster_set_bus(&c.cl, OuterSleeper::access, &o);
        // Core 1 runs the same program: keep it out of the way, asleep.
        c.cl.core[1].state = RV_SLEEPING;
        EXPECT_EQ(ort_cluster_run(&c.cl, 100000), ORT_CLUSTER_HALTED) << "slice " << slice;
        ASSERT_EQ(o.writes.size(), 2u);
        EXPECT_EQ(o.writes[0], 3u);
        EXPECT_EQ(o.writes[1], 1003u);
        EXPECT_EQ(c.cl.core[0].counters.sleep_cycles, 1000u);
        EXPECT_LT(c.timer.advance_calls, 12u) << "slice " << slice;
        EXPECT_FALSE(c.cl.timer.armed);
    }
}

TEST(Cluster, ATimedSleepIsDescribed)
{
    ClusterWithTimer c(1, 8, kOuterSleep);
    OuterSleeper o(&c.cl);
    ort_cluster_set_bus(&c.cl, OuterSleeper::access, &o);
    EXPECT_EQ(ort_cluster_run(&c.cl, 512), ORT_CLUSTER_LIMIT);
    char line[256];
    ort_cluster_describe_core(&c.cl, 0, line, sizeof line);
    EXPECT_NE(std::string(line).find("sleeps until cycle 1003"), std::string::npos) << line;
}
