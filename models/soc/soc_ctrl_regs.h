/*
 * SoC control block (uart and sim control): offsets from
 * ORT_SOC_PERIPH_BASE (platform_map.h). Offsets only; shared by the engine
 * (soc_ctrl.c) and the firmware (firmware/include/ortigia/platform.h).
 * Meaning of each register: soc_ctrl.h.
 */
#ifndef ORTIGIA_SOC_CTRL_REGS_H
#define ORTIGIA_SOC_CTRL_REGS_H

#define ORT_SOC_REG_UART_TX 0x000u
#define ORT_SOC_REG_UART_STATUS 0x004u
#define ORT_SOC_REG_SIM_EXIT 0x1000u
#define ORT_SOC_REG_SIM_CYCLE_LO 0x1004u
#define ORT_SOC_REG_SIM_CYCLE_HI 0x1008u
#define ORT_SOC_REG_SIM_REGION_LABEL 0x100Cu
#define ORT_SOC_REG_SIM_REGION_BEGIN 0x1010u
#define ORT_SOC_REG_SIM_REGION_END 0x1014u

#endif
