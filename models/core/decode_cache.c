#include "decode_cache.h"

#include <stdlib.h>
#include <string.h>

bool rv_decode_cache_init(struct rv_decode_cache *dc, uint32_t base, uint32_t size)
{
    memset(dc, 0, sizeof *dc);
    dc->base = base;
    dc->size = size;
    dc->entries = calloc(size / 2 + 1, sizeof *dc->entries);
    dc->page_has_code = calloc((size >> RV_DC_PAGE_SHIFT) + 1, 1);
    if (!dc->entries || !dc->page_has_code) {
        rv_decode_cache_free(dc);
        return false;
    }
    return true;
}

void rv_decode_cache_free(struct rv_decode_cache *dc)
{
    free(dc->entries);
    free(dc->page_has_code);
    dc->entries = NULL;
    dc->page_has_code = NULL;
}

void rv_decode_cache_invalidate(struct rv_decode_cache *dc, uint32_t addr, uint32_t len)
{
    if (len == 0)
        return;
    /* A 32-bit instruction starting 2 bytes before addr overlaps it too. */
    uint64_t lo = addr >= dc->base + 2 ? addr - 2 : dc->base;
    uint64_t hi = (uint64_t)addr + len;
    if (hi > (uint64_t)dc->base + dc->size)
        hi = (uint64_t)dc->base + dc->size;
    if (lo < dc->base || lo >= hi)
        return;
    for (uint64_t a = lo & ~1ull; a < hi; a += 2) {
        struct rv_insn *e = &dc->entries[(a - dc->base) >> 1];
        e->op = RV_OP_UNDECODED;
    }
}

void rv_decode_cache_flush(struct rv_decode_cache *dc)
{
    uint32_t pages = (dc->size >> RV_DC_PAGE_SHIFT) + 1;
    for (uint32_t p = 0; p < pages; p++) {
        if (!dc->page_has_code[p])
            continue;
        uint32_t first = (p << RV_DC_PAGE_SHIFT) >> 1;
        uint32_t count = (1u << RV_DC_PAGE_SHIFT) >> 1;
        if (first + count > dc->size / 2 + 1)
            count = dc->size / 2 + 1 - first;
        memset(&dc->entries[first], 0, count * sizeof *dc->entries);
        dc->page_has_code[p] = 0;
    }
}
