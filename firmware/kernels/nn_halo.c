/* A convolution's input rows with their halo (ortigia/nn.h: NN_HALO),
 * staged one tile ahead by the convolution's kernel. Not in nn_tiled.c:
 * a check per operand and tile there costs every other step (microLlama64
 * took 2.5k cycles more). */
#include "ortigia/nn.h"

#include "ortigia/cluster.h"
#include "ortigia/dma.h"

#include <stdio.h>
#include <stdlib.h>

#define NO_DMA 0xFFFFFFFFu

/* The rows of the tile at u0 (n units) into buf; the transfer, or NO_DMA. */
static uint32_t fetch(const struct nn_halo *hl, uint32_t u0, uint32_t n, int buf)
{
    uint32_t first, count;
    nn_halo_rows(hl->packed, hl->h, u0, n, &first, &count);
    if (!count)
        return NO_DMA;
    uint32_t id = rt_dma_copy_2d(hl->l1[buf], hl->src + first * hl->row_bytes, count * hl->row_bytes, hl->planes,
                                 (int32_t)(hl->cap * hl->row_bytes), (int32_t)(hl->h * hl->row_bytes));
    if (id == RT_DMA_FAILED) {
        printf("nn: the DMA refused a transfer: error %u at 0x%08x\n", (unsigned)rt_dma_error(),
               (unsigned)rt_dma_error_addr());
        exit(NN_EXIT_DMA_ERROR);
    }
    return id;
}

const uint8_t *nn_halo_begin(const struct nn_halo *hl, uint32_t u0, uint32_t n, uint32_t *pending)
{
    int buf = (int)((u0 / hl->tile_units) & 1);
    bool core0 = rt_core_id() == 0;
    *pending = NO_DMA;
    if (u0 == 0) {
        if (core0) {
            uint32_t id = fetch(hl, 0, n, 0);
            if (id != NO_DMA)
                rt_dma_wait(id);
        }
        rt_barrier();
    }
    /* The other buffer was last read by the tile before this one, which
     * every core has finished (the barrier after each tile). */
    uint32_t next = u0 + n;
    if (core0 && next < hl->units)
        *pending = fetch(hl, next, hl->units - next < hl->tile_units ? hl->units - next : hl->tile_units, buf ^ 1);
    return hl->l1[buf];
}

void nn_halo_end(uint32_t pending)
{
    if (pending != NO_DMA)
        rt_dma_wait(pending);
}
