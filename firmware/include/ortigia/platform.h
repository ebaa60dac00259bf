/*
 * Memory map of the Ortigia platform as firmware sees it (PULP-like): the
 * simulator's own map (models/common/platform_map.h), so both always agree.
 * Sizes are configurable (l1.size, l2.size, wmem.size); bases are not.
 */
#ifndef ORTIGIA_PLATFORM_H
#define ORTIGIA_PLATFORM_H

/* The bases (shared with the simulator) and each block's register offsets. */
#include "../../../models/common/platform_map.h"
#include "../../../models/soc/soc_ctrl_regs.h"

/* Register addresses = a block's base + the register's offset. */
#define ORT_SOC_REG(reg) (ORT_SOC_PERIPH_BASE + ORT_SOC_REG_##reg)

#ifndef __ASSEMBLER__
#include <stdint.h>
#define ORT_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#endif

#endif
