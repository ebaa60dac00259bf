/*
 * A power trace as a VCD file (IEEE 1364 value change dump, readable by
 * GTKWave): per window of the run (power/report.h, struct ort_power_window),
 * the total and each component's power in mW as `real` variables and each
 * core's state as a 2-bit wire (0 sleep, 1 stall, 2 run). Time is in ns:
 * a window's begin cycle at `frequency_mhz`, rounded to the nearest ns.
 */
#ifndef ORTIGIA_VCD_H
#define ORTIGIA_VCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* False when the file cannot be written. */
/* The VCD a window at a time (see power_trace.h): the header (the
   variables of `first`; NULL: the total only), each window, and the end
   of the last window. */
void ort_vcd_power_header(FILE *f, const struct ort_power_window *first);
void ort_vcd_power_window(FILE *f, const struct ort_power_window *w, double frequency_mhz);
void ort_vcd_power_end(FILE *f, uint64_t end_cycle, double frequency_mhz);

bool ort_vcd_write_power(const char *path, const struct ort_power_window *windows, size_t n,
                         double frequency_mhz);

#ifdef __cplusplus
}
#endif

#endif
