/* The CSV report (report.h). */
#include "report.h"

#include <string.h>

/* A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a
   line break. */
static void csv_field(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\n\r")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_rows(FILE *f, const struct ort_power_model *m, long long id, const char *label,
                     const struct ort_power_report *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_energy *e = &r->energy[i];
        double s = r->seconds;
        fprintf(f, "%lld,", id);
        csv_field(f, label);
        fprintf(f, ",%s,%s,%llu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,", r->activity[i].name,
                r->activity[i].kind->name, (unsigned long long)r->cycles, s, e->dynamic_j,
                e->background_j, e->leakage_j, e->total_j, s > 0 ? e->total_j / s : 0.0,
                e->total_low_j, e->total_high_j, s > 0 ? e->total_low_j / s : 0.0,
                s > 0 ? e->total_high_j / s : 0.0);
        const struct ort_power_activity *a = &r->activity[i];
        fprintf(f, "%llu,%llu,%llu,%llu,%.9g,%.9g,%.9g,%.9g,",
                (unsigned long long)a->state_cycles[ORT_POWER_ACTIVE],
                (unsigned long long)a->state_cycles[ORT_POWER_CLOCK_GATED],
                (unsigned long long)a->state_cycles[ORT_POWER_POWER_GATED],
                (unsigned long long)a->wakeups, e->wakeup_j, e->saved_j, e->saved_low_j,
                e->saved_high_j);
        /* The number that makes most of this component's band. */
        struct ort_power_band_share top;
        if (ort_power_band_top(m, r, (int)i, &top, 1)) {
            char what[2 * ORT_POWER_NAME + 48];
            snprintf(what, sizeof what, "%s.%s (%s)", top.kind->name, top.what,
                     ort_power_class_name(top.value->cls));
            csv_field(f, what);
        }
        fputc('\n', f);
    }
}

bool ort_power_write_csv(const char *path, const struct ort_power_model *m,
                         const struct ort_power_report *r,
                         const struct ort_power_region *regions, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "region_id,region_label,component,kind,cycles,seconds,dynamic_j,"
               "background_j,leakage_j,energy_j,average_power_w,energy_j_low,energy_j_high,"
               "average_power_w_low,average_power_w_high,active_cycles,clock_gated_cycles,"
               "power_gated_cycles,wakeups,wakeup_j,gating_saved_j,gating_saved_j_low,"
               "gating_saved_j_high,band_dominated_by\n");
    csv_rows(f, m, -1, "run", r);
    for (size_t i = 0; i < n; i++)
        csv_rows(f, m, regions[i].id, regions[i].label, regions[i].report);
    /* A failed write sets the stream's error indicator: one look covers
       every row. */
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok;
}
