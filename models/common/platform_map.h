/*
 * The platform's memory map: where each memory and device window starts.
 * One file for the simulator (models/, sim/) and the firmware (firmware/
 * include/ortigia/platform.h adds register offsets from each block's
 * <block>_regs.h to these bases). Bases are fixed; sizes of the memories
 * are configuration keys (l1.size, l2.size, wmem.size), so only the
 * defaults are here. Plain #defines: usable from C, C++ and assembler.
 */
#ifndef ORTIGIA_PLATFORM_MAP_H
#define ORTIGIA_PLATFORM_MAP_H

#define ORT_L1_BASE 0x10000000u             /* cluster TCDM */
#define ORT_CLUSTER_PERIPH_BASE 0x10200000u /* cluster devices, up to the weight memory */
#define ORT_CLUSTER_PERIPH_WINDOW 0x00200000u
#define ORT_EU_BASE (ORT_CLUSTER_PERIPH_BASE + 0x000u)  /* event unit */
#define ORT_EU_WINDOW 0x400u
#define ORT_DMA_BASE (ORT_CLUSTER_PERIPH_BASE + 0x400u) /* cluster DMA */
#define ORT_DMA_WINDOW 0x400u
#define ORT_NPU_BASE (ORT_CLUSTER_PERIPH_BASE + 0x1000u) /* N-EUREKA NPU (Siracusa's) */
#define ORT_NPU_WINDOW 0x400u
#define ORT_WMEM_BASE 0x10400000u           /* weight memory */
#define ORT_SOC_PERIPH_BASE 0x1A100000u     /* SoC control: uart, sim control */
#define ORT_SOC_PERIPH_WINDOW 0x2000u
#define ORT_PMU_BASE 0x1A102000u            /* power controller (NPU, weight memory) */
#define ORT_PMU_WINDOW 0x1000u
#define ORT_L2_BASE 0x1C000000u             /* L2 SRAM: code and data */

/* Default sizes (the configuration may change them). */
#define ORT_L1_DEFAULT_SIZE 0x00040000u   /* 256 KiB */
#define ORT_L2_DEFAULT_SIZE 0x00200000u   /* 2 MiB */
#define ORT_WMEM_DEFAULT_SIZE 0x00400000u /* 4 MiB */

#endif
