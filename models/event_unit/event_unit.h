/*
 * Cluster event unit: per-core event masks and wait-for-event, a hardware
 * barrier and a mutex. Cores reach it through ordinary loads and stores;
 * an access that has to wait returns ORT_EU_SLEEP: the core sleeps at that
 * instruction (clock-gated, no host time) and executes it again when the
 * unit wakes it through the `wake` callback.
 *
 * Registers (offsets from the unit's base; every core sees its own view):
 *   0x00 EVT_MASK     rw  events that can wake this core
 *   0x04 EVT_PENDING  r   events received and not yet consumed
 *   0x08 EVT_CLEAR    w   clear these pending events
 *   0x0C EVT_WAIT     r   sleep until (pending & mask) != 0; returns those
 *                         events and clears them
 *   0x10 SW_EVENT     w   bits 0..15: cores, bits 16..18: software event n
 *                         (0..7); sets pending event n on those cores
 *   0x14 CORE_COUNT   r   number of cores in the cluster
 *   0x20 BAR_MASK     rw  cores taking part in the barrier (reset: all)
 *   0x24 BAR_WAIT     r   arrive; sleep until every participant arrived
 *   0x30 MUTEX_TAS    r   test-and-set: 1 = was free, now held by this core;
 *                         0 = held by another.  w: release (by the holder)
 *   0x34 MUTEX_LOCK   r   sleep until the mutex is free, then hold it (1)
 *
 * Events: bits 0..7 software, bit 8 DMA completion, bit 12 NPU completion.
 *
 * Timing: a core woken by an event resumes ORT_EU_WAKE_CYCLES after the
 * event; a barrier releases every participant ORT_EU_BARRIER_CYCLES after
 * the last arrival. Cores are simulated one after another within a time
 * slice, so an event can be delivered "before" (in cycles) the wait that
 * receives it; such a core resumes at the cycle it started waiting.
 */
#ifndef ORTIGIA_EVENT_UNIT_H
#define ORTIGIA_EVENT_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "event_unit_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_EU_MAX_CORES 16
#define ORT_EU_WAKE_CYCLES 2u
#define ORT_EU_BARRIER_CYCLES 2u

enum ort_eu_status {
    ORT_EU_OK,    /* done */
    ORT_EU_ERROR, /* no such register, or a firmware bug (see below) */
    ORT_EU_SLEEP, /* the core sleeps until the unit wakes it */
    ORT_EU_WOKE,  /* done, and the access woke at least one core */
};

/* What a core is waiting for. */
enum ort_eu_wait { ORT_EU_WAIT_NONE, ORT_EU_WAIT_EVENT, ORT_EU_WAIT_BARRIER, ORT_EU_WAIT_MUTEX };

struct ort_eu_core {
    uint32_t mask, pending;
    enum ort_eu_wait waiting;
    uint64_t wait_since; /* cycle the wait began */
    bool granted;        /* barrier released / mutex handed over while asleep */
};

typedef void (*ort_eu_wake_fn)(void *ctx, unsigned core, uint64_t cycle);

struct ort_event_unit {
    unsigned cores;
    struct ort_eu_core core[ORT_EU_MAX_CORES];
    uint32_t bar_mask, bar_arrived;
    uint64_t bar_last_arrival;
    int mutex_owner; /* -1: free */
    ort_eu_wake_fn wake;
    void *wake_ctx;
    /* Activity counts (for the power model). */
    uint64_t accesses, events, barriers, wakeups;
};

void ort_eu_init(struct ort_event_unit *eu, unsigned cores, ort_eu_wake_fn wake, void *ctx);

/* A core's 32-bit access at `offset`, at cycle `now`. *extra_cycles gets
   the cycles the access takes beyond the instruction's own. */
enum ort_eu_status ort_eu_access(struct ort_event_unit *eu, unsigned core, uint32_t offset,
                                 bool is_write, uint32_t *value, uint64_t now,
                                 uint32_t *extra_cycles);

/* Deliver `events` at `cycle` to the cores in `core_mask` (DMA, NPU);
   returns the number of cores it woke. */
unsigned ort_eu_raise(struct ort_event_unit *eu, uint32_t core_mask, uint32_t events,
                      uint64_t cycle);

/* One line saying what `core` waits for in the unit (deadlock reports);
   false when it waits for nothing here. */
bool ort_eu_describe_wait(const void *ctx, unsigned core, char *buf, size_t len);

/* The activity counters (accesses, events, barriers, wakeups). */
extern const struct ort_counter ort_eu_counters[];

/* The unit as a cluster device with its register window at [base, +size). */
struct ort_device ort_eu_device(struct ort_event_unit *eu, uint32_t base, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
