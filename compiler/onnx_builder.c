#include "onnx_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

/* Every allocation is remembered and freed with the model. */
struct ob_model {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
    void **allocs;
    size_t n_allocs;
};

static void *ob_alloc(struct ob_model *m, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    m->allocs = realloc(m->allocs, sizeof *m->allocs * (m->n_allocs + 1));
    m->allocs[m->n_allocs++] = p;
    return p;
}

static char *ob_str(struct ob_model *m, const char *s)
{
    char *c = ob_alloc(m, strlen(s) + 1);
    strcpy(c, s);
    return c;
}

/* Appends p to the array *arr of *n pointers (the arrays are realloc'ed:
 * kept out of the allocation list and freed with the model). */
static void push(void ***arr, size_t *n, void *p)
{
    *arr = realloc(*arr, sizeof **arr * (*n + 1));
    (*arr)[(*n)++] = p;
}

struct ob_model *ob_new(void)
{
    struct ob_model *m = calloc(1, sizeof *m);
    Onnx__ModelProto mi = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto gi = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto oi = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    m->model = mi;
    m->graph = gi;
    m->opset = oi;
    m->opset.has_version = 1;
    m->opset.version = 13;
    m->opsets[0] = &m->opset;
    m->model.has_ir_version = 1;
    m->model.ir_version = 8;
    m->model.n_opset_import = 1;
    m->model.opset_import = m->opsets;
    m->model.graph = &m->graph;
    m->graph.name = ob_str(m, "test");
    return m;
}

void ob_free(struct ob_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->graph.n_node; i++) {
        free(m->graph.node[i]->input);
        free(m->graph.node[i]->attribute);
    }
    free(m->graph.node);
    free(m->graph.initializer);
    free(m->graph.input);
    free(m->graph.output);
    for (size_t i = 0; i < m->n_allocs; i++)
        free(m->allocs[i]);
    free(m->allocs);
    free(m);
}

static Onnx__ValueInfoProto *value_info(struct ob_model *m, const char *name, int elem_type, int rank,
                                        const int64_t *dims)
{
    Onnx__ValueInfoProto vi = ONNX__VALUE_INFO_PROTO__INIT;
    Onnx__TypeProto ti = ONNX__TYPE_PROTO__INIT;
    Onnx__TypeProto__Tensor tt = ONNX__TYPE_PROTO__TENSOR__INIT;
    Onnx__ValueInfoProto *v = ob_alloc(m, sizeof *v);
    Onnx__TypeProto *t = ob_alloc(m, sizeof *t);
    Onnx__TypeProto__Tensor *tensor = ob_alloc(m, sizeof *tensor);
    *v = vi;
    *t = ti;
    *tensor = tt;
    v->name = ob_str(m, name);
    v->type = t;
    t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->tensor_type = tensor;
    tensor->has_elem_type = 1;
    tensor->elem_type = elem_type;
    if (rank >= 0) {
        Onnx__TensorShapeProto si = ONNX__TENSOR_SHAPE_PROTO__INIT;
        Onnx__TensorShapeProto *shape = ob_alloc(m, sizeof *shape);
        *shape = si;
        shape->n_dim = (size_t)rank;
        shape->dim = ob_alloc(m, sizeof *shape->dim * (size_t)rank);
        for (int i = 0; i < rank; i++) {
            Onnx__TensorShapeProto__Dimension di = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
            Onnx__TensorShapeProto__Dimension *d = ob_alloc(m, sizeof *d);
            *d = di;
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
            shape->dim[i] = d;
        }
        tensor->shape = shape;
    }
    return v;
}

void ob_input(struct ob_model *m, const char *name, int elem_type, int rank, const int64_t *dims)
{
    push((void ***)&m->graph.input, &m->graph.n_input, value_info(m, name, elem_type, rank, dims));
}

void ob_output(struct ob_model *m, const char *name, int elem_type, int rank, const int64_t *dims)
{
    push((void ***)&m->graph.output, &m->graph.n_output, value_info(m, name, elem_type, rank, dims));
}

static Onnx__TensorProto *float_tensor(struct ob_model *m, const char *name, int rank, const int64_t *dims,
                                       const int64_t *values)
{
    Onnx__TensorProto ti = ONNX__TENSOR_PROTO__INIT;
    Onnx__TensorProto *t = ob_alloc(m, sizeof *t);
    *t = ti;
    t->name = ob_str(m, name);
    t->has_data_type = 1;
    t->data_type = 1; /* float, holding integers */
    t->n_dims = (size_t)rank;
    t->dims = ob_alloc(m, sizeof *t->dims * (size_t)rank);
    size_t count = 1;
    for (int i = 0; i < rank; i++) {
        t->dims[i] = dims[i];
        count *= (size_t)dims[i];
    }
    t->n_float_data = count;
    t->float_data = ob_alloc(m, sizeof *t->float_data * count);
    for (size_t i = 0; i < count; i++)
        t->float_data[i] = (float)values[i];
    return t;
}

void ob_const(struct ob_model *m, const char *name, int rank, const int64_t *dims, const int64_t *values)
{
    push((void ***)&m->graph.initializer, &m->graph.n_initializer,
         float_tensor(m, name, rank, dims, values));
}

int ob_node(struct ob_model *m, const char *op, const char *name, int n_in, const char *const *in,
            const char *out)
{
    Onnx__NodeProto ni = ONNX__NODE_PROTO__INIT;
    Onnx__NodeProto *n = ob_alloc(m, sizeof *n);
    *n = ni;
    n->op_type = ob_str(m, op);
    n->name = ob_str(m, name);
    for (int i = 0; i < n_in; i++)
        push((void ***)&n->input, &n->n_input, ob_str(m, in[i]));
    n->n_output = 1;
    n->output = ob_alloc(m, sizeof *n->output);
    n->output[0] = ob_str(m, out);
    push((void ***)&m->graph.node, &m->graph.n_node, n);
    return (int)m->graph.n_node - 1;
}

static Onnx__AttributeProto *attr(struct ob_model *m, int node, const char *name)
{
    Onnx__AttributeProto ai = ONNX__ATTRIBUTE_PROTO__INIT;
    Onnx__AttributeProto *a = ob_alloc(m, sizeof *a);
    *a = ai;
    a->name = ob_str(m, name);
    a->has_type = 1;
    Onnx__NodeProto *n = m->graph.node[node];
    push((void ***)&n->attribute, &n->n_attribute, a);
    return a;
}

void ob_attr_int(struct ob_model *m, int node, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = attr(m, node, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
}

void ob_attr_ints(struct ob_model *m, int node, const char *name, const int64_t *v, int n)
{
    Onnx__AttributeProto *a = attr(m, node, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a->n_ints = (size_t)n;
    a->ints = ob_alloc(m, sizeof *a->ints * (size_t)n);
    memcpy(a->ints, v, sizeof *v * (size_t)n);
}

void ob_attr_string(struct ob_model *m, int node, const char *name, const char *v)
{
    Onnx__AttributeProto *a = attr(m, node, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    a->has_s = 1;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)ob_str(m, v);
}

void ob_attr_tensor(struct ob_model *m, int node, const char *name, float v)
{
    Onnx__AttributeProto *a = attr(m, node, name);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    int64_t one = 1, value = (int64_t)v;
    a->t = float_tensor(m, name, 1, &one, &value);
}

int ob_write(const struct ob_model *m, const char *path)
{
    size_t n = onnx__model_proto__get_packed_size(&m->model);
    uint8_t *buf = malloc(n ? n : 1);
    onnx__model_proto__pack(&m->model, buf);
    FILE *f = fopen(path, "wb");
    int rc = !f || fwrite(buf, 1, n, f) != n;
    if (f && fclose(f))
        rc = 1;
    free(buf);
    return rc ? -1 : 0;
}
