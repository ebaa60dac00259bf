#include "tiling.h"

#include <stdbool.h>

static int64_t align4(int64_t v) { return (v + 3) & ~(int64_t)3; }

static int64_t per_tile_bytes(const struct ort_tile_operand *o, int64_t tu)
{
    switch (o->mode) {
    case NN_ROWS: case NN_OUT_ROWS: return align4(tu * o->unit_bytes);
    case NN_OUT_COLS: return align4(tu * o->unit_bytes * o->rows);
    case NN_HALO: {
        int64_t cap = (tu - 1) * o->halo_step + o->halo_window;
        return align4((cap < o->halo_h ? cap : o->halo_h) * o->unit_bytes * o->rows);
    }
    default: return 0;
    }
}

/* Arena bytes for tiles of tu units. */
static int64_t need(const struct ort_tile_plan *p, int64_t tu)
{
    int nbuf = tu < p->units ? 2 : 1;
    int64_t total = 0;
    for (int i = 0; i < p->n; i++)
        total += p->op[i].mode == NN_WHOLE     ? align4(p->op[i].bytes)
                 : p->op[i].mode == NN_SCRATCH ? align4(p->op[i].bytes + tu * p->op[i].unit_bytes)
                                               : nbuf * per_tile_bytes(&p->op[i], tu);
    return total;
}

/* The largest tile that fits, or 0. */
static int64_t fit(const struct ort_tile_plan *p, int64_t budget)
{
    if (need(p, p->units) <= budget)
        return p->units;
    int64_t lo = 0, hi = p->units - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (need(p, mid) <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static bool demote_largest(struct ort_tile_plan *p, bool whole)
{
    int best = -1;
    int64_t best_bytes = 0;
    for (int i = 0; i < p->n; i++) {
        const struct ort_tile_operand *o = &p->op[i];
        /* scratch has no copy elsewhere to fall back on */
        if (o->mode == NN_INPLACE || o->mode == NN_SCRATCH || (o->mode == NN_WHOLE) != whole)
            continue;
        int64_t b = whole ? o->bytes : per_tile_bytes(o, 1);
        if (best < 0 || b > best_bytes) {
            best = i;
            best_bytes = b;
        }
    }
    if (best < 0)
        return false;
    p->op[best].mode = NN_INPLACE;
    return true;
}

void ort_tile(struct ort_tile_plan *p, int64_t budget, int64_t unit_align, int64_t min_tiles)
{
    for (int i = 0; i < p->n; i++) {
        p->op[i].was = p->op[i].mode;
        if (p->op[i].resident)
            p->op[i].mode = NN_INPLACE;
    }
    if (p->units < 1)
        p->units = 1;
    int64_t tu;
    while ((tu = fit(p, budget)) == 0)
        if (!demote_largest(p, true) && !demote_largest(p, false)) {
            tu = p->units;
            break;
        }
    /* More tiles than needed, so that transfers overlap the compute, when
     * there is enough to move that the overlap pays for the extra tiles'
     * synchronization (a few hundred cycles: 2 KiB of DMA a tile). */
    int64_t moved = 0;
    for (int i = 0; i < p->n; i++)
        moved += per_tile_bytes(&p->op[i], p->units);
    if (min_tiles > moved / 2048)
        min_tiles = moved / 2048;
    if (tu == p->units && min_tiles > 1 && p->units >= min_tiles * unit_align) {
        int64_t t = (p->units + min_tiles - 1) / min_tiles;
        if (need(p, t) <= budget)
            tu = t;
    }
    if (tu > unit_align)
        tu = tu / unit_align * unit_align;
    /* Even tiles: the same count, as equal as the alignment allows. */
    int64_t tiles = (p->units + tu - 1) / tu;
    int64_t even = (p->units + tiles - 1) / tiles;
    if (even > unit_align)
        even = (even + unit_align - 1) / unit_align * unit_align;
    if (even <= tu && need(p, even) <= budget)
        tu = even;
    p->tile_units = tu;
    p->tiles = (p->units + tu - 1) / tu;
    int nbuf = p->tiles > 1 ? 2 : 1;
    int64_t at = 0;
    for (int i = 0; i < p->n; i++) {
        struct ort_tile_operand *o = &p->op[i];
        o->l1_off[0] = o->l1_off[1] = -1;
        if (o->mode == NN_INPLACE)
            continue;
        bool once = o->mode == NN_WHOLE || o->mode == NN_SCRATCH;
        int64_t b = once ? align4(o->bytes + (o->mode == NN_SCRATCH ? tu * o->unit_bytes : 0)) : per_tile_bytes(o, tu);
        for (int k = 0; k < (once ? 1 : nbuf); k++) {
            o->l1_off[k] = at;
            at += b;
        }
        if (o->mode == NN_SCRATCH) /* the same buffer every tile (nn.h) */
            o->l1_off[1] = o->l1_off[0];
    }
    p->l1_bytes = at;
}
