/*
 * Power controller registers: offsets from ORT_PMU_BASE (platform_map.h).
 * Offsets and bits only; shared by the engine (pmu.c) and the firmware
 * (firmware/include/ortigia/pmu.h). Meaning of each register: pmu.h.
 */
#ifndef ORTIGIA_PMU_REGS_H
#define ORTIGIA_PMU_REGS_H

#define ORT_PMU_REG_NPU 0x000u    /* write 1: power on, 0: power off; read: 1 when on */
#define ORT_PMU_REG_WMEM 0x004u   /* the same for the weight memory */
#define ORT_PMU_REG_STATUS 0x008u /* read: bit 0 NPU on, bit 1 weight memory on */
#define ORT_PMU_REG_CLUSTER_SLEEP 0x00Cu  /* write N > 0: the cluster off for N cycles */
#define ORT_PMU_REG_CLUSTER_IDLE 0x010u   /* write N > 0: the cluster idle, clock-gated, N cycles */
#define ORT_PMU_REG_CLUSTER_WAKEUP 0x014u /* read: the cluster's wake-up latency in cycles */

#define ORT_PMU_STATUS_NPU (1u << 0)
#define ORT_PMU_STATUS_WMEM (1u << 1)

#endif
