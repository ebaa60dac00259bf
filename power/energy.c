#include "energy.h"

#include <string.h>

/* Which end of the numbers' ranges to price with. */
enum corner { NOMINAL, LOW, HIGH };

static double pick(const struct ort_power_value *v, enum corner c)
{
    return c == LOW ? v->low : c == HIGH ? v->high : v->value;
}

/* The coefficients that multiply each number of the kind for this
   activity: energy = sum of coefficient x number. Events and background in
   J per pJ, leakage in J per uW. Kept in one place so that the energy, its
   band and the band's shares all come from the same arithmetic. */
struct coefficients {
    double event[ORT_POWER_MAX_EVENTS];
    double background[ORT_POWER_STATES];
    double leakage;
};

static void coefficients_of(const struct ort_power_model *m, unsigned opp,
                            const struct ort_power_activity *a, uint64_t cycles,
                            struct coefficients *k)
{
    double v = m->opp[opp].voltage.value / m->reference_voltage.value;
    double scale = v * v; /* dynamic energy ~ C V^2 */
    for (unsigned e = 0; e < a->kind->n_events; e++)
        k->event[e] = (double)a->events[e] * 1e-12 * scale;
    /* Background in uW/MHz is energy per cycle in pJ. */
    for (unsigned s = 0; s < ORT_POWER_STATES; s++)
        k->background[s] = (double)a->state_cycles[s] * 1e-12 * scale;
    k->leakage = 1e-6 * (double)cycles / (m->opp[opp].frequency_mhz.value * 1e6);
}

static double total_at(const struct ort_power_kind *kind, unsigned opp,
                       const struct coefficients *k, enum corner c)
{
    double j = 0;
    for (unsigned e = 0; e < kind->n_events; e++)
        j += k->event[e] * pick(&kind->event_pj[e], c);
    for (unsigned s = 0; s < ORT_POWER_STATES; s++)
        j += k->background[s] * pick(&kind->background[s], c);
    return j + k->leakage * pick(&kind->leakage_uw[opp], c);
}

void ort_power_energy_of(const struct ort_power_model *m, unsigned opp,
                       const struct ort_power_activity *a, uint64_t cycles,
                       struct ort_power_energy *out)
{
    memset(out, 0, sizeof *out);
    const struct ort_power_kind *kind = a->kind;
    struct coefficients k;
    coefficients_of(m, opp, a, cycles, &k);
    for (unsigned e = 0; e < kind->n_events; e++) {
        out->event_j[e] = k.event[e] * kind->event_pj[e].value;
        out->dynamic_j += out->event_j[e];
    }
    for (unsigned s = 0; s < ORT_POWER_STATES; s++)
        out->background_j += k.background[s] * kind->background[s].value;
    out->leakage_j = k.leakage * kind->leakage_uw[opp].value;
    out->total_j = out->dynamic_j + out->background_j + out->leakage_j;
    out->total_low_j = total_at(kind, opp, &k, LOW);
    out->total_high_j = total_at(kind, opp, &k, HIGH);
}

void ort_power_report_compute(const struct ort_power_model *m, struct ort_power_report *r)
{
    r->total_j = r->total_low_j = r->total_high_j = 0;
    for (unsigned i = 0; i < r->n; i++) {
        ort_power_energy_of(m, r->opp, &r->activity[i], r->cycles, &r->energy[i]);
        r->total_j += r->energy[i].total_j;
        r->total_low_j += r->energy[i].total_low_j;
        r->total_high_j += r->energy[i].total_high_j;
    }
    r->seconds = (double)r->cycles / (m->opp[r->opp].frequency_mhz.value * 1e6);
    r->average_w = r->seconds > 0 ? r->total_j / r->seconds : 0;
    r->average_low_w = r->seconds > 0 ? r->total_low_j / r->seconds : 0;
    r->average_high_w = r->seconds > 0 ? r->total_high_j / r->seconds : 0;
}

static const char *const state_what[ORT_POWER_STATES] = {"background.active",
                                                         "background.clock_gated"};

unsigned ort_power_band_top(const struct ort_power_model *m, const struct ort_power_report *r,
                            int instance, struct ort_power_band_share *out, unsigned max)
{
    /* Every number of every kind with its width summed over the
       instances of the kind, then the widest `max` by insertion. */
    unsigned n = 0;
    if (max == 0)
        return 0;
    for (unsigned ki = 0; ki < m->n_kinds; ki++) {
        const struct ort_power_kind *kind = &m->kind[ki];
        double width[ORT_POWER_MAX_EVENTS + ORT_POWER_STATES + 1] = {0};
        for (unsigned i = 0; i < r->n; i++) {
            if (r->activity[i].kind != kind || (instance >= 0 && (unsigned)instance != i))
                continue;
            struct coefficients k;
            coefficients_of(m, r->opp, &r->activity[i], r->cycles, &k);
            for (unsigned e = 0; e < kind->n_events; e++)
                width[e] += k.event[e] * (kind->event_pj[e].high - kind->event_pj[e].low);
            for (unsigned s = 0; s < ORT_POWER_STATES; s++)
                width[ORT_POWER_MAX_EVENTS + s] +=
                    k.background[s] * (kind->background[s].high - kind->background[s].low);
            width[ORT_POWER_MAX_EVENTS + ORT_POWER_STATES] +=
                k.leakage * (kind->leakage_uw[r->opp].high - kind->leakage_uw[r->opp].low);
        }
        for (unsigned p = 0; p < ORT_POWER_MAX_EVENTS + ORT_POWER_STATES + 1; p++) {
            if (width[p] <= 0 || (p < ORT_POWER_MAX_EVENTS && p >= kind->n_events))
                continue;
            struct ort_power_band_share s = {kind, NULL, NULL, width[p]};
            if (p < ORT_POWER_MAX_EVENTS) {
                s.what = kind->event[p];
                s.value = &kind->event_pj[p];
            } else if (p < ORT_POWER_MAX_EVENTS + ORT_POWER_STATES) {
                s.what = state_what[p - ORT_POWER_MAX_EVENTS];
                s.value = &kind->background[p - ORT_POWER_MAX_EVENTS];
            } else {
                s.what = "leakage";
                s.value = &kind->leakage_uw[r->opp];
            }
            /* Insert in order, widest first; equal widths after. */
            unsigned at = n;
            while (at > 0 && out[at - 1].width_j < s.width_j)
                at--;
            if (at >= max)
                continue;
            unsigned last = n < max ? n : max - 1;
            for (unsigned i = last; i > at; i--)
                out[i] = out[i - 1];
            out[at] = s;
            if (n < max)
                n++;
        }
    }
    return n;
}
