#include "onnx_import.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"


static const char *dtype_supported(int dt)
{
    switch (dt) {
    case ORT_DT_FLOAT: case ORT_DT_UINT8: case ORT_DT_INT8: case ORT_DT_UINT16:
    case ORT_DT_INT16: case ORT_DT_INT32: case ORT_DT_INT64:
        return NULL;
    default:
        return "unsupported element type";
    }
}

/* A TensorProto's values as int64 (integral check for floats). */
static int tensor_values(const char *src, const char *what, const Onnx__TensorProto *t,
                         struct ort_shape *shape, int64_t **out, struct ort_diag *d)
{
    if (t->n_dims > ORT_MAX_RANK)
        return ort_fail(d, "%s: %s has rank %zu, at most %d supported", src, what, t->n_dims,
                        ORT_MAX_RANK);
    if (dtype_supported(t->data_type))
        return ort_fail(d, "%s: %s has element type %d (only integer types and float holding "
                           "integers are supported)", src, what, t->data_type);
    if (t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return ort_fail(d, "%s: %s uses external data, which is not supported", src, what);
    shape->rank = (int)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++)
        shape->dim[i] = t->dims[i];
    if (ort_shape_check(shape, src, what, d))
        return -1;
    int64_t count = ort_shape_count(shape);
    int64_t *v = calloc((size_t)(count ? count : 1), sizeof *v);
    if (!v)
        return ort_fail(d, "%s: out of memory", src);
    enum ort_dtype dt = (enum ort_dtype)t->data_type;
    int esize = ort_dtype_size(dt);
    size_t have;
    if (t->raw_data.len)
        have = t->raw_data.len / (size_t)esize;
    else if (dt == ORT_DT_FLOAT)
        have = t->n_float_data;
    else if (dt == ORT_DT_INT64)
        have = t->n_int64_data;
    else
        have = t->n_int32_data;
    if (have != (size_t)count || (t->raw_data.len && t->raw_data.len % (size_t)esize)) {
        free(v);
        return ort_fail(d, "%s: %s holds %zu values, its shape needs %lld", src, what, have,
                        (long long)count);
    }
    const unsigned char *r = t->raw_data.data;
    for (int64_t i = 0; i < count; i++) {
        double f = 0;
        bool is_float = false;
        if (t->raw_data.len) {
            const unsigned char *p = r + i * esize;
            uint64_t u = 0;
            for (int b = esize - 1; b >= 0; b--)
                u = u << 8 | p[b];
            switch (dt) {
            case ORT_DT_INT8: v[i] = (int8_t)u; break;
            case ORT_DT_UINT8: case ORT_DT_UINT16: v[i] = (int64_t)u; break;
            case ORT_DT_INT16: v[i] = (int16_t)u; break;
            case ORT_DT_INT32: v[i] = (int32_t)u; break;
            case ORT_DT_INT64: v[i] = (int64_t)u; break;
            default: {
                uint32_t bits = (uint32_t)u;
                float ff;
                memcpy(&ff, &bits, 4);
                f = ff;
                is_float = true;
            }
            }
        } else if (dt == ORT_DT_FLOAT) {
            f = t->float_data[i];
            is_float = true;
        } else if (dt == ORT_DT_INT64) {
            v[i] = t->int64_data[i];
        } else {
            v[i] = t->int32_data[i];
        }
        if (is_float) {
            if (!(f == floor(f)) || fabs(f) > 9.0e18) {
                free(v);
                return ort_fail(d, "%s: %s holds %g at element %lld: only integer networks are "
                                   "supported (float tensors must hold integers)",
                                src, what, f, (long long)i);
            }
            v[i] = (int64_t)f;
        }
    }
    *out = v;
    return 0;
}

static int make_constant(struct ort_graph *g, const char *name, const Onnx__TensorProto *t,
                         const char *what, struct ort_diag *d)
{
    int ti = ort_graph_tensor(g, name);
    struct ort_tensor *x = &g->tensors[ti];
    int64_t *data;
    struct ort_shape shape;
    if (tensor_values(g->source, what, t, &shape, &data, d))
        return -1;
    free(x->data);
    x->data = data;
    x->shape = shape;
    x->shape_known = true;
    x->dtype = (enum ort_dtype)t->data_type;
    x->is_const = true;
    return 0;
}

static int value_info(struct ort_graph *g, const Onnx__ValueInfoProto *vi, int ti, struct ort_diag *d)
{
    struct ort_tensor *x = &g->tensors[ti];
    if (!vi->type || !vi->type->tensor_type)
        return ort_fail(d, "%s: '%s' is not a tensor", g->source, vi->name);
    Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (tt->has_elem_type && tt->elem_type && dtype_supported(tt->elem_type))
        return ort_fail(d, "%s: '%s' has element type %d, which is not supported", g->source,
                        vi->name, tt->elem_type);
    if (tt->has_elem_type)
        x->dtype = (enum ort_dtype)tt->elem_type;
    if (!tt->shape)
        return 0;
    if (tt->shape->n_dim > ORT_MAX_RANK)
        return ort_fail(d, "%s: '%s' has rank %zu, at most %d supported", g->source, vi->name,
                        tt->shape->n_dim, ORT_MAX_RANK);
    struct ort_shape s = {.rank = (int)tt->shape->n_dim};
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[i];
        if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            return x->is_input ? ort_fail(d, "%s: input '%s' has a symbolic dimension '%s'; "
                                             "only fixed shapes are supported",
                                          g->source, vi->name,
                                          dim->dim_param ? dim->dim_param : "?")
                               : 0;
        /* -1, a dynamic size, leaves the shape of an intermediate or an
         * output to inference, as a symbolic one does */
        if (dim->dim_value == -1 && !x->is_input)
            return 0;
        s.dim[i] = dim->dim_value;
    }
    char what[300];
    snprintf(what, sizeof what, "%s '%s'", x->is_input ? "input" : x->is_output ? "output" : "tensor",
             vi->name);
    if (ort_shape_check(&s, g->source, what, d))
        return -1;
    x->shape = s;
    x->shape_known = true;
    return 0;
}

static int import_attribute(struct ort_graph *g, int node, const Onnx__AttributeProto *a,
                            struct ort_diag *d)
{
    const char *nname = g->nodes[node].name;
    const char *op = g->nodes[node].op_type;
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: {
        double v = a->f;
        ort_node_add_attr(g, node, a->name, ORT_ATTR_NUMBER, &v, 1);
        return 0;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: {
        double v = (double)a->i;
        ort_node_add_attr(g, node, a->name, ORT_ATTR_NUMBER, &v, 1);
        return 0;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
        /* e.g. Conv's auto_pad; bytes in the model, kept as a C string */
        char *str = calloc(a->s.len + 1, 1);
        if (a->s.len)
            memcpy(str, a->s.data, a->s.len);
        ort_node_add_attr_str(g, node, a->name, str);
        free(str);
        return 0;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: {
        size_t n = a->n_ints ? a->n_ints : a->n_floats;
        double *v = calloc(n ? n : 1, sizeof *v);
        for (size_t i = 0; i < a->n_ints; i++)
            v[i] = (double)a->ints[i];
        for (size_t i = 0; i < a->n_floats; i++)
            v[i] = a->floats[i];
        ort_node_add_attr(g, node, a->name, ORT_ATTR_LIST, v, n);
        free(v);
        return 0;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
        /* Deeploy's integer operators carry scalars as one-element tensors;
         * kept as numbers (exact as float tensors hold them). */
        const Onnx__TensorProto *t = a->t;
        char what[512];
        snprintf(what, sizeof what, "attribute '%s' of node '%s'", a->name, nname);
        if (!t)
            return ort_fail(d, "%s: %s is empty", g->source, what);
        struct ort_shape s;
        int64_t *vals;
        if (t->data_type == ORT_DT_FLOAT && t->raw_data.len == 4 * (size_t)1 && t->n_dims <= 1) {
            /* a float scalar may be fractional (e.g. a scale): keep it */
            uint32_t bits = (uint32_t)t->raw_data.data[0] | (uint32_t)t->raw_data.data[1] << 8 |
                            (uint32_t)t->raw_data.data[2] << 16 | (uint32_t)t->raw_data.data[3] << 24;
            float f;
            memcpy(&f, &bits, 4);
            double v = f;
            ort_node_add_attr(g, node, a->name, ORT_ATTR_NUMBER, &v, 1);
            return 0;
        }
        if (tensor_values(g->source, what, t, &s, &vals, d))
            return -1;
        int64_t n = ort_shape_count(&s);
        double *v = calloc((size_t)(n ? n : 1), sizeof *v);
        for (int64_t i = 0; i < n; i++)
            v[i] = (double)vals[i];
        ort_node_add_attr(g, node, a->name, n == 1 ? ORT_ATTR_NUMBER : ORT_ATTR_LIST, v, (size_t)n);
        free(v);
        free(vals);
        return 0;
    }
    default:
        return ort_fail(d, "%s: node '%s' (%s): attribute '%s' has a type (%d) that is not "
                           "supported",
                        g->source, nname, op, a->name, (int)a->type);
    }
}

struct ort_graph *ort_onnx_load(const char *path, struct ort_diag *d)
{
    size_t len;
    unsigned char *buf = ort_read_file(path, &len, d);
    if (!buf)
        return NULL;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m) {
        ort_fail(d, "%s: not an ONNX model (the protobuf does not parse; truncated or corrupt?)",
                 path);
        return NULL;
    }
    struct ort_graph *g = ort_graph_new(path);
    Onnx__GraphProto *gp = m->graph;
    if (!gp) {
        ort_fail(d, "%s: the model has no graph", path);
        goto fail;
    }
    for (size_t i = 0; i < gp->n_initializer; i++) {
        char what[512];
        snprintf(what, sizeof what, "initializer '%s'", gp->initializer[i]->name);
        if (make_constant(g, gp->initializer[i]->name, gp->initializer[i], what, d))
            goto fail;
    }
    if (gp->n_sparse_initializer) {
        ort_fail(d, "%s: sparse initializers are not supported", path);
        goto fail;
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        int ti = ort_graph_tensor(g, gp->input[i]->name);
        if (g->tensors[ti].is_const)
            continue; /* an input with a default value: a constant */
        g->tensors[ti].is_input = true;
        if (value_info(g, gp->input[i], ti, d))
            goto fail;
        if (!g->tensors[ti].shape_known) {
            ort_fail(d, "%s: input '%s' has no shape", path, gp->input[i]->name);
            goto fail;
        }
        g->inputs = realloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof *g->inputs);
        g->inputs[g->n_inputs++] = ti;
    }
    for (size_t i = 0; i < gp->n_node; i++) {
        Onnx__NodeProto *np = gp->node[i];
        char fallback[32];
        snprintf(fallback, sizeof fallback, "node%zu", i);
        const char *name = np->name && *np->name ? np->name : fallback;
        if (np->domain && *np->domain && strcmp(np->domain, "ai.onnx") != 0 &&
            strcmp(np->op_type, "Constant") == 0) {
            ort_fail(d, "%s: node '%s': Constant from domain '%s'", path, name, np->domain);
            goto fail;
        }
        if (strcmp(np->op_type, "Constant") == 0) {
            /* folded at once: its output is a constant tensor */
            if (np->n_output != 1 || np->n_attribute != 1 ||
                strcmp(np->attribute[0]->name, "value") != 0 || !np->attribute[0]->t) {
                ort_fail(d, "%s: node '%s' (Constant): only the 'value' attribute (a tensor) is "
                            "supported",
                         path, name);
                goto fail;
            }
            char what[512];
            snprintf(what, sizeof what, "the value of Constant node '%s'", name);
            if (make_constant(g, np->output[0], np->attribute[0]->t, what, d))
                goto fail;
            continue;
        }
        int n = ort_graph_add_node(g, name, np->op_type);
        for (size_t k = 0; k < np->n_input; k++)
            ort_node_add_input(g, n, *np->input[k] ? ort_graph_tensor(g, np->input[k]) : -1);
        for (size_t k = 0; k < np->n_output; k++) {
            if (!*np->output[k]) {
                ort_fail(d, "%s: node '%s' (%s) has an unnamed output", path, name, np->op_type);
                goto fail;
            }
            ort_node_add_output(g, n, ort_graph_tensor(g, np->output[k]));
        }
        for (size_t k = 0; k < np->n_attribute; k++)
            if (import_attribute(g, n, np->attribute[k], d))
                goto fail;
    }
    for (size_t i = 0; i < gp->n_value_info; i++) {
        int ti = ort_graph_find(g, gp->value_info[i]->name);
        if (ti >= 0 && !g->tensors[ti].is_const && value_info(g, gp->value_info[i], ti, d))
            goto fail;
    }
    for (size_t i = 0; i < gp->n_output; i++) {
        int ti = ort_graph_tensor(g, gp->output[i]->name);
        g->tensors[ti].is_output = true;
        if (value_info(g, gp->output[i], ti, d))
            goto fail;
        g->outputs = realloc(g->outputs, (size_t)(g->n_outputs + 1) * sizeof *g->outputs);
        g->outputs[g->n_outputs++] = ti;
    }
    if (g->n_outputs == 0) {
        ort_fail(d, "%s: the graph has no outputs", path);
        goto fail;
    }
    if (ort_graph_sort(g, d))
        goto fail;
    for (int i = 0; i < g->n_outputs; i++) {
        struct ort_tensor *t = &g->tensors[g->outputs[i]];
        if (t->producer < 0 && !t->is_input && !t->is_const) {
            ort_fail(d, "%s: output '%s' is produced by no node", path, t->name);
            goto fail;
        }
    }
    onnx__model_proto__free_unpacked(m, NULL);
    return g;
fail:
    onnx__model_proto__free_unpacked(m, NULL);
    ort_graph_free(g);
    return NULL;
}
