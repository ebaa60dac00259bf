// `ortigia compile` and `ortigia test-network`: the compiler's commands.
#include "nn_cmd.h"

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "run.h"

extern "C" {
#include "codegen.h"
#include "frontend.h"
#include "npz.h"
#include "ref.h"
#include "types.h"
}

namespace {

struct GraphHolder {
    ort_graph *g = nullptr;
    ~GraphHolder() { ort_graph_free(g); }
};

struct NpzHolder {
    ort_npz npz{};
    ~NpzHolder() { ort_npz_free(&npz); }
};

int fail(const ort_diag &d)
{
    fprintf(stderr, "ortigia: error: %s\n", d.msg);
    return 2;
}

bool file_exists(const std::string &p)
{
    FILE *f = fopen(p.c_str(), "rb");
    if (f)
        fclose(f);
    return f != nullptr;
}

} // namespace


/* What compile and test-network share: the model, the platform, the
 * compiler's options. */
struct NnOptions {
    std::string model, outdir;
    int64_t l1_budget = -1; /* -1: default */
    ort_engine engine = ORT_ENGINE_AUTO;
    bool optimize = true;
    ort_config config;
    std::vector<std::string> sets;
    std::string config_path;
    std::string inputs_path;
    uint64_t max_cycles = 0;
    bool profile = false;
    std::vector<std::string> step_names; /* filled by compile_network */
    std::vector<int64_t> step_estimates; /* the cost model's cycles per step */
    std::vector<std::string> step_engines;
};

/* The options compile and test-network share: the platform's (options.h)
 * and the compiler's. Parsed values land in `o` once ort_parse_options has
 * run and finish_options has been called. */
struct NnArgs {
    OrtPlatformOptions platform;
    uint64_t l1_budget = 0; /* 0: default */
    int engine = ORT_ENGINE_AUTO;
    bool no_optimize = false;
    std::vector<OrtOption> table;

    explicit NnArgs(NnOptions &o)
    {
        ort_platform_options(&table, &platform);
        table.insert(table.end(), {
            OrtOption::count("--l1-budget", &l1_budget, 1024, "a number of bytes >= 1024"),
            /* In enum ort_engine's order. */
            OrtOption::choice("--engine", &engine, {"auto", "cluster", "npu"}),
            {"--profile", nullptr, OrtOption::FLAG, &o.profile},
            {"--no-optimize", nullptr, OrtOption::FLAG, &no_optimize},
            {"--output", "-o", OrtOption::STRING, &o.outdir},
        });
    }
    void finish(NnOptions &o) const
    {
        o.config_path = platform.config_path;
        o.sets = platform.sets;
        o.max_cycles = platform.max_cycles;
        o.l1_budget = l1_budget ? (int64_t)l1_budget : -1;
        o.engine = (ort_engine)engine;
        o.optimize = !no_optimize;
    }
};

/* The compiler's target: the platform as the configuration has it; what
 * L1 keeps for stacks and the runtime, and the cost model, are the
 * target's own (compiler/target.c). */
ort_target ort_target_of_config(const ort_config &c)
{
    ort_target t;
    ort_target_init(&t);
    t.l1.size = c.l1_size;
    t.l2.size = c.l2_size;
    t.l2.latency = (int)c.l2_latency;
    t.wmem.size = c.wmem_size;
    t.wmem.latency = (int)c.wmem_latency;
    t.cores = (int)c.cluster_cores;
    t.dma_bytes_per_cycle = (int)c.dma_bandwidth;
    ort_config_npu_params(&c, c.cluster_cores, &t.npu);
    if (!c.npu_enabled) { /* npu.enabled=false: the platform has no NPU */
        int kept = 0;
        for (int i = 0; i < t.n_engines; i++)
            if (strcmp(t.engines[i], "npu"))
                t.engines[kept++] = t.engines[i];
        t.n_engines = kept;
    }
    return t;
}

static bool setup_config(NnOptions &o)
{
    ort_config_defaults(&o.config);
    if (!ort_config_apply(&o.config, o.config_path, o.sets))
        return false;
    /* L1 holds the staging arena beside the stacks and the runtime's data. */
    const ort_target target = ort_target_of_config(o.config);
    ort_diag d{};
    if (ort_target_check(&target, &d)) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        return false;
    }
    int64_t usable = ort_target_l1_usable(&target);
    if (o.l1_budget < 0)
        o.l1_budget = ort_target_default_l1_budget(&target);
    if (o.l1_budget > usable) {
        fprintf(stderr, "ortigia: error: --l1-budget %lld is more than the %lld bytes L1 (l1.size %u) "
                        "leaves beside the stacks\n",
                (long long)o.l1_budget, (long long)usable, o.config.l1_size);
        return false;
    }
    return true;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

const char *ort_firmware_src() { return env_or("ORTIGIA_FIRMWARE_SRC", ORTIGIA_FW_SRC); }
const char *ort_firmware_lib() { return env_or("ORTIGIA_FIRMWARE_LIB", ORTIGIA_FW_LIB); }

/* Frontend (unless gh holds the graph already), code generation and the
 * cross compiler: outdir/network.elf, instrumented per step when
 * `profile`. `expected` (test-network's outputs, optional) is checked
 * against the graph before anything is generated. */
static int compile_network(NnOptions &o, const std::string &outdir, bool profile, const ort_npz *inputs,
                           const ort_npz *expected, GraphHolder &gh, bool print_report)
{
    ort_diag d{};
    auto t0 = std::chrono::steady_clock::now();
    if (!gh.g) {
        gh.g = ort_frontend(o.model.c_str(), inputs, o.optimize, &d);
        if (!gh.g || (expected && ort_npz_check(gh.g, expected, true, &d)))
            return fail(d);
    }
    const ort_target target = ort_target_of_config(o.config);
    const char *fw_src = ort_firmware_src();
    ort_codegen_options co{};
    co.outdir = outdir.c_str();
    co.target = &target;
    co.l1_budget = o.l1_budget;
    co.engine = o.engine;
    co.firmware_dir = fw_src;
    co.inputs = inputs;
    co.profile = profile;
    ort_codegen_report rep{};
    int cg = ort_codegen(gh.g, &co, &rep, &d);
    o.step_names.clear();
    o.step_estimates.clear();
    o.step_engines.clear();
    for (int i = 0; rep.step_names && i < rep.steps; i++) {
        o.step_names.push_back(rep.step_names[i]);
        o.step_estimates.push_back(rep.step_estimates ? rep.step_estimates[i] : 0);
        o.step_engines.push_back(rep.step_engines ? rep.step_engines[i] : "");
    }
    free(rep.step_names);
    free(rep.step_estimates);
    free(rep.step_engines);
    if (cg)
        return fail(d);
    auto t1 = std::chrono::steady_clock::now();
    if (ort_build_elf(outdir.c_str(), fw_src, ort_firmware_lib(), &target, &d))
        return fail(d);
    auto t2 = std::chrono::steady_clock::now();
    if (print_report) {
        ort_codegen_print_report(stdout, &rep);
        printf("compile time: %.3f s (C generation), %.3f s (cross compiler)\n",
               std::chrono::duration<double>(t1 - t0).count(),
               std::chrono::duration<double>(t2 - t1).count());
    }
    return 0;
}

int ort_build_network_folder(const std::string &dir, const ort_config &config,
                             const std::string &outdir, int64_t l1_budget, const std::string &engine)
{
    NnOptions o;
    o.config = config;
    /* a test folder, or an ONNX file alone (its inputs zeros) */
    const bool onnx_file = dir.size() > 5 && dir.compare(dir.size() - 5, 5, ".onnx") == 0;
    o.model = onnx_file ? dir : dir + "/network.onnx";
    const ort_target target = ort_target_of_config(o.config);
    ort_diag d{};
    if (ort_target_check(&target, &d))
        return fail(d);
    o.l1_budget = l1_budget > 0 ? l1_budget : ort_target_default_l1_budget(&target);
    o.engine = engine == "npu" ? ORT_ENGINE_NPU : engine == "cluster" ? ORT_ENGINE_CLUSTER : ORT_ENGINE_AUTO;
    NpzHolder inputs;
    if (!onnx_file && ort_npz_read((dir + "/inputs.npz").c_str(), &inputs.npz, &d))
        return fail(d);
    GraphHolder gh;
    return compile_network(o, outdir, false, onnx_file ? nullptr : &inputs.npz, nullptr, gh, false);
}

int ort_cmd_compile(int argc, char **argv)
{
    NnOptions o;
    NnArgs args(o);
    args.table.push_back({"--inputs", nullptr, OrtOption::STRING, &o.inputs_path});
    std::vector<std::string> model;
    static const char *const usage =
        "usage: ortigia compile model.onnx -o DIR [--inputs inputs.npz] [--l1-budget BYTES]\n"
        "                       [--engine auto|cluster|npu] [--no-optimize] [--profile]\n"
        "                       [--config FILE] [--set KEY=VALUE]...\n"
        "  compile an integer ONNX network into DIR: network.c/.h, main.c, the weights,\n"
        "  report.txt and network.elf, for the configuration's platform\n";
    int st = ort_parse_options("compile", usage, argc, argv, args.table, &model, 1, "model");
    if (st >= 0)
        return st;
    args.finish(o);
    if (!model.empty())
        o.model = model[0];
    if (o.model.empty() || o.outdir.empty()) {
        fprintf(stderr, "ortigia: error: usage: ortigia compile model.onnx -o DIR [options]\n");
        return 2;
    }
    if (!setup_config(o))
        return 2;
    NpzHolder inputs;
    ort_diag d{};
    if (!o.inputs_path.empty() && ort_npz_read(o.inputs_path.c_str(), &inputs.npz, &d))
        return fail(d);
    GraphHolder gh;
    int rc = compile_network(o, o.outdir, o.profile, o.inputs_path.empty() ? nullptr : &inputs.npz, nullptr, gh,
                             true);
    if (!rc)
        printf("wrote %s/network.elf (report: %s/report.txt)\n", o.outdir.c_str(), o.outdir.c_str());
    return rc;
}

static int64_t decode(const uint8_t *p, ort_dtype t)
{
    switch (t) {
    case ORT_DT_INT8: return (int8_t)p[0];
    case ORT_DT_UINT8: return p[0];
    default: return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                              (uint32_t)p[3] << 24);
    }
}

/* The steps that took longest, with their share of the run, from the
 * build instrumented per step (`profiled` cycles in all, `plain` without
 * the instrumentation). */
static void print_profile(const NnOptions &o, const OrtMemDump &m, uint32_t profiled, uint32_t plain)
{
    std::vector<std::pair<uint32_t, size_t>> c;
    uint64_t total = 0;
    for (size_t i = 0; i < o.step_names.size(); i++) {
        uint32_t v = (uint32_t)decode(&m.bytes[4 * i], ORT_DT_INT32);
        c.push_back({v, i});
        total += v;
    }
    std::sort(c.begin(), c.end(), [](auto &a, auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    /* By operator and engine: the name ends with "(Op)". */
    struct Sum {
        uint64_t measured = 0;
        int64_t estimated = 0;
        int steps = 0;
    };
    std::map<std::string, Sum> by_op;
    int64_t estimated = 0;
    auto est = [&](size_t i) { return i < o.step_estimates.size() ? o.step_estimates[i] : 0; };
    auto deviation = [](int64_t e, uint64_t m) { return m ? 100.0 * ((double)e - (double)m) / (double)m : 0.0; };
    for (auto &x : c) {
        const std::string &nm = o.step_names[x.second];
        size_t open = nm.rfind('(');
        std::string key = open == std::string::npos ? nm : nm.substr(open);
        if (x.second < o.step_engines.size())
            key += " " + o.step_engines[x.second];
        Sum &e = by_op[key];
        e.measured += x.first;
        e.estimated += est(x.second);
        e.steps++;
        estimated += est(x.second);
    }
    printf("profile: %zu steps, %" PRIu64 " cycles, from a second build that stamps each step's cycles\n"
           "  (profiled build: %" PRIu32 " cycles, the stamps change it by %+" PRId64 "; the network's own figure is\n"
           "  \"Cycles\" below, measured without them); the cost model estimated %" PRId64 " (%+.1f%%).\n"
           "  By operator and engine, measured and estimated:\n",
           c.size(), total, profiled, (int64_t)profiled - (int64_t)plain, estimated, deviation(estimated, total));
    for (auto &e : by_op)
        printf("  %-26s %4d steps %10" PRIu64 " cycles %5.1f%%  estimated %10" PRId64 " (%+.1f%%)\n", e.first.c_str(),
               e.second.steps, e.second.measured, total ? 100.0 * (double)e.second.measured / (double)total : 0.0,
               e.second.estimated, deviation(e.second.estimated, e.second.measured));
    if (!o.outdir.empty()) {
        std::string path = o.outdir + "/profile.txt";
        FILE *f = fopen(path.c_str(), "w");
        if (f) {
            fprintf(f, "# step, measured cycles, estimated cycles, engine, node (op)\n");
            for (size_t i = 0; i < o.step_names.size(); i++)
                fprintf(f, "%zu %u %" PRId64 " %s %s\n", i, (uint32_t)decode(&m.bytes[4 * i], ORT_DT_INT32), est(i),
                        i < o.step_engines.size() ? o.step_engines[i].c_str() : "-", o.step_names[i].c_str());
            fclose(f);
        }
    }
    printf("the longest steps:\n");
    for (size_t k = 0; k < c.size() && k < 20; k++)
        printf("  step %4zu %10u cycles %5.1f%%  estimated %9" PRId64 "  %s on the %s\n", c[k].second, c[k].first,
               total ? 100.0 * c[k].first / (double)total : 0.0, est(c[k].second), o.step_names[c[k].second].c_str(),
               c[k].second < o.step_engines.size() ? o.step_engines[c[k].second].c_str() : "?");
}

/* Runs dir/network.elf and reads back its cycles (ort_net_cycles), the
 * whole run's (into *run_cycles, when not NULL), its outputs into
 * *results (when not NULL) and, with `steps`, the per-step stamps of a
 * profiled build. Returns 0, 2 (bad input, a symbol
 * missing) or the run's status (3 fault, 4 cycle limit, 5 deadlock; 1
 * for any other exit code of the program). */
static int run_network(const NnOptions &o, const std::string &dir, const ort_graph *g, bool keep,
                       std::vector<std::vector<int64_t>> *results, uint32_t *cycles, uint64_t *run_cycles,
                       OrtMemDump *steps)
{
    OrtRunOptions ro;
    ro.config = o.config;
    ro.elf_path = dir + "/network.elf";
    ro.quiet = true;
    ro.max_cycles = o.max_cycles ? o.max_cycles : 4000000000ull;
    std::vector<OrtMemDump> dumps(1);
    dumps[0].symbol = "ort_net_cycles";
    dumps[0].size = 4;
    for (int i = 0; i < g->n_outputs; i++) {
        const ort_tensor &t = g->tensors[g->outputs[i]];
        OrtMemDump m;
        m.symbol = "ort_output_" + std::to_string(i);
        m.size = (uint32_t)(ort_shape_count(&t.shape) * ort_dtype_size(t.storage));
        dumps.push_back(m);
    }
    if (steps) {
        OrtMemDump m;
        m.symbol = "ort_step_cycles";
        m.size = (uint32_t)(4 * o.step_names.size());
        dumps.push_back(m);
    }
    ro.dumps = &dumps;
    ro.cycles = run_cycles;
    int st = ort_run(ro);
    if (st != 0) {
        fprintf(stderr, "ortigia: error: the network's program ended with status %d%s\n", st,
                keep ? "" : " (rerun with -o DIR to keep its sources)");
        /* The run's status as `ortigia run` gives it (an interrupt too:
         * 130, 143); 1 is kept for "ran, outputs differ", so another exit
         * code of the program is 1. */
        bool simulator_status = (st >= ORT_EXIT_BAD_INPUT && st <= ORT_EXIT_DEADLOCK) ||
                                st == 128 + SIGINT || st == 128 + SIGTERM;
        return simulator_status ? st : 1;
    }
    for (size_t k = 0; k < dumps.size(); k++)
        if (!dumps[k].found) {
            fprintf(stderr, "ortigia: error: %s: symbol '%s' not found in memory\n", ro.elf_path.c_str(),
                    dumps[k].symbol.c_str());
            return 2;
        }
    *cycles = (uint32_t)decode(dumps[0].bytes.data(), ORT_DT_INT32);
    for (int i = 0; results && i < g->n_outputs; i++) {
        const ort_tensor &t = g->tensors[g->outputs[i]];
        std::vector<int64_t> v((size_t)ort_shape_count(&t.shape));
        int es = ort_dtype_size(t.storage);
        for (size_t k = 0; k < v.size(); k++)
            v[k] = decode(&dumps[(size_t)i + 1].bytes[k * (size_t)es], t.storage);
        results->push_back(v);
    }
    if (steps)
        *steps = dumps.back();
    return 0;
}

/* run_network for the profiled build, in a child process (SystemC
 * elaborates once per process, and the network's own run follows in
 * this one): its cycles and step stamps come back through a pipe. */
static int run_profiled(const NnOptions &o, const std::string &dir, const ort_graph *g, bool keep,
                        uint32_t *cycles, OrtMemDump *steps)
{
    int fds[2];
    if (pipe(fds)) {
        fprintf(stderr, "ortigia: error: cannot create a pipe: %s\n", strerror(errno));
        return 2;
    }
    fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ortigia: error: cannot fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return 2;
    }
    if (pid == 0) {
        close(fds[0]);
        uint32_t c = 0;
        OrtMemDump m;
        int rc = run_network(o, dir, g, keep, nullptr, &c, nullptr, &m);
        if (!rc) {
            std::vector<uint8_t> msg(4);
            memcpy(msg.data(), &c, 4);
            msg.insert(msg.end(), m.bytes.begin(), m.bytes.end());
            for (size_t at = 0; at < msg.size();) {
                ssize_t n = write(fds[1], msg.data() + at, msg.size() - at);
                if (n <= 0) {
                    rc = 2;
                    break;
                }
                at += (size_t)n;
            }
        }
        fflush(nullptr);
        _exit(rc);
    }
    close(fds[1]);
    std::vector<uint8_t> msg;
    uint8_t buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            msg.insert(msg.end(), buf, buf + n);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status)) {
        fprintf(stderr, "ortigia: error: the profiled run's process ended abnormally\n");
        return 1;
    }
    if (WEXITSTATUS(status))
        return WEXITSTATUS(status);
    if (msg.size() != 4 + 4 * o.step_names.size()) {
        fprintf(stderr, "ortigia: error: the profiled run sent %zu bytes, expected %zu\n", msg.size(),
                4 + 4 * o.step_names.size());
        return 2;
    }
    memcpy(cycles, msg.data(), 4);
    steps->bytes.assign(msg.begin() + 4, msg.end());
    steps->found = true;
    return 0;
}

int ort_cmd_test_network(int argc, char **argv)
{
    NnOptions o;
    bool reference = false, keep = false;
    NnArgs args(o);
    args.table.push_back({"--reference", nullptr, OrtOption::FLAG, &reference});
    std::vector<std::string> folder;
    static const char *const usage =
        "usage: ortigia test-network DIR [--reference] [-o OUTDIR] [--l1-budget BYTES]\n"
        "                            [--engine auto|cluster|npu] [--profile] [--max-cycles N]\n"
        "                            [--config FILE] [--set KEY=VALUE]...\n"
        "  compile DIR/network.onnx, run it on DIR/inputs.npz (on the simulator, or on the\n"
        "  host reference with --reference) and compare with DIR/outputs.npz: prints\n"
        "  Cycles, Run cycles and Errors; status 1 when outputs differ\n";
    int st = ort_parse_options("test-network", usage, argc, argv, args.table, &folder, 1,
                               "test folder");
    if (st >= 0)
        return st;
    args.finish(o);
    std::string dir = folder.empty() ? "" : folder[0];
    if (dir.empty()) {
        fprintf(stderr, "ortigia: error: no test folder given (usage: ortigia test-network DIR)\n");
        return 2;
    }
    o.model = dir + "/network.onnx";
    const std::string in_path = dir + "/inputs.npz", out_path = dir + "/outputs.npz";
    for (const std::string &p : {o.model, in_path, out_path})
        if (!file_exists(p)) {
            fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", p.c_str(), strerror(errno));
            return 2;
        }
    if (!setup_config(o))
        return 2;
    ort_diag d{};
    NpzHolder inputs, expected;
    if (ort_npz_read(in_path.c_str(), &inputs.npz, &d) ||
        ort_npz_read(out_path.c_str(), &expected.npz, &d))
        return fail(d);
    GraphHolder gh;
    long long errors = 0, total = 0;
    std::vector<std::vector<int64_t>> results;
    if (reference) {
        gh.g = ort_frontend(o.model.c_str(), &inputs.npz, o.optimize, &d);
        if (!gh.g || ort_npz_check(gh.g, &expected.npz, true, &d))
            return fail(d);
        int64_t **values = nullptr;
        if (ort_ref_run(gh.g, &inputs.npz, &values, &d)) {
            ort_ref_free(gh.g, values);
            return fail(d);
        }
        for (int i = 0; i < gh.g->n_outputs; i++) {
            const ort_tensor &t = gh.g->tensors[gh.g->outputs[i]];
            int64_t *v = values[gh.g->outputs[i]];
            results.emplace_back(v, v + ort_shape_count(&t.shape));
        }
        ort_ref_free(gh.g, values);
    } else {
        keep = !o.outdir.empty();
        if (!keep) {
            char tmpl[] = "/tmp/ortigia-net-XXXXXX";
            if (!mkdtemp(tmpl)) {
                fprintf(stderr, "ortigia: error: cannot create a temporary folder: %s\n", strerror(errno));
                return 2;
            }
            o.outdir = tmpl;
        }
        /* The network as it is, then with --profile a second build
         * instrumented per step, for the breakdown: the stamps cost
         * cycles, so the figure printed as Cycles is the first build's. */
        uint32_t cycles = 0, profiled = 0;
        uint64_t run_cycles = 0;
        OrtMemDump steps;
        std::string pdir = o.outdir + "/profiled";
        int rc = 0;
        std::vector<std::string> step_names;
        if (o.profile) {
            if (mkdir(o.outdir.c_str(), 0777) && errno != EEXIST) {
                fprintf(stderr, "ortigia: error: %s: cannot create: %s\n", o.outdir.c_str(), strerror(errno));
                return 2;
            }
            rc = compile_network(o, pdir, true, &inputs.npz, &expected.npz, gh, false);
            if (!rc)
                rc = run_profiled(o, pdir, gh.g, keep, &profiled, &steps);
            step_names = o.step_names;
        }
        if (!rc)
            rc = compile_network(o, o.outdir, false, &inputs.npz, &expected.npz, gh, false);
        if (!rc)
            rc = run_network(o, o.outdir, gh.g, keep, &results, &cycles, &run_cycles, nullptr);
        if (!rc) {
            o.step_names = step_names;
            if (o.profile)
                print_profile(o, steps, profiled, cycles);
            printf("Cycles: %" PRIu32 "\n", cycles);
            /* The network alone above; here the whole program (start-up,
               .bss, the inputs, the network, the exit), which is what
               an energy report of the run covers. */
            printf("Run cycles: %" PRIu64 "\n", run_cycles);
        }
        if (!keep) {
            std::string cmd = "rm -rf '" + o.outdir + "'";
            if (system(cmd.c_str()) != 0)
                fprintf(stderr, "ortigia: warning: could not remove %s\n", o.outdir.c_str());
        }
        if (rc)
            return rc;
    }
    std::vector<int64_t *> outs;
    for (auto &r : results)
        outs.push_back(r.data());
    if (ort_compare_outputs(gh.g, outs.data(), &expected.npz, &errors, &total, stderr, &d))
        return fail(d);
    printf("Errors: %lld out of %lld\n", errors, total);
    return errors ? 1 : 0;
}

/* A test folder's graph and expected outputs, loaded once per process: a
 * sweep loads them before it forks its points, which then share them. */
struct NetworkCheck {
    NpzHolder inputs, expected;
    GraphHolder gh;
    std::string error;
};

static NetworkCheck &network_check(const std::string &dir)
{
    static std::map<std::string, std::unique_ptr<NetworkCheck>> loaded;
    std::unique_ptr<NetworkCheck> &c = loaded[dir];
    if (!c) {
        c.reset(new NetworkCheck);
        ort_diag d{};
        if (ort_npz_read((dir + "/inputs.npz").c_str(), &c->inputs.npz, &d) ||
            ort_npz_read((dir + "/outputs.npz").c_str(), &c->expected.npz, &d) ||
            !(c->gh.g = ort_frontend((dir + "/network.onnx").c_str(), &c->inputs.npz, true, &d)))
            c->error = d.msg;
    }
    return *c;
}

bool ort_prepare_network_check(const std::string &dir, std::string *err)
{
    const NetworkCheck &c = network_check(dir);
    *err = c.error;
    return c.error.empty();
}

bool ort_check_network_outputs(const std::string &dir,
                               const std::function<bool(const std::string &, size_t, std::vector<uint8_t> *)> &read,
                               long long *errors, long long *total, std::string *err)
{
    NetworkCheck &c = network_check(dir);
    if (!c.error.empty()) {
        *err = c.error;
        return false;
    }
    const ort_graph *g = c.gh.g;
    ort_diag d{};
    std::vector<std::vector<int64_t>> results;
    std::vector<int64_t *> outs;
    for (int i = 0; i < g->n_outputs; i++) {
        const ort_tensor &t = g->tensors[g->outputs[i]];
        size_t n = (size_t)ort_shape_count(&t.shape);
        int es = ort_dtype_size(t.storage);
        std::vector<uint8_t> bytes;
        std::string symbol = "ort_output_" + std::to_string(i);
        if (!read(symbol, n * (size_t)es, &bytes)) {
            *err = "symbol '" + symbol + "' not found in memory";
            return false;
        }
        std::vector<int64_t> v(n);
        for (size_t k = 0; k < n; k++)
            v[k] = decode(&bytes[k * (size_t)es], t.storage);
        results.push_back(std::move(v));
    }
    for (auto &r : results)
        outs.push_back(r.data());
    if (ort_compare_outputs(g, outs.data(), &c.expected.npz, errors, total, nullptr, &d)) {
        *err = d.msg;
        return false;
    }
    return true;
}
