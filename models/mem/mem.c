#include "mem.h"

#include <string.h>
#include <sys/mman.h>

/* The bytes come from an anonymous mapping: zero pages the kernel supplies
 * when first touched, so a 4 MiB weight memory of which a program uses
 * 600 KiB costs 600 KiB of page faults, and nothing is cleared by hand
 * (calloc clears a block that its heap reuses, in every sweep point's
 * process after the parent's allocations). */
bool ort_mem_init(struct ort_mem *m, const char *name, uint32_t base, uint32_t size,
                  uint32_t latency)
{
    memset(m, 0, sizeof *m);
    m->name = name;
    m->base = base;
    m->size = size;
    m->latency = latency;
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m->data = p == MAP_FAILED ? NULL : p;
    return m->data != NULL;
}

void ort_mem_free(struct ort_mem *m)
{
    if (m->data)
        munmap(m->data, m->size ? m->size : 1);
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
