/*
 * Graph passes, run in this order by ort_compile_graph (compiler/compile.c):
 *   fold constants   a node whose inputs are all constant is evaluated
 *                    by the reference interpreter and becomes a constant;
 *   drop no-ops      RequantShift that maps every value of its input to
 *                    itself (consumers read its input); Reshape and a
 *                    Transpose that moves only size-1 dimensions alias
 *                    their input (no code, no copy);
 *   fold transposes  MatMul(A, Transpose(X)) swapping X's last two axes
 *                    reads X transposed (trans_b) instead;
 *   fuse             a MatMul/Gemm or elementwise node with the chain of
 *                    elementwise nodes after it (bias Add, RequantShift,
 *                    TrueIntegerDiv, a masking Add, ...) into one kernel:
 *                    the intermediates are never stored;
 *   common nodes     a node computing what an earlier one does is dropped;
 *   dead nodes       whose outputs nothing reads are dropped.
 */
#ifndef ORTIGIA_COMPILER_PASSES_H
#define ORTIGIA_COMPILER_PASSES_H

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

int ort_pass_fold_constants(struct ort_graph *g, struct ort_diag *d);
/* The optimizing passes above (after the types pass: they use ranges),
 * then dead-node elimination. */
int ort_pass_optimize(struct ort_graph *g, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
