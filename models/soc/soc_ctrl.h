/*
 * SoC control block at 0x1A100000: the uart (stdout of the firmware) and
 * the sim-control device (end the run with an exit code, read the time).
 *
 *   uart      +0x000 TX      write: send the low byte
 *             +0x004 STATUS  read: bit 0 = ready (always)
 *   simctrl   +0x1000 EXIT   write: end the run; the value is the exit code
 *             +0x1004 CYCLE_LO / +0x1008 CYCLE_HI  read: platform time in cycles
 *             +0x100C REGION_LABEL  write: address of a NUL-terminated label for
 *                                   the next REGION_BEGIN (optional)
 *             +0x1010 REGION_BEGIN  write: a region with this id starts now
 *             +0x1014 REGION_END    write: the region with this id ends now
 * Regions (one per token, per layer ...) nest; the platform measures the
 * time and energy of each through the `region` hook.
 *
 * Offsets are relative to the block's base. Accesses must be 32-bit words
 * (byte writes to TX are accepted too).
 */
#ifndef ORTIGIA_SOC_CTRL_H
#define ORTIGIA_SOC_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "soc_ctrl_regs.h"

#ifdef __cplusplus
extern "C" {
#endif


/* Told about every region marker: begin or end, the id, the label address
   given before a begin (0: none), the platform time in cycles. */
typedef void (*ort_soc_region_fn)(void *ctx, bool begin, uint32_t id, uint32_t label_addr,
                                  uint64_t now);

enum ort_soc_status { ORT_SOC_OK, ORT_SOC_ERROR, ORT_SOC_EXIT };

struct ort_soc_ctrl {
    FILE *uart_out;      /* where the firmware's characters go */
    uint64_t uart_bytes; /* characters sent */
    bool exit_requested;
    int32_t exit_code;
    uint64_t exit_cycle;
    ort_soc_region_fn region; /* may be NULL: markers are then ignored */
    void *region_ctx;
    uint32_t pending_label;
    uint64_t region_markers;
};

void ort_soc_ctrl_init(struct ort_soc_ctrl *s, FILE *uart_out);

/*
 * One access at `offset` (size 1, 2 or 4). `now` is the platform time in
 * cycles. ORT_SOC_EXIT: the write to EXIT was done; the run must end.
 */
enum ort_soc_status ort_soc_ctrl_access(struct ort_soc_ctrl *s, uint32_t offset, unsigned size,
                                        bool is_write, uint32_t *data, uint64_t now);

#ifdef __cplusplus
}
#endif

#endif
