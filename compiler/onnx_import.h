/*
 * ONNX frontend: reads a model file (protobuf, through the C code protoc-c
 * generates from the onnx.proto Debian's libonnx-dev ships) into the IR.
 * Initializers and Constant nodes become constant tensors; graph inputs
 * that have an initializer are constants too (ONNX's default values).
 */
#ifndef ORTIGIA_COMPILER_ONNX_IMPORT_H
#define ORTIGIA_COMPILER_ONNX_IMPORT_H

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The graph of `path`, topologically sorted, or NULL with d filled. */
struct ort_graph *ort_onnx_load(const char *path, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
