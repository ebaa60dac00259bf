/* Tiled execution of a network node with double-buffered DMA (ortigia/nn.h). */
#include "ortigia/nn.h"

#include "ortigia/cluster.h"
#include "ortigia/dma.h"
#include "ortigia/nn_kernel.h"

#include <stdio.h>
#include <stdlib.h>

#define NO_DMA 0xFFFFFFFFu

/* A transfer the DMA refuses is a bug of the generated program: stop with
 * the DMA's error rather than compute on stale data. */
static uint32_t checked(uint32_t id)
{
    if (id == RT_DMA_FAILED) {
        printf("nn: the DMA refused a transfer: error %u at 0x%08x\n", (unsigned)rt_dma_error(),
               (unsigned)rt_dma_error_addr());
        exit(NN_EXIT_DMA_ERROR);
    }
    return id;
}

static uint32_t copy(void *dst, const void *src, uint32_t bytes)
{
    return bytes ? checked(rt_dma_copy(dst, src, bytes)) : NO_DMA;
}

/* Issues the input copies of tile `k` into buffer `buf`; the last id. */
static uint32_t stage_in(const struct nn_tiling *t, uint32_t k, int buf)
{
    uint32_t u0 = k * t->tile_units, n = t->units - u0 < t->tile_units ? t->units - u0 : t->tile_units;
    uint32_t id = NO_DMA;
    for (uint32_t i = 0; i < t->n_operands; i++) {
        const struct nn_operand *o = &t->op[i];
        if (o->mode == NN_ROWS) {
            uint32_t c = copy(o->l1[buf], o->mem + u0 * o->unit_bytes, n * o->unit_bytes);
            id = c != NO_DMA ? c : id;
        }
    }
    return id;
}

static uint32_t stage_out(const struct nn_tiling *t, uint32_t k, int buf)
{
    uint32_t u0 = k * t->tile_units, n = t->units - u0 < t->tile_units ? t->units - u0 : t->tile_units;
    uint32_t id = NO_DMA;
    for (uint32_t i = 0; i < t->n_operands; i++) {
        const struct nn_operand *o = &t->op[i];
        if (o->mode == NN_OUT_ROWS)
            id = copy(o->mem + u0 * o->unit_bytes, o->l1[buf], n * o->unit_bytes);
        else if (o->mode == NN_OUT_COLS && n != 0 && o->unit_bytes != 0 && o->rows != 0)
            id = checked(rt_dma_copy_2d(o->mem + u0 * o->unit_bytes, o->l1[buf], n * o->unit_bytes,
                                        o->rows, (int32_t)o->stride, (int32_t)(n * o->unit_bytes)));
    }
    return id;
}

static void wait(uint32_t id)
{
    if (id != NO_DMA)
        rt_dma_wait(id);
}

/* The current step's staging bits (NN_STAGES_*), for core 0. */
static uint32_t staging __attribute__((section(".l1bss")));

/* Core 0: the whole operands and tile 0 in; returns when they are. */
static void prologue(const struct nn_tiling *t)
{
    uint32_t pending = NO_DMA;
    if (staging & NN_STAGES_WHOLE)
        for (uint32_t i = 0; i < t->n_operands; i++)
            if (t->op[i].mode == NN_WHOLE) {
                uint32_t c = copy(t->op[i].l1[0], t->op[i].mem, t->op[i].bytes);
                pending = c != NO_DMA ? c : pending;
            }
    uint32_t c = staging & NN_STAGES_IN ? stage_in(t, 0, 0) : NO_DMA;
    wait(c != NO_DMA ? c : pending);
}

/* Every core, after the prologue and a barrier: the tiles. Core 0
 * returns once the last output is in memory. */
static void run_tiles(const struct nn_tiling *t)
{
    unsigned core = rt_core_id();
    uint32_t tiles = t->tiles;
    void *ptr[NN_MAX_OPERANDS];
    uint32_t stride[NN_MAX_OPERANDS];
    uint32_t pending = NO_DMA; /* the last transfer the next tile needs */
    uint32_t last_out = NO_DMA;
    for (uint32_t k = 0; k < tiles; k++) {
        int buf = (int)(k & 1);
        uint32_t u0 = k * t->tile_units;
        uint32_t n = t->units - u0 < t->tile_units ? t->units - u0 : t->tile_units;
        if (core == 0 && k + 1 < tiles && (staging & NN_STAGES_IN))
            pending = stage_in(t, k + 1, buf ^ 1);
        for (uint32_t i = 0; i < t->n_operands; i++) {
            const struct nn_operand *o = &t->op[i];
            stride[i] = o->unit_bytes;
            switch (o->mode) {
            case NN_WHOLE:
                ptr[i] = o->l1[0];
                break;
            case NN_INPLACE:
                ptr[i] = o->mem + u0 * o->unit_bytes;
                stride[i] = o->stride ? o->stride : o->unit_bytes;
                break;
            case NN_OUT_COLS:
                ptr[i] = o->l1[buf];
                stride[i] = n * o->unit_bytes;
                break;
            default:
                ptr[i] = o->l1[buf];
            }
        }
        t->kernel(ptr, stride, u0, n);
        /* Always a barrier here, copy-out or not: the next step's prologue
         * reuses the staging buffers, and its descriptor prefetch the slot
         * of this step's predecessor. */
        rt_barrier();
        if (core == 0) {
            uint32_t out = staging & NN_STAGES_OUT ? stage_out(t, k, buf) : NO_DMA;
            /* Before tile k+1 is computed: its inputs are in, and the
             * output of tile k-1, which shares its buffer, is out (the
             * inputs were issued after it, and the DMA keeps order). */
            if (k + 1 < tiles)
                wait(pending != NO_DMA ? pending : last_out);
            last_out = out != NO_DMA ? out : last_out;
            if (k + 1 < tiles)
                rt_barrier();
        } else if (k + 1 < tiles) {
            rt_barrier();
        }
    }
    if (core == 0)
        wait(last_out);
}

void nn_run_tiled(const struct nn_tiling *t)
{
    if (rt_core_id() == 0) {
        staging = NN_STAGES_WHOLE | NN_STAGES_IN | NN_STAGES_OUT; /* a descriptor may not say */
        prologue(t);
    }
    rt_barrier();
    run_tiles(t);
}

uint32_t nn_team_cores __attribute__((section(".l1bss")));
uint32_t nn_team_shift __attribute__((section(".l1bss")));

static void set_team(void)
{
    if (nn_team_cores)
        return;
    nn_team_cores = rt_num_cores();
    nn_team_shift = 32;
    for (uint32_t s = 0; s < 5; s++)
        if (nn_team_cores == 1u << s)
            nn_team_shift = s;
}

/* Descriptors of consecutive steps alternate between two L1 slots: core 0
 * fills one while no core can still read it (they all passed the barrier
 * of the step in between). */
static struct nn_tiling slots[2] __attribute__((section(".l1bss"), aligned(8)));

/* Core 0's prefetch of the next descriptor (NO_DMA when none), in L1: it
 * is read and written once a step (in L2, 32 cycles of latency a step). */
static uint32_t prefetch __attribute__((section(".l1bss")));

/* The descriptor's bytes: its operand count bounds the copy. */
static uint32_t copy_descriptor(struct nn_tiling *dst, const struct nn_tiling *src, uint32_t bytes)
{
    return checked(rt_dma_copy(dst, src, bytes));
}

void nn_step(const struct nn_tiling *t, uint32_t index, const struct nn_tiling *next, uint32_t next_bytes)
{
    struct nn_tiling *cur = &slots[index & 1];
    if (rt_core_id() == 0) {
        if (index == 0 || prefetch == NO_DMA) {
            /* the operand count, read from L2 once */
            uint32_t n = t->n_operands & NN_OPERAND_COUNT_MASK;
            rt_dma_wait(copy_descriptor(cur, t, NN_TILING_BYTES(n <= NN_MAX_OPERANDS ? n : NN_MAX_OPERANDS)));
        } else {
            rt_dma_wait(prefetch);
        }
        uint32_t word = cur->n_operands;
        staging = word & (NN_STAGES_WHOLE | NN_STAGES_IN | NN_STAGES_OUT);
        cur->n_operands = word & NN_OPERAND_COUNT_MASK; /* the count alone (nn.h) */
        prologue(cur);
        /* Every core is past the previous step, so its slot is free. */
        prefetch = next ? copy_descriptor(&slots[(index + 1) & 1], next, next_bytes) : NO_DMA;
    }
    rt_barrier();
    run_tiles(cur);
}

void nn_step_copies(const struct nn_copy *c, uint32_t n)
{
    if (rt_core_id() == 0)
        nn_run_copies(c, n);
}

void nn_run_network(void (*body)(void *))
{
    set_team();
    rt_fork(0, body, 0);
}

void nn_run_copies(const struct nn_copy *c, uint32_t n)
{
    uint32_t id = NO_DMA;
    for (uint32_t i = 0; i < n; i++)
        if (c[i].len && c[i].rows)
            id = checked(rt_dma_copy_2d(c[i].dst, c[i].src, c[i].len, c[i].rows, c[i].dst_stride,
                                        c[i].src_stride));
    wait(id);
}
