/*
 * A plain on-chip SRAM (L2, weight memory, later L1 banks): bytes, a fixed
 * access latency, and a hook told about every write that does not come
 * through a core's direct pointer (so a decode cache over it stays true).
 */
#ifndef ORTIGIA_MEM_H
#define ORTIGIA_MEM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*ort_mem_write_hook)(void *ctx, uint32_t addr, uint32_t len);

struct ort_mem {
    const char *name;
    uint32_t base, size;  /* global addresses [base, base + size) */
    uint8_t *data;
    uint32_t latency;     /* cycles per access, as seen by a core */
    ort_mem_write_hook on_write;
    void *on_write_ctx;
    uint64_t reads, writes, read_bytes, write_bytes; /* activity */
    /* Power-gated (the platform's power controller): masters other than
       the cores (the DMA, the NPU's weight port) refuse to use it; the
       cores are kept out by the cluster (ort_cluster_gate_memory). The
       contents stay: whether a memory keeps them when off is its owner's
       business (the weight memory, MRAM, does). */
    bool off;
};

bool ort_mem_init(struct ort_mem *m, const char *name, uint32_t base, uint32_t size,
                  uint32_t latency);
void ort_mem_free(struct ort_mem *m);

/* Does [addr, addr + len) lie inside the memory? (No overflow for any input.) */
static inline bool ort_mem_contains(const struct ort_mem *m, uint32_t addr, uint64_t len)
{
    return addr >= m->base && (uint64_t)(addr - m->base) + len <= m->size;
}

/* Copy in / out; false when the range is outside. Writes call the hook. */
bool ort_mem_write(struct ort_mem *m, uint32_t addr, const void *src, uint32_t len);
bool ort_mem_read(struct ort_mem *m, uint32_t addr, void *dst, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif
