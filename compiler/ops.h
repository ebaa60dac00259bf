/*
 * The operators the compiler knows: for each, one description that checks
 * a node (attributes, input shapes, output shape), bounds its output's
 * values from its inputs' bounds, and evaluates it on the host (the
 * reference interpreter). The integer arithmetic of Deeploy's operators
 * lives in firmware/include/ortigia/nn_sem.h, shared with the code the
 * target runs, so both compute the same thing.
 */
#ifndef ORTIGIA_COMPILER_OPS_H
#define ORTIGIA_COMPILER_OPS_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which operator a node is. Passes that rewrite particular operators and
 * code generation test this (or the flags below), never the name. */
enum ort_op_id {
    ORT_OPID_ADD, ORT_OPID_MUL, ORT_OPID_MATMUL, ORT_OPID_GEMM, ORT_OPID_TRANSPOSE, ORT_OPID_RESHAPE,
    ORT_OPID_CONCAT, ORT_OPID_REQUANT_SHIFT, ORT_OPID_ISOFTMAX, ORT_OPID_IRMSNORM,
    ORT_OPID_IHARDSWISH, ORT_OPID_TRUE_INTEGER_DIV, ORT_OPID_ILUT, ORT_OPID_CONV,
    ORT_OPID_SUB, ORT_OPID_IDENTITY, ORT_OPID_FLATTEN, ORT_OPID_PAD, ORT_OPID_SLICE, ORT_OPID_GATHER,
    ORT_OPID_REDUCE_MEAN, ORT_OPID_REDUCE_SUM, ORT_OPID_MAXPOOL, ORT_OPID_AVGPOOL,
    ORT_OPID_IGELU, ORT_OPID_INONORM, ORT_OPID_ILAYERNORM, ORT_OPID_ITAMAX, ORT_OPID_ITAPARTIALMAX,
    ORT_OPID_INTEGER_MEAN,
};

/* What the passes and the code generator need to know of an operator. */
enum ort_op_flags {
    /* Each output element from the same (broadcast) element of every
     * input: it can be a link of another node's epilogue, and then needs
     * link_eval and link_emit. */
    ORT_OP_ELEMENTWISE = 1u << 0,
    /* The running value of an epilogue may be any input (Add, Mul); else
     * it must be input 0. */
    ORT_OP_COMMUTATIVE = 1u << 1,
    /* Its kernel applies an epilogue to each result before storing it:
     * the chain of elementwise nodes after it is fused into it. */
    ORT_OP_EPILOGUE = 1u << 2,
    /* Works on whole rows of the last axis (softmax, normalization). */
    ORT_OP_ROW = 1u << 3,
    /* Its epilogue becomes a table over its output values, so links take
     * scalar constants only, and only an 8-bit input qualifies. */
    ORT_OP_TABLE_EPILOGUE = 1u << 4,
    /* A matrix product or a convolution: its output is not tiled as its
     * flat order, so its epilogue reads only constant or broadcast side
     * operands. */
    ORT_OP_PRODUCT = 1u << 5,
    /* The output is the input's bytes in another shape: no code. */
    ORT_OP_ALIAS = 1u << 6,
};

/* The shape of the step code generation makes of a node. */
enum ort_step_kind {
    ORT_STEP_ELEMENTWISE, /* element loops */
    ORT_STEP_SOFTMAX,     /* row operators */
    ORT_STEP_RMSNORM,
    ORT_STEP_PRODUCT,     /* matrix products */
    ORT_STEP_TRANSPOSE,
    ORT_STEP_COPY,        /* Concat, and a Reshape that must copy (a Concat of one input) */
    ORT_STEP_CONV,        /* convolutions and pools, tiled by output rows */
    ORT_STEP_GATHER,      /* Pad, Slice, Gather: each output element from one input element */
    ORT_STEP_REDUCE,      /* ReduceMean, ReduceSum */
    ORT_STEP_ROWFN,       /* iLayerNorm, ITAMax, ITAPartialMax: a function of nn_sem.h per row */
};

/* Inputs an elementwise operator may have (its table entry's max_inputs). */
#define ORT_LINK_MAX_INPUTS 4

struct ort_op {
    const char *name;
    enum ort_op_id id;
    int min_inputs, max_inputs;
    unsigned flags; /* enum ort_op_flags */
    enum ort_step_kind step;
    /* Reads the attributes into n->p, checks the inputs' shapes and sets
     * the output's shape. */
    int (*check)(struct ort_graph *g, struct ort_node *n, struct ort_diag *d);
    /* Bounds of the output values, given the inputs' tensor lo/hi. */
    void (*range)(const struct ort_graph *g, const struct ort_node *n, int64_t *lo, int64_t *hi);
    /* Reference evaluation: in[k] holds input k's values (row-major),
     * out the output's. Fails (naming the node) on a value the operator
     * cannot take, e.g. a division by zero. */
    int (*eval)(const struct ort_graph *g, const struct ort_node *n, const int64_t *const *in,
                int64_t *out, struct ort_diag *d);
    /* ORT_OP_ELEMENTWISE: the operator as a link of an epilogue, with the
     * target's semantics. `side` are its inputs other than the running
     * value, in order (the first occurrence of the running value is the
     * main input). link_eval: applied to v on the host, side[k] the value
     * of a scalar side input. link_emit: C statements updating the
     * kernel's `int32_t v`, side[k] the C text of side input k's value at
     * the element, side_t[k] its tensor and main_t the running value's
     * tensor (their value ranges choose the arithmetic's width). */
    int64_t (*link_eval)(const struct ort_graph *g, const struct ort_node *n, int64_t v,
                         const int64_t *side);
    void (*link_emit)(FILE *c, const struct ort_graph *g, const struct ort_node *n, int main_t,
                      const int *side_t, const char *const *side);
};

/* Whether live node n is the operator `id`, or has all of `flags`. */
static inline bool ort_node_is(const struct ort_node *n, enum ort_op_id id)
{
    return !n->removed && n->op && n->op->id == id;
}
static inline bool ort_node_has(const struct ort_node *n, unsigned flags)
{
    return !n->removed && n->op && (n->op->flags & flags) == flags;
}

/* The whole table: *n entries. */
const struct ort_op *ort_op_table(size_t *n);

/* The operator called `name`, or NULL. */
const struct ort_op *ort_op_find(const char *name);

/* Checks every node in order (the graph is sorted): a known operator, its
 * attributes (an unknown one is an error), its input and output shapes
 * (against the shapes the model declares). */
int ort_ops_check(struct ort_graph *g, struct ort_diag *d);

/* Broadcasting (NumPy rules) of a to the output shape: the flat index in a
 * of each output element is computed by ort_bcast_index. */
int ort_broadcast_shape(const struct ort_shape *a, const struct ort_shape *b, struct ort_shape *out);
int64_t ort_bcast_index(const struct ort_shape *in, const struct ort_shape *out, int64_t flat);

#ifdef __cplusplus
}
#endif

#endif
