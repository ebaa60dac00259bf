/*
 * Tile sizes under the L1 budget. A node's work is `units` units (see
 * firmware/include/ortigia/nn.h for the operand modes); this picks how many
 * units a tile holds so that every staged buffer fits the budget, double
 * buffered when there is more than one tile, and assigns the buffers'
 * offsets in the L1 arena. An operand that cannot be staged even for a
 * one-unit tile is left in place (its kernel reads L2 or the weight
 * memory), largest first; a node with everything in place runs untiled.
 */
#ifndef ORTIGIA_COMPILER_TILING_H
#define ORTIGIA_COMPILER_TILING_H

#include <stdbool.h>
#include <stdint.h>

#include "ortigia/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_tile_operand {
    int mode;            /* enum nn_mode; NN_INPLACE after ort_tile if not staged */
    int64_t unit_bytes;  /* bytes per unit (NN_OUT_COLS: per row) */
    int64_t rows;        /* NN_OUT_COLS: rows */
    int64_t bytes;       /* NN_WHOLE: the block; NN_SCRATCH: its bytes besides unit_bytes a tile unit */
    int64_t l1_off[2];   /* staging buffers in the L1 arena */
    int was;             /* the mode asked for */
    bool resident;       /* already in L1 (an L1 activation): never staged */
    int64_t stride;      /* NN_OUT_COLS, NN_HALO: the distance of rows (planes) in L2, if
                          * not the product's N columns */
    int64_t halo_step, halo_pad, halo_window, halo_h; /* NN_HALO (nn.h), rows */
};

struct ort_tile_plan {
    int64_t units, tile_units, tiles;
    int n;
    struct ort_tile_operand op[NN_MAX_OPERANDS];
    int64_t l1_bytes;    /* arena bytes this node uses */
};

/* `unit_align`: tile sizes are kept multiples of it when above it (e.g. 4
 * byte-sized units, so DMA transfers stay word-aligned). `min_tiles`:
 * split into at least this many tiles when they fit (so the DMA overlaps
 * the compute). */
void ort_tile(struct ort_tile_plan *p, int64_t budget, int64_t unit_align, int64_t min_tiles);

#ifdef __cplusplus
}
#endif

#endif
