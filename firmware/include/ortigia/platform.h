/*
 * Memory map of the Ortigia platform as firmware sees it (PULP-like).
 * The simulator's default configuration (sim/configs/siracusa.json) uses
 * the same addresses; sizes there are configurable, bases are not.
 */
#ifndef ORTIGIA_PLATFORM_H
#define ORTIGIA_PLATFORM_H

#define ORT_L1_BASE 0x10000000u          /* cluster TCDM (later issues) */
#define ORT_CLUSTER_PERIPH_BASE 0x10200000u
#define ORT_WEIGHT_MEM_BASE 0x10400000u
#define ORT_L2_BASE 0x1C000000u          /* code and data */
#define ORT_L2_SIZE 0x00200000u          /* 2 MiB by default */

/* SoC peripherals. */
#define ORT_SOC_PERIPH_BASE 0x1A100000u
#define ORT_UART_BASE (ORT_SOC_PERIPH_BASE + 0x0000u)
#define ORT_UART_TX (ORT_UART_BASE + 0x0u)     /* write: send the low byte */
#define ORT_UART_STATUS (ORT_UART_BASE + 0x4u) /* read: bit 0 = ready to send */

#define ORT_SIMCTRL_BASE (ORT_SOC_PERIPH_BASE + 0x1000u)
#define ORT_SIMCTRL_EXIT (ORT_SIMCTRL_BASE + 0x0u)     /* write: end the run, value = exit code */
#define ORT_SIMCTRL_CYCLE_LO (ORT_SIMCTRL_BASE + 0x4u) /* read: platform time in cycles */
#define ORT_SIMCTRL_CYCLE_HI (ORT_SIMCTRL_BASE + 0x8u)
#define ORT_SIMCTRL_REGION_LABEL (ORT_SIMCTRL_BASE + 0xCu)  /* write: label address */
#define ORT_SIMCTRL_REGION_BEGIN (ORT_SIMCTRL_BASE + 0x10u) /* write: region id */
#define ORT_SIMCTRL_REGION_END (ORT_SIMCTRL_BASE + 0x14u)   /* write: region id */

#ifndef __ASSEMBLER__
#include <stdint.h>
#define ORT_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#endif

#endif
