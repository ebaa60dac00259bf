/*
 * Event unit register window: offsets from ORT_EU_BASE (platform_map.h)
 * and the event bits. Offsets only; shared by the engine (event_unit.c)
 * and the firmware (firmware/include/ortigia/cluster.h). Meaning of each
 * register: event_unit.h.
 */
#ifndef ORTIGIA_EVENT_UNIT_REGS_H
#define ORTIGIA_EVENT_UNIT_REGS_H

#define ORT_EU_REG_EVT_MASK 0x00u
#define ORT_EU_REG_EVT_PENDING 0x04u
#define ORT_EU_REG_EVT_CLEAR 0x08u
#define ORT_EU_REG_EVT_WAIT 0x0Cu
#define ORT_EU_REG_SW_EVENT 0x10u
#define ORT_EU_REG_CORE_COUNT 0x14u
#define ORT_EU_REG_BAR_MASK 0x20u
#define ORT_EU_REG_BAR_WAIT 0x24u
#define ORT_EU_REG_MUTEX_TAS 0x30u
#define ORT_EU_REG_MUTEX_LOCK 0x34u

/* Event bits: 0..7 software, 8 DMA, 12 NPU (the Siracusa line its driver
   waits on); the others are free. */
#define ORT_EU_EVENT_SW(n) (1u << (n))
#define ORT_EU_EVENT_DMA (1u << 8)
#define ORT_EU_EVENT_NPU (1u << 12) /* Siracusa: NPU completion on line 12 */

#endif
