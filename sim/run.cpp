#include "run.h"
#include "gdb_server.h"
#include "power.h"
#include "session.h"

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>


namespace {

json_t *counters_json(const OrtCounters &c, json_t *obj)
{
    for (const auto &v : c.values)
        json_object_set_new(obj, v.first.c_str(), json_integer((json_int_t)v.second));
    return obj;
}

bool write_stats(const std::string &path, const OrtRunOptions &opt, const OrtRunResult &r)
{
    json_t *root = json_object();
    json_t *cores = json_array();
    for (const OrtCoreResult &e : r.cores) {
        json_t *c = json_object();
        json_object_set_new(c, "id", json_integer(e.id));
        json_object_set_new(c, "cycles", json_integer((json_int_t)e.cycles));
        json_object_set_new(c, "instructions", json_integer((json_int_t)e.instructions));
        json_object_set_new(c, "ipc", json_real(e.cycles ? (double)e.instructions / (double)e.cycles : 0));
        counters_json(e.counters, c);
        json_object_set_new(c, "instruction_classes", counters_json(e.instr_classes, json_object()));
        json_array_append_new(cores, c);
    }
    json_object_set_new(root, "program", json_string(opt.elf_path.c_str()));
    json_object_set_new(root, "stop_reason", json_string(r.reason));
    json_object_set_new(root, "exit_status", json_integer(r.status));
    json_object_set_new(root, "cycles", json_integer((json_int_t)r.cycles));
    json_object_set_new(root, "instructions", json_integer((json_int_t)r.instructions));
    json_object_set_new(root, "ipc", json_real(r.cycles ? (double)r.instructions / (double)r.cycles : 0));
    json_object_set_new(root, "frequency_mhz", json_real(r.frequency_mhz));
    json_object_set_new(root, "simulated_seconds", json_real(r.seconds));
    json_object_set_new(root, "wall_time_s", json_real(r.wall_s));
    json_object_set_new(root, "simulated_mips",
                        json_real(r.wall_s > 0 ? (double)r.instructions / r.wall_s / 1e6 : 0));
    json_object_set_new(root, "uart_bytes", json_integer((json_int_t)r.uart_bytes));
    json_object_set_new(root, "cores", cores);
    json_t *l1 = json_object();
    json_object_set_new(l1, "banks", json_integer(r.l1_banks));
    json_object_set_new(root, "l1", counters_json(r.l1, l1));
    for (const OrtCounters &d : r.devices)
        json_object_set_new(root, d.name.c_str(), counters_json(d, json_object()));
    int rc = json_dump_file(root, path.c_str(), JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    return rc == 0;
}

/* Prints a progress line on stderr every `interval` seconds of wall time
   once the run has taken a second (every interval from the start when
   ORTIGIA_PROGRESS_SECONDS sets it, for tests). On a terminal the line is
   rewritten in place and erased at the end; elsewhere one line each. */
class Progress {
public:
    explicit Progress(int mode)
    {
        tty_ = isatty(STDERR_FILENO) != 0;
        on_ = mode > 0 || (mode < 0 && tty_);
        const char *env = getenv("ORTIGIA_PROGRESS_SECONDS");
        if (env && *env) {
            interval_ = atof(env);
            first_ = interval_;
        }
        start_ = std::chrono::steady_clock::now();
        next_ = first_;
    }
    ~Progress()
    {
        if (printed_ && tty_)
            fprintf(stderr, "\r\033[K");
    }
    bool on() const { return on_; }
    void at_boundary(const ort_cluster &cl)
    {
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        if (t < next_)
            return;
        next_ = t + interval_;
        uint64_t insns = 0;
        for (unsigned i = 0; i < cl.cores; i++)
            insns += cl.core[i].instret;
        fprintf(stderr, "%sortigia: %" PRIu64 " cycles, %.1f MIPS, %.1f s%s", tty_ ? "\r" : "",
                ort_cluster_cycles(&cl), t > 0 ? (double)insns / t / 1e6 : 0.0, t,
                tty_ ? "\033[K" : "\n");
        fflush(stderr);
        printed_ = true;
    }

private:
    bool on_ = false, tty_ = false, printed_ = false;
    double interval_ = 1.0, first_ = 1.0, next_ = 1.0;
    std::chrono::steady_clock::time_point start_;
};

/* Can `path` be written? Opened for appending (nothing truncated) and
   removed again if it did not exist, so checking changes nothing. */
bool writable(const std::string &path, std::string *why)
{
    struct stat st;
    bool existed = stat(path.c_str(), &st) == 0;
    FILE *f = fopen(path.c_str(), "a");
    if (!f) {
        *why = strerror(errno);
        return false;
    }
    fclose(f);
    if (!existed)
        remove(path.c_str());
    return true;
}

/* Every output file the options name, checked before the simulation, so a
   typo in a path costs nothing; false after printing the first bad one. */
bool outputs_writable(const OrtRunOptions &opt)
{
    for (const std::string *p : {&opt.stats_path, &opt.power_json_path, &opt.power_csv_path,
                                 &opt.power_trace_path, &opt.vcd_path, &opt.report_html_path}) {
        std::string why;
        if (!p->empty() && !writable(*p, &why)) {
            fprintf(stderr, "ortigia: error: cannot write '%s': %s (nothing was run)\n",
                    p->c_str(), why.c_str());
            return false;
        }
    }
    return true;
}

/* The energy reports the options ask for; false after printing the error. */
bool write_power_reports(const OrtRunOptions &opt, const OrtSession &s, const OrtRunResult &r)
{
    const ort_power_model &model = s.power_model();
    const ort_power_report *report = r.energy.get();
    const ort_power_region *rg = r.regions.list.data();
    const size_t nrg = r.regions.list.size();
    auto cannot_write = [](const std::string &path) {
        fprintf(stderr, "ortigia: error: cannot write '%s'\n", path.c_str());
        return false;
    };
    if (opt.power_table &&
        !(ort_power_print(stdout, &model, report) && ort_power_print_regions(stdout, rg, nrg))) {
        fprintf(stderr, "ortigia: error: cannot write the energy table to stdout\n");
        return false;
    }
    if (!opt.power_json_path.empty() &&
        !ort_power_write_json(opt.power_json_path.c_str(), &model, report, rg, nrg))
        return cannot_write(opt.power_json_path);
    if (!opt.power_csv_path.empty() &&
        !ort_power_write_csv(opt.power_csv_path.c_str(), &model, report, rg, nrg))
        return cannot_write(opt.power_csv_path);
    /* The power trace's CSV and VCD were written as the run went
       (OrtPowerTrace); the page takes its chart's points. */
    const OrtPowerTrace *ptrace = s.power_trace();
    const ort_power_point *pts = ptrace ? ptrace->points().data() : nullptr;
    const size_t npts = ptrace ? ptrace->points().size() : 0;
    if (!opt.report_html_path.empty() &&
        !ort_power_write_html(opt.report_html_path.c_str(), &model, report, rg, nrg, pts, npts))
        return cannot_write(opt.report_html_path);
    return true;
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
    if (!ort_config_check_memory_map(config, err, sizeof err)) {
        fprintf(stderr, "ortigia: error: %s\n", err);
        return false;
    }
    return true;
}

int ort_run(const OrtRunOptions &opt)
{
    const bool power_trace = !opt.power_trace_path.empty() || !opt.vcd_path.empty() ||
                             !opt.report_html_path.empty();
    OrtSessionOptions so;
    so.config = opt.config;
    so.power_model_path = opt.power_model_path;
    so.energy = opt.power_table || !opt.power_json_path.empty() ||
                !opt.power_csv_path.empty() || power_trace;
    so.power_window = power_trace ? opt.power_window : 0;
    so.power_trace_path = opt.power_trace_path;
    so.vcd_path = opt.vcd_path;
    so.trace_path = opt.trace_path;
    so.max_cycles = opt.max_cycles;
    if (!outputs_writable(opt))
        return ORT_EXIT_BAD_INPUT;
    std::string err;
    std::unique_ptr<OrtSession> session = OrtSession::create(so, &err);
    if (!session || !session->load(opt.elf_path, &err)) {
        fprintf(stderr, "ortigia: error: %s\n", err.c_str());
        return ORT_EXIT_BAD_INPUT;
    }
    std::unique_ptr<OrtGdbServer> gdb;
    if (!opt.gdb.empty()) {
        gdb = OrtGdbServer::listen(opt.gdb, &err);
        if (!gdb) {
            fprintf(stderr, "ortigia: error: %s\n", err.c_str());
            return ORT_EXIT_BAD_INPUT;
        }
        fprintf(stderr, "ortigia: gdb: waiting for GDB on %s\n", gdb->address().c_str());
        if (!gdb->attach(*session, &err)) {
            fprintf(stderr, "ortigia: error: %s\n", err.c_str());
            return ORT_EXIT_BAD_INPUT;
        }
    }
    {
        Progress progress(gdb ? 0 : opt.progress); /* no progress lines between GDB's stops */
        if (progress.on())
            session->set_boundary_hook([&progress](const ort_cluster &cl) {
                progress.at_boundary(cl);
                return false; /* only looks: never pauses */
            });
        session->run();
        session->set_boundary_hook(nullptr);
    }
    if (gdb)
        gdb->finish(session->result());
    const OrtRunResult &r = session->result();
    for (const std::string &line : r.diagnostics)
        fprintf(stderr, "ortigia: %s\n", line.c_str());
    if (opt.cycles)
        *opt.cycles = r.cycles;
    if (opt.dumps)
        for (OrtMemDump &dump : *opt.dumps)
            dump.found = session->read_symbol(dump.symbol, dump.size, &dump.bytes);
    /* An output that could not be written fails the command, after every
       other output has been written: nothing else is lost. */
    bool failed = !r.output_errors.empty();
    for (const std::string &e : r.output_errors)
        fprintf(stderr, "ortigia: error: %s\n", e.c_str());
    if (!opt.quiet)
        fprintf(stderr,
                "ortigia: %s, status %d: %" PRIu64 " cycles (%.6f s at %g MHz), %" PRIu64
                " instructions, IPC %.3f, wall %.3f s, %.1f MIPS\n",
                r.reason, r.status, r.cycles, r.seconds, r.frequency_mhz, r.instructions,
                r.cycles ? (double)r.instructions / (double)r.cycles : 0.0, r.wall_s,
                r.wall_s > 0 ? (double)r.instructions / r.wall_s / 1e6 : 0.0);
    if (!opt.stats_path.empty() && !write_stats(opt.stats_path, opt, r)) {
        fprintf(stderr, "ortigia: error: cannot write stats '%s'\n", opt.stats_path.c_str());
        failed = true;
    }
    if (r.energy) {
        for (const std::string &w : r.warnings)
            fprintf(stderr, "ortigia: warning: %s\n", w.c_str());
        if (!write_power_reports(opt, *session, r))
            failed = true;
    }
    return failed ? ORT_EXIT_BAD_INPUT : r.status;
}
