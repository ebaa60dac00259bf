/* The JSON report (report.h), built with jansson: keys keep the order in
   which they are set, which is the order of the file. */
#include "report.h"

#include <jansson.h>

/* Per-component energy of a report, as a JSON array. */
/* The band's widest parts: which numbers make the report (or one
   instance, i >= 0) unsure. */
static json_t *dominant_json(const struct ort_power_model *m, const struct ort_power_report *r,
                             int instance, unsigned max)
{
    struct ort_power_band_share top[8];
    unsigned n = ort_power_band_top(m, r, instance, top, max < 8 ? max : 8);
    double width = instance < 0 ? r->total_high_j - r->total_low_j
                                : r->energy[instance].total_high_j - r->energy[instance].total_low_j;
    json_t *arr = json_array();
    for (unsigned i = 0; i < n; i++) {
        json_t *d = json_object();
        json_object_set_new(d, "kind", json_string(top[i].kind->name));
        json_object_set_new(d, "number", json_string(top[i].what));
        json_object_set_new(d, "class", json_string(ort_power_class_name(top[i].value->cls)));
        json_object_set_new(d, "width_j", json_real(top[i].width_j));
        json_object_set_new(d, "share", json_real(width > 0 ? top[i].width_j / width : 0));
        json_array_append_new(arr, d);
    }
    return arr;
}

static void energy_json(json_t *o, double j, double low, double high, double seconds)
{
    json_object_set_new(o, "energy_j", json_real(j));
    json_object_set_new(o, "energy_j_low", json_real(low));
    json_object_set_new(o, "energy_j_high", json_real(high));
    json_object_set_new(o, "average_power_w", json_real(seconds > 0 ? j / seconds : 0));
    json_object_set_new(o, "average_power_w_low", json_real(seconds > 0 ? low / seconds : 0));
    json_object_set_new(o, "average_power_w_high", json_real(seconds > 0 ? high / seconds : 0));
}

/* What power gating saved over the report, with its band. */
static void gating_json(json_t *o, const struct ort_power_report *r)
{
    json_object_set_new(o, "gating_saved_j", json_real(r->saved_j));
    json_object_set_new(o, "gating_saved_j_low", json_real(r->saved_low_j));
    json_object_set_new(o, "gating_saved_j_high", json_real(r->saved_high_j));
}

static json_t *components_json(const struct ort_power_model *m, const struct ort_power_report *r,
                               bool with_events)
{
    json_t *comps = json_array();
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_activity *a = &r->activity[i];
        const struct ort_power_energy *e = &r->energy[i];
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(a->name));
        json_object_set_new(c, "kind", json_string(a->kind->name));
        json_object_set_new(c, "dynamic_j", json_real(e->dynamic_j));
        json_object_set_new(c, "background_j", json_real(e->background_j));
        json_object_set_new(c, "leakage_j", json_real(e->leakage_j));
        energy_json(c, e->total_j, e->total_low_j, e->total_high_j, r->seconds);
        json_object_set_new(c, "active_cycles",
                            json_integer((json_int_t)a->state_cycles[ORT_POWER_ACTIVE]));
        json_object_set_new(c, "clock_gated_cycles",
                            json_integer((json_int_t)a->state_cycles[ORT_POWER_CLOCK_GATED]));
        json_object_set_new(c, "power_gated_cycles",
                            json_integer((json_int_t)a->state_cycles[ORT_POWER_POWER_GATED]));
        if (a->kind->gateable) {
            /* Per state: cycles and energy (its background and the leakage
               of its time); the wake-ups; what gating saved, with its band. */
            json_t *states = json_object();
            for (unsigned s = 0; s < ORT_POWER_STATES; s++) {
                json_t *st = json_object();
                json_object_set_new(st, "cycles", json_integer((json_int_t)a->state_cycles[s]));
                json_object_set_new(st, "energy_j", json_real(e->state_j[s]));
                json_object_set_new(states, ort_power_state_name((enum ort_power_state)s), st);
            }
            json_object_set_new(c, "states", states);
            json_object_set_new(c, "wakeups", json_integer((json_int_t)a->wakeups));
            json_object_set_new(c, "wakeup_j", json_real(e->wakeup_j));
            json_object_set_new(c, "gating_saved_j", json_real(e->saved_j));
            json_object_set_new(c, "gating_saved_j_low", json_real(e->saved_low_j));
            json_object_set_new(c, "gating_saved_j_high", json_real(e->saved_high_j));
        }
        if (with_events) {
            json_t *events = json_object();
            for (unsigned k = 0; k < a->kind->n_events; k++) {
                json_t *ev = json_object();
                json_object_set_new(ev, "count", json_integer((json_int_t)a->events[k]));
                json_object_set_new(ev, "energy_j", json_real(e->event_j[k]));
                json_object_set_new(events, a->kind->event[k], ev);
            }
            json_object_set_new(c, "events", events);
            json_object_set_new(c, "band_dominated_by", dominant_json(m, r, (int)i, 2));
        }
        json_array_append_new(comps, c);
    }
    return comps;
}

static json_t *report_json(const struct ort_power_model *m, const struct ort_power_report *r,
                           const struct ort_power_region *regions, size_t n)
{
    const struct ort_power_opp *op = &m->opp[r->opp];
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(m->name));
    json_t *point = json_object();
    json_object_set_new(point, "name", json_string(op->name));
    json_object_set_new(point, "voltage", json_real(op->voltage.value));
    json_object_set_new(point, "frequency_mhz", json_real(op->frequency_mhz.value));
    json_object_set_new(root, "operating_point", point);
    json_object_set_new(root, "cycles", json_integer((json_int_t)r->cycles));
    json_object_set_new(root, "seconds", json_real(r->seconds));
    energy_json(root, r->total_j, r->total_low_j, r->total_high_j, r->seconds);
    json_t *band = json_object();
    json_object_set_new(band, "method",
                        json_string("corners: every number of the model at the low (high) end "
                                    "of its range; energy rises with every number, so these "
                                    "are the band's exact worst-case bounds"));
    json_object_set_new(band, "dominated_by", dominant_json(m, r, -1, 5));
    json_object_set_new(root, "band", band);
    json_object_set_new(root, "components", components_json(m, r, true));
    gating_json(root, r);
    json_t *regs = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct ort_power_region *g = &regions[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(g->id));
        json_object_set_new(j, "label", json_string(g->label));
        json_object_set_new(j, "parent", json_integer(g->parent));
        json_object_set_new(j, "begin_cycle", json_integer((json_int_t)g->begin));
        json_object_set_new(j, "end_cycle", json_integer((json_int_t)g->end));
        json_object_set_new(j, "cycles", json_integer((json_int_t)g->report->cycles));
        json_object_set_new(j, "seconds", json_real(g->report->seconds));
        energy_json(j, g->report->total_j, g->report->total_low_j, g->report->total_high_j,
                    g->report->seconds);
        json_object_set_new(j, "band_dominated_by", dominant_json(m, g->report, -1, 3));
        gating_json(j, g->report);
        json_object_set_new(j, "components", components_json(m, g->report, false));
        json_array_append_new(regs, j);
    }
    json_object_set_new(root, "regions", regs);
    return root;
}

bool ort_power_write_json(const char *path, const struct ort_power_model *m,
                          const struct ort_power_report *r, const struct ort_power_region *regions,
                          size_t n)
{
    json_t *root = report_json(m, r, regions, n);
    /* json_dump_file checks its writes and the close. */
    int rc = json_dump_file(root, path, JSON_INDENT(2));
    json_decref(root);
    return rc == 0;
}

char *ort_power_json_compact(const struct ort_power_model *m, const struct ort_power_report *r,
                             const struct ort_power_region *regions, size_t n)
{
    json_t *root = report_json(m, r, regions, n);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}
