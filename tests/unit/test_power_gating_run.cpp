// Power gating between tokens on the platform (firmware/bench/power_gating.c,
// docs/power-model.md "Power states"): the power controller switches the
// NPU and the weight memory off between tokens; the report prices the
// power-gated time and the wake-ups, and the saving is exactly what the
// model's numbers say. ctest names them power.Gating.*.
#include <gtest/gtest.h>

#include "run_capture.h"

#include <cmath>
#include <cstdio>
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
    GatedRun()
    {
        std::string path = "/tmp/ortigia_gating_" + std::to_string(getpid()) + ".json";
        RunResult r = run_capture(std::string(ORTIGIA_BIN) + " run --quiet --power-json " + path +
                                  " " + ORTIGIA_FW_DIR + "/bench/power_gating.elf 2>&1");
        EXPECT_EQ(r.status, 0) << r.out;
        json_error_t err;
        report = json_load_file(path.c_str(), 0, &err);
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
                             std::pair{"wmem", "pmu.wmem_wakeup_cycles"}}) {
        double v = model_value(model, kind, "power_gating", "wakeup_cycles");
        char want[96];
        snprintf(want, sizeof want, "%-22s %-12.0f", key, v);
        EXPECT_NE(r.out.find(want), std::string::npos) << want << " not in\n" << r.out;
    }
    json_decref(model);
}
