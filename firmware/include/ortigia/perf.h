/*
 * Per-core performance counters: the simulator's activity counts, read
 * through mhpmcounter CSRs (models/core/core.h). They count from reset and
 * read as 32 bits; take differences around the code you measure:
 *
 *   struct rt_perf a, b;
 *   rt_perf_read(&a); work(); rt_perf_read(&b);
 *   printf("%lu TCDM stall cycles\n", (unsigned long)(b.tcdm_stalls - a.tcdm_stalls));
 */
#ifndef ORTIGIA_PERF_H
#define ORTIGIA_PERF_H

#include <stdint.h>

#define RT_CSR_READ(csr)                                            \
    ({                                                              \
        uint32_t v_;                                                \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));              \
        v_;                                                         \
    })

struct rt_perf {
    uint32_t cycles, instructions;
    uint32_t load_use_stalls; /* 0xB03 */
    uint32_t tcdm_stalls;     /* 0xB04: cycles waiting for a busy L1 bank */
    uint32_t branch_stalls;   /* 0xB05 */
    uint32_t hwloop_iterations; /* 0xB06: jumps back to a hardware loop's start */
    uint32_t sleep_cycles;    /* 0xB07 */
    uint32_t memory_stalls;   /* 0xB08: memory latency */
    uint32_t muldiv_stalls;   /* 0xB09 */
    uint32_t loads, stores;   /* 0xB0A, 0xB0B */
};

static inline void rt_perf_read(struct rt_perf *p)
{
    p->cycles = RT_CSR_READ(mcycle);
    p->instructions = RT_CSR_READ(minstret);
    p->load_use_stalls = RT_CSR_READ(0xB03);
    p->tcdm_stalls = RT_CSR_READ(0xB04);
    p->branch_stalls = RT_CSR_READ(0xB05);
    p->hwloop_iterations = RT_CSR_READ(0xB06);
    p->sleep_cycles = RT_CSR_READ(0xB07);
    p->memory_stalls = RT_CSR_READ(0xB08);
    p->muldiv_stalls = RT_CSR_READ(0xB09);
    p->loads = RT_CSR_READ(0xB0A);
    p->stores = RT_CSR_READ(0xB0B);
}

#endif
