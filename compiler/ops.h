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

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_op {
    const char *name;
    int min_inputs, max_inputs;
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
};

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
