/*
 * The cluster DMA (models/dma/dma.h): copies 1-D and 2-D blocks between
 * L2, the weight memory and L1 while the cores compute. Each core programs
 * its own staging registers, so cores need no lock to start transfers.
 *
 *   uint32_t id = rt_dma_copy(l1_buf, l2_src, 4096);   // start
 *   ... compute on the other buffer ...
 *   rt_dma_wait(id);                                   // sleeps until done
 *
 * A bad descriptor (zero size, outside memory, overflow, overlap) is not
 * started: the copy returns RT_DMA_FAILED and rt_dma_error() says why.
 */
#ifndef ORTIGIA_DMA_H
#define ORTIGIA_DMA_H

#include <stdint.h>

#include "ortigia/platform.h"

/* DMA register addresses (offsets: models/dma/dma_regs.h). */
#include "../../../models/dma/dma_regs.h"
#define ORT_DMA_REG(reg) (ORT_DMA_BASE + ORT_DMA_REG_##reg)

#define RT_DMA_FAILED ORT_DMA_PUSH_FAILED

/* Errors (rt_dma_error). */
enum rt_dma_error {
    RT_DMA_OK = ORT_DMA_ERR_NONE,
    RT_DMA_ERR_ZERO_SIZE = ORT_DMA_ERR_ZERO_SIZE,
    RT_DMA_ERR_SRC = ORT_DMA_ERR_SRC,           /* a source row outside memory */
    RT_DMA_ERR_DST = ORT_DMA_ERR_DST,           /* a destination row outside memory */
    RT_DMA_ERR_OVERFLOW = ORT_DMA_ERR_OVERFLOW, /* len * rows does not fit in 32 bits */
    RT_DMA_ERR_OVERLAP = ORT_DMA_ERR_OVERLAP,   /* source and destination overlap */
};

/* Start a 2-D copy: `rows` rows of `len` bytes, row r from
   src + r * src_stride to dst + r * dst_stride. Returns the transfer id
   (or RT_DMA_FAILED). Sleeps while the DMA's queue is full. */
static inline uint32_t rt_dma_copy_2d(void *dst, const void *src, uint32_t len, uint32_t rows,
                                      int32_t dst_stride, int32_t src_stride)
{
    ORT_REG32(ORT_DMA_REG(SRC)) = (uint32_t)(uintptr_t)src;
    ORT_REG32(ORT_DMA_REG(DST)) = (uint32_t)(uintptr_t)dst;
    ORT_REG32(ORT_DMA_REG(LEN)) = len;
    ORT_REG32(ORT_DMA_REG(SRC_STRIDE)) = (uint32_t)src_stride;
    ORT_REG32(ORT_DMA_REG(DST_STRIDE)) = (uint32_t)dst_stride;
    ORT_REG32(ORT_DMA_REG(ROWS)) = rows;
    return ORT_REG32(ORT_DMA_REG(PUSH));
}

/* Start a 1-D copy of `len` bytes. */
static inline uint32_t rt_dma_copy(void *dst, const void *src, uint32_t len)
{
    return rt_dma_copy_2d(dst, src, len, 1, 0, 0);
}

/* Sleep until transfer `id` has completed (returns at once if it has). */
static inline void rt_dma_wait(uint32_t id) { ORT_REG32(ORT_DMA_REG(WAIT)) = id; }

/* Is transfer `id` still in flight? */
static inline int rt_dma_busy(uint32_t id)
{
    return (int)((ORT_REG32(ORT_DMA_REG(STATUS)) >> (id & 31)) & 1u);
}

/* This core's last DMA error (enum rt_dma_error), cleared by the read,
   and the address it concerns (errors 2 and 3). */
static inline uint32_t rt_dma_error(void) { return ORT_REG32(ORT_DMA_REG(ERROR)); }
static inline uint32_t rt_dma_error_addr(void) { return ORT_REG32(ORT_DMA_REG(ERROR_ADDR)); }

/* Transfers completed since reset (all cores). */
static inline uint32_t rt_dma_done_count(void) { return ORT_REG32(ORT_DMA_REG(DONE_COUNT)); }

#endif
