/*
 * The power model: per component kind (a core, the L1, L2, ...), an energy
 * per event in pJ at the reference voltage, background dynamic power per
 * state (active, clock-gated) and leakage per operating point; operating
 * points with their voltage and frequency. Read from a JSON file in which
 * every number is {"value": x, "source": "where it comes from"}; see
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

/* Component states for background power. */
enum ort_power_state { ORT_POWER_ACTIVE, ORT_POWER_CLOCK_GATED, ORT_POWER_STATES };

/* A number of the model and where it comes from. */
struct ort_power_value {
    double value;
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
    struct ort_power_value background[ORT_POWER_STATES];    /* uW/MHz = pJ per cycle */
    struct ort_power_value leakage_uw[ORT_POWER_MAX_OPPS];  /* per operating point */
};

struct ort_power_model {
    char name[ORT_POWER_NAME * 2];
    struct ort_power_value reference_voltage;
    unsigned n_opps;
    struct ort_power_opp opp[ORT_POWER_MAX_OPPS];
    unsigned default_opp;
    unsigned n_kinds;
    struct ort_power_kind kind[ORT_POWER_MAX_KINDS];
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
