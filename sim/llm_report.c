/* `ortigia llm`'s figures: the summary, the JSON file, the HTML report. */
#include "llm_report.h"

#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const mode_names[ORT_LLM_MODES] = {"prompt", "autoregressive"};

void ort_llm_mode_sum(const struct ort_llm_result *r, enum ort_llm_mode mode, struct ort_llm_mode_sum *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < r->n_spans; i++) {
        const struct ort_llm_span *s = &r->spans[i];
        if (s->mode != mode)
            continue;
        out->spans++;
        out->positions += s->positions;
        out->cycles += s->cycles;
        out->energy_j += s->energy_j;
        out->energy_low_j += s->energy_low_j;
        out->energy_high_j += s->energy_high_j;
    }
}

/* Per position of a mode: cycles, seconds, joules (0 without positions). */
struct per_token {
    double cycles, seconds, j, lo, hi, watts;
};

static struct per_token per_token(const struct ort_llm_result *r, const struct ort_llm_mode_sum *m)
{
    struct per_token t = {0};
    if (!m->positions)
        return t;
    double n = m->positions;
    t.cycles = (double)m->cycles / n;
    t.seconds = r->frequency_mhz > 0 ? t.cycles / (r->frequency_mhz * 1e6) : 0;
    t.j = m->energy_j / n;
    t.lo = m->energy_low_j / n;
    t.hi = m->energy_high_j / n;
    t.watts = t.seconds > 0 ? t.j / t.seconds : 0;
    return t;
}

static int total_positions(const struct ort_llm_result *r)
{
    int n = 0;
    for (int i = 0; i < r->n_spans; i++)
        n += r->spans[i].positions;
    return n;
}

void ort_llm_print_summary(FILE *f, const struct ort_llm_result *r)
{
    fprintf(f, "model: %s (%d layers, dim %d, %d heads, vocabulary %d), context %d; %d of %d steps on the NPU\n",
            r->model, r->layers, r->dim, r->heads, r->vocab, r->context, r->npu_steps, r->steps);
    for (int md = 0; md < ORT_LLM_MODES; md++) {
        struct ort_llm_mode_sum m;
        ort_llm_mode_sum(r, (enum ort_llm_mode)md, &m);
        if (!m.positions)
            continue;
        struct per_token t = per_token(r, &m);
        fprintf(f, "%s: %d positions", mode_names[md], m.positions);
        if (m.spans != m.positions)
            fprintf(f, " in %d pass%s, %llu cycles", m.spans, m.spans == 1 ? "" : "es", (unsigned long long)m.cycles);
        fprintf(f, ", %.0f cycles/token (%.3f ms/token, %.1f tokens/s at %g MHz), %.2f uJ/token "
                   "(band %.2f .. %.2f), %.1f mW\n",
                t.cycles, t.seconds * 1e3, t.seconds > 0 ? 1 / t.seconds : 0, r->frequency_mhz, t.j * 1e6,
                t.lo * 1e6, t.hi * 1e6, t.watts * 1e3);
        fprintf(f, "  energy by component, uJ/token:");
        for (int c = 0; c < r->n_components; c++)
            if (r->components[c].energy_j[md] / m.positions >= 5e-9)
                fprintf(f, " %s %.2f", r->components[c].name, r->components[c].energy_j[md] / m.positions * 1e6);
        fputc('\n', f);
    }
    fprintf(f, "memory:");
    for (int k = 0; k < 3; k++)
        fprintf(f, "%s %s %.1f of %.0f KiB", k ? "," : "", r->memory[k].name, r->memory[k].used / 1024.0,
                r->memory[k].size / 1024.0);
    int n = total_positions(r);
    fprintf(f, "\nrun: %llu cycles, %.2f uJ (band %.2f .. %.2f); simulated in %.2f s, %.4f s per position\n",
            (unsigned long long)r->run_cycles, r->run_energy_j * 1e6, r->run_energy_low_j * 1e6,
            r->run_energy_high_j * 1e6, r->wall_s, n ? r->wall_s / n : 0.0);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *mode_json(const struct ort_llm_result *r, enum ort_llm_mode md)
{
    struct ort_llm_mode_sum m;
    ort_llm_mode_sum(r, md, &m);
    struct per_token t = per_token(r, &m);
    json_t *o = json_object();
    json_object_set_new(o, "positions", json_integer(m.positions));
    json_object_set_new(o, "passes", json_integer(m.spans));
    json_object_set_new(o, "cycles", json_integer((json_int_t)m.cycles));
    json_object_set_new(o, "cycles_per_token", json_real(t.cycles));
    json_object_set_new(o, "ms_per_token", json_real(t.seconds * 1e3));
    json_object_set_new(o, "tokens_per_s", json_real(t.seconds > 0 ? 1 / t.seconds : 0));
    json_object_set_new(o, "energy_j", json_real(m.energy_j));
    json_object_set_new(o, "energy_j_low", json_real(m.energy_low_j));
    json_object_set_new(o, "energy_j_high", json_real(m.energy_high_j));
    json_object_set_new(o, "uj_per_token", json_real(t.j * 1e6));
    json_object_set_new(o, "uj_per_token_low", json_real(t.lo * 1e6));
    json_object_set_new(o, "uj_per_token_high", json_real(t.hi * 1e6));
    json_object_set_new(o, "average_power_mw", json_real(t.watts * 1e3));
    json_t *comp = json_object();
    for (int c = 0; c < r->n_components; c++)
        json_object_set_new(comp, r->components[c].name, json_real(r->components[c].energy_j[md]));
    json_object_set_new(o, "energy_j_by_component", comp);
    return o;
}

static json_t *ids_json(const int *ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}


/* A breakdown's layers and its steps as JSON arrays. */
static json_t *layers_json(const struct ort_llm_breakdown *b)
{
    json_t *layers = json_array();
    for (int i = 0; i < b->n_layers; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(b->layers[i].name));
        json_object_set_new(o, "cycles", json_integer((json_int_t)b->layers[i].cycles));
        json_object_set_new(o, "steps", json_integer(b->layers[i].steps));
        json_object_set_new(o, "npu_steps", json_integer(b->layers[i].npu_steps));
        json_array_append_new(layers, o);
    }
    return layers;
}

static json_t *steps_json(const struct ort_llm_breakdown *b)
{
    json_t *steps = json_array();
    for (int i = 0; i < b->n_steps; i++) {
        const struct ort_llm_step *st = &b->steps[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(st->name));
        json_object_set_new(o, "engine", json_string(st->engine));
        json_object_set_new(o, "layer",
                            json_string(st->layer >= 0 && st->layer < b->n_layers ? b->layers[st->layer].name : ""));
        json_object_set_new(o, "cycles", json_integer((json_int_t)st->cycles));
        json_object_set_new(o, "estimated_cycles", json_integer((json_int_t)st->estimated));
        json_array_append_new(steps, o);
    }
    return steps;
}

static json_t *result_json(const struct ort_llm_result *r)
{
    json_t *root = json_object();
    json_t *model = json_object();
    json_object_set_new(model, "name", json_string(r->model));
    json_object_set_new(model, "layers", json_integer(r->layers));
    json_object_set_new(model, "dim", json_integer(r->dim));
    json_object_set_new(model, "heads", json_integer(r->heads));
    json_object_set_new(model, "kv_heads", json_integer(r->kv_heads));
    json_object_set_new(model, "vocab", json_integer(r->vocab));
    json_object_set_new(model, "context", json_integer(r->context));
    json_object_set_new(root, "model", model);
    json_object_set_new(root, "frequency_mhz", json_real(r->frequency_mhz));
    json_object_set_new(root, "prompt", ids_json(r->prompt, r->n_prompt));
    json_object_set_new(root, "tokens", ids_json(r->tokens, r->n_tokens));
    json_t *modes = json_object();
    for (int md = 0; md < ORT_LLM_MODES; md++) {
        struct ort_llm_mode_sum m;
        ort_llm_mode_sum(r, (enum ort_llm_mode)md, &m);
        if (m.positions)
            json_object_set_new(modes, mode_names[md], mode_json(r, (enum ort_llm_mode)md));
    }
    json_object_set_new(root, "modes", modes);
    json_t *spans = json_array();
    for (int i = 0; i < r->n_spans; i++) {
        const struct ort_llm_span *s = &r->spans[i];
        json_t *o = json_object();
        json_object_set_new(o, "region", json_integer(i + 1));
        json_object_set_new(o, "mode", json_string(mode_names[s->mode]));
        json_object_set_new(o, "first_position", json_integer(s->first_position));
        json_object_set_new(o, "positions", json_integer(s->positions));
        json_object_set_new(o, "begin_cycle", json_integer((json_int_t)s->begin));
        json_object_set_new(o, "cycles", json_integer((json_int_t)s->cycles));
        json_object_set_new(o, "energy_j", json_real(s->energy_j));
        json_object_set_new(o, "energy_j_low", json_real(s->energy_low_j));
        json_object_set_new(o, "energy_j_high", json_real(s->energy_high_j));
        json_array_append_new(spans, o);
    }
    json_object_set_new(root, "regions", spans);
    json_object_set_new(root, "layers_one_position", layers_json(&r->step_net));
    json_object_set_new(root, "steps_one_position", steps_json(&r->step_net));
    if (r->prefill_net.n_layers) {
        json_object_set_new(root, "layers_prefill", layers_json(&r->prefill_net));
        json_object_set_new(root, "steps_prefill", steps_json(&r->prefill_net));
    }
    json_t *mem = json_object();
    for (int k = 0; k < 3; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "used_bytes", json_integer(r->memory[k].used));
        json_object_set_new(o, "size_bytes", json_integer(r->memory[k].size));
        json_object_set_new(mem, r->memory[k].name, o);
    }
    json_object_set_new(root, "memory", mem);
    json_t *run = json_object();
    json_object_set_new(run, "cycles", json_integer((json_int_t)r->run_cycles));
    json_object_set_new(run, "energy_j", json_real(r->run_energy_j));
    json_object_set_new(run, "energy_j_low", json_real(r->run_energy_low_j));
    json_object_set_new(run, "energy_j_high", json_real(r->run_energy_high_j));
    json_object_set_new(run, "wall_s", json_real(r->wall_s));
    int n = total_positions(r);
    json_object_set_new(run, "wall_s_per_position", json_real(n ? r->wall_s / n : 0));
    json_object_set_new(run, "steps", json_integer(r->steps));
    json_object_set_new(run, "npu_steps", json_integer(r->npu_steps));
    json_object_set_new(root, "run", run);
    return root;
}

bool ort_llm_write_json(const char *path, const struct ort_llm_result *r, char *err, size_t errlen)
{
    json_t *root = result_json(r);
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(9));
    json_decref(root);
    if (rc)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return rc == 0;
}

/* ---- HTML ---------------------------------------------------------------- */

#define CHART_W 900
#define CHART_H 220
#define CHART_L 70 /* room for the axis' labels */
#define CHART_B 30

/* A bar per span, its height value(span), on its own axis; prompt and
 * autoregressive spans in two colours, a pass over several positions as
 * wide as they are. */
static void span_chart(FILE *f, const struct ort_llm_result *r, const char *title, const char *unit, int what)
{
    int n = total_positions(r);
    double top = 0;
    for (int i = 0; i < r->n_spans; i++) {
        const struct ort_llm_span *s = &r->spans[i];
        double v = what == 0 ? (double)s->cycles / s->positions : s->energy_high_j * 1e6 / s->positions;
        if (v > top)
            top = v;
    }
    if (top <= 0)
        top = 1;
    fprintf(f, "<h3>%s</h3>\n<svg class=\"chart\" width=\"%d\" height=\"%d\" role=\"img\">\n", title,
            CHART_W, CHART_H + CHART_B);
    double w = n ? (double)(CHART_W - CHART_L - 10) / n : 0;
    for (int k = 0; k <= 4; k++) {
        double y = CHART_H - (CHART_H - 10) * k / 4.0;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                   "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%.*f</text>\n",
                CHART_L, y, CHART_W - 10, y, CHART_L - 4, y + 4, top >= 100 ? 0 : 2, top * k / 4.0);
    }
    for (int i = 0; i < r->n_spans; i++) {
        const struct ort_llm_span *s = &r->spans[i];
        double v = what == 0 ? (double)s->cycles / s->positions : s->energy_j * 1e6 / s->positions;
        double lo = s->energy_low_j * 1e6 / s->positions, hi = s->energy_high_j * 1e6 / s->positions;
        double h = (CHART_H - 10) * v / top, x = CHART_L + w * s->first_position;
        fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
                   "<title>%s, position %d%s: %.6g %s per token</title></rect>\n",
                mode_names[s->mode], x, CHART_H - h, w * s->positions > 1.5 ? w * s->positions - 0.5 : w * s->positions,
                h, mode_names[s->mode], s->first_position, s->positions > 1 ? " onwards" : "", v, unit);
        if (what == 1 && hi > 0) { /* the band as a whisker */
            double yl = CHART_H - (CHART_H - 10) * lo / top, yh = CHART_H - (CHART_H - 10) * hi / top;
            fprintf(f, "<line class=\"band\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                    x + w * s->positions / 2, yl, x + w * s->positions / 2, yh);
        }
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\">position 0</text>"
               "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">position %d</text>\n</svg>\n",
            CHART_L, CHART_H + 18, CHART_W - 10, CHART_H + 18, n - 1);
}

/* The costliest steps of the profiled position, first to last, with the
 * cost model's estimate beside each (where the model is off, it shows). */
#define STEPS_SHOWN 24
struct step_rank {
    uint64_t cycles;
    int index;
};
static int by_cycles_desc(const void *a, const void *b)
{
    const struct step_rank *x = a, *y = b;
    if (x->cycles != y->cycles)
        return x->cycles < y->cycles ? 1 : -1;
    return x->index - y->index; /* ties in the network's order */
}

/* The costliest steps of a network (id: the table's id; what: its name in
 * the text; key: its JSON array). */
static void steps_table(FILE *f, const struct ort_llm_breakdown *b, const char *id, const char *what,
                        const char *key)
{
    int n = b->n_steps;
    struct step_rank *order = malloc(sizeof *order * (size_t)n);
    if (!order)
        return;
    uint64_t sum = 0;
    for (int i = 0; i < n; i++) {
        order[i] = (struct step_rank){b->steps[i].cycles, i};
        sum += b->steps[i].cycles;
    }
    qsort(order, (size_t)n, sizeof *order, by_cycles_desc);
    fprintf(f, "<h2>Steps of %s</h2>\n<p>The %d costliest of its %d steps (%llu cycles in all, the same "
               "build), with the cost model's estimate; every step is in the JSON file "
               "(<code>%s</code>).</p>\n<table id=\"%s\"><tr><th>step</th><th>layer</th>"
               "<th>engine</th><th>cycles</th><th>share</th><th>estimated</th></tr>\n",
            what, n < STEPS_SHOWN ? n : STEPS_SHOWN, n, (unsigned long long)sum, key, id);
    for (int k = 0; k < n && k < STEPS_SHOWN; k++) {
        const struct ort_llm_step *st = &b->steps[order[k].index];
        fputs("<tr><td>", f);
        ort_html_escape(f, st->name);
        fputs("</td><td>", f);
        ort_html_escape(f, st->layer >= 0 && st->layer < b->n_layers ? b->layers[st->layer].name : "");
        fputs("</td><td>", f);
        ort_html_escape(f, st->engine);
        fprintf(f, "</td><td>%llu</td><td>%.1f %%</td><td>%lld</td></tr>\n", (unsigned long long)st->cycles,
                sum ? 100.0 * (double)st->cycles / (double)sum : 0.0, (long long)st->estimated);
    }
    fputs("</table>\n", f);
    free(order);
}

/* A bar a layer of a network: its cycles, steps and NPU steps (title: the
 * heading; text: the paragraph under it, given the total). */
static void layers_chart(FILE *f, const struct ort_llm_breakdown *b, const char *title, const char *text)
{
    uint64_t top = 1, sum = 0;
    for (int i = 0; i < b->n_layers; i++) {
        sum += b->layers[i].cycles;
        if (b->layers[i].cycles > top)
            top = b->layers[i].cycles;
    }
    fprintf(f, "<h2>%s</h2>\n<p>%s: %llu cycles in all (the stamps add a few cycles a step).</p>\n"
               "<svg class=\"chart\" width=\"%d\" height=\"%d\" role=\"img\">\n",
            title, text, (unsigned long long)sum, CHART_W, 22 * b->n_layers + 10);
    for (int i = 0; i < b->n_layers; i++) {
        const struct ort_llm_layer *l = &b->layers[i];
        double w = (CHART_W - 400.0) * (double)l->cycles / (double)top;
        fprintf(f, "<text x=\"0\" y=\"%d\" class=\"axis\">", 22 * i + 16);
        ort_html_escape(f, l->name);
        fprintf(f, "</text><rect class=\"bar\" x=\"110\" y=\"%d\" width=\"%.1f\" height=\"16\"/>"
                   "<text x=\"%.1f\" y=\"%d\" class=\"axis\">%llu cycles, %d steps (%d on the NPU)</text>\n",
                22 * i + 4, w, 116 + w, 22 * i + 16, (unsigned long long)l->cycles, l->steps, l->npu_steps);
    }
    fputs("</svg>\n", f);
}

bool ort_llm_write_html(const char *path, const struct ort_llm_result *r, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return false;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>ortigia llm</title>\n<style>\n"
          "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}"
          "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}"
          "td:first-child,th:first-child{text-align:left}.prompt{fill:#4c78a8}.autoregressive{fill:#f58518}"
          ".grid{stroke:#ddd}.axis{font-size:11px;fill:#555}.band{stroke:#333;stroke-width:1}"
          ".bar{fill:#54a24b}.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}"
          "</style></head><body>\n<h1>ortigia llm</h1>\n<p>",
          f);
    ort_html_escape(f, r->model);
    fprintf(f, ": %d layers, dim %d, %d heads (%d for keys and values), vocabulary %d, context %d; "
               "%d of the step network's %d steps on the NPU; %g MHz.</p>\n",
            r->layers, r->dim, r->heads, r->kv_heads, r->vocab, r->context, r->npu_steps, r->steps,
            r->frequency_mhz);
    fputs("<h2>Per mode</h2>\n<table id=\"modes\"><tr><th>mode</th><th>positions</th><th>passes</th>"
          "<th>cycles/token</th><th>ms/token</th><th>tokens/s</th><th>uJ/token</th><th>band (uJ)</th>"
          "<th>mW</th></tr>\n",
          f);
    for (int md = 0; md < ORT_LLM_MODES; md++) {
        struct ort_llm_mode_sum m;
        ort_llm_mode_sum(r, (enum ort_llm_mode)md, &m);
        if (!m.positions)
            continue;
        struct per_token t = per_token(r, &m);
        fprintf(f, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.0f</td><td>%.3f</td><td>%.1f</td><td>%.2f</td>"
                   "<td>%.2f .. %.2f</td><td>%.1f</td></tr>\n",
                mode_names[md], m.positions, m.spans, t.cycles, t.seconds * 1e3, t.seconds > 0 ? 1 / t.seconds : 0,
                t.j * 1e6, t.lo * 1e6, t.hi * 1e6, t.watts * 1e3);
    }
    fprintf(f, "</table>\n<p>Run: %llu cycles, %.2f uJ (band %.2f .. %.2f), simulated in %.2f s. "
               "The band is the power model's (docs/power-model.md).</p>\n",
            (unsigned long long)r->run_cycles, r->run_energy_j * 1e6, r->run_energy_low_j * 1e6,
            r->run_energy_high_j * 1e6, r->wall_s);
    fputs("<h2>Each position</h2>\n<p class=\"key\"><span class=\"prompt\" style=\"background:#4c78a8\"></span>"
          "prompt<span style=\"background:#f58518\"></span>autoregressive</p>\n",
          f);
    span_chart(f, r, "Latency per token (cycles)", "cycles", 0);
    span_chart(f, r, "Energy per token (uJ, with the band)", "uJ", 1);
    if (r->step_net.n_layers) {
        layers_chart(f, &r->step_net, "Layers of one position",
                     "From a second build that stamps each step's cycles, its first step; the token loop is "
                     "the harness's share: the embedding row, the rotary matrix and the mask in, argmax, the "
                     "keys and values into the caches, and starting the cores");
        steps_table(f, &r->step_net, "steps", "one position", "steps_one_position");
    }
    if (r->prefill_net.n_layers) {
        layers_chart(f, &r->prefill_net, "Layers of the prefill pass",
                     "The same build's prompt positions in one pass; the prefill loop is the harness's share: "
                     "the prompt's embedding rows in, argmax, the keys and values into the step's caches");
        steps_table(f, &r->prefill_net, "steps_prefill", "the prefill pass", "steps_prefill");
    }
    fputs("<h2>Energy by component (uJ/token)</h2>\n<table id=\"components\"><tr><th>component</th>", f);
    struct ort_llm_mode_sum sums[ORT_LLM_MODES];
    for (int md = 0; md < ORT_LLM_MODES; md++) {
        ort_llm_mode_sum(r, (enum ort_llm_mode)md, &sums[md]);
        if (sums[md].positions)
            fprintf(f, "<th>%s</th>", mode_names[md]);
    }
    fputs("</tr>\n", f);
    for (int c = 0; c < r->n_components; c++) {
        fputs("<tr><td>", f);
        ort_html_escape(f, r->components[c].name);
        fputs("</td>", f);
        for (int md = 0; md < ORT_LLM_MODES; md++)
            if (sums[md].positions)
                fprintf(f, "<td>%.3f</td>", r->components[c].energy_j[md] / sums[md].positions * 1e6);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h2>Memory</h2>\n<table id=\"memory\"><tr><th>memory</th><th>used (KiB)</th>"
          "<th>size (KiB)</th></tr>\n",
          f);
    for (int k = 0; k < 3; k++)
        fprintf(f, "<tr><td>%s</td><td>%.1f</td><td>%.0f</td></tr>\n", r->memory[k].name, r->memory[k].used / 1024.0,
                r->memory[k].size / 1024.0);
    fputs("</table>\n<h2>Tokens</h2>\n<p id=\"tokens\">", f);
    for (int i = 0; i < r->n_tokens; i++)
        fprintf(f, i ? " %d" : "%d", r->tokens[i]);
    /* The figures as data, and a mark that the page's script ran to its end. */
    json_t *root = result_json(r);
    char *data = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(9));
    json_decref(root);
    fputs("</p>\n<script type=\"application/json\" id=\"data\">", f);
    for (const char *p = data ? data : "{}"; *p; p++) /* no "</script>" inside */
        if (*p == '<')
            fputs("\\u003c", f);
        else
            fputc(*p, f);
    free(data);
    fputs("</script>\n<script>\nconst d = JSON.parse(document.getElementById('data').textContent);\n"
          "document.title = 'ortigia llm: ' + d.tokens.length + ' tokens';\n"
          "document.body.setAttribute('data-ready', '1');\n</script>\n</body></html>\n",
          f);
    bool ok = !ferror(f);
    if (fclose(f) || !ok) {
        snprintf(err, errlen, "%s: cannot write", path);
        return false;
    }
    return true;
}
