#include "power_model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Error reporting with the path of the offending field. */
struct ctx {
    const char *origin;
    char *err;
    size_t errlen;
};

static bool fail(struct ctx *c, const char *path, const char *what)
{
    snprintf(c->err, c->errlen, "%s: %s: %s", c->origin, path, what);
    return false;
}

static const char *const class_names[ORT_POWER_CLASSES] = {
    "published", "secondary", "vendor-model", "derived", "assumption", "fitted",
};

const char *ort_power_class_name(enum ort_power_class c)
{
    return (unsigned)c < ORT_POWER_CLASSES ? class_names[c] : NULL;
}

static const char *const state_names[ORT_POWER_STATES] = {"active", "clock_gated",
                                                          "power_gated"};

const char *ort_power_state_name(enum ort_power_state s)
{
    return (unsigned)s < ORT_POWER_STATES ? state_names[s] : NULL;
}

/* {"value": number, "class": "...", "range": [low, high], "source":
   "non-empty string"} -> v. The range is what the reports' band is made
   of, so a number that is not published must say how far it may be off. */
static bool read_value(struct ctx *c, json_t *j, const char *path, bool positive,
                       struct ort_power_value *v)
{
    if (!json_is_object(j))
        return fail(c, path, "expected {\"value\": number, \"class\": \"...\", "
                             "\"range\": [low, high], \"source\": \"...\"}");
    json_t *value = NULL, *source = NULL, *cls = NULL, *range = NULL;
    const char *key;
    json_t *item;
    json_object_foreach(j, key, item) {
        if (strcmp(key, "value") == 0)
            value = item;
        else if (strcmp(key, "source") == 0)
            source = item;
        else if (strcmp(key, "class") == 0)
            cls = item;
        else if (strcmp(key, "range") == 0)
            range = item;
        else if (strcmp(key, "note") != 0) {
            char what[96];
            snprintf(what, sizeof what, "unknown field '%s'", key);
            return fail(c, path, what);
        }
    }
    if (!value)
        return fail(c, path, "missing 'value'");
    if (!json_is_number(value))
        return fail(c, path, "'value' must be a number");
    if (!source)
        return fail(c, path, "missing 'source'");
    if (!json_is_string(source) || json_string_length(source) == 0)
        return fail(c, path, "'source' must be a non-empty string");
    v->value = json_number_value(value);
    if (!isfinite(v->value) || v->value < 0 || (positive && v->value == 0))
        return fail(c, path, positive ? "'value' must be > 0" : "'value' must be >= 0");
    snprintf(v->source, sizeof v->source, "%s", json_string_value(source));

    if (!cls)
        return fail(c, path, "missing 'class' (published, secondary, vendor-model, derived, "
                             "assumption or fitted)");
    const char *cname = json_string_value(cls);
    int found = -1;
    for (int i = 0; cname && i < ORT_POWER_CLASSES; i++)
        if (strcmp(cname, class_names[i]) == 0)
            found = i;
    if (found < 0)
        return fail(c, path, "'class' must be one of published, secondary, vendor-model, "
                             "derived, assumption, fitted");
    v->cls = (enum ort_power_class)found;
    v->low = v->high = v->value;
    if (!range) {
        if (v->cls == ORT_POWER_PUBLISHED)
            return true;
        char what[160];
        snprintf(what, sizeof what,
                 "missing 'range' ([low, high]: a number of class '%s' must say how far it "
                 "may be off)", class_names[v->cls]);
        return fail(c, path, what);
    }
    if (!json_is_array(range) || json_array_size(range) != 2 ||
        !json_is_number(json_array_get(range, 0)) || !json_is_number(json_array_get(range, 1)))
        return fail(c, path, "'range' must be [low, high], two numbers");
    v->low = json_number_value(json_array_get(range, 0));
    v->high = json_number_value(json_array_get(range, 1));
    char what[160];
    if (!isfinite(v->low) || !isfinite(v->high) || v->low < 0)
        return fail(c, path, "'range' must be finite and >= 0");
    if (v->low > v->high) {
        snprintf(what, sizeof what, "'range' low %g > high %g", v->low, v->high);
        return fail(c, path, what);
    }
    if (v->value < v->low || v->value > v->high) {
        snprintf(what, sizeof what, "'value' %g outside its 'range' [%g, %g]", v->value, v->low,
                 v->high);
        return fail(c, path, what);
    }
    return true;
}

static bool check_keys(struct ctx *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *item;
    json_object_foreach(obj, key, item) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok) {
            char what[96];
            snprintf(what, sizeof what, "unknown field '%s'", key);
            return fail(c, path, what);
        }
    }
    return true;
}

/* "device.counter" into its two parts; the device must be the kind's
   (one device per kind). */
static bool read_counter_name(struct ctx *c, json_t *v, const char *path,
                              struct ort_power_kind *k, char counter[ORT_POWER_NAME])
{
    const char *s = json_string_value(v);
    const char *dot = s ? strchr(s, '.') : NULL;
    if (!dot || dot == s || !dot[1] || (size_t)(dot - s) >= ORT_POWER_NAME ||
        strlen(dot + 1) >= ORT_POWER_NAME)
        return fail(c, path, "expected \"device.counter\" (e.g. \"dma.bytes\")");
    char device[ORT_POWER_NAME];
    snprintf(device, sizeof device, "%.*s", (int)(dot - s), s);
    if (k->device[0] && strcmp(k->device, device) != 0)
        return fail(c, path, "names another device than the kind's other counters");
    snprintf(k->device, sizeof k->device, "%s", device);
    snprintf(counter, ORT_POWER_NAME, "%s", dot + 1);
    return true;
}

/* The optional device mapping: "counters" (event -> "device.counter") and
   "active_cycles" ("device.counter"). */
static bool read_device_counters(struct ctx *c, json_t *j, const char *path,
                                 struct ort_power_kind *k)
{
    json_t *counters = json_object_get(j, "counters");
    if (counters) {
        if (!json_is_object(counters))
            return fail(c, path, "'counters' must map events to \"device.counter\" names");
        const char *ev;
        json_t *item;
        json_object_foreach(counters, ev, item) {
            char p[240];
            snprintf(p, sizeof p, "%s.counters.%s", path, ev);
            int e = ort_power_kind_event(k, ev);
            if (e < 0)
                return fail(c, p, "not an event of events_pj");
            if (!read_counter_name(c, item, p, k, k->event_counter[e]))
                return false;
        }
    }
    json_t *active = json_object_get(j, "active_cycles");
    if (active) {
        char p[240];
        snprintf(p, sizeof p, "%s.active_cycles", path);
        if (!read_counter_name(c, active, p, k, k->active_counter))
            return false;
    }
    return true;
}

/* "power_gating": {"residual_leakage", "wakeup_nj", "wakeup_cycles"}, each
   a number with its class and range; optional (a kind without it cannot be
   power-gated). */
static bool read_power_gating(struct ctx *c, json_t *j, const char *path,
                              struct ort_power_kind *k)
{
    json_t *g = json_object_get(j, "power_gating");
    if (!g)
        return true;
    char p[240];
    snprintf(p, sizeof p, "%s.power_gating", path);
    if (!json_is_object(g))
        return fail(c, p, "expected an object with 'residual_leakage', 'wakeup_nj' and "
                          "'wakeup_cycles'");
    static const char *const keys[] = {"residual_leakage", "wakeup_nj", "wakeup_cycles", "note",
                                       NULL};
    if (!check_keys(c, g, p, keys))
        return false;
    struct ort_power_value *dst[] = {&k->residual_leakage, &k->wakeup_nj, &k->wakeup_cycles};
    for (unsigned i = 0; i < 3; i++) {
        char pk[300];
        snprintf(pk, sizeof pk, "%s.%s", p, keys[i]);
        json_t *v = json_object_get(g, keys[i]);
        if (!v)
            return fail(c, pk, "missing");
        if (!read_value(c, v, pk, false, dst[i]))
            return false;
    }
    if (k->residual_leakage.high > 1)
        return fail(c, p, "'residual_leakage' is a fraction of the leakage: its range must lie "
                          "in [0, 1]");
    k->gateable = true;
    return true;
}

static bool read_kind(struct ctx *c, struct ort_power_model *m, const char *name, json_t *j,
                      struct ort_power_kind *k)
{
    char path[160];
    snprintf(path, sizeof path, "components.%s", name);
    if (!json_is_object(j))
        return fail(c, path, "expected an object");
    static const char *const allowed[] = {"events_pj", "background_uw_per_mhz", "leakage_uw",
                                          "counters", "active_cycles", "power_gating", "note",
                                          NULL};
    if (!check_keys(c, j, path, allowed))
        return false;
    if (strlen(name) >= sizeof k->name)
        return fail(c, path, "name too long");
    snprintf(k->name, sizeof k->name, "%s", name);

    json_t *events = json_object_get(j, "events_pj");
    if (events) {
        if (!json_is_object(events))
            return fail(c, path, "'events_pj' must be an object of events");
        const char *ev;
        json_t *item;
        json_object_foreach(events, ev, item) {
            char p[240];
            snprintf(p, sizeof p, "%s.events_pj.%s", path, ev);
            if (k->n_events == ORT_POWER_MAX_EVENTS)
                return fail(c, p, "too many events");
            if (strlen(ev) >= ORT_POWER_NAME)
                return fail(c, p, "event name too long");
            snprintf(k->event[k->n_events], ORT_POWER_NAME, "%s", ev);
            if (!read_value(c, item, p, false, &k->event_pj[k->n_events]))
                return false;
            k->n_events++;
        }
    }

    if (!read_device_counters(c, j, path, k))
        return false;

    json_t *bg = json_object_get(j, "background_uw_per_mhz");
    char p[240];
    snprintf(p, sizeof p, "%s.background_uw_per_mhz", path);
    if (!json_is_object(bg))
        return fail(c, p, "missing (an object with 'active' and 'clock_gated')");
    static const char *const states[] = {"active", "clock_gated", NULL};
    if (!check_keys(c, bg, p, states))
        return false;
    for (unsigned s = 0; s < ORT_POWER_CLOCKED_STATES; s++) {
        char ps[300];
        snprintf(ps, sizeof ps, "%s.%s", p, states[s]);
        json_t *v = json_object_get(bg, states[s]);
        if (!v)
            return fail(c, ps, "missing");
        if (!read_value(c, v, ps, false, &k->background[s]))
            return false;
    }

    json_t *leak = json_object_get(j, "leakage_uw");
    snprintf(p, sizeof p, "%s.leakage_uw", path);
    if (!json_is_object(leak))
        return fail(c, p, "missing (an object with one value per operating point)");
    for (unsigned o = 0; o < m->n_opps; o++) {
        char po[300];
        snprintf(po, sizeof po, "%s.%s", p, m->opp[o].name);
        json_t *v = json_object_get(leak, m->opp[o].name);
        if (!v)
            return fail(c, po, "missing: every operating point needs a leakage figure");
        if (!read_value(c, v, po, false, &k->leakage_uw[o]))
            return false;
    }
    if (json_object_size(leak) != m->n_opps)
        return fail(c, p, "has an entry for an operating point that does not exist");
    /* A power-gated component has no clock and no supply: no background,
       by definition (exact, not a number of the file). */
    struct ort_power_value *pg = &k->background[ORT_POWER_POWER_GATED];
    memset(pg, 0, sizeof *pg);
    pg->cls = ORT_POWER_PUBLISHED;
    snprintf(pg->source, sizeof pg->source, "definition: a power-gated block has no clock");
    return read_power_gating(c, j, path, k);
}

/* "validation": [{"anchor", "unit", "figure": {value...}, "model",
   "tolerance", "workload"}]. */
static bool read_anchors(struct ctx *c, struct ort_power_model *m, json_t *j)
{
    if (!json_is_array(j))
        return fail(c, "validation", "expected an array of anchors");
    size_t i;
    json_t *a;
    json_array_foreach(j, i, a) {
        char p[64];
        snprintf(p, sizeof p, "validation[%zu]", i);
        if (m->n_anchors == ORT_POWER_MAX_ANCHORS)
            return fail(c, p, "too many anchors");
        if (!json_is_object(a))
            return fail(c, p, "expected an object");
        static const char *const keys[] = {"anchor", "unit", "figure", "model", "tolerance",
                                           "workload", "note", NULL};
        if (!check_keys(c, a, p, keys))
            return false;
        struct ort_power_anchor *an = &m->anchor[m->n_anchors];
        json_t *name = json_object_get(a, "anchor"), *unit = json_object_get(a, "unit"),
               *model = json_object_get(a, "model"), *tol = json_object_get(a, "tolerance"),
               *work = json_object_get(a, "workload");
        if (!json_is_string(name) || !json_is_string(unit) || !json_is_string(work))
            return fail(c, p, "needs strings 'anchor', 'unit' and 'workload'");
        if (!json_is_number(model) || !json_is_number(tol) || json_number_value(tol) <= 0)
            return fail(c, p, "needs numbers 'model' and 'tolerance' (> 0)");
        snprintf(an->name, sizeof an->name, "%s", json_string_value(name));
        snprintf(an->unit, sizeof an->unit, "%s", json_string_value(unit));
        snprintf(an->workload, sizeof an->workload, "%s", json_string_value(work));
        char pf[96];
        snprintf(pf, sizeof pf, "%s.figure", p);
        json_t *fig = json_object_get(a, "figure");
        if (!fig)
            return fail(c, pf, "missing");
        if (!read_value(c, fig, pf, true, &an->figure))
            return false;
        an->model = json_number_value(model);
        an->tolerance = json_number_value(tol);
        an->held = fabs(an->model / an->figure.value - 1) <= an->tolerance;
        m->n_anchors++;
    }
    return true;
}

static bool parse_root(struct ctx *c, struct ort_power_model *m, json_t *root)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(root))
        return fail(c, "(top)", "expected an object");
    static const char *const allowed[] = {"name", "description", "reference_voltage",
                                          "operating_points", "default_operating_point",
                                          "components", "validation", NULL};
    if (!check_keys(c, root, "(top)", allowed))
        return false;
    json_t *name = json_object_get(root, "name");
    if (!json_is_string(name))
        return fail(c, "name", "missing (a string)");
    snprintf(m->name, sizeof m->name, "%s", json_string_value(name));
    json_t *vref = json_object_get(root, "reference_voltage");
    if (!vref)
        return fail(c, "reference_voltage", "missing");
    if (!read_value(c, vref, "reference_voltage", true, &m->reference_voltage))
        return false;

    json_t *opps = json_object_get(root, "operating_points");
    if (!json_is_object(opps) || json_object_size(opps) == 0)
        return fail(c, "operating_points", "missing (an object of named operating points)");
    const char *oname;
    json_t *o;
    json_object_foreach(opps, oname, o) {
        char p[160];
        snprintf(p, sizeof p, "operating_points.%s", oname);
        if (m->n_opps == ORT_POWER_MAX_OPPS)
            return fail(c, p, "too many operating points");
        if (strlen(oname) >= ORT_POWER_NAME)
            return fail(c, p, "name too long");
        struct ort_power_opp *op = &m->opp[m->n_opps];
        snprintf(op->name, sizeof op->name, "%s", oname);
        if (!json_is_object(o))
            return fail(c, p, "expected an object with 'voltage' and 'frequency_mhz'");
        static const char *const keys[] = {"voltage", "frequency_mhz", "note", NULL};
        if (!check_keys(c, o, p, keys))
            return false;
        char pv[200];
        snprintf(pv, sizeof pv, "%s.voltage", p);
        if (!json_object_get(o, "voltage"))
            return fail(c, pv, "missing");
        if (!read_value(c, json_object_get(o, "voltage"), pv, true, &op->voltage))
            return false;
        snprintf(pv, sizeof pv, "%s.frequency_mhz", p);
        if (!json_object_get(o, "frequency_mhz"))
            return fail(c, pv, "missing");
        if (!read_value(c, json_object_get(o, "frequency_mhz"), pv, true, &op->frequency_mhz))
            return false;
        m->n_opps++;
    }
    json_t *def = json_object_get(root, "default_operating_point");
    if (!json_is_string(def))
        return fail(c, "default_operating_point", "missing (the name of an operating point)");
    int d = ort_power_model_opp(m, json_string_value(def));
    if (d < 0)
        return fail(c, "default_operating_point", "names no operating point");
    m->default_opp = (unsigned)d;

    json_t *comps = json_object_get(root, "components");
    if (!json_is_object(comps) || json_object_size(comps) == 0)
        return fail(c, "components", "missing (an object of component kinds)");
    const char *kname;
    json_t *k;
    json_object_foreach(comps, kname, k) {
        if (m->n_kinds == ORT_POWER_MAX_KINDS)
            return fail(c, "components", "too many component kinds");
        if (!read_kind(c, m, kname, k, &m->kind[m->n_kinds]))
            return false;
        m->n_kinds++;
    }
    json_t *validation = json_object_get(root, "validation");
    return !validation || read_anchors(c, m, validation);
}

bool ort_power_model_parse(struct ort_power_model *m, const char *json, const char *origin,
                           char *err, size_t errlen)
{
    struct ctx c = {origin, err, errlen};
    json_error_t jerr;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", origin, jerr.line, jerr.column, jerr.text);
        return false;
    }
    bool ok = parse_root(&c, m, root);
    json_decref(root);
    return ok;
}

bool ort_power_model_load(struct ort_power_model *m, const char *path, char *err, size_t errlen)
{
    struct ctx c = {path, err, errlen};
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return false;
    }
    bool ok = parse_root(&c, m, root);
    json_decref(root);
    return ok;
}

int ort_power_model_opp(const struct ort_power_model *m, const char *name)
{
    for (unsigned i = 0; i < m->n_opps; i++)
        if (strcmp(m->opp[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct ort_power_kind *ort_power_model_kind(const struct ort_power_model *m,
                                                const char *name)
{
    for (unsigned i = 0; i < m->n_kinds; i++)
        if (strcmp(m->kind[i].name, name) == 0)
            return &m->kind[i];
    return NULL;
}

int ort_power_kind_event(const struct ort_power_kind *k, const char *event)
{
    for (unsigned i = 0; i < k->n_events; i++)
        if (strcmp(k->event[i], event) == 0)
            return (int)i;
    return -1;
}
