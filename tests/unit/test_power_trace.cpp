// The power trace's writers (traces/power_trace.h, traces/vcd.h) on the
// fixture's two hand-built windows (HandRun: a core and the L1, two cores'
// states).
#include <gtest/gtest.h>

#include <string>

#include "power_fixture.h"

extern "C" {
#include "power_trace.h"
#include "vcd.h"
}

TEST(PowerTrace, CsvHasOneRowPerWindowWithPowersAndCoreStates)
{
    HandRun x;
    std::string path = temp_path("ptrace.csv");
    ASSERT_TRUE(ort_power_trace_write_csv(path.c_str(), x.windows, 2));
    EXPECT_EQ(read_file(path),
              "begin_cycle,end_cycle,seconds,total_w,core0_w,l1_w,core0_state,core1_state\n"
              "0,1000,1e-05,0.00182,0.00122,0.0006,run,sleep\n"
              "1000,1500,5e-06,0.00065,0.0002,0.00045,stall,run\n");
}

TEST(PowerTrace, CsvWithoutWindowsIsTheFixedColumns)
{
    std::string path = temp_path("empty.csv");
    ASSERT_TRUE(ort_power_trace_write_csv(path.c_str(), nullptr, 0));
    EXPECT_EQ(read_file(path), "begin_cycle,end_cycle,seconds,total_w\n");
}

TEST(PowerTrace, VcdDeclaresEveryPowerAndCoreAndChangesThemPerWindow)
{
    HandRun x;
    std::string path = temp_path("power.vcd");
    // 100 MHz: a cycle is 10 ns.
    ASSERT_TRUE(ort_vcd_write_power(path.c_str(), x.windows, 2, 100.0));
    EXPECT_EQ(read_file(path),
              "$comment Ortigia power trace: component power in mW, core state 0 sleep 1 stall "
              "2 run $end\n"
              "$timescale 1 ns $end\n"
              "$scope module ortigia $end\n"
              "$var real 64 ! total_power_mw $end\n"
              "$var real 64 \" core0_power_mw $end\n"
              "$var real 64 # l1_power_mw $end\n"
              "$var wire 2 $ core0_state $end\n"
              "$var wire 2 % core1_state $end\n"
              "$upscope $end\n"
              "$enddefinitions $end\n"
              "#0\n"
              "r1.82 !\n"
              "r1.22 \"\n"
              "r0.6 #\n"
              "b10 $\n"
              "b00 %\n"
              "#10000\n"
              "r0.65 !\n"
              "r0.2 \"\n"
              "r0.45 #\n"
              "b01 $\n"
              "b10 %\n"
              "#15000\n");
}

TEST(PowerTrace, VcdTimesRoundToTheNearestNanosecond)
{
    HandRun x;
    std::string path = temp_path("round.vcd");
    // 300 MHz: 1000 cycles are 3333.33 ns, 1500 cycles 5000 ns.
    ASSERT_TRUE(ort_vcd_write_power(path.c_str(), x.windows, 2, 300.0));
    std::string v = read_file(path);
    EXPECT_NE(v.find("\n#0\n"), std::string::npos);
    EXPECT_NE(v.find("\n#3333\n"), std::string::npos);
    EXPECT_NE(v.find("\n#5000\n"), std::string::npos);
}

TEST(PowerTrace, VcdIdentifiersTakeTwoCharactersFromThe95thVariable)
{
    // The total, 48 components and 46 cores: 95 variables, ids '!' to '~'
    // (94 of them), then "!\"".
    Model t;
    ort_power_report r = core_and_l1(t.m, 100, 0, 0, 0, 0);
    for (r.n = 2; r.n < ORT_POWER_MAX_INSTANCES; r.n++)
        r.activity[r.n] = r.activity[1];
    ort_power_report_compute(&t.m, &r);
    ort_power_window w{0, 100, &r, 46, {}};
    std::string path = temp_path("ids.vcd");
    ASSERT_TRUE(ort_vcd_write_power(path.c_str(), &w, 1, 100.0));
    std::string v = read_file(path);
    EXPECT_NE(v.find("$var wire 2 ~ core44_state $end\n"), std::string::npos);
    EXPECT_NE(v.find("$var wire 2 !\" core45_state $end\n"), std::string::npos);
    EXPECT_NE(v.find("\nb00 !\"\n"), std::string::npos);
}

TEST(PowerTrace, ATraceThatCannotBeWrittenIsAnError)
{
    HandRun x;
    for (const char *path : {"/nonexistent/dir/trace", "/dev/full"}) {
        SCOPED_TRACE(path);
        EXPECT_FALSE(ort_power_trace_write_csv(path, x.windows, 2));
        EXPECT_FALSE(ort_vcd_write_power(path, x.windows, 2, 100.0));
    }
}
