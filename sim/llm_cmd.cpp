// `ortigia llm`: a llama2.c checkpoint, decoded greedily on the simulated
// MCU (quantized by compiler/llm_quant.h, its token loop in
// firmware/harness/llm.c), or on the host references (the float32 model of
// compiler/llama_ref.h, the integer model). The figures and their writers
// are sim/llm_report.h. Bad input: status 2 and the message.
#include "nn_cmd.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "options.h"
#include "run.h"
#include "elf_loader.h"
#include "platform_map.h"
#include "session.h"

#include <jansson.h>

extern "C" {
#include "llm_report.h"
#include "llama2c.h"
#include "llama_default.h"
#include "llama_ref.h"
#include "llm_quant.h"
#include "codegen.h"
#include "ir.h"
}

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstring>

namespace {

const char *llm_usage()
{
    return "usage: ortigia llm [MODEL.bin | --model MODEL.bin] [--tokens N | --steps N]\n"
           "                   [--prompt-ids 1,2,3 | --prompt-len N]\n"
           "                   [--json FILE] [--report FILE.html] [-o DIR] [--engine auto|cluster|npu]\n"
           "                   [--config FILE] [--set KEY=VALUE]... [--max-cycles N] [--tokenizer FILE]\n"
           "       ortigia llm --reference float|int [MODEL.bin] [--tokens N | --steps N]\n"
           "                   [--prompt-ids 1,2,3 | --prompt-len N]\n"
           "\n"
           "Greedy decoding (temperature 0) of a llama2.c checkpoint (legacy or version 1\n"
           "float32 .bin), quantized to int8 and run on the simulated MCU: the whole token\n"
           "loop on the device, each position a power region. Without MODEL.bin: the\n"
           "embedded default model (microLlama's shape, 512 tokens, context 256,\n"
           "deterministic weights: meaningless text).\n"
           "  --tokens N         tokens to generate after the prompt\n"
           "  --steps N          positions in all, the prompt's included, 1..seq_len\n"
           "                     (default 256, at most the model's seq_len)\n"
           "  --prompt-ids LIST  the sequence's first token ids, comma-separated (start with\n"
           "                     1, BOS, as run.c's encoder does); default: BOS alone.\n"
           "                     --prompt-tokens is the same\n"
           "  --prompt-len N     a prompt of N ids: BOS and the float model's greedy\n"
           "                     continuation from it (repeated if it ends early)\n"
           "  --json FILE        the figures as JSON: per mode, per position, per component\n"
           "  --report FILE      an HTML report: latency and energy per position, the layers\n"
           "  -o DIR             keep the quantized model, the sources and llm.elf\n"
           "  --engine E         auto (default): each step on the engine the cost model prefers;\n"
           "                     npu: every step the NPU can compute on it, the rest on the cores;\n"
           "                     cluster: every step on the cores\n"
           "  --reference float  the float32 host model (llama2.c run.c's tokens)\n"
           "  --reference int    the host integer model (the device's tokens, bit for bit)\n"
           "  --tokenizer FILE   a llama2.c tokenizer.bin: print the text too\n"
           "  --logits-digest    a `logits:` line: each position's logits digest (FNV-1a of\n"
           "                     the int32 logits), to compare the device with --reference int\n"
           "Prints `tokens: ` and the generated ids (then `text: ` and the sequence's\n"
           "text with --tokenizer) on stdout; the figures (cycles/token, uJ/token per\n"
           "mode) on stderr. Generation stops early when the model produces BOS.\n"
           "A prompt of 2+ ids runs in prompt mode: its positions in one prefill pass\n"
           "that fills the KV cache, then a step per generated token.\n";
}

/* "1,2,3" into ids; false with a message naming the bad item. */
bool parse_ids(const std::string &s, std::vector<int> *ids)
{
    size_t at = 0;
    while (at <= s.size()) {
        size_t comma = s.find(',', at);
        std::string item = s.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        char *end = nullptr;
        errno = 0;
        long v = item.empty() ? -1 : strtol(item.c_str(), &end, 10);
        if (item.empty() || *end || errno || v < 0 || v > 0x7fffffff || item[0] == '+' || item[0] == '-') {
            fprintf(stderr, "ortigia: error: --prompt-ids needs token ids separated by commas, got '%s' "
                    "(bad item '%s')\n", s.c_str(), item.c_str());
            return false;
        }
        ids->push_back((int)v);
        if (comma == std::string::npos)
            break;
        at = comma + 1;
    }
    return true;
}

/* A network's layers (each decoder layer, the head) and steps: names,
 * engines and estimates from the compiler's report; the cycles from a
 * profiled run (profile_layers). */
struct LlmBreakdown {
    std::vector<ort_llm_layer> layers;
    std::vector<ort_llm_step> steps; /* steps[i].layer: an index of layers */
};

/* What a build of the model for the device made: the compiler's report
 * and the sizes of the token loop's tables. */
struct LlmBuild {
    int64_t l1_used = 0, l2_used = 0, wmem_used = 0;
    int steps = 0, npu_steps = 0;
    LlmBreakdown step_net, prefill_net; /* the layers and steps of each network */
};

std::string layer_of(const char *step_name);
uint32_t le32(const uint8_t *p);

/* The layers and steps of a compiled network, from its report: the
 * steps before the first decoder layer's are the "input" (the mask, the
 * rotary tables, the prompt's rows), those after the last the "head". */
void describe_network(const ort_codegen_report &rep, LlmBreakdown *out)
{
    bool in_layers = false;
    for (int i = 0; i < rep.steps && rep.step_names; i++) {
        std::string name = layer_of(rep.step_names[i]);
        in_layers = in_layers || name != "head";
        if (!in_layers)
            name = "input";
        size_t k = 0;
        while (k < out->layers.size() && name != out->layers[k].name)
            k++;
        if (k == out->layers.size()) {
            ort_llm_layer l{};
            snprintf(l.name, sizeof l.name, "%s", name.c_str());
            out->layers.push_back(l);
        }
        out->layers[k].steps++;
        out->layers[k].npu_steps += rep.step_engines && !strcmp(rep.step_engines[i], "npu");
        ort_llm_step st{};
        snprintf(st.name, sizeof st.name, "%s", rep.step_names[i]);
        snprintf(st.engine, sizeof st.engine, "%s", rep.step_engines ? rep.step_engines[i] : "");
        st.layer = (int)k;
        st.estimated = rep.step_estimates ? rep.step_estimates[i] : 0;
        out->steps.push_back(st);
    }
}

/* Each step's cycles from the profiled program's `symbol`, summed into
 * its layer, then the rest of `total` (the harness's work around the
 * network) as one more layer named `rest`. False when the symbol cannot
 * be read. */
bool measure_network(const OrtSession &s, const char *symbol, uint64_t total, const char *rest, LlmBreakdown *net)
{
    std::vector<uint8_t> c;
    if (!s.read_symbol(symbol, 4 * net->steps.size(), &c))
        return false;
    uint64_t network = 0;
    for (size_t i = 0; i < net->steps.size(); i++) {
        uint32_t v = le32(&c[4 * i]);
        net->steps[i].cycles = v;
        net->layers[(size_t)net->steps[i].layer].cycles += v;
        network += v;
    }
    ort_llm_layer loop{};
    snprintf(loop.name, sizeof loop.name, "%s", rest);
    loop.cycles = total > network ? total - network : 0;
    net->layers.push_back(loop);
    return true;
}

/* "l3.q.acc (MatMul)" is layer 3's, and so are its keys and values "k3",
 * "v3" ("v3.transpose (Transpose)"); the rest (the final norm, the
 * classifier) is the head's. */
std::string layer_of(const char *step_name)
{
    int l = 0, used = 0;
    if (sscanf(step_name, "l%d.%n", &l, &used) == 1 && used > 0)
        return "layer " + std::to_string(l);
    if ((step_name[0] == 'k' || step_name[0] == 'v') && isdigit((unsigned char)step_name[1]) &&
        sscanf(step_name + 1, "%d%n", &l, &used) == 1 &&
        (step_name[1 + used] == '.' || step_name[1 + used] == ' ' || step_name[1 + used] == 0))
        return "layer " + std::to_string(l);
    return "head";
}

/* Prompt mode: the prompt's length when it runs as one prefill pass (2+
 * ids, within the steps), else 0. */
int llm_prefill_len(const std::vector<int> &prompt, int steps)
{
    return prompt.size() >= 2 && (int)prompt.size() <= steps ? (int)prompt.size() : 0;
}

/* A prompt of n ids, made deterministically: BOS, then the float model's
 * greedy continuation from it (repeated if it ends early). False after
 * the message. */
bool make_prompt(const ort_llama_model &m, int n, std::vector<int> *prompt)
{
    std::vector<int> fl((size_t)n);
    int nf = 0;
    ort_diag d{};
    if (n > 1 && ort_llama_generate(&m, nullptr, 0, n - 1, fl.data(), &nf, &d) != 0) {
        fprintf(stderr, "ortigia: error: --prompt-len %d: %s\n", n, d.msg);
        return false;
    }
    prompt->assign(1, ORT_LLAMA_BOS);
    for (int k = 1; k < n; k++)
        prompt->push_back(nf ? fl[(size_t)(k - 1) % (size_t)nf] : ORT_LLAMA_BOS + 1);
    return true;
}

/* The model quantized over `steps` positions, its step compiled with the
 * token-loop harness into dir/llm.elf for the configuration's platform
 * (with `profile`, stamping each step's cycles); false with d set. */
bool build_llm(const ort_llama_model &m, const std::vector<int> &prompt, int steps, const std::string &dir,
               const ort_config &config, ort_engine engine, ort_diag *d, LlmBuild *out = nullptr,
               bool profile = false, bool digest = false)
{
    ort_llm_q q{};
    ort_graph *g = nullptr, *pg = nullptr;
    bool ok = false;
    const ort_target target = ort_target_of_config(config);
    ort_target ptarget = target; /* the prefill's: L2 beside the step network's */
    ort_codegen_options co{}, po{};
    ort_codegen_report rep{}, prep{};
    const int prefill = llm_prefill_len(prompt, steps);
    std::string dir_flag = "-I" + dir, elf = dir + "/llm.elf";
    std::vector<std::string> srcs = {dir + "/network.c", dir + "/main.c", dir + "/weights.S", dir + "/inputs.S",
                                     dir + "/llm_tables.S"};
    std::vector<const char *> src_ptrs;
    /* with `digest`: each position's logits digest, for the comparison
       with the host integer model (--logits-digest) */
    std::string l1_flag;
    const char *cflags[] = {dir_flag.c_str(), nullptr, "-DLLM_LOGITS_DIGEST"};
    ort_cross_build b{};
    if (ort_target_check(&target, d) || ort_llm_quantize_prefill(&m, steps, prefill, dir.c_str(), &q, d) ||
        !(g = ort_llm_step_graph(&q, d)) || (prefill && !(pg = ort_llm_prefill_graph(&q, d))))
        goto out;
    co.outdir = dir.c_str();
    co.target = &target;
    co.l1_budget = ort_target_default_l1_budget(&target);
    co.engine = engine;
    co.engine_where_possible = true; /* --engine npu: the attention's products stay on the cores */
    co.firmware_dir = ort_firmware_src();
    co.harness = "llm";
    co.profile = profile;
    /* The prefill runs once, before the first step: the two networks
       share their L1 (each may use the whole budget). */
    co.l1_shared = "ort_llm_l1";
    if (ort_codegen(g, &co, &rep, d))
        goto out;
    if (prefill) {
        po = co;
        po.name = "prefill";
        /* both networks' L2 data stay in L2 (only their L1 is shared):
           the prefill's check counts the step's too, so that a program
           too large for L2 is named here, not by the linker */
        ptarget.l2_reserved_bytes += (rep.activations_in_l1 ? 0 : rep.l2_peak) + rep.l2_io_bytes;
        po.target = &ptarget;
        if (ort_codegen(pg, &po, &prep, d))
            goto out;
        srcs.push_back(dir + "/prefill.c");
        srcs.push_back(dir + "/prefill_weights.S");
        srcs.push_back(dir + "/prefill_inputs.S");
    }
    if (ort_llm_write_device_files(&q, dir.c_str(), prompt.data(), (int)prompt.size(), steps, d))
        goto out;
    if (out) {
        out->steps = rep.steps;
        out->npu_steps = rep.npu_steps;
        describe_network(rep, &out->step_net);
        if (prefill)
            describe_network(prep, &out->prefill_net);
    }
    for (const std::string &s : srcs)
        src_ptrs.push_back(s.c_str());
    b.sources = src_ptrs.data();
    b.n_sources = (int)src_ptrs.size();
    {
        int64_t l1 = ort_codegen_l1_bytes(&rep);
        if (prefill && ort_codegen_l1_bytes(&prep) > l1)
            l1 = ort_codegen_l1_bytes(&prep);
        l1_flag = "-DLLM_L1_BYTES=" + std::to_string(l1);
        cflags[1] = l1_flag.c_str();
    }
    b.cflags = cflags;
    b.n_cflags = digest ? 3 : 2;
    b.out_elf = elf.c_str();
    b.obj_dir = dir.c_str();
    b.fw_src = ort_firmware_src();
    b.fw_lib = ort_firmware_lib();
    b.target = &target;
    ok = ort_cross_compile(&b, d) == 0;
    if (ok && out) {
        /* the program's static use of each memory, from its ELF: code,
           data, the networks' buffers, the harness's, and the stacks the
           link reserves */
        ort_elf_image img{};
        char err[256];
        ok = ort_elf_load(elf.c_str(), &img, err, sizeof err);
        if (!ok) {
            ort_fail(d, "%s", err);
            goto out;
        }
        out->l1_used = (int64_t)(ort_elf_bytes_in(&img, ORT_L1_BASE, config.l1_size) + ort_elf_l1_stack_bytes(&img));
        out->l2_used = (int64_t)(ort_elf_bytes_in(&img, ORT_L2_BASE, config.l2_size) + ort_elf_l2_stack_bytes(&img));
        out->wmem_used = (int64_t)ort_elf_bytes_in(&img, ORT_WMEM_BASE, config.wmem_size);
        ort_elf_free(&img);
    }
out:
    free(rep.step_names);
    free(rep.step_estimates);
    free(rep.step_engines);
    free(prep.step_names);
    free(prep.step_estimates);
    free(prep.step_engines);
    if (g)
        ort_graph_free(g);
    if (pg)
        ort_graph_free(pg);
    ort_llm_q_free(&q);
    return ok;
}

uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The positions the program has finished: in prompt mode the prefill's
 * (ort_llm_prefill_cycles set), then the steps' up to the first zero in
 * ort_llm_cycles. */
int positions_done(const OrtSession &s, int steps, int prefill)
{
    std::vector<uint8_t> c, p;
    if (!s.read_symbol("ort_llm_cycles", 4 * (size_t)steps, &c))
        return 0;
    int k = 0;
    if (prefill) {
        if (!s.read_symbol("ort_llm_prefill_cycles", 4, &p) || !le32(p.data()))
            return 0;
        k = prefill;
    }
    while (k < steps && le32(&c[4 * (size_t)k]))
        k++;
    return k;
}

/* Writes n records of vec (a count, then the records) to fd. */
template <class T> bool write_records(int fd, const std::vector<T> &vec)
{
    uint32_t n = (uint32_t)vec.size();
    ssize_t bytes = (ssize_t)(n * sizeof(T));
    return write(fd, &n, sizeof n) == (ssize_t)sizeof n && (!n || write(fd, vec.data(), (size_t)bytes) == bytes);
}

/* Reads what write_records wrote (a pipe: reads may come in pieces). */
template <class T> bool read_records(int fd, std::vector<T> *vec)
{
    auto read_all = [fd](void *p, size_t len) {
        for (size_t got = 0; got < len;) {
            ssize_t r = read(fd, (char *)p + got, len - got);
            if (r <= 0)
                return false;
            got += (size_t)r;
        }
        return true;
    };
    uint32_t n = 0;
    if (!read_all(&n, sizeof n) || n > 100000)
        return false;
    vec->resize(n);
    return read_all(vec->data(), n * sizeof(T));
}

/* Each layer's and each step's cycles in one position (and in the prefill
 * pass, in prompt mode), from a build that stamps every step's cycles
 * (dir/profile), run in a child process (a process holds one simulation)
 * until its first position ends. False when it cannot. */
bool profile_layers(const ort_llama_model &m, const std::vector<int> &prompt, int steps, const std::string &dir,
                    const ort_config &config, ort_engine engine, LlmBreakdown *step_net,
                    LlmBreakdown *prefill_net)
{
    int fds[2];
    if (pipe(fds))
        return false;
    fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::string pdir = dir + "/profile";
        ort_diag d{};
        LlmBuild built;
        std::string err;
        OrtSessionOptions so;
        so.config = config;
        so.uart = fopen("/dev/null", "w");
        so.max_cycles = 4000000000ull;
        std::unique_ptr<OrtSession> s;
        bool ok = (mkdir(pdir.c_str(), 0777) == 0 || errno == EEXIST) &&
                  build_llm(m, prompt, steps, pdir, config, engine, &d, &built, true) &&
                  (s = OrtSession::create(so, &err)) && s->load(pdir + "/llm.elf", &err);
        /* the first step: position 0, or the first after the prefill */
        const int pre = llm_prefill_len(prompt, steps);
        OrtStop stop = OrtStop::Paused;
        for (uint64_t until = 1000000; ok && stop == OrtStop::Paused && positions_done(*s, steps, pre) <= pre;
             until += 1000000)
            stop = s->run(until);
        ok = ok && positions_done(*s, steps, pre) > pre;
        std::vector<uint8_t> first, pc;
        ok = ok && s->read_symbol("ort_llm_cycles", 4 * (size_t)(pre + 1), &first) &&
             measure_network(*s, "ort_step_cycles", le32(&first[4 * (size_t)pre]), "token loop", &built.step_net);
        if (ok && pre)
            ok = s->read_symbol("ort_llm_prefill_cycles", 4, &pc) &&
                 measure_network(*s, "prefill_step_cycles", le32(pc.data()), "prefill loop", &built.prefill_net);
        ok = ok && write_records(fds[1], built.step_net.layers) && write_records(fds[1], built.step_net.steps) &&
             write_records(fds[1], built.prefill_net.layers) && write_records(fds[1], built.prefill_net.steps);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return false;
    }
    bool got = read_records(fds[0], &step_net->layers) && read_records(fds[0], &step_net->steps) &&
               read_records(fds[0], &prefill_net->layers) && read_records(fds[0], &prefill_net->steps);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *step_net = LlmBreakdown();
        *prefill_net = LlmBreakdown();
        return false;
    }
    return !step_net->layers.empty();
}

/* What a device run gave: the generated ids, the spans (power regions)
 * with their energy, the components' energy per mode, the run's totals. */
struct LlmDeviceRun {
    std::vector<int> tokens;
    std::vector<uint32_t> digests; /* with --logits-digest: each position's */
    std::vector<ort_llm_span> spans;
    std::vector<ort_llm_component> components;
    LlmBuild build;
    LlmBreakdown measured, measured_prefill; /* with --json or --report */
    uint64_t run_cycles = 0;
    double energy_j = 0, energy_low_j = 0, energy_high_j = 0, frequency_mhz = 0, wall_s = 0;
};

/* The model on the simulated MCU: quantized, its step compiled with the
 * token-loop harness (firmware/harness/llm.c), run with a progress line
 * on a terminal. 0, or an exit status after the message. */
int run_on_device(const ort_llama_model &m, const std::vector<int> &prompt, int steps, const std::string &keep_dir,
                  const ort_config &config, ort_engine engine, uint64_t max_cycles, bool layers, bool digest,
                  LlmDeviceRun *out)
{
    char tmpl[] = "/tmp/ortigia-llm-XXXXXX";
    std::string dir = keep_dir;
    if (dir.empty()) {
        if (!mkdtemp(tmpl)) {
            fprintf(stderr, "ortigia: error: cannot create a temporary folder\n");
            return 2;
        }
        dir = tmpl;
    }
    ort_diag d{};
    int status = 2;
    std::string err;
    std::unique_ptr<OrtSession> s;
    OrtSessionOptions so;
    so.config = config;
    so.energy = true; /* each position is a region */
    so.max_cycles = max_cycles;
    so.uart = stderr;
    if (!build_llm(m, prompt, steps, dir, config, engine, &d, &out->build, false, digest)) {
        fprintf(stderr, "ortigia: error: the quantized model does not build for this platform: %s\n", d.msg);
        goto done;
    }
    if (layers && !profile_layers(m, prompt, steps, dir, config, engine, &out->measured, &out->measured_prefill))
        fprintf(stderr, "ortigia: warning: the layers' cycles could not be measured (the profiled build)\n");
    if (!(s = OrtSession::create(so, &err)) || !s->load(dir + "/llm.elf", &err)) {
        fprintf(stderr, "ortigia: error: %s\n", err.c_str());
        goto done;
    }
    {
        const bool tty = isatty(STDERR_FILENO);
        const uint64_t chunk = 8000000; /* about half a second of simulation */
        auto t0 = std::chrono::steady_clock::now();
        uint64_t until = chunk;
        while (s->run(until) == OrtStop::Paused) {
            if (tty) {
                double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                int done_pos = positions_done(*s, steps, llm_prefill_len(prompt, steps));
                fprintf(stderr, "\rortigia: llm: %d/%d positions, %.1f M simulated cycles/s, ETA %.0f s\033[K",
                        done_pos, steps, t > 0 ? (double)until / t / 1e6 : 0.0,
                        done_pos ? t / done_pos * (steps - done_pos) : 0.0);
                fflush(stderr);
            }
            until += chunk;
        }
        if (tty)
            fprintf(stderr, "\r\033[K");
    }
    {
        const OrtRunResult &r = s->result();
        if (r.stop != OrtStop::Halted || r.status != 0) {
            for (const std::string &line : r.diagnostics)
                fprintf(stderr, "%s\n", line.c_str());
            fprintf(stderr, "ortigia: error: the model's program did not end normally (%s, status %d)\n",
                    r.reason, r.status);
            status = r.status ? r.status : 1;
            goto done;
        }
        out->run_cycles = r.cycles;
        out->frequency_mhz = r.frequency_mhz;
        out->wall_s = r.wall_s;
        if (r.energy) {
            out->energy_j = r.energy->total_j;
            out->energy_low_j = r.energy->total_low_j;
            out->energy_high_j = r.energy->total_high_j;
            for (unsigned i = 0; i < r.energy->n; i++) {
                ort_llm_component c{};
                snprintf(c.name, sizeof c.name, "%s", r.energy->activity[i].name);
                out->components.push_back(c);
            }
        }
        std::vector<uint8_t> cnt, ids;
        std::vector<uint8_t> dg;
        if (digest && s->read_symbol("ort_llm_logits_digest", 4 * (size_t)steps, &dg))
            for (int k = 0; k < steps; k++)
                out->digests.push_back(le32(&dg[4 * (size_t)k]));
        if (!s->read_symbol("ort_llm_count", 4, &cnt) || !s->read_symbol("ort_llm_tokens", 4 * (size_t)steps, &ids)) {
            fprintf(stderr, "ortigia: error: the model's program has no ort_llm_count or ort_llm_tokens\n");
            goto done;
        }
        /* the prompt's ids after the first are fed, not generated */
        int fed = prompt.size() > 1 ? (int)prompt.size() - 1 : 0;
        for (uint32_t k = (uint32_t)fed; k < le32(cnt.data()) && k < (uint32_t)steps; k++)
            out->tokens.push_back((int)le32(&ids[4 * (size_t)k]));
        /* Each region is a position ("prompt token", "token") or a pass
           over the prompt's ("prefill"). */
        int position = 0;
        for (const ort_power_region &rg : r.regions.list) {
            if (rg.depth || !rg.report)
                continue;
            ort_llm_span sp{};
            bool prefill = !strcmp(rg.label, "prefill");
            sp.first_position = position;
            sp.positions = prefill ? (int)prompt.size() : 1;
            sp.mode = prefill || !strcmp(rg.label, "prompt token") ? ORT_LLM_PROMPT : ORT_LLM_AUTOREGRESSIVE;
            sp.begin = rg.begin;
            sp.cycles = rg.end - rg.begin;
            sp.energy_j = rg.report->total_j;
            sp.energy_low_j = rg.report->total_low_j;
            sp.energy_high_j = rg.report->total_high_j;
            for (unsigned i = 0; i < rg.report->n && i < out->components.size(); i++)
                out->components[i].energy_j[sp.mode] += rg.report->energy[i].total_j;
            out->spans.push_back(sp);
            position += sp.positions;
        }
    }
    status = 0;
done:
    if (keep_dir.empty()) {
        std::string rm = "rm -rf '" + dir + "'";
        if (system(rm.c_str()) != 0)
            fprintf(stderr, "ortigia: warning: could not remove %s\n", dir.c_str());
    }
    return status;
}

} // namespace

int ort_build_llm_folder(const std::string &model_path, int steps, const std::vector<int> &prompt,
                         const ort_config &config, const std::string &engine, const std::string &outdir)
{
    ort_diag d{};
    ort_llama_model m;
    if (model_path.empty() ? ort_llama_default(&m, &d) != 0 : ort_llama_load(model_path.c_str(), &m, &d) != 0) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        return 2;
    }
    if (mkdir(outdir.c_str(), 0777) && errno != EEXIST) {
        fprintf(stderr, "ortigia: error: %s: cannot create: %s\n", outdir.c_str(), strerror(errno));
        ort_llama_free(&m);
        return 2;
    }
    ort_engine e = engine == "npu" ? ORT_ENGINE_NPU : engine == "cluster" ? ORT_ENGINE_CLUSTER : ORT_ENGINE_AUTO;
    bool ok = steps >= 1 && steps <= m.cfg.seq_len && build_llm(m, prompt, steps, outdir, config, e, &d);
    if (!ok)
        fprintf(stderr, "ortigia: error: %s\n", steps < 1 || steps > m.cfg.seq_len ? "llm steps out of the model's context" : d.msg);
    ort_llama_free(&m);
    return ok ? 0 : 2;
}

int ort_cmd_llm(int argc, char **argv)
{
    std::string reference_kind;
    uint64_t steps = 0, tokens = 0;
    std::string prompt_text, tokenizer_path, keep_dir, model_path, json_path, report_path;
    bool logits_digest = false;
    std::vector<uint32_t> digests; /* with --logits-digest: each position's, 0 where none */
    uint64_t prompt_len = 0;
    OrtPlatformOptions platform;
    int engine = 0;
    std::vector<OrtOption> table = {
        {"--reference", nullptr, OrtOption::STRING, &reference_kind},
        {"--model", nullptr, OrtOption::STRING, &model_path},
        OrtOption::count("--steps", &steps, 1, "a positive number of positions"),
        OrtOption::count("--tokens", &tokens, 1, "a positive number of tokens"),
        {"--prompt-ids", nullptr, OrtOption::STRING, &prompt_text},
        {"--prompt-tokens", nullptr, OrtOption::STRING, &prompt_text},
        OrtOption::count("--prompt-len", &prompt_len, 1, "a positive number of prompt ids"),
        {"--tokenizer", nullptr, OrtOption::STRING, &tokenizer_path},
        {"-o", nullptr, OrtOption::STRING, &keep_dir},
        {"--json", nullptr, OrtOption::STRING, &json_path},
        {"--logits-digest", nullptr, OrtOption::FLAG, &logits_digest},
        {"--report", nullptr, OrtOption::STRING, &report_path},
        /* In enum ort_engine's order. */
        OrtOption::choice("--engine", &engine, {"auto", "cluster", "npu"}),
    };
    ort_platform_options(&table, &platform);
    std::vector<std::string> model;
    int st = ort_parse_options("llm", llm_usage(), argc, argv, table, &model, 1, "model");
    if (st >= 0)
        return st;
    if (!model_path.empty()) {
        if (!model.empty()) {
            fprintf(stderr, "ortigia: error: two models: %s and --model %s\n", model[0].c_str(), model_path.c_str());
            return 2;
        }
        model.push_back(model_path);
    }
    if (!reference_kind.empty() && reference_kind != "float" && reference_kind != "int") {
        fprintf(stderr, "ortigia: error: --reference %s: float (the float32 model) or int (the int8 model "
                        "Ortigia quantizes)\n", reference_kind.c_str());
        return 2;
    }
    if (logits_digest && reference_kind == "float") {
        fprintf(stderr, "ortigia: error: --logits-digest compares the int8 model's logits: on the device or "
                        "with --reference int\n");
        return 2;
    }
    if (steps && tokens) {
        fprintf(stderr, "ortigia: error: --steps and --tokens: give one (positions in all, or tokens to "
                        "generate after the prompt)\n");
        return 2;
    }
    if (!reference_kind.empty() && (!json_path.empty() || !report_path.empty())) {
        fprintf(stderr, "ortigia: error: --json and --report describe a run on the simulated MCU, not "
                        "--reference %s\n", reference_kind.c_str());
        return 2;
    }
    std::vector<int> prompt;
    if (!prompt_text.empty() && !parse_ids(prompt_text, &prompt))
        return 2;
    if (prompt_len && !prompt_text.empty()) {
        fprintf(stderr, "ortigia: error: --prompt-len %llu: give --prompt-ids or --prompt-len, not both\n",
                (unsigned long long)prompt_len);
        return 2;
    }
    /* before a run of minutes, not after it */
    for (const std::string *path : {&json_path, &report_path}) {
        size_t slash = path->rfind('/');
        std::string folder = slash == std::string::npos ? "." : slash ? path->substr(0, slash) : "/";
        if (!path->empty() && access(folder.c_str(), W_OK) != 0) {
            fprintf(stderr, "ortigia: error: %s: cannot write there: %s\n", path->c_str(), strerror(errno));
            return 2;
        }
    }

    ort_diag d{};
    ort_llama_model m;
    if (model.empty() ? ort_llama_default(&m, &d) != 0 : ort_llama_load(model[0].c_str(), &m, &d) != 0) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        return 2;
    }
    int status = 2;
    ort_llama_tokenizer tok{};
    std::vector<int> out;
    int n = 0;
    const bool prompt_made = !prompt_len || make_prompt(m, (int)prompt_len, &prompt);
    /* the prompt's ids after the first are fed to the model, not generated */
    const int fed = prompt.size() > 1 ? (int)prompt.size() - 1 : 0;
    if (!prompt_made)
        goto done;
    for (size_t i = 0; i < prompt.size(); i++)
        if (prompt[i] >= m.cfg.vocab_size) {
            fprintf(stderr, "ortigia: error: --prompt-ids: id %d (item %zu) is outside the model's vocabulary "
                            "of %d\n", prompt[i], i + 1, m.cfg.vocab_size);
            goto done;
        }
    if (tokens)
        steps = (uint64_t)fed + tokens;
    if (steps > (uint64_t)m.cfg.seq_len) {
        fprintf(stderr, "ortigia: error: %s %llu: the model's context is %d positions%s\n",
                tokens ? "--tokens" : "--steps", (unsigned long long)(tokens ? tokens : steps), m.cfg.seq_len,
                tokens && fed ? " (the prompt takes some)" : "");
        goto done;
    }
    if (steps == 0)
        steps = m.cfg.seq_len < 256 ? (uint64_t)m.cfg.seq_len : 256; /* run.c's default */
    if (steps <= (uint64_t)fed) {
        fprintf(stderr, "ortigia: error: --steps %llu: the prompt has %zu ids, so nothing would be generated "
                        "(give more positions, or --tokens)\n", (unsigned long long)steps, prompt.size());
        goto done;
    }
    if (!tokenizer_path.empty() &&
        ort_llama_tokenizer_load(tokenizer_path.c_str(), m.cfg.vocab_size, &tok, &d) != 0) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        goto done;
    }
    out.resize(steps);
    if (reference_kind.empty()) {
        ort_config config;
        ort_config_defaults(&config);
        if (!ort_config_apply(&config, platform.config_path, platform.sets))
            goto done;
        LlmDeviceRun run;
        status = run_on_device(m, prompt, (int)steps, keep_dir, config, (ort_engine)engine,
                               platform.max_cycles ? platform.max_cycles : 4000000000ull,
                               !report_path.empty() || !json_path.empty(), logits_digest, &run);
        if (status)
            goto done;
        status = 2;
        digests = run.digests;
        /* out holds the ids after the first, as the references give them */
        n = 0;
        for (int i = 0; i < fed && i < (int)steps; i++)
            out[(size_t)n++] = prompt[(size_t)i + 1];
        for (int id : run.tokens)
            if (n < (int)steps)
                out[(size_t)n++] = id;
        std::string name = model.empty() ? std::string("the embedded default model") : model[0];
        ort_llm_result res{};
        res.model = name.c_str();
        res.layers = m.cfg.n_layers;
        res.dim = m.cfg.dim;
        res.heads = m.cfg.n_heads;
        res.kv_heads = m.cfg.n_kv_heads;
        res.vocab = m.cfg.vocab_size;
        res.context = (int)steps;
        res.frequency_mhz = run.frequency_mhz;
        std::vector<int> bos_prompt = prompt.empty() ? std::vector<int>{ORT_LLAMA_BOS} : prompt;
        res.prompt = bos_prompt.data();
        res.n_prompt = (int)bos_prompt.size();
        res.tokens = run.tokens.data();
        res.n_tokens = (int)run.tokens.size();
        res.spans = run.spans.data();
        res.n_spans = (int)run.spans.size();
        res.components = run.components.data();
        res.n_components = (int)run.components.size();
        res.step_net = {run.measured.layers.data(), (int)run.measured.layers.size(), run.measured.steps.data(),
                        (int)run.measured.steps.size()};
        res.prefill_net = {run.measured_prefill.layers.data(), (int)run.measured_prefill.layers.size(),
                           run.measured_prefill.steps.data(), (int)run.measured_prefill.steps.size()};
        res.memory[0] = {"L1", run.build.l1_used, config.l1_size};
        res.memory[1] = {"L2", run.build.l2_used, config.l2_size};
        res.memory[2] = {"weight memory", run.build.wmem_used, config.wmem_size};
        res.steps = run.build.steps;
        res.npu_steps = run.build.npu_steps;
        res.run_cycles = run.run_cycles;
        res.run_energy_j = run.energy_j;
        res.run_energy_low_j = run.energy_low_j;
        res.run_energy_high_j = run.energy_high_j;
        res.wall_s = run.wall_s;
        ort_llm_print_summary(stderr, &res);
        char err[512];
        if ((!json_path.empty() && !ort_llm_write_json(json_path.c_str(), &res, err, sizeof err)) ||
            (!report_path.empty() && !ort_llm_write_html(report_path.c_str(), &res, err, sizeof err))) {
            fprintf(stderr, "ortigia: error: %s\n", err);
            goto done;
        }
    } else if (reference_kind == "float") {
        if (ort_llama_generate(&m, prompt.data(), (int)prompt.size(), (int)steps, out.data(), &n, &d) != 0) {
            fprintf(stderr, "ortigia: error: %s\n", d.msg);
            goto done;
        }
    } else {
        /* Quantized over the positions asked for, in a scratch folder; the
           int8 model generates, then is compared with the float one under
           teacher forcing on the float model's own greedy sequence. */
        char dir[] = "/tmp/ortigia-llm-XXXXXX";
        ort_llm_q q{};
        if (!mkdtemp(dir)) {
            fprintf(stderr, "ortigia: error: cannot create a temporary folder\n");
            goto done;
        }
        const int pre = llm_prefill_len(prompt, (int)steps); /* prompt mode, as on the device */
        int ok = ort_llm_quantize_prefill(&m, (int)steps, pre, dir, &q, &d) == 0 &&
                 ort_llm_int_generate(&q, prompt.data(), (int)prompt.size(), (int)steps, nullptr, 0, out.data(),
                                      &n, logits_digest ? (digests.assign(steps, 0u), digests.data()) : nullptr,
                                      &d) == 0;
        if (ok) {
            std::vector<int> fl(steps), forced(steps), top(steps);
            int nf = 0, nt = 0;
            ok = ort_llama_generate(&m, nullptr, 0, (int)steps, fl.data(), &nf, &d) == 0;
            forced[0] = ORT_LLAMA_BOS;
            for (int i = 1; i < nf + 1 && i < (int)steps; i++)
                forced[(size_t)i] = fl[(size_t)i - 1];
            int nforce = nf + 1 < (int)steps ? nf + 1 : (int)steps;
            if (ok)
                ok = ort_llm_int_generate(&q, nullptr, 0, nforce, forced.data(), nforce, top.data(), &nt, nullptr,
                                          &d) == 0;
            int agree = 0;
            for (int i = 0; ok && i < nt && i < nf; i++)
                agree += top[(size_t)i] == fl[(size_t)i];
            if (ok)
                fprintf(stderr, "int8 model: top-1 agreement with the float model under teacher forcing: "
                                "%d of %d positions (%.1f %%)\n", agree, nt < nf ? nt : nf,
                        100.0 * agree / (nt < nf ? (nt ? nt : 1) : (nf ? nf : 1)));
        }
        ort_llm_q_free(&q);
        std::string rm = std::string("rm -rf '") + dir + "'";
        if (system(rm.c_str()) != 0)
            fprintf(stderr, "ortigia: warning: could not remove %s\n", dir);
        if (!ok) {
            fprintf(stderr, "ortigia: error: %s\n", d.msg);
            goto done;
        }
    }
    /* the generated ids, the prompt's excluded; and their text */
    fputs("tokens:", stdout);
    for (int i = fed; i < n; i++)
        printf(" %d", out[(size_t)i]);
    if (!tokenizer_path.empty()) {
        fputs("\ntext: ", stdout);
        int prev = prompt.empty() ? ORT_LLAMA_BOS : prompt[0];
        for (int i = 0; i < n; i++) {
            const char *piece = ort_llama_decode(&tok, prev, out[(size_t)i]);
            if (ort_llama_piece_printable(piece))
                fputs(piece, stdout);
            prev = out[(size_t)i];
        }
    }
    if (logits_digest) {
        /* each position's logits digest: 0 where there were none (the
           prefill's first positions, positions not run) */
        fputs("\nlogits:", stdout);
        for (uint32_t h : digests)
            printf(" %08x", h);
    }
    putchar('\n');
    status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
    if (status)
        fprintf(stderr, "ortigia: error: cannot write the output to stdout\n");
done:
    ort_llama_tokenizer_free(&tok);
    ort_llama_free(&m);
    return status;
}
