// Power states: the model's power_gating numbers, the energy of power-gated
// time and wake-ups, the saving and its band (power/energy.h), and the
// power controller's engine (models/pmu). Energies worked out by hand.
#include <gtest/gtest.h>

#include <string>

#include "power_fixture.h"

extern "C" {
#include "pmu.h"
}

namespace {

// The fixture's model with the core power-gateable: residual leakage 0.1
// (0.05..0.2), wake-up 2 nJ (1..4), 10 cycles (published, exact).
std::string gated_model(const std::string &block)
{
    std::string s = kModel;
    std::string anchor = "\"leakage_uw\": {\"hi\": {\"class\": \"derived\"";
    size_t at = s.find(anchor);
    EXPECT_NE(at, std::string::npos);
    s.insert(at, "\"power_gating\": " + block + ",\n      ");
    return s;
}

const char *const kGating =
    R"({"residual_leakage": {"class": "assumption", "value": 0.1, "range": [0.05, 0.2], "source": "r"},
        "wakeup_nj": {"class": "assumption", "value": 2, "range": [1, 4], "source": "w"},
        "wakeup_cycles": {"class": "published", "value": 10, "source": "c"}})";

struct GatedModel {
    ort_power_model m{};
    GatedModel()
    {
        char err[512];
        std::string text = gated_model(kGating);
        if (!ort_power_model_parse(&m, text.c_str(), "gated.json", err, sizeof err))
            ADD_FAILURE() << err;
    }
};

std::string parse_error(const std::string &block)
{
    ort_power_model m{};
    char err[512] = "";
    std::string text = gated_model(block);
    EXPECT_FALSE(ort_power_model_parse(&m, text.c_str(), "gated.json", err, sizeof err));
    return err;
}

} // namespace

TEST(PowerGating, ModelReadsTheNumbersWithTheirClassAndRange)
{
    GatedModel g;
    const ort_power_kind *core = ort_power_model_kind(&g.m, "core");
    const ort_power_kind *l1 = ort_power_model_kind(&g.m, "l1");
    ASSERT_TRUE(core && l1);
    EXPECT_TRUE(core->gateable);
    EXPECT_FALSE(l1->gateable);
    EXPECT_DOUBLE_EQ(core->residual_leakage.value, 0.1);
    EXPECT_DOUBLE_EQ(core->residual_leakage.low, 0.05);
    EXPECT_EQ(core->residual_leakage.cls, ORT_POWER_ASSUMPTION);
    EXPECT_DOUBLE_EQ(core->wakeup_nj.high, 4);
    EXPECT_DOUBLE_EQ(core->wakeup_cycles.value, 10);
    // Power-gated background: 0 by definition, exact.
    EXPECT_EQ(core->background[ORT_POWER_POWER_GATED].value, 0);
    EXPECT_EQ(core->background[ORT_POWER_POWER_GATED].high, 0);
}

TEST(PowerGating, BadBlocksNameTheField)
{
    EXPECT_NE(parse_error(R"({"residual_leakage": {"class": "assumption", "value": 0.1, "range": [0, 0.2], "source": "r"},
                             "wakeup_nj": {"class": "assumption", "value": 2, "range": [1, 4], "source": "w"}})")
                  .find("components.core.power_gating.wakeup_cycles: missing"),
              std::string::npos);
    EXPECT_NE(parse_error(R"({"residual_leakage": {"class": "assumption", "value": 0.5, "range": [0.1, 1.5], "source": "r"},
                             "wakeup_nj": {"class": "assumption", "value": 2, "range": [1, 4], "source": "w"},
                             "wakeup_cycles": {"class": "published", "value": 10, "source": "c"}})")
                  .find("components.core.power_gating: 'residual_leakage' is a fraction"),
              std::string::npos);
    EXPECT_NE(parse_error(R"({"residual_leakage": {"class": "assumption", "value": 0.1, "source": "r"},
                             "wakeup_nj": {"class": "assumption", "value": 2, "range": [1, 4], "source": "w"},
                             "wakeup_cycles": {"class": "published", "value": 10, "source": "c"}})")
                  .find("components.core.power_gating.residual_leakage: missing 'range'"),
              std::string::npos);
    EXPECT_NE(parse_error(R"({"retention": 1})").find("power_gating: unknown field 'retention'"),
              std::string::npos);
}

// 1000 cycles at 1 V / 100 MHz (10 us): active 200, clock-gated 300,
// power-gated 500, two wake-ups.
//   background 200 x 10 pJ + 300 x 1 pJ          = 2.3 nJ
//   leakage    100 uW x (5 us on + 0.1 x 5 us)    = 0.55 nJ
//   wake-ups   2 x 2 nJ                           = 4 nJ
// Low corner: 2.3 + 50 uW x 5.25 us + 2 x 1 = 4.5625 nJ; high: 2.3 +
// 200 uW x 6 us + 2 x 4 = 11.5 nJ.
// Saved against staying clock-gated for the 500 cycles: 100 uW x 5 us x 0.9
// + 500 x 1 pJ - 4 nJ = -3.05 nJ (the gaps are too short to pay off); its
// band: 50 x 5 x 0.8 + 0.5 - 8 = -7.3 nJ .. 200 x 5 x 0.95 + 0.5 - 2 = -0.55 nJ.
TEST(PowerGating, PowerGatedTimeLeaksTheResidualAndWakeUpsCost)
{
    GatedModel g;
    ort_power_activity a = core_activity(g.m, 0, 0, 200, 300);
    a.state_cycles[ORT_POWER_POWER_GATED] = 500;
    a.wakeups = 2;
    ort_power_energy e;
    ort_power_energy_of(&g.m, 0, &a, 1000, &e);
    EXPECT_NEAR(e.background_j, 2.3e-9, 1e-20);
    EXPECT_NEAR(e.leakage_j, 0.55e-9, 1e-20);
    EXPECT_NEAR(e.wakeup_j, 4e-9, 1e-20);
    EXPECT_NEAR(e.total_j, 6.85e-9, 1e-20);
    EXPECT_NEAR(e.total_low_j, 4.5625e-9, 1e-20);
    EXPECT_NEAR(e.total_high_j, 11.5e-9, 1e-20);
    EXPECT_NEAR(e.state_j[ORT_POWER_ACTIVE], 2e-9 + 0.2e-9, 1e-20);
    EXPECT_NEAR(e.state_j[ORT_POWER_CLOCK_GATED], 0.3e-9 + 0.3e-9, 1e-20);
    EXPECT_NEAR(e.state_j[ORT_POWER_POWER_GATED], 0.05e-9, 1e-20);
    EXPECT_NEAR(e.saved_j, -3.05e-9, 1e-20);
    EXPECT_NEAR(e.saved_low_j, -7.3e-9, 1e-20);
    EXPECT_NEAR(e.saved_high_j, -0.55e-9, 1e-20);

    // A long gap pays off: 100000 cycles (1 ms) power-gated, one wake-up:
    // 100 uW x 1 ms x 0.9 + 100000 x 1 pJ - 2 nJ = 188 nJ saved.
    ort_power_activity b = core_activity(g.m, 0, 0, 0, 0);
    b.state_cycles[ORT_POWER_POWER_GATED] = 100000;
    b.wakeups = 1;
    ort_power_energy_of(&g.m, 0, &b, 100000, &e);
    EXPECT_NEAR(e.saved_j, 188e-9, 1e-18);
    // ... and the total is what staying clock-gated would cost, less it.
    ort_power_activity c = core_activity(g.m, 0, 0, 0, 100000);
    ort_power_energy on;
    ort_power_energy_of(&g.m, 0, &c, 100000, &on);
    EXPECT_NEAR(on.total_j - e.total_j, e.saved_j, 1e-18);
}

TEST(PowerGating, BandNamesTheGatingNumbers)
{
    GatedModel g;
    ort_power_report r{};
    r.cycles = 1000;
    r.activity[r.n] = core_activity(g.m, 0, 0, 0, 0);
    r.activity[r.n].state_cycles[ORT_POWER_POWER_GATED] = 1000;
    r.activity[r.n++].wakeups = 10;
    ort_power_report_compute(&g.m, &r);
    ort_power_band_share top[4];
    unsigned n = ort_power_band_top(&g.m, &r, -1, top, 4);
    ASSERT_EQ(n, 3u);
    // Wake-ups 10 x (4 - 1) nJ = 30 nJ; leakage 150 uW x 1 us = 0.15 nJ;
    // residual 100 uW x 10 us x 0.15 = 0.15 nJ (ties keep the model's order).
    EXPECT_STREQ(top[0].what, "power_gating.wakeup_nj");
    EXPECT_NEAR(top[0].width_j, 30e-9, 1e-18);
    EXPECT_STREQ(top[1].what, "leakage");
    EXPECT_NEAR(top[1].width_j, 0.15e-9, 1e-18);
    EXPECT_STREQ(top[2].what, "power_gating.residual_leakage");
    EXPECT_NEAR(top[2].width_j, 0.15e-9, 1e-18);
    EXPECT_NEAR(r.saved_j, r.energy[0].saved_j, 0);
}

TEST(PowerGating, AKindThatCannotBeGatedKeepsItsLeakage)
{
    GatedModel g;
    ort_power_activity a{};
    a.kind = ort_power_model_kind(&g.m, "l1");
    a.state_cycles[ORT_POWER_POWER_GATED] = 1000;
    ort_power_energy e;
    ort_power_energy_of(&g.m, 0, &a, 1000, &e);
    EXPECT_NEAR(e.leakage_j, 50e-6 * 10e-6, 1e-20);
    EXPECT_EQ(e.saved_j, 0);
}

// ---- the power controller's engine ----------------------------------------

namespace {

struct Pmu {
    ort_pmu p;
    bool refuse = false;
    std::vector<std::pair<int, bool>> switched;
    std::vector<uint64_t> sleeps; /* wake-up cycles asked of the cluster */
    Pmu()
    {
        ort_pmu_init(&p);
        p.present[ORT_PMU_NPU] = p.present[ORT_PMU_WMEM] = p.present[ORT_PMU_CLUSTER] = true;
        p.wakeup_cycles[ORT_PMU_NPU] = 30;
        p.wakeup_cycles[ORT_PMU_WMEM] = 70;
        p.wakeup_cycles[ORT_PMU_CLUSTER] = 50;
        p.sleep_cluster = [](void *ctx, uint64_t wake_at) {
            static_cast<Pmu *>(ctx)->sleeps.push_back(wake_at);
        };
        p.ctx = this;
        p.may_switch = [](void *ctx, ort_pmu_domain, bool, char *why, size_t len) {
            if (static_cast<Pmu *>(ctx)->refuse)
                snprintf(why, len, "busy");
            return !static_cast<Pmu *>(ctx)->refuse;
        };
        p.switched = [](void *ctx, ort_pmu_domain d, bool on, uint64_t) {
            static_cast<Pmu *>(ctx)->switched.push_back({d, on});
        };
    }
    rv_bus_status write(uint32_t off, uint32_t v, uint64_t now, uint32_t *extra)
    {
        *extra = 0;
        return ort_pmu_access(&p, off, 4, true, &v, now, extra);
    }
    uint32_t read(uint32_t off)
    {
        uint32_t v = 0, extra = 0;
        EXPECT_EQ(ort_pmu_access(&p, off, 4, false, &v, 0, &extra), RV_BUS_OK);
        return v;
    }
};

} // namespace

TEST(Pmu, SwitchesCountPowerGatedCyclesAndWakeUps)
{
    Pmu t;
    uint32_t extra;
    EXPECT_EQ(t.read(ORT_PMU_REG_STATUS), ORT_PMU_STATUS_NPU | ORT_PMU_STATUS_WMEM);
    EXPECT_EQ(t.write(ORT_PMU_REG_NPU, 0, 100, &extra), RV_BUS_OK);
    EXPECT_EQ(extra, 0u); // powering off is immediate
    EXPECT_EQ(t.read(ORT_PMU_REG_NPU), 0u);
    EXPECT_EQ(t.read(ORT_PMU_REG_STATUS), ORT_PMU_STATUS_WMEM);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_NPU, 150), 50u);
    EXPECT_EQ(t.write(ORT_PMU_REG_NPU, 0, 160, &extra), RV_BUS_OK); // already off: nothing
    EXPECT_EQ(t.write(ORT_PMU_REG_NPU, 1, 400, &extra), RV_BUS_OK);
    EXPECT_EQ(extra, 30u); // the writer stalls for the wake-up
    EXPECT_EQ(t.write(ORT_PMU_REG_NPU, 0, 1000, &extra), RV_BUS_OK);
    EXPECT_EQ(t.write(ORT_PMU_REG_NPU, 1, 1100, &extra), RV_BUS_OK);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_NPU, 5000), 300u + 100u);
    EXPECT_EQ(t.p.wakeups[ORT_PMU_NPU], 2u);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_WMEM, 5000), 0u);
    EXPECT_EQ(t.switched.size(), 4u);
    EXPECT_EQ(t.p.last_error[0], '\0');
}

TEST(Pmu, RefusalsAreBusErrorsWithAMessage)
{
    Pmu t;
    uint32_t extra;
    t.refuse = true;
    EXPECT_EQ(t.write(ORT_PMU_REG_WMEM, 0, 10, &extra), RV_BUS_ERROR);
    EXPECT_STREQ(t.p.last_error, "power controller: cannot power the weight memory off: busy");
    EXPECT_EQ(t.read(ORT_PMU_REG_WMEM), 1u); // still on
    Pmu u;
    EXPECT_EQ(u.write(ORT_PMU_REG_NPU, 2, 10, &extra), RV_BUS_ERROR);
    EXPECT_NE(std::string(u.p.last_error).find("other than 0 (off) or 1 (on)"), std::string::npos);
    Pmu v;
    v.p.present[ORT_PMU_NPU] = false;
    EXPECT_EQ(v.write(ORT_PMU_REG_NPU, 0, 10, &extra), RV_BUS_ERROR);
    EXPECT_EQ(v.read(ORT_PMU_REG_STATUS), ORT_PMU_STATUS_WMEM);
    Pmu w;
    EXPECT_EQ(w.write(0x40, 1, 10, &extra), RV_BUS_ERROR);
    EXPECT_NE(std::string(w.p.last_error).find("no register to write at offset 0x040"),
              std::string::npos);
    ort_pmu_gated_access(&w.p, ORT_PMU_WMEM, 3, 0x10400010, false, "weight memory");
    EXPECT_EQ(w.p.gated_accesses, 1u);
    // The first message stays: it explains the fault.
    EXPECT_NE(std::string(w.p.last_error).find("offset 0x040"), std::string::npos);
    Pmu x;
    ort_pmu_gated_access(&x.p, ORT_PMU_WMEM, 3, 0x10400010, false, "weight memory");
    EXPECT_STREQ(x.p.last_error, "core 3 read 0x10400010 (weight memory) while the weight memory "
                                 "is power-gated (power controller WMEM = 0)");
}

// CLUSTER_SLEEP at cycle 1000 with 400: the cluster is off over [1000,
// 1400), the writing core sleeps until 1450 (the wake-up latency) and its
// store, executed again then, completes the sleep. The power-gated time and
// the wake-up count as they pass (a report in the middle sees them).
TEST(Pmu, ClusterSleepIsTimedByTheControllersTimer)
{
    Pmu t;
    uint32_t extra;
    EXPECT_EQ(t.read(ORT_PMU_REG_CLUSTER_WAKEUP), 50u);
    EXPECT_EQ(t.write(ORT_PMU_REG_CLUSTER_SLEEP, 400, 1000, &extra), RV_BUS_OK);
    EXPECT_EQ(extra, 0u);
    ASSERT_EQ(t.sleeps.size(), 1u);
    EXPECT_EQ(t.sleeps[0], 1450u);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_CLUSTER, 1100), 100u);
    EXPECT_EQ(ort_pmu_wakeups(&t.p, ORT_PMU_CLUSTER, 1399), 0u);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_CLUSTER, 1420), 400u);
    EXPECT_EQ(ort_pmu_wakeups(&t.p, ORT_PMU_CLUSTER, 1400), 1u);
    EXPECT_EQ(t.write(ORT_PMU_REG_CLUSTER_SLEEP, 400, 1450, &extra), RV_BUS_OK); // completes
    EXPECT_EQ(t.sleeps.size(), 1u);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_CLUSTER, 9000), 400u);
    EXPECT_EQ(ort_pmu_wakeups(&t.p, ORT_PMU_CLUSTER, 9000), 1u);
    // Idle: the same wait, no power-down, no wake-up latency.
    EXPECT_EQ(t.write(ORT_PMU_REG_CLUSTER_IDLE, 300, 2000, &extra), RV_BUS_OK);
    EXPECT_EQ(t.sleeps.back(), 2300u);
    EXPECT_EQ(t.write(ORT_PMU_REG_CLUSTER_IDLE, 300, 2300, &extra), RV_BUS_OK);
    EXPECT_EQ(ort_pmu_off_cycles(&t.p, ORT_PMU_CLUSTER, 9000), 400u);
    EXPECT_EQ(ort_pmu_wakeups(&t.p, ORT_PMU_CLUSTER, 9000), 1u);
    EXPECT_EQ(t.p.cluster.idles, 1u);
    EXPECT_EQ(t.p.last_error[0], '\0');
}

TEST(Pmu, ClusterSleepRefusals)
{
    Pmu t;
    uint32_t extra;
    EXPECT_EQ(t.write(ORT_PMU_REG_CLUSTER_SLEEP, 0, 10, &extra), RV_BUS_ERROR);
    EXPECT_STREQ(t.p.last_error,
                 "power controller: cannot power the cluster off for 0 cycles (write N > 0)");
    Pmu u;
    u.refuse = true;
    EXPECT_EQ(u.write(ORT_PMU_REG_CLUSTER_IDLE, 10, 10, &extra), RV_BUS_ERROR);
    EXPECT_STREQ(u.p.last_error, "power controller: cannot idle the cluster: busy");
    EXPECT_TRUE(u.sleeps.empty());
    EXPECT_EQ(ort_pmu_off_cycles(&u.p, ORT_PMU_CLUSTER, 100), 0u);
}
