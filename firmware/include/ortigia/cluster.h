/*
 * The cluster runtime: fork/join over the event unit, barriers, events and
 * the mutex. Core 0 runs main; the other cores wait until rt_fork hands
 * them work.
 *
 *   static void work(void *arg) { ... rt_core_id() ... rt_barrier(); ... }
 *   rt_fork(8, work, &args);   // runs work on cores 0..7, returns when all finished
 */
#ifndef ORTIGIA_CLUSTER_H
#define ORTIGIA_CLUSTER_H

#include <stdint.h>

#include "ortigia/platform.h"
#include "ortigia/rt.h"

/* Event unit register addresses (offsets: models/event_unit/event_unit_regs.h). */
#include "../../../models/event_unit/event_unit_regs.h"
#define ORT_EU_REG(reg) (ORT_EU_BASE + ORT_EU_REG_##reg)

#define RT_EVENT_SW(n) ORT_EU_EVENT_SW(n) /* software events 0..7; 0 is the runtime's fork */
#define RT_EVENT_DMA ORT_EU_EVENT_DMA
#define RT_EVENT_NPU ORT_EU_EVENT_NPU

/* Number of cores in the cluster. */
static inline unsigned rt_num_cores(void) { return ORT_REG32(ORT_EU_REG(CORE_COUNT)); }

/* Run fn(arg) on cores 0..cores-1 (all cores if 0 or too many) and return
   when every one of them has finished. Called by core 0 only. */
void rt_fork(unsigned cores, void (*fn)(void *), void *arg);

/* Cores taking part in the current fork (1 outside one). */
unsigned rt_team_size(void);

/* Wait until every core of the current fork has arrived. */
static inline void rt_barrier(void) { (void)ORT_REG32(ORT_EU_REG(BAR_WAIT)); }

/* Sleep until one of `events` is pending; consume and return them. */
static inline uint32_t rt_event_wait(uint32_t events)
{
    ORT_REG32(ORT_EU_REG(EVT_MASK)) = events;
    return ORT_REG32(ORT_EU_REG(EVT_WAIT));
}

/* Raise software event n (1..7) on the cores in `core_mask`. */
static inline void rt_event_send(uint32_t core_mask, unsigned n)
{
    ORT_REG32(ORT_EU_REG(SW_EVENT)) = (n << 16) | (core_mask & 0xffffu);
}

static inline void rt_mutex_lock(void) { (void)ORT_REG32(ORT_EU_REG(MUTEX_LOCK)); }
static inline void rt_mutex_unlock(void) { ORT_REG32(ORT_EU_REG(MUTEX_TAS)) = 0; }
/* 1 if the mutex was free and is now held, 0 if another core holds it. */
static inline int rt_mutex_trylock(void) { return (int)ORT_REG32(ORT_EU_REG(MUTEX_TAS)); }

/* Entry of cores 1..N-1 (called by crt0). */
void rt_worker_main(void) __attribute__((noreturn));

#endif
