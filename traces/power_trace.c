/* The power trace's CSV (power_trace.h). */
#include "power_trace.h"

#include <stdio.h>

/* The name of a core state (enum ort_power_core_state) in the CSV. */
static const char *state_name(unsigned state)
{
    static const char *const names[] = {"sleep", "stall", "run"};
    return state < sizeof names / sizeof *names ? names[state] : "?";
}

void ort_power_trace_csv_header(FILE *f, const struct ort_power_window *first)
{
    /* The columns are the first window's components and cores: every
       window has the same. */
    fprintf(f, "begin_cycle,end_cycle,seconds,total_w");
    if (first) {
        const struct ort_power_report *r0 = first->report;
        for (unsigned i = 0; i < r0->n; i++)
            fprintf(f, ",%s_w", r0->activity[i].name);
        for (unsigned c = 0; c < first->n_cores; c++)
            fprintf(f, ",core%u_state", c);
    }
    fprintf(f, "\n");
}

void ort_power_trace_csv_row(FILE *f, const struct ort_power_window *w)
{
    const struct ort_power_report *r = w->report;
    fprintf(f, "%llu,%llu,%.9g,%.9g", (unsigned long long)w->begin, (unsigned long long)w->end,
            r->seconds, r->average_w);
    for (unsigned i = 0; i < r->n; i++)
        fprintf(f, ",%.9g", r->seconds > 0 ? r->energy[i].total_j / r->seconds : 0.0);
    for (unsigned c = 0; c < w->n_cores; c++)
        fprintf(f, ",%s", state_name(w->core_state[c]));
    fprintf(f, "\n");
}

bool ort_power_trace_write_csv(const char *path, const struct ort_power_window *windows, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    ort_power_trace_csv_header(f, n ? &windows[0] : NULL);
    for (size_t k = 0; k < n; k++)
        ort_power_trace_csv_row(f, &windows[k]);
    /* A failed write sets the stream's error indicator: one look covers
       every row. */
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok;
}
