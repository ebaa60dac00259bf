/*
 * The N-EUREKA NPU (models/npu/npu.h): a small driver in the style of the
 * Siracusa stack's. A core acquires one of the two job contexts (sleeping
 * while both are taken), writes the 24 job registers, triggers the job and
 * later waits on event 12, which the NPU raises on the core that triggered
 * the job when it completes. With two contexts a core can program job N+1
 * while job N runs.
 *
 *   uint32_t regs[ORT_NPU_JOB_REGS];
 *   ort_npu_layer_regs(&layer, &addrs, regs);   // models/npu/npu_ref.h
 *   rt_npu_run(regs);                           // acquire, program, trigger
 *   rt_npu_wait();                              // sleeps until it completes
 *   if (rt_npu_error()) ...                     // a refused job (ORT_NPU_ERR_*)
 */
#ifndef ORTIGIA_NPU_H
#define ORTIGIA_NPU_H

#include <stdint.h>

#include "ortigia/cluster.h"
#include "ortigia/platform.h"

/* Register offsets and CONF0 fields (models/npu/npu_regs.h). */
#include "../../../models/npu/npu_regs.h"
#define ORT_NPU_REG(reg) (ORT_NPU_BASE + ORT_NPU_REG_##reg)

/* A free job context: its job id (sleeps while both are taken). */
static inline uint32_t rt_npu_acquire(void) { return ORT_REG32(ORT_NPU_REG(ACQUIRE)); }

/* The acquired context's 24 job registers. */
static inline void rt_npu_program(const uint32_t regs[ORT_NPU_JOB_REGS])
{
    for (unsigned i = 0; i < ORT_NPU_JOB_REGS; i++)
        ORT_REG32(ORT_NPU_BASE + ORT_NPU_REG_JOB(i)) = regs[i];
}

/* Commit the programmed job and start it (it runs after those before it). */
static inline void rt_npu_trigger(void) { ORT_REG32(ORT_NPU_REG(TRIGGER)) = 0; }

/* Acquire, program and trigger a job; its id. */
static inline uint32_t rt_npu_run(const uint32_t regs[ORT_NPU_JOB_REGS])
{
    uint32_t id = rt_npu_acquire();
    rt_npu_program(regs);
    rt_npu_trigger();
    return id;
}

/* Sleep until a job of this core completes (event 12, consumed). The event
   is a pending bit, not a count: with two jobs in flight, use
   rt_npu_wait_idle. */
static inline void rt_npu_wait(void) { (void)rt_event_wait(RT_EVENT_NPU); }

/* Contexts holding a job (ORT_NPU_STATUS_CTX0/1); 0: the NPU is idle. */
static inline uint32_t rt_npu_status(void) { return ORT_REG32(ORT_NPU_REG(STATUS)); }

/* Sleep until every job has completed. No completion is missed: each one
   sets the pending event, which only a wait consumes, so a job that ends
   between the STATUS read and the wait makes the wait return at once. */
static inline void rt_npu_wait_idle(void)
{
    while (rt_npu_status())
        rt_npu_wait();
}

/* The last refused job's reason (ORT_NPU_ERR_*, 0: none), cleared by the read. */
static inline uint32_t rt_npu_error(void) { return ORT_REG32(ORT_NPU_REG(ERROR)); }

/* Abort everything and free both contexts. */
static inline void rt_npu_soft_clear(void) { ORT_REG32(ORT_NPU_REG(SOFT_CLEAR)) = 1; }

#endif
