/*
 * Ortigia firmware runtime: what a program gets besides picolibc.
 * stdout/stderr go to the platform uart (printf works as usual), exit()
 * ends the simulation with that exit code.
 */
#ifndef ORTIGIA_RT_H
#define ORTIGIA_RT_H

#include <stdint.h>

#include "ortigia/platform.h"

/* This core's cycle counter (mcycle), as the timing model counts it. */
static inline uint32_t rt_cycles(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, mcycle" : "=r"(v));
    return v;
}

/* Retired instructions of this core (minstret). */
static inline uint32_t rt_instret(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}

/*
 * Regions for time and energy reports (ortigia run --power): everything
 * between rt_region_begin(id, label) and rt_region_end(id), on any core,
 * is one region; regions nest (a token containing layers). The label is
 * read when the region begins: it must stay in memory until then.
 */
static inline void rt_region_begin(uint32_t id, const char *label)
{
    __asm__ volatile("" ::: "memory"); /* the label is in memory */
    ORT_REG32(ORT_SOC_REG(SIM_REGION_LABEL)) = (uint32_t)(uintptr_t)label;
    ORT_REG32(ORT_SOC_REG(SIM_REGION_BEGIN)) = id;
}
static inline void rt_region_end(uint32_t id) { ORT_REG32(ORT_SOC_REG(SIM_REGION_END)) = id; }

/* Zero [start, end) (word-aligned): crt0's .bss clearing, with the cluster
   DMA on Ortigia (a plain loop on QEMU's board). */
void rt_zero(void *start, void *end);

/* Hart id (0 on the single-core SoC). */
static inline uint32_t rt_core_id(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, mhartid" : "=r"(v));
    return v;
}

#endif
