/*
 * Inside the operator layer: what ops.c and ops_int.c (Deeploy's integer
 * operators) share, and the geometry of a matrix product that code
 * generation reuses.
 */
#ifndef ORTIGIA_COMPILER_OPS_INT_H
#define ORTIGIA_COMPILER_OPS_INT_H

#include <stdarg.h>

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
#undef ORT_OP_DECL

#define ORT_INTEGER_OPS                                                   \
    {"RequantShift", 3, 3, check_rqs, range_rqs, eval_rqs},               \
    {"iSoftmax", 1, 1, check_isoftmax, range_isoftmax, eval_isoftmax},    \
    {"iRMSNorm", 2, 2, check_irmsnorm, range_irmsnorm, eval_irmsnorm},    \
    {"iHardswish", 1, 1, check_ihardswish, range_ihardswish, eval_ihardswish}, \
    {"TrueIntegerDiv", 1, 1, check_idiv, range_idiv, eval_idiv},

#endif
