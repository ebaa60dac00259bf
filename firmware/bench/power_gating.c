/*
 * Power gating between tokens (docs/power-model.md, "Power states"): a
 * token is one NPU job (a 3x3 layer, weights in the weight memory), then
 * the chip idles until the next token is due, every POWER_GATING_PERIOD
 * cycles. The same POWER_GATING_TOKENS tokens run twice:
 *   region 1 "tokens_on":    the NPU and the weight memory stay on (the
 *                            NPU clock-gated when idle);
 *   region 2 "tokens_gated": both are switched off after each token and on
 *                            again before the next (the power-up stalls
 *                            core 0 for the wake-up latency, inside the
 *                            period).
 * Both regions are equally long (every token starts on its deadline), so
 * their energies compare directly; the report's power states give the
 * power-gated cycles and what gating saved (power.Gating.* check it).
 * Core 0 waits for a deadline by polling the cycle counter (the other cores
 * sleep); the same polling runs in both regions.
 *
 * With POWER_GATING_CLUSTER (power_gating_cluster.elf), the cluster
 * itself: the same tokens twice more, the NPU and the weight memory gated
 * as in region 2, core 0 waiting asleep:
 *   region 3 "cluster_idle":  the cluster stays on, clock-gated (power
 *                             controller CLUSTER_IDLE: as idle in wfi);
 *   region 4 "cluster_gated": the cluster is powered off (CLUSTER_SLEEP)
 *                             until its wake-up latency before the deadline.
 * Both sleep until CLUSTER_MARGIN cycles before the deadline (minus the
 * wake-up latency when gated) and poll the rest, so they are equally long.
 *
 * POWER_GATING_FAULT = 3 asks for a cluster sleep while an NPU job runs:
 * refused, an access fault.
 *
 * POWER_GATING_FAULT selects a faulty variant that touches a domain while
 * it is off, to show the error: 1 reads the weight memory, 2 writes an NPU
 * register.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/npu.h"
#include "ortigia/pmu.h"
#include "ortigia/rt.h"
#include "../../models/npu/npu_ref.h"

#ifndef POWER_GATING_TOKENS
#define POWER_GATING_TOKENS 4
#endif
#ifndef POWER_GATING_PERIOD
#define POWER_GATING_PERIOD 40000u
#endif
#ifndef POWER_GATING_FAULT
#define POWER_GATING_FAULT 0
#endif
#ifndef POWER_GATING_CLUSTER
#define POWER_GATING_CLUSTER 0
#endif

/* Cycles from reading the cycle counter to the power controller's write,
   and then some: the wait stops this much before the deadline. */
#define CLUSTER_MARGIN 32u

#define HW 8
#define CIN 28
#define COUT 32
#define HO (HW - 2)
#define W_BYTES (COUT * (CIN / 28) * 8 * 32)

static uint8_t in[HW * HW * CIN] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t out[HO * HO * COUT] __attribute__((section(".l1bss"), aligned(4)));
static uint8_t wenc[W_BYTES] __attribute__((section(".wmem"), aligned(32)));
static uint32_t scale[COUT] __attribute__((section(".l1bss")));
static int32_t bias[COUT] __attribute__((section(".l1bss")));
static int8_t w[COUT * CIN * 9];
static uint32_t regs[ORT_NPU_JOB_REGS];

static uint32_t seed = 77;
static uint32_t next(void) { return seed = seed * 1664525u + 1013904223u; }

/* The platform's cycle (not mcycle: the wake-up stall counts too). */
static uint32_t now(void) { return ORT_REG32(ORT_SOC_REG(SIM_CYCLE_LO)); }

static void wait_until(uint32_t t)
{
    while ((int32_t)(now() - t) < 0)
        ;
}

#if POWER_GATING_CLUSTER
/* Wait for t asleep: with the cluster idle (clock-gated) or powered off
   (gate_cluster) until shortly before t, then polling. */
static void sleep_until(uint32_t t, int gate_cluster, uint32_t wakeup)
{
    uint32_t left = t - now(), keep = CLUSTER_MARGIN + (gate_cluster ? wakeup : 0);
    if ((int32_t)left > (int32_t)keep) {
        if (gate_cluster)
            rt_pmu_cluster_sleep(left - keep);
        else
            rt_pmu_cluster_idle(left - keep);
    }
    wait_until(t);
}
#endif

/* One pass of the tokens; gating switches the domains off in the gaps.
   Returns a checksum of the outputs (both passes compute the same). */
static uint32_t tokens(int gating)
{
    uint32_t sum = 0, t = now();
    for (unsigned k = 0; k < POWER_GATING_TOKENS; k++) {
        if (gating) {
            rt_pmu_wmem(1);
            rt_pmu_npu(1);
        }
        rt_npu_run(regs);
        rt_npu_wait_idle();
        if (rt_npu_error()) {
            printf("the NPU refused the job (error %lu)\n", (unsigned long)rt_npu_error());
            return 0;
        }
        for (unsigned i = 0; i < sizeof out; i++)
            sum = sum * 31u + out[i];
        if (gating) {
            rt_pmu_npu(0);
            rt_pmu_wmem(0);
        }
        t += POWER_GATING_PERIOD;
        wait_until(t);
    }
    return sum;
}

#if POWER_GATING_CLUSTER
/* The same with the NPU and the weight memory gated, core 0 waiting
   asleep in the gaps: the cluster idle or powered off (gate_cluster). A
   copy of tokens' loop rather than a shared one, so that regions 1 and 2
   keep their code and cycles. */
static uint32_t tokens_asleep(int gate_cluster)
{
    uint32_t wakeup = rt_pmu_cluster_wakeup();
    uint32_t sum = 0, t = now();
    for (unsigned k = 0; k < POWER_GATING_TOKENS; k++) {
        rt_pmu_wmem(1);
        rt_pmu_npu(1);
        rt_npu_run(regs);
        rt_npu_wait_idle();
        if (rt_npu_error()) {
            printf("the NPU refused the job (error %lu)\n", (unsigned long)rt_npu_error());
            return 0;
        }
        for (unsigned i = 0; i < sizeof out; i++)
            sum = sum * 31u + out[i];
        rt_pmu_npu(0);
        rt_pmu_wmem(0);
        t += POWER_GATING_PERIOD;
        sleep_until(t, gate_cluster, wakeup);
    }
    return sum;
}
#endif

int main(void)
{
    struct ort_npu_layer l = {
        .mode = ORT_NPU_MODE_3X3, .h_in = HW, .w_in = HW, .cin = CIN, .cout = COUT,
        .qw = 2, .wmin = -2, .signed_in = 1, .norm_quant = 1, .scale_bits = 32, .bias = 1,
        .shift = 10, .out_bits = 8,
    };
    for (unsigned i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)next();
    for (unsigned i = 0; i < sizeof w; i++)
        w[i] = (int8_t)((int32_t)(next() >> 24) % 4 - 2);
    for (unsigned c = 0; c < COUT; c++) {
        scale[c] = next() % 32;
        bias[c] = (int32_t)(next() % 4000) - 2000;
    }
    if (!ort_npu_encode_weights(&l, w, wenc)) {
        printf("weights out of range\n");
        return 1;
    }
    struct ort_npu_addrs a = {
        .weights = (uint32_t)(uintptr_t)wenc - ORT_WMEM_BASE, .in = (uint32_t)(uintptr_t)in,
        .out = (uint32_t)(uintptr_t)out, .scale = (uint32_t)(uintptr_t)scale,
        .bias = (uint32_t)(uintptr_t)bias, .wmem = 1,
    };
    ort_npu_layer_regs(&l, &a, regs);

    rt_region_begin(1, "tokens_on");
    uint32_t on = tokens(0);
    rt_region_end(1);
    rt_region_begin(2, "tokens_gated");
    uint32_t gated = tokens(1);
    rt_region_end(2);
    if (!on || on != gated) {
        printf("outputs differ: %08lx with the domains on, %08lx gated\n", (unsigned long)on,
               (unsigned long)gated);
        return 1;
    }
#if POWER_GATING_CLUSTER
    rt_region_begin(3, "cluster_idle");
    uint32_t idle = tokens_asleep(0);
    rt_region_end(3);
    rt_region_begin(4, "cluster_gated");
    uint32_t cluster_gated = tokens_asleep(1);
    rt_region_end(4);
    if (idle != on || cluster_gated != on) {
        printf("outputs differ: %08lx with the domains on, %08lx cluster idle, %08lx cluster "
               "gated\n", (unsigned long)on, (unsigned long)idle, (unsigned long)cluster_gated);
        return 1;
    }
#endif
    /* Off now: the weight memory kept its contents (non-volatile). */
#if POWER_GATING_FAULT == 1
    printf("reading the weight memory while it is off\n");
    volatile uint8_t *p = wenc;
    printf("read %u\n", *p); /* an access fault */
#elif POWER_GATING_FAULT == 2
    printf("programming the NPU while it is off\n");
    rt_npu_run(regs); /* an access fault */
#elif POWER_GATING_FAULT == 3
    printf("powering the cluster off while the NPU runs a job\n");
    rt_pmu_wmem(1);
    rt_pmu_npu(1);
    rt_npu_run(regs);
    rt_pmu_cluster_sleep(1000); /* refused: an access fault */
#endif
    rt_pmu_wmem(1);
    uint32_t check = 0;
    for (unsigned i = 0; i < 64; i++)
        check = check * 31u + wenc[i];
    printf("%u tokens twice, outputs %08lx; status %lu; weights %08lx\n", POWER_GATING_TOKENS,
           (unsigned long)on, (unsigned long)rt_pmu_status(), (unsigned long)check);
    return 0;
}
