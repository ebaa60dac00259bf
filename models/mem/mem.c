#include "mem.h"

#include <stdlib.h>
#include <string.h>

bool ort_mem_init(struct ort_mem *m, const char *name, uint32_t base, uint32_t size,
                  uint32_t latency)
{
    memset(m, 0, sizeof *m);
    m->name = name;
    m->base = base;
    m->size = size;
    m->latency = latency;
    m->data = calloc(size ? size : 1, 1);
    return m->data != NULL;
}

void ort_mem_free(struct ort_mem *m)
{
    free(m->data);
    m->data = NULL;
}

bool ort_mem_write(struct ort_mem *m, uint32_t addr, const void *src, uint32_t len)
{
    if (!ort_mem_contains(m, addr, len))
        return false;
    memcpy(m->data + (addr - m->base), src, len);
    m->writes++;
    m->write_bytes += len;
    if (m->on_write)
        m->on_write(m->on_write_ctx, addr, len);
    return true;
}

bool ort_mem_read(struct ort_mem *m, uint32_t addr, void *dst, uint32_t len)
{
    if (!ort_mem_contains(m, addr, len))
        return false;
    memcpy(dst, m->data + (addr - m->base), len);
    m->reads++;
    m->read_bytes += len;
    return true;
}
