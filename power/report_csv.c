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

static void csv_rows(FILE *f, long long id, const char *label, const struct ort_power_report *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_energy *e = &r->energy[i];
        fprintf(f, "%lld,", id);
        csv_field(f, label);
        fprintf(f, ",%s,%s,%llu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", r->activity[i].name,
                r->activity[i].kind->name, (unsigned long long)r->cycles, r->seconds,
                e->dynamic_j, e->background_j, e->leakage_j, e->total_j,
                r->seconds > 0 ? e->total_j / r->seconds : 0.0);
    }
}

bool ort_power_write_csv(const char *path, const struct ort_power_report *r,
                         const struct ort_power_region *regions, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "region_id,region_label,component,kind,cycles,seconds,dynamic_j,"
               "background_j,leakage_j,energy_j,average_power_w\n");
    csv_rows(f, -1, "run", r);
    for (size_t i = 0; i < n; i++)
        csv_rows(f, regions[i].id, regions[i].label, regions[i].report);
    /* A failed write sets the stream's error indicator: one look covers
       every row. */
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok;
}
