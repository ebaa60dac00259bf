/*
 * The energy reports of a run: a text table, JSON, CSV and a self-contained
 * HTML page. Plain C over plain data: the model, the run's report
 * (energy.h), the regions the firmware marked and, for the HTML page, the
 * windows of a power trace. The simulator fills these records; the writers
 * know nothing of it.
 *
 * The writers return false when the report could not be written (a file
 * that cannot be opened, a failed write, a full disk); the caller says so.
 */
#ifndef ORTIGIA_POWER_REPORT_H
#define ORTIGIA_POWER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "energy.h"
#include "power_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A region label's room: up to 63 printable characters and the NUL. */
#define ORT_POWER_LABEL 64

/* A region marked by the firmware (sim-control REGION_BEGIN / REGION_END)
   and its activity and energy between the two markers. */
struct ort_power_region {
    uint32_t id;
    char label[ORT_POWER_LABEL]; /* "" when the firmware gave none */
    uint64_t begin, end;       /* cycles */
    int parent;                /* index in the array, -1 for a top-level region */
    unsigned depth;            /* 0 for a top-level region */
    const struct ort_power_report *report;
};

/* A core's dominant state in a window of a power trace (the values are the
   ones the VCD shows). */
enum ort_power_core_state { ORT_POWER_CORE_SLEEP = 0, ORT_POWER_CORE_STALL = 1, ORT_POWER_CORE_RUN = 2 };

/* One window of a power trace: the activity and energy of [begin, end) and
   each core's dominant state. Every window of a trace lists the same
   components and cores. */
struct ort_power_window {
    uint64_t begin, end; /* cycles */
    const struct ort_power_report *report;
    unsigned n_cores;
    uint8_t core_state[ORT_POWER_MAX_INSTANCES]; /* enum ort_power_core_state, per core */
};

/* A point of the power-over-time chart: a span of the run and its average
   power (a power-trace window, or adjacent windows merged so that a long
   run's chart and its memory stay bounded). */
struct ort_power_point {
    uint64_t begin, end; /* cycles */
    double seconds, average_w;
};

/* A window as a chart point. */
struct ort_power_point ort_power_point_of(const struct ort_power_window *w);

/* Two adjacent points as one (energy-weighted average power). */
struct ort_power_point ort_power_point_merge(struct ort_power_point a, struct ort_power_point b);

/* A table: one line per component (dynamic, background, leakage, total,
   average power, share, the band's low and high ends), the total with its
   band and the numbers that dominate it, the power states of the
   components that can be power-gated (cycles per state, wake-ups, the
   energy gating saved with its band), and the dynamic energy per event of
   each component kind. */
bool ort_power_print(FILE *out, const struct ort_power_model *m, const struct ort_power_report *r);

/* Time and energy per region, indented by depth; nothing without regions. */
bool ort_power_print_regions(FILE *out, const struct ort_power_region *regions, size_t n);

/* The JSON report: model, operating point, totals, per component (with
   events) and per region (id, label, parent, cycles, energy, components). */
bool ort_power_write_json(const char *path, const struct ort_power_model *m,
                          const struct ort_power_report *r, const struct ort_power_region *regions,
                          size_t n);

/* The same JSON on one line, as a string to free(); NULL when out of memory. */
char *ort_power_json_compact(const struct ort_power_model *m, const struct ort_power_report *r,
                             const struct ort_power_region *regions, size_t n);

/* CSV: one row per component of the whole run (region "run", id -1) and of
   every region: region_id,region_label,component,kind,cycles,seconds,
   dynamic_j,background_j,leakage_j,energy_j,average_power_w,energy_j_low,
   energy_j_high,average_power_w_low,average_power_w_high,active_cycles,
   clock_gated_cycles,power_gated_cycles,wakeups,wakeup_j,gating_saved_j,
   gating_saved_j_low,gating_saved_j_high (the power states, energy.h),
   band_dominated_by (the model's number that makes most of the row's band,
   with its class). */
bool ort_power_write_csv(const char *path, const struct ort_power_model *m,
                         const struct ort_power_report *r,
                         const struct ort_power_region *regions, size_t n);

/* Text into HTML: <, >, & and " as entities (the other reports' writers
   use it too). */
void ort_html_escape(FILE *f, const char *s);

/* One self-contained HTML file (no network access needed): tables and
   inline SVG charts of the energy per component, power over time (when
   there are points) and per-region latency and energy, the model's
   numbers with their sources, and the JSON report embedded as data. */
bool ort_power_write_html(const char *path, const struct ort_power_model *m,
                          const struct ort_power_report *r, const struct ort_power_region *regions,
                          size_t n, const struct ort_power_point *points, size_t n_points);

#ifdef __cplusplus
}
#endif

#endif
