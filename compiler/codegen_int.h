/*
 * Inside the code generator: what its parts share. codegen.c (the stages
 * and the files), mapping.c (an engine per node), engine.h and its
 * engines (engine_cluster.c), lower.c (what lowering to any engine
 * needs: operands, stored constants, epilogue links), cexpr.c (index and
 * division expressions of the generated C), emit.c (the cluster's
 * generated kernels and descriptors).
 */
#ifndef ORTIGIA_COMPILER_CODEGEN_INT_H
#define ORTIGIA_COMPILER_CODEGEN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codegen.h"
#include "ops_int.h"
#include "target.h"
#include "tiling.h"

struct ort_engine_ops;

/* ---- where each tensor lives ------------------------------------------ */

enum where { W_NONE, W_ARENA, W_WMEM, W_INPUT, W_OUTPUT };

struct place {
    enum where where;
    int64_t offset;  /* in its area; W_OUTPUT: the output's index */
    int alias_of;    /* tensor whose buffer this one shares (Reshape), or -1 */
    int buffer;      /* W_ARENA: index into the plan's buffers */
};

/* A constant as stored in the weight memory: tensor t, row-major or (for a
 * matrix product's weights) transposed to [N][K]. */
struct stored_const {
    int tensor;          /* -1: a table the generator made (data) */
    bool transposed;
    int64_t offset, bytes;
    int64_t *data, count; /* a made table: its values, */
    enum ort_dtype type;  /* stored as this type */
};

/* One step of the generated program: a node, the engine that runs it and
 * how it is tiled. The kinds are the cluster's kernels. */
enum step_kind {
    S_ELEMWISE, S_SOFTMAX, S_RMSNORM,
    S_MATMUL_W,     /* a product streaming a constant weight matrix by output columns */
    S_MATMUL_A,     /* a product of activations, by output rows */
    S_TRANSPOSE,
    S_CONCAT_COPY,  /* a Concat, or a Reshape that must copy (a Concat of one input) */
    S_DMA_COPY,     /* the same done by the DMA alone (same-typed variable inputs) */
    S_NPU_GEMM,     /* a product with constant weights as NPU 1x1 jobs (engine_npu.c) */
    S_NPU_CONV,     /* a convolution as NPU jobs on HWC copies of its rows (engine_npu.c) */
    S_CONV,         /* a convolution or a pool by output rows (emit_conv.c) */
    S_GATHER,       /* Pad, Slice, Gather: output elements from the input's (emit_data.c) */
    S_REDUCE,       /* ReduceMean, ReduceSum by output elements (emit_data.c) */
    S_ROWFN,        /* iLayerNorm, ITAMax, ITAPartialMax by rows (emit_data.c) */
};

/* An S_CONV step: im2col (8-bit input and constant weights, each group's
 * weights stored as rows of kg4 bytes, zero-padded to whole words, for the
 * sdot kernels) or a direct loop; where its bias and scratch operands are
 * (-1: none). */
struct conv_step {
    bool im2col, pool;
    bool window;    /* direct: each row's windows gathered with their padding into scratch */
    bool window_sdot; /* window: one sdot a window row, the weights packed a row a word */
    int64_t pw;     /* window: the padded row's length */
    int64_t wstride; /* window: a core's scratch bytes */
    int pixels;     /* im2col: output pixels a core gathers at once (2, or 1 where L1 is short) */
    int64_t kg4;
    int weights_operand, bias_operand, scratch_operand;
};

/* An NPU step (engine_npu.c): the product's rows are the pixels of 1x1
 * jobs with K input and N output channels; or (S_NPU_CONV) a convolution
 * by output rows, K = C input and N = M output channels. */
struct npu_step {
    int64_t K, N;
    bool signed_in;      /* int8 activations (else uint8) */
    bool quant;          /* scale/bias/shift to 8 bits (else raw int32 accumulators) */
    bool relu;           /* the 8-bit result is clipped to [0, 255] */
    int shift;
    int64_t weights;     /* stored constant: the encoded weights */
    int tail_operand;    /* operand of the epilogue table (256 entries, indexed by the NPU's
                          * output byte) the cores apply after the NPU, or -1 */
    int tail_scratch;    /* a table into int32: the operand the NPU writes its bytes to,
                          * which the table maps into the output; or -1 */
    bool infeasible;     /* the tiling could not stage every operand in L1 */
    /* S_NPU_CONV */
    int mode;            /* enum ort_npu_mode */
    struct ort_conv cv;
    int64_t PB, PR;      /* padding after the last row and column */
    int scratch_operand; /* the HWC input rows, then the HWC output rows */
    bool cores_epilogue; /* the NPU's int32 accumulators, the whole epilogue on the cores */
    bool im2col;         /* none of the NPU's forms: 1x1 jobs on windows the cores gather */
    bool in_hwc, out_hwc; /* the input (output) tensor is stored HWC (npu_plan_layouts) */
    bool in_direct;      /* the NPU reads the HWC input rows where they are (L1) */
    bool out_direct;     /* the NPU writes the HWC output rows where they go (L1) */
    int bias_operand;    /* cores_epilogue: the convolution's bias, or -1 */
    int64_t scratch_in;  /* bytes of the HWC input part (the output follows) */
};

struct step {
    int node;
    const struct ort_engine_ops *engine; /* chosen by the mapping (mapping.c) */
    enum step_kind kind;
    int operand_tensor[NN_MAX_OPERANDS]; /* tensor of each operand (-1 none) */
    int64_t operand_const[NN_MAX_OPERANDS]; /* stored_const index for weights, else -1 */
    struct ort_tile_plan plan;
    /* The epilogue from link lut_from on, over an 8-bit value, as a
     * table: operand lut_operand, indexed by value - lut_lo (-1: none). */
    int lut_from, lut_operand;
    int64_t lut_lo;
    /* S_SOFTMAX on nn_kernel.h's NN_DEFINE_SOFTMAX_ROW_Q8: its tables are
     * the terms times levels - 1 and, with an epilogue, the map as bytes */
    bool softmax_q8;
    /* S_SOFTMAX on wider inputs (NN_DEFINE_SOFTMAX_ROW_WTAB): the terms of
     * the differences below this many from a table (operand 1), 0: none */
    int64_t softmax_wide_tab;
    struct npu_step npu; /* S_NPU_GEMM */
    struct conv_step conv; /* S_CONV */
};

struct gen {
    const struct ort_graph *g;
    const struct ort_codegen_options *o;
    const struct ort_target *target;
    /* per node: the engine the mapping chose, NULL for a node without a
     * step of its own (removed, fused, or an alias without a copy) */
    const struct ort_engine_ops **node_engine;
    /* the engines the target has, in mapping order (mapping.c) */
    const struct ort_engine_ops *engines[ORT_TARGET_MAX_ENGINES];
    int n_engines;
    const struct ort_engine_ops *forced; /* --engine <name>, or NULL for auto */
    /* per tensor: stored HWC (channels innermost) rather than as the graph
     * says (NCHW): written and read only by NPU convolutions (engine_npu.c,
     * npu_plan_layouts); NULL: none */
    bool *hwc;
    struct place *place;
    struct stored_const *consts;
    int n_consts;
    int64_t wmem_bytes;
    struct step *steps;
    int n_steps;
    int64_t inputs_bytes;
    FILE *c;
    struct ort_diag *d;
    /* names (ort_codegen_options.name): the prefix of the symbols
     * ("ort_" or "NAME_"), the network's name ("network" or NAME) in lower
     * and upper case, the prefix of the data files ("" or "NAME_") */
    char sym[64], net[64], NET[64], files[64];
};

static inline int64_t align4(int64_t v) { return (v + 3) & ~(int64_t)3; }

static inline const char *ctype(enum ort_dtype t)
{
    switch (t) {
    case ORT_DT_INT8: return "int8_t";
    case ORT_DT_UINT8: return "uint8_t";
    default: return "int32_t";
    }
}

static inline int esize(const struct ort_tensor *t) { return ort_dtype_size(t->storage); }

static inline int64_t tensor_bytes(const struct ort_tensor *t)
{
    return ort_shape_count(&t->shape) * esize(t);
}

static inline struct ort_tensor *T(const struct gen *G, int t) { return &G->g->tensors[t]; }

static inline bool is_scalar_const(const struct ort_tensor *t)
{
    return t->is_const && ort_shape_count(&t->shape) == 1;
}

static inline bool pow2(int64_t d) { return d > 0 && (d & (d - 1)) == 0; }

static inline int log2i(int64_t d)
{
    int k = 0;
    while (((int64_t)1 << k) < d)
        k++;
    return k;
}

static inline const char *tensor_ctype(const struct gen *G, int t) { return ctype(T(G, t)->storage); }

/* lower.c: what lowering a node to a step needs on any engine */
int cg_root_of(const struct gen *G, int t);
/* The C expression of a tensor's (or stored constant's) address. */
void cg_addr_expr(const struct gen *G, int t, int64_t cst, char *buf, size_t size);
int cg_operand_of(const struct step *s, int tensor);
/* The tensor a node's kernel finally writes: the last of its epilogue. */
int cg_final_output(const struct gen *G, const struct ort_node *n);
/* An empty step of node ni: no operands, no table. */
void cg_step_init(struct step *s, int ni);
void cg_add_operand(struct step *s, int tensor, int64_t cst, int mode, int64_t unit_bytes, int64_t bytes);
/* Stored constants in the weight memory: tensor t (transposed: a [K][N]
 * matrix stored [N][K]), or a table the generator computed (owned). */
int cg_store_const(struct gen *G, int t, bool transposed);
int cg_store_table(struct gen *G, int64_t *data, int64_t count, enum ort_dtype type);
/* The stored constant of tensor t if it is constant, else -1. */
int64_t cg_const_ref(struct gen *G, int t);
/* An input a link of the step reads (nothing for a scalar constant). */
void cg_add_side(struct gen *G, struct step *s, int t, int64_t out_count, bool rows);
/* The side inputs of n's whole epilogue. */
void cg_add_epilogue_sides(struct gen *G, struct step *s, const struct ort_node *n, bool rows);
/* Every computing link of n's epilogue has link semantics (ops.h); else
 * an error naming it: never guess. */
int cg_check_links(const struct gen *G, const struct ort_node *n);
/* Link c's inputs other than its running value `main` (its first
 * occurrence), in order, into side[]; their count. */
int cg_link_sides(const struct ort_node *c, int main, int *side);
/* Links from..end of n's epilogue applied to v on the host (links with
 * scalar side inputs only), with the target's semantics. */
int64_t cg_eval_links(const struct gen *G, const struct ort_node *n, int from, int64_t v);
/* The tail of the epilogue over an 8-bit value as a table, when it pays. */
void cg_plan_lut(struct gen *G, struct step *s, const struct ort_node *n);

/* cexpr.c: C text of x / d, x % d for 0 <= x <= xmax; broadcast and
 * transposed indices of the element at flat index `var` of `out`. */
void cg_cdiv(char *buf, size_t size, const char *x, int64_t d, int64_t xmax);
void cg_cmod(char *buf, size_t size, const char *x, int64_t d, int64_t xmax);
void cg_bcast_expr(const struct ort_shape *in, const struct ort_shape *out, const char *var, char *buf,
                   size_t size);
void cg_transpose_expr(const struct ort_shape *in, const int64_t *perm, const char *var, char *buf,
                       size_t size);

/* emit.c */
void cg_emit(struct gen *G, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Both operands 8-bit along a K that is a multiple of 4: the blocked kernels. */
bool cg_mm_blocked(const struct gen *G, const struct ort_node *n, const struct ort_matmul *m, bool wmode);
const char *cg_mode_name(int mode);
/* Step si's cluster kernel and descriptor (or DMA copies) into G->c. */
void cg_emit_cluster_step(struct gen *G, int si);
/* The statement of network_body that runs step si (engine.h emit_run):
 * nn_step with the next descriptor, which core 0 prefetches, or the DMA
 * copies. */
void cg_emit_step_run(struct gen *G, int si, int *ordinal);
/* Step si's runtime descriptor (nn.h), whose kernel is k<si>. */
void cg_emit_descriptor(struct gen *G, int si);
/* Operand k declared as `name` (a pointer from p[k], typed by its tensor
 * or its stored constant). */
void cg_emit_operand(struct gen *G, const struct step *s, int k, const char *name, bool is_out);
/* The epilogue of node n on `int32_t v`, the output element at flat index
 * `flat` (a C expression) of `out` (n's output shape); `chan` (or NULL)
 * its index along axis 1, for side inputs with one value per channel. */
void cg_emit_epilogue_flat(struct gen *G, const struct step *s, const struct ort_node *n,
                           const struct ort_shape *out, const char *flat, const char *chan);
/* emit_conv.c: an S_CONV step's kernel (k<si>) and its helpers. */
void cg_emit_conv(struct gen *G, int si);
/* The nn_halo h<si> of a step whose operand 0 is a halo-staged input
 * (nothing when it is not staged). */
void cg_emit_halo(struct gen *G, const struct step *s, int si, const struct ort_conv *c);
/* emit_data.c: S_GATHER's and S_REDUCE's kernels. */
void cg_emit_gather(struct gen *G, int si);
void cg_emit_reduce(struct gen *G, int si);
void cg_emit_rowfn(struct gen *G, int si);
/* The row function an S_ROWFN step calls, as its nn_sem.h instance:
 * name into name[size], the definition into def[dsize]. */
void cg_rowfn_instance(const struct gen *G, const struct step *s, char *name, size_t size, char *def,
                       size_t dsize);
/* Only scalar constants besides the running value (tensor cur). */
bool cg_scalar_sides(const struct gen *G, const struct ort_node *c, int cur);

#endif
