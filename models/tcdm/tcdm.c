#include "tcdm.h"

#include <stdlib.h>
#include <string.h>

bool ort_tcdm_init(struct ort_tcdm *t, uint32_t base, uint32_t size, uint32_t banks)
{
    memset(t, 0, sizeof *t);
    if (banks == 0 || banks > ORT_TCDM_MAX_BANKS || (banks & (banks - 1)) || size == 0)
        return false;
    t->slot = calloc((size_t)banks * ORT_TCDM_WINDOW, sizeof *t->slot);
    if (!t->slot)
        return false;
    t->base = base;
    t->size = size;
    t->banks = banks;
    return true;
}

void ort_tcdm_free(struct ort_tcdm *t)
{
    free(t->slot);
    t->slot = NULL;
}

uint32_t ort_tcdm_claim_contested(struct ort_tcdm *t, uint64_t *ring, uint64_t cycle)
{
    uint64_t c = cycle + 1;
    while (ring[c & (ORT_TCDM_WINDOW - 1)] == c + 1)
        c++;
    ring[c & (ORT_TCDM_WINDOW - 1)] = c + 1;
    t->conflict_cycles += c - cycle;
    return (uint32_t)(c - cycle);
}

const struct ort_counter ort_tcdm_counters[] = {
    ORT_COUNTER(struct ort_tcdm, accesses),
    ORT_COUNTER(struct ort_tcdm, conflict_cycles),
};
const unsigned ort_tcdm_counter_count = sizeof ort_tcdm_counters / sizeof ort_tcdm_counters[0];
