/*
 * A power trace as CSV: one row per window of the run (power/report.h,
 * struct ort_power_window) with its length, total power, each component's
 * power and each core's dominant state (sleep, stall, run):
 *
 *   begin_cycle,end_cycle,seconds,total_w,<component>_w...,core<i>_state...
 *
 * The simulator takes the windows (sim/power.cpp); this only writes them.
 */
#ifndef ORTIGIA_POWER_TRACE_H
#define ORTIGIA_POWER_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* False when the file cannot be written. */
/* The CSV a window at a time, for a trace written while the run goes on
   (its memory does not grow): the header (the columns of `first`; NULL:
   the fixed columns only), then one row per window. The caller checks
   the stream (ferror) when it closes it. */
void ort_power_trace_csv_header(FILE *f, const struct ort_power_window *first);
void ort_power_trace_csv_row(FILE *f, const struct ort_power_window *w);

bool ort_power_trace_write_csv(const char *path, const struct ort_power_window *windows, size_t n);

#ifdef __cplusplus
}
#endif

#endif
