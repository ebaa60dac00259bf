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

extern "C" {
#include "llama2c.h"
#include "llama_default.h"
#include "llama_ref.h"
#include "llm_quant.h"
}

#include <unistd.h>

namespace {

const char *llm_usage()
{
    return "usage: ortigia llm --reference [MODEL.bin] [--steps N] [--prompt-ids 1,2,3] [--tokenizer FILE]\n"
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
           "  --tokenizer FILE   a llama2.c tokenizer.bin: print text instead of ids\n"
           "Prints the ids after the first (the prompt's, then the generated ones), or\n"
           "their text; generation stops early when the model produces BOS.\n";
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

} // namespace

int ort_cmd_llm(int argc, char **argv)
{
    std::string reference_kind;
    uint64_t steps = 0;
    std::string prompt_text, tokenizer_path;
    std::vector<OrtOption> table = {
        {"--reference", nullptr, OrtOption::STRING, &reference_kind},
        OrtOption::count("--steps", &steps, 1, "a positive number of positions"),
        {"--prompt-ids", nullptr, OrtOption::STRING, &prompt_text},
        {"--tokenizer", nullptr, OrtOption::STRING, &tokenizer_path},
    };
    std::vector<std::string> model;
    int st = ort_parse_options("llm", llm_usage(), argc, argv, table, &model, 1, "model");
    if (st >= 0)
        return st;
    if (reference_kind.empty()) {
        fprintf(stderr, "ortigia: error: llm runs on the host reference only for now: add --reference float "
                        "or --reference int\n");
        return 2;
    }
    if (reference_kind != "float" && reference_kind != "int") {
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
    if (!tokenizer_path.empty() &&
        ort_llama_tokenizer_load(tokenizer_path.c_str(), m.cfg.vocab_size, &tok, &d) != 0) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        goto done;
    }
    out.resize(steps);
    if (reference_kind == "float") {
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
        int ok = ort_llm_quantize(&m, (int)steps, dir, &q, &d) == 0 &&
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
