/*
 * Code generation: the typed, optimized IR -> C for the target (target.h),
 * in stages (codegen.c): places of the graph's inputs, outputs and
 * aliases; the mapping of each node to an engine (mapping.c, engine.h);
 * lowering to steps; the activation arena; tiling; network.c/network.h;
 * the harness; the constant and input blobs; the report. Its files:
 *   network.h / network.c  one kernel and one tiling descriptor per step,
 *                          network_run() running the steps on the cluster
 *   main.c                 the harness, from a template
 *                          (firmware/harness/main.c: runs the network once,
 *                          records its cycles in ort_net_cycles)
 *   weights.bin, weights.S constants, placed in the weight memory (.wmem)
 *   inputs.bin, inputs.S   the graph inputs' initial values (L2)
 *   report.txt             memory plan and tiling per step
 * Activations share one arena planned by compiler/memplan: in L1 when it
 * takes at most half the L1 budget (then kernels use them in place), else
 * in L2; each step's staging buffers come from one L1 arena
 * (compiler/tiling) for what lives in L2 and the weight memory.
 */
#ifndef ORTIGIA_COMPILER_CODEGEN_H
#define ORTIGIA_COMPILER_CODEGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"
#include "npz.h"
#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --engine: auto lets the mapping choose per node; the others name one
 * engine for every node. */
enum ort_engine { ORT_ENGINE_AUTO, ORT_ENGINE_CLUSTER, ORT_ENGINE_NPU };

struct ort_codegen_options {
    const char *outdir;
    const struct ort_target *target; /* the platform */
    int64_t l1_budget;          /* bytes of L1 for staging */
    enum ort_engine engine;
    /* With a named engine: the nodes it cannot run go to the others (the
     * cheapest) instead of failing the build. ortigia llm sets it, so
     * "--engine npu" means the NPU for every step it can compute. */
    bool engine_where_possible;
    const char *firmware_dir;   /* firmware sources: harness templates in firmware_dir/harness/ */
    const char *harness;        /* template name (NULL: "main") */
    const struct ort_npz *inputs; /* initial input values (NULL: zeros) */
    bool profile;               /* record each step's cycles in ort_step_cycles[] */
    /* NULL: the program's network (network.c/.h, network_run, ort_output_N,
     * NETWORK_INPUT_N, ort_weights, ort_inputs, weights.bin/.S,
     * inputs.bin/.S, report.txt, and main.c from the harness). A name
     * ("prefill") makes a second network for the same program, beside the
     * first in the same folder: NAME.c/.h, NAME_run, NAME_output_N,
     * NAME_INPUT_N (upper case), NAME_weights, NAME_inputs,
     * NAME_step_cycles, NAME_weights.bin/.S, NAME_inputs.bin/.S,
     * NAME_report.txt, and no main.c. */
    const char *name;
    /* NULL: the network's own L1 arrays. A symbol: its L1 data (the
     * staging buffers, and the activations when they are in L1) at the
     * start of that array, which the program defines (.l1bss, aligned 8)
     * with at least ort_codegen_l1_bytes(report) bytes: networks that never
     * run at once (ortigia llm's prefill and step) share their L1. */
    const char *l1_shared;
};

struct ort_codegen_report {
    int steps;
    int64_t l1_peak, l1_lower_bound;     /* L1 arena; the largest single step's need */
    int64_t l2_peak, l2_lower_bound;     /* activation arena */
    bool activations_in_l1;              /* the arena fitted beside the staging buffers */
    int64_t l2_io_bytes;                 /* graph inputs and outputs */
    int64_t wmem_bytes;                  /* constants */
    int tiled_steps, inplace_operands;
    int64_t estimated_cycles;            /* the cost model's total (every step on its engine) */
    int npu_steps;                       /* steps the NPU runs */
    char (*step_names)[160];             /* per step: "node (Op)"; freed by the caller */
    int64_t *step_estimates;             /* per step: the cost model's cycles; freed by the caller */
    const char **step_engines;           /* per step: its engine's name (static); freed by the caller */
};

int ort_codegen(const struct ort_graph *g, const struct ort_codegen_options *o,
                struct ort_codegen_report *r, struct ort_diag *d);

/* Prints the report (the memory levels, then a line per step). */
void ort_codegen_print_report(FILE *f, const struct ort_codegen_report *r);

/* The bytes of L1 a network's data takes (its activations when in L1, then
 * its staging buffers): what an l1_shared array must hold for it. */
int64_t ort_codegen_l1_bytes(const struct ort_codegen_report *r);

/* A program built for the platform by the cross compiler: C and assembly
 * sources compiled with the platform's flags and the firmware headers,
 * linked with the runtime (crt0, fork/join, the uart, exit) and the
 * kernels, for the target's memory sizes and L1 stacks. */
struct ort_cross_build {
    const char *const *sources; /* .c and .S files */
    int n_sources;
    const char *const *cflags;  /* more compiler options (-I, -D ...), or NULL */
    int n_cflags;
    const char *opt_flags;      /* NULL: -O2 */
    const char *out_elf;
    const char *obj_dir;        /* objects and build.log go here */
    const char *fw_src, *fw_lib; /* as ort_build_elf's */
    const struct ort_target *target;
};

/* 0, or -1 with the compiler's or the linker's errors (build.log's tail). */
int ort_cross_compile(const struct ort_cross_build *b, struct ort_diag *d);

/* Compiles outdir's sources with the cross compiler into outdir/network.elf,
 * linked for the target's memory sizes and L1 stacks. `fw_src` is the
 * firmware source folder (headers, link scripts), `fw_lib` the folder
 * with libort_rt.a and libort_kernels.a. */
int ort_build_elf(const char *outdir, const char *fw_src, const char *fw_lib, const struct ort_target *target,
                  struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
