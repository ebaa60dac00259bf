// The energy report writers (power/report.h) on the fixture's hand-built
// run (HandRun: a core and the L1, two nested regions, two windows).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <jansson.h>

#include "power_fixture.h"

extern "C" {
#include "report.h"
}

namespace {

// The lines of a text, without their line breaks.
std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    size_t at = 0, nl;
    while ((nl = text.find('\n', at)) != std::string::npos) {
        out.push_back(text.substr(at, nl - at));
        at = nl + 1;
    }
    if (at < text.size())
        out.push_back(text.substr(at));
    return out;
}

// What `print` writes to a fresh file (it must report success).
template <class Print> std::string printed(const std::string &name, Print print)
{
    std::string path = temp_path(name);
    FILE *f = fopen(path.c_str(), "w");
    if (!f) {
        ADD_FAILURE() << "cannot open " << path;
        return "";
    }
    EXPECT_TRUE(print(f));
    EXPECT_EQ(fclose(f), 0);
    return read_file(path);
}

} // namespace

TEST(PowerReport, CsvHasOneRowPerComponentOfTheRunAndOfEveryRegion)
{
    HandRun x;
    std::string path = temp_path("power.csv");
    ASSERT_TRUE(ort_power_write_csv(path.c_str(), &x.t.m, &x.run, x.regions, 2));
    EXPECT_EQ(lines(read_file(path)),
              (std::vector<std::string>{
                  "region_id,region_label,component,kind,cycles,seconds,dynamic_j,background_j,"
                  "leakage_j,energy_j,average_power_w,energy_j_low,energy_j_high,"
                  "average_power_w_low,average_power_w_high,active_cycles,clock_gated_cycles,"
                  "power_gated_cycles,wakeups,wakeup_j,gating_saved_j,gating_saved_j_low,"
                  "gating_saved_j_high,band_dominated_by",
                  // core0: alu 1000 x 1..4 pJ (nominal 2), leakage 50..200 uW
                  // (nominal 100) x 10 us: 12.2 - 1 - 0.5 .. 12.2 + 2 + 1 nJ.
                  "-1,run,core0,core,1000,1e-05,3e-09,8.2e-09,1e-09,1.22e-08,0.00122,1.07e-08,"
                  "1.52e-08,0.00107,0.00152,800,200,0,0,0,0,0,0,core.alu (assumption)",
                  // l1: 500 reads x 1.5..6 pJ (nominal 3): 6 - 0.75 .. 6 + 1.5 nJ.
                  "-1,run,l1,l1,1000,1e-05,1.5e-09,4e-09,5e-10,6e-09,0.0006,5.25e-09,7.5e-09,"
                  "0.000525,0.00075,1000,0,0,0,0,0,0,0,l1.read32 (vendor-model)",
                  "1,\"load \"\"w\"\", x\",core0,core,400,4e-06,2e-10,4e-09,4e-10,4.6e-09,0.00115,"
                  "4.3e-09,5.2e-09,0.001075,0.0013,400,0,0,0,0,0,0,0,core.leakage (derived)",
                  "1,\"load \"\"w\"\", x\",l1,l1,400,4e-06,3e-10,1.6e-09,2e-10,2.1e-09,0.000525,"
                  "1.95e-09,2.4e-09,0.0004875,0.0006,400,0,0,0,0,0,0,0,l1.read32 (vendor-model)",
                  "2,inner,core0,core,200,2e-06,1e-10,2e-09,2e-10,2.3e-09,0.00115,2.15e-09,"
                  "2.6e-09,0.001075,0.0013,200,0,0,0,0,0,0,0,core.leakage (derived)",
                  // No read in the inner region: an exact figure, no number dominates.
                  "2,inner,l1,l1,200,2e-06,0,8e-10,1e-10,9e-10,0.00045,9e-10,9e-10,0.00045,"
                  "0.00045,200,0,0,0,0,0,0,0,",
              }));
}

TEST(PowerReport, TextTableAndRegionsTable)
{
    HandRun x;
    std::string text = printed("table.txt", [&](FILE *f) {
        return ort_power_print(f, &x.t.m, &x.run) && ort_power_print_regions(f, x.regions, 2);
    });
    EXPECT_EQ(lines(text),
              (std::vector<std::string>{
                  "",
                  "energy (test, operating point hi: 1.00 V, 100 MHz): 1000 cycles, 1e-05 s",
                  "component        dynamic uJ   background   leakage uJ     total uJ     avg mW   "
                  "share       low uJ      high uJ",
                  "core0                0.0030       0.0082       0.0010       0.0122      1.220   "
                  "67.0%       0.0107       0.0152",
                  "l1                   0.0015       0.0040       0.0005       0.0060      0.600   "
                  "33.0%       0.0053       0.0075",
                  "total                                                                    0.0182"
                  "      1.820               0.0159       0.0227",
                  "band (corners of the model's ranges): 0.0159 .. 0.0227 uJ, 1.595 .. 2.270 mW",
                  // Widths: alu 3 nJ, read32 2.25 nJ, leakage 1.5 nJ of 6.75.
                  "  dominated by core.alu (assumption): 44% of the band",
                  "  dominated by l1.read32 (vendor-model): 33% of the band",
                  "  dominated by core.leakage (derived): 22% of the band",
                  "dynamic energy by event:",
                  "  core         alu                  1000 events       0.0020 uJ",
                  "  core         load                  200 events       0.0010 uJ",
                  "  l1           read32                500 events       0.0015 uJ",
                  "regions:",
                  "  id label                         cycles      time us    energy uJ     avg mW"
                  "       low uJ      high uJ",
                  "  1 load \"w\", x                       400        4.000       0.0067      1.675"
                  "       0.0063       0.0076",
                  "    2 inner                           200        2.000       0.0032      1.600"
                  "       0.0031       0.0035",
              }));
}

TEST(PowerReport, NoRegionsNoRegionsTable)
{
    EXPECT_EQ(printed("empty.txt", [](FILE *f) { return ort_power_print_regions(f, nullptr, 0); }),
              "");
}

TEST(PowerReport, JsonParsesBackToTheSameEnergies)
{
    HandRun x;
    std::string path = temp_path("power.json");
    ASSERT_TRUE(ort_power_write_json(path.c_str(), &x.t.m, &x.run, x.regions, 2));
    json_error_t err;
    json_t *root = json_load_file(path.c_str(), 0, &err);
    ASSERT_NE(root, nullptr) << err.text;
    EXPECT_STREQ(json_string_value(json_object_get(root, "model")), "test");
    EXPECT_STREQ(json_string_value(json_object_get(json_object_get(root, "operating_point"), "name")),
                 "hi");
    EXPECT_EQ(json_integer_value(json_object_get(root, "cycles")), 1000);
    // Reals are written with enough digits to read back exactly.
    EXPECT_EQ(json_real_value(json_object_get(root, "energy_j")), x.run.total_j);
    EXPECT_EQ(json_real_value(json_object_get(root, "average_power_w")), x.run.average_w);
    // Every energy_j has its band beside it: run, component, region.
    EXPECT_EQ(json_real_value(json_object_get(root, "energy_j_low")), x.run.total_low_j);
    EXPECT_EQ(json_real_value(json_object_get(root, "energy_j_high")), x.run.total_high_j);
    json_t *dom = json_object_get(json_object_get(root, "band"), "dominated_by");
    ASSERT_EQ(json_array_size(dom), 3u);
    EXPECT_STREQ(json_string_value(json_object_get(json_array_get(dom, 0), "number")), "alu");
    EXPECT_STREQ(json_string_value(json_object_get(json_array_get(dom, 0), "class")), "assumption");
    EXPECT_NEAR(json_real_value(json_object_get(json_array_get(dom, 0), "share")), 3.0 / 6.75, 1e-9);
    json_t *comps = json_object_get(root, "components");
    ASSERT_EQ(json_array_size(comps), 2u);
    for (unsigned i = 0; i < 2; i++) {
        json_t *c = json_array_get(comps, i);
        EXPECT_STREQ(json_string_value(json_object_get(c, "name")), x.run.activity[i].name);
        EXPECT_EQ(json_real_value(json_object_get(c, "dynamic_j")), x.run.energy[i].dynamic_j);
        EXPECT_EQ(json_real_value(json_object_get(c, "background_j")), x.run.energy[i].background_j);
        EXPECT_EQ(json_real_value(json_object_get(c, "leakage_j")), x.run.energy[i].leakage_j);
        EXPECT_EQ(json_real_value(json_object_get(c, "energy_j")), x.run.energy[i].total_j);
        EXPECT_EQ(json_real_value(json_object_get(c, "energy_j_low")), x.run.energy[i].total_low_j);
        EXPECT_EQ(json_real_value(json_object_get(c, "energy_j_high")), x.run.energy[i].total_high_j);
    }
    json_t *alu = json_object_get(json_object_get(json_array_get(comps, 0), "events"), "alu");
    EXPECT_EQ(json_integer_value(json_object_get(alu, "count")), 1000);
    EXPECT_EQ(json_real_value(json_object_get(alu, "energy_j")), x.run.energy[0].event_j[0]);
    EXPECT_EQ(json_integer_value(json_object_get(json_array_get(comps, 0), "clock_gated_cycles")),
              200);

    json_t *regs = json_object_get(root, "regions");
    ASSERT_EQ(json_array_size(regs), 2u);
    json_t *outer = json_array_get(regs, 0), *inner = json_array_get(regs, 1);
    EXPECT_STREQ(json_string_value(json_object_get(outer, "label")), "load \"w\", x");
    EXPECT_EQ(json_integer_value(json_object_get(outer, "parent")), -1);
    EXPECT_EQ(json_integer_value(json_object_get(inner, "id")), 2);
    EXPECT_EQ(json_integer_value(json_object_get(inner, "parent")), 0);
    EXPECT_EQ(json_integer_value(json_object_get(inner, "begin_cycle")), 100);
    EXPECT_EQ(json_integer_value(json_object_get(inner, "end_cycle")), 300);
    EXPECT_EQ(json_real_value(json_object_get(outer, "energy_j")), x.outer.total_j);
    EXPECT_EQ(json_real_value(json_object_get(inner, "energy_j")), x.inner.total_j);
    EXPECT_EQ(json_real_value(json_object_get(inner, "energy_j_low")), x.inner.total_low_j);
    EXPECT_EQ(json_real_value(json_object_get(inner, "energy_j_high")), x.inner.total_high_j);
    json_t *inner_l1 = json_array_get(json_object_get(inner, "components"), 1);
    EXPECT_EQ(json_real_value(json_object_get(inner_l1, "energy_j")), x.inner.energy[1].total_j);
    EXPECT_EQ(json_real_value(json_object_get(inner_l1, "energy_j_high")),
              x.inner.energy[1].total_high_j);
    EXPECT_EQ(json_object_get(inner_l1, "events"), nullptr) << "events only for the whole run";
    json_decref(root);
}

TEST(PowerReport, HtmlEscapesLabelsAndEmbedsTheJsonReport)
{
    HandRun x;
    snprintf(x.regions[1].label, sizeof x.regions[1].label, "a</script>&b");
    std::string path = temp_path("report.html");
    const ort_power_point points[2] = {ort_power_point_of(&x.windows[0]),
                                       ort_power_point_of(&x.windows[1])};
    ASSERT_TRUE(ort_power_write_html(path.c_str(), &x.t.m, &x.run, x.regions, 2, points, 2));
    std::string h = read_file(path);
    EXPECT_EQ(h.rfind("<!DOCTYPE html>\n", 0), 0u);
    EXPECT_NE(h.find("1000 cycles, 10 us, <b>0.0182 uJ</b> (0.01595 .. 0.0227), 1.82 mW on "
                     "average (1.595 .. 2.27)."),
              std::string::npos);
    EXPECT_NE(h.find("<tr><td>1 load &quot;w&quot;, x</td><td>400</td><td>4</td><td>0.0067</td>"
                     "<td>0.00625 .. 0.0076</td><td>1.675</td></tr>"),
              std::string::npos);
    // The band's numbers, widest first, with their class and range.
    EXPECT_NE(h.find("<tr><td>core.alu</td><td>assumption</td><td>1 .. 4</td><td>44%</td></tr>"),
              std::string::npos);
    EXPECT_NE(h.find("<td>0.0122</td><td>0.0107 .. 0.0152</td><td>1.22</td><td class=\"src\">alu "
                     "(assumption)</td>"),
              std::string::npos);
    EXPECT_NE(h.find("<tr><td>..2 a&lt;/script&gt;&amp;b</td><td>200</td>"), std::string::npos);
    // Power over time: total power 1.82 mW for cycles 0-1000, 0.65 mW for
    // 1000-1500, on a 600-pixel axis from x = 60, 200 pixels high from y = 10.
    EXPECT_NE(h.find("points=\"60.00,10.00 460.00,10.00 460.00,138.57 660.00,138.57 \""),
              std::string::npos);
    EXPECT_NE(h.find("<td>100 uW</td><td>derived</td><td>50 .. 200</td><td class=\"src\">leak hi</td>"),
              std::string::npos) << "the model's numbers, classes, ranges and sources";
    EXPECT_NE(h.find("<td>5 pJ</td><td>published</td><td></td>"), std::string::npos)
        << "a published number without a range";

    // The embedded JSON: the only "</script>" is the element's own end.
    const std::string open = "<script type=\"application/json\" id=\"ortigia-report\">";
    size_t from = h.find(open), to = h.find("</script>");
    ASSERT_NE(from, std::string::npos);
    ASSERT_NE(to, std::string::npos);
    EXPECT_EQ(h.find("</script>", to + 1), std::string::npos);
    from += open.size();
    json_error_t err;
    json_t *root = json_loadb(h.data() + from, to - from, 0, &err);
    ASSERT_NE(root, nullptr) << err.text;
    EXPECT_EQ(json_real_value(json_object_get(root, "energy_j")), x.run.total_j);
    json_t *inner = json_array_get(json_object_get(root, "regions"), 1);
    EXPECT_STREQ(json_string_value(json_object_get(inner, "label")), "a</script>&b");
    json_decref(root);
}

TEST(PowerReport, AReportThatCannotBeWrittenIsAnError)
{
    HandRun x;
    for (const char *path : {"/nonexistent/dir/report", "/dev/full"}) {
        SCOPED_TRACE(path);
        EXPECT_FALSE(ort_power_write_csv(path, &x.t.m, &x.run, x.regions, 2));
        EXPECT_FALSE(ort_power_write_json(path, &x.t.m, &x.run, x.regions, 2));
        EXPECT_FALSE(ort_power_write_html(path, &x.t.m, &x.run, x.regions, 2, nullptr, 0));
    }
    FILE *full = fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    EXPECT_FALSE(ort_power_print(full, &x.t.m, &x.run));
    fclose(full);
}

TEST(PowerReport, ChartPointsMergeEnergyWeighted)
{
    // 1 s at 2 W and 3 s at 6 W: 20 J over 4 s, 5 W, spanning both.
    ort_power_point a{0, 100, 1.0, 2.0}, b{100, 400, 3.0, 6.0};
    ort_power_point m = ort_power_point_merge(a, b);
    EXPECT_EQ(m.begin, 0u);
    EXPECT_EQ(m.end, 400u);
    EXPECT_DOUBLE_EQ(m.seconds, 4.0);
    EXPECT_DOUBLE_EQ(m.average_w, 5.0);
}
