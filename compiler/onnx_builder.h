/*
 * Builds ONNX models (through the protobuf-c code generated from
 * onnx.proto): inputs, outputs, integer constants (float initializers
 * holding integers, as Deeploy's networks have), nodes with integer,
 * integer-list and float-tensor attributes. The compiler's tests build
 * their networks with it, and `ortigia llm` its quantized model.
 */
#ifndef ORTIGIA_COMPILER_ONNX_BUILDER_H
#define ORTIGIA_COMPILER_ONNX_BUILDER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ob_model;

struct ob_model *ob_new(void);
void ob_free(struct ob_model *m);
/* elem_type: ONNX codes (1 float, 3 int8, 6 int32 ...); rank < 0: no shape. */
void ob_input(struct ob_model *m, const char *name, int elem_type, int rank, const int64_t *dims);
void ob_output(struct ob_model *m, const char *name, int elem_type, int rank, const int64_t *dims);
void ob_const(struct ob_model *m, const char *name, int rank, const int64_t *dims, const int64_t *values);
/* A node with n_in inputs and one output; returns its index. */
int ob_node(struct ob_model *m, const char *op, const char *name, int n_in, const char *const *in,
            const char *out);
void ob_attr_int(struct ob_model *m, int node, const char *name, int64_t v);
void ob_attr_ints(struct ob_model *m, int node, const char *name, const int64_t *v, int n);
void ob_attr_string(struct ob_model *m, int node, const char *name, const char *v);
/* A one-element float tensor attribute (RequantShift's div, signed, ...). */
void ob_attr_tensor(struct ob_model *m, int node, const char *name, float v);
/* 0 on success. */
int ob_write(const struct ob_model *m, const char *path);

#ifdef __cplusplus
}
#endif

#endif
