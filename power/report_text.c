/* The energy table and the regions table (report.h). */
#include "report.h"

/* A failed fprintf sets the stream's error indicator, so one look at it
   after the flush covers every line written. */
static bool flushed(FILE *out)
{
    return fflush(out) == 0 && !ferror(out);
}

/* A component that spent time power-gated or woke up in the report. */
static bool was_gated(const struct ort_power_activity *a)
{
    return a->kind->gateable && (a->state_cycles[ORT_POWER_POWER_GATED] || a->wakeups);
}

bool ort_power_print(FILE *out, const struct ort_power_model *m, const struct ort_power_report *r)
{
    const struct ort_power_opp *op = &m->opp[r->opp];
    fprintf(out, "\nenergy (%s, operating point %s: %.2f V, %.0f MHz): %llu cycles, %.6g s\n",
            m->name, op->name, op->voltage.value, op->frequency_mhz.value,
            (unsigned long long)r->cycles, r->seconds);
    fprintf(out, "%-14s %12s %12s %12s %12s %10s %7s %12s %12s\n", "component", "dynamic uJ",
            "background", "leakage uJ", "total uJ", "avg mW", "share", "low uJ", "high uJ");
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_energy *e = &r->energy[i];
        fprintf(out, "%-14s %12.4f %12.4f %12.4f %12.4f %10.3f %6.1f%% %12.4f %12.4f\n",
                r->activity[i].name, e->dynamic_j * 1e6, e->background_j * 1e6,
                e->leakage_j * 1e6, e->total_j * 1e6,
                r->seconds > 0 ? e->total_j / r->seconds * 1e3 : 0,
                r->total_j > 0 ? 100 * e->total_j / r->total_j : 0, e->total_low_j * 1e6,
                e->total_high_j * 1e6);
    }
    fprintf(out, "%-14s %51s %12.4f %10.3f %7s %12.4f %12.4f\n", "total", "", r->total_j * 1e6,
            r->average_w * 1e3, "", r->total_low_j * 1e6, r->total_high_j * 1e6);
    /* How sure the total is, and which numbers make it unsure. */
    fprintf(out, "band (corners of the model's ranges): %.4f .. %.4f uJ, %.3f .. %.3f mW\n",
            r->total_low_j * 1e6, r->total_high_j * 1e6, r->average_low_w * 1e3,
            r->average_high_w * 1e3);
    struct ort_power_band_share top[3];
    unsigned nt = ort_power_band_top(m, r, -1, top, 3);
    double width = r->total_high_j - r->total_low_j;
    for (unsigned i = 0; i < nt; i++)
        fprintf(out, "  dominated by %s.%s (%s): %.0f%% of the band\n", top[i].kind->name,
                top[i].what, ort_power_class_name(top[i].value->cls),
                width > 0 ? 100 * top[i].width_j / width : 0);
    /* Time in each power state of the components that were power-gated,
       and what gating saved against staying on, clock-gated. (The JSON,
       CSV and HTML reports list every component that can be gated.) */
    bool gated = false;
    for (unsigned i = 0; i < r->n; i++)
        gated |= was_gated(&r->activity[i]);
    if (gated) {
        fprintf(out, "power states (cycles; saved: against staying on, clock-gated):\n");
        for (unsigned i = 0; i < r->n; i++) {
            const struct ort_power_activity *a = &r->activity[i];
            const struct ort_power_energy *e = &r->energy[i];
            if (!was_gated(a))
                continue;
            fprintf(out,
                    "  %-12s active %llu, clock-gated %llu, power-gated %llu, %llu wake-ups "
                    "(%.4f uJ): saved %.4f uJ (band %.4f .. %.4f)\n",
                    a->name, (unsigned long long)a->state_cycles[ORT_POWER_ACTIVE],
                    (unsigned long long)a->state_cycles[ORT_POWER_CLOCK_GATED],
                    (unsigned long long)a->state_cycles[ORT_POWER_POWER_GATED],
                    (unsigned long long)a->wakeups, e->wakeup_j * 1e6, e->saved_j * 1e6,
                    e->saved_low_j * 1e6, e->saved_high_j * 1e6);
        }
        fprintf(out, "  %-12s saved %.4f uJ (band %.4f .. %.4f)\n", "total", r->saved_j * 1e6,
                r->saved_low_j * 1e6, r->saved_high_j * 1e6);
    }
    /* Dynamic energy per event, summed over the instances of each kind. */
    fprintf(out, "dynamic energy by event:\n");
    for (unsigned k = 0; k < m->n_kinds; k++) {
        const struct ort_power_kind *kind = &m->kind[k];
        for (unsigned e = 0; e < kind->n_events; e++) {
            double j = 0;
            uint64_t n = 0;
            for (unsigned i = 0; i < r->n; i++)
                if (r->activity[i].kind == kind) {
                    j += r->energy[i].event_j[e];
                    n += r->activity[i].events[e];
                }
            if (n)
                fprintf(out, "  %-12s %-10s %14llu events %12.4f uJ\n", kind->name, kind->event[e],
                        (unsigned long long)n, j * 1e6);
        }
    }
    return flushed(out);
}

bool ort_power_print_regions(FILE *out, const struct ort_power_region *regions, size_t n)
{
    if (!n)
        return true;
    fprintf(out, "regions:\n%-28s %12s %12s %12s %10s %12s %12s\n", "  id label", "cycles",
            "time us", "energy uJ", "avg mW", "low uJ", "high uJ");
    for (size_t i = 0; i < n; i++) {
        const struct ort_power_region *g = &regions[i];
        const struct ort_power_report *r = g->report;
        /* The name column ("  " and two spaces per depth, the id, the
           label) is left-aligned in 28 characters like "%-28s", padded by
           hand because the name has no bound on its length. */
        int len = fprintf(out, "%*s%u%s%s", (int)(2 + 2 * g->depth), "", g->id,
                          g->label[0] ? " " : "", g->label);
        fprintf(out, "%*s %12llu %12.3f %12.4f %10.3f %12.4f %12.4f\n", len < 28 ? 28 - len : 0,
                "", (unsigned long long)r->cycles, r->seconds * 1e6, r->total_j * 1e6,
                r->average_w * 1e3, r->total_low_j * 1e6, r->total_high_j * 1e6);
    }
    return flushed(out);
}
