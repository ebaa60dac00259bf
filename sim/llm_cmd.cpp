// `ortigia llm`: a llama2.c checkpoint, decoded greedily. Today only on the
// host, by the float32 reference (compiler/llama_ref.h):
//
//   ortigia llm --reference MODEL.bin [--steps N] [--prompt-ids 1,2,3] [--tokenizer FILE]
//
// prints the ids run.c would print at temperature 0 (space-separated), or
// their text with --tokenizer. Bad input: status 2 and the message.
#include "nn_cmd.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "options.h"
#include "run.h"

#include <jansson.h>

extern "C" {
#include "llama2c.h"
#include "llama_default.h"
#include "llama_ref.h"
#include "llm_quant.h"
#include "codegen.h"
#include "ir.h"
}

#include <sys/stat.h>
#include <unistd.h>
#include <cstring>

namespace {

const char *llm_usage()
{
    return "usage: ortigia llm [MODEL.bin] [--steps N] [--prompt-ids 1,2,3 | --prompt-len N] [-o DIR]\n"
           "                   [--engine auto|cluster|npu]\n"
           "                   [--config FILE] [--set KEY=VALUE]... [--max-cycles N]\n"
           "       ortigia llm --reference float|int [MODEL.bin] [--steps N] [--prompt-ids 1,2,3 | --prompt-len N]\n"
           "                   [--tokenizer FILE]\n"
           "\n"
           "Greedy decoding (temperature 0) of a llama2.c checkpoint (legacy or version 1\n"
           "float32 .bin) by the float32 host reference; the same tokens as llama2.c's\n"
           "run.c at -t 0. Without MODEL.bin: the embedded default model (microLlama's\n"
           "shape, 512 tokens, context 256, deterministic weights: meaningless text).\n"
           "  --reference        on the host reference (required: the simulator path is\n"
           "                     not there yet)\n"
           "  --steps N          positions to run, 1..seq_len (default 256, at most seq_len)\n"
           "  --prompt-ids LIST  the sequence's first token ids, comma-separated (start with\n"
           "                     1, BOS, as run.c's encoder does); default: BOS alone\n"
           "  --prompt-len N     a prompt of N ids: BOS and the float model's greedy\n"
           "                     continuation from it (repeated if it ends early)\n"
           "  --tokenizer FILE   a llama2.c tokenizer.bin: print text instead of ids\n"
           "Prints the ids after the first (the prompt's, then the generated ones), or\n"
           "their text; generation stops early when the model produces BOS.\n"
           "A prompt of 2+ ids (within --steps) runs in prompt mode: its positions in one\n"
           "prefill pass that fills the KV cache, then a step per generated token.\n";
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

/* The model on the simulated MCU: quantized, its step compiled with the
 * token-loop harness (firmware/harness/llm.c), run; the generated ids into
 * out, and each position's cycles. 0, or an exit status after the message. */
/* A position's energy (J) and its band, from the run's power report. */
struct TokenEnergy {
    double j = 0, lo = 0, hi = 0;
};

/* The model quantized over `steps` positions, its step compiled with the
 * token-loop harness into dir/llm.elf for the configuration's platform;
 * false with d set. */
bool build_llm(const ort_llama_model &m, const std::vector<int> &prompt, int steps, const std::string &dir,
               const ort_config &config, ort_engine engine, ort_diag *d)
{
    ort_llm_q q{};
    ort_graph *g = nullptr, *pg = nullptr;
    bool ok = false;
    const ort_target target = ort_target_of_config(config);
    ort_codegen_options co{}, po{};
    ort_codegen_report rep{}, prep{};
    /* prompt mode: a prompt of 2+ ids, within the steps */
    const int prefill = prompt.size() >= 2 && (int)prompt.size() <= steps ? (int)prompt.size() : 0;
    std::string dir_flag = "-I" + dir, elf = dir + "/llm.elf";
    std::vector<std::string> srcs = {dir + "/network.c", dir + "/main.c", dir + "/weights.S", dir + "/inputs.S",
                                     dir + "/llm_tables.S"};
    std::vector<const char *> src_ptrs;
    const char *cflags[] = {dir_flag.c_str()};
    ort_cross_build b{};
    if (ort_target_check(&target, d) || ort_llm_quantize_prefill(&m, steps, prefill, dir.c_str(), &q, d) ||
        !(g = ort_llm_step_graph(&q, d)) || (prefill && !(pg = ort_llm_prefill_graph(&q, d))))
        goto out;
    co.outdir = dir.c_str();
    co.target = &target;
    co.l1_budget = ort_target_default_l1_budget(&target);
    co.engine = engine;
    co.firmware_dir = ort_firmware_src();
    co.harness = "llm";
    if (ort_codegen(g, &co, &rep, d))
        goto out;
    if (prefill) {
        /* the prefill network beside it, in the L1 the step's leaves */
        po = co;
        po.name = "prefill";
        po.l1_budget -= rep.l1_peak + (rep.activations_in_l1 ? rep.l2_peak : 0) + 32;
        if (ort_codegen(pg, &po, &prep, d))
            goto out;
        srcs.push_back(dir + "/prefill.c");
        srcs.push_back(dir + "/prefill_weights.S");
        srcs.push_back(dir + "/prefill_inputs.S");
    }
    if (ort_llm_write_device_files(&q, dir.c_str(), prompt.data(), (int)prompt.size(), steps, d))
        goto out;
    for (const std::string &s : srcs)
        src_ptrs.push_back(s.c_str());
    b.sources = src_ptrs.data();
    b.n_sources = (int)src_ptrs.size();
    b.cflags = cflags;
    b.n_cflags = 1;
    b.out_elf = elf.c_str();
    b.obj_dir = dir.c_str();
    b.fw_src = ort_firmware_src();
    b.fw_lib = ort_firmware_lib();
    b.target = &target;
    ok = ort_cross_compile(&b, d) == 0;
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

int run_on_device(const ort_llama_model &m, const std::vector<int> &prompt, int steps, const std::string &keep_dir,
                  const ort_config &config, ort_engine engine, uint64_t max_cycles, std::vector<int> *out,
                  std::vector<uint32_t> *cycles, uint64_t *run_cycles, std::vector<TokenEnergy> *energy,
                  uint32_t *prefill_cycles)
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
    std::string elf = dir + "/llm.elf";
    OrtRunOptions ro;
    std::vector<OrtMemDump> dumps(4);
    if (!build_llm(m, prompt, steps, dir, config, engine, &d))
        goto fail;
    ro.config = config;
    ro.elf_path = elf;
    ro.quiet = true;
    ro.max_cycles = max_cycles;
    dumps[0].symbol = "ort_llm_count", dumps[0].size = 4;
    dumps[1].symbol = "ort_llm_tokens", dumps[1].size = (uint32_t)(4 * steps);
    dumps[2].symbol = "ort_llm_cycles", dumps[2].size = (uint32_t)(4 * steps);
    dumps[3].symbol = "ort_llm_prefill_cycles", dumps[3].size = 4; /* prompt mode */
    ro.dumps = &dumps;
    ro.power_json_path = dir + "/power.json"; /* each token is a region */
    ro.cycles = run_cycles;
    status = ort_run(ro);
    if (status != 0) {
        fprintf(stderr, "ortigia: error: the model's program ended with status %d\n", status);
        goto done;
    }
    {
        auto word = [&](const OrtMemDump &dm, size_t k) {
            const uint8_t *p = dm.bytes.data() + 4 * k;
            return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        };
        uint32_t n = word(dumps[0], 0);
        for (uint32_t k = 0; k < n && k < (uint32_t)steps; k++)
            out->push_back((int)word(dumps[1], k));
        for (int k = 0; k < steps; k++)
            cycles->push_back(word(dumps[2], (size_t)k));
        *prefill_cycles = word(dumps[3], 0);
    }
    {
        json_error_t jerr;
        json_t *root = json_load_file(ro.power_json_path.c_str(), 0, &jerr);
        json_t *regions = root ? json_object_get(root, "regions") : nullptr;
        size_t i;
        json_t *r;
        energy->assign((size_t)steps, TokenEnergy{});
        json_array_foreach(regions, i, r) {
            json_int_t id = json_integer_value(json_object_get(r, "id"));
            if (id >= 1 && id <= steps) {
                TokenEnergy &e = (*energy)[(size_t)id - 1];
                e.j = json_number_value(json_object_get(r, "energy_j"));
                e.lo = json_number_value(json_object_get(r, "energy_j_low"));
                e.hi = json_number_value(json_object_get(r, "energy_j_high"));
            }
        }
        json_decref(root);
    }
    status = 0;
    goto done;
fail:
    fprintf(stderr, "ortigia: error: %s\n", d.msg);
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
    uint64_t steps = 0;
    std::string prompt_text, tokenizer_path, keep_dir;
    uint64_t prompt_len = 0;
    OrtPlatformOptions platform;
    int engine = 0;
    std::vector<OrtOption> table = {
        {"--reference", nullptr, OrtOption::STRING, &reference_kind},
        OrtOption::count("--steps", &steps, 1, "a positive number of positions"),
        {"--prompt-ids", nullptr, OrtOption::STRING, &prompt_text},
        OrtOption::count("--prompt-len", &prompt_len, 1, "a positive number of prompt ids"),
        {"--tokenizer", nullptr, OrtOption::STRING, &tokenizer_path},
        {"-o", nullptr, OrtOption::STRING, &keep_dir},
        /* In enum ort_engine's order. */
        OrtOption::choice("--engine", &engine, {"auto", "cluster", "npu"}),
    };
    ort_platform_options(&table, &platform);
    std::vector<std::string> model;
    int st = ort_parse_options("llm", llm_usage(), argc, argv, table, &model, 1, "model");
    if (st >= 0)
        return st;
    if (!reference_kind.empty() && reference_kind != "float" && reference_kind != "int") {
        fprintf(stderr, "ortigia: error: --reference %s: float (the float32 model) or int (the int8 model "
                        "Ortigia quantizes)\n", reference_kind.c_str());
        return 2;
    }
    std::vector<int> prompt;
    if (!prompt_text.empty() && !parse_ids(prompt_text, &prompt))
        return 2;

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
    if (steps > (uint64_t)m.cfg.seq_len) {
        fprintf(stderr, "ortigia: error: --steps %llu: the model's sequences are at most %d long\n",
                (unsigned long long)steps, m.cfg.seq_len);
        goto done;
    }
    if (steps == 0)
        steps = m.cfg.seq_len < 256 ? (uint64_t)m.cfg.seq_len : 256; /* run.c's default */
    if (prompt_len) {
        /* a prompt of N ids made deterministically: BOS, then the float
           model's greedy continuation (repeated if it ends early) */
        if (!prompt_text.empty() || prompt_len > steps) {
            fprintf(stderr, "ortigia: error: --prompt-len %llu: %s\n", (unsigned long long)prompt_len,
                    prompt_text.empty() ? "longer than --steps" : "give --prompt-ids or --prompt-len, not both");
            goto done;
        }
        std::vector<int> fl(prompt_len);
        int nf = 0;
        if (prompt_len > 1 &&
            ort_llama_generate(&m, nullptr, 0, (int)prompt_len - 1, fl.data(), &nf, &d) != 0) {
            fprintf(stderr, "ortigia: error: %s\n", d.msg);
            goto done;
        }
        prompt.assign(1, ORT_LLAMA_BOS);
        for (uint64_t k = 1; k < prompt_len; k++)
            prompt.push_back(nf ? fl[(size_t)(k - 1) % (size_t)nf] : ORT_LLAMA_BOS + 1);
    }
    if (!tokenizer_path.empty() &&
        ort_llama_tokenizer_load(tokenizer_path.c_str(), m.cfg.vocab_size, &tok, &d) != 0) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        goto done;
    }
    out.resize(steps);
    if (reference_kind.empty()) {
        std::vector<int> ids;
        std::vector<uint32_t> cyc;
        std::vector<TokenEnergy> en;
        uint64_t run_cycles = 0;
        ort_config config;
        ort_config_defaults(&config);
        if (!ort_config_apply(&config, platform.config_path, platform.sets))
            goto done;
        uint32_t pre_cycles = 0;
        status = run_on_device(m, prompt, (int)steps, keep_dir, config, (ort_engine)engine,
                               platform.max_cycles ? platform.max_cycles : 4000000000ull, &ids, &cyc, &run_cycles,
                               &en, &pre_cycles);
        if (status)
            goto done;
        status = 2;
        n = (int)ids.size();
        for (int i = 0; i < n; i++)
            out[(size_t)i] = ids[(size_t)i];
        /* per mode: the prompt's positions (in prompt mode one prefill
           pass, region 1; else one by one) and the generated ones */
        const size_t pre = prompt.size() >= 2 && prompt.size() <= steps ? prompt.size() : 0;
        if (pre && pre_cycles) {
            double s = pre_cycles / 360e6, uj = en.empty() ? 0 : en[0].j * 1e6;
            fprintf(stderr, "prompt (prefill): %zu positions in one pass, %u cycles (%.0f cycles/token, %.2f ms), "
                            "%.2f uJ (band %.2f .. %.2f), %.1f mW\n",
                    pre, pre_cycles, (double)pre_cycles / (double)pre, s * 1e3, uj,
                    en.empty() ? 0 : en[0].lo * 1e6, en.empty() ? 0 : en[0].hi * 1e6, uj * 1e-6 / s * 1e3);
        }
        uint64_t c[2] = {0, 0};
        TokenEnergy e[2];
        int cnt[2] = {0, 0};
        for (size_t k = pre; k < cyc.size() && cyc[k]; k++) {
            int mode = !pre && (int)k < (int)prompt.size() - 1 ? 0 : 1;
            c[mode] += cyc[k];
            cnt[mode]++;
            if (k < en.size()) {
                e[mode].j += en[k].j;
                e[mode].lo += en[k].lo;
                e[mode].hi += en[k].hi;
            }
        }
        const char *names[2] = {"prompt", "autoregressive"};
        for (int md = 0; md < 2; md++) {
            if (!cnt[md])
                continue;
            double cpt = (double)c[md] / cnt[md], s = cpt / 360e6, uj = e[md].j / cnt[md] * 1e6;
            fprintf(stderr, "%s: %d positions, %.0f cycles/token (%.2f ms/token, %.1f tokens/s at 360 MHz), "
                            "%.2f uJ/token (band %.2f .. %.2f), %.1f mW\n",
                    names[md], cnt[md], cpt, s * 1e3, 1.0 / s, uj, e[md].lo / cnt[md] * 1e6,
                    e[md].hi / cnt[md] * 1e6, uj * 1e-6 / s * 1e3);
        }
        fprintf(stderr, "run: %llu cycles\n", (unsigned long long)run_cycles);
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
        const int pre = prompt.size() >= 2 && prompt.size() <= steps ? (int)prompt.size() : 0; /* prompt mode */
        int ok = ort_llm_quantize_prefill(&m, (int)steps, pre, dir, &q, &d) == 0 &&
                 ort_llm_int_generate(&q, prompt.data(), (int)prompt.size(), (int)steps, nullptr, 0, out.data(),
                                      &n, &d) == 0;
        if (ok) {
            std::vector<int> fl(steps), forced(steps), top(steps);
            int nf = 0, nt = 0;
            ok = ort_llama_generate(&m, nullptr, 0, (int)steps, fl.data(), &nf, &d) == 0;
            forced[0] = ORT_LLAMA_BOS;
            for (int i = 1; i < nf + 1 && i < (int)steps; i++)
                forced[(size_t)i] = fl[(size_t)i - 1];
            int nforce = nf + 1 < (int)steps ? nf + 1 : (int)steps;
            if (ok)
                ok = ort_llm_int_generate(&q, nullptr, 0, nforce, forced.data(), nforce, top.data(), &nt, &d) == 0;
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
    if (tokenizer_path.empty()) {
        for (int i = 0; i < n; i++)
            printf(i ? " %d" : "%d", out[(size_t)i]);
    } else {
        int prev = prompt.empty() ? ORT_LLAMA_BOS : prompt[0];
        for (int i = 0; i < n; i++) {
            const char *piece = ort_llama_decode(&tok, prev, out[(size_t)i]);
            if (ort_llama_piece_printable(piece))
                fputs(piece, stdout);
            prev = out[(size_t)i];
        }
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
