/*
 * Instruction trace: one text line per retired instruction, written through
 * zlib (read it with zcat):
 *
 *   <cycle> <core> <pc> <raw> <mnemonic operands> [<reg>=<value>]
 *   1234 0 1c000010 00a00513 addi a0,zero,10 a0=0000000a
 *
 * cycle is the cycle at which the instruction started; raw is 4 hex digits
 * for a compressed instruction (shown by its 32-bit equivalent's mnemonic).
 */
#ifndef ORTIGIA_ITRACE_H
#define ORTIGIA_ITRACE_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_itrace;

/* Open a gzip trace file; NULL with a message on error. */
struct ort_itrace *ort_itrace_open(const char *path, char *err, size_t errlen);

/* An rv_trace_fn: pass the ort_itrace as ctx. */
void ort_itrace_record(void *ctx, const struct rv_core *core, uint64_t start_cycle, uint32_t pc,
                       const struct rv_insn *insn);

/* Flush and close; 0 if every line was written. */
int ort_itrace_close(struct ort_itrace *t);

uint64_t ort_itrace_lines(const struct ort_itrace *t);

#ifdef __cplusplus
}
#endif

#endif
