/*
 * The power controller (models/pmu/pmu.h): switch the NPU and the weight
 * memory off between bursts of work, and on again before using them; power
 * the cluster itself off while it waits for the next burst.
 *
 *   rt_pmu_wmem(1); rt_pmu_npu(1);   // returns once the domains are up
 *   ... run NPU jobs reading weights from the weight memory ...
 *   rt_npu_wait_idle();              // a domain goes off only when idle
 *   rt_pmu_npu(0); rt_pmu_wmem(0);   // the weight memory keeps its contents
 *
 * Touching a domain while it is off (a load from the weight memory, an NPU
 * register) is an access fault; switching off a domain in use (an NPU job
 * queued or running, a DMA transfer in flight when switching the weight
 * memory off) is refused with an access fault too. The NPU forgets its
 * registers when off: program every job again.
 *
 *   rt_pmu_cluster_sleep(n);  // the cluster off n cycles, then its wake-up:
 *                             // returns n + rt_pmu_cluster_wakeup() cycles later
 *   rt_pmu_cluster_idle(n);   // the same wait with the cluster on, clock-gated
 *
 * Both keep every core's registers and the L1 (state-retentive). They are
 * refused (an access fault) unless every other core sleeps (wfi, an
 * event-unit wait) and neither the DMA nor the NPU has work.
 */
#ifndef ORTIGIA_PMU_FW_H
#define ORTIGIA_PMU_FW_H

#include <stdint.h>

#include "ortigia/platform.h"
#include "../../../models/pmu/pmu_regs.h"

#define ORT_PMU_REG(reg) (ORT_PMU_BASE + ORT_PMU_REG_##reg)

/* Power the NPU on (1) or off (0); powering on returns when it is up. */
static inline void rt_pmu_npu(int on) { ORT_REG32(ORT_PMU_REG(NPU)) = on ? 1u : 0u; }
/* The same for the weight memory. */
static inline void rt_pmu_wmem(int on) { ORT_REG32(ORT_PMU_REG(WMEM)) = on ? 1u : 0u; }
/* Bit 0: the NPU is on; bit 1: the weight memory is on. */
static inline uint32_t rt_pmu_status(void) { return ORT_REG32(ORT_PMU_REG(STATUS)); }
/* Power the cluster off for `cycles` (> 0) cycles; returns after the
   controller's timer powered it on again and its wake-up latency. */
static inline void rt_pmu_cluster_sleep(uint32_t cycles)
{
    ORT_REG32(ORT_PMU_REG(CLUSTER_SLEEP)) = cycles;
}
/* Sleep `cycles` (> 0) cycles with the cluster on, clock-gated. */
static inline void rt_pmu_cluster_idle(uint32_t cycles)
{
    ORT_REG32(ORT_PMU_REG(CLUSTER_IDLE)) = cycles;
}
/* The cluster's wake-up latency in cycles (pmu.cluster_wakeup_cycles). */
static inline uint32_t rt_pmu_cluster_wakeup(void) { return ORT_REG32(ORT_PMU_REG(CLUSTER_WAKEUP)); }

#endif
