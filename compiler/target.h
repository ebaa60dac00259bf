/*
 * The platform the compiler generates code for, in one place: its
 * memories, cores and DMA, the L1 the runtime keeps for stacks and its own
 * data, the engines in mapping order, and the cost model's coefficients.
 * The CLI builds it from the simulator's configuration (sim/nn_cmd.cpp);
 * the code generator plans memory and estimates cycles for it, and a
 * compiled network's link follows it (ort_target_link_flags), so the
 * program the simulator runs matches the platform it was compiled for.
 */
#ifndef ORTIGIA_COMPILER_TARGET_H
#define ORTIGIA_COMPILER_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "npu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_memory {
    const char *name;
    uint32_t base;
    int64_t size;  /* bytes */
    int latency;   /* extra cycles of a core's data access */
};

/* The cost model (compiler/engine_cluster.c): a step's cycles are the
 * larger of its DMA traffic and its compute, plus fixed costs. The rates
 * were measured on the generated kernels (within about 30 % of the
 * simulated cycles on microLlama64). */
struct ort_cost_model {
    double blocked_macs_per_cycle; /* per core: 8-bit products on the blocked pv.sdot kernels */
    double plain_macs_per_cycle;   /* per core: products in plain C */
    double product_link_cycles;    /* per output element and epilogue link of a product */
    double product_k4_link_cycles; /* the same on the blocked kernel for K = 4 (emit.c) */
    double row_op_cycles;          /* per output element of a softmax */
    double rmsnorm_cycles;         /* per output element of an RMSNorm */
    double rmsnorm_row_cycles;     /* per row a core touches: the square root and reciprocal */
    double rmsnorm_square_cycles;  /* per element of a row a core touches: its sum of squares */
    double transpose_cycles;       /* per element of a transpose */
    double softmax_q8_cycles;      /* per output element of a softmax on NN_DEFINE_SOFTMAX_ROW_Q8 */
    double elementwise_cycles;     /* per element of an elementwise step */
    double elementwise_link_cycles; /* per element and link of an elementwise step */
    int64_t step_cycles;           /* per step: descriptor, prologue, barriers */
    int64_t tile_cycles;           /* per tile */
    int64_t dma_copy_cycles;       /* per step done by the DMA alone (a Concat): programming, the wait */
    /* NPU steps (compiler/engine_npu.c): a job's own cycles are the NPU
     * model's (ort_npu_job_cycles); these are the cores' share. */
    int64_t npu_job_cycles;        /* core 0 per job: acquire, 24 registers, trigger, wake-up */
    double npu_tail_cycles;        /* per output element of an epilogue table the cores apply */
    double npu_layout_cycles;      /* per byte the cores move between NCHW and HWC (NPU convolutions) */
    double npu_gather_factor;      /* a gathered window byte against a moved one (NPU im2col) */
    int64_t npu_image_cycles;      /* per image of an NPU convolution's tile: two barriers */
};

#define ORT_TARGET_MAX_ENGINES 4

struct ort_target {
    struct ort_memory l1, l2, wmem;
    int cores;               /* cluster cores */
    int dma_bytes_per_cycle; /* cluster DMA bandwidth */
    /* What the runtime keeps in L1 (firmware/rt/sections.ld): a stack for
     * every core the cluster can have, at the top of L1, and its own data
     * (descriptor slots, team state). */
    int64_t l1_stack_bytes;  /* per core */
    int l1_stack_cores;
    int64_t l1_runtime_bytes;
    /* L2 beyond the network's data: code, constants of the runtime, and
     * core 0's stack. */
    int64_t l2_reserved_bytes;
    /* Engine names (compiler/engine.h), in the order the mapping tries them. */
    const char *engines[ORT_TARGET_MAX_ENGINES];
    int n_engines;
    struct ort_cost_model cost;
    /* The NPU's timing (npu.*), whose model the cost of NPU steps follows;
     * meaningful when the engines list "npu". */
    struct ort_npu_params npu;
};

/* The default platform: the simulator's default configuration. */
void ort_target_init(struct ort_target *t);

/* Whether a network can be compiled and linked for the target: L1 below
 * the cluster's peripherals, L1 and L2 sizes that keep the stacks at
 * their tops 16-byte aligned (the RISC-V ABI), and L1 left beside the
 * stacks. Else -1 with d saying which size and why. */
int ort_target_check(const struct ort_target *t, struct ort_diag *d);

/* L1 bytes left for the compiler beside the stacks and the runtime's data. */
int64_t ort_target_l1_usable(const struct ort_target *t);

/* The staging budget when none is given: 7/8 of the usable L1 (the rest
 * covers alignment and what the estimate of the runtime's data misses). */
int64_t ort_target_default_l1_budget(const struct ort_target *t);

/* Linker options (--defsym) that size the memory regions and the L1
 * stacks as the target says: the symbols firmware/rt/ortigia.ld and
 * sections.ld read, with their defaults when not given. */
void ort_target_link_flags(const struct ort_target *t, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
