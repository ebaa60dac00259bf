#include "energy.h"

#include <string.h>

void ort_power_energy_of(const struct ort_power_model *m, unsigned opp,
                       const struct ort_power_activity *a, uint64_t cycles,
                       struct ort_power_energy *out)
{
    memset(out, 0, sizeof *out);
    const struct ort_power_kind *k = a->kind;
    double v = m->opp[opp].voltage.value / m->reference_voltage.value;
    double scale = v * v; /* dynamic energy ~ C V^2 */
    for (unsigned e = 0; e < k->n_events; e++) {
        out->event_j[e] = (double)a->events[e] * k->event_pj[e].value * 1e-12 * scale;
        out->dynamic_j += out->event_j[e];
    }
    /* Background in uW/MHz is energy per cycle in pJ. */
    for (unsigned s = 0; s < ORT_POWER_STATES; s++)
        out->background_j += (double)a->state_cycles[s] * k->background[s].value * 1e-12 * scale;
    double seconds = (double)cycles / (m->opp[opp].frequency_mhz.value * 1e6);
    out->leakage_j = k->leakage_uw[opp].value * 1e-6 * seconds;
    out->total_j = out->dynamic_j + out->background_j + out->leakage_j;
}

void ort_power_report_compute(const struct ort_power_model *m, struct ort_power_report *r)
{
    r->total_j = 0;
    for (unsigned i = 0; i < r->n; i++) {
        ort_power_energy_of(m, r->opp, &r->activity[i], r->cycles, &r->energy[i]);
        r->total_j += r->energy[i].total_j;
    }
    r->seconds = (double)r->cycles / (m->opp[r->opp].frequency_mhz.value * 1e6);
    r->average_w = r->seconds > 0 ? r->total_j / r->seconds : 0;
}
