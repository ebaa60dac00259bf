/* The JSON report (report.h), built with jansson: keys keep the order in
   which they are set, which is the order of the file. */
#include "report.h"

#include <jansson.h>

/* Per-component energy of a report, as a JSON array. */
static json_t *components_json(const struct ort_power_report *r, bool with_events)
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
        json_object_set_new(c, "energy_j", json_real(e->total_j));
        json_object_set_new(c, "average_power_w",
                            json_real(r->seconds > 0 ? e->total_j / r->seconds : 0));
        json_object_set_new(c, "active_cycles",
                            json_integer((json_int_t)a->state_cycles[ORT_POWER_ACTIVE]));
        json_object_set_new(c, "clock_gated_cycles",
                            json_integer((json_int_t)a->state_cycles[ORT_POWER_CLOCK_GATED]));
        if (with_events) {
            json_t *events = json_object();
            for (unsigned k = 0; k < a->kind->n_events; k++) {
                json_t *ev = json_object();
                json_object_set_new(ev, "count", json_integer((json_int_t)a->events[k]));
                json_object_set_new(ev, "energy_j", json_real(e->event_j[k]));
                json_object_set_new(events, a->kind->event[k], ev);
            }
            json_object_set_new(c, "events", events);
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
    json_object_set_new(root, "energy_j", json_real(r->total_j));
    json_object_set_new(root, "average_power_w", json_real(r->average_w));
    json_object_set_new(root, "components", components_json(r, true));
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
        json_object_set_new(j, "energy_j", json_real(g->report->total_j));
        json_object_set_new(j, "average_power_w", json_real(g->report->average_w));
        json_object_set_new(j, "components", components_json(g->report, false));
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
