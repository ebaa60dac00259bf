/*
 * Graph passes. ort_frontend (compiler/frontend.c) runs
 * ort_pass_fold_constants before the types pass and ort_pass_optimize
 * after it (the optimizations use value ranges). Reshape is an alias from
 * the start (its operator's ORT_OP_ALIAS flag, set by ort_ops_check).
 *   fold constants   a node whose inputs are all constant is evaluated
 *                    by the reference interpreter and becomes a constant.
 * ort_pass_optimize, in this order:
 *   drop no-ops      RequantShift that maps every value of its input to
 *                    itself (consumers read its input; an alias when its
 *                    output is a graph output); a Transpose that moves
 *                    only size-1 dimensions becomes an alias (no code, no
 *                    copy);
 *   fold transposes  MatMul(A, Transpose(X)) swapping X's last two axes
 *                    reads X transposed (trans_b) instead;
 *   fold divisions   TrueIntegerDiv read only by a RequantShift moves
 *                    into its multiplier;
 *   transpose B      an 8-bit activation B of a large MatMul is
 *                    transposed first, so the product runs along
 *                    contiguous K;
 *   dead nodes       whose outputs nothing reads are dropped;
 *   hoist            nodes reading only inputs and constants run first;
 *   common nodes     a node computing what an earlier one does is dropped;
 *   fuse             a node whose kernel applies an epilogue (ORT_OP_EPILOGUE:
 *                    MatMul/Gemm, elementwise, softmax over 8-bit values)
 *                    takes over the chain of elementwise nodes after it
 *                    (bias Add, RequantShift, a masking Add, ...): the
 *                    intermediates are never stored.
 * Operators are told apart by their table entry (ops.h: id and flags).
 */
#ifndef ORTIGIA_COMPILER_PASSES_H
#define ORTIGIA_COMPILER_PASSES_H

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

int ort_pass_fold_constants(struct ort_graph *g, struct ort_diag *d);
/* The optimizing passes above, in that order. */
int ort_pass_optimize(struct ort_graph *g, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
