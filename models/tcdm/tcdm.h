/*
 * L1 TCDM bank-conflict timing: word-interleaved banks that each serve one
 * access per cycle. Every master (cores, DMA, later the NPU) claims a
 * (bank, cycle) slot for each word it touches; an access that finds its
 * slot taken waits for the bank's next free cycle.
 *
 * Masters are simulated one after another within a time slice, so claims do
 * not arrive in cycle order. The model therefore remembers, per bank, which
 * of the last ORT_TCDM_WINDOW cycles are taken (a ring of cycle tags), not
 * just a "next free" cycle: an access at cycle t only waits for claims at t
 * and after. Claims more than the window apart never interact, so masters
 * must stay within ORT_TCDM_WINDOW / 2 cycles of each other (the cluster's
 * time slice guarantees it).
 *
 * Plain C; the data itself lives in an ort_mem, this is only timing.
 */
#ifndef ORTIGIA_TCDM_H
#define ORTIGIA_TCDM_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_TCDM_WINDOW 4096u /* cycles remembered per bank (power of two) */
#define ORT_TCDM_MAX_BANKS 1024u

struct ort_tcdm {
    uint32_t base, size; /* address range covered */
    uint32_t banks;      /* number of banks, a power of two */
    uint64_t *slot;      /* [bank * WINDOW + cycle % WINDOW] = cycle + 1 when taken */
    uint64_t accesses;   /* word accesses claimed, all masters */
    uint64_t conflict_cycles; /* cycles masters waited for a bank */
};

/* The activity counters (accesses, conflict_cycles). */
extern const struct ort_counter ort_tcdm_counters[];
extern const unsigned ort_tcdm_counter_count;

/* Sets up `banks` banks (a power of two, 1..ORT_TCDM_MAX_BANKS) over [base, base + size).
   Returns false (with nothing allocated) on bad arguments or no memory. */
bool ort_tcdm_init(struct ort_tcdm *t, uint32_t base, uint32_t size, uint32_t banks);
void ort_tcdm_free(struct ort_tcdm *t);

/* Bank of an address (word interleaving). */
static inline uint32_t ort_tcdm_bank(const struct ort_tcdm *t, uint32_t addr)
{
    return (addr >> 2) & (t->banks - 1);
}

/* The contested case of ort_tcdm_claim: the first free cycle after `cycle`. */
uint32_t ort_tcdm_claim_contested(struct ort_tcdm *t, uint64_t *ring, uint64_t cycle);

/*
 * Claim the bank of `addr` for one cycle at `cycle` or, if that is taken,
 * at the first free cycle after it. Returns the cycles waited. The free
 * case is inline and short: it is on every L1 access of every core.
 */
static inline uint32_t ort_tcdm_claim(struct ort_tcdm *t, uint32_t addr, uint64_t cycle)
{
    uint64_t *ring = t->slot + (uint64_t)ort_tcdm_bank(t, addr) * ORT_TCDM_WINDOW;
    uint64_t *s = &ring[cycle & (ORT_TCDM_WINDOW - 1)];
    t->accesses++;
    if (__builtin_expect(*s != cycle + 1, 1)) {
        *s = cycle + 1;
        return 0;
    }
    return ort_tcdm_claim_contested(t, ring, cycle);
}

#ifdef __cplusplus
}
#endif

#endif
