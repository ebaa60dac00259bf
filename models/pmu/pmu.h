/*
 * The power controller at ORT_PMU_BASE: firmware switches the power
 * domains that can be switched off while the cluster runs, the NPU and the
 * weight memory, and the engine keeps the time each spent power-gated for
 * the power model (docs/power-model.md, "Power states").
 *
 *   +0x000 NPU     write 1: power the NPU on, 0: off; read: 1 when on
 *   +0x004 WMEM    the same for the weight memory (MRAM)
 *   +0x008 STATUS  read: bit 0 NPU on, bit 1 weight memory on
 *
 * Both domains are on at reset. A write that powers a domain on returns
 * when the domain is up: the writing core stalls for the domain's wake-up
 * latency (pmu.npu_wakeup_cycles, pmu.wmem_wakeup_cycles). Powering off is
 * immediate. What each domain keeps: the weight memory is non-volatile,
 * its contents survive; the NPU loses its registers.
 *
 * The platform decides what "off" means for the rest of the chip through
 * two hooks: `may_switch` can refuse a switch (the NPU has a job; the
 * weight memory feeds a running NPU job) with a message, and `switched`
 * is told after each switch (to make accesses to the domain fail). An
 * access the platform refused because its domain was off is reported with
 * ort_pmu_gated_access, which keeps the message for the run's diagnostics.
 *
 * The cluster domain is not switchable here: core 0 runs the firmware in
 * it and nothing outside would wake it (Siracusa's fabric controller is
 * not modelled); its cores clock-gate themselves while they sleep (wfi).
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

enum ort_pmu_domain { ORT_PMU_NPU, ORT_PMU_WMEM, ORT_PMU_DOMAINS };

/* "NPU", "weight memory": for messages. */
const char *ort_pmu_domain_name(enum ort_pmu_domain d);

struct ort_pmu {
    bool present[ORT_PMU_DOMAINS];       /* false: no such domain (npu.enabled = 0) */
    bool off[ORT_PMU_DOMAINS];
    uint32_t wakeup_cycles[ORT_PMU_DOMAINS];
    uint64_t since[ORT_PMU_DOMAINS];      /* cycle of the last switch */
    uint64_t off_cycles[ORT_PMU_DOMAINS]; /* power-gated cycles before `since` */
    uint64_t wakeups[ORT_PMU_DOMAINS];    /* power-ups */
    uint64_t switches;                    /* register writes that changed a state */

    bool (*may_switch)(void *ctx, enum ort_pmu_domain d, bool on, char *why, size_t len);
    void (*switched)(void *ctx, enum ort_pmu_domain d, bool on, uint64_t now);
    void *ctx;

    uint64_t gated_accesses; /* accesses refused because their domain was off */
    uint64_t refused;        /* switches refused (may_switch) and bad accesses */
    char last_error[240];    /* the first refused access or switch, for the diagnostics */
};

void ort_pmu_init(struct ort_pmu *p);

/* One access at `offset` (32-bit words only) at cycle `now`; the wake-up
   latency goes to *extra_cycles. RV_BUS_ERROR for a bad offset, a write
   of another value than 0 or 1, a domain that is not there, or a switch
   the platform refused (the message in last_error). */
enum rv_bus_status ort_pmu_access(struct ort_pmu *p, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles);

/* Cycles domain d spent power-gated up to cycle `now`. */
uint64_t ort_pmu_off_cycles(const struct ort_pmu *p, enum ort_pmu_domain d, uint64_t now);

/* The platform refused core `core`'s access to `addr` because domain d is
   off: counts it and keeps the first such message. */
void ort_pmu_gated_access(struct ort_pmu *p, enum ort_pmu_domain d, unsigned core,
                          uint32_t addr, bool is_write, const char *what);

#ifdef __cplusplus
}
#endif

#endif
