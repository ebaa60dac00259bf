/*
 * Graph passes, run in this order by ort_compile_graph (compiler/compile.c):
 *   fold constants   a node whose inputs are all constant is evaluated
 *                    by the reference interpreter and becomes a constant;
 *   drop no-ops      Reshape (the output aliases its input), Transpose that
 *                    moves only size-1 dimensions, RequantShift that maps
 *                    every value of its input to itself;
 *   fuse             MatMul/Gemm (+ bias Add) + RequantShift into one node
 *                    whose kernel requantizes its int32 accumulators.
 */
#ifndef ORTIGIA_COMPILER_PASSES_H
#define ORTIGIA_COMPILER_PASSES_H

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

int ort_pass_fold_constants(struct ort_graph *g, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
