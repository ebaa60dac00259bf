/*
 * The power controller at ORT_PMU_BASE: firmware switches the power
 * domains, the NPU, the weight memory and the cluster, and the engine
 * keeps the time each spent power-gated for the power model
 * (docs/power-model.md, "Power states").
 *
 *   +0x000 NPU            write 1: power the NPU on, 0: off; read: 1 when on
 *   +0x004 WMEM           the same for the weight memory (MRAM)
 *   +0x008 STATUS         read: bit 0 NPU on, bit 1 weight memory on
 *   +0x00C CLUSTER_SLEEP  write N > 0: power the cluster off for N cycles
 *   +0x010 CLUSTER_IDLE   write N > 0: the cluster idles, on and clock-gated,
 *                         for N cycles (the baseline of CLUSTER_SLEEP)
 *   +0x014 CLUSTER_WAKEUP read: the cluster's wake-up latency in cycles
 *
 * The NPU and the weight memory are on at reset. A write that powers one
 * on returns when the domain is up: the writing core stalls for the
 * domain's wake-up latency (pmu.npu_wakeup_cycles, pmu.wmem_wakeup_cycles).
 * Powering off is immediate. What each domain keeps: the weight memory is
 * non-volatile, its contents survive; the NPU loses its registers.
 *
 * The cluster runs the firmware (core 0), so it cannot be switched off
 * and on by a register write of its own: a CLUSTER_SLEEP write at cycle t
 * powers it off for N cycles, and the controller's own wake-up timer (in
 * the always-on domain, the stand-in for Siracusa's fabric controller)
 * powers it on at t + N; after the wake-up latency W
 * (pmu.cluster_wakeup_cycles) the write completes, at t + N + W, as the
 * wake-up of a wfi would. The power-down is state-retentive: the cores
 * keep their registers, the L1 its contents. CLUSTER_IDLE does the same
 * with the cluster left on (every core clock-gated, as asleep in wfi) and
 * no wake-up latency: the same wait without gating, to compare with.
 * Either write is refused unless the rest of the cluster is quiet: every
 * other core asleep (or halted), no DMA transfer in flight, no NPU job
 * (the platform's `may_switch` says so, with the message). The writing
 * core sleeps at its store: the platform's `sleep_cluster` hook puts it to
 * sleep until the wake-up cycle, and it executes the store again then,
 * which completes it (ort_pmu_access sees the second write).
 *
 * The platform decides what "off" means for the rest of the chip through
 * its hooks: `may_switch` can refuse a switch (the NPU has a job; the
 * weight memory feeds a running NPU job) with a message, `switched` is
 * told after each switch of the NPU or the weight memory (to make accesses
 * to the domain fail), and `sleep_cluster` after each accepted cluster
 * sleep or idle. An access the platform refused because its domain was
 * off is reported with ort_pmu_gated_access, which keeps the message for
 * the run's diagnostics.
 */
#ifndef ORTIGIA_PMU_H
#define ORTIGIA_PMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "pmu_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ort_pmu_domain { ORT_PMU_NPU, ORT_PMU_WMEM, ORT_PMU_CLUSTER, ORT_PMU_DOMAINS };

/* "NPU", "weight memory", "cluster": for messages. */
const char *ort_pmu_domain_name(enum ort_pmu_domain d);

struct ort_pmu {
    bool present[ORT_PMU_DOMAINS];       /* false: no such domain (npu.enabled = 0) */
    bool off[ORT_PMU_DOMAINS];
    uint32_t wakeup_cycles[ORT_PMU_DOMAINS];
    uint64_t since[ORT_PMU_DOMAINS];      /* cycle of the last switch */
    uint64_t off_cycles[ORT_PMU_DOMAINS]; /* power-gated cycles before `since` */
    uint64_t wakeups[ORT_PMU_DOMAINS];    /* power-ups */
    uint64_t switches;                    /* register writes that changed a state */

    /* The cluster's sleep (CLUSTER_SLEEP) or idle (CLUSTER_IDLE) under way:
       armed from the write at `since[ORT_PMU_CLUSTER]` until the writing
       core executes its store again, at wake_at. When it powers the
       cluster off, off[ORT_PMU_CLUSTER] is set and the domain is
       power-gated over [since, off_end): the time and the wake-up are
       counted as they pass (ort_pmu_off_cycles, ort_pmu_wakeups). */
    struct {
        bool armed, power_off;
        uint64_t off_end, wake_at;
        uint64_t idles; /* completed CLUSTER_IDLE waits (sleeps: wakeups[ORT_PMU_CLUSTER]) */
    } cluster;

    /* may_switch(ORT_PMU_CLUSTER, false, ...) asks for a cluster sleep or
       idle; sleep_cluster(ctx, wake_at) makes the writing core sleep at its
       store until wake_at. */
    bool (*may_switch)(void *ctx, enum ort_pmu_domain d, bool on, char *why, size_t len);
    void (*switched)(void *ctx, enum ort_pmu_domain d, bool on, uint64_t now);
    void (*sleep_cluster)(void *ctx, uint64_t wake_at);
    void *ctx;

    uint64_t gated_accesses; /* accesses refused because their domain was off */
    uint64_t refused;        /* switches refused (may_switch) and bad accesses */
    char last_error[240];    /* the first refused access or switch, for the diagnostics */
};

void ort_pmu_init(struct ort_pmu *p);

/* One access at `offset` (32-bit words only) at cycle `now`; the wake-up
   latency goes to *extra_cycles. RV_BUS_ERROR for a bad offset, a write
   of another value than 0 or 1 (NPU, WMEM) or of 0 (CLUSTER_SLEEP,
   CLUSTER_IDLE), a domain that is not there, or a switch the platform
   refused (the message in last_error). */
enum rv_bus_status ort_pmu_access(struct ort_pmu *p, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles);

/* Cycles domain d spent power-gated up to cycle `now`, and its power-ups
   up to `now` (a cluster sleep's wake-up counts from the cycle the
   controller's timer powers the cluster on). */
uint64_t ort_pmu_off_cycles(const struct ort_pmu *p, enum ort_pmu_domain d, uint64_t now);
uint64_t ort_pmu_wakeups(const struct ort_pmu *p, enum ort_pmu_domain d, uint64_t now);

/* The platform refused core `core`'s access to `addr` because domain d is
   off: counts it and keeps the first such message. */
void ort_pmu_gated_access(struct ort_pmu *p, enum ort_pmu_domain d, unsigned core,
                          uint32_t addr, bool is_write, const char *what);

#ifdef __cplusplus
}
#endif

#endif
