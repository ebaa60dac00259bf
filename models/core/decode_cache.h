/*
 * Decode cache over one executable memory: one pre-decoded instruction per
 * halfword address, filled on first execution, invalidated on writes.
 * Shared by every core that executes from that memory (decode depends only
 * on the instruction word). Entries are allocated with calloc so the host
 * commits only the pages that code actually touches.
 */
#ifndef ORTIGIA_DECODE_CACHE_H
#define ORTIGIA_DECODE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Granule of the "holds decoded code" map, as a shift (1 KiB). */
#define RV_DC_PAGE_SHIFT 10

struct rv_decode_cache {
    uint32_t base, size;    /* covered addresses [base, base + size) */
    struct rv_insn *entries; /* size / 2 entries; op == 0: not decoded */
    uint8_t *page_has_code;  /* per page: some entry may be decoded */
};

bool rv_decode_cache_init(struct rv_decode_cache *dc, uint32_t base, uint32_t size);
void rv_decode_cache_free(struct rv_decode_cache *dc);

/* Forget decoded instructions overlapping [addr, addr + len). */
void rv_decode_cache_invalidate(struct rv_decode_cache *dc, uint32_t addr, uint32_t len);

/* Forget everything (fence.i, or a bulk load of new code). */
void rv_decode_cache_flush(struct rv_decode_cache *dc);

/* Cheap check for the store path: may [addr, addr+len) hold decoded code?
   `addr` must lie inside the cache's range. */
static inline bool rv_decode_cache_maybe_code(const struct rv_decode_cache *dc, uint32_t addr)
{
    return dc->page_has_code[(addr - dc->base) >> RV_DC_PAGE_SHIFT] != 0;
}

#ifdef __cplusplus
}
#endif

#endif
