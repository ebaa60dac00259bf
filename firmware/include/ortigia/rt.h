/*
 * Ortigia firmware runtime: what a program gets besides picolibc.
 * stdout/stderr go to the platform uart (printf works as usual), exit()
 * ends the simulation with that exit code.
 */
#ifndef ORTIGIA_RT_H
#define ORTIGIA_RT_H

#include <stdint.h>

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

/* Hart id (0 on the single-core SoC). */
static inline uint32_t rt_core_id(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, mhartid" : "=r"(v));
    return v;
}

#endif
