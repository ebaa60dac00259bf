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

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* False when the file cannot be written. */
bool ort_vcd_write_power(const char *path, const struct ort_power_window *windows, size_t n,
                         double frequency_mhz);

#ifdef __cplusplus
}
#endif

#endif
