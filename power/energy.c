#include "energy.h"

#include <string.h>

/* Which end of the numbers' ranges to price with. */
enum corner { NOMINAL, LOW, HIGH };

static double pick(const struct ort_power_value *v, enum corner c)
{
    return c == LOW ? v->low : c == HIGH ? v->high : v->value;
}

static enum corner opposite(enum corner c) { return c == LOW ? HIGH : c == HIGH ? LOW : c; }

void ort_power_coefficients_of(const struct ort_power_model *m, unsigned opp,
                               const struct ort_power_activity *a, uint64_t cycles,
                               struct ort_power_coefficients *k)
{
    double v = m->opp[opp].voltage.value / m->reference_voltage.value;
    double scale = v * v; /* dynamic energy ~ C V^2 */
    double hz = m->opp[opp].frequency_mhz.value * 1e6;
    for (unsigned e = 0; e < a->kind->n_events; e++)
        k->event[e] = (double)a->events[e] * 1e-12 * scale;
    /* Background in uW/MHz is energy per cycle in pJ. */
    for (unsigned s = 0; s < ORT_POWER_STATES; s++) {
        k->background[s] = (double)a->state_cycles[s] * 1e-12 * scale;
        k->leak_state[s] = 1e-6 * (double)a->state_cycles[s] / hz;
    }
    uint64_t pg = a->state_cycles[ORT_POWER_POWER_GATED];
    if (pg > cycles)
        pg = cycles;
    k->leak_on = 1e-6 * (double)(cycles - pg) / hz;
    k->leak_pg = 1e-6 * (double)pg / hz;
    k->gated_bg = (double)pg * 1e-12 * scale;
    /* Recharging a domain is C V^2 like any switching. */
    k->wakeup = (double)a->wakeups * 1e-9 * scale;
}

/* The residual leakage fraction and the wake-up energy of a kind at a
   corner; a kind that cannot be power-gated keeps all of its leakage. */
static double residual(const struct ort_power_kind *kind, enum corner c)
{
    return kind->gateable ? pick(&kind->residual_leakage, c) : 1.0;
}

static double wakeup_nj(const struct ort_power_kind *kind, enum corner c)
{
    return kind->gateable ? pick(&kind->wakeup_nj, c) : 0.0;
}

static double total_at(const struct ort_power_kind *kind, unsigned opp,
                       const struct ort_power_coefficients *k, enum corner c)
{
    double j = 0;
    for (unsigned e = 0; e < kind->n_events; e++)
        j += k->event[e] * pick(&kind->event_pj[e], c);
    for (unsigned s = 0; s < ORT_POWER_STATES; s++)
        j += k->background[s] * pick(&kind->background[s], c);
    /* Every term rises with its numbers (the residual multiplies a
       non-negative time and leakage), so the corners stay the bounds. */
    j += pick(&kind->leakage_uw[opp], c) * (k->leak_on + k->leak_pg * residual(kind, c));
    return j + k->wakeup * wakeup_nj(kind, c);
}

/* The saving of power gating at a corner of the saving itself: c = HIGH
   is its largest value (large leakage and clock-gated background, small
   residual and wake-up energy). */
static double saved_at(const struct ort_power_kind *kind, unsigned opp,
                       const struct ort_power_coefficients *k, enum corner c)
{
    if (!kind->gateable)
        return 0;
    enum corner o = opposite(c);
    return pick(&kind->leakage_uw[opp], c) * k->leak_pg * (1 - residual(kind, o)) +
           k->gated_bg * pick(&kind->background[ORT_POWER_CLOCK_GATED], c) -
           k->wakeup * wakeup_nj(kind, o);
}

void ort_power_energy_of(const struct ort_power_model *m, unsigned opp,
                       const struct ort_power_activity *a, uint64_t cycles,
                       struct ort_power_energy *out)
{
    memset(out, 0, sizeof *out);
    const struct ort_power_kind *kind = a->kind;
    struct ort_power_coefficients k;
    ort_power_coefficients_of(m, opp, a, cycles, &k);
    for (unsigned e = 0; e < kind->n_events; e++) {
        out->event_j[e] = k.event[e] * kind->event_pj[e].value;
        out->dynamic_j += out->event_j[e];
    }
    double leak = kind->leakage_uw[opp].value, r = residual(kind, NOMINAL);
    for (unsigned s = 0; s < ORT_POWER_STATES; s++) {
        double bg = k.background[s] * kind->background[s].value;
        out->background_j += bg;
        out->state_j[s] = bg + leak * k.leak_state[s] * (s == ORT_POWER_POWER_GATED ? r : 1.0);
    }
    out->leakage_j = leak * (k.leak_on + k.leak_pg * r);
    out->wakeup_j = k.wakeup * wakeup_nj(kind, NOMINAL);
    out->total_j = out->dynamic_j + out->background_j + out->leakage_j + out->wakeup_j;
    out->total_low_j = total_at(kind, opp, &k, LOW);
    out->total_high_j = total_at(kind, opp, &k, HIGH);
    out->saved_j = saved_at(kind, opp, &k, NOMINAL);
    out->saved_low_j = saved_at(kind, opp, &k, LOW);
    out->saved_high_j = saved_at(kind, opp, &k, HIGH);
}

void ort_power_report_compute(const struct ort_power_model *m, struct ort_power_report *r)
{
    r->total_j = r->total_low_j = r->total_high_j = 0;
    r->saved_j = r->saved_low_j = r->saved_high_j = 0;
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_energy *e = &r->energy[i];
        ort_power_energy_of(m, r->opp, &r->activity[i], r->cycles, &r->energy[i]);
        r->total_j += e->total_j;
        r->total_low_j += e->total_low_j;
        r->total_high_j += e->total_high_j;
        r->saved_j += e->saved_j;
        r->saved_low_j += e->saved_low_j;
        r->saved_high_j += e->saved_high_j;
    }
    r->seconds = (double)r->cycles / (m->opp[r->opp].frequency_mhz.value * 1e6);
    r->average_w = r->seconds > 0 ? r->total_j / r->seconds : 0;
    r->average_low_w = r->seconds > 0 ? r->total_low_j / r->seconds : 0;
    r->average_high_w = r->seconds > 0 ? r->total_high_j / r->seconds : 0;
}

static const char *const state_what[ORT_POWER_STATES] = {
    "background.active", "background.clock_gated", "background.power_gated"};

/* The band-share slots of a kind: its events, its states' backgrounds,
   then leakage, the residual fraction and the wake-up energy. */
enum { SLOT_LEAK = ORT_POWER_MAX_EVENTS + ORT_POWER_STATES, SLOT_RESIDUAL, SLOT_WAKEUP, SLOTS };

unsigned ort_power_band_top(const struct ort_power_model *m, const struct ort_power_report *r,
                            int instance, struct ort_power_band_share *out, unsigned max)
{
    /* Every number of every kind with its width summed over the
       instances of the kind, then the widest `max` by insertion. The
       leakage of power-gated time is a product (leakage x residual): each
       of the two gets its own range times the other's nominal value, a
       first-order split of that term's width. */
    unsigned n = 0;
    if (max == 0)
        return 0;
    for (unsigned ki = 0; ki < m->n_kinds; ki++) {
        const struct ort_power_kind *kind = &m->kind[ki];
        const struct ort_power_value *leak = &kind->leakage_uw[r->opp];
        double width[SLOTS] = {0};
        for (unsigned i = 0; i < r->n; i++) {
            if (r->activity[i].kind != kind || (instance >= 0 && (unsigned)instance != i))
                continue;
            struct ort_power_coefficients k;
            ort_power_coefficients_of(m, r->opp, &r->activity[i], r->cycles, &k);
            for (unsigned e = 0; e < kind->n_events; e++)
                width[e] += k.event[e] * (kind->event_pj[e].high - kind->event_pj[e].low);
            for (unsigned s = 0; s < ORT_POWER_STATES; s++)
                width[ORT_POWER_MAX_EVENTS + s] +=
                    k.background[s] * (kind->background[s].high - kind->background[s].low);
            width[SLOT_LEAK] += (leak->high - leak->low) *
                                (k.leak_on + k.leak_pg * residual(kind, NOMINAL));
            if (kind->gateable) {
                width[SLOT_RESIDUAL] += leak->value * k.leak_pg *
                                        (kind->residual_leakage.high - kind->residual_leakage.low);
                width[SLOT_WAKEUP] += k.wakeup * (kind->wakeup_nj.high - kind->wakeup_nj.low);
            }
        }
        for (unsigned p = 0; p < SLOTS; p++) {
            if (width[p] <= 0 || (p < ORT_POWER_MAX_EVENTS && p >= kind->n_events))
                continue;
            struct ort_power_band_share s = {kind, NULL, NULL, width[p]};
            if (p < ORT_POWER_MAX_EVENTS) {
                s.what = kind->event[p];
                s.value = &kind->event_pj[p];
            } else if (p < SLOT_LEAK) {
                s.what = state_what[p - ORT_POWER_MAX_EVENTS];
                s.value = &kind->background[p - ORT_POWER_MAX_EVENTS];
            } else if (p == SLOT_LEAK) {
                s.what = "leakage";
                s.value = leak;
            } else if (p == SLOT_RESIDUAL) {
                s.what = "power_gating.residual_leakage";
                s.value = &kind->residual_leakage;
            } else {
                s.what = "power_gating.wakeup_nj";
                s.value = &kind->wakeup_nj;
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
