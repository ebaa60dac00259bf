// `ortigia sweep SPEC.json`: a design-space study. The spec names a
// workload (an ELF) and the platform parameters to vary, as a grid
// (cartesian product) or an explicit list of points; every key and value
// is checked before anything runs. Each point runs in a process of its own
// (a process holds one simulation session: sim/session.h), up to --jobs at
// once; each writes DIR/points/NNNN.json, which --resume reuses. The rows
// of DIR/results.jsonl and DIR/results.csv are in point order, so they do
// not depend on --jobs or on the order the points finished in.
#include "nn_cmd.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "power.h"
#include "run.h"
#include "session.h"

extern "C" {
#include "elf_loader.h"
#include "platform_map.h"
}

namespace {

/* One parameter of a point: a configuration key and its value as JSON
   (a number or a name), and as the text `--set` takes. */
struct Param {
    std::string key;
    json_t *value; /* borrowed from the spec */
    std::string text() const
    {
        if (json_is_string(value))
            return json_string_value(value);
        char buf[64];
        double v = json_number_value(value);
        if (v == std::floor(v) && std::fabs(v) < 1e15)
            snprintf(buf, sizeof buf, "%.0f", v);
        else
            snprintf(buf, sizeof buf, "%.17g", v);
        return buf;
    }
};
using Point = std::vector<Param>;

struct Spec {
    std::string elf;     /* the workload: a program, */
    std::string network; /* or a Deeploy-style test folder, compiled per point's platform, */
    bool llm = false;    /* or `ortigia llm`'s model, compiled per point's platform */
    std::string llm_model; /* "": the embedded default */
    int llm_steps = 16;
    std::vector<int> llm_prompt;
    std::string config_path;
    std::vector<Param> fixed;     /* "set": applied to every point */
    std::vector<std::string> keys; /* the varied keys, in column order */
    std::vector<Point> points;
    uint64_t max_cycles = 0;
    std::vector<std::string> metrics; /* "metrics": the columns to keep (empty: all) */
};

/* A row's measured columns, in the CSV's order ("energy_by_component" and
   "regions" stand for their groups of columns). */
const char *const all_metrics[] = {"cycles", "network_cycles", "cycles_per_token", "uj_per_token", "instructions",
                                   "seconds", "energy_j", "average_power_w", "energy_by_component",
                                   "energy_j_low", "energy_j_high", "average_power_w_low", "average_power_w_high",
                                   "output_errors", "l1_bytes", "l2_bytes", "wmem_bytes", "regions", "sim_wall_s", "wall_s",
                                   nullptr};

/* A network workload that is an ONNX file rather than a test folder: run
   on zero inputs, its outputs not checked. */
bool is_onnx_file(const std::string &path)
{
    return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

/* "unknown key 'x' (nearest: a, b, c)". */
std::string unknown_key(const std::string &key)
{
    std::vector<std::pair<size_t, std::string>> near;
    for (size_t i = 0; i < ort_config_key_count; i++)
        near.push_back({ort_edit_distance(key, ort_config_keys[i].key), ort_config_keys[i].key});
    std::sort(near.begin(), near.end());
    std::string s = "unknown configuration key '" + key + "' (nearest: ";
    for (size_t i = 0; i < 3 && i < near.size(); i++)
        s += (i ? ", " : "") + near[i].second;
    return s + ")";
}

/* A point's configuration: defaults, the spec's config file, its fixed
   values, the point's; false with the first problem. */
bool point_config(const Spec &spec, const Point &p, ort_config *c, std::string *err)
{
    char msg[512];
    ort_config_defaults(c);
    if (!spec.config_path.empty() && !ort_config_load_file(c, spec.config_path.c_str(), msg, sizeof msg)) {
        *err = msg;
        return false;
    }
    for (const std::vector<Param> *list : {&spec.fixed, &p})
        for (const Param &q : *list) {
            if (q.key.compare(0, 9, "compiler.") == 0)
                continue; /* the compiler's options (compile_options) */
            std::string assignment = q.key + "=" + q.text();
            if (!ort_config_set(c, assignment.c_str(), msg, sizeof msg)) {
                *err = strstr(msg, "unknown configuration key") ? unknown_key(q.key) : msg;
                return false;
            }
        }
    if (!ort_config_check_memory_map(c, msg, sizeof msg)) {
        *err = msg;
        return false;
    }
    return true;
}

/* The compiler's options a point sets (keys compiler.l1_budget, bytes,
   and compiler.engine, auto|cluster|npu); false with the problem. */
struct CompileOptions {
    int64_t l1_budget = 0; /* 0: the target's default */
    std::string engine = "auto";
};

bool compile_options(const Spec &spec, const Point &p, CompileOptions *o, std::string *err)
{
    for (const std::vector<Param> *list : {&spec.fixed, &p})
        for (const Param &q : *list) {
            if (q.key.compare(0, 9, "compiler.") != 0)
                continue;
            if (spec.network.empty() && !spec.llm) {
                *err = "'" + q.key + "': compiler options need a network or llm workload";
                return false;
            }
            if (q.key == "compiler.l1_budget") {
                double v = json_is_number(q.value) ? json_number_value(q.value) : -1;
                if (v < 1024 || v != std::floor(v) || v > 1e9) {
                    *err = "'compiler.l1_budget' = " + q.text() + ": a number of bytes, at least 1024";
                    return false;
                }
                o->l1_budget = (int64_t)v;
            } else if (q.key == "compiler.engine") {
                std::string e = q.text();
                if (e != "auto" && e != "cluster" && e != "npu") {
                    *err = "'compiler.engine' = " + e + ": auto, cluster or npu";
                    return false;
                }
                o->engine = e;
            } else {
                *err = "unknown compiler option '" + q.key + "' (compiler.l1_budget, compiler.engine)";
                return false;
            }
        }
    return true;
}

bool read_params(json_t *obj, const char *what, std::vector<Param> *out, std::string *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!json_is_number(v) && !json_is_string(v)) {
            *err = std::string(what) + "." + key + ": a number or a name";
            return false;
        }
        out->push_back({key, v});
    }
    return true;
}

bool parse_spec(json_t *root, const std::string &path, Spec *s, std::string *err)
{
    static const char *const allowed[] = {"workload", "grid", "list", "sample", "set", "config", "max_cycles",
                                          "metrics", "description", nullptr};
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok) {
            *err = path + ": unknown field '" + key +
                   "' (a spec has workload, grid, list or sample, and optionally set, config, max_cycles, "
                   "metrics)";
            return false;
        }
    }
    json_t *w = json_object_get(root, "workload");
    json_t *elf = json_object_get(w, "elf"), *net = json_object_get(w, "network"), *llm = json_object_get(w, "llm");
    if (!json_is_object(w) || json_object_size(w) != 1 ||
        !(json_is_string(elf) || json_is_string(net) || json_is_object(llm))) {
        *err = path + ": workload: {\"elf\": \"FILE\"}, {\"network\": \"DIR\"} or {\"llm\": {\"model\": "
                      "\"FILE\", \"steps\": N, \"prompt_ids\": [1, ...]}}";
        return false;
    }
    size_t slash = path.rfind('/');
    /* Relative to the spec's folder. */
    auto relative = [&](std::string where) {
        if (!where.empty() && where[0] != '/' && slash != std::string::npos)
            where = path.substr(0, slash + 1) + where;
        return where;
    };
    if (llm) {
        s->llm = true;
        const char *k;
        json_t *x;
        json_object_foreach(llm, k, x) {
            if (!strcmp(k, "model") && json_is_string(x)) {
                s->llm_model = relative(json_string_value(x));
            } else if (!strcmp(k, "steps") && json_is_integer(x) && json_integer_value(x) >= 1 &&
                       json_integer_value(x) <= 4096) {
                s->llm_steps = (int)json_integer_value(x);
            } else if (!strcmp(k, "prompt_ids") && json_is_array(x)) {
                size_t i;
                json_t *id;
                json_array_foreach(x, i, id) {
                    if (!json_is_integer(id) || json_integer_value(id) < 0) {
                        *err = path + ": workload.llm.prompt_ids: token ids (integers >= 0)";
                        return false;
                    }
                    s->llm_prompt.push_back((int)json_integer_value(id));
                }
            } else {
                *err = path + ": workload.llm." + k + ": model (a file), steps (1..4096) or prompt_ids (a list)";
                return false;
            }
        }
    } else {
        (elf ? s->elf : s->network) = relative(json_string_value(elf ? elf : net));
    }
    if (json_t *c = json_object_get(root, "config")) {
        if (!json_is_string(c)) {
            *err = path + ": config: a file name";
            return false;
        }
        s->config_path = json_string_value(c);
    }
    if (json_t *ms = json_object_get(root, "metrics")) {
        size_t i;
        json_t *m;
        if (!json_is_array(ms) || !json_array_size(ms)) {
            *err = path + ": metrics: a list of column names";
            return false;
        }
        json_array_foreach(ms, i, m) {
            const char *name = json_string_value(m);
            bool known = false;
            for (const char *const *a = all_metrics; name && *a; a++)
                known |= !strcmp(*a, name);
            if (!known) {
                std::vector<std::pair<size_t, std::string>> near;
                for (const char *const *a = all_metrics; *a; a++)
                    near.push_back({ort_edit_distance(name ? name : "", *a), *a});
                std::sort(near.begin(), near.end());
                *err = path + ": metrics: unknown metric '" + (name ? name : "(not a string)") + "' (nearest: " +
                       near[0].second + ", " + near[1].second + ", " + near[2].second + ")";
                return false;
            }
            s->metrics.push_back(name);
        }
    }
    if (json_t *m = json_object_get(root, "max_cycles")) {
        if (!json_is_integer(m) || json_integer_value(m) < 1) {
            *err = path + ": max_cycles: a positive integer";
            return false;
        }
        s->max_cycles = (uint64_t)json_integer_value(m);
    }
    if (json_t *set = json_object_get(root, "set")) {
        if (!json_is_object(set)) {
            *err = path + ": set: an object of key: value";
            return false;
        }
        if (!read_params(set, "set", &s->fixed, err)) {
            *err = path + ": " + *err;
            return false;
        }
    }
    json_t *grid = json_object_get(root, "grid"), *list = json_object_get(root, "list");
    json_t *sample = json_object_get(root, "sample");
    if (!!grid + !!list + !!sample != 1) {
        *err = path + ": give one of a grid, a list of points or a sample";
        return false;
    }
    /* A sample: `count` points of a grid, drawn without replacement by a
       generator seeded with `seed` (the same points every time), run in
       the grid's order. */
    uint64_t count = 0, seed = 0;
    if (sample) {
        json_t *c = json_object_get(sample, "count"), *sd = json_object_get(sample, "seed");
        grid = json_object_get(sample, "grid");
        if (!json_is_object(sample) || !json_is_integer(c) || json_integer_value(c) < 1 || !json_is_integer(sd) ||
            json_integer_value(sd) < 0 || !grid || json_object_size(sample) != 3) {
            *err = path + ": sample: {\"grid\": {key: [values]}, \"count\": N >= 1, \"seed\": S >= 0}";
            return false;
        }
        count = (uint64_t)json_integer_value(c);
        seed = (uint64_t)json_integer_value(sd);
    }
    if (grid) {
        if (!json_is_object(grid) || json_object_size(grid) == 0) {
            *err = path + ": grid: an object of key: [values]";
            return false;
        }
        s->points.assign(1, Point());
        json_object_foreach(grid, key, v) {
            if (!json_is_array(v) || json_array_size(v) == 0) {
                *err = path + ": grid." + key + ": a list of values";
                return false;
            }
            s->keys.push_back(key);
            std::vector<Point> next;
            for (const Point &p : s->points) {
                size_t i;
                json_t *value;
                json_array_foreach(v, i, value) {
                    if (!json_is_number(value) && !json_is_string(value)) {
                        *err = path + ": grid." + key + "[" + std::to_string(i) +
                               "]: a number or a name";
                        return false;
                    }
                    Point q = p;
                    q.push_back({key, value});
                    next.push_back(q);
                }
            }
            s->points = std::move(next);
        }
        if (sample && count < s->points.size()) {
            /* a partial Fisher-Yates shuffle of the indices (splitmix64) */
            std::vector<size_t> idx(s->points.size());
            for (size_t i = 0; i < idx.size(); i++)
                idx[i] = i;
            uint64_t x = seed;
            for (size_t i = 0; i < count; i++) {
                x += 0x9E3779B97F4A7C15ull;
                uint64_t z = x;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                z ^= z >> 31;
                size_t j = i + (size_t)(z % (idx.size() - i));
                std::swap(idx[i], idx[j]);
            }
            idx.resize(count);
            std::sort(idx.begin(), idx.end());
            std::vector<Point> chosen;
            for (size_t i : idx)
                chosen.push_back(s->points[i]);
            s->points = std::move(chosen);
        }
    } else {
        size_t i;
        json_t *p;
        if (!json_is_array(list) || json_array_size(list) == 0) {
            *err = path + ": list: a list of points ({key: value})";
            return false;
        }
        json_array_foreach(list, i, p) {
            Point q;
            std::string where = "list[" + std::to_string(i) + "]";
            if (!json_is_object(p)) {
                *err = path + ": " + where + ": an object of key: value";
                return false;
            }
            if (!read_params(p, where.c_str(), &q, err)) {
                *err = path + ": " + *err;
                return false;
            }
            for (const Param &x : q)
                if (std::find(s->keys.begin(), s->keys.end(), x.key) == s->keys.end())
                    s->keys.push_back(x.key);
            s->points.push_back(q);
        }
    }
    /* Every point's configuration before anything runs. */
    for (size_t i = 0; i < s->points.size(); i++) {
        ort_config c;
        std::string e;
        CompileOptions co;
        if (!point_config(*s, s->points[i], &c, &e) || !compile_options(*s, s->points[i], &co, &e)) {
            *err = path + ": point " + std::to_string(i) + ": " + e;
            return false;
        }
    }
    return true;
}

std::string point_file(const std::string &dir, size_t i)
{
    char name[48];
    snprintf(name, sizeof name, "/points/%04zu.json", i);
    return dir + name;
}

/* The point's parameters as JSON (also what --resume compares). */
json_t *params_json(const Point &p)
{
    json_t *o = json_object();
    for (const Param &q : p)
        json_object_set(o, q.key.c_str(), q.value);
    return o;
}

/* The configuration values a compiled network depends on (the compiler's
   target): points that differ in nothing else share one build. */
std::string build_name(const ort_config &c, const CompileOptions &co)
{
    /* The NPU's presence and timing choose engines (the cost model). */
    ort_npu_params np;
    ort_config_npu_params(&c, c.cluster_cores, &np);
    uint32_t h = 2166136261u;
    const unsigned char *b = (const unsigned char *)&np;
    for (size_t i = 0; i < sizeof np; i++)
        h = (h ^ b[i]) * 16777619u;
    char buf[256];
    snprintf(buf, sizeof buf,
             "l1_%u-l2_%u-l2lat_%u-wmem_%u-wmemlat_%u-cores_%u-dma_%u-npu_%u_%08x-budget_%lld-engine_%s",
             c.l1_size, c.l2_size, c.l2_latency, c.wmem_size, c.wmem_latency, c.cluster_cores, c.dma_bandwidth,
             c.npu_enabled, h, (long long)co.l1_budget, co.engine.c_str());
    return buf;
}

/* In the child: run one point (the program `elf`), write its row to
   `file`, exit. */
[[noreturn]] void run_point(const Spec &spec, const Point &p, size_t index, const std::string &elf,
                            const std::string &file)
{
    json_t *row = json_object();
    json_object_set_new(row, "point", json_integer((json_int_t)index));
    json_object_set_new(row, "parameters", params_json(p));
    OrtSessionOptions so;
    std::string err;
    point_config(spec, p, &so.config, &err); /* checked before the fork */
    so.energy = true;
    so.max_cycles = spec.max_cycles;
    so.uart = fopen("/dev/null", "w");
    auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<OrtSession> s = OrtSession::create(so, &err);
    if (!s || !s->load(elf, &err)) {
        json_object_set_new(row, "status", json_string("error"));
        json_object_set_new(row, "error", json_string(err.c_str()));
    } else {
        s->run();
        const OrtRunResult &r = s->result();
        bool ok = r.stop == OrtStop::Halted && r.status == 0 && !strcmp(r.reason, "exit");
        json_object_set_new(row, "status", json_string(ok ? "ok" : r.reason));
        json_object_set_new(row, "exit_status", json_integer(r.status));
        json_object_set_new(row, "cycles", json_integer((json_int_t)r.cycles));
        json_object_set_new(row, "instructions", json_integer((json_int_t)r.instructions));
        json_object_set_new(row, "seconds", json_real(r.seconds));
        json_object_set_new(row, "sim_wall_s", json_real(r.wall_s)); /* the simulation alone */
        std::vector<uint8_t> net, cyc;
        auto word = [](const std::vector<uint8_t> &b, size_t k) {
            return (uint32_t)b[4 * k] | (uint32_t)b[4 * k + 1] << 8 | (uint32_t)b[4 * k + 2] << 16 |
                   (uint32_t)b[4 * k + 3] << 24;
        };
        if (spec.llm && s->read_symbol("ort_llm_cycles", 4 * (size_t)spec.llm_steps, &cyc)) {
            /* the generated positions (a prompt of 2+ ids runs as one
               prefill pass first, whose positions have no cycles here) */
            uint64_t sum = 0;
            double uj = 0;
            int n = 0, first = spec.llm_prompt.empty() ? 0 : (int)spec.llm_prompt.size() - 1;
            while (first < spec.llm_steps && !word(cyc, (size_t)first))
                first++; /* the prefill's positions (prompt mode) have no step cycles */
            /* each position's region: its cycles and energy, as ortigia llm's */
            for (int k = first; k < spec.llm_steps && word(cyc, (size_t)k); k++) {
                n++;
                for (const ort_power_region &rg : r.regions.list)
                    if (rg.id == (uint32_t)k + 1 && rg.report) {
                        sum += rg.end - rg.begin;
                        uj += rg.report->total_j * 1e6;
                    }
            }
            if (n) {
                json_object_set_new(row, "cycles_per_token", json_real((double)sum / n));
                json_object_set_new(row, "uj_per_token", json_real(uj / n));
            }
        }
        if (!spec.network.empty() && s->read_symbol("ort_net_cycles", 4, &net))
            json_object_set_new(row, "network_cycles",
                                json_integer((json_int_t)((uint32_t)net[0] | (uint32_t)net[1] << 8 |
                                                          (uint32_t)net[2] << 16 |
                                                          (uint32_t)net[3] << 24)));
        /* a network's outputs against its folder's outputs.npz */
        std::string wrong;
        if (!spec.network.empty() && !is_onnx_file(spec.network) && ok) {
            long long errors = 0, total = 0;
            std::string cerr;
            auto read = [&](const std::string &sym, size_t n, std::vector<uint8_t> *out) {
                return s->read_symbol(sym, n, out);
            };
            if (!ort_check_network_outputs(spec.network, read, &errors, &total, &cerr)) {
                wrong = "the outputs could not be checked: " + cerr;
            } else {
                json_object_set_new(row, "output_errors", json_integer(errors));
                if (errors)
                    wrong = std::to_string(errors) + " of " + std::to_string(total) +
                            " output elements differ from outputs.npz";
            }
            if (!wrong.empty()) {
                ok = false;
                json_object_set_new(row, "status", json_string("wrong-output"));
            }
        }
        /* the program's static memory use, from its ELF: its segments and
           the stacks the link reserves */
        ort_elf_image img{};
        char eerr[256];
        if (ort_elf_load(elf.c_str(), &img, eerr, sizeof eerr)) {
            const ort_config &c = so.config;
            json_object_set_new(row, "l1_bytes",
                                json_integer((json_int_t)(ort_elf_bytes_in(&img, ORT_L1_BASE, c.l1_size) +
                                                          ort_elf_l1_stack_bytes(&img))));
            json_object_set_new(row, "l2_bytes",
                                json_integer((json_int_t)(ort_elf_bytes_in(&img, ORT_L2_BASE, c.l2_size) +
                                                          ort_elf_l2_stack_bytes(&img))));
            json_object_set_new(row, "wmem_bytes",
                                json_integer((json_int_t)ort_elf_bytes_in(&img, ORT_WMEM_BASE, c.wmem_size)));
            ort_elf_free(&img);
        }
        if (r.energy) {
            json_object_set_new(row, "energy_j", json_real(r.energy->total_j));
            json_object_set_new(row, "energy_j_low", json_real(r.energy->total_low_j));
            json_object_set_new(row, "energy_j_high", json_real(r.energy->total_high_j));
            json_object_set_new(row, "average_power_w", json_real(r.energy->average_w));
            json_object_set_new(row, "average_power_w_low", json_real(r.energy->average_low_w));
            json_object_set_new(row, "average_power_w_high", json_real(r.energy->average_high_w));
            /* the top-level regions the program marked (an llm run's tokens
               are summarized above) */
            json_t *regions = json_array();
            for (const ort_power_region &rg : r.regions.list) {
                if (rg.depth || !rg.report || spec.llm)
                    continue;
                json_t *o = json_object();
                json_object_set_new(o, "id", json_integer(rg.id));
                json_object_set_new(o, "label", json_string(rg.label));
                json_object_set_new(o, "cycles", json_integer((json_int_t)(rg.end - rg.begin)));
                json_object_set_new(o, "energy_j", json_real(rg.report->total_j));
                json_array_append_new(regions, o);
            }
            json_object_set_new(row, "regions", regions);
            json_t *comp = json_object();
            for (unsigned i = 0; i < r.energy->n; i++)
                json_object_set_new(comp, r.energy->activity[i].name,
                                    json_real(r.energy->energy[i].total_j));
            json_object_set_new(row, "energy_by_component_j", comp);
        }
        std::string msg;
        for (const std::string &d : r.diagnostics)
            msg += (msg.empty() ? "" : "; ") + d;
        if (!wrong.empty())
            msg += (msg.empty() ? "" : "; ") + wrong;
        if (!ok && msg.empty())
            msg = std::string(r.reason) + " with status " + std::to_string(r.status);
        json_object_set_new(row, "error", json_string(msg.c_str()));
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    json_object_set_new(row, "wall_s", json_real(wall));
    std::string tmp = file + ".tmp";
    int rc = json_dump_file(row, tmp.c_str(), JSON_COMPACT) || rename(tmp.c_str(), file.c_str());
    fflush(nullptr);
    _exit(rc ? 1 : 0);
}

/* A row read back, or one saying why there is none. */
json_t *load_row(const std::string &file, size_t index, const Point &p, const char *why)
{
    json_t *row = json_load_file(file.c_str(), 0, nullptr);
    if (row)
        return row;
    row = json_object();
    json_object_set_new(row, "point", json_integer((json_int_t)index));
    json_object_set_new(row, "parameters", params_json(p));
    json_object_set_new(row, "status", json_string("error"));
    json_object_set_new(row, "error", json_string(why));
    return row;
}

std::string csv_field(json_t *v)
{
    if (!v || json_is_null(v))
        return "";
    if (json_is_string(v)) {
        std::string s = json_string_value(v), out = "\"";
        for (char ch : s)
            out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        return out + "\"";
    }
    char buf[64];
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(buf, sizeof buf, "%.9g", json_number_value(v));
    return buf;
}

bool keep_metric(const Spec &spec, const char *name)
{
    return spec.metrics.empty() || std::find(spec.metrics.begin(), spec.metrics.end(), name) != spec.metrics.end();
}

bool write_results(const std::string &dir, const Spec &spec, const std::vector<json_t *> &rows)
{
    std::string jl = dir + "/results.jsonl", csv = dir + "/results.csv";
    FILE *fj = fopen(jl.c_str(), "w"), *fc = fopen(csv.c_str(), "w");
    bool ok = fj && fc;
    /* Component and region columns: every one any row has, in first-seen
       order (regions by id; their labels are in results.jsonl). */
    std::vector<std::string> comps;
    std::vector<json_int_t> regions;
    for (json_t *r : rows) {
        const char *k;
        json_t *v;
        size_t i;
        json_object_foreach(json_object_get(r, "energy_by_component_j"), k, v)
            if (std::find(comps.begin(), comps.end(), k) == comps.end())
                comps.push_back(k);
        json_array_foreach(json_object_get(r, "regions"), i, v) {
            json_int_t id = json_integer_value(json_object_get(v, "id"));
            if (std::find(regions.begin(), regions.end(), id) == regions.end())
                regions.push_back(id);
        }
    }
    if (ok) {
        fprintf(fc, "point");
        for (const std::string &k : spec.keys)
            fprintf(fc, ",%s", k.c_str());
        fprintf(fc, ",status");
        for (const char *const *m = all_metrics; *m; m++) {
            if (!keep_metric(spec, *m))
                continue;
            if (!strcmp(*m, "energy_by_component"))
                for (const std::string &c : comps)
                    fprintf(fc, ",energy_%s_j", c.c_str());
            else if (!strcmp(*m, "regions"))
                for (json_int_t id : regions)
                    fprintf(fc, ",region%lld_cycles,region%lld_energy_j", (long long)id, (long long)id);
            else
                fprintf(fc, ",%s", *m);
        }
        fprintf(fc, ",error\n");
    }
    for (json_t *r : rows) {
        if (!ok)
            break;
        /* the JSON row: the point, its parameters, status and error, and the metrics kept */
        json_t *kept = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(r, k, v) {
            std::string name = !strcmp(k, "energy_by_component_j") ? "energy_by_component" : k;
            bool always = name == "point" || name == "parameters" || name == "status" || name == "error" ||
                          name == "exit_status";
            if (always || keep_metric(spec, name.c_str()))
                json_object_set(kept, k, v);
        }
        char *line = json_dumps(kept, JSON_COMPACT);
        json_decref(kept);
        fprintf(fj, "%s\n", line ? line : "{}");
        free(line);
        json_t *params = json_object_get(r, "parameters");
        fprintf(fc, "%s", csv_field(json_object_get(r, "point")).c_str());
        for (const std::string &key : spec.keys)
            fprintf(fc, ",%s", csv_field(json_object_get(params, key.c_str())).c_str());
        fprintf(fc, ",%s", csv_field(json_object_get(r, "status")).c_str());
        for (const char *const *m = all_metrics; *m; m++) {
            if (!keep_metric(spec, *m))
                continue;
            if (!strcmp(*m, "energy_by_component")) {
                json_t *by = json_object_get(r, "energy_by_component_j");
                for (const std::string &c : comps)
                    fprintf(fc, ",%s", csv_field(json_object_get(by, c.c_str())).c_str());
            } else if (!strcmp(*m, "regions")) {
                for (json_int_t id : regions) {
                    json_t *found = nullptr;
                    size_t i;
                    json_array_foreach(json_object_get(r, "regions"), i, v)
                        if (json_integer_value(json_object_get(v, "id")) == id && !found)
                            found = v;
                    fprintf(fc, ",%s,%s", csv_field(json_object_get(found, "cycles")).c_str(),
                            csv_field(json_object_get(found, "energy_j")).c_str());
                }
            } else {
                fprintf(fc, ",%s", csv_field(json_object_get(r, *m)).c_str());
            }
        }
        fprintf(fc, ",%s\n", csv_field(json_object_get(r, "error")).c_str());
    }
    ok = ok && !ferror(fj) && !ferror(fc);
    if (fj && fclose(fj))
        ok = false;
    if (fc && fclose(fc))
        ok = false;
    return ok;
}


/* ---- DIR/report.html -------------------------------------------------------- */

std::string html_escape(const std::string &t)
{
    std::string o;
    for (char c : t)
        o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
    return o;
}

/* A cell: a name as it is, a number as in the CSV. */
std::string cell_text(json_t *v)
{
    return json_is_string(v) ? html_escape(json_string_value(v)) : html_escape(csv_field(v));
}

double row_number(json_t *r, const char *f)
{
    json_t *v = json_object_get(r, f);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* An SVG chart of (x, y) points in a w x h box, axes labelled; `front`
   marks points drawn highlighted, `line` joins them in order. */
std::string svg_chart(const std::vector<double> &x, const std::vector<double> &y, const std::vector<bool> &front,
                      const std::vector<std::string> &tips, const std::string &xl, const std::string &yl,
                      bool line)
{
    const double W = 560, H = 300, L = 70, B = 40, T = 16, R = 16;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < x.size(); i++)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            x0 = std::min(x0, x[i]), x1 = std::max(x1, x[i]);
            y0 = std::min(y0, y[i]), y1 = std::max(y1, y[i]);
        }
    if (!(x0 <= x1)) /* no finite point */
        return "<p>(no data)</p>";
    if (x1 == x0)
        x0 -= 1, x1 += 1;
    if (y1 == y0)
        y0 -= 1, y1 += 1;
    auto px = [&](double v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
    auto py = [&](double v) { return H - B - (v - y0) / (y1 - y0) * (H - B - T); };
    char buf[512];
    std::string s;
    snprintf(buf, sizeof buf, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">", W, H);
    s += buf;
    snprintf(buf, sizeof buf,
             "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
             "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>",
             L, H - B, W - R, H - B, L, T, L, H - B);
    s += buf;
    snprintf(buf, sizeof buf,
             "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"12\">%s</text>"
             "<text x=\"14\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 %.0f)\">%s</text>"
             "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\">%.4g</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" "
             "text-anchor=\"end\">%.4g</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\">%.4g</text>"
             "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\">%.4g</text>",
             (L + W - R) / 2, H - 8, html_escape(xl).c_str(), (T + H - B) / 2, (T + H - B) / 2,
             html_escape(yl).c_str(), L, H - B + 14, x0, W - R, H - B + 14, x1, L - 4, H - B, y0, L - 4, T + 8, y1);
    s += buf;
    if (line) {
        std::string pts;
        for (size_t i = 0; i < x.size(); i++)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) {
                snprintf(buf, sizeof buf, "%.1f,%.1f ", px(x[i]), py(y[i]));
                pts += buf;
            }
        s += "<polyline fill=\"none\" stroke=\"#2a6fdb\" stroke-width=\"2\" points=\"" + pts + "\"/>";
    }
    for (size_t i = 0; i < x.size(); i++) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
            continue;
        bool f = i < front.size() && front[i];
        snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>%s</title></circle>",
                 px(x[i]), py(y[i]), f ? 6 : 4, f ? "#d9480f" : "#2a6fdb",
                 html_escape(i < tips.size() ? tips[i] : "").c_str());
        s += buf;
    }
    return s + "</svg>";
}

/* DIR/report.html: one self-contained file (inline SVG, a little script
   to sort the table). */
bool write_report_html(const std::string &dir, const Spec &spec, const std::vector<json_t *> &rows)
{
    std::string path = dir + "/report.html";
    FILE *f = fopen(path.c_str(), "w");
    if (!f)
        return false;
    bool llm = spec.llm;
    const char *lat_field = llm ? "cycles_per_token" : spec.network.empty() ? "cycles" : "network_cycles";
    const char *en_field = llm ? "uj_per_token" : "energy_j";
    std::vector<double> lat, en;
    std::vector<std::string> tips;
    for (json_t *r : rows) {
        bool ok = !strcmp(json_string_value(json_object_get(r, "status")) ? json_string_value(json_object_get(r, "status")) : "", "ok");
        lat.push_back(ok ? row_number(r, lat_field) : NAN);
        en.push_back(ok ? row_number(r, en_field) : NAN);
        char *p = json_dumps(json_object_get(r, "parameters"), JSON_COMPACT);
        tips.push_back(p ? p : "");
        free(p);
    }
    /* The Pareto front: no other point as fast and as frugal, better in one. */
    std::vector<bool> front(rows.size(), false);
    size_t on_front = 0;
    for (size_t i = 0; i < rows.size(); i++) {
        if (!std::isfinite(lat[i]) || !std::isfinite(en[i]))
            continue;
        bool dominated = false;
        for (size_t j = 0; j < rows.size() && !dominated; j++)
            dominated = j != i && std::isfinite(lat[j]) && std::isfinite(en[j]) && lat[j] <= lat[i] &&
                        en[j] <= en[i] && (lat[j] < lat[i] || en[j] < en[i]);
        front[i] = !dominated;
        on_front += front[i];
    }
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ortigia sweep</title>\n<style>"
               "body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px}"
               "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{cursor:pointer;background:#eee}"
               "tr.front td{background:#fff3e6}</style></head><body>\n<h1>ortigia sweep</h1>\n");
    fprintf(f, "<p>%zu points; workload %s. Orange: the Pareto front (%zu points: none of the others is both "
               "as fast and as frugal).</p>\n",
            rows.size(), html_escape(llm ? "llm" : spec.elf.empty() ? spec.network : spec.elf).c_str(), on_front);
    fprintf(f, "<h2>Latency and energy</h2>\n%s\n",
            svg_chart(lat, en, front, tips, lat_field, en_field, false).c_str());
    /* One chart per varied key: the metric against it, the other keys at
       the first point's values (the points that have them). */
    for (const std::string &k : spec.keys) {
        std::vector<double> xs, ys;
        std::vector<std::string> ts;
        json_t *base = rows.empty() ? nullptr : json_object_get(rows[0], "parameters");
        for (size_t i = 0; i < rows.size(); i++) {
            json_t *p = json_object_get(rows[i], "parameters");
            bool others = true;
            for (const std::string &o : spec.keys)
                if (o != k)
                    others = others && json_equal(json_object_get(p, o.c_str()), json_object_get(base, o.c_str()));
            json_t *v = json_object_get(p, k.c_str());
            if (others && json_is_number(v) && std::isfinite(lat[i])) {
                xs.push_back(json_number_value(v));
                ys.push_back(lat[i]);
                ts.push_back(tips[i]);
            }
        }
        fprintf(f, "<h2>%s against %s</h2>\n", lat_field, html_escape(k).c_str());
        if (xs.size() < 2)
            fprintf(f, "<p>(fewer than two points with the other keys at the first point's values, or the key is "
                       "not a number)</p>\n");
        else
            fprintf(f, "%s\n", svg_chart(xs, ys, {}, ts, k, lat_field, true).c_str());
    }
    /* the table */
    fprintf(f, "<h2>Points</h2>\n<table id=\"t\"><thead><tr><th>point</th>");
    for (const std::string &k : spec.keys)
        fprintf(f, "<th>%s</th>", html_escape(k).c_str());
    static const char *const cols[] = {"status", "cycles", "network_cycles", "cycles_per_token", "uj_per_token",
                                       "seconds", "energy_j", "average_power_w", "error"};
    for (const char *c : cols)
        fprintf(f, "<th>%s</th>", c);
    fprintf(f, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < rows.size(); i++) {
        json_t *p = json_object_get(rows[i], "parameters");
        fprintf(f, "<tr%s><td>%s</td>", front[i] ? " class=\"front\"" : "",
                csv_field(json_object_get(rows[i], "point")).c_str());
        for (const std::string &k : spec.keys)
            fprintf(f, "<td>%s</td>", cell_text(json_object_get(p, k.c_str())).c_str());
        for (const char *c : cols)
            fprintf(f, "<td>%s</td>", cell_text(json_object_get(rows[i], c)).c_str());
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n<script>\n"
               "document.querySelectorAll('#t th').forEach(function (th, col) {\n"
               "  th.addEventListener('click', function () {\n"
               "    var body = document.querySelector('#t tbody');\n"
               "    var rows = Array.from(body.rows), up = th.dataset.up !== '1';\n"
               "    rows.sort(function (a, b) {\n"
               "      var x = a.cells[col].textContent.replace(/\"/g, ''), y = b.cells[col].textContent.replace(/\"/g, '');\n"
               "      var nx = parseFloat(x), ny = parseFloat(y);\n"
               "      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);\n"
               "      return up ? c : -c;\n"
               "    });\n"
               "    th.dataset.up = up ? '1' : '0';\n"
               "    rows.forEach(function (r) { body.appendChild(r); });\n"
               "  });\n"
               "});\n"
               "document.body.dataset.ready = '1';\n"
               "</script>\n</body></html>\n");
    return fclose(f) == 0;
}

} // namespace

int ort_cmd_sweep(int argc, char **argv)
{
    std::string dir = "sweep";
    uint64_t jobs = 0, max_parallel = 0;
    bool resume = false, slurm = false, no_wait = false, collect = false;
    std::string partition, time_limit, mem, points_file;
    std::vector<OrtOption> table = {
        {"--output", "-o", OrtOption::STRING, &dir},
        OrtOption::count("--jobs", &jobs, 1, "a positive number of processes"),
        {"--resume", nullptr, OrtOption::FLAG, &resume},
        {"--slurm", nullptr, OrtOption::FLAG, &slurm},
        {"--partition", nullptr, OrtOption::STRING, &partition},
        {"--time", nullptr, OrtOption::STRING, &time_limit},
        {"--mem", nullptr, OrtOption::STRING, &mem},
        OrtOption::count("--max-parallel", &max_parallel, 1, "a positive number of tasks"),
        {"--no-wait", nullptr, OrtOption::FLAG, &no_wait},
        {"--collect", nullptr, OrtOption::FLAG, &collect},
        /* a Slurm task's share: the point indices in a file (not for users) */
        {"--points", nullptr, OrtOption::STRING, &points_file},
    };
    std::vector<std::string> spec_path;
    static const char *const usage =
        "usage: ortigia sweep SPEC.json [-o DIR] [--jobs N] [--resume]\n"
        "                     [--slurm [--partition P] [--time T] [--mem M] [--max-parallel N] [--no-wait]]\n"
        "       ortigia sweep SPEC.json -o DIR --collect\n"
        "  run a workload ({\"elf\": FILE}, {\"network\": DIR} or {\"llm\": {...}}) over a \"grid\",\n"
        "  \"list\" or \"sample\" of configuration keys, one process per point; rows in\n"
        "  DIR/results.csv, DIR/results.jsonl and DIR/report.html (default DIR: sweep).\n"
        "  docs/user-guide.md has the spec.\n"
        "  -o, --output DIR   where the results go (with --slurm: a folder every node sees)\n"
        "  --jobs N           points at once (default: the number of cores)\n"
        "  --resume           reuse the points DIR already has\n"
        "  --slurm            run the points as one Slurm job array (sbatch), the options\n"
        "                     after it passed on; waits, then merges the rows\n"
        "  --no-wait          submit and return; merge later with --collect\n"
        "  --collect          merge the rows DIR has (of a --slurm --no-wait run)\n";
    int st = ort_parse_options("sweep", usage, argc, argv, table, &spec_path, 1, "spec");
    if (st >= 0)
        return st;
    if (spec_path.empty()) {
        fprintf(stderr, "ortigia: error: usage: ortigia sweep SPEC.json [-o DIR] [--jobs N] [--resume]\n");
        return 2;
    }
    json_error_t jerr;
    json_t *root = json_load_file(spec_path[0].c_str(), JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        if (root)
            fprintf(stderr, "ortigia: error: %s: a sweep spec is a JSON object\n", spec_path[0].c_str());
        else
            fprintf(stderr, "ortigia: error: %s:%d:%d: %s\n", spec_path[0].c_str(), jerr.line,
                    jerr.column, jerr.text);
        json_decref(root);
        return 2;
    }
    Spec spec;
    std::string err;
    if (!parse_spec(root, spec_path[0], &spec, &err)) {
        fprintf(stderr, "ortigia: error: %s\n", err.c_str());
        json_decref(root);
        return 2;
    }
    const std::string workload = spec.llm ? spec.llm_model
                                 : !spec.elf.empty()          ? spec.elf
                                 : is_onnx_file(spec.network) ? spec.network
                                                              : spec.network + "/network.onnx";
    if (!workload.empty() && access(workload.c_str(), R_OK) != 0) {
        fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", workload.c_str(), strerror(errno));
        json_decref(root);
        return 2;
    }
    if ((mkdir(dir.c_str(), 0777) && errno != EEXIST) ||
        (mkdir((dir + "/points").c_str(), 0777) && errno != EEXIST)) {
        fprintf(stderr, "ortigia: error: %s: cannot create: %s\n", dir.c_str(), strerror(errno));
        json_decref(root);
        return 2;
    }
    /* A network or llm workload: compiled once per distinct platform of
       the compiler's (DIR/builds/NAME/network.elf or llm.elf), before any
       point runs. */
    const bool compiled = !spec.network.empty() || spec.llm;
    /* A Slurm task runs what its submitter built; it never compiles (the
       tasks would race on the same build folder). */
    const bool task = !points_file.empty();
    std::vector<std::string> elf_of(spec.points.size(), spec.elf);
    std::map<std::string, bool> built;
    if (compiled && mkdir((dir + "/builds").c_str(), 0777) && errno != EEXIST) {
        fprintf(stderr, "ortigia: error: %s/builds: cannot create: %s\n", dir.c_str(), strerror(errno));
        json_decref(root);
        return 2;
    }
    if (!jobs) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = ncpu > 0 ? (uint64_t)ncpu : 1;
    }
    /* The distinct compile configurations, built `jobs` at a time, each in
       a child process (the cross compiler's runs dominate). */
    struct Build {
        std::string out;
        ort_config config;
        CompileOptions options;
    };
    std::vector<Build> to_build;
    for (size_t i = 0; compiled && i < spec.points.size(); i++) {
        ort_config c;
        CompileOptions co;
        std::string e;
        point_config(spec, spec.points[i], &c, &e); /* checked by parse_spec */
        compile_options(spec, spec.points[i], &co, &e);
        std::string out = dir + "/builds/" + build_name(c, co);
        elf_of[i] = out + (spec.llm ? "/llm.elf" : "/network.elf");
        if (built.count(out))
            continue;
        struct stat st;
        built[out] = (resume || task || collect) && stat(elf_of[i].c_str(), &st) == 0;
        if (!built[out] && !task && !collect)
            to_build.push_back({out, c, co});
    }
    if (!spec.network.empty() && !is_onnx_file(spec.network)) {
        /* the outputs' check, loaded once for every point */
        std::string cerr;
        if (!ort_prepare_network_check(spec.network, &cerr))
            fprintf(stderr, "ortigia: sweep: the outputs cannot be checked: %s\n", cerr.c_str());
    }
    auto build_t0 = std::chrono::steady_clock::now();
    std::map<pid_t, const Build *> building;
    size_t next_build = 0, failed_builds = 0;
    while (next_build < to_build.size() || !building.empty()) {
        while (next_build < to_build.size() && building.size() < jobs) {
            const Build &b = to_build[next_build++];
            fflush(nullptr);
            pid_t pid = fork();
            if (pid == 0) {
                int rc = spec.llm ? ort_build_llm_folder(spec.llm_model, spec.llm_steps, spec.llm_prompt, b.config,
                                                         b.options.engine, b.out)
                                  : ort_build_network_folder(spec.network, b.config, b.out, b.options.l1_budget,
                                                             b.options.engine);
                fflush(nullptr);
                _exit(rc == 0 ? 0 : 1);
            }
            if (pid < 0) {
                fprintf(stderr, "ortigia: sweep: cannot start a build: %s\n", strerror(errno));
                failed_builds++;
                continue;
            }
            building[pid] = &b;
        }
        if (building.empty())
            break;
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR)
            continue;
        auto it = building.find(pid);
        if (it == building.end())
            continue;
        bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        built[it->second->out] = ok;
        if (!ok) {
            failed_builds++;
            fprintf(stderr, "ortigia: sweep: the %s does not compile for %s\n", spec.llm ? "model" : "network",
                    it->second->out.substr(it->second->out.rfind('/') + 1).c_str());
        }
        building.erase(it);
    }
    if (!to_build.empty())
        fprintf(stderr, "ortigia: sweep: built %zu compile configurations (%zu failed) in %.1f s\n",
                to_build.size(), failed_builds,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - build_t0).count());
    const size_t n = spec.points.size();
    /* --resume: a point whose file holds a row for the same parameters is
       done; everything else (re)runs. */
    std::vector<bool> done(n, false);
    for (size_t i = 0; resume && i < n; i++) {
        json_t *row = json_load_file(point_file(dir, i).c_str(), 0, nullptr);
        json_t *want = params_json(spec.points[i]);
        done[i] = row && json_equal(json_object_get(row, "parameters"), want);
        json_decref(want);
        json_decref(row);
    }
    /* A Slurm task or a collect must not remove the other tasks' rows. */
    for (size_t i = 0; !task && !collect && i < n; i++)
        if (!done[i])
            remove(point_file(dir, i).c_str());
    std::map<pid_t, size_t> running;
    std::vector<std::string> why(n);
    if (task) {
        /* A Slurm task: its points, one after another, each in its own
           process (one simulation per process); the submitter merges. */
        FILE *pf = fopen(points_file.c_str(), "r");
        if (!pf) {
            fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", points_file.c_str(), strerror(errno));
            json_decref(root);
            return 2;
        }
        unsigned long idx;
        int bad = 0;
        fflush(nullptr);
        while (fscanf(pf, "%lu", &idx) == 1) {
            if (idx >= n || (compiled && !built[elf_of[idx].substr(0, elf_of[idx].rfind('/'))])) {
                bad = 1;
                continue;
            }
            pid_t pid = fork();
            if (pid == 0)
                run_point(spec, spec.points[idx], idx, elf_of[idx], point_file(dir, idx));
            int status = 0;
            if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
                bad = 1;
        }
        fclose(pf);
        json_decref(root);
        return bad;
    }
    size_t skipped = 0;
    for (bool d : done)
        skipped += d;
    if (slurm && !collect) {
        /* The points not done, in chunks: one array task each. */
        char abs_dir[4096], abs_spec[4096], self[4096];
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (!realpath(dir.c_str(), abs_dir) || !realpath(spec_path[0].c_str(), abs_spec) || len <= 0) {
            fprintf(stderr, "ortigia: error: %s: cannot resolve the paths for Slurm\n", dir.c_str());
            json_decref(root);
            return 2;
        }
        self[len] = 0;
        std::string sdir = std::string(abs_dir) + "/slurm";
        mkdir(sdir.c_str(), 0777);
        std::vector<size_t> todo;
        for (size_t i = 0; i < n; i++)
            if (done[i])
                continue;
            else if (compiled && !built[elf_of[i].substr(0, elf_of[i].rfind('/'))])
                why[i] = spec.llm ? "the model does not compile for this platform"
                                  : "the network does not compile for this platform";
            else
                todo.push_back(i);
        size_t tasks = std::min<size_t>(todo.size(), 64), per = tasks ? (todo.size() + tasks - 1) / tasks : 0;
        tasks = per ? (todo.size() + per - 1) / per : 0;
        for (size_t t = 0; t < tasks; t++) {
            FILE *pf = fopen((sdir + "/points_" + std::to_string(t) + ".txt").c_str(), "w");
            for (size_t k = t * per; pf && k < todo.size() && k < (t + 1) * per; k++)
                fprintf(pf, "%zu\n", todo[k]);
            if (!pf || fclose(pf)) {
                fprintf(stderr, "ortigia: error: %s: cannot write the tasks' point lists\n", sdir.c_str());
                json_decref(root);
                return 2;
            }
        }
        std::string script = sdir + "/task.sh";
        FILE *sf = fopen(script.c_str(), "w");
        if (!sf || fprintf(sf, "#!/bin/sh\n# ortigia sweep: one Slurm array task\nexec '%s' sweep '%s' -o '%s' "
                               "--points '%s/points_'\"$SLURM_ARRAY_TASK_ID\"'.txt'\n",
                           self, abs_spec, abs_dir, sdir.c_str()) < 0 || fclose(sf)) {
            fprintf(stderr, "ortigia: error: %s: cannot write\n", script.c_str());
            json_decref(root);
            return 2;
        }
        chmod(script.c_str(), 0755);
        if (tasks) {
            std::string cmd = "sbatch --parsable --job-name=ortigia-sweep --output='" + sdir + "/task_%a.log'";
            cmd += " --array=0-" + std::to_string(tasks - 1) +
                   (max_parallel ? "%" + std::to_string(max_parallel) : std::string());
            for (auto &o : {std::make_pair("--partition", partition), std::make_pair("--time", time_limit),
                            std::make_pair("--mem", mem)})
                if (!o.second.empty())
                    cmd += std::string(" ") + o.first + "='" + o.second + "'";
            cmd += " '" + script + "' 2>&1";
            FILE *p = popen(cmd.c_str(), "r");
            char out[4096] = "";
            size_t got = p ? fread(out, 1, sizeof out - 1, p) : 0;
            out[got] = 0;
            int rc = p ? pclose(p) : -1;
            long job = atol(out);
            if (rc != 0 || job <= 0) {
                fprintf(stderr, "ortigia: error: sbatch failed: %s\n", out);
                json_decref(root);
                return 2;
            }
            fprintf(stderr, "ortigia: sweep: %zu points as Slurm job %ld (%zu tasks)\n", todo.size(), job, tasks);
            if (no_wait) {
                fprintf(stderr, "ortigia: sweep: collect the rows with: ortigia sweep %s -o %s --collect\n",
                        spec_path[0].c_str(), dir.c_str());
                json_decref(root);
                return 0;
            }
            /* until the job has left the queue */
            for (;;) {
                std::string q = "squeue -h -j " + std::to_string(job) + " 2>/dev/null";
                FILE *sq = popen(q.c_str(), "r");
                char line[512];
                bool any = sq && fgets(line, sizeof line, sq) != nullptr;
                int qrc = sq ? pclose(sq) : -1;
                if (!any || qrc != 0)
                    break;
                usleep(300000);
            }
            for (size_t t = 0; t < tasks; t++)
                for (size_t k = t * per; k < todo.size() && k < (t + 1) * per; k++)
                    why[todo[k]] = "no row from Slurm task " + std::to_string(t) + " (" + sdir + "/task_" +
                                   std::to_string(t) + ".log)";
        }
        for (size_t i = 0; i < n; i++)
            done[i] = true; /* nothing runs here: the rows are merged below */
    }
    if (collect)
        for (size_t i = 0; i < n; i++) {
            if (!done[i])
                why[i] = "no row (the point has not run, or its task failed)";
            done[i] = true;
        }
    size_t next = 0, finished = 0, failed = 0;
    const bool tty = isatty(STDERR_FILENO);
    auto t0 = std::chrono::steady_clock::now();
    auto progress = [&]() {
        if (!tty)
            return;
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        size_t todo = n - skipped;
        double eta = finished ? t / (double)finished * (double)(todo - finished) : 0;
        fprintf(stderr, "\rortigia: sweep: %zu/%zu points done, %zu failed, ETA %.0f s\033[K",
                finished + skipped, n, failed, eta);
        fflush(stderr);
    };
    /* the power model parsed once, here, for every point's process */
    ort_power_preload(ort_power_default_model());
    fflush(nullptr); /* nothing buffered is written twice by the children */
    while (next < n || !running.empty()) {
        while (next < n && running.size() < jobs) {
            size_t i = next++;
            if (done[i])
                continue;
            if (compiled && !built[elf_of[i].substr(0, elf_of[i].rfind('/'))]) {
                why[i] = spec.llm ? "the model does not compile for this platform"
                                  : "the network does not compile for this platform";
                finished++;
                failed++;
                continue;
            }
            pid_t pid = fork();
            if (pid == 0)
                run_point(spec, spec.points[i], i, elf_of[i], point_file(dir, i));
            if (pid < 0) {
                why[i] = std::string("cannot start a process: ") + strerror(errno);
                finished++;
                failed++;
                continue;
            }
            running[pid] = i;
        }
        if (running.empty())
            break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR)
            continue;
        auto it = running.find(pid);
        if (it == running.end())
            continue;
        size_t i = it->second;
        running.erase(it);
        finished++;
        if (WIFSIGNALED(status))
            why[i] = "the point's process was killed by signal " + std::to_string(WTERMSIG(status));
        else if (WEXITSTATUS(status))
            why[i] = "the point's process could not write its result";
        if (!why[i].empty())
            failed++;
        progress();
    }
    std::vector<json_t *> rows;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *row = load_row(point_file(dir, i), i, spec.points[i],
                               why[i].empty() ? "no result" : why[i].c_str());
        const char *status = json_string_value(json_object_get(row, "status"));
        ok += status && !strcmp(status, "ok");
        rows.push_back(row);
    }
    bool written = write_results(dir, spec, rows) && write_report_html(dir, spec, rows);
    for (json_t *r : rows)
        json_decref(r);
    json_decref(root);
    if (tty)
        fprintf(stderr, "\r\033[K");
    fprintf(stderr, "ortigia: sweep: %zu points, %zu ok, %zu not (%zu reused); %s/results.csv\n", n,
            ok, n - ok, skipped, dir.c_str());
    if (!written) {
        fprintf(stderr, "ortigia: error: cannot write %s/results.csv or results.jsonl\n", dir.c_str());
        return 2;
    }
    return ok == n ? 0 : 1;
}
