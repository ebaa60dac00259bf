// Power gating between tokens on the platform (firmware/bench/power_gating.c,
// docs/power-model.md "Power states"): the power controller switches the
// NPU and the weight memory off between tokens; the report prices the
// power-gated time and the wake-ups, and the saving is exactly what the
// model's numbers say. ctest names them power.Gating.*.
#include <gtest/gtest.h>

#include "run_capture.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include <jansson.h>

namespace {

const std::string kModel = std::string(ORTIGIA_SOURCE_DIR) + "/power/models/siracusa.json";

double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    EXPECT_TRUE(json_is_number(v)) << key;
    return v ? json_number_value(v) : NAN;
}

json_t *find(json_t *arr, const char *key, const std::string &value)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        json_t *v = json_object_get(e, key);
        if (json_is_string(v) && value == json_string_value(v))
            return e;
    }
    ADD_FAILURE() << "no " << key << " '" << value << "'";
    return nullptr;
}

/* A number of the model file: components.<kind>.<path...>.value. */
double model_value(json_t *model, const char *kind, const char *group, const char *name)
{
    json_t *k = json_object_get(json_object_get(model, "components"), kind);
    return num(json_object_get(json_object_get(k, group), name), "value");
}

struct GatedRun {
    json_t *report = nullptr, *model = nullptr;
    std::string text; /* the report file as written */
    explicit GatedRun(const std::string &elf = "power_gating.elf", const std::string &opts = "")
    {
        std::string path = "/tmp/ortigia_gating_" + std::to_string(getpid()) + ".json";
        RunResult r = run_capture(std::string(ORTIGIA_BIN) + " run --quiet " + opts +
                                  " --power-json " + path + " " + ORTIGIA_FW_DIR + "/bench/" +
                                  elf + " 2>&1");
        EXPECT_EQ(r.status, 0) << r.out;
        json_error_t err;
        report = json_load_file(path.c_str(), 0, &err);
        if (FILE *f = fopen(path.c_str(), "r")) {
            char buf[4096];
            for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;)
                text.append(buf, n);
            fclose(f);
        }
        unlink(path.c_str());
        model = json_load_file(kModel.c_str(), 0, &err);
    }
    ~GatedRun()
    {
        json_decref(report);
        json_decref(model);
    }
};

} // namespace

// Region 2 ("tokens_gated") switches both domains off after each of its 4
// tokens and on before the next: 3 wake-ups each. The weight memory is
// switched on first (1800 cycles) and off last, so the NPU is off 3 x 1800
// cycles more. Every component's saving is the model's formula:
//   leakage x (1 - residual) x power-gated time
//   + clock-gated background x power-gated cycles - wake-ups x wake-up energy
// and the region costs that much less than region 1 ("tokens_on", the same
// tokens with both domains left on) but for core 0's polling (0.5 %).
TEST(Gating, SavingBetweenTokensIsTheModelsFormula)
{
    GatedRun g;
    ASSERT_TRUE(g.report && g.model);
    json_t *regions = json_object_get(g.report, "regions");
    json_t *on = find(regions, "label", "tokens_on");
    json_t *gated = find(regions, "label", "tokens_gated");
    ASSERT_TRUE(on && gated);
    double f = num(json_object_get(g.report, "operating_point"), "frequency_mhz") * 1e6;
    std::string opp = json_string_value(
        json_object_get(json_object_get(g.report, "operating_point"), "name"));
    double saved = 0;
    for (const char *kind : {"npu", "wmem"}) {
        json_t *c = find(json_object_get(gated, "components"), "name", kind);
        ASSERT_NE(c, nullptr);
        // In region 1 nothing is gated.
        json_t *c_on = find(json_object_get(on, "components"), "name", kind);
        EXPECT_EQ(num(c_on, "power_gated_cycles"), 0) << kind;
        double pg = num(c, "power_gated_cycles");
        EXPECT_EQ(num(c, "wakeups"), 3) << kind;
        double leak_w = model_value(g.model, kind, "leakage_uw", opp.c_str()) * 1e-6;
        double r = model_value(g.model, kind, "power_gating", "residual_leakage");
        double wake_j = model_value(g.model, kind, "power_gating", "wakeup_nj") * 1e-9;
        double bg_cg = model_value(g.model, kind, "background_uw_per_mhz", "clock_gated") * 1e-12;
        double expect = leak_w * (1 - r) * pg / f + bg_cg * pg - 3 * wake_j;
        EXPECT_NEAR(num(c, "gating_saved_j"), expect, 1e-12 * std::fabs(expect)) << kind;
        EXPECT_NEAR(num(c, "wakeup_j"), 3 * wake_j, 1e-12 * wake_j) << kind;
        EXPECT_LE(num(c, "gating_saved_j_low"), num(c, "gating_saved_j"));
        EXPECT_GE(num(c, "gating_saved_j_high"), num(c, "gating_saved_j"));
        json_t *states = json_object_get(c, "states");
        EXPECT_EQ(num(json_object_get(states, "power_gated"), "cycles"), pg);
        EXPECT_NEAR(num(json_object_get(states, "power_gated"), "energy_j"),
                    leak_w * r * pg / f, 1e-12 * leak_w * r * pg / f);
        saved += expect;
    }
    // The simulation is deterministic: these are the cycles of this program.
    json_t *npu = find(json_object_get(gated, "components"), "name", "npu");
    json_t *wmem = find(json_object_get(gated, "components"), "name", "wmem");
    EXPECT_EQ(num(npu, "power_gated_cycles"), 118929);
    EXPECT_EQ(num(wmem, "power_gated_cycles"), 113515);
    EXPECT_EQ(num(npu, "power_gated_cycles") - num(wmem, "power_gated_cycles"), 3 * 1800 + 14);
    EXPECT_NEAR(num(gated, "gating_saved_j"), saved, 1e-12 * saved);
    // ... and it shows in the regions' energies: 3.66 uJ of 53.3 (7 %).
    double diff = num(on, "energy_j") - num(gated, "energy_j");
    EXPECT_NEAR(diff / saved, 1.0, 0.005) << "on " << num(on, "energy_j") << ", gated "
                                          << num(gated, "energy_j") << ", saved " << saved;
    EXPECT_GT(saved / num(on, "energy_j"), 0.06);
}

// The model file records the wake-up latencies with their class and range;
// the simulated ones are the configuration's: their defaults must agree.
TEST(Gating, ModelWakeUpLatenciesAreTheConfigurationDefaults)
{
    json_error_t err;
    json_t *model = json_load_file(kModel.c_str(), 0, &err);
    ASSERT_NE(model, nullptr) << err.text;
    RunResult r = run_capture(std::string(ORTIGIA_BIN) + " run --list-config 2>&1");
    for (auto [kind, key] : {std::pair{"npu", "pmu.npu_wakeup_cycles"},
                             std::pair{"wmem", "pmu.wmem_wakeup_cycles"},
                             std::pair{"core", "pmu.cluster_wakeup_cycles"},
                             std::pair{"l1", "pmu.cluster_wakeup_cycles"},
                             std::pair{"event_unit", "pmu.cluster_wakeup_cycles"},
                             std::pair{"dma", "pmu.cluster_wakeup_cycles"}}) {
        double v = model_value(model, kind, "power_gating", "wakeup_cycles");
        char want[96];
        snprintf(want, sizeof want, "%-22s %-12.0f", key, v);
        EXPECT_NE(r.out.find(want), std::string::npos) << want << " not in\n" << r.out;
    }
    json_decref(model);
}

// ---- the cluster powered off between tokens ---------------------------------

namespace {

/* The cluster's components in a report. */
const char *const kClusterParts[] = {"core0", "core1", "core2", "core3", "core4", "core5",
                                     "core6", "core7", "l1", "event_unit", "dma"};

std::string kind_of(const char *name)
{
    return std::strncmp(name, "core", 4) == 0 ? "core" : name;
}

} // namespace

// power_gating_cluster.elf: region 3 ("cluster_idle") waits between its 4
// tokens with the cluster on, clock-gated (CLUSTER_IDLE), region 4
// ("cluster_gated") with it powered off (CLUSTER_SLEEP) until its wake-up
// latency before the deadline; the NPU and the weight memory are gated in
// both. Every cluster component (the 8 cores, the L1, the event unit, the
// DMA) is power-gated the same 4 gaps, and saves exactly the model's
//   leakage x (1 - residual) x power-gated time
//   + clock-gated background x power-gated cycles - wake-ups x wake-up energy;
// the regions' difference is that saving but for the few cycles their
// lengths differ by (0.5 %).
TEST(Gating, ClusterSleepBetweenTokensSavesTheModelsFormula)
{
    GatedRun g("power_gating_cluster.elf");
    ASSERT_TRUE(g.report && g.model);
    json_t *regions = json_object_get(g.report, "regions");
    json_t *idle = find(regions, "label", "cluster_idle");
    json_t *gated = find(regions, "label", "cluster_gated");
    ASSERT_TRUE(idle && gated);
    double f = num(json_object_get(g.report, "operating_point"), "frequency_mhz") * 1e6;
    std::string opp = json_string_value(
        json_object_get(json_object_get(g.report, "operating_point"), "name"));
    double saved = 0, pg0 = -1;
    for (const char *name : kClusterParts) {
        std::string kind = kind_of(name);
        json_t *c = find(json_object_get(gated, "components"), "name", name);
        json_t *c_idle = find(json_object_get(idle, "components"), "name", name);
        ASSERT_TRUE(c && c_idle) << name;
        EXPECT_EQ(num(c_idle, "power_gated_cycles"), 0) << name;
        EXPECT_EQ(num(c_idle, "wakeups"), 0) << name;
        double pg = num(c, "power_gated_cycles");
        if (pg0 < 0)
            pg0 = pg;
        EXPECT_EQ(pg, pg0) << name; // one domain: the same time for all
        EXPECT_EQ(num(c, "wakeups"), 4) << name;
        double leak_w = model_value(g.model, kind.c_str(), "leakage_uw", opp.c_str()) * 1e-6;
        double r = model_value(g.model, kind.c_str(), "power_gating", "residual_leakage");
        double wake_j = model_value(g.model, kind.c_str(), "power_gating", "wakeup_nj") * 1e-9;
        double bg_cg =
            model_value(g.model, kind.c_str(), "background_uw_per_mhz", "clock_gated") * 1e-12;
        double expect = leak_w * (1 - r) * pg / f + bg_cg * pg - 4 * wake_j;
        EXPECT_NEAR(num(c, "gating_saved_j"), expect, 1e-12 * std::fabs(expect) + 1e-24)
            << name;
        EXPECT_NEAR(num(c, "wakeup_j"), 4 * wake_j, 1e-12 * wake_j) << name;
        EXPECT_LE(num(c, "gating_saved_j_low"), num(c, "gating_saved_j")) << name;
        EXPECT_GE(num(c, "gating_saved_j_high"), num(c, "gating_saved_j")) << name;
        saved += expect;
    }
    // Deterministic: the power-gated cycles of this program (4 gaps of
    // 40,000 cycles less the token, the wake-up latency and the margin).
    EXPECT_EQ(pg0, 103567);
    // The cores' time: core 0 ran the tokens, the others slept throughout;
    // every core's clock-gated time is the rest, none of it power-gated.
    json_t *core1 = find(json_object_get(gated, "components"), "name", "core1");
    json_t *states = json_object_get(core1, "states");
    EXPECT_EQ(num(json_object_get(states, "active"), "cycles"), 0);
    EXPECT_EQ(num(json_object_get(states, "clock_gated"), "cycles") + pg0,
              num(gated, "cycles"));
    // The regions' difference is the cluster's saving (the NPU's and the
    // weight memory's are the same in both, to a few cycles).
    double diff = num(idle, "energy_j") - num(gated, "energy_j");
    EXPECT_NEAR(diff / saved, 1.0, 0.005) << "idle " << num(idle, "energy_j") << ", gated "
                                          << num(gated, "energy_j") << ", saved " << saved;
    EXPECT_NEAR(num(idle, "cycles"), num(gated, "cycles"), 16);
    EXPECT_GT(saved / num(idle, "energy_j"), 0.06);
}

// The same program gives the same report, byte for byte, run again, with
// another scheduling slice, and with a power trace sampling windows in the
// middle of the sleeps (the power-gated time is counted as it passes).
TEST(Gating, ClusterSleepIsDeterministic)
{
    GatedRun a("power_gating_cluster.elf");
    GatedRun b("power_gating_cluster.elf");
    ASSERT_FALSE(a.text.empty());
    EXPECT_EQ(a.text, b.text);
    std::string csv = "/tmp/ortigia_gating_trace_" + std::to_string(getpid()) + ".csv";
    GatedRun t("power_gating_cluster.elf", "--power-trace " + csv + " --power-window 7000");
    unlink(csv.c_str());
    EXPECT_EQ(a.text, t.text);
    GatedRun s("power_gating_cluster.elf", "--set cluster.slice_cycles=7");
    ASSERT_TRUE(a.report && s.report);
    EXPECT_EQ(num(a.report, "cycles"), num(s.report, "cycles"));
    EXPECT_EQ(num(a.report, "energy_j"), num(s.report, "energy_j"));
}
