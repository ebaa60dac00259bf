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
#include "xpulp.h"

/* The exit status of a network whose NPU job was refused. */
#define NN_EXIT_NPU_ERROR 101

#define NN_NPU_SET(i, v) (ORT_REG32(ORT_NPU_BASE + ORT_NPU_REG_JOB(i)) = (uint32_t)(v))

static inline void nn_npu_begin(void) { (void)rt_npu_acquire(); }
static inline void nn_npu_go(void) { rt_npu_trigger(); }

/* Core 0: sleeps until every job completed; a refused job stops the
 * program (the simulator's message names its registers). */
void nn_npu_finish(void);

/* A 4x4 block of bytes transposed: r0..r3 are four channels' bytes of
 * four pixels (channel i in ri, pixel j in byte j); d[j * stride] becomes
 * pixel j's bytes of the four channels. Two pv.shuffle2.b interleave each
 * pair of channels, then the halves are paired. */
static inline void nn_npu_t4x4(uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3, uint32_t *d,
                               uint32_t stride)
{
    uint32_t t0 = xp_shuffle2_b(r1, r0, 0x01050004u); /* r0.b0 r1.b0 r0.b1 r1.b1 */
    uint32_t t1 = xp_shuffle2_b(r1, r0, 0x03070206u); /* r0.b2 r1.b2 r0.b3 r1.b3 */
    uint32_t t2 = xp_shuffle2_b(r3, r2, 0x01050004u);
    uint32_t t3 = xp_shuffle2_b(r3, r2, 0x03070206u);
    d[0] = xp_pack_h(t2, t0);
    d[stride] = (t0 >> 16) | (t2 & 0xFFFF0000u);
    d[2 * stride] = xp_pack_h(t3, t1);
    d[3 * stride] = (t1 >> 16) | (t3 & 0xFFFF0000u);
}

/* Every core, its share of the bytes: dst[0..count) = src[0..count). */
void nn_copy_share(uint8_t *dst, const uint8_t *src, uint32_t count);

/* Every core, its share of y[0..count): y[i] = tab[y[i]], a table of 256
 * bytes in L1 indexed by the byte as it is (the compiler orders it so). */
void nn_npu_tail(uint8_t *y, uint32_t count, const uint8_t *tab);

/* The same into int32: y[i] = tab[x[i]] for i in [0, count), x the NPU's
 * bytes, tab 256 entries in L1 (a product whose epilogue ends in int32,
 * such as a residual branch's scaled term). */
void nn_npu_tail_i32(int32_t *y, const uint8_t *x, uint32_t count, const int32_t *tab);

#endif
