/*
 * Inside the operator layer: what ops.c and ops_int.c (Deeploy's integer
 * operators) share, and the geometry of a matrix product that code
 * generation reuses.
 */
#ifndef ORTIGIA_COMPILER_OPS_INT_H
#define ORTIGIA_COMPILER_OPS_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "ops.h"

/* "<file>: node 'name' (Op): <message>"; returns -1. */
int ort_node_fail(const struct ort_graph *g, const struct ort_node *n, struct ort_diag *d,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets the output's shape; an error when the model declares another. */
int ort_set_out_shape(struct ort_graph *g, struct ort_node *n, const struct ort_shape *s,
                      struct ort_diag *d);

/* MatMul (NumPy batching) or Gemm (2-D, transA/transB). */
struct ort_matmul {
    int64_t M, N, K;
    int trans_a, trans_b;
    struct ort_shape batch, a_batch, b_batch; /* output batch dims; operands' */
    int64_t batches;
    struct ort_shape out;
};
int ort_matmul_dims(const struct ort_graph *g, const struct ort_node *n, struct ort_matmul *m);

/* A convolution's geometry (ops_conv.c), always as 2-D: a 1-D operator's
 * length is the height and its width 1, so that tiling by output rows
 * tiles it too. */
struct ort_conv {
    int64_t N, C, H, W;   /* input */
    int64_t M, OH, OW;    /* output channels and size */
    int64_t KH, KW, SH, SW, DH, DW;
    int64_t PT, PL;       /* padding before the first row and column */
    int64_t G, Cg, Mg;    /* groups, input and output channels per group */
    int spatial;          /* 1 or 2 */
};
void ort_conv_dims(const struct ort_graph *g, const struct ort_node *n, struct ort_conv *c);
/* kernel_shape (or the weights' spatial sizes), strides, dilations and
 * pads or auto_pad of an operator over `sp` spatial axes of sizes `in`,
 * into n->p (a 1-D operator's axis as the height, the width 1). */
int ort_window_attrs(struct ort_graph *g, struct ort_node *n, int sp, const int64_t *in,
                     const int64_t *kernel_from_weights, struct ort_diag *d);

int ort_transpose_eval(const struct ort_shape *in_shape, const int64_t *perm, const int64_t *in,
                       int64_t *out);

/* Deeploy's integer operators (ops_int.c). */
#define ORT_OP_DECL(fn)                                                                         \
    int check_##fn(struct ort_graph *g, struct ort_node *n, struct ort_diag *d);                \
    void range_##fn(const struct ort_graph *g, const struct ort_node *n, int64_t *lo,           \
                    int64_t *hi);                                                               \
    int eval_##fn(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in, \
                  int64_t *out, struct ort_diag *d);
ORT_OP_DECL(rqs)
ORT_OP_DECL(isoftmax)
ORT_OP_DECL(irmsnorm)
ORT_OP_DECL(ihardswish)
ORT_OP_DECL(idiv)
ORT_OP_DECL(ilut)
ORT_OP_DECL(conv)
ORT_OP_DECL(pool)
ORT_OP_DECL(pad)
ORT_OP_DECL(slice)
ORT_OP_DECL(gather)
ORT_OP_DECL(reduce)
ORT_OP_DECL(igelu)
ORT_OP_DECL(inonorm)
ORT_OP_DECL(ilayernorm)
ORT_OP_DECL(itamax)
#undef ORT_OP_DECL

/* iLut's table (256 entries, for inputs -128..127), read from its
 * attribute; NULL when the node has none. */
const double *ort_ilut_table(const struct ort_node *n);

/* The flat input index of output element `flat` of a Pad, Slice or Gather
 * (n->p.map_*), or -1 for a Pad's padding. */
int64_t ort_map_index(const struct ort_graph *g, const struct ort_node *n, int64_t flat);
/* ReduceMean or IntegerMean (else ReduceSum). */
static inline bool ort_op_is_mean(const struct ort_node *n)
{
    return n->op->id == ORT_OPID_REDUCE_MEAN || n->op->id == ORT_OPID_INTEGER_MEAN;
}
/* A reduction's element count per output. */
int64_t ort_reduce_length(const struct ort_graph *g, const struct ort_node *n);

/* n_levels -> the output range: signed [-n/2, n/2-1], unsigned [0, n-1]. */
void ort_levels_range(int64_t n_levels, bool is_signed, int64_t *lo, int64_t *hi);

/* The elementwise operators as epilogue links (ops_link.c). */
#define ORT_LINK_DECL(fn)                                                                          \
    int64_t link_eval_##fn(const struct ort_graph *g, const struct ort_node *n, int64_t v,         \
                           const int64_t *side);                                                   \
    void link_emit_##fn(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t, \
                        const int *side_t, const char *const *side);
ORT_LINK_DECL(add)
ORT_LINK_DECL(mul)
ORT_LINK_DECL(sub)
ORT_LINK_DECL(rqs)
ORT_LINK_DECL(ihardswish)
ORT_LINK_DECL(idiv)
ORT_LINK_DECL(ilut)
ORT_LINK_DECL(igelu)
ORT_LINK_DECL(inonorm)
#undef ORT_LINK_DECL

/* An elementwise operator: fusable as a link, and the head of a chain. */
#define ORT_ELEMENTWISE_OP(opname, opid, min, max, checker, fn, extra_flags)                     \
    {.name = opname, .id = opid, .min_inputs = min, .max_inputs = max,                          \
     .flags = ORT_OP_ELEMENTWISE | ORT_OP_EPILOGUE | (extra_flags), .step = ORT_STEP_ELEMENTWISE, \
     .check = checker, .range = range_##fn, .eval = eval_##fn, .link_eval = link_eval_##fn,  \
     .link_emit = link_emit_##fn}

#define ORT_INTEGER_OPS                                                                           \
    ORT_ELEMENTWISE_OP("RequantShift", ORT_OPID_REQUANT_SHIFT, 3, 3, check_rqs, rqs, 0),                    \
    {.name = "iSoftmax", .id = ORT_OPID_ISOFTMAX, .min_inputs = 1, .max_inputs = 1,             \
     .flags = ORT_OP_ROW | ORT_OP_EPILOGUE | ORT_OP_TABLE_EPILOGUE, .step = ORT_STEP_SOFTMAX,   \
     .check = check_isoftmax, .range = range_isoftmax, .eval = eval_isoftmax},                   \
    {.name = "iRMSNorm", .id = ORT_OPID_IRMSNORM, .min_inputs = 2, .max_inputs = 2,             \
     .flags = ORT_OP_ROW, .step = ORT_STEP_RMSNORM, .check = check_irmsnorm,                    \
     .range = range_irmsnorm, .eval = eval_irmsnorm},                                            \
    ORT_ELEMENTWISE_OP("iHardswish", ORT_OPID_IHARDSWISH, 1, 1, check_ihardswish, ihardswish, 0),                  \
    ORT_ELEMENTWISE_OP("TrueIntegerDiv", ORT_OPID_TRUE_INTEGER_DIV, 1, 1, check_idiv, idiv, 0),  \
    ORT_ELEMENTWISE_OP("iLut", ORT_OPID_ILUT, 1, 1, check_ilut, ilut, 0),                        \
    {.name = "Conv", .id = ORT_OPID_CONV, .min_inputs = 2, .max_inputs = 3,                     \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_CONV, .check = check_conv,     \
     .range = range_conv, .eval = eval_conv},                                                    \
    {.name = "MaxPool", .id = ORT_OPID_MAXPOOL, .min_inputs = 1, .max_inputs = 1,               \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_CONV, .check = check_pool,     \
     .range = range_pool, .eval = eval_pool},                                                    \
    {.name = "AveragePool", .id = ORT_OPID_AVGPOOL, .min_inputs = 1, .max_inputs = 1,           \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_CONV, .check = check_pool,     \
     .range = range_pool, .eval = eval_pool},                                                    \
    {.name = "Pad", .id = ORT_OPID_PAD, .min_inputs = 1, .max_inputs = 4, .step = ORT_STEP_GATHER, \
     .check = check_pad, .range = range_pad, .eval = eval_pad},                                  \
    {.name = "Slice", .id = ORT_OPID_SLICE, .min_inputs = 1, .max_inputs = 5,                   \
     .step = ORT_STEP_GATHER, .check = check_slice, .range = range_slice, .eval = eval_slice},   \
    {.name = "Gather", .id = ORT_OPID_GATHER, .min_inputs = 2, .max_inputs = 2,                 \
     .step = ORT_STEP_GATHER, .check = check_gather, .range = range_gather, .eval = eval_gather}, \
    {.name = "ReduceMean", .id = ORT_OPID_REDUCE_MEAN, .min_inputs = 1, .max_inputs = 2,        \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_REDUCE, .check = check_reduce, \
     .range = range_reduce, .eval = eval_reduce},                                                \
    /* Deeploy's name for ReduceMean after its integerization pass */                           \
    {.name = "IntegerMean", .id = ORT_OPID_INTEGER_MEAN, .min_inputs = 1, .max_inputs = 2,       \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_REDUCE, .check = check_reduce, \
     .range = range_reduce, .eval = eval_reduce},                                                \
    ORT_ELEMENTWISE_OP("iGELU", ORT_OPID_IGELU, 1, 1, check_igelu, igelu, 0),                   \
    ORT_ELEMENTWISE_OP("iNoNorm", ORT_OPID_INONORM, 3, 3, check_inonorm, inonorm, 0),           \
    {.name = "iLayerNorm", .id = ORT_OPID_ILAYERNORM, .min_inputs = 3, .max_inputs = 3,         \
     .flags = ORT_OP_ROW, .step = ORT_STEP_ROWFN, .check = check_ilayernorm,                    \
     .range = range_ilayernorm, .eval = eval_ilayernorm},                                        \
    {.name = "ITAMax", .id = ORT_OPID_ITAMAX, .min_inputs = 1, .max_inputs = 1,                 \
     .flags = ORT_OP_ROW, .step = ORT_STEP_ROWFN, .check = check_itamax,                        \
     .range = range_itamax, .eval = eval_itamax},                                                \
    {.name = "ITAPartialMax", .id = ORT_OPID_ITAPARTIALMAX, .min_inputs = 1, .max_inputs = 1,   \
     .flags = ORT_OP_ROW, .step = ORT_STEP_ROWFN, .check = check_itamax,                        \
     .range = range_itamax, .eval = eval_itamax},                                                \
    {.name = "ReduceSum", .id = ORT_OPID_REDUCE_SUM, .min_inputs = 1, .max_inputs = 2,          \
     .flags = ORT_OP_PRODUCT | ORT_OP_EPILOGUE, .step = ORT_STEP_REDUCE, .check = check_reduce, \
     .range = range_reduce, .eval = eval_reduce},

#endif
