// The power tests' fixture: a small model with round numbers, so that
// energies can be worked out by hand, and activity records over it.
#ifndef ORTIGIA_TEST_POWER_FIXTURE_H
#define ORTIGIA_TEST_POWER_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

extern "C" {
#include "energy.h"
#include "power_model.h"
#include "report.h"
}

// A small model: 1 V reference; points at 1.0 V / 100 MHz and 0.5 V / 50 MHz.
// Three numbers carry ranges (core alu 1..4 pJ, core leakage at "hi"
// 50..200 uW, l1 read32 1.5..6 pJ); the others are published (exact).
inline const char *const kModel = R"({
  "name": "test",
  "reference_voltage": {"class": "published", "value": 1.0, "source": "test"},
  "operating_points": {
    "hi": {"voltage": {"class": "published", "value": 1.0, "source": "s1"}, "frequency_mhz": {"class": "published", "value": 100, "source": "s2"}},
    "lo": {"voltage": {"class": "published", "value": 0.5, "source": "s3"}, "frequency_mhz": {"class": "published", "value": 50, "source": "s4"}}
  },
  "default_operating_point": "hi",
  "components": {
    "core": {
      "events_pj": {"alu": {"class": "assumption", "value": 2.0, "source": "alu figure", "range": [1.0, 4.0]},
                    "load": {"class": "published", "value": 5.0, "source": "load figure"}},
      "background_uw_per_mhz": {"active": {"class": "published", "value": 10, "source": "bg"},
                                "clock_gated": {"class": "published", "value": 1, "source": "gated"}},
      "leakage_uw": {"hi": {"class": "derived", "value": 100, "source": "leak hi", "range": [50, 200]}, "lo": {"class": "published", "value": 30, "source": "leak lo"}}
    },
    "l1": {
      "events_pj": {"read32": {"class": "vendor-model", "value": 3.0, "source": "sram", "range": [1.5, 6.0]}},
      "background_uw_per_mhz": {"active": {"class": "published", "value": 4, "source": "bg"},
                                "clock_gated": {"class": "published", "value": 0, "source": "none"}},
      "leakage_uw": {"hi": {"class": "published", "value": 50, "source": "x"}, "lo": {"class": "published", "value": 20, "source": "y"}}
    }
  }
})";

struct Model {
    ort_power_model m{};
    Model()
    {
        char err[512];
        if (!ort_power_model_parse(&m, kModel, "test.json", err, sizeof err))
            ADD_FAILURE() << err;
    }
};

inline ort_power_activity core_activity(const ort_power_model &m, uint64_t alu, uint64_t load,
                                      uint64_t active, uint64_t gated)
{
    ort_power_activity a{};
    snprintf(a.name, sizeof a.name, "core0");
    a.kind = ort_power_model_kind(&m, "core");
    a.events[ort_power_kind_event(a.kind, "alu")] = alu;
    a.events[ort_power_kind_event(a.kind, "load")] = load;
    a.state_cycles[ORT_POWER_ACTIVE] = active;
    a.state_cycles[ORT_POWER_CLOCK_GATED] = gated;
    return a;
}

// A run (or a region, a window) of `cycles` at "hi" (1 V, 100 MHz): core0
// executes `alu` and `load` instructions and is clock-gated `gated` cycles;
// the L1 ("l1") serves `reads` 32-bit reads and is active throughout.
inline ort_power_report core_and_l1(const ort_power_model &m, uint64_t cycles, uint64_t alu,
                                  uint64_t load, uint64_t gated, uint64_t reads)
{
    ort_power_report r{};
    r.opp = 0;
    r.cycles = cycles;
    r.activity[r.n++] = core_activity(m, alu, load, cycles - gated, gated);
    ort_power_activity &l1 = r.activity[r.n++];
    snprintf(l1.name, sizeof l1.name, "l1");
    l1.kind = ort_power_model_kind(&m, "l1");
    l1.events[ort_power_kind_event(l1.kind, "read32")] = reads;
    l1.state_cycles[ORT_POWER_ACTIVE] = cycles;
    ort_power_report_compute(&m, &r);
    return r;
}

// A run whose energies are worked out by hand, with two regions and the
// two windows of a power trace:
//   run     cycles 0-1000: core0 1000 alu + 200 load, 200 cycles clock-gated
//           (3 + 8.2 + 1 nJ = 12.2 nJ, 1.22 mW); l1 500 reads (1.5 + 4 +
//           0.5 = 6 nJ, 0.6 mW); 18.2 nJ, 1.82 mW in all
//   region  1, cycles 0-400, a label with a comma and quotes: core0 100 alu
//           (0.2 + 4 + 0.4 = 4.6 nJ); l1 100 reads (0.3 + 1.6 + 0.2 = 2.1 nJ)
//   region  2, cycles 100-300, inside 1, "inner": core0 50 alu (0.1 + 2 +
//           0.2 = 2.3 nJ); l1 no reads (0 + 0.8 + 0.1 = 0.9 nJ)
//   window  cycles 0-1000: the run; core 0 runs, core 1 sleeps
//   window  cycles 1000-1500: core0 clock-gated (0.5 + 0.5 nJ, 0.2 mW); l1
//           idle (2 + 0.25 nJ, 0.45 mW); 0.65 mW in all; core 0 stalls,
//           core 1 runs
struct HandRun {
    Model t;
    ort_power_report run = core_and_l1(t.m, 1000, 1000, 200, 200, 500);
    ort_power_report outer = core_and_l1(t.m, 400, 100, 0, 0, 100);
    ort_power_report inner = core_and_l1(t.m, 200, 50, 0, 0, 0);
    ort_power_report later = core_and_l1(t.m, 500, 0, 0, 500, 0);
    ort_power_region regions[2] = {
        {1, "load \"w\", x", 0, 400, -1, 0, &outer},
        {2, "inner", 100, 300, 0, 1, &inner},
    };
    ort_power_window windows[2] = {
        {0, 1000, &run, 2, {ORT_POWER_CORE_RUN, ORT_POWER_CORE_SLEEP}},
        {1000, 1500, &later, 2, {ORT_POWER_CORE_STALL, ORT_POWER_CORE_RUN}},
    };
};

// A file's bytes ("" when it cannot be read: the expectation that follows
// fails).
inline std::string read_file(const std::string &path)
{
    std::string s;
    if (FILE *f = fopen(path.c_str(), "rb")) {
        char b[4096];
        size_t n;
        while ((n = fread(b, 1, sizeof b, f)) > 0)
            s.append(b, n);
        fclose(f);
    }
    return s;
}

// A fresh path in the test's temporary folder.
inline std::string temp_path(const std::string &name)
{
    const ::testing::TestInfo *t = ::testing::UnitTest::GetInstance()->current_test_info();
    return ::testing::TempDir() + "ortigia_" + t->test_suite_name() + "_" + t->name() + "_" + name;
}

#endif
