/*
 * Energy of component instances over an interval, from their activity (event
 * counts and cycles per state) and the power model (power_model.h).
 * Plain C, no simulator types: the simulator fills the activity records.
 */
#ifndef ORTIGIA_ENERGY_H
#define ORTIGIA_ENERGY_H

#include <stdint.h>

#include "power_model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_POWER_MAX_INSTANCES 48

/* What one component instance ("core3", "l1", ...) did in the interval. */
struct ort_power_activity {
    char name[ORT_POWER_NAME];
    const struct ort_power_kind *kind;
    uint64_t events[ORT_POWER_MAX_EVENTS];   /* counts, indexed like kind->event */
    uint64_t state_cycles[ORT_POWER_STATES]; /* cycles active / clock-gated */
};

/* Its energy, in joules. */
struct ort_power_energy {
    double event_j[ORT_POWER_MAX_EVENTS];
    double dynamic_j;    /* sum of event_j */
    double background_j; /* per-state background power x time */
    double leakage_j;
    double total_j;
};

/* Energy of one instance over `cycles` at operating point `opp`. */
void ort_power_energy_of(const struct ort_power_model *m, unsigned opp,
                       const struct ort_power_activity *a, uint64_t cycles,
                       struct ort_power_energy *out);

/* The energy of a set of instances over one interval. */
struct ort_power_report {
    unsigned opp;
    uint64_t cycles;
    double seconds;
    unsigned n;
    struct ort_power_activity activity[ORT_POWER_MAX_INSTANCES];
    struct ort_power_energy energy[ORT_POWER_MAX_INSTANCES];
    double total_j;
    double average_w;
};

/* Compute every instance's energy and the totals (report->activity,
   ->n, ->opp and ->cycles filled by the caller). */
void ort_power_report_compute(const struct ort_power_model *m, struct ort_power_report *r);

#ifdef __cplusplus
}
#endif

#endif
