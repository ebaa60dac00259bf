#include "device.h"

#include <string.h>

const struct ort_counter *ort_counter_find(const struct ort_counter *table, unsigned n,
                                           const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}
