/*
 * Runtime of a compiled network's NPU steps (compiler/engine_npu.c). A
 * step is a descriptor like any other (nn.h): nn_step stages its rows in
 * L1 and calls its kernel on every core. In the kernel core 0 programs
 * the tile's 1x1 jobs (at most two: both job contexts, so the second is
 * programmed while the first runs) with the registers the compiler
 * computed, pointer registers offset from the tile's buffers, then sleeps
 * until the NPU is idle; the other cores return at once and wait at the
 * step's barrier. When the step's epilogue continues past what the NPU
 * computes, every core then maps the tile's outputs through a table.
 *
 *   nn_npu_begin();                  // acquire a job context
 *   NN_NPU_SET(i, value);            // job register i (0..23)
 *   nn_npu_go();                     // commit and trigger
 *   nn_npu_finish();                 // sleep until idle; stop on an error
 */
#ifndef ORTIGIA_NN_NPU_H
#define ORTIGIA_NN_NPU_H

#include <stdint.h>

#include "ortigia/npu.h"

/* The exit status of a network whose NPU job was refused. */
#define NN_EXIT_NPU_ERROR 101

#define NN_NPU_SET(i, v) (ORT_REG32(ORT_NPU_BASE + ORT_NPU_REG_JOB(i)) = (uint32_t)(v))

static inline void nn_npu_begin(void) { (void)rt_npu_acquire(); }
static inline void nn_npu_go(void) { rt_npu_trigger(); }

/* Core 0: sleeps until every job completed; a refused job stops the
 * program (the simulator's message names its registers). */
void nn_npu_finish(void);

/* Every core, its share of the bytes: dst[0..count) = src[0..count). */
void nn_copy_share(uint8_t *dst, const uint8_t *src, uint32_t count);

/* Every core, its share of y[0..count): y[i] = tab[y[i]], a table of 256
 * bytes in L1 indexed by the byte as it is (the compiler orders it so). */
void nn_npu_tail(uint8_t *y, uint32_t count, const uint8_t *tab);

#endif
