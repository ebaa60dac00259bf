/*
 * The compiler's frontend: ONNX file -> checked, typed, optimized IR
 * (ort_frontend). The IR then goes to code generation (ort_codegen,
 * compiler/codegen.h) and the cross compiler (ort_build_elf).
 */
#ifndef ORTIGIA_COMPILER_FRONTEND_H
#define ORTIGIA_COMPILER_FRONTEND_H

#include "diag.h"
#include "ir.h"
#include "npz.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads `onnx_path`, checks every node, folds constants, infers value
 * ranges and storage types (`inputs`, optional, types float-declared
 * inputs; checked against the graph's inputs: ort_npz_check) and runs the
 * optimizing passes unless `optimize` is false. */
struct ort_graph *ort_frontend(const char *onnx_path, const struct ort_npz *inputs, bool optimize,
                               struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
