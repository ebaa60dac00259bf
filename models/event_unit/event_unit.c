#include "event_unit.h"

#include <stdio.h>
#include <string.h>

void ort_eu_init(struct ort_event_unit *eu, unsigned cores, ort_eu_wake_fn wake, void *ctx)
{
    memset(eu, 0, sizeof *eu);
    eu->cores = cores > ORT_EU_MAX_CORES ? ORT_EU_MAX_CORES : cores;
    eu->bar_mask = eu->cores >= 32 ? 0xffffffffu : (1u << eu->cores) - 1;
    eu->mutex_owner = -1;
    eu->wake = wake;
    eu->wake_ctx = ctx;
}

static void wake_core(struct ort_event_unit *eu, unsigned i, uint64_t cycle)
{
    eu->core[i].waiting = ORT_EU_WAIT_NONE;
    eu->wakeups++;
    if (eu->wake)
        eu->wake(eu->wake_ctx, i, cycle);
}

/* A wake-up caused at `cycle`: never before the wait began. */
static uint64_t wake_cycle(const struct ort_eu_core *k, uint64_t cycle, uint32_t latency)
{
    return cycle >= k->wait_since ? cycle + latency : k->wait_since;
}

unsigned ort_eu_raise(struct ort_event_unit *eu, uint32_t core_mask, uint32_t events,
                      uint64_t cycle)
{
    unsigned woken = 0;
    for (unsigned i = 0; i < eu->cores; i++) {
        if (!(core_mask & (1u << i)))
            continue;
        struct ort_eu_core *k = &eu->core[i];
        k->pending |= events;
        eu->events++;
        if (k->waiting == ORT_EU_WAIT_EVENT && (k->pending & k->mask)) {
            wake_core(eu, i, wake_cycle(k, cycle, ORT_EU_WAKE_CYCLES));
            woken++;
        }
    }
    return woken;
}

static enum ort_eu_status barrier_arrive(struct ort_event_unit *eu, unsigned i, uint64_t now,
                                         uint32_t *extra)
{
    struct ort_eu_core *k = &eu->core[i];
    if (k->granted) { /* the retried read after the release */
        k->granted = false;
        return ORT_EU_OK;
    }
    if (!(eu->bar_mask & (1u << i)))
        return ORT_EU_ERROR; /* not a participant: a firmware bug */
    eu->bar_arrived |= 1u << i;
    if (now > eu->bar_last_arrival)
        eu->bar_last_arrival = now;
    if ((eu->bar_arrived & eu->bar_mask) != eu->bar_mask) {
        k->waiting = ORT_EU_WAIT_BARRIER;
        k->wait_since = now;
        return ORT_EU_SLEEP;
    }
    uint64_t release = eu->bar_last_arrival + ORT_EU_BARRIER_CYCLES;
    eu->bar_arrived = 0;
    eu->bar_last_arrival = 0;
    eu->barriers++;
    bool woke = false;
    for (unsigned j = 0; j < eu->cores; j++) {
        if (j != i && eu->core[j].waiting == ORT_EU_WAIT_BARRIER) {
            eu->core[j].granted = true;
            wake_core(eu, j, release);
            woke = true;
        }
    }
    *extra = (uint32_t)(release - now);
    return woke ? ORT_EU_WOKE : ORT_EU_OK;
}

/* Hand the mutex to the lowest-numbered core waiting for it, if any; true
   when one was woken. */
static bool mutex_hand_over(struct ort_event_unit *eu, uint64_t now)
{
    for (unsigned j = 0; j < eu->cores; j++) {
        struct ort_eu_core *k = &eu->core[j];
        if (k->waiting == ORT_EU_WAIT_MUTEX) {
            eu->mutex_owner = (int)j;
            k->granted = true;
            wake_core(eu, j, wake_cycle(k, now, 1));
            return true;
        }
    }
    return false;
}

enum ort_eu_status ort_eu_access(struct ort_event_unit *eu, unsigned i, uint32_t offset,
                                 bool is_write, uint32_t *value, uint64_t now,
                                 uint32_t *extra)
{
    *extra = 0;
    if (i >= eu->cores)
        return ORT_EU_ERROR;
    struct ort_eu_core *k = &eu->core[i];
    eu->accesses++;
    if (is_write) {
        uint32_t v = *value;
        switch (offset) {
        case ORT_EU_REG_EVT_MASK: k->mask = v; return ORT_EU_OK;
        case ORT_EU_REG_EVT_CLEAR: k->pending &= ~v; return ORT_EU_OK;
        case ORT_EU_REG_SW_EVENT:
            if ((v >> 16) > 7)
                return ORT_EU_ERROR;
            return ort_eu_raise(eu, v & 0xffffu, 1u << (v >> 16), now) ? ORT_EU_WOKE
                                                                          : ORT_EU_OK;
        case ORT_EU_REG_BAR_MASK:
            if (v == 0 || (v >> eu->cores) != 0 || eu->bar_arrived)
                return ORT_EU_ERROR; /* empty, unknown cores, or changed mid-barrier */
            eu->bar_mask = v;
            return ORT_EU_OK;
        case ORT_EU_REG_MUTEX_TAS:
            if (eu->mutex_owner != (int)i)
                return ORT_EU_ERROR; /* released by a core that does not hold it */
            eu->mutex_owner = -1;
            return mutex_hand_over(eu, now) ? ORT_EU_WOKE : ORT_EU_OK;
        default:
            return ORT_EU_ERROR;
        }
    }
    switch (offset) {
    case ORT_EU_REG_EVT_MASK: *value = k->mask; return ORT_EU_OK;
    case ORT_EU_REG_EVT_PENDING: *value = k->pending; return ORT_EU_OK;
    case ORT_EU_REG_CORE_COUNT: *value = eu->cores; return ORT_EU_OK;
    case ORT_EU_REG_BAR_MASK: *value = eu->bar_mask; return ORT_EU_OK;
    case ORT_EU_REG_EVT_WAIT:
        if (k->pending & k->mask) {
            *value = k->pending & k->mask;
            k->pending &= ~*value;
            return ORT_EU_OK;
        }
        k->waiting = ORT_EU_WAIT_EVENT;
        k->wait_since = now;
        return ORT_EU_SLEEP;
    case ORT_EU_REG_BAR_WAIT:
        *value = 0;
        return barrier_arrive(eu, i, now, extra);
    case ORT_EU_REG_MUTEX_TAS:
        if (eu->mutex_owner < 0) {
            eu->mutex_owner = (int)i;
            *value = 1;
        } else {
            *value = 0;
        }
        return ORT_EU_OK;
    case ORT_EU_REG_MUTEX_LOCK:
        *value = 1;
        if (k->granted) {
            k->granted = false;
            return ORT_EU_OK;
        }
        if (eu->mutex_owner < 0) {
            eu->mutex_owner = (int)i;
            return ORT_EU_OK;
        }
        k->waiting = ORT_EU_WAIT_MUTEX;
        k->wait_since = now;
        return ORT_EU_SLEEP;
    default:
        return ORT_EU_ERROR;
    }
}

bool ort_eu_describe_wait(const void *ctx, unsigned i, char *buf, size_t len)
{
    const struct ort_event_unit *eu = ctx;
    if (i >= eu->cores)
        return false;
    const struct ort_eu_core *k = &eu->core[i];
    switch (k->waiting) {
    case ORT_EU_WAIT_EVENT:
        snprintf(buf, len, "waits for events 0x%x (pending 0x%x) since cycle %llu", k->mask,
                 k->pending, (unsigned long long)k->wait_since);
        break;
    case ORT_EU_WAIT_BARRIER: {
        unsigned arrived = (unsigned)__builtin_popcount(eu->bar_arrived & eu->bar_mask);
        unsigned total = (unsigned)__builtin_popcount(eu->bar_mask);
        snprintf(buf, len, "waits at the barrier (%u of %u cores arrived, mask 0x%x)", arrived,
                 total, eu->bar_mask);
        break;
    }
    case ORT_EU_WAIT_MUTEX:
        snprintf(buf, len, "waits for the mutex (held by core %d)", eu->mutex_owner);
        break;
    default:
        return false;
    }
    return true;
}

/* The register window as a cluster device: 32-bit aligned accesses only,
   and "woke a core" becomes RV_BUS_YIELD so the scheduler runs the woken
   core in the same slice. */
static enum rv_bus_status device_access(void *ctx, unsigned core, uint32_t offset, unsigned size,
                                        bool is_write, uint32_t *data, uint64_t now,
                                        uint32_t *extra_cycles)
{
    if (size != 4 || (offset & 3))
        return RV_BUS_ERROR;
    switch (ort_eu_access(ctx, core, offset, is_write, data, now, extra_cycles)) {
    case ORT_EU_OK: return RV_BUS_OK;
    case ORT_EU_WOKE: return RV_BUS_YIELD;
    case ORT_EU_SLEEP: return RV_BUS_SLEEP;
    default: return RV_BUS_ERROR;
    }
}

const struct ort_counter ort_eu_counters[] = {
    ORT_COUNTER(struct ort_event_unit, accesses),
    ORT_COUNTER(struct ort_event_unit, events),
    ORT_COUNTER(struct ort_event_unit, barriers),
    ORT_COUNTER(struct ort_event_unit, wakeups),
};

struct ort_device ort_eu_device(struct ort_event_unit *eu, uint32_t base, uint32_t size)
{
    struct ort_device dev = {
        .name = "event_unit",
        .base = base,
        .size = size,
        .ctx = eu,
        .access = device_access,
        .describe_wait = ort_eu_describe_wait,
        .counters = ort_eu_counters,
        .n_counters = sizeof ort_eu_counters / sizeof ort_eu_counters[0],
    };
    return dev;
}
