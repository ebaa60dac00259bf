/*
 * What `ortigia llm` measured on the simulated MCU, and its three writers:
 * the summary on a stream (stderr), the JSON file (--json) and the HTML
 * report (--report: a chart of each position's latency and energy, the
 * layer breakdown, energy by component, memory use). Plain records in,
 * files out: the simulation glue (sim/llm_cmd.cpp) fills them.
 */
#ifndef ORTIGIA_SIM_LLM_REPORT_H
#define ORTIGIA_SIM_LLM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The two modes of the literature: the prompt's positions (prefill), and
 * the autoregressive ones, each of which generates a token. */
enum ort_llm_mode { ORT_LLM_PROMPT = 0, ORT_LLM_AUTOREGRESSIVE = 1, ORT_LLM_MODES = 2 };

/* One power region of the run: one position, or a pass over several. */
struct ort_llm_span {
    int first_position, positions;
    enum ort_llm_mode mode;
    uint64_t begin, cycles; /* the region's first cycle, and its length */
    double energy_j, energy_low_j, energy_high_j;
};

/* A component's energy, summed over the spans of each mode. */
struct ort_llm_component {
    char name[32];
    double energy_j[ORT_LLM_MODES];
};

/* One decoder layer (or the head: final norm and classifier) of a
 * position, from a build that stamps each step's cycles. */
struct ort_llm_layer {
    char name[32];
    uint64_t cycles;
    int steps, npu_steps;
};

/* One step of the step network in that position: the compiler's node
 * name ("l3.q.acc (MatMul)"), its engine, its layer (an index of the
 * layers above), the measured and the cost model's cycles. */
struct ort_llm_step {
    char name[160];
    char engine[16];
    int layer;
    uint64_t cycles;
    int64_t estimated;
};

/* A network's breakdown from the profiled build (n_layers 0: not
 * measured): its layers, the last one the harness's work around it ("token
 * loop", "prefill loop"), and its steps in order. */
struct ort_llm_breakdown {
    const struct ort_llm_layer *layers;
    int n_layers;
    const struct ort_llm_step *steps;
    int n_steps;
};

struct ort_llm_memory {
    const char *name; /* "L1", "L2", "weight memory" */
    int64_t used, size;
};

struct ort_llm_result {
    const char *model; /* a path, or "the embedded default model" */
    int layers, dim, heads, kv_heads, vocab, context;
    double frequency_mhz;
    const int *prompt; /* with BOS; n_prompt 0: BOS alone */
    int n_prompt;
    const int *tokens; /* the generated ids */
    int n_tokens;
    const struct ort_llm_span *spans;
    int n_spans;
    const struct ort_llm_component *components;
    int n_components;
    struct ort_llm_breakdown step_net;    /* one position of the step network */
    struct ort_llm_breakdown prefill_net; /* the prefill pass (prompt mode) */
    struct ort_llm_memory memory[3];
    int steps, npu_steps; /* of the compiled step network */
    uint64_t run_cycles;
    double run_energy_j, run_energy_low_j, run_energy_high_j;
    double wall_s; /* the simulation's wall time */
};

/* A mode's sums over its spans. */
struct ort_llm_mode_sum {
    int spans, positions;
    uint64_t cycles;
    double energy_j, energy_low_j, energy_high_j;
};
void ort_llm_mode_sum(const struct ort_llm_result *r, enum ort_llm_mode mode, struct ort_llm_mode_sum *out);

/* The summary: a line per mode with cycles/token, ms/token, tokens/s,
 * uJ/token with its band and mW; energy by component; memory; wall time. */
void ort_llm_print_summary(FILE *f, const struct ort_llm_result *r);

/* false with a message in err. */
bool ort_llm_write_json(const char *path, const struct ort_llm_result *r, char *err, size_t errlen);
bool ort_llm_write_html(const char *path, const struct ort_llm_result *r, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
