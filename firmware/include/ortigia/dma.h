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

#define ORT_DMA_BASE (ORT_CLUSTER_PERIPH_BASE + 0x400u)
#define ORT_DMA_SRC (ORT_DMA_BASE + 0x00u)
#define ORT_DMA_DST (ORT_DMA_BASE + 0x04u)
#define ORT_DMA_LEN (ORT_DMA_BASE + 0x08u)
#define ORT_DMA_SRC_STRIDE (ORT_DMA_BASE + 0x0Cu)
#define ORT_DMA_DST_STRIDE (ORT_DMA_BASE + 0x10u)
#define ORT_DMA_ROWS (ORT_DMA_BASE + 0x14u)
#define ORT_DMA_PUSH (ORT_DMA_BASE + 0x18u)
#define ORT_DMA_STATUS (ORT_DMA_BASE + 0x1Cu)
#define ORT_DMA_WAIT (ORT_DMA_BASE + 0x20u)
#define ORT_DMA_ERROR (ORT_DMA_BASE + 0x24u)
#define ORT_DMA_ERROR_ADDR (ORT_DMA_BASE + 0x28u)
#define ORT_DMA_DONE_COUNT (ORT_DMA_BASE + 0x2Cu)

#define RT_DMA_FAILED 0xFFFFFFFFu

/* Errors (rt_dma_error). */
enum rt_dma_error {
    RT_DMA_OK = 0,
    RT_DMA_ERR_ZERO_SIZE = 1,
    RT_DMA_ERR_SRC = 2,      /* a source row outside memory */
    RT_DMA_ERR_DST = 3,      /* a destination row outside memory */
    RT_DMA_ERR_OVERFLOW = 4, /* len * rows does not fit in 32 bits */
    RT_DMA_ERR_OVERLAP = 5,  /* source and destination overlap */
};

/* Start a 2-D copy: `rows` rows of `len` bytes, row r from
   src + r * src_stride to dst + r * dst_stride. Returns the transfer id
   (or RT_DMA_FAILED). Sleeps while the DMA's queue is full. */
static inline uint32_t rt_dma_copy_2d(void *dst, const void *src, uint32_t len, uint32_t rows,
                                      int32_t dst_stride, int32_t src_stride)
{
    ORT_REG32(ORT_DMA_SRC) = (uint32_t)(uintptr_t)src;
    ORT_REG32(ORT_DMA_DST) = (uint32_t)(uintptr_t)dst;
    ORT_REG32(ORT_DMA_LEN) = len;
    ORT_REG32(ORT_DMA_SRC_STRIDE) = (uint32_t)src_stride;
    ORT_REG32(ORT_DMA_DST_STRIDE) = (uint32_t)dst_stride;
    ORT_REG32(ORT_DMA_ROWS) = rows;
    return ORT_REG32(ORT_DMA_PUSH);
}

/* Start a 1-D copy of `len` bytes. */
static inline uint32_t rt_dma_copy(void *dst, const void *src, uint32_t len)
{
    return rt_dma_copy_2d(dst, src, len, 1, 0, 0);
}

/* Sleep until transfer `id` has completed (returns at once if it has). */
static inline void rt_dma_wait(uint32_t id) { ORT_REG32(ORT_DMA_WAIT) = id; }

/* Is transfer `id` still in flight? */
static inline int rt_dma_busy(uint32_t id)
{
    return (int)((ORT_REG32(ORT_DMA_STATUS) >> (id & 31)) & 1u);
}

/* This core's last DMA error (enum rt_dma_error), cleared by the read,
   and the address it concerns (errors 2 and 3). */
static inline uint32_t rt_dma_error(void) { return ORT_REG32(ORT_DMA_ERROR); }
static inline uint32_t rt_dma_error_addr(void) { return ORT_REG32(ORT_DMA_ERROR_ADDR); }

/* Transfers completed since reset (all cores). */
static inline uint32_t rt_dma_done_count(void) { return ORT_REG32(ORT_DMA_DONE_COUNT); }

#endif
