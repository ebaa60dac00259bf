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
    uint64_t state_cycles[ORT_POWER_STATES]; /* cycles active / clock-gated / power-gated */
    uint64_t wakeups;                        /* power-ups from power-gated */
};

/* The coefficients that multiply each number of a kind for one activity:
   energy = sum of coefficient x number, but for the leakage of the
   power-gated time, which is leakage x residual fraction. Events and
   background in J per pJ, leakage in J per uW, wake-ups in J per nJ. One
   function, so that the energy, its band, the band's shares and the
   design matrix of ortigia power-fit (power/fit.h) all come from the same
   arithmetic. */
struct ort_power_coefficients {
    double event[ORT_POWER_MAX_EVENTS];
    double background[ORT_POWER_STATES];
    double leak_on;   /* seconds not power-gated, in J per uW */
    double leak_pg;   /* seconds power-gated, in J per uW (x the residual) */
    double leak_state[ORT_POWER_STATES]; /* seconds in each state, for state_j */
    double wakeup;    /* wake-ups, in J per nJ */
    double gated_bg;  /* power-gated cycles priced as clock-gated ones (the saving) */
};

void ort_power_coefficients_of(const struct ort_power_model *m, unsigned opp,
                               const struct ort_power_activity *a, uint64_t cycles,
                               struct ort_power_coefficients *k);

/* Its energy, in joules.
 *
 * The band [total_low_j, total_high_j] is a corner analysis over the
 * ranges of the model's numbers: energy is a sum of non-negative counts
 * times the numbers, so it rises with every number and its extremes are
 * the corners with every number at its low (high) end. This is the
 * worst case (all numbers off in the same direction at once), not a
 * confidence interval; docs/power-model.md says why it was chosen. */
struct ort_power_energy {
    double event_j[ORT_POWER_MAX_EVENTS];
    double dynamic_j;    /* sum of event_j */
    double background_j; /* per-state background power x time */
    double leakage_j;    /* on: full leakage; power-gated: the residual fraction */
    double wakeup_j;     /* wake-ups x wakeup_nj x (V/V_ref)^2 */
    double total_j;
    double total_low_j, total_high_j;
    /* Per state: its background and the leakage of its time (the wake-up
       energy is in none of them). */
    double state_j[ORT_POWER_STATES];
    /* What power gating saved against staying on, clock-gated, over the
       power-gated time: the leakage (but the residual) and the clock-gated
       background not spent, minus the wake-ups' energy; with its band
       (the saving rises with the leakage and the clock-gated background,
       falls with the residual fraction and the wake-up energy: its corners
       take each at the matching end). 0 for a component never power-gated. */
    double saved_j, saved_low_j, saved_high_j;
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
    double total_j, total_low_j, total_high_j;
    double average_w, average_low_w, average_high_w;
    double saved_j, saved_low_j, saved_high_j; /* sums of the instances' */
};

/* Compute every instance's energy and the totals (report->activity,
   ->n, ->opp and ->cycles filled by the caller). */
void ort_power_report_compute(const struct ort_power_model *m, struct ort_power_report *r);

/* One number of the model that the band of a report depends on, and how
   much of the band's width (high - low, in joules) it makes. */
struct ort_power_band_share {
    const struct ort_power_kind *kind;
    const char *what;  /* an event name, "background.active", "background.clock_gated",
                          "leakage", "power_gating.residual_leakage",
                          "power_gating.wakeup_nj" */
    const struct ort_power_value *value;
    double width_j;    /* its part of total_high_j - total_low_j */
};

/* The numbers that make the widest parts of the band of the report
   (instance < 0) or of one of its instances, widest first: up to `max` of
   them into `out`; returns how many. Ties keep the model's order, so the
   list is deterministic. */
unsigned ort_power_band_top(const struct ort_power_model *m, const struct ort_power_report *r,
                            int instance, struct ort_power_band_share *out, unsigned max);

#ifdef __cplusplus
}
#endif

#endif
