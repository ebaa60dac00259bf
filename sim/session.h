// A simulation session: the platform built from a configuration, one
// program loaded into it, run in steps, and a structured result. `ortigia
// run` and `test-network` (through ort_run), and later a debugger, a sweep
// and a token loop, all drive the simulator through this one object.
//
//   auto s = OrtSession::create(options, &err);      // platform, power model
//   s->load("program.elf", &err);
//   s->set_boundary_hook([](const ort_cluster &cl) { return want_pause(cl); });
//   while (s->run() == OrtStop::Paused) { inspect s->platform() ... }
//   const OrtRunResult &r = s->result();             // stop reason, counters, energy
//
// Process model. SystemC elaborates a design once per process: the time
// resolution is set once, modules cannot be created after the simulation
// has started, and the TLM global quantum is a singleton. So a process
// holds at most one session, for its whole life (create refuses a second
// one); a design-space sweep runs one process per point. Pausing changes
// nothing in the simulated results: the scheduler stops only between whole
// slices (cluster.h), so a paused session resumes as if it never stopped.
#ifndef ORTIGIA_SESSION_H
#define ORTIGIA_SESSION_H

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "power.h"

extern "C" {
#include "cluster.h"
#include "config.h"
#include "power_model.h"
}

class OrtPlatform;
class OrtPowerTrace;

struct OrtSessionOptions {
    ort_config config;            /* checked values; soc.frequency_mhz = 0: the
                                     operating point's frequency */
    std::string power_model_path; /* empty: ort_power_default_model() */
    bool energy = false;          /* measure energy: the run and its regions */
    uint64_t power_window = 0;    /* > 0: also power over time, per window */
    std::string power_trace_path; /* the windows as CSV, written as they close */
    std::string vcd_path;         /* the windows as VCD, written as they close */
    std::string trace_path;       /* instruction trace (gzip text); empty: none */
    uint64_t max_cycles = 0;      /* stop there (0: no limit) */
    FILE *uart = stdout;          /* where the firmware's characters go */
};

enum class OrtStop {
    Running,    /* not run yet */
    Paused,     /* at the requested cycle or by the boundary hook: run() resumes */
    Halted,     /* a core halted: exit, tohost or fault (see result().reason) */
    CycleLimit, /* max_cycles reached */
    Deadlock,   /* every core sleeps and no device can wake one */
    Interrupted, /* SIGINT or SIGTERM: ended at a quantum boundary, reports complete */
    Error,      /* the platform could not run (see result().diagnostics) */
};

/* Named counters of one core or device, in its descriptors' order. */
struct OrtCounters {
    std::string name;
    std::vector<std::pair<std::string, uint64_t>> values;
};

struct OrtCoreResult {
    unsigned id;
    uint64_t cycles, instructions;
    OrtCounters counters;     /* rv_core_counters: stalls, sleep, loads ... */
    OrtCounters instr_classes; /* instructions executed per class */
};

struct OrtRunResult {
    OrtStop stop = OrtStop::Running;
    const char *reason = "running"; /* exit, tohost, fault, cycle-limit, deadlock,
                                       interrupted, error, paused, running */
    int status = 0;                 /* the process exit status the run means */
    /* What the end of the run means, one line each, for stderr (a fault's
       pc and cause, the deadlock's cores ...). */
    std::vector<std::string> diagnostics;
    /* The session's outputs that could not be written (the instruction
       trace, the power trace's files): one message each. */
    std::vector<std::string> output_errors;
    uint64_t cycles = 0, instructions = 0;
    double frequency_mhz = 0, seconds = 0, wall_s = 0;
    uint64_t uart_bytes = 0;
    std::vector<OrtCoreResult> cores;
    OrtCounters l1;                   /* the TCDM's counters */
    uint32_t l1_banks = 0;
    std::vector<OrtCounters> devices; /* every cluster device, in the table's order */
    /* With OrtSessionOptions::energy: the run's energy, its regions, and
       warnings about unmatched region markers. */
    std::unique_ptr<ort_power_report> energy;
    OrtRegions regions;
    std::vector<std::string> warnings;
};

class OrtSession {
public:
    /* Builds the platform and loads the power model (when energy is asked
       for, or soc.opp / soc.frequency_mhz = 0 need it). Null with a message
       on bad input, or when this process already had a session. */
    static std::unique_ptr<OrtSession> create(const OrtSessionOptions &options,
                                              std::string *err);
    ~OrtSession();
    OrtSession(const OrtSession &) = delete;
    OrtSession &operator=(const OrtSession &) = delete;

    /* Load an ELF (segments into L2, L1 or the weight memory; every core
       starts at its entry). False with a message naming the file. */
    bool load(const std::string &elf_path, std::string *err);

    /* Asked at every quantum boundary; true pauses the run there. */
    void set_boundary_hook(std::function<bool(const ort_cluster &)> pause_if);

    /* Run until the program ends, the cluster reaches the first slice
       boundary at or after `until_cycle`, or the boundary hook pauses it.
       Resumable while it returns Paused. */
    OrtStop run(uint64_t until_cycle = UINT64_MAX);

    /* End the run at the next quantum boundary, as a signal would (a
       debugger's kill, or its client gone): result().reason "interrupted". */
    void request_end() { end_requested_ = true; }

    /* Reload the program and restart every core at its entry (registers
       and CSRs reset), for a debugger's `monitor reset`. The clock, the
       counters and the devices go on: simulated time does not go back. */
    bool restart(std::string *err);

    /* The result so far; complete (energy, regions) once the run ended. */
    const OrtRunResult &result();

    /* Copy `n` bytes at ELF symbol `symbol` out of simulated memory. */
    bool read_symbol(const std::string &symbol, size_t n, std::vector<uint8_t> *out) const;

    OrtPlatform &platform();
    const OrtSessionOptions &options() const { return opt_; }
    /* The power model and operating point (valid with options().energy). */
    const ort_power_model &power_model() const { return *model_; }
    unsigned operating_point() const { return opp_; }
    /* The power trace (with options().power_window): its chart's points. */
    const OrtPowerTrace *power_trace() const { return ptrace_.get(); }

private:
    struct Impl;
    OrtSession();
    void collect(bool ended);
    void finish();

    OrtSessionOptions opt_;
    std::unique_ptr<ort_power_model> model_;
    unsigned opp_ = 0;
    std::unique_ptr<Impl> impl_;
    std::unique_ptr<OrtRegionRecorder> regions_;
    std::unique_ptr<OrtPowerTrace> ptrace_;
    OrtRunResult result_;
    bool ended_ = false;
    bool end_requested_ = false;
};

#endif
