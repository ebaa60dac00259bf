/*
 * A device inside the cluster (event unit, DMA, later an NPU or a timer), as
 * the cluster engine sees it: a register window the cores reach by loads
 * and stores, and, for a device that works on its own, a way to advance it
 * in time and to ask when it next does something. The cluster never names
 * a device; it keeps a table of these (ort_cluster_add_device).
 *
 * Counters: every engine describes its activity counters (uint64_t fields
 * of its context struct) with a table of names and offsets, so statistics
 * and the power model read them by name instead of field by field.
 */
#ifndef ORTIGIA_DEVICE_H
#define ORTIGIA_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One activity counter: a uint64_t at `offset` in the engine's struct. */
struct ort_counter {
    const char *name;
    size_t offset;
};

#define ORT_COUNTER(type, field) {#field, offsetof(type, field)}
#define ORT_COUNTER_AS(name, type, field) {name, offsetof(type, field)}

static inline uint64_t ort_counter_value(const struct ort_counter *c, const void *ctx)
{
    return *(const uint64_t *)((const char *)ctx + c->offset);
}

/* The counter `name` of a table of n; NULL when there is none. */
const struct ort_counter *ort_counter_find(const struct ort_counter *table, unsigned n,
                                           const char *name);

struct ort_device {
    const char *name;   /* "event_unit", "dma": statistics and power model key */
    uint32_t base, size; /* register window (absolute addresses) */
    void *ctx;          /* the engine */

    /* A core's access at `offset` in the window, at cycle `now`; the
       device adds its own latency to *extra_cycles. RV_BUS_SLEEP: the core
       sleeps at this instruction until the device wakes it; RV_BUS_YIELD:
       done, and another core was woken. */
    enum rv_bus_status (*access)(void *ctx, unsigned core, uint32_t offset, unsigned size,
                                 bool is_write, uint32_t *data, uint64_t now,
                                 uint32_t *extra_cycles);
    /* Do everything due up to cycle `until` (NULL: a passive device that
       acts only when accessed). */
    void (*advance)(void *ctx, uint64_t until);
    /* The next cycle at which the device does something that can wake a
       core (a lower bound), UINT64_MAX when idle (NULL: always idle). */
    uint64_t (*next_event)(const void *ctx);
    /* One line saying what `core` waits for in this device; false when it
       waits for nothing here (NULL: never). */
    bool (*describe_wait)(const void *ctx, unsigned core, char *buf, size_t len);

    const struct ort_counter *counters;
    unsigned n_counters;
};

#ifdef __cplusplus
}
#endif

#endif
