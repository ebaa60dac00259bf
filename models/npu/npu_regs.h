/*
 * N-EUREKA NPU register window: offsets from ORT_NPU_BASE (platform_map.h),
 * CONF0 bit fields and the values firmware reads back. Offsets only; shared
 * by the engine (npu.c) and the firmware driver. Meaning of each register,
 * the arithmetic and the timing: npu.h.
 *
 * The layout is the Siracusa software stack's (pulp-nnx `neureka/`, GVSoC
 * `pulp/neureka`): HWPE control registers at 0x00..0x14, 24 job registers
 * at 0x20..0x7C (written to the context being programmed), plus two
 * Ortigia extensions (ERROR, ERROR_JOB) outside the HWPE range.
 */
#ifndef ORTIGIA_NPU_REGS_H
#define ORTIGIA_NPU_REGS_H

/* HWPE control registers. */
#define ORT_NPU_REG_TRIGGER 0x00u     /* w: commit the job (0: and run it) */
#define ORT_NPU_REG_ACQUIRE 0x04u     /* r: job id of a free context */
#define ORT_NPU_REG_FINISHED 0x08u    /* r: jobs finished (saturates at 2), cleared by a read */
#define ORT_NPU_REG_STATUS 0x0Cu      /* r: byte i = 1 while context i holds a job */
#define ORT_NPU_REG_RUNNING_JOB 0x10u /* r: id of the running job, or of the last one */
#define ORT_NPU_REG_SOFT_CLEAR 0x14u  /* w: abort and free everything (0: and clear registers) */

/* Job registers: ORT_NPU_REG_JOB(i), i = 0..ORT_NPU_JOB_REGS-1. */
#define ORT_NPU_JOB_REGS 24u
#define ORT_NPU_REG_JOB(i) (0x20u + 4u * (i))
#define ORT_NPU_REG_WEIGHTS_PTR ORT_NPU_REG_JOB(0)
#define ORT_NPU_REG_INFEAT_PTR ORT_NPU_REG_JOB(1)
#define ORT_NPU_REG_OUTFEAT_PTR ORT_NPU_REG_JOB(2)
#define ORT_NPU_REG_SCALE_PTR ORT_NPU_REG_JOB(3)
#define ORT_NPU_REG_SCALE_SHIFT_PTR ORT_NPU_REG_JOB(4)
#define ORT_NPU_REG_SCALE_BIAS_PTR ORT_NPU_REG_JOB(5)
#define ORT_NPU_REG_INFEAT_D0_STRIDE ORT_NPU_REG_JOB(6)
#define ORT_NPU_REG_INFEAT_D1_STRIDE ORT_NPU_REG_JOB(7)
#define ORT_NPU_REG_INFEAT_D2_STRIDE ORT_NPU_REG_JOB(8)
#define ORT_NPU_REG_OUTFEAT_D0_STRIDE ORT_NPU_REG_JOB(9)
#define ORT_NPU_REG_OUTFEAT_D1_STRIDE ORT_NPU_REG_JOB(10)
#define ORT_NPU_REG_OUTFEAT_D2_STRIDE ORT_NPU_REG_JOB(11)
#define ORT_NPU_REG_WEIGHTS_D0_STRIDE ORT_NPU_REG_JOB(12)
#define ORT_NPU_REG_WEIGHTS_D1_STRIDE ORT_NPU_REG_JOB(13)
#define ORT_NPU_REG_WEIGHTS_D2_STRIDE ORT_NPU_REG_JOB(14)
#define ORT_NPU_REG_SUBTILE_REMAINDER_0 ORT_NPU_REG_JOB(15) /* [31:16] Ko, [15:0] Ki */
#define ORT_NPU_REG_SUBTILE_REMAINDER_1 ORT_NPU_REG_JOB(16) /* [31:16] Ho, [15:0] Wo */
#define ORT_NPU_REG_SUBTILE_REMAINDER_2 ORT_NPU_REG_JOB(17) /* [31:16] Hi, [15:0] Wi */
#define ORT_NPU_REG_SUBTILE_NUMBER_0 ORT_NPU_REG_JOB(18)    /* [31:16] nKo, [15:0] nKi */
#define ORT_NPU_REG_SUBTILE_NUMBER_1 ORT_NPU_REG_JOB(19)    /* [31:16] nHo, [15:0] nWo */
#define ORT_NPU_REG_PADDING ORT_NPU_REG_JOB(20)
#define ORT_NPU_REG_WEIGHT_OFFSET_FACTOR ORT_NPU_REG_JOB(21)
#define ORT_NPU_REG_FILTER_MASKING ORT_NPU_REG_JOB(22)
#define ORT_NPU_REG_CONF0 ORT_NPU_REG_JOB(23)

/* A context's job registers read explicitly (HWPE: address bits [9:8] =
   01 context 0, 10 context 1); c = 0 or 1. Read only. */
#define ORT_NPU_REG_CTX_JOB(c, i) (((c) + 1u) * 0x100u + ORT_NPU_REG_JOB(i))

/* Ortigia extensions (no HWPE register here). */
#define ORT_NPU_REG_ERROR 0x90u     /* r: last refused job's ORT_NPU_ERR_*; a read clears it */
#define ORT_NPU_REG_ERROR_JOB 0x94u /* r: id of that job (0xFFFFFFFF: no job, e.g. no acquire) */

/* Packing of the two-field registers. */
#define ORT_NPU_PACK(hi, lo) ((((uint32_t)(hi) & 0xFFFFu) << 16) | ((uint32_t)(lo) & 0xFFFFu))
#define ORT_NPU_PADDING(top, right, bottom, left, value)                                       \
    ((((uint32_t)(top) & 0xFu) << 28) | (((uint32_t)(right) & 0xFu) << 24) |                   \
     (((uint32_t)(bottom) & 0xFu) << 20) | (((uint32_t)(left) & 0xFu) << 16) |                 \
     ((uint32_t)(value) & 0xFFFFu))

/* CONF0 (job register 23) bit fields, Siracusa software-stack meaning. */
#define ORT_NPU_CONF0_WEIGHT_BITS(qw) ((uint32_t)((qw) - 1) & 7u) /* [2:0] qw - 1 */
#define ORT_NPU_CONF0_MODE16 (1u << 3)          /* 16-bit input: not modelled (refused) */
#define ORT_NPU_CONF0_NORM_QUANT (1u << 4)      /* scale/bias/shift/clip before streamout */
#define ORT_NPU_CONF0_FILTER_3X3 (0u << 5)      /* [6:5] filter mode */
#define ORT_NPU_CONF0_FILTER_DW (1u << 5)
#define ORT_NPU_CONF0_FILTER_1X1 (2u << 5)
#define ORT_NPU_CONF0_FILTER_MASK (3u << 5)
#define ORT_NPU_CONF0_LINEAR (1u << 7)          /* not modelled (refused) */
#define ORT_NPU_CONF0_STRIDED (1u << 8)         /* not modelled (refused) */
#define ORT_NPU_CONF0_WMEM (1u << 9)            /* weights from the weight memory port */
#define ORT_NPU_CONF0_PREFETCH (1u << 10)       /* overlap loads with the weight port (npu.h) */
#define ORT_NPU_CONF0_NORM_8 (0u << 12)         /* [13:12] scale bits */
#define ORT_NPU_CONF0_NORM_16 (1u << 12)
#define ORT_NPU_CONF0_NORM_32 (2u << 12)
#define ORT_NPU_CONF0_NORM_MASK (3u << 12)
#define ORT_NPU_CONF0_STREAMIN (1u << 14)       /* accumulators start from the output */
#define ORT_NPU_CONF0_WEIGHT_OFFSET_LAYER (1u << 15) /* NNX sets it; no effect */
#define ORT_NPU_CONF0_SHIFT(sh) (((uint32_t)(sh) & 31u) << 16) /* [20:16] global shift */
#define ORT_NPU_CONF0_OUT_8 (0u << 21)          /* [22:21] output bits */
#define ORT_NPU_CONF0_OUT_32 (2u << 21)
#define ORT_NPU_CONF0_OUT_MASK (3u << 21)
#define ORT_NPU_CONF0_NO_RELU (1u << 23)        /* 0: ReLU (unsigned clip), 1: keep the sign */
#define ORT_NPU_CONF0_PER_CHANNEL_SHIFT (1u << 24) /* shifts from SCALE_SHIFT_PTR */
#define ORT_NPU_CONF0_BIAS (1u << 25)           /* add the int32 bias from SCALE_BIAS_PTR */
#define ORT_NPU_CONF0_SIGNED_IN (1u << 26)      /* int8 activations (else uint8) */

/* ACQUIRE never returns a failure code in this model: it sleeps instead
   (npu.h). Ids are 0..255. */
#define ORT_NPU_JOB_ID_MASK 0xFFu

/* STATUS bits. */
#define ORT_NPU_STATUS_CTX0 0x001u
#define ORT_NPU_STATUS_CTX1 0x100u

/* ERROR's values. */
#define ORT_NPU_ERR_NONE 0u
#define ORT_NPU_ERR_NO_ACQUIRE 1u /* TRIGGER by a core that holds no acquired context */
#define ORT_NPU_ERR_CONF 2u       /* a CONF0 setting the model does not run */
#define ORT_NPU_ERR_SIZE 3u       /* subtile numbers/remainders/padding the array cannot run */
#define ORT_NPU_ERR_INFEAT 4u     /* input outside the L1 */
#define ORT_NPU_ERR_OUTFEAT 5u    /* output (or streamin) outside the L1 */
#define ORT_NPU_ERR_WEIGHTS 6u    /* weights outside the L1 / weight memory */
#define ORT_NPU_ERR_NORM 7u       /* scale, bias or shift outside the L1 */

#endif
