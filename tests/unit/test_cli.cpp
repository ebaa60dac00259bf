// End-to-end tests of `ortigia run`: statistics, traces, determinism and
// the timing of memory latency, on firmware built by the same build.
#include <gtest/gtest.h>

#include "run_capture.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <cstdlib>
#include <sstream>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <jansson.h>
#include <zlib.h>

namespace {

std::string fw(const std::string &name) { return std::string(ORTIGIA_FW_DIR) + "/" + name; }

/* Run ortigia with arguments; capture stdout and the exit status. */
RunResult ortigia(const std::string &args)
{
    return run_capture(std::string(ORTIGIA_BIN) + " " + args + " 2>/dev/null");
}

std::string temp_path(const std::string &suffix)
{
    static int counter = 0;
    return "/tmp/ortigia_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + suffix;
}

/* Load a stats file; the caller owns the reference. */
json_t *load_stats(const std::string &path)
{
    json_error_t err;
    json_t *j = json_load_file(path.c_str(), 0, &err);
    EXPECT_NE(j, nullptr) << path << ": " << err.text;
    return j;
}

long long get_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    EXPECT_TRUE(json_is_integer(v)) << key;
    return v ? json_integer_value(v) : -1;
}

struct Stats {
    long long cycles, instructions, loads, stores, memory_stalls, uart_bytes;
    std::string reason;
};

Stats run_stats(const std::string &args, int expect_status = 0)
{
    std::string path = temp_path(".json");
    RunResult r = ortigia("run --stats " + path + " " + args);
    EXPECT_EQ(r.status, expect_status) << args;
    Stats s{};
    json_t *j = load_stats(path);
    if (!j)
        return s;
    s.cycles = get_int(j, "cycles");
    s.instructions = get_int(j, "instructions");
    s.uart_bytes = get_int(j, "uart_bytes");
    s.reason = json_string_value(json_object_get(j, "stop_reason"));
    json_t *core0 = json_array_get(json_object_get(j, "cores"), 0);
    s.loads = get_int(core0, "loads");
    s.stores = get_int(core0, "stores");
    s.memory_stalls = get_int(core0, "memory_stalls");
    json_decref(j);
    unlink(path.c_str());
    return s;
}

std::vector<std::string> read_gz_lines(const std::string &path)
{
    std::vector<std::string> lines;
    gzFile gz = gzopen(path.c_str(), "rb");
    if (!gz)
        return lines;
    char buf[512];
    while (gzgets(gz, buf, sizeof buf)) {
        std::string l(buf);
        if (!l.empty() && l.back() == '\n')
            l.pop_back();
        lines.push_back(l);
    }
    gzclose(gz);
    return lines;
}

} // namespace

TEST(Cli, StatsDescribeTheRun)
{
    std::string path = temp_path(".json");
    RunResult r = ortigia("run --stats " + path + " " + fw("tests/hello.elf"));
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "Hello from Ortigia!\n");
    json_t *j = load_stats(path);
    ASSERT_NE(j, nullptr);
    long long cycles = get_int(j, "cycles"), insns = get_int(j, "instructions");
    EXPECT_GT(cycles, 0);
    EXPECT_GT(insns, 0);
    EXPECT_LE(insns, cycles); // at most one instruction per cycle
    EXPECT_DOUBLE_EQ(json_real_value(json_object_get(j, "ipc")), (double)insns / (double)cycles);
    EXPECT_STREQ(json_string_value(json_object_get(j, "stop_reason")), "exit");
    EXPECT_EQ(get_int(j, "exit_status"), 0);
    EXPECT_EQ(get_int(j, "uart_bytes"), 20); // "Hello from Ortigia!\n"
    EXPECT_TRUE(json_is_real(json_object_get(j, "wall_time_s")));
    EXPECT_TRUE(json_is_real(json_object_get(j, "simulated_mips")));
    EXPECT_DOUBLE_EQ(json_real_value(json_object_get(j, "simulated_seconds")), cycles / 360e6);
    // One entry per core of the default cluster; the total is their sum.
    json_t *cores = json_object_get(j, "cores");
    ASSERT_EQ(json_array_size(cores), 8u);
    long long sum = 0;
    for (size_t i = 0; i < json_array_size(cores); i++) {
        EXPECT_EQ(get_int(json_array_get(cores, i), "id"), (long long)i);
        sum += get_int(json_array_get(cores, i), "instructions");
    }
    EXPECT_EQ(sum, insns);
    // The workers only reached their wait for work: a handful of instructions.
    EXPECT_LT(get_int(json_array_get(cores, 7), "instructions"), 40);
    json_decref(j);
    unlink(path.c_str());
}

// The NPU is in the cluster by default (its counters in --stats, its
// component in the power report, idle: 0 J); npu.enabled=0 removes it
// without changing the run.
TEST(Cli, TheNpuIsADeviceUnlessDisabled)
{
    std::string with = temp_path(".json"), without = temp_path(".json");
    std::string pw = temp_path(".json"), pwo = temp_path(".json");
    ASSERT_EQ(ortigia("run --quiet --stats " + with + " --power-json " + pw + " " +
                      fw("tests/hello.elf")).status, 0);
    ASSERT_EQ(ortigia("run --quiet --set npu.enabled=0 --stats " + without + " --power-json " +
                      pwo + " " + fw("tests/hello.elf")).status, 0);
    json_t *a = load_stats(with), *b = load_stats(without);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    json_t *npu = json_object_get(a, "npu");
    ASSERT_TRUE(json_is_object(npu));
    EXPECT_EQ(get_int(npu, "jobs"), 0);
    EXPECT_EQ(get_int(npu, "busy_cycles"), 0);
    EXPECT_EQ(json_object_get(b, "npu"), nullptr);
    EXPECT_EQ(get_int(a, "cycles"), get_int(b, "cycles"));
    json_decref(a);
    json_decref(b);
    json_t *ra = load_stats(pw), *rb = load_stats(pwo);
    ASSERT_NE(ra, nullptr);
    ASSERT_NE(rb, nullptr);
    auto find = [](json_t *r, const char *name) -> json_t * {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(r, "components"), i, c)
            if (std::string(json_string_value(json_object_get(c, "name"))) == name)
                return c;
        return nullptr;
    };
    ASSERT_NE(find(ra, "npu"), nullptr);
    // An idle NPU switches nothing; it costs its leakage only (its domain
    // powered), which is all the difference between the two runs.
    json_t *npu_energy = find(ra, "npu");
    EXPECT_EQ(json_real_value(json_object_get(npu_energy, "dynamic_j")), 0.0);
    EXPECT_EQ(json_real_value(json_object_get(npu_energy, "background_j")), 0.0);
    double npu_leak = json_real_value(json_object_get(npu_energy, "leakage_j"));
    EXPECT_GT(npu_leak, 0.0);
    EXPECT_EQ(find(rb, "npu"), nullptr);
    EXPECT_NEAR(json_real_value(json_object_get(ra, "energy_j")) - npu_leak,
                json_real_value(json_object_get(rb, "energy_j")), 1e-15);
    json_decref(ra);
    json_decref(rb);
    for (const std::string &f : {with, without, pw, pwo})
        unlink(f.c_str());
}

TEST(Cli, TraceHasOneLinePerRetiredInstruction)
{
    std::string trace = temp_path(".gz");
    Stats s = run_stats("--trace " + trace + " " + fw("tests/hello.elf"));
    std::vector<std::string> lines = read_gz_lines(trace);
    unlink(trace.c_str());
    ASSERT_EQ((long long)lines.size(), s.instructions);
    // The first instruction is crt0's auipc at the entry point, cycle 0.
    EXPECT_EQ(lines.front().rfind("0 0 1c000000 ", 0), 0u) << lines.front();
    EXPECT_NE(lines.front().find("auipc gp,"), std::string::npos) << lines.front();
    EXPECT_NE(lines.front().find(" gp=1c"), std::string::npos) << lines.front();
    // The last one is the store to the sim-control exit register.
    EXPECT_NE(lines.back().find("sw "), std::string::npos) << lines.back();
    // Each core's cycles never go backwards (cores interleave in slices).
    std::map<int, long long> prev;
    for (const std::string &l : lines) {
        long long c = std::stoll(l);
        int core = std::stoi(l.substr(l.find(' ') + 1));
        ASSERT_GE(c, prev.count(core) ? prev[core] : -1) << l;
        prev[core] = c;
    }
    EXPECT_EQ(prev.size(), 8u);
    EXPECT_LT(prev[0], s.cycles);
}

TEST(Cli, TracingDoesNotChangeTiming)
{
    std::string trace = temp_path(".gz");
    Stats traced = run_stats("--trace " + trace + " " + fw("tests/hello.elf"));
    unlink(trace.c_str());
    Stats plain = run_stats(fw("tests/hello.elf"));
    EXPECT_EQ(traced.cycles, plain.cycles);
    EXPECT_EQ(traced.instructions, plain.instructions);
}

TEST(Cli, RunsAreDeterministic)
{
    Stats a = run_stats(fw("tests/hello.elf"));
    Stats b = run_stats(fw("tests/hello.elf"));
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_EQ(a.instructions, b.instructions);
    EXPECT_EQ(a.loads, b.loads);
    EXPECT_EQ(a.stores, b.stores);
}

// Runs `elf` twice with --stats; expects identical statistics apart from
// the wall time and returns those of the first run (the caller frees it).
static json_t *stats_of_two_identical_runs(const std::string &elf)
{
    std::string a = temp_path(".json"), b = temp_path(".json");
    EXPECT_EQ(ortigia("run --quiet --stats " + a + " " + elf).status, 0);
    EXPECT_EQ(ortigia("run --quiet --stats " + b + " " + elf).status, 0);
    json_t *ja = load_stats(a), *jb = load_stats(b);
    unlink(a.c_str());
    unlink(b.c_str());
    if (!ja || !jb) {
        ADD_FAILURE() << "no statistics from " << elf;
        json_decref(ja);
        json_decref(jb);
        return nullptr;
    }
    for (json_t *j : {ja, jb})
        for (const char *volatile_key : {"wall_time_s", "simulated_mips"})
            json_object_del(j, volatile_key);
    EXPECT_TRUE(json_equal(ja, jb)) << elf;
    json_decref(jb);
    return ja;
}

// Eight cores with barriers, a mutex and bank conflicts: two runs give the
// same statistics, byte for byte, apart from the wall time.
TEST(Cli, MultiCoreRunsAreDeterministic)
{
    json_t *ja = stats_of_two_identical_runs(fw("tests/check_cluster.elf"));
    ASSERT_NE(ja, nullptr);
    json_t *cores = json_object_get(ja, "cores");
    ASSERT_EQ(json_array_size(cores), 8u);
    EXPECT_GT(get_int(json_array_get(cores, 1), "tcdm_stalls"), 0);
    EXPECT_GT(get_int(json_array_get(cores, 5), "sleep_cycles"), 0);
    // check_cluster forks 6 times (6 joins at the barrier); inside, 10
    // rounds of 2 barriers and 2 bank probes of 1: 6 + 20 + 2 = 28.
    EXPECT_EQ(get_int(json_object_get(ja, "event_unit"), "barriers"), 28);
    EXPECT_EQ(get_int(json_object_get(ja, "l1"), "banks"), 16);
    EXPECT_GT(get_int(json_object_get(ja, "l1"), "conflict_cycles"), 0);
    json_decref(ja);
}

// The SIMD kernels with hardware loops and the double-buffered DMA on 8
// cores (DMA beats and cores contending for L1 banks): two runs give the
// same statistics.
TEST(Cli, DmaAndSimdRunsAreDeterministic)
{
    json_t *ja = stats_of_two_identical_runs(fw("tests/check_kernels.elf"));
    ASSERT_NE(ja, nullptr);
    json_t *dma = json_object_get(ja, "dma");
    EXPECT_GT(get_int(dma, "transfers"), 20);
    EXPECT_GT(get_int(dma, "tcdm_wait_cycles"), 0);
    EXPECT_EQ(get_int(dma, "errors"), 0);
    EXPECT_GT(get_int(json_array_get(json_object_get(ja, "cores"), 3), "hwloop_iterations"), 0);
    json_decref(ja);
}

TEST(Cli, QuantumDoesNotChangeSingleCoreTiming)
{
    Stats small = run_stats("--set sim.quantum_cycles=1 " + fw("tests/hello.elf"));
    Stats large = run_stats("--set sim.quantum_cycles=1000000 " + fw("tests/hello.elf"));
    EXPECT_EQ(small.cycles, large.cycles);
    EXPECT_EQ(small.instructions, large.instructions);
}

TEST(Cli, L2LatencyCostsExactlyItsCyclesPerDataAccess)
{
    Stats fast = run_stats("--set l2.latency=0 " + fw("tests/hello.elf"));
    Stats slow = run_stats("--set l2.latency=15 " + fw("tests/hello.elf"));
    EXPECT_EQ(fast.instructions, slow.instructions);
    // Every data access except the device ones (one per uart byte, one
    // for exit) goes to L2.
    long long l2_accesses = slow.loads + slow.stores - slow.uart_bytes - 1;
    EXPECT_EQ(slow.cycles - fast.cycles, 15 * l2_accesses);
    EXPECT_EQ(slow.memory_stalls - fast.memory_stalls, 15 * l2_accesses);
}

TEST(Cli, ExitCodeOfTheFirmwareIsTheStatus)
{
    Stats s = run_stats(fw("tests/faults/exit_code.elf"), 42);
    EXPECT_EQ(s.reason, "exit");
}

TEST(Cli, CycleLimitStopsWithinOneInstruction)
{
    Stats s = run_stats("--max-cycles 5000 " + fw("tests/faults/runaway.elf"), 4);
    EXPECT_EQ(s.reason, "cycle-limit");
    EXPECT_GE(s.cycles, 5000);
    EXPECT_LT(s.cycles, 5000 + 40); // an instruction costs at most ~35+15 cycles
}

// ---- the power report ---------------------------------------------------------

namespace {

double get_real(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    EXPECT_TRUE(json_is_number(v)) << key;
    return v ? json_number_value(v) : 0;
}

/* Energy report of `elf` with extra arguments; the caller frees it. */
json_t *power_report(const std::string &elf, const std::string &args = "")
{
    std::string path = temp_path(".json");
    RunResult r = ortigia("run --quiet --power-json " + path + " " + args + " " + elf);
    EXPECT_EQ(r.status, 0) << args;
    json_t *j = load_stats(path);
    unlink(path.c_str());
    return j;
}

} // namespace

// Components add up to the total; dynamic, background and leakage add up to
// each component; events add up to the dynamic part; power = energy / time.
TEST(CliPower, ReportIsConsistent)
{
    json_t *r = power_report(fw("tests/check_kernels.elf"));
    ASSERT_NE(r, nullptr);
    double total = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "components"), i, c) {
        double e = get_real(c, "energy_j");
        EXPECT_NEAR(get_real(c, "dynamic_j") + get_real(c, "background_j") + get_real(c, "leakage_j"),
                    e, 1e-15);
        double events = 0;
        const char *name;
        json_t *ev;
        json_object_foreach(json_object_get(c, "events"), name, ev)
            events += get_real(ev, "energy_j");
        EXPECT_NEAR(events, get_real(c, "dynamic_j"), 1e-15);
        total += e;
    }
    EXPECT_EQ(json_array_size(json_object_get(r, "components")), 8u + 8u); // 8 cores + 8
    EXPECT_NEAR(total, get_real(r, "energy_j"), 1e-15);
    EXPECT_NEAR(get_real(r, "average_power_w"), get_real(r, "energy_j") / get_real(r, "seconds"),
                1e-12);
    EXPECT_NEAR(get_real(r, "seconds"), (double)get_int(r, "cycles") / 360e6, 1e-15);
    json_decref(r);
}

// The same program at 0.65 V: the same events, dynamic energy x (0.65/0.8)^2,
// and the clock of the point (210 MHz).
TEST(CliPower, OperatingPointScalesDynamicEnergyWithVSquared)
{
    json_t *hi = power_report(fw("tests/check_kernels.elf"));
    json_t *lo = power_report(fw("tests/check_kernels.elf"), "--set soc.opp=0.65V");
    ASSERT_NE(hi, nullptr);
    ASSERT_NE(lo, nullptr);
    EXPECT_EQ(get_int(hi, "cycles"), get_int(lo, "cycles"));
    json_t *ch = json_array_get(json_object_get(hi, "components"), 0); // core0
    json_t *cl = json_array_get(json_object_get(lo, "components"), 0);
    EXPECT_NEAR(get_real(cl, "dynamic_j") / get_real(ch, "dynamic_j"), (0.65 / 0.8) * (0.65 / 0.8),
                1e-12);
    EXPECT_NEAR(get_real(lo, "seconds"), (double)get_int(lo, "cycles") / 210e6, 1e-15);
    EXPECT_NEAR(get_real(json_object_get(lo, "operating_point"), "voltage"), 0.65, 1e-12);
    json_decref(hi);
    json_decref(lo);
}

// In hello.elf only core 0 works; the others run a few boot instructions,
// then sleep: they are clock-gated almost all the run, and their dynamic
// energy is next to nothing beside core 0's (and clock-gated power is 0 in
// this model, so their background energy is that of the boot only).
TEST(CliPower, IdleCoresCostNextToNothing)
{
    json_t *r = power_report(fw("tests/hello.elf"));
    ASSERT_NE(r, nullptr);
    json_t *comps = json_object_get(r, "components");
    json_t *core0 = json_array_get(comps, 0), *core5 = json_array_get(comps, 5);
    EXPECT_STREQ(json_string_value(json_object_get(core5, "name")), "core5");
    EXPECT_GT(get_int(core5, "clock_gated_cycles"), 10 * get_int(core5, "active_cycles"));
    EXPECT_LT(get_real(core5, "dynamic_j"), 0.1 * get_real(core0, "dynamic_j")); // 27 of 350 instructions
    EXPECT_LT(get_real(core5, "background_j"), 0.05 * get_real(core0, "background_j"));
    EXPECT_EQ(get_int(core5, "active_cycles") + get_int(core5, "clock_gated_cycles"),
              get_int(r, "cycles"));
    json_decref(r);
}

// The model's calibration is checked against its anchors by the tests
// power.Validation.* (tests/unit/test_power_validation.cpp).

// Regions marked by the firmware: labels, nesting, the parent's energy is
// its children's (back to back, apart from the few cycles of the markers
// between them), the compute region draws more power than the idle one,
// whose sleeping cores have next to no dynamic energy.
TEST(CliPower, RegionsNestAndAddUpToTheirParent)
{
    json_t *r = power_report(fw("tests/check_regions.elf"));
    ASSERT_NE(r, nullptr);
    json_t *regions = json_object_get(r, "regions");
    ASSERT_EQ(json_array_size(regions), 4u);
    json_t *run = json_array_get(regions, 0), *compute = json_array_get(regions, 1),
           *idle = json_array_get(regions, 2), *after = json_array_get(regions, 3);
    EXPECT_STREQ(json_string_value(json_object_get(run, "label")), "run");
    EXPECT_STREQ(json_string_value(json_object_get(compute, "label")), "compute");
    EXPECT_EQ(get_int(run, "parent"), -1);
    EXPECT_EQ(get_int(compute, "parent"), 0);
    EXPECT_EQ(get_int(idle, "parent"), 0);
    EXPECT_EQ(get_int(after, "parent"), -1);
    EXPECT_EQ(get_int(idle, "cycles"), get_int(idle, "end_cycle") - get_int(idle, "begin_cycle"));
    long long gap = get_int(run, "cycles") - get_int(compute, "cycles") - get_int(idle, "cycles");
    EXPECT_GE(gap, 0);
    EXPECT_LT(gap, 50) << "only the markers between the children";
    double parent = get_real(run, "energy_j");
    double children = get_real(compute, "energy_j") + get_real(idle, "energy_j");
    EXPECT_NEAR(children / parent, 1.0, 0.002);
    EXPECT_GT(get_real(compute, "average_power_w"), get_real(idle, "average_power_w"));
    // In the idle region cores 1..7 sleep (after the few instructions that
    // take them from the join back to waiting): next to no dynamic energy.
    double idle3 = get_real(json_array_get(json_object_get(idle, "components"), 3), "dynamic_j");
    double busy3 = get_real(json_array_get(json_object_get(compute, "components"), 3), "dynamic_j");
    EXPECT_GT(busy3, 0.0);
    EXPECT_LT(idle3, busy3 * 0.01);
    // Every region's components add up to the region.
    size_t i;
    json_t *g;
    json_array_foreach(regions, i, g) {
        double sum = 0;
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(g, "components"), k, c)
            sum += get_real(c, "energy_j");
        EXPECT_NEAR(sum, get_real(g, "energy_j"), 1e-15);
    }
    json_decref(r);
}

// The CSV report parses and agrees with the JSON one, row by row.
TEST(CliPower, CsvAgreesWithJson)
{
    std::string j = temp_path(".json"), c = temp_path(".csv");
    ASSERT_EQ(ortigia("run --quiet --power-json " + j + " --power-csv " + c + " " +
                      fw("tests/check_regions.elf")).status, 0);
    json_t *r = load_stats(j);
    ASSERT_NE(r, nullptr);
    FILE *f = fopen(c.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char line[512];
    ASSERT_NE(fgets(line, sizeof line, f), nullptr);
    EXPECT_EQ(std::string(line).rfind("region_id,region_label,component,kind,cycles,", 0), 0u);
    std::map<std::string, double> csv; // "region/component" -> energy
    std::map<std::string, double> csv_high; // -> the band's high end
    size_t rows = 0;
    while (fgets(line, sizeof line, f)) {
        std::vector<std::string> cols;
        std::string cell;
        for (const char *p = line; *p && *p != '\n'; p++) {
            if (*p == ',') {
                cols.push_back(cell);
                cell.clear();
            } else {
                cell += *p;
            }
        }
        cols.push_back(cell);
        ASSERT_EQ(cols.size(), 24u) << line;
        csv[cols[0] + "/" + cols[2]] = std::stod(cols[9]);
        csv_high[cols[0] + "/" + cols[2]] = std::stod(cols[12]);
        rows++;
    }
    fclose(f);
    json_t *comps = json_object_get(r, "components");
    json_t *regions = json_object_get(r, "regions");
    EXPECT_EQ(rows, json_array_size(comps) * (1 + json_array_size(regions)));
    size_t i;
    json_t *comp;
    json_array_foreach(comps, i, comp) {
        std::string key = "-1/" + std::string(json_string_value(json_object_get(comp, "name")));
        ASSERT_TRUE(csv.count(key)) << key;
        EXPECT_NEAR(csv[key], get_real(comp, "energy_j"), 1e-8 * get_real(comp, "energy_j") + 1e-18);
        EXPECT_NEAR(csv_high[key], get_real(comp, "energy_j_high"),
                    1e-8 * get_real(comp, "energy_j_high") + 1e-18);
        EXPECT_GE(get_real(comp, "energy_j_high"), get_real(comp, "energy_j"));
        EXPECT_LE(get_real(comp, "energy_j_low"), get_real(comp, "energy_j"));
    }
    json_t *g;
    json_array_foreach(regions, i, g) {
        size_t k;
        json_array_foreach(json_object_get(g, "components"), k, comp) {
            std::string key = std::to_string(get_int(g, "id")) + "/" +
                              json_string_value(json_object_get(comp, "name"));
            ASSERT_TRUE(csv.count(key)) << key;
            EXPECT_NEAR(csv[key], get_real(comp, "energy_j"), 1e-8 * get_real(comp, "energy_j") + 1e-18);
        }
    }
    json_decref(r);
    unlink(j.c_str());
    unlink(c.c_str());
}

// Power over time: windows tile the run, their energies add up to the
// run's, cores are seen sleeping in the idle part; the VCD declares every
// signal and has increasing timestamps.
TEST(CliPower, TraceTilesTheRunAndTheVcdIsWellFormed)
{
    std::string j = temp_path(".json"), c = temp_path(".csv"), v = temp_path(".vcd");
    ASSERT_EQ(ortigia("run --quiet --power-window 5000 --power-json " + j + " --power-trace " + c +
                      " --vcd " + v + " " + fw("tests/check_regions.elf")).status, 0);
    json_t *r = load_stats(j);
    ASSERT_NE(r, nullptr);
    std::ifstream csv(c);
    std::string line;
    ASSERT_TRUE(std::getline(csv, line));
    ASSERT_EQ(line.rfind("begin_cycle,end_cycle,seconds,total_w,core0_w,", 0), 0u);
    size_t columns = (size_t)std::count(line.begin(), line.end(), ',') + 1;
    EXPECT_EQ(columns, 4u + 16u + 8u); // totals, 16 components, 8 core states
    long long expect_begin = 0, windows = 0, sleeping = 0;
    std::vector<long long> ends;
    double energy = 0;
    while (std::getline(csv, line)) {
        std::vector<std::string> cols;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ','))
            cols.push_back(cell);
        ASSERT_EQ(cols.size(), columns) << line;
        EXPECT_EQ(std::stoll(cols[0]), expect_begin);
        expect_begin = std::stoll(cols[1]);
        ends.push_back(expect_begin);
        energy += std::stod(cols[3]) * std::stod(cols[2]);
        sleeping += cols[4 + 15 + 5] == "sleep"; // core5
        windows++;
    }
    EXPECT_EQ(expect_begin, get_int(r, "cycles"));
    // Each window but the last ends at the first scheduling slice boundary
    // (256 cycles) at or after the next multiple of 5000 cycles.
    long long multiple = 5000;
    for (size_t i = 0; i + 1 < ends.size(); i++) {
        EXPECT_EQ(ends[i], (multiple + 255) / 256 * 256) << "window " << i;
        while (multiple <= ends[i])
            multiple += 5000;
    }
    EXPECT_GE(windows, get_int(r, "cycles") / 5000 - 1);
    EXPECT_NEAR(energy / get_real(r, "energy_j"), 1.0, 1e-6);
    EXPECT_GE(sleeping, 3) << "core 5 sleeps through the idle region (20000 cycles)";
    std::ifstream vcd(v);
    std::string text((std::istreambuf_iterator<char>(vcd)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("$timescale 1 ns $end"), std::string::npos);
    EXPECT_EQ((size_t)std::count(text.begin(), text.end(), '$') / 2 >= 1 + 15 + 8, true);
    EXPECT_NE(text.find("$var wire 2 "), std::string::npos);
    EXPECT_NE(text.find("core7_state $end"), std::string::npos);
    EXPECT_NE(text.find("$enddefinitions $end"), std::string::npos);
    long long last = -1, stamps = 0;
    std::stringstream lines(text.substr(text.find("$enddefinitions")));
    while (std::getline(lines, line)) {
        if (!line.empty() && line[0] == '#') {
            long long t = std::stoll(line.substr(1));
            EXPECT_GT(t, last);
            last = t;
            stamps++;
        } else if (!line.empty() && line[0] == 'r') {
            EXPECT_NE(line.find(' '), std::string::npos) << line;
        }
    }
    EXPECT_EQ(stamps, windows + 1);
    json_decref(r);
    unlink(j.c_str());
    unlink(c.c_str());
    unlink(v.c_str());
}

// The HTML report is self-contained (no script or style from the network),
// has its three charts, and embeds the same report as --power-json.
TEST(CliPower, HtmlReportIsSelfContainedAndAgreesWithJson)
{
    std::string j = temp_path(".json"), h = temp_path(".html");
    ASSERT_EQ(ortigia("run --quiet --power-json " + j + " --report " + h + " " +
                      fw("tests/check_regions.elf")).status, 0);
    std::ifstream in(h);
    std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
    size_t svgs = 0;
    for (size_t at = 0; (at = html.find("<svg", at)) != std::string::npos; at++)
        svgs++;
    EXPECT_EQ(svgs, 3u) << "energy per component, power over time, regions";
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("href="), std::string::npos);
    EXPECT_NE(html.find("fitted: the cluster at full load"), std::string::npos)
        << "the sources are listed";
    EXPECT_NE(html.find("<h2>Validation of the model</h2>"), std::string::npos);
    EXPECT_NE(html.find("<tr><td>Chip0V80</td><td>332 mW</td><td>secondary</td><td>332</td>"),
              std::string::npos)
        << "the validation table: anchor, value, class, model";
    EXPECT_NE(html.find("<h2>How sure</h2>"), std::string::npos);
    const std::string tag = "<script type=\"application/json\" id=\"ortigia-report\">";
    size_t a = html.find(tag);
    ASSERT_NE(a, std::string::npos);
    a += tag.size();
    size_t b = html.find("</script>", a);
    ASSERT_NE(b, std::string::npos);
    std::string embedded = html.substr(a, b - a);
    for (size_t at = 0; (at = embedded.find("<\\/", at)) != std::string::npos;)
        embedded.replace(at, 3, "</");
    json_error_t err;
    json_t *from_html = json_loads(embedded.c_str(), 0, &err);
    ASSERT_NE(from_html, nullptr) << err.text;
    json_t *from_json = load_stats(j);
    ASSERT_NE(from_json, nullptr);
    EXPECT_TRUE(json_equal(from_html, from_json));
    json_decref(from_html);
    json_decref(from_json);
    unlink(j.c_str());
    unlink(h.c_str());
}
