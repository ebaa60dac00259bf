#include "session.h"

#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cinttypes>
#include <stdexcept>

#include <systemc>
#include <tlm>

#include "platform.h"
#include "run.h"

extern "C" {
#include "elf_loader.h"
#include "itrace.h"
}

namespace {

bool g_session_created = false; /* one session per process (session.h) */

/* The signal (SIGINT, SIGTERM) that asked the run to end, or 0. */
volatile sig_atomic_t g_signal = 0;

void on_signal(int signo) { g_signal = signo; }

/* While the simulation runs, SIGINT and SIGTERM end it cleanly at the next
   quantum boundary (the reports are still written); a second one acts as
   if no handler were installed (SA_RESETHAND). */
struct SignalGuard {
    struct sigaction old_int, old_term;
    SignalGuard()
    {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }
    ~SignalGuard()
    {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
    }
};

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

OrtCounters counters_of(const char *name, const ort_counter *table, unsigned n, const void *engine)
{
    OrtCounters c;
    c.name = name;
    for (unsigned i = 0; i < n; i++)
        c.values.emplace_back(table[i].name, ort_counter_value(&table[i], engine));
    return c;
}

} // namespace

struct OrtSession::Impl {
    ort_elf_image img{};
    bool loaded = false;
    std::unique_ptr<OrtPlatform> platform;
    ort_itrace *trace = nullptr;

    ~Impl()
    {
        if (trace)
            ort_itrace_close(trace);
        platform.reset();
        if (loaded)
            ort_elf_free(&img);
    }
};

OrtSession::OrtSession() : impl_(std::make_unique<Impl>()) {}
OrtSession::~OrtSession() = default;

std::unique_ptr<OrtSession> OrtSession::create(const OrtSessionOptions &options, std::string *err)
{
    if (g_session_created) {
        *err = "a process holds one simulation session (SystemC elaborates once per process): "
               "run another point in another process";
        return nullptr;
    }
    std::unique_ptr<OrtSession> s(new OrtSession());
    OrtSessionOptions &opt = s->opt_;
    opt = options;
    /* The operating point sets the clock when soc.frequency_mhz is 0, and
       the energy figures need the point's own clock. */
    const ort_config &cfg = opt.config;
    if (opt.energy || cfg.soc_frequency_mhz == 0 || cfg.soc_opp[0]) {
        s->model_ = std::make_unique<ort_power_model>();
        std::string path =
            opt.power_model_path.empty() ? ort_power_default_model() : opt.power_model_path;
        opt.power_model_path = path;
        if (!ort_power_setup(cfg, path, s->model_.get(), &s->opp_, err))
            return nullptr;
        const ort_power_opp &point = s->model_->opp[s->opp_];
        double f = point.frequency_mhz.value;
        if (cfg.soc_frequency_mhz == 0) {
            opt.config.soc_frequency_mhz = f;
        } else if (opt.energy && cfg.soc_frequency_mhz != f) {
            *err = format("'soc.frequency_mhz' = %g differs from the operating point %s (%g MHz); "
                          "energy figures need the point's frequency (leave soc.frequency_mhz at "
                          "0 or pick another soc.opp)",
                          cfg.soc_frequency_mhz, point.name, f);
            return nullptr;
        }
    }
    /* The engines trust the configuration (config.c): a session made
       without ort_config_apply (a test, a sweep point) is checked here. */
    char msg[512];
    if (!ort_config_check_memory_map(&opt.config, msg, sizeof msg)) {
        *err = msg;
        return nullptr;
    }
    g_session_created = true;
    /* Femtoseconds: a 360 MHz cycle is 2777778 fs, close enough that cycle
       counts, which are what the models reason in, convert exactly. */
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    try {
        s->impl_->platform = std::make_unique<OrtPlatform>("platform", opt.config, opt.uart);
    } catch (const std::exception &e) {
        *err = e.what();
        return nullptr;
    }
    OrtPlatform &p = *s->impl_->platform;
    if (opt.energy && !ort_power_check_devices(p.cluster_engine(), *s->model_,
                                               opt.power_model_path, err))
        return nullptr;
    tlm::tlm_global_quantum::instance().set(
        sc_core::sc_time::from_value(p.cycle_time().value() * opt.config.quantum_cycles));
    if (opt.max_cycles)
        p.cluster().set_cycle_limit(opt.max_cycles);
    return s;
}

bool OrtSession::load(const std::string &elf_path, std::string *err)
{
    char msg[512];
    if (impl_->loaded) {
        *err = elf_path + ": the session has a program already";
        return false;
    }
    if (!ort_elf_load(elf_path.c_str(), &impl_->img, msg, sizeof msg)) {
        *err = msg;
        return false;
    }
    impl_->loaded = true;
    OrtPlatform &p = *impl_->platform;
    std::string load_err;
    if (!p.load(impl_->img, &load_err)) {
        *err = elf_path + ": " + load_err;
        return false;
    }
    if (!opt_.trace_path.empty()) {
        impl_->trace = ort_itrace_open(opt_.trace_path.c_str(), msg, sizeof msg);
        if (!impl_->trace) {
            *err = msg;
            return false;
        }
        for (size_t i = 0; i < p.core_count(); i++)
            rv_core_set_trace(&p.core(i), ort_itrace_record, impl_->trace);
    }
    /* The observers that sample the run: per-region energy and power over
       time (the cluster stops at every window boundary). */
    if (opt_.energy)
        regions_ = std::make_unique<OrtRegionRecorder>(p, *model_, opp_);
    if (opt_.energy && opt_.power_window) {
        ptrace_ = std::make_unique<OrtPowerTrace>(p, *model_, opp_, opt_.power_window);
        if (!ptrace_->open(opt_.power_trace_path, opt_.vcd_path, opt_.config.soc_frequency_mhz,
                           err))
            return false;
    }
    return true;
}

void OrtSession::set_boundary_hook(std::function<bool(const ort_cluster &)> pause_if)
{
    impl_->platform->cluster().boundary_hook = std::move(pause_if);
}

OrtPlatform &OrtSession::platform() { return *impl_->platform; }

bool OrtSession::restart(std::string *err)
{
    if (!impl_->loaded) {
        *err = "no program loaded";
        return false;
    }
    OrtPlatform &p = *impl_->platform;
    /* Loading clears the memories' activity counts: what the run did so
       far stays counted. */
    struct Activity {
        ort_mem *m;
        uint64_t reads, writes, read_bytes, write_bytes;
    };
    std::vector<Activity> act;
    for (uint32_t base : {(uint32_t)ORT_L2_BASE, (uint32_t)ORT_L1_BASE, (uint32_t)ORT_WMEM_BASE})
        if (ort_mem *m = p.memory_at(base))
            act.push_back({m, m->reads, m->writes, m->read_bytes, m->write_bytes});
    if (!p.load(impl_->img, err))
        return false;
    for (const Activity &a : act) {
        a.m->reads = a.reads;
        a.m->writes = a.writes;
        a.m->read_bytes = a.read_bytes;
        a.m->write_bytes = a.write_bytes;
    }
    for (size_t i = 0; i < p.core_count(); i++) {
        rv_core &c = p.core(i);
        const rv_core before = c;
        rv_core_reset(&c, c.pc); /* load pointed pc at the entry */
        c.cycle = before.cycle;
        c.instret = before.instret;
        c.counters = before.counters;
        for (unsigned k = 0; k < c.n_regions; k++)
            c.regions[k] = before.regions[k];
        /* mcycle and minstret count from the restart, as after a reset. */
        c.mcycle_base = c.cycle;
        c.minstret_base = c.instret;
    }
    return true;
}

OrtStop OrtSession::run(uint64_t until_cycle)
{
    if (ended_)
        return result_.stop;
    OrtCluster &cluster = impl_->platform->cluster();
    cluster.set_pause_at(until_cycle);
    cluster.interrupt_requested = [this] { return g_signal != 0 || end_requested_; };
    auto t0 = std::chrono::steady_clock::now();
    {
        SignalGuard guard;
        sc_core::sc_start();
    }
    result_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fflush(opt_.uart);
    if (cluster.end() == OrtCluster::End::Running && cluster.paused()) {
        collect(false);
        return result_.stop;
    }
    finish();
    return result_.stop;
}

/* One line per core: pc, cycle and what it does or waits for. */
static void describe_cores(const ort_cluster &cl, OrtRunResult *r)
{
    for (unsigned i = 0; i < cl.cores; i++) {
        char line[512]; /* a device's answer may say why the wait lasts */
        ort_cluster_describe_core(&cl, i, line, sizeof line);
        r->diagnostics.push_back(std::string("  ") + line);
    }
}

/* How the run ended, and what it means (the lines `ortigia run` prints). */
static void judge(OrtPlatform &p, uint64_t max_cycles, OrtRunResult *r)
{
    OrtCluster &cluster = p.cluster();
    const ort_cluster &cl = cluster.engine();
    auto end = [r](OrtStop stop, const char *reason, int status) {
        r->stop = stop;
        r->reason = reason;
        r->status = status;
    };
    /* A refused NPU job does not stop the run (the driver reads ERROR),
       but the user should see why it was refused. */
    if (cl.has_npu && cl.npu.errors)
        r->diagnostics.push_back(format("npu: %" PRIu64 " job(s) refused; the last: %s",
                                        cl.npu.errors, ort_npu_last_error(&cl.npu)));
    /* An access to a power-gated domain faults the core (or a refused
       switch fails the write): say which domain, before the fault line. */
    const ort_pmu &pmu = p.pmu();
    if (pmu.last_error[0])
        r->diagnostics.push_back(format("power controller: %" PRIu64
                                        " access(es) to a power-gated domain, %" PRIu64
                                        " refused; the first: %s",
                                        pmu.gated_accesses, pmu.refused, pmu.last_error));
    switch (cluster.end()) {
    case OrtCluster::End::Halted: {
        const rv_core &e = cl.core[cl.halted_core >= 0 ? cl.halted_core : 0];
        if (e.stop.kind == RV_STOP_FAULT) {
            r->diagnostics.push_back(format(
                "core %u fault: %s (mcause %u) at pc 0x%08x, instruction 0x%08x, mtval 0x%08x",
                e.hartid, rv_cause_name(e.stop.cause), e.stop.cause, e.stop.pc, e.stop.insn,
                e.stop.tval));
            return end(OrtStop::Halted, "fault", ORT_EXIT_FAULT);
        }
        if (e.stop.kind == RV_STOP_TOHOST) {
            uint32_t v = e.stop.tohost;
            if (v == 1)
                return end(OrtStop::Halted, "tohost", 0);
            int test = (int)(v >> 1);
            r->diagnostics.push_back(format("tohost reports failure of test %d", test));
            return end(OrtStop::Halted, "tohost", (test & 0xff) ? (test & 0xff) : 1);
        }
        return end(OrtStop::Halted, "exit", p.soc().exit_code & 0xff);
    }
    case OrtCluster::End::CycleLimit:
        r->diagnostics.push_back(format("stopped at the cycle limit (%" PRIu64 " cycles) after %" PRIu64
                                        " cycles; core 0 at pc 0x%08x",
                                        max_cycles, ort_cluster_cycles(&cl), cl.core[0].pc));
        describe_cores(cl, r);
        return end(OrtStop::CycleLimit, "cycle-limit", ORT_EXIT_CYCLE_LIMIT);
    case OrtCluster::End::Deadlock:
        r->diagnostics.push_back("deadlock: every core sleeps and nothing can wake one:");
        describe_cores(cl, r);
        return end(OrtStop::Deadlock, "deadlock", ORT_EXIT_DEADLOCK);
    case OrtCluster::End::Interrupted:
        if (g_signal == 0) { /* OrtSession::request_end */
            r->diagnostics.push_back(format("ended by the debugger at cycle %" PRIu64,
                                            ort_cluster_cycles(&cl)));
            return end(OrtStop::Interrupted, "interrupted", 128 + SIGKILL);
        }
        r->diagnostics.push_back(format("interrupted by %s at cycle %" PRIu64,
                                        g_signal == SIGTERM ? "SIGTERM" : "SIGINT",
                                        ort_cluster_cycles(&cl)));
        describe_cores(cl, r);
        return end(OrtStop::Interrupted, "interrupted", 128 + (int)g_signal);
    case OrtCluster::End::Error:
        r->diagnostics.push_back("error: cluster: " + cluster.error());
        return end(OrtStop::Error, "error", ORT_EXIT_BAD_INPUT);
    case OrtCluster::End::Running:
        break;
    }
    r->diagnostics.push_back("error: simulation ended with the cluster still running");
    end(OrtStop::Error, "error", ORT_EXIT_BAD_INPUT);
}

/* Cycles, instructions and every counter, at the current point. */
void OrtSession::collect(bool ended)
{
    OrtPlatform &p = *impl_->platform;
    const ort_cluster &cl = p.cluster_engine();
    OrtRunResult &r = result_;
    if (!ended) {
        r.stop = OrtStop::Paused;
        r.reason = "paused";
        r.status = 0;
    }
    r.frequency_mhz = opt_.config.soc_frequency_mhz;
    r.cycles = ort_cluster_cycles(&cl);
    r.instructions = 0;
    r.cores.clear();
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &c = cl.core[i];
        r.instructions += c.instret;
        OrtCoreResult cr;
        cr.id = c.hartid;
        cr.cycles = c.cycle;
        cr.instructions = c.instret;
        cr.counters = counters_of("core", rv_core_counters, rv_core_counter_count, &c);
        uint64_t by_class[RV_CLASS_COUNT];
        rv_core_count_classes(&c, by_class);
        cr.instr_classes.name = "instruction_classes";
        for (unsigned k = 0; k < RV_CLASS_COUNT; k++)
            cr.instr_classes.values.emplace_back(rv_insn_class_name((enum rv_insn_class)k),
                                                 by_class[k]);
        r.cores.push_back(std::move(cr));
    }
    r.seconds = (double)r.cycles / p.frequency_hz();
    r.uart_bytes = p.soc().uart_bytes;
    r.l1 = counters_of("l1", ort_tcdm_counters, ort_tcdm_counter_count, &cl.tcdm);
    r.l1_banks = cl.tcdm.banks;
    r.devices.clear();
    for (unsigned d = 0; d < cl.n_dev; d++)
        r.devices.push_back(
            counters_of(cl.dev[d].name, cl.dev[d].counters, cl.dev[d].n_counters, cl.dev[d].ctx));
}

/* The run ended: judge it, close the trace, measure energy and regions. */
void OrtSession::finish()
{
    ended_ = true;
    OrtPlatform &p = *impl_->platform;
    judge(p, opt_.max_cycles, &result_);
    collect(true);
    if (impl_->trace) {
        bool failed = ort_itrace_close(impl_->trace) != 0;
        impl_->trace = nullptr;
        if (failed)
            result_.output_errors.push_back("writing the trace '" + opt_.trace_path + "' failed");
    }
    if (opt_.energy) {
        result_.energy = std::make_unique<ort_power_report>();
        ort_power_collect(p, *model_, opp_, result_.cycles, result_.energy.get());
        result_.regions = regions_->finish(result_.cycles, &result_.warnings);
        if (ptrace_) {
            ptrace_->finish(result_.cycles);
            for (const std::string &e : ptrace_->errors())
                result_.output_errors.push_back(e);
        }
    }
}

const OrtRunResult &OrtSession::result()
{
    if (!ended_)
        collect(false);
    return result_;
}

bool OrtSession::read_symbol(const std::string &symbol, size_t n, std::vector<uint8_t> *out) const
{
    uint32_t addr;
    out->assign(n, 0);
    return impl_->loaded && ort_elf_find_symbol(&impl_->img, symbol.c_str(), &addr) &&
           impl_->platform->read_bytes(addr, n, out->data());
}
