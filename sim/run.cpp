#include "run.h"
#include "power.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <jansson.h>
#include <systemc>
#include <tlm>

#include "platform.h"

extern "C" {
#include "itrace.h"
#include "power_trace.h"
#include "vcd.h"
}

namespace {

struct Outcome {
    const char *reason; /* exit, tohost, fault, cycle-limit, deadlock, error */
    int status;
};

/* Decide how the run ended, and say so on stderr. */
Outcome judge(OrtPlatform &p, const OrtRunOptions &opt)
{
    OrtCluster &cluster = p.cluster();
    const ort_cluster &cl = cluster.engine();
    switch (cluster.end()) {
    case OrtCluster::End::Halted: {
        const rv_core &e = cl.core[cl.halted_core >= 0 ? cl.halted_core : 0];
        if (e.stop.kind == RV_STOP_FAULT) {
            fprintf(stderr,
                    "ortigia: core %u fault: %s (mcause %u) at pc 0x%08x, instruction 0x%08x, "
                    "mtval 0x%08x\n",
                    e.hartid, rv_cause_name(e.stop.cause), e.stop.cause, e.stop.pc, e.stop.insn,
                    e.stop.tval);
            return {"fault", ORT_EXIT_FAULT};
        }
        if (e.stop.kind == RV_STOP_TOHOST) {
            uint32_t v = e.stop.tohost;
            if (v == 1)
                return {"tohost", 0};
            int test = (int)(v >> 1);
            fprintf(stderr, "ortigia: tohost reports failure of test %d\n", test);
            return {"tohost", (test & 0xff) ? (test & 0xff) : 1};
        }
        return {"exit", p.soc().exit_code & 0xff};
    }
    case OrtCluster::End::CycleLimit:
        fprintf(stderr,
                "ortigia: stopped at the cycle limit (%" PRIu64 " cycles) after %" PRIu64
                " cycles; core 0 at pc 0x%08x\n",
                opt.max_cycles, ort_cluster_cycles(&cl), cl.core[0].pc);
        return {"cycle-limit", ORT_EXIT_CYCLE_LIMIT};
    case OrtCluster::End::Deadlock:
        fprintf(stderr, "ortigia: deadlock: every core sleeps and nothing can wake one:\n");
        for (unsigned i = 0; i < cl.cores; i++) {
            char line[256];
            ort_cluster_describe_core(&cl, i, line, sizeof line);
            fprintf(stderr, "ortigia:   %s\n", line);
        }
        return {"deadlock", ORT_EXIT_DEADLOCK};
    case OrtCluster::End::Error:
        fprintf(stderr, "ortigia: error: cluster: %s\n", cluster.error().c_str());
        return {"error", ORT_EXIT_BAD_INPUT};
    case OrtCluster::End::Running:
        break;
    }
    fprintf(stderr, "ortigia: error: simulation ended with the cluster still running\n");
    return {"error", ORT_EXIT_BAD_INPUT};
}

/* Each counter of a descriptor table as a member of `obj`. */
void add_counters(json_t *obj, const ort_counter *table, unsigned n, const void *engine)
{
    for (unsigned i = 0; i < n; i++)
        json_object_set_new(obj, table[i].name,
                            json_integer((json_int_t)ort_counter_value(&table[i], engine)));
}

bool write_stats(const std::string &path, const OrtRunOptions &opt, OrtPlatform &p,
                 const Outcome &o, double wall_s)
{
    json_t *root = json_object();
    const ort_cluster &cl = p.cluster().engine();
    uint64_t cycles = ort_cluster_cycles(&cl), instret = 0;
    json_t *cores = json_array();
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &e = cl.core[i];
        instret += e.instret;
        json_t *c = json_object();
        json_object_set_new(c, "id", json_integer(e.hartid));
        json_object_set_new(c, "cycles", json_integer((json_int_t)e.cycle));
        json_object_set_new(c, "instructions", json_integer((json_int_t)e.instret));
        json_object_set_new(c, "ipc", json_real(e.cycle ? (double)e.instret / (double)e.cycle : 0));
        add_counters(c, rv_core_counters, rv_core_counter_count, &e);
        json_t *classes = json_object();
        uint64_t by_class[RV_CLASS_COUNT];
        rv_core_count_classes(&e, by_class);
        for (unsigned k = 0; k < RV_CLASS_COUNT; k++)
            json_object_set_new(classes, rv_insn_class_name((enum rv_insn_class)k),
                                json_integer((json_int_t)by_class[k]));
        json_object_set_new(c, "instruction_classes", classes);
        json_array_append_new(cores, c);
    }
    json_object_set_new(root, "program", json_string(opt.elf_path.c_str()));
    json_object_set_new(root, "stop_reason", json_string(o.reason));
    json_object_set_new(root, "exit_status", json_integer(o.status));
    json_object_set_new(root, "cycles", json_integer((json_int_t)cycles));
    json_object_set_new(root, "instructions", json_integer((json_int_t)instret));
    json_object_set_new(root, "ipc", json_real(cycles ? (double)instret / (double)cycles : 0));
    json_object_set_new(root, "frequency_mhz", json_real(opt.config.soc_frequency_mhz));
    json_object_set_new(root, "simulated_seconds", json_real((double)cycles / p.frequency_hz()));
    json_object_set_new(root, "wall_time_s", json_real(wall_s));
    json_object_set_new(root, "simulated_mips",
                        json_real(wall_s > 0 ? (double)instret / wall_s / 1e6 : 0));
    json_object_set_new(root, "uart_bytes", json_integer((json_int_t)p.soc().uart_bytes));
    json_object_set_new(root, "cores", cores);
    json_t *l1 = json_object();
    json_object_set_new(l1, "banks", json_integer(cl.tcdm.banks));
    add_counters(l1, ort_tcdm_counters, ort_tcdm_counter_count, &cl.tcdm);
    json_object_set_new(root, "l1", l1);
    for (unsigned d = 0; d < cl.n_dev; d++) {
        const ort_device &dev = cl.dev[d];
        json_t *obj = json_object();
        add_counters(obj, dev.counters, dev.n_counters, dev.ctx);
        json_object_set_new(root, dev.name, obj);
    }
    int rc = json_dump_file(root, path.c_str(), JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    return rc == 0;
}

} // namespace

bool ort_config_apply(ort_config *config, const std::string &path, const std::vector<std::string> &sets)
{
    char err[512];
    if (!path.empty() && !ort_config_load_file(config, path.c_str(), err, sizeof err)) {
        fprintf(stderr, "ortigia: error: %s\n", err);
        return false;
    }
    for (const std::string &s : sets)
        if (!ort_config_set(config, s.c_str(), err, sizeof err)) {
            fprintf(stderr, "ortigia: error: --set %s\n", err);
            return false;
        }
    return true;
}

int ort_run(const OrtRunOptions &options)
{
    /* The options with the clock resolved: soc.frequency_mhz = 0 means the
       frequency of the power model's operating point. */
    OrtRunOptions opt = options;
    const bool power_trace = !opt.power_trace_path.empty() || !opt.vcd_path.empty() ||
                             !opt.report_html_path.empty();
    const bool power_report = opt.power_table || !opt.power_json_path.empty() ||
                              !opt.power_csv_path.empty() || power_trace;
    const std::string model_path =
        opt.power_model_path.empty() ? ort_power_default_model() : opt.power_model_path;
    ort_power_model model;
    unsigned opp = 0;
    if (power_report || opt.config.soc_frequency_mhz == 0 || opt.config.soc_opp[0]) {
        std::string perr;
        if (!ort_power_setup(opt.config, model_path, &model, &opp, &perr)) {
            fprintf(stderr, "ortigia: error: %s\n", perr.c_str());
            return ORT_EXIT_BAD_INPUT;
        }
        double f = model.opp[opp].frequency_mhz.value;
        if (opt.config.soc_frequency_mhz == 0) {
            opt.config.soc_frequency_mhz = f;
        } else if (power_report && opt.config.soc_frequency_mhz != f) {
            fprintf(stderr,
                    "ortigia: error: 'soc.frequency_mhz' = %g differs from the operating point "
                    "%s (%g MHz); energy figures need the point's frequency (leave "
                    "soc.frequency_mhz at 0 or pick another soc.opp)\n",
                    opt.config.soc_frequency_mhz, model.opp[opp].name, f);
            return ORT_EXIT_BAD_INPUT;
        }
    }
    char err[512];
    ort_elf_image img;
    if (!ort_elf_load(opt.elf_path.c_str(), &img, err, sizeof err)) {
        fprintf(stderr, "ortigia: error: %s\n", err);
        return ORT_EXIT_BAD_INPUT;
    }
    std::unique_ptr<ort_elf_image, void (*)(ort_elf_image *)> img_guard(&img, ort_elf_free);

    /* Femtoseconds: a 360 MHz cycle is 2777778 fs, close enough that cycle
       counts, which are what the models reason in, convert exactly. */
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    std::unique_ptr<OrtPlatform> platform;
    try {
        platform = std::make_unique<OrtPlatform>("platform", opt.config, stdout);
    } catch (const std::exception &e) {
        fprintf(stderr, "ortigia: error: %s\n", e.what());
        return ORT_EXIT_BAD_INPUT;
    }
    std::string load_err;
    if (!platform->load(img, &load_err)) {
        fprintf(stderr, "ortigia: error: %s: %s\n", opt.elf_path.c_str(), load_err.c_str());
        return ORT_EXIT_BAD_INPUT;
    }
    if (power_report) {
        std::string perr;
        if (!ort_power_check_devices(platform->cluster_engine(), model, model_path, &perr)) {
            fprintf(stderr, "ortigia: error: %s\n", perr.c_str());
            return ORT_EXIT_BAD_INPUT;
        }
    }
    tlm::tlm_global_quantum::instance().set(
        sc_core::sc_time::from_value(platform->cycle_time().value() * opt.config.quantum_cycles));

    ort_itrace *trace = nullptr;
    if (!opt.trace_path.empty()) {
        trace = ort_itrace_open(opt.trace_path.c_str(), err, sizeof err);
        if (!trace) {
            fprintf(stderr, "ortigia: error: %s\n", err);
            return ORT_EXIT_BAD_INPUT;
        }
        for (size_t i = 0; i < platform->core_count(); i++)
            rv_core_set_trace(&platform->core(i), ort_itrace_record, trace);
    }
    if (opt.max_cycles)
        platform->cluster().set_cycle_limit(opt.max_cycles);

    std::unique_ptr<OrtRegionRecorder> regions;
    if (power_report)
        regions = std::make_unique<OrtRegionRecorder>(*platform, model, opp);
    std::unique_ptr<OrtPowerTrace> ptrace;
    if (power_trace)
        ptrace = std::make_unique<OrtPowerTrace>(*platform, model, opp, opt.power_window);

    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fflush(stdout);

    Outcome o = judge(*platform, opt);
    if (opt.dumps)
        for (OrtMemDump &dump : *opt.dumps) {
            uint32_t addr;
            dump.bytes.assign(dump.size, 0);
            dump.found = ort_elf_find_symbol(&img, dump.symbol.c_str(), &addr) &&
                         platform->read_bytes(addr, dump.size, dump.bytes.data());
        }
    if (trace && ort_itrace_close(trace)) {
        fprintf(stderr, "ortigia: error: writing the trace '%s' failed\n", opt.trace_path.c_str());
        return ORT_EXIT_BAD_INPUT;
    }
    uint64_t cycles = 0, instret = 0;
    for (size_t i = 0; i < platform->core_count(); i++) {
        cycles = std::max(cycles, platform->core(i).cycle);
        instret += platform->core(i).instret;
    }
    if (!opt.quiet)
        fprintf(stderr,
                "ortigia: %s, status %d: %" PRIu64 " cycles (%.6f s at %g MHz), %" PRIu64
                " instructions, IPC %.3f, wall %.3f s, %.1f MIPS\n",
                o.reason, o.status, cycles, (double)cycles / platform->frequency_hz(),
                opt.config.soc_frequency_mhz, instret,
                cycles ? (double)instret / (double)cycles : 0.0, wall,
                wall > 0 ? (double)instret / wall / 1e6 : 0.0);
    if (!opt.stats_path.empty() && !write_stats(opt.stats_path, opt, *platform, o, wall)) {
        fprintf(stderr, "ortigia: error: cannot write stats '%s'\n", opt.stats_path.c_str());
        return ORT_EXIT_BAD_INPUT;
    }
    if (power_report) {
        auto report = std::make_unique<ort_pwr_report>();
        ort_power_collect(*platform, model, opp, cycles, report.get());
        std::vector<std::string> warnings;
        OrtRegions regs = regions->finish(cycles, &warnings);
        for (const std::string &w : warnings)
            fprintf(stderr, "ortigia: warning: %s\n", w.c_str());
        const ort_pwr_region *rg = regs.list.data();
        const size_t nrg = regs.list.size();
        auto cannot_write = [](const std::string &path) {
            fprintf(stderr, "ortigia: error: cannot write '%s'\n", path.c_str());
            return ORT_EXIT_BAD_INPUT;
        };
        if (opt.power_table && !(ort_power_print(stdout, &model, report.get()) &&
                                 ort_power_print_regions(stdout, rg, nrg))) {
            fprintf(stderr, "ortigia: error: cannot write the energy table to stdout\n");
            return ORT_EXIT_BAD_INPUT;
        }
        if (!opt.power_json_path.empty() &&
            !ort_power_write_json(opt.power_json_path.c_str(), &model, report.get(), rg, nrg))
            return cannot_write(opt.power_json_path);
        if (!opt.power_csv_path.empty() &&
            !ort_power_write_csv(opt.power_csv_path.c_str(), report.get(), rg, nrg))
            return cannot_write(opt.power_csv_path);
        if (ptrace)
            ptrace->finish(cycles);
        const ort_pwr_window *win = ptrace ? ptrace->windows().data() : nullptr;
        const size_t nwin = ptrace ? ptrace->windows().size() : 0;
        if (!opt.report_html_path.empty() &&
            !ort_power_write_html(opt.report_html_path.c_str(), &model, report.get(), rg, nrg, win,
                                  nwin))
            return cannot_write(opt.report_html_path);
        if (!opt.power_trace_path.empty() &&
            !ort_power_trace_write_csv(opt.power_trace_path.c_str(), win, nwin))
            return cannot_write(opt.power_trace_path);
        if (!opt.vcd_path.empty() &&
            !ort_vcd_write_power(opt.vcd_path.c_str(), win, nwin, opt.config.soc_frequency_mhz))
            return cannot_write(opt.vcd_path);
    }
    return o.status;
}
