/* The HTML report (report.h): one file with its charts as inline SVG and
   the JSON report embedded, so it opens anywhere without network access. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

void ort_html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *const kColors[] = {"#d95f02", "#7570b3", "#1b9e77", "#e7298a"};

/* Horizontal bars: one per item (names[i]), stacked parts (parts[i *
   n_parts + k], all in `unit`), and a legend of the parts. */
static void svg_bars(FILE *f, size_t n, const char *const *names, const double *parts,
                     size_t n_parts, const char *const *part_names, const char *unit)
{
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        double t = 0;
        for (size_t k = 0; k < n_parts; k++)
            t += parts[i * n_parts + k];
        if (t > max)
            max = t;
    }
    const int row = 18, left = 140, width = 460;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "font-family=\"sans-serif\" font-size=\"11\">\n",
            left + width + 120, (int)n * row + 30);
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 4;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + 12);
        ort_html_escape(f, names[i]);
        fputs("</text>\n", f);
        double x = left, total = 0;
        for (size_t k = 0; k < n_parts; k++) {
            double v = parts[i * n_parts + k];
            double w = max > 0 ? v / max * width : 0;
            fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>",
                    x, y, w, row - 4, kColors[k % 4]);
            ort_html_escape(f, part_names[k]);
            fprintf(f, ": %.6g %s</title></rect>\n", v, unit);
            x += w;
            total += v;
        }
        fprintf(f, "<text x=\"%.2f\" y=\"%d\">%.4g %s</text>\n", x + 4, y + 12, total, unit);
    }
    int ly = (int)n * row + 20;
    for (size_t k = 0; k < n_parts; k++) {
        int lx = left + (int)k * 110;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" "
                   "y=\"%d\">",
                lx, ly - 9, kColors[k % 4], lx + 14, ly);
        ort_html_escape(f, part_names[k]);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

/* Total power over time as a line, one level per window. */
static void svg_power(FILE *f, const struct ort_power_point *w, size_t n)
{
    double tmax = 0, pmax = 0;
    for (size_t i = 0; i < n; i++) {
        if ((double)w[i].end > tmax)
            tmax = (double)w[i].end;
        if (w[i].average_w * 1e3 > pmax)
            pmax = w[i].average_w * 1e3;
    }
    const int left = 60, width = 600, height = 200;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "font-family=\"sans-serif\" font-size=\"11\">\n",
            left + width + 20, height + 40);
    fprintf(f, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, left,
            height + 10);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left,
            height + 10, left + width, height + 10);
    fprintf(f, "<text x=\"%d\" y=\"14\" text-anchor=\"end\">%.3g mW</text>\n", left - 4, pmax);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 4, height + 10);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f cycles</text>\n", left + width,
            height + 26, tmax);
    fputs("<polyline fill=\"none\" stroke=\"#d95f02\" stroke-width=\"1.5\" points=\"", f);
    for (size_t i = 0; i < n; i++) {
        double p = w[i].average_w * 1e3;
        double y = height + 10 - (pmax > 0 ? p / pmax * height : 0);
        fprintf(f, "%.2f,%.2f ", left + (tmax > 0 ? w[i].begin / tmax * width : 0), y);
        fprintf(f, "%.2f,%.2f ", left + (tmax > 0 ? w[i].end / tmax * width : 0), y);
    }
    fputs("\"/>\n</svg>\n", f);
}

static void components_section(FILE *f, const struct ort_power_model *m,
                               const struct ort_power_report *r)
{
    static const char *const part_names[] = {"dynamic", "background", "leakage"};
    const char *names[ORT_POWER_MAX_INSTANCES];
    double parts[ORT_POWER_MAX_INSTANCES * 3];
    for (unsigned i = 0; i < r->n; i++) {
        names[i] = r->activity[i].name;
        parts[i * 3 + 0] = r->energy[i].dynamic_j * 1e6;
        parts[i * 3 + 1] = r->energy[i].background_j * 1e6;
        parts[i * 3 + 2] = r->energy[i].leakage_j * 1e6;
    }
    fputs("<h2>Energy per component</h2>\n", f);
    svg_bars(f, r->n, names, parts, 3, part_names, "uJ");
    fputs("<table><tr><th>component</th><th>dynamic uJ</th><th>background uJ</th><th>leakage uJ"
          "</th><th>total uJ</th><th>low .. high uJ</th><th>average mW</th>"
          "<th class=\"src\">band dominated by</th></tr>\n",
          f);
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_energy *e = &r->energy[i];
        fputs("<tr><td>", f);
        ort_html_escape(f, r->activity[i].name);
        fprintf(f, "</td><td>%.6g</td><td>%.6g</td><td>%.6g</td><td>%.6g</td><td>%.4g .. %.4g</td>"
                   "<td>%.6g</td><td class=\"src\">",
                e->dynamic_j * 1e6, e->background_j * 1e6, e->leakage_j * 1e6, e->total_j * 1e6,
                e->total_low_j * 1e6, e->total_high_j * 1e6,
                r->seconds > 0 ? e->total_j / r->seconds * 1e3 : 0);
        struct ort_power_band_share top;
        if (ort_power_band_top(m, r, (int)i, &top, 1)) {
            ort_html_escape(f, top.what);
            fprintf(f, " (%s)", ort_power_class_name(top.value->cls));
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The band of the total and the numbers that make it. */
static void band_section(FILE *f, const struct ort_power_model *m, const struct ort_power_report *r)
{
    fprintf(f, "<h2>How sure</h2>\n<p>Energy <b>%.6g uJ</b> (band %.6g .. %.6g uJ), average "
               "power <b>%.6g mW</b> (band %.6g .. %.6g mW). The band is a corner analysis: "
               "every number of the model at the low, then the high end of its range (energy "
               "rises with every number, so these are the exact worst-case bounds).</p>\n",
            r->total_j * 1e6, r->total_low_j * 1e6, r->total_high_j * 1e6, r->average_w * 1e3,
            r->average_low_w * 1e3, r->average_high_w * 1e3);
    struct ort_power_band_share top[6];
    unsigned n = ort_power_band_top(m, r, -1, top, 6);
    double width = r->total_high_j - r->total_low_j;
    fputs("<table><tr><th>number</th><th>class</th><th>range</th><th>share of the band</th>"
          "</tr>\n", f);
    for (unsigned i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        ort_html_escape(f, top[i].kind->name);
        fputc('.', f);
        ort_html_escape(f, top[i].what);
        fprintf(f, "</td><td>%s</td><td>%.4g .. %.4g</td><td>%.0f%%</td></tr>\n",
                ort_power_class_name(top[i].value->cls), top[i].value->low, top[i].value->high,
                width > 0 ? 100 * top[i].width_j / width : 0);
    }
    fputs("</table>\n", f);
}

/* Time in each power state of the components that can be power-gated,
   and what gating saved, with its band. */
static void states_section(FILE *f, const struct ort_power_report *r)
{
    bool any = false;
    for (unsigned i = 0; i < r->n; i++)
        any |= r->activity[i].kind->gateable;
    if (!any)
        return;
    fprintf(f, "<h2>Power states</h2>\n<p>Power gating saved <b>%.6g uJ</b> (band %.6g .. "
               "%.6g uJ) against leaving the gated domains on, clock-gated: their leakage but "
               "the residual fraction, less the wake-ups' energy.</p>\n"
               "<table><tr><th>component</th><th>active cycles</th><th>clock-gated cycles</th>"
               "<th>power-gated cycles</th><th>wake-ups</th><th>wake-up uJ</th>"
               "<th>saved uJ</th><th>low uJ</th><th>high uJ</th></tr>\n",
            r->saved_j * 1e6, r->saved_low_j * 1e6, r->saved_high_j * 1e6);
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_activity *a = &r->activity[i];
        const struct ort_power_energy *e = &r->energy[i];
        if (!a->kind->gateable)
            continue;
        fputs("<tr><td>", f);
        ort_html_escape(f, a->name);
        fprintf(f, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%.4f</td>"
                   "<td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>\n",
                (unsigned long long)a->state_cycles[ORT_POWER_ACTIVE],
                (unsigned long long)a->state_cycles[ORT_POWER_CLOCK_GATED],
                (unsigned long long)a->state_cycles[ORT_POWER_POWER_GATED],
                (unsigned long long)a->wakeups, e->wakeup_j * 1e6, e->saved_j * 1e6,
                e->saved_low_j * 1e6, e->saved_high_j * 1e6);
    }
    fputs("</table>\n", f);
}

/* The model's validation table: each anchor, the model's value on its
   workload when the file was calibrated, the error. */
static void validation_section(FILE *f, const struct ort_power_model *m)
{
    if (!m->n_anchors)
        return;
    fputs("<h2>Validation of the model</h2>\n<table><tr><th>anchor</th><th>value</th>"
          "<th>class</th><th>model</th><th>error</th><th>tolerance</th><th>held</th>"
          "<th class=\"src\">workload</th><th class=\"src\">source</th></tr>\n",
          f);
    for (unsigned i = 0; i < m->n_anchors; i++) {
        const struct ort_power_anchor *a = &m->anchor[i];
        fputs("<tr><td>", f);
        ort_html_escape(f, a->name);
        fprintf(f, "</td><td>%.4g ", a->figure.value);
        ort_html_escape(f, a->unit);
        fprintf(f, "</td><td>%s</td><td>%.4g</td><td>%+.1f%%</td><td>%.0f%%</td><td>%s</td>"
                   "<td class=\"src\">",
                ort_power_class_name(a->figure.cls), a->model,
                100 * (a->model / a->figure.value - 1), 100 * a->tolerance,
                a->held ? "yes" : "<b>no</b>");
        ort_html_escape(f, a->workload);
        fputs("</td><td class=\"src\">", f);
        ort_html_escape(f, a->figure.source);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Region names in the chart: indented by two spaces per depth, the id and
   the label. False when out of memory. */
static bool regions_section(FILE *f, const struct ort_power_region *g, size_t n)
{
    static const char *const part_names[] = {"energy"};
    const char **names = calloc(n, sizeof *names);
    double *parts = calloc(n, sizeof *parts);
    bool ok = names && parts;
    for (size_t i = 0; ok && i < n; i++) {
        size_t len = 2 * (size_t)g[i].depth + 12 + ORT_POWER_LABEL;
        char *s = malloc(len);
        if (!s) {
            ok = false;
            break;
        }
        snprintf(s, len, "%*s%u %s", (int)(2 * g[i].depth), "", g[i].id, g[i].label);
        names[i] = s;
        parts[i] = g[i].report->total_j * 1e6;
    }
    if (ok) {
        fputs("<h2>Regions</h2>\n", f);
        svg_bars(f, n, names, parts, 1, part_names, "uJ");
        fputs("<table><tr><th>region</th><th>cycles</th><th>time us</th><th>energy uJ</th>"
              "<th>low .. high uJ</th><th>average mW</th></tr>\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const struct ort_power_report *r = g[i].report;
            fputs("<tr><td>", f);
            for (unsigned d = 0; d < 2 * g[i].depth; d++)
                fputc('.', f);
            fprintf(f, "%u ", g[i].id);
            ort_html_escape(f, g[i].label);
            fprintf(f, "</td><td>%llu</td><td>%.6g</td><td>%.6g</td><td>%.4g .. %.4g</td>"
                       "<td>%.6g</td></tr>\n",
                    (unsigned long long)r->cycles, r->seconds * 1e6, r->total_j * 1e6,
                    r->total_low_j * 1e6, r->total_high_j * 1e6, r->average_w * 1e3);
        }
        fputs("</table>\n", f);
    }
    for (size_t i = 0; names && i < n; i++)
        free((char *)names[i]);
    free(names);
    free(parts);
    return ok;
}

static void model_row(FILE *f, const char *component, const char *number,
                      const struct ort_power_value *v, const char *unit)
{
    fputs("<tr><td>", f);
    ort_html_escape(f, component);
    fputs("</td><td>", f);
    ort_html_escape(f, number);
    fprintf(f, "</td><td>%.6g %s</td><td>%s</td><td>", v->value, unit,
            ort_power_class_name(v->cls));
    if (v->cls != ORT_POWER_PUBLISHED || v->low != v->high)
        fprintf(f, "%.4g .. %.4g", v->low, v->high);
    fputs("</td><td class=\"src\">", f);
    ort_html_escape(f, v->source);
    fputs("</td></tr>\n", f);
}

static void model_section(FILE *f, const struct ort_power_model *m)
{
    fputs("<h2>The model's numbers and their sources</h2>\n<table><tr><th>component</th><th>"
          "number</th><th>value</th><th>class</th><th>range</th><th class=\"src\">source</th>"
          "</tr>\n",
          f);
    for (unsigned o = 0; o < m->n_opps; o++) {
        model_row(f, m->opp[o].name, "voltage", &m->opp[o].voltage, "V");
        model_row(f, m->opp[o].name, "frequency", &m->opp[o].frequency_mhz, "MHz");
    }
    for (unsigned k = 0; k < m->n_kinds; k++) {
        const struct ort_power_kind *kd = &m->kind[k];
        for (unsigned e = 0; e < kd->n_events; e++)
            model_row(f, kd->name, kd->event[e], &kd->event_pj[e], "pJ");
        model_row(f, kd->name, "background active", &kd->background[ORT_POWER_ACTIVE], "uW/MHz");
        model_row(f, kd->name, "background clock-gated", &kd->background[ORT_POWER_CLOCK_GATED],
                  "uW/MHz");
        for (unsigned o = 0; o < m->n_opps; o++) {
            char number[ORT_POWER_NAME + 16];
            snprintf(number, sizeof number, "leakage at %s", m->opp[o].name);
            model_row(f, kd->name, number, &kd->leakage_uw[o], "uW");
        }
        if (kd->gateable) {
            model_row(f, kd->name, "power-gated: residual leakage", &kd->residual_leakage,
                      "of leakage");
            model_row(f, kd->name, "wake-up energy", &kd->wakeup_nj, "nJ");
            model_row(f, kd->name, "wake-up latency", &kd->wakeup_cycles, "cycles");
        }
    }
    fputs("</table>\n", f);
}

/* The JSON report as data; "</" is written "<\/" so that no string in it
   can end the script element early. */
static bool json_section(FILE *f, const struct ort_power_model *m, const struct ort_power_report *r,
                         const struct ort_power_region *regions, size_t n)
{
    char *text = ort_power_json_compact(m, r, regions, n);
    fputs("<script type=\"application/json\" id=\"ortigia-report\">", f);
    for (const char *s = text ? text : "{}"; *s; s++) {
        fputc(*s, f);
        if (s[0] == '<' && s[1] == '/')
            fputc('\\', f);
    }
    fputs("</script>\n", f);
    free(text);
    return text != NULL;
}

bool ort_power_write_html(const char *path, const struct ort_power_model *m,
                          const struct ort_power_report *r, const struct ort_power_region *regions,
                          size_t n, const struct ort_power_point *points, size_t n_points)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    const struct ort_power_opp *op = &m->opp[r->opp];
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Ortigia energy "
          "report</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
          "text-align:right}td:first-child,th:first-child{text-align:left}"
          ".src{text-align:left;font-size:smaller}</style></head><body>\n",
          f);
    fputs("<h1>Energy report</h1>\n<p>Model <b>", f);
    ort_html_escape(f, m->name);
    fputs("</b>, operating point <b>", f);
    ort_html_escape(f, op->name);
    fprintf(f, "</b> (%.2f V, %.0f MHz): %llu cycles, %.6g us, <b>%.6g uJ</b> (%.6g .. %.6g), "
               "%.6g mW on average (%.6g .. %.6g).</p>\n",
            op->voltage.value, op->frequency_mhz.value, (unsigned long long)r->cycles,
            r->seconds * 1e6, r->total_j * 1e6, r->total_low_j * 1e6, r->total_high_j * 1e6,
            r->average_w * 1e3, r->average_low_w * 1e3, r->average_high_w * 1e3);
    band_section(f, m, r);
    states_section(f, r);
    components_section(f, m, r);
    if (n_points) {
        fputs("<h2>Power over time</h2>\n", f);
        svg_power(f, points, n_points);
    }
    bool ok = true;
    if (n)
        ok = regions_section(f, regions, n);
    validation_section(f, m);
    model_section(f, m);
    ok = json_section(f, m, r, regions, n) && ok;
    fputs("</body></html>\n", f);
    /* A failed write sets the stream's error indicator: one look covers
       the whole page. */
    ok = ok && !ferror(f);
    return fclose(f) == 0 && ok;
}

struct ort_power_point ort_power_point_of(const struct ort_power_window *w)
{
    struct ort_power_point p = {w->begin, w->end, w->report->seconds, w->report->average_w};
    return p;
}

struct ort_power_point ort_power_point_merge(struct ort_power_point a, struct ort_power_point b)
{
    struct ort_power_point p = {a.begin, b.end, a.seconds + b.seconds, 0};
    if (p.seconds > 0)
        p.average_w = (a.average_w * a.seconds + b.average_w * b.seconds) / p.seconds;
    return p;
}
