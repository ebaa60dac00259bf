/*
 * Runtime support for compiled networks: a node's work runs in tiles whose
 * operands are staged in L1 by the DMA, double-buffered, while the cores
 * compute on the previous tile.
 *
 * A node is cut along one axis into `units` (rows of its output, or
 * columns when a weight matrix is streamed); a tile is `tile_units` units.
 * Each operand is, per tile:
 *   NN_WHOLE     the same whole block every tile: copied to L1 once;
 *   NN_ROWS      a contiguous run of unit_bytes per unit (input);
 *   NN_OUT_ROWS  the same for the output (copied back after the tile);
 *   NN_OUT_COLS  output columns: `rows` rows of unit_bytes per unit, at a
 *                row stride of `stride` bytes in L2 (packed in L1);
 *   NN_INPLACE   not staged: the kernel reads the L2 / weight-memory copy
 *                (for an operand too large for the L1 budget); pointer
 *                advances like NN_ROWS when unit_bytes is set.
 *   NN_HALO      a convolution's input rows for output rows as units,
 *                staged by the step's kernel itself (nn_halo_begin below):
 *                this runtime leaves it alone;
 *   NN_SCRATCH   `bytes` of L1 for the kernel's own use (im2col buffers),
 *                plus unit_bytes per unit of the largest tile (the compiler
 *                sizes it): nothing is copied; l1[0] and l1[1] are the same
 *                buffer.
 * The compiler sizes tiles so that every staged buffer fits the L1 budget
 * (compiler/tiling.c) and assigns the L1 buffers (two per sliced operand
 * when there is more than one tile).
 *
 * Every core of the team calls nn_run_tiled with the same descriptor;
 * core 0 drives the DMA. The kernel gets, per operand, the tile's first
 * element (L1 or in place), the index of the tile's first unit and the
 * number of units in the tile, and splits the work among the cores itself.
 * The DMA serves transfers in order, so waiting for the last one issued
 * waits for all before it.
 */
#ifndef ORTIGIA_NN_H
#define ORTIGIA_NN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nn_mode { NN_WHOLE, NN_ROWS, NN_OUT_ROWS, NN_OUT_COLS, NN_INPLACE, NN_HALO, NN_SCRATCH };

#define NN_MAX_OPERANDS 8

/* The engine that runs a step (the compiler's engine.h). */
enum nn_engine { NN_ENGINE_CLUSTER = 0, NN_ENGINE_NPU = 1 };

/* A descriptor's n_operands word: the operand count in bits 0..7, the
 * staging bits (below) in 8..15 and the step's engine above them. The cluster's tag is 0, so for cluster steps
 * the word is the count and staging bits; nn_step clears both in its L1
 * copy of the descriptor, so its per-tile loops read the count as it is (a
 * separate field cost 12k cycles on microLlama64 by moving code and
 * data). Tools read the tag with NN_TILING_ENGINE. An NPU step's kernel
 * drives the NPU (nn_npu.h). */
#define NN_ENGINE_SHIFT 16
#define NN_OPERAND_COUNT_MASK 0xFFu
#define NN_OPERANDS(count, engine) ((uint32_t)(count) | (uint32_t)(engine) << NN_ENGINE_SHIFT)

/* Bits 8..10 of the word, set by the compiler: which transfers the step
 * has, so that core 0 skips the loops over its operands that would find
 * none (a step whose operands all stay where they are has no transfer). */
#define NN_STAGING_SHIFT 8
#define NN_STAGES_WHOLE (1u << NN_STAGING_SHIFT) /* an NN_WHOLE operand */
#define NN_STAGES_IN (2u << NN_STAGING_SHIFT)    /* an NN_ROWS operand */
#define NN_STAGES_OUT (4u << NN_STAGING_SHIFT)   /* an NN_OUT_ROWS or NN_OUT_COLS operand */
#define NN_TILING_ENGINE(t) ((enum nn_engine)((t)->n_operands >> NN_ENGINE_SHIFT))

/* The exit status of a network whose DMA transfer was refused. */
#define NN_EXIT_DMA_ERROR 100

/* NN_HALO's geometry packed in a word: the row step per unit (bits 0-7),
 * the padding rows before row 0 (8-15) and the rows one unit's window
 * spans (16-31). A tile of n units from u0 needs the rows
 * [u0*step - pad, (u0+n-1)*step - pad + window) clipped to [0, H). */
#define NN_HALO_PACK(step, pad, window) ((uint32_t)(step) | (uint32_t)(pad) << 8 | (uint32_t)(window) << 16)
#define NN_HALO_STEP(b) ((b) & 0xFFu)
#define NN_HALO_PAD(b) (((b) >> 8) & 0xFFu)
#define NN_HALO_WINDOW(b) ((b) >> 16)

/* The first input row a halo tile holds and the rows it holds (maybe
 * none: a tile whose windows lie in the padding). */
static inline void nn_halo_rows(uint32_t packed, uint32_t h, uint32_t u0, uint32_t n, uint32_t *first,
                                uint32_t *count)
{
    int32_t a = (int32_t)(u0 * NN_HALO_STEP(packed)) - (int32_t)NN_HALO_PAD(packed);
    int32_t b = (int32_t)((u0 + n - 1) * NN_HALO_STEP(packed)) - (int32_t)NN_HALO_PAD(packed) +
                (int32_t)NN_HALO_WINDOW(packed);
    a = a < 0 ? 0 : a;
    b = b > (int32_t)h ? (int32_t)h : b;
    *first = (uint32_t)a;
    *count = b > a ? (uint32_t)(b - a) : 0;
}

struct nn_operand {
    uint8_t *mem;         /* in L2 or the weight memory */
    uint32_t mode;        /* enum nn_mode */
    uint32_t unit_bytes;  /* bytes per unit (per row of the unit for NN_OUT_COLS) */
    uint32_t bytes;       /* NN_WHOLE: the whole block */
    uint32_t rows, stride; /* NN_OUT_COLS: rows, and their stride in L2 */
    uint8_t *l1[2];       /* staging buffers (l1[1] unused with one tile) */
};

/* ptr[k]: operand k's first element for this tile; row_stride[k]: the
 * byte distance between its rows (NN_OUT_COLS: units * unit_bytes when
 * staged, `stride` in place; others: unit_bytes). */
typedef void (*nn_kernel)(void *const *ptr, const uint32_t *row_stride, uint32_t unit0,
                          uint32_t units);

struct nn_tiling {
    uint32_t units, tile_units, tiles; /* tiles = ceil(units / tile_units) */
    uint32_t n_operands; /* NN_OPERANDS(count, engine) */
    nn_kernel kernel;
    struct nn_operand op[NN_MAX_OPERANDS]; /* n_operands used (the rest not copied) */
};

/* Bytes of a descriptor with n operands. */
#define NN_TILING_BYTES(n) (offsetof(struct nn_tiling, op) + (n) * sizeof(struct nn_operand))

/* Every core of the team: one step, its descriptor where it is. */
void nn_run_tiled(const struct nn_tiling *t);

/* A 2-D copy by the DMA alone (a Concat of same-typed inputs): `rows`
 * rows of `len` bytes. */
struct nn_copy {
    uint8_t *dst;
    const uint8_t *src;
    uint32_t len, rows;
    int32_t dst_stride, src_stride;
};

/* Core 0: the copies, in order, then waits for the last. */
void nn_run_copies(const struct nn_copy *c, uint32_t n);

/*
 * A whole network in one fork: core 0 calls nn_run_network(body); every
 * core runs body, which calls, in order, nn_step for each tiled step and
 * nn_step_copies for each DMA-only one. Steps are separated by one
 * barrier rather than a fork and a join. `index` counts the tiled steps
 * from 0; `next` is the next tiled step's descriptor (NULL for the last),
 * which core 0 prefetches into L1 while this one runs, and `next_bytes`
 * its size, NN_TILING_BYTES of its operand count (known to the compiler:
 * reading the count from L2 would stall core 0 each step).
 */
void nn_run_network(void (*body)(void *));

/*
 * A convolution's input rows with their halo (NN_HALO), staged by its
 * kernel rather than by nn_run_tiled, so that steps without one run the
 * same code as before: `planes` (batch x channels) planes of h rows of
 * row_bytes, plane_stride bytes apart at src; each L1 buffer holds `cap`
 * rows a plane, cap = min((tile_units - 1) * step + window, h). Rows that
 * neighbouring tiles both need are copied for each.
 */
struct nn_halo {
    const uint8_t *src;
    uint8_t *l1[2];
    uint32_t packed; /* NN_HALO_PACK */
    uint32_t h, row_bytes, planes, cap, units, tile_units;
};

/* Every core, first thing in the kernel of the tile at u0 (n units):
 * for the first tile, core 0 fetches its rows and all wait for them;
 * then core 0 starts the next tile's rows into the other buffer. Returns
 * the buffer of this tile's rows and, in *pending, the transfer to give
 * nn_halo_end. */
const uint8_t *nn_halo_begin(const struct nn_halo *hl, uint32_t u0, uint32_t n, uint32_t *pending);
/* Every core, last thing in the kernel: core 0 waits for the next tile's
 * rows (the barrier after the kernel then publishes them). */
void nn_halo_end(uint32_t pending);
void nn_step(const struct nn_tiling *t, uint32_t index, const struct nn_tiling *next, uint32_t next_bytes);
void nn_step_copies(const struct nn_copy *c, uint32_t n);

#endif
