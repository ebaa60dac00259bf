// Power model: parsing (every number with a source; clear errors naming the
// field), and the energy accounting: conservation, linearity in the event
// counts, V^2 scaling between operating points, a sleeping core's cost.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "power_fixture.h"

namespace {

std::string parse_error(const std::string &json)
{
    ort_power_model m;
    char err[512] = "";
    EXPECT_FALSE(ort_power_model_parse(&m, json.c_str(), "bad.json", err, sizeof err));
    return err;
}

// kModel with `from` replaced by `to` (once).
std::string edited(const std::string &from, const std::string &to)
{
    std::string s = kModel;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

} // namespace

TEST(PowerModel, ParsesValuesAndTheirSources)
{
    Model t;
    EXPECT_STREQ(t.m.name, "test");
    ASSERT_EQ(t.m.n_opps, 2u);
    EXPECT_EQ(t.m.default_opp, (unsigned)ort_power_model_opp(&t.m, "hi"));
    EXPECT_EQ(ort_power_model_opp(&t.m, "nope"), -1);
    const ort_power_kind *core = ort_power_model_kind(&t.m, "core");
    ASSERT_NE(core, nullptr);
    int alu = ort_power_kind_event(core, "alu");
    ASSERT_GE(alu, 0);
    EXPECT_DOUBLE_EQ(core->event_pj[alu].value, 2.0);
    EXPECT_STREQ(core->event_pj[alu].source, "alu figure");
    EXPECT_DOUBLE_EQ(core->background[ORT_POWER_CLOCK_GATED].value, 1.0);
    EXPECT_STREQ(core->leakage_uw[ort_power_model_opp(&t.m, "lo")].source, "leak lo");
    EXPECT_EQ(ort_power_model_kind(&t.m, "npu"), nullptr);
}

TEST(PowerModel, BadModelsNameTheFieldAndTheProblem)
{
    EXPECT_EQ(parse_error(edited(R"("value": 2.0, "source": "alu figure")", R"("value": 2.0)")),
              "bad.json: components.core.events_pj.alu: missing 'source'");
    EXPECT_EQ(parse_error(edited(R"("source": "alu figure")", R"("source": "")")),
              "bad.json: components.core.events_pj.alu: 'source' must be a non-empty string");
    EXPECT_EQ(parse_error(edited(R"({"class": "published", "value": 5.0, "source": "load figure"})", R"(5.0)")),
              "bad.json: components.core.events_pj.load: expected {\"value\": number, "
              "\"class\": \"...\", \"range\": [low, high], \"source\": \"...\"}");
    EXPECT_EQ(parse_error(edited(R"("value": 5.0)", R"("value": -5.0)")),
              "bad.json: components.core.events_pj.load: 'value' must be >= 0");
    EXPECT_EQ(parse_error(edited(R"("leakage_uw": {"hi": {"class": "derived", "value": 100, "source": "leak hi", "range": [50, 200]}, )",
                                 R"("leakage_uw": {)")),
              "bad.json: components.core.leakage_uw.hi: missing: every operating point needs a leakage figure");
    EXPECT_EQ(parse_error(edited(R"("clock_gated": {"class": "published", "value": 1, "source": "gated"})",
                                 R"("clock_gatd": {"class": "published", "value": 1, "source": "gated"})")),
              "bad.json: components.core.background_uw_per_mhz: unknown field 'clock_gatd'");
    EXPECT_EQ(parse_error(edited(R"("events_pj": {"read32")", R"("event_pj": {"read32")")),
              "bad.json: components.l1: unknown field 'event_pj'");
    EXPECT_EQ(parse_error(edited(R"("default_operating_point": "hi")",
                                 R"("default_operating_point": "mid")")),
              "bad.json: default_operating_point: names no operating point");
    EXPECT_EQ(parse_error(edited(R"("voltage": {"class": "published", "value": 0.5, "source": "s3"})",
                                 R"("voltage": {"class": "published", "value": 0, "source": "s3"})")),
              "bad.json: operating_points.lo.voltage: 'value' must be > 0");
    EXPECT_EQ(parse_error(edited(R"("name": "test",)", "")), "bad.json: name: missing (a string)");
    std::string e = parse_error(edited(R"("components": {)", R"("components": {,)"));
    EXPECT_EQ(e.rfind("bad.json:", 0), 0u);
    EXPECT_NE(e.find(':', 9), std::string::npos) << "line and column: " << e;
    char err[256];
    ort_power_model m;
    EXPECT_FALSE(ort_power_model_load(&m, "/nonexistent/model.json", err, sizeof err));
    EXPECT_NE(std::string(err).find("/nonexistent/model.json"), std::string::npos) << err;
}

TEST(PowerModel, EveryNumberHasAClassAndANonPublishedOneARange)
{
    Model t;
    const ort_power_kind *core = ort_power_model_kind(&t.m, "core");
    int alu = ort_power_kind_event(core, "alu"), load = ort_power_kind_event(core, "load");
    EXPECT_EQ(core->event_pj[alu].cls, ORT_POWER_ASSUMPTION);
    EXPECT_DOUBLE_EQ(core->event_pj[alu].low, 1.0);
    EXPECT_DOUBLE_EQ(core->event_pj[alu].high, 4.0);
    // A published number without a range is exact.
    EXPECT_EQ(core->event_pj[load].cls, ORT_POWER_PUBLISHED);
    EXPECT_DOUBLE_EQ(core->event_pj[load].low, 5.0);
    EXPECT_DOUBLE_EQ(core->event_pj[load].high, 5.0);
    EXPECT_STREQ(ort_power_class_name(ORT_POWER_VENDOR_MODEL), "vendor-model");

    const std::string alu_json =
        R"({"class": "assumption", "value": 2.0, "source": "alu figure", "range": [1.0, 4.0]})";
    auto with_alu = [&](const std::string &v) { return parse_error(edited(alu_json, v)); };
    EXPECT_EQ(with_alu(R"({"value": 2.0, "source": "alu figure", "range": [1.0, 4.0]})"),
              "bad.json: components.core.events_pj.alu: missing 'class' (published, secondary, "
              "vendor-model, derived, assumption or fitted)");
    EXPECT_EQ(with_alu(R"({"class": "guess", "value": 2.0, "source": "a", "range": [1.0, 4.0]})"),
              "bad.json: components.core.events_pj.alu: 'class' must be one of published, "
              "secondary, vendor-model, derived, assumption, fitted");
    EXPECT_EQ(with_alu(R"({"class": "secondary", "value": 2.0, "source": "a"})"),
              "bad.json: components.core.events_pj.alu: missing 'range' ([low, high]: a number "
              "of class 'secondary' must say how far it may be off)");
    EXPECT_EQ(with_alu(R"({"class": "fitted", "value": 2.0, "source": "a", "range": [4.0, 1.0]})"),
              "bad.json: components.core.events_pj.alu: 'range' low 4 > high 1");
    EXPECT_EQ(with_alu(R"({"class": "derived", "value": 2.0, "source": "a", "range": [2.5, 4.0]})"),
              "bad.json: components.core.events_pj.alu: 'value' 2 outside its 'range' [2.5, 4]");
    EXPECT_EQ(with_alu(R"({"class": "derived", "value": 2.0, "source": "a", "range": [1.0]})"),
              "bad.json: components.core.events_pj.alu: 'range' must be [low, high], two numbers");
    // A measured (published) number may still carry a range.
    ort_power_model m;
    char err[512];
    std::string ok = edited(alu_json, R"({"class": "published", "value": 2.0, "source": "a", "range": [1.9, 2.1]})");
    ASSERT_TRUE(ort_power_model_parse(&m, ok.c_str(), "ok.json", err, sizeof err)) << err;
    EXPECT_DOUBLE_EQ(ort_power_model_kind(&m, "core")->event_pj[alu].high, 2.1);
}

// The band is the corners of the ranges: every number at its low end, then
// at its high end, worked out by hand on the fixture.
TEST(Energy, BandIsTheCornersOfTheRanges)
{
    Model t;
    // 10 us at "hi": alu 1000 x [1, 2, 4] pJ, load 200 x 5 pJ, background
    // 900 x 10 + 100 x 1 pJ, leakage [50, 100, 200] uW x 10 us.
    ort_power_activity a = core_activity(t.m, 1000, 200, 900, 100);
    ort_power_energy e;
    ort_power_energy_of(&t.m, 0, &a, 1000, &e);
    double fixed = (200 * 5.0 + 900 * 10 + 100 * 1) * 1e-12;
    EXPECT_NEAR(e.total_j, fixed + 2000e-12 + 100e-6 * 10e-6, 1e-18);
    EXPECT_NEAR(e.total_low_j, fixed + 1000e-12 + 50e-6 * 10e-6, 1e-18);
    EXPECT_NEAR(e.total_high_j, fixed + 4000e-12 + 200e-6 * 10e-6, 1e-18);
    // At "lo" the leakage is published (30 uW, exact); alu scales by V^2.
    ort_power_energy_of(&t.m, 1, &a, 1000, &e); // 0.5 V, 50 MHz: 20 us
    EXPECT_NEAR(e.total_high_j - e.total_low_j, 1000 * (4.0 - 1.0) * 1e-12 * 0.25, 1e-18);

    // A report's band adds its components' bands, and the dominant numbers
    // come widest first with their share of the width.
    ort_power_report r = core_and_l1(t.m, 1000, 1000, 200, 100, 3000);
    ort_power_report_compute(&t.m, &r);
    EXPECT_NEAR(r.total_low_j, r.energy[0].total_low_j + r.energy[1].total_low_j, 1e-20);
    EXPECT_NEAR(r.total_high_j, r.energy[0].total_high_j + r.energy[1].total_high_j, 1e-20);
    EXPECT_LT(r.total_low_j, r.total_j);
    EXPECT_GT(r.total_high_j, r.total_j);
    EXPECT_NEAR(r.average_high_w, r.total_high_j / r.seconds, 1e-12);
    ort_power_band_share top[5];
    unsigned n = ort_power_band_top(&t.m, &r, -1, top, 5);
    ASSERT_EQ(n, 3u); // only the three numbers with a range
    // l1 read32: 3000 x 4.5 pJ = 13.5 nJ; core leakage 150 uW x 10 us =
    // 1.5 nJ; alu 1000 x 3 pJ = 3 nJ.
    EXPECT_STREQ(top[0].kind->name, "l1");
    EXPECT_STREQ(top[0].what, "read32");
    EXPECT_NEAR(top[0].width_j, 13.5e-9, 1e-15);
    EXPECT_STREQ(top[1].what, "alu");
    EXPECT_NEAR(top[1].width_j, 3e-9, 1e-15);
    EXPECT_STREQ(top[2].what, "leakage");
    EXPECT_EQ(top[2].value->cls, ORT_POWER_DERIVED);
    EXPECT_NEAR(top[0].width_j + top[1].width_j + top[2].width_j, r.total_high_j - r.total_low_j,
                1e-15);
    // One instance: the core's own band only; a short list keeps the widest.
    n = ort_power_band_top(&t.m, &r, 0, top, 1);
    ASSERT_EQ(n, 1u);
    EXPECT_STREQ(top[0].what, "alu");
}

TEST(PowerModel, DeviceCountersMapEventsToCountersOfOneDevice)
{
    const std::string dev = R"("l1": {
      "counters": {"read32": "l1dev.reads"}, "active_cycles": "l1dev.busy",
      "events_pj")";
    ort_power_model m{};
    char err[512];
    std::string json = edited(R"("l1": {
      "events_pj")", dev);
    ASSERT_TRUE(ort_power_model_parse(&m, json.c_str(), "dev.json", err, sizeof err)) << err;
    const ort_power_kind *k = ort_power_model_kind(&m, "l1");
    ASSERT_NE(k, nullptr);
    EXPECT_STREQ(k->device, "l1dev");
    EXPECT_STREQ(k->event_counter[ort_power_kind_event(k, "read32")], "reads");
    EXPECT_STREQ(k->active_counter, "busy");
    EXPECT_STREQ(ort_power_model_kind(&m, "core")->device, "");

    EXPECT_EQ(parse_error(edited(R"("l1": {
      "events_pj")", R"("l1": {"counters": {"write8": "l1dev.x"}, "events_pj")")),
              "bad.json: components.l1.counters.write8: not an event of events_pj");
    EXPECT_EQ(parse_error(edited(R"("l1": {
      "events_pj")", R"("l1": {"counters": {"read32": "reads"}, "events_pj")")),
              "bad.json: components.l1.counters.read32: expected \"device.counter\" (e.g. "
              "\"dma.bytes\")");
    EXPECT_EQ(parse_error(edited(R"("l1": {
      "events_pj")", R"("l1": {"counters": {"read32": "a.x"}, "active_cycles": "b.y", "events_pj")")),
              "bad.json: components.l1.active_cycles: names another device than the kind's "
              "other counters");
}

TEST(Energy, EventsBackgroundAndLeakageByTheFormulas)
{
    Model t;
    ort_power_activity a = core_activity(t.m, 1000, 200, 900, 100);
    ort_power_energy e;
    ort_power_energy_of(&t.m, 0, &a, 1000, &e); // "hi": 1.0 V, 100 MHz, 10 us
    EXPECT_NEAR(e.dynamic_j, (1000 * 2.0 + 200 * 5.0) * 1e-12, 1e-20);
    EXPECT_NEAR(e.background_j, (900 * 10 + 100 * 1) * 1e-12, 1e-20);
    EXPECT_NEAR(e.leakage_j, 100e-6 * 10e-6, 1e-20);
    EXPECT_NEAR(e.total_j, e.dynamic_j + e.background_j + e.leakage_j, 1e-20);
}

TEST(Energy, ComponentsAndEventsAddUpToTheTotal)
{
    Model t;
    ort_power_report r{};
    r.opp = 0;
    r.cycles = 5000;
    r.activity[r.n++] = core_activity(t.m, 1234, 321, 4000, 1000);
    r.activity[r.n++] = core_activity(t.m, 10, 1, 100, 4900);
    ort_power_activity l1{};
    snprintf(l1.name, sizeof l1.name, "l1");
    l1.kind = ort_power_model_kind(&t.m, "l1");
    l1.events[0] = 777;
    l1.state_cycles[ORT_POWER_ACTIVE] = 5000;
    r.activity[r.n++] = l1;
    ort_power_report_compute(&t.m, &r);
    double sum = 0;
    for (unsigned i = 0; i < r.n; i++) {
        double events = 0;
        for (unsigned e = 0; e < r.activity[i].kind->n_events; e++)
            events += r.energy[i].event_j[e];
        EXPECT_NEAR(events, r.energy[i].dynamic_j, 1e-18);
        sum += r.energy[i].total_j;
    }
    EXPECT_NEAR(sum, r.total_j, 1e-18);
    EXPECT_NEAR(r.seconds, 5000 / 100e6, 1e-15);
    EXPECT_NEAR(r.average_w, r.total_j / r.seconds, 1e-12);
}

TEST(Energy, DynamicEnergyIsLinearInTheEventCounts)
{
    Model t;
    ort_power_energy one, two, sum;
    ort_power_activity a = core_activity(t.m, 1000, 300, 0, 0);
    ort_power_activity b = core_activity(t.m, 2000, 600, 0, 0);
    ort_power_activity c = core_activity(t.m, 3000, 900, 0, 0);
    ort_power_energy_of(&t.m, 0, &a, 0, &one);
    ort_power_energy_of(&t.m, 0, &b, 0, &two);
    ort_power_energy_of(&t.m, 0, &c, 0, &sum);
    EXPECT_NEAR(two.dynamic_j, 2 * one.dynamic_j, 1e-20);
    EXPECT_NEAR(sum.dynamic_j, one.dynamic_j + two.dynamic_j, 1e-20);
}

TEST(Energy, DynamicAndBackgroundScaleWithVSquaredLeakageWithThePoint)
{
    Model t;
    unsigned hi = (unsigned)ort_power_model_opp(&t.m, "hi"), lo = (unsigned)ort_power_model_opp(&t.m, "lo");
    ort_power_activity a = core_activity(t.m, 5000, 700, 800, 200);
    ort_power_energy eh, el;
    ort_power_energy_of(&t.m, hi, &a, 1000, &eh);
    ort_power_energy_of(&t.m, lo, &a, 1000, &el);
    EXPECT_NEAR(el.dynamic_j / eh.dynamic_j, 0.25, 1e-12); // (0.5 / 1.0)^2
    EXPECT_NEAR(el.background_j / eh.background_j, 0.25, 1e-12);
    // 1000 cycles: 10 us at 100 MHz, 20 us at 50 MHz.
    EXPECT_NEAR(eh.leakage_j, 100e-6 * 10e-6, 1e-20);
    EXPECT_NEAR(el.leakage_j, 30e-6 * 20e-6, 1e-20);
}

TEST(Energy, ASleepingCoreCostsOnlyClockGatedAndLeakagePower)
{
    Model t;
    ort_power_activity a = core_activity(t.m, 0, 0, 0, 10000);
    ort_power_energy e;
    ort_power_energy_of(&t.m, 0, &a, 10000, &e);
    EXPECT_EQ(e.dynamic_j, 0.0);
    EXPECT_NEAR(e.background_j, 10000 * 1.0 * 1e-12, 1e-20); // clock-gated: 1 uW/MHz
    EXPECT_NEAR(e.total_j, e.background_j + 100e-6 * 100e-6, 1e-20);
    double watts = e.total_j / 100e-6;
    EXPECT_NEAR(watts, 1e-6 * 100 + 100e-6, 1e-12); // 1 uW/MHz x 100 MHz + leakage
}
