/*
 * Cluster DMA register window: offsets from ORT_DMA_BASE (platform_map.h)
 * and the values firmware reads back. Offsets only; shared by the engine
 * (dma.c) and the firmware (firmware/include/ortigia/dma.h). Meaning of
 * each register: dma.h.
 */
#ifndef ORTIGIA_DMA_REGS_H
#define ORTIGIA_DMA_REGS_H

#define ORT_DMA_REG_SRC 0x00u
#define ORT_DMA_REG_DST 0x04u
#define ORT_DMA_REG_LEN 0x08u
#define ORT_DMA_REG_SRC_STRIDE 0x0Cu
#define ORT_DMA_REG_DST_STRIDE 0x10u
#define ORT_DMA_REG_ROWS 0x14u
#define ORT_DMA_REG_PUSH 0x18u
#define ORT_DMA_REG_STATUS 0x1Cu
#define ORT_DMA_REG_WAIT 0x20u
#define ORT_DMA_REG_ERROR 0x24u
#define ORT_DMA_REG_ERROR_ADDR 0x28u
#define ORT_DMA_REG_DONE_COUNT 0x2Cu

/* PUSH's value when the descriptor was refused. */
#define ORT_DMA_PUSH_FAILED 0xFFFFFFFFu

/* ERROR's values. */
#define ORT_DMA_ERR_NONE 0u
#define ORT_DMA_ERR_ZERO_SIZE 1u /* LEN or ROWS is 0 */
#define ORT_DMA_ERR_SRC 2u       /* a source row outside the attached memories */
#define ORT_DMA_ERR_DST 3u       /* a destination row outside them */
#define ORT_DMA_ERR_OVERFLOW 4u  /* LEN * ROWS does not fit in 32 bits */
#define ORT_DMA_ERR_OVERLAP 5u   /* source and destination overlap */

#endif
