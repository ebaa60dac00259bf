#include "tcdm.h"

#include <stdlib.h>
#include <string.h>

bool ort_tcdm_init(struct ort_tcdm *t, uint32_t base, uint32_t size, uint32_t banks)
{
    memset(t, 0, sizeof *t);
    if (banks == 0 || banks > 1024 || (banks & (banks - 1)) || size == 0)
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
