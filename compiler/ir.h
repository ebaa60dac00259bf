/*
 * The compiler's IR: a graph of typed tensors and nodes, in topological
 * order once imported. Values of constant tensors are held as int64: every
 * network Ortigia compiles is integer (Deeploy's integer networks store
 * their integers in float tensors too; the importer checks they are
 * integral). Attributes are numbers or lists of numbers.
 */
#ifndef ORTIGIA_COMPILER_IR_H
#define ORTIGIA_COMPILER_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_MAX_RANK 8
#define ORT_MAX_EPILOGUE 8

struct ort_op;

/* Element types; the values are ONNX's TensorProto.DataType codes. */
enum ort_dtype {
    ORT_DT_UNDEFINED = 0,
    ORT_DT_FLOAT = 1,
    ORT_DT_UINT8 = 2,
    ORT_DT_INT8 = 3,
    ORT_DT_UINT16 = 4,
    ORT_DT_INT16 = 5,
    ORT_DT_INT32 = 6,
    ORT_DT_INT64 = 7,
};

const char *ort_dtype_name(enum ort_dtype t);
/* Bytes per element when stored on the target (0 if undefined). */
int ort_dtype_size(enum ort_dtype t);
/* The smallest and largest value of an integer type. */
void ort_dtype_range(enum ort_dtype t, int64_t *lo, int64_t *hi);

struct ort_shape {
    int rank;
    int64_t dim[ORT_MAX_RANK];
};

/* The most elements a tensor may have: 2^28 (1 GiB as int32, far beyond
 * any memory of the target), so that no element or byte count the
 * compiler computes can overflow. */
#define ORT_MAX_ELEMENTS ((int64_t)1 << 28)

int64_t ort_shape_count(const struct ort_shape *s);
/* Checks a shape where it enters the IR: no negative dimension (0 is
 * allowed: an empty tensor, as an empty KV cache) and at most
 * ORT_MAX_ELEMENTS elements, with no dimension beyond it either. On
 * failure d names `source`, `what` (the tensor: "input 'x'") and the
 * dimension. */
int ort_shape_check(const struct ort_shape *s, const char *source, const char *what, struct ort_diag *d);
bool ort_shape_equal(const struct ort_shape *a, const struct ort_shape *b);
/* "[1,16,64,4]" into buf. */
const char *ort_shape_str(const struct ort_shape *s, char *buf, size_t size);

struct ort_tensor {
    char *name;
    enum ort_dtype dtype;      /* as declared by the model */
    struct ort_shape shape;
    bool shape_known;
    bool is_const;             /* an initializer or a folded value */
    int64_t *data;             /* constant values (count elements) */
    bool is_input, is_output;
    int producer;              /* node index, -1 for inputs and constants */
    /* Set by the type pass (compiler/types.c): the integer type the value
     * is stored in on the target and the range of values it can hold. */
    enum ort_dtype storage;
    int64_t lo, hi;
};

enum ort_attr_kind { ORT_ATTR_NUMBER, ORT_ATTR_LIST, ORT_ATTR_STRING };

struct ort_attr {
    char *name;
    enum ort_attr_kind kind;
    double *values;            /* one for a number, n for a list */
    size_t n;                  /* 0 for a string */
    char *str;                 /* ORT_ATTR_STRING (e.g. Conv's auto_pad), else NULL */
    bool used;                 /* read by the operator (unknown ones are errors) */
};

/* An operator's attributes once checked (compiler/ops.c reads them). */
struct ort_params {
    int64_t perm[ORT_MAX_RANK];  /* Transpose */
    int64_t axis;                /* Concat */
    int64_t trans_a, trans_b;    /* Gemm */
    int64_t alpha, beta;         /* Gemm (integers in Deeploy's networks) */
    int64_t log2d;               /* RequantShift: div = 2^log2d */
    int64_t n_levels;            /* RequantShift, iSoftmax, iRMSNorm */
    int64_t is_signed;           /* RequantShift */
    int64_t coeff[8];            /* integer operators' constants */
    /* Conv and the pools, spatial axes (height, width; a 1-D operator's
     * one axis is the height and its width 1), auto_pad resolved: */
    int64_t kernel[2], strides[2], dilations[2];
    int64_t pads[4];             /* begin h, begin w, end h, end w */
    int64_t group;               /* Conv */
    int64_t ceil_mode, count_include_pad; /* MaxPool, AveragePool */
    /* Pad, Slice, Gather: input axis k is read at map_off[k] + map_step[k]
     * * (output axis map_src[k]); map_src[k] -1: at map_off[k] alone; -2
     * (Gather's axis): at indices[the output's axes axis..axis+q-1]. A
     * Pad's element outside the input is pad_value. */
    int64_t map_src[ORT_MAX_RANK], map_off[ORT_MAX_RANK], map_step[ORT_MAX_RANK];
    int64_t pad_value;
    /* ReduceMean, ReduceSum: bit k set when axis k is reduced; keepdims */
    int64_t reduce_mask, keepdims;
};

struct ort_node {
    char *name;
    char *op_type;
    int *inputs, *outputs;     /* tensor indices; -1 for an omitted optional input */
    int n_inputs, n_outputs;
    struct ort_attr *attrs;
    int n_attrs;
    bool removed;              /* dropped by a pass */
    /* Set by the passes for code generation (the reference interpreter
     * still evaluates every node that is not removed): */
    bool alias;                /* output = input's bytes (Reshape, no-op Transpose) */
    bool fused;                /* computed inside another node's kernel */
    /* Elementwise nodes this node's kernel applies to its result, in
     * order (an epilogue: bias, requantization, ...); each is `fused`. */
    int epilogue[ORT_MAX_EPILOGUE];
    int n_epilogue;
    const struct ort_op *op;   /* set by ort_ops_check */
    struct ort_params p;
};

struct ort_graph {
    struct ort_tensor *tensors;
    int n_tensors, cap_tensors;
    struct ort_node *nodes;
    int n_nodes, cap_nodes;
    int *inputs, *outputs;     /* tensor indices, in the model's order */
    int n_inputs, n_outputs;
    char *source;              /* file name, for messages */
};

struct ort_graph *ort_graph_new(const char *source);
void ort_graph_free(struct ort_graph *g);
/* Index of the tensor named `name`, or -1. */
int ort_graph_find(const struct ort_graph *g, const char *name);
/* Index of the tensor named `name`, created (unknown shape) if missing. */
int ort_graph_tensor(struct ort_graph *g, const char *name);
/* Appends a node; copies the strings; returns its index. */
int ort_graph_add_node(struct ort_graph *g, const char *name, const char *op_type);
void ort_node_add_input(struct ort_graph *g, int node, int tensor);
void ort_node_add_output(struct ort_graph *g, int node, int tensor);
struct ort_attr *ort_node_add_attr(struct ort_graph *g, int node, const char *name,
                                   enum ort_attr_kind kind, const double *values, size_t n);
/* A string attribute (copied). */
struct ort_attr *ort_node_add_attr_str(struct ort_graph *g, int node, const char *name, const char *str);

/* Attribute lookup for operators; each marks the attribute used. `found`
 * false leaves *out at the default. Integer reads fail (naming the node)
 * when the value is not an integer. */
struct ort_attr *ort_node_attr(struct ort_node *n, const char *name);
int ort_attr_int(const struct ort_graph *g, struct ort_node *n, const char *name, int64_t dflt,
                 int64_t *out, struct ort_diag *d);
int ort_attr_float(struct ort_node *n, const char *name, double dflt, double *out);
/* A string attribute, *out = dflt when absent; an error when it is not a
 * string. */
int ort_attr_str(const struct ort_graph *g, struct ort_node *n, const char *name, const char *dflt,
                 const char **out, struct ort_diag *d);
/* A list attribute (or a single number) as int64 into out[max]; *count. */
int ort_attr_ints(const struct ort_graph *g, struct ort_node *n, const char *name, int64_t *out,
                  int max, int *count, struct ort_diag *d);

/* Topological order: reorders g->nodes so producers come first; fails on
 * a cycle or a tensor produced twice, naming it. Also sets producers. */
int ort_graph_sort(struct ort_graph *g, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif
