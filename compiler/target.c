#include "target.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/platform.h"

void ort_target_init(struct ort_target *t)
{
    memset(t, 0, sizeof *t);
    t->l1 = (struct ort_memory){"L1", ORT_L1_BASE, ORT_L1_DEFAULT_SIZE, 0};
    t->l2 = (struct ort_memory){"L2", ORT_L2_BASE, ORT_L2_DEFAULT_SIZE, 15};
    t->wmem = (struct ort_memory){"weight memory", ORT_WMEM_BASE, ORT_WMEM_DEFAULT_SIZE, 15};
    t->cores = 8;
    t->dma_bytes_per_cycle = 8;
    t->l1_stack_bytes = 2048;
    t->l1_stack_cores = 16;
    t->l1_runtime_bytes = 4096;
    t->l2_reserved_bytes = 256 * 1024;
    /* The cluster first: it runs every operator, the NPU only products
     * with constant weights; between the two the cost model chooses. */
    t->engines[0] = "cluster";
    t->engines[1] = "npu";
    t->n_engines = 2;
    ort_npu_default_params(&t->npu, (unsigned)t->cores);
    t->cost = (struct ort_cost_model){
        .blocked_macs_per_cycle = 1.5,
        .plain_macs_per_cycle = 0.12,
        .product_link_cycles = 6.0,
        /* 2.9 measured on microLlama64_parallel's attention scores (one
           dot and a 4-link epilogue in ~17 cycles an output) */
        .product_k4_link_cycles = 2.9,
        .row_op_cycles = 47.0,
        /* RMSNorm: fitted on microLlama64's one-row and microLlama64_parallel's
           64-row steps (1566 and 27188 cycles) */
        .rmsnorm_cycles = 37.0,
        .rmsnorm_row_cycles = 714.0,
        .rmsnorm_square_cycles = 2.0,
        .transpose_cycles = 16.0,
        /* 19 measured on microLlama64_parallel's 64-element rows: ~11 per
           output, ~4 for the sum, ~1 for the maximum, the rest per row */
        .softmax_q8_cycles = 19.0,
        .elementwise_cycles = 4.0,
        .elementwise_link_cycles = 6.5,
        .step_cycles = 300,
        .tile_cycles = 150,
        .dma_copy_cycles = 80,
        .npu_job_cycles = 120,
        .npu_tail_cycles = 6.5,
        .npu_layout_cycles = 2.6,
        .npu_gather_factor = 2.5,
        .npu_image_cycles = 100,
    };
}

int ort_target_check(const struct ort_target *t, struct ort_diag *d)
{
    /* The cluster's peripherals (event unit, DMA) follow L1 in the map. */
    const int64_t l1_max = (int64_t)ORT_CLUSTER_PERIPH_BASE - t->l1.base;
    if (t->l1.size > l1_max)
        return ort_fail(d, "l1.size %" PRId64 " runs into the cluster peripherals at 0x%08x: a compiled "
                           "network needs L1 within %" PRId64 " bytes",
                        t->l1.size, (unsigned)ORT_CLUSTER_PERIPH_BASE, l1_max);
    if (t->l1.size % 16 || t->l2.size % 16)
        return ort_fail(d, "%s %" PRId64 " is not a multiple of 16: the stacks at its top would lose "
                           "the 16-byte alignment the RISC-V ABI requires",
                        t->l1.size % 16 ? "l1.size" : "l2.size", t->l1.size % 16 ? t->l1.size : t->l2.size);
    int64_t usable = ort_target_l1_usable(t);
    if (usable < 1024)
        return ort_fail(d, "l1.size %" PRId64 " leaves %" PRId64 " bytes of L1 beside the stacks and the "
                           "runtime's data; a network needs at least 1024",
                        t->l1.size, usable);
    return 0;
}

int64_t ort_target_l1_usable(const struct ort_target *t)
{
    return t->l1.size - t->l1_stack_cores * t->l1_stack_bytes - t->l1_runtime_bytes;
}

int64_t ort_target_default_l1_budget(const struct ort_target *t)
{
    return ort_target_l1_usable(t) * 7 / 8;
}

void ort_target_link_flags(const struct ort_target *t, char *buf, size_t size)
{
    /* sections.ld: core 0's L1 stack sits below the workers' (cores 1..) */
    snprintf(buf, size,
             "-Wl,--defsym=__ort_l1_size=%" PRId64 " -Wl,--defsym=__ort_l2_size=%" PRId64
             " -Wl,--defsym=__ort_wmem_size=%" PRId64 " -Wl,--defsym=__l1_stack_size=%" PRId64
             " -Wl,--defsym=__l1_max_worker_cores=%d",
             t->l1.size, t->l2.size, t->wmem.size, t->l1_stack_bytes, t->l1_stack_cores - 1);
}
