// The simulation session (sim/session.h): pausing at quantum boundaries and
// resuming gives the same run as running straight through (checked against
// the `ortigia run --stats` of the same program, another process, since a
// process holds one session); a run to a cycle pauses there and resumes to
// the end; the structured result names every core and device counter; a
// second session in one process is refused. ctest runs each test in its
// own process (gtest_discover_tests).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include <jansson.h>

#include "run_capture.h"
#include "platform.h"
#include "session.h"

namespace {

const std::string kFw = ORTIGIA_FW_DIR "/tests/";

OrtSessionOptions quiet_options()
{
    OrtSessionOptions o;
    ort_config_defaults(&o.config);
    o.uart = fopen("/dev/null", "w");
    return o;
}

uint64_t counter(const OrtCounters &c, const std::string &name)
{
    for (const auto &v : c.values)
        if (v.first == name)
            return v.second;
    ADD_FAILURE() << c.name << " has no counter " << name;
    return 0;
}

/* `ortigia run --stats` of the same program in another process. */
json_t *reference_stats(const std::string &elf, const std::string &extra = "")
{
    std::string path = testing::TempDir() + "session_ref.json";
    RunResult rr = run_capture(std::string(ORTIGIA_BIN) + " run --quiet " + extra + " --stats " +
                               path + " " + elf + " > /dev/null");
    EXPECT_EQ(rr.status, 0);
    json_error_t e;
    json_t *j = json_load_file(path.c_str(), 0, &e);
    EXPECT_NE(j, nullptr) << e.text;
    return j;
}

uint64_t json_u64(json_t *obj, const char *key)
{
    return (uint64_t)json_integer_value(json_object_get(obj, key));
}

} // namespace

/* libsystemc wants an sc_main; the tests drive the kernel from GoogleTest's
   main through the session instead. */
extern "C" int sc_main(int, char **) { return 0; }

TEST(Session, PausingAtEveryQuantumBoundaryChangesNothing)
{
    // check_dma: 8 cores, DMA transfers in flight across boundaries. A
    // small quantum gives many boundaries.
    const std::string elf = kFw + "check_dma.elf";
    OrtSessionOptions o = quiet_options();
    o.config.quantum_cycles = 2000;
    std::string err;
    auto s = OrtSession::create(o, &err);
    ASSERT_TRUE(s) << err;
    ASSERT_TRUE(s->load(elf, &err)) << err;
    unsigned pauses = 0;
    s->set_boundary_hook([](const ort_cluster &) { return true; });
    OrtStop stop;
    while ((stop = s->run()) == OrtStop::Paused) {
        pauses++;
        EXPECT_EQ(s->result().reason, std::string("paused"));
    }
    EXPECT_EQ(stop, OrtStop::Halted);
    const OrtRunResult &r = s->result();
    EXPECT_STREQ(r.reason, "exit");
    EXPECT_EQ(r.status, 0);
    EXPECT_GT(pauses, 100u);

    json_t *ref = reference_stats(elf, "--set sim.quantum_cycles=2000");
    ASSERT_NE(ref, nullptr);
    EXPECT_EQ(r.cycles, json_u64(ref, "cycles"));
    EXPECT_EQ(r.instructions, json_u64(ref, "instructions"));
    json_t *cores = json_object_get(ref, "cores");
    ASSERT_EQ(json_array_size(cores), r.cores.size());
    for (size_t i = 0; i < r.cores.size(); i++) {
        json_t *c = json_array_get(cores, i);
        EXPECT_EQ(r.cores[i].cycles, json_u64(c, "cycles")) << "core " << i;
        for (const auto &v : r.cores[i].counters.values)
            EXPECT_EQ(v.second, json_u64(c, v.first.c_str())) << "core " << i << " " << v.first;
    }
    ASSERT_EQ(r.devices.size(), 3u); // event unit, DMA, NPU
    for (const OrtCounters &d : r.devices)
        for (const auto &v : d.values)
            EXPECT_EQ(v.second, json_u64(json_object_get(ref, d.name.c_str()), v.first.c_str()))
                << d.name << "." << v.first;
    json_decref(ref);
}

TEST(Session, RunToACyclePausesThereAndResumesToTheEnd)
{
    OrtSessionOptions o = quiet_options();
    std::string err;
    auto s = OrtSession::create(o, &err);
    ASSERT_TRUE(s) << err;
    ASSERT_TRUE(s->load(kFw + "check_kernels.elf", &err)) << err;
    EXPECT_EQ(s->run(50000), OrtStop::Paused);
    const OrtRunResult &mid = s->result();
    EXPECT_EQ(mid.stop, OrtStop::Paused);
    // The scheduler stops at the first slice boundary at or after the cycle
    // (slices are multiples of cluster.slice_cycles); a core may be inside
    // an instruction that ends a few cycles later.
    const uint64_t slice = o.config.slice_cycles, at = (50000 + slice - 1) / slice * slice;
    EXPECT_EQ(s->platform().cluster_engine().now, at);
    EXPECT_GE(mid.cycles, at);
    EXPECT_LT(mid.cycles, at + 100);
    uint64_t insns = mid.instructions;
    EXPECT_GT(insns, 0u);
    EXPECT_EQ(s->run(), OrtStop::Halted);
    const OrtRunResult &r = s->result();
    EXPECT_STREQ(r.reason, "exit");
    EXPECT_EQ(r.status, 0);
    EXPECT_GT(r.instructions, insns);
    EXPECT_EQ(s->run(), OrtStop::Halted); // ended: nothing more to run
}

TEST(Session, TheResultCarriesCountersEnergyAndRegions)
{
    OrtSessionOptions o = quiet_options();
    o.energy = true;
    std::string err;
    auto s = OrtSession::create(o, &err);
    ASSERT_TRUE(s) << err;
    ASSERT_TRUE(s->load(kFw + "check_regions.elf", &err)) << err;
    EXPECT_EQ(s->run(), OrtStop::Halted);
    const OrtRunResult &r = s->result();
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.cores.size(), 8u);
    std::map<std::string, const OrtCounters *> dev;
    for (const OrtCounters &d : r.devices)
        dev[d.name] = &d;
    ASSERT_TRUE(dev.count("event_unit") && dev.count("dma"));
    EXPECT_GT(counter(*dev["event_unit"], "accesses"), 0u);
    EXPECT_EQ(counter(r.l1, "accesses") > 0, true);
    ASSERT_TRUE(r.energy);
    EXPECT_GT(r.energy->total_j, 0.0);
    EXPECT_EQ(r.energy->cycles, r.cycles);
    EXPECT_FALSE(r.regions.list.empty());
    EXPECT_TRUE(r.diagnostics.empty());
}

TEST(Session, AFaultIsAResultWithItsDiagnosis)
{
    OrtSessionOptions o = quiet_options();
    std::string err;
    auto s = OrtSession::create(o, &err);
    ASSERT_TRUE(s) << err;
    ASSERT_TRUE(s->load(kFw + "faults/fault_illegal.elf", &err)) << err;
    EXPECT_EQ(s->run(), OrtStop::Halted);
    const OrtRunResult &r = s->result();
    EXPECT_STREQ(r.reason, "fault");
    EXPECT_EQ(r.status, 3);
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_NE(r.diagnostics[0].find("illegal instruction"), std::string::npos) << r.diagnostics[0];
}

TEST(Session, AMemoryMapThatOverlapsIsRefused)
{
    OrtSessionOptions o = quiet_options();
    o.config.l1_size = 4 * 1024 * 1024; // over the cluster peripherals
    std::string err;
    EXPECT_FALSE(OrtSession::create(o, &err));
    EXPECT_NE(err.find("overlaps the cluster peripherals"), std::string::npos) << err;
}

TEST(Session, OneSessionPerProcess)
{
    OrtSessionOptions o = quiet_options();
    std::string err;
    auto s = OrtSession::create(o, &err);
    ASSERT_TRUE(s) << err;
    EXPECT_FALSE(s->load("/nonexistent/x.elf", &err));
    EXPECT_NE(err.find("cannot open '/nonexistent/x.elf'"), std::string::npos) << err;
    auto second = OrtSession::create(o, &err);
    EXPECT_FALSE(second);
    EXPECT_NE(err.find("one simulation session"), std::string::npos) << err;
}
