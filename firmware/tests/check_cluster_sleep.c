/*
 * The cluster's sleep through the power controller (models/pmu/pmu.h),
 * timed to the cycle: a store to CLUSTER_SLEEP with N takes N plus the
 * wake-up latency longer than an ordinary store to the controller, one to
 * CLUSTER_IDLE N longer; the core keeps its registers and the L1 its
 * contents (state-retentive). Prints the increments; tests/CMakeLists.txt
 * checks them (fw.check_cluster_sleep*).
 *
 * With SLEEP_WHILE_A_CORE_RUNS, core 0 asks for a sleep while core 1 spins;
 * with SLEEP_WHILE_THE_DMA_WORKS, while a DMA transfer is in flight: both
 * refused, an access fault (power.gated_cluster_core_running, _dma_busy).
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"
#include "ortigia/dma.h"
#include "ortigia/pmu.h"
#include "ortigia/rt.h"

static volatile uint32_t kept[64] __attribute__((section(".l1bss")));

/* Cycles of one store of v to reg, from mcycle to mcycle. */
static uint32_t timed_store(uint32_t reg, uint32_t v)
{
    uint32_t a, b;
    __asm__ volatile("csrr %0, mcycle\n\tsw %2, 0(%3)\n\tcsrr %1, mcycle"
                     : "=&r"(a), "=&r"(b)
                     : "r"(v), "r"(reg)
                     : "memory");
    return b - a;
}

#ifdef SLEEP_WHILE_A_CORE_RUNS
static volatile int done;

static void spin_or_sleep(void *arg)
{
    (void)arg;
    if (rt_core_id() != 0) {
        while (!done)
            ;
        return;
    }
    printf("powering the cluster off while core 1 runs\n");
    rt_pmu_cluster_sleep(1000); /* refused: an access fault */
    done = 1;
}
#endif

#ifdef SLEEP_WHILE_THE_DMA_WORKS
static uint8_t far[16384];
static uint8_t near[16384] __attribute__((section(".l1bss")));
#endif

int main(void)
{
#ifdef SLEEP_WHILE_A_CORE_RUNS
    rt_fork(2, spin_or_sleep, 0);
#endif
#ifdef SLEEP_WHILE_THE_DMA_WORKS
    printf("powering the cluster off while the DMA copies\n");
    rt_dma_copy(near, far, sizeof near);
    rt_pmu_cluster_sleep(1000); /* refused: an access fault */
#endif
    for (unsigned i = 0; i < 64; i++)
        kept[i] = i * 2654435761u;
    /* An ordinary write: the NPU is on already, nothing changes. */
    uint32_t plain = timed_store(ORT_PMU_REG(NPU), 1);
    uint32_t s1 = timed_store(ORT_PMU_REG(CLUSTER_SLEEP), 1000);
    uint32_t s2 = timed_store(ORT_PMU_REG(CLUSTER_SLEEP), 5000);
    uint32_t i1 = timed_store(ORT_PMU_REG(CLUSTER_IDLE), 1000);
    uint32_t bad = 0;
    for (unsigned i = 0; i < 64; i++)
        bad += kept[i] != i * 2654435761u;
    printf("store %lu; sleep 1000: +%lu, sleep 5000: +%lu, idle 1000: +%lu; wake-up %lu; "
           "L1 words lost %lu\n",
           (unsigned long)plain, (unsigned long)(s1 - plain), (unsigned long)(s2 - plain),
           (unsigned long)(i1 - plain), (unsigned long)rt_pmu_cluster_wakeup(),
           (unsigned long)bad);
    if (bad)
        return 1;
    printf("PASS\n");
    return 0;
}
