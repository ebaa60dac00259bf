/*
 * The power model: per component kind (a core, the L1, L2, ...), an energy
 * per event in pJ at the reference voltage, background dynamic power per
 * state (active, clock-gated) and leakage per operating point; operating
 * points with their voltage and frequency. Read from a JSON file in which
 * every number is {"value": x, "class": "assumption", "range": [lo, hi],
 * "source": "where it comes from"} (the range may be left out only for a
 * published number); see
 * power/models/siracusa.json and docs/power-model.md.
 *
 * Energy of one component instance over an interval (energy.h):
 *   dynamic    = sum over events of count x pJ x (V / V_ref)^2
 *   background = sum over states of cycles x (uW/MHz, i.e. pJ per cycle)
 *                x (V / V_ref)^2
 *   leakage    = leakage power at the operating point x time
 * Plain C; the model knows nothing of the simulator's structures.
 */
#ifndef ORTIGIA_POWER_MODEL_H
#define ORTIGIA_POWER_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_POWER_MAX_EVENTS 16
#define ORT_POWER_MAX_KINDS 12
#define ORT_POWER_MAX_OPPS 8
#define ORT_POWER_NAME 32
#define ORT_POWER_SOURCE 512

/* Component states. Active and clock-gated have a background power of
   their own (the model file's background_uw_per_mhz); power-gated has none
   (no clock, no supply: 0 by definition, not a number of the model) and
   leaks only the residual fraction of its leakage (power_gating below).
   ORT_POWER_CLOCKED_STATES: the states with a background number. */
enum ort_power_state {
    ORT_POWER_ACTIVE,
    ORT_POWER_CLOCK_GATED,
    ORT_POWER_POWER_GATED,
    ORT_POWER_STATES,
    ORT_POWER_CLOCKED_STATES = ORT_POWER_POWER_GATED
};

/* The state's name in reports ("power_gated"). */
const char *ort_power_state_name(enum ort_power_state s);

/* How sure a number is (docs/power-model.md, "Provenance classes"). */
enum ort_power_class {
    ORT_POWER_PUBLISHED,    /* in the paper's own abstract or text */
    ORT_POWER_SECONDARY,    /* in a third-party summary of a paper (digest, press) */
    ORT_POWER_VENDOR_MODEL, /* in another simulator's model files, uncited there */
    ORT_POWER_DERIVED,      /* arithmetic on other figures (the source gives the formula) */
    ORT_POWER_ASSUMPTION,   /* our choice, with a plausible range */
    ORT_POWER_FITTED,       /* fitted to measurements or anchors */
    ORT_POWER_CLASSES
};

/* The class's name in model files and reports ("vendor-model"), or NULL. */
const char *ort_power_class_name(enum ort_power_class c);

/* A number of the model, how sure it is and where it comes from. Every
   class but `published` carries a range [low, high] around the nominal
   value; a published number without one has low = high = value. */
struct ort_power_value {
    double value;
    double low, high;
    enum ort_power_class cls;
    char source[ORT_POWER_SOURCE];
};

struct ort_power_opp {
    char name[ORT_POWER_NAME]; /* e.g. "0.80V" */
    struct ort_power_value voltage, frequency_mhz;
};

/* One kind of component (all cores share the kind "core").
 *
 * A kind may be a device of the cluster (device.h): then `device` names it
 * and its events are read from the device's counters by name, as the model
 * file says ("counters": {"byte": "dma.bytes"}, "active_cycles":
 * "dma.busy_cycles"): a new device brings its power numbers in the model
 * file, with no code in the simulator. */
struct ort_power_kind {
    char name[ORT_POWER_NAME];
    unsigned n_events;
    char event[ORT_POWER_MAX_EVENTS][ORT_POWER_NAME];
    char device[ORT_POWER_NAME];                     /* "" : not a device */
    char event_counter[ORT_POWER_MAX_EVENTS][ORT_POWER_NAME]; /* "" : not counted */
    char active_counter[ORT_POWER_NAME]; /* "" : active for the whole run */
    struct ort_power_value event_pj[ORT_POWER_MAX_EVENTS];  /* at the reference voltage */
    struct ort_power_value background[ORT_POWER_STATES];    /* uW/MHz = pJ per cycle;
                                                               power-gated: 0, exact */
    struct ort_power_value leakage_uw[ORT_POWER_MAX_OPPS];  /* per operating point */
    /* Power gating ("power_gating" in the file; only kinds of a switchable
       domain have it, the others cannot be power-gated):
       residual_leakage: the fraction of leakage left when power-gated (the
       power switch's own leakage; 0..1);
       wakeup_nj: energy of one power-up of one instance at the reference
       voltage (recharging its rails and state), scaled by (V/V_ref)^2;
       wakeup_cycles: the power-up latency. The simulated latency is the
       configuration's (pmu.*_wakeup_cycles, timing belongs to the
       platform); this one records its provenance and range, is not
       propagated into the band, and a test keeps the two equal. */
    bool gateable;
    struct ort_power_value residual_leakage, wakeup_nj, wakeup_cycles;
};

/* A row of the model's validation table: a published (or secondary, or
   derived) figure, the workload it is checked on, and what the model gave
   on it when the file was calibrated (the tests power.Validation.* rerun
   the workload and check the figure again). */
#define ORT_POWER_MAX_ANCHORS 8
struct ort_power_anchor {
    char name[ORT_POWER_NAME];
    char unit[ORT_POWER_NAME];
    struct ort_power_value figure; /* the anchor's value, class and source */
    double model;                  /* the model's value on the workload */
    double tolerance;              /* relative, e.g. 0.15 */
    bool held;                     /* |model / figure - 1| <= tolerance */
    char workload[ORT_POWER_SOURCE];
};

struct ort_power_model {
    char name[ORT_POWER_NAME * 2];
    struct ort_power_value reference_voltage;
    unsigned n_opps;
    struct ort_power_opp opp[ORT_POWER_MAX_OPPS];
    unsigned default_opp;
    unsigned n_kinds;
    struct ort_power_kind kind[ORT_POWER_MAX_KINDS];
    unsigned n_anchors;
    struct ort_power_anchor anchor[ORT_POWER_MAX_ANCHORS];
};

/*
 * Load a model file. On error returns false with a message naming the file
 * and the field ("components.core.events_pj.alu: missing 'source'").
 * Unknown fields are errors too (a typo must not silently drop a number).
 */
bool ort_power_model_load(struct ort_power_model *m, const char *path, char *err, size_t errlen);

/* The same from a JSON text (tests); `origin` names it in messages. */
bool ort_power_model_parse(struct ort_power_model *m, const char *json, const char *origin,
                           char *err, size_t errlen);

/* Index of an operating point by name, or -1. */
int ort_power_model_opp(const struct ort_power_model *m, const char *name);

/* A component kind by name, or NULL; an event's index in it, or -1. */
const struct ort_power_kind *ort_power_model_kind(const struct ort_power_model *m,
                                                const char *name);
int ort_power_kind_event(const struct ort_power_kind *k, const char *event);

#ifdef __cplusplus
}
#endif

#endif
