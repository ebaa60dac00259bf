#include "ir.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "ortigia: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *c = xrealloc(NULL, n);
    memcpy(c, s ? s : "", n);
    return c;
}

const char *ort_dtype_name(enum ort_dtype t)
{
    switch (t) {
    case ORT_DT_FLOAT: return "float";
    case ORT_DT_UINT8: return "uint8";
    case ORT_DT_INT8: return "int8";
    case ORT_DT_UINT16: return "uint16";
    case ORT_DT_INT16: return "int16";
    case ORT_DT_INT32: return "int32";
    case ORT_DT_INT64: return "int64";
    default: return "undefined";
    }
}

int ort_dtype_size(enum ort_dtype t)
{
    switch (t) {
    case ORT_DT_UINT8: case ORT_DT_INT8: return 1;
    case ORT_DT_UINT16: case ORT_DT_INT16: return 2;
    case ORT_DT_INT32: case ORT_DT_FLOAT: return 4;
    case ORT_DT_INT64: return 8;
    default: return 0;
    }
}

void ort_dtype_range(enum ort_dtype t, int64_t *lo, int64_t *hi)
{
    switch (t) {
    case ORT_DT_UINT8: *lo = 0; *hi = 255; break;
    case ORT_DT_INT8: *lo = -128; *hi = 127; break;
    case ORT_DT_UINT16: *lo = 0; *hi = 65535; break;
    case ORT_DT_INT16: *lo = -32768; *hi = 32767; break;
    case ORT_DT_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

int64_t ort_shape_count(const struct ort_shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->dim[i];
    return n;
}

int ort_shape_check(const struct ort_shape *s, const char *source, const char *what, struct ort_diag *d)
{
    int64_t n = 1;
    bool too_many = false;
    for (int i = 0; i < s->rank; i++) {
        int64_t v = s->dim[i];
        if (v < 0)
            return ort_fail(d, "%s: %s: dimension %d is %" PRId64 "; only fixed sizes are supported%s",
                            source, what, i, v,
                            v == -1 ? " (a dynamic size, -1, must be fixed before compiling)" : "");
        if (v > ORT_MAX_ELEMENTS || (v && n > ORT_MAX_ELEMENTS / v))
            too_many = true;
        else
            n *= v;
    }
    if (too_many) {
        char buf[256];
        return ort_fail(d, "%s: %s: shape %s has more than %" PRId64 " elements, the most a tensor "
                           "may have",
                        source, what, ort_shape_str(s, buf, sizeof buf), ORT_MAX_ELEMENTS);
    }
    return 0;
}

bool ort_shape_equal(const struct ort_shape *a, const struct ort_shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

const char *ort_shape_str(const struct ort_shape *s, char *buf, size_t size)
{
    size_t at = 0;
    at += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%" PRId64, i ? "," : "", s->dim[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
    return buf;
}

struct ort_graph *ort_graph_new(const char *source)
{
    struct ort_graph *g = xrealloc(NULL, sizeof *g);
    memset(g, 0, sizeof *g);
    g->source = xstrdup(source);
    return g;
}

void ort_graph_free(struct ort_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->tensors[i].name);
        free(g->tensors[i].data);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        free(n->name);
        free(n->op_type);
        free(n->inputs);
        free(n->outputs);
        for (int a = 0; a < n->n_attrs; a++) {
            free(n->attrs[a].name);
            free(n->attrs[a].values);
            free(n->attrs[a].str);
        }
        free(n->attrs);
    }
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->source);
    free(g);
}

int ort_graph_find(const struct ort_graph *g, const char *name)
{
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0)
            return i;
    return -1;
}

int ort_graph_tensor(struct ort_graph *g, const char *name)
{
    int i = ort_graph_find(g, name);
    if (i >= 0)
        return i;
    if (g->n_tensors == g->cap_tensors) {
        g->cap_tensors = g->cap_tensors ? 2 * g->cap_tensors : 64;
        g->tensors = xrealloc(g->tensors, (size_t)g->cap_tensors * sizeof *g->tensors);
    }
    struct ort_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->producer = -1;
    return g->n_tensors++;
}

int ort_graph_add_node(struct ort_graph *g, const char *name, const char *op_type)
{
    if (g->n_nodes == g->cap_nodes) {
        g->cap_nodes = g->cap_nodes ? 2 * g->cap_nodes : 64;
        g->nodes = xrealloc(g->nodes, (size_t)g->cap_nodes * sizeof *g->nodes);
    }
    struct ort_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->name = xstrdup(name);
    n->op_type = xstrdup(op_type);
    return g->n_nodes++;
}

void ort_node_add_input(struct ort_graph *g, int node, int tensor)
{
    struct ort_node *n = &g->nodes[node];
    n->inputs = xrealloc(n->inputs, (size_t)(n->n_inputs + 1) * sizeof *n->inputs);
    n->inputs[n->n_inputs++] = tensor;
}

void ort_node_add_output(struct ort_graph *g, int node, int tensor)
{
    struct ort_node *n = &g->nodes[node];
    n->outputs = xrealloc(n->outputs, (size_t)(n->n_outputs + 1) * sizeof *n->outputs);
    n->outputs[n->n_outputs++] = tensor;
}

struct ort_attr *ort_node_add_attr(struct ort_graph *g, int node, const char *name,
                                   enum ort_attr_kind kind, const double *values, size_t n)
{
    struct ort_node *nd = &g->nodes[node];
    nd->attrs = xrealloc(nd->attrs, (size_t)(nd->n_attrs + 1) * sizeof *nd->attrs);
    struct ort_attr *a = &nd->attrs[nd->n_attrs++];
    a->name = xstrdup(name);
    a->kind = kind;
    a->n = n;
    a->values = xrealloc(NULL, n * sizeof *a->values);
    if (n)
        memcpy(a->values, values, n * sizeof *a->values);
    a->used = false;
    a->str = NULL;
    return a;
}

struct ort_attr *ort_node_add_attr_str(struct ort_graph *g, int node, const char *name, const char *str)
{
    struct ort_attr *a = ort_node_add_attr(g, node, name, ORT_ATTR_STRING, NULL, 0);
    a->str = xstrdup(str);
    return a;
}

struct ort_attr *ort_node_attr(struct ort_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) {
            n->attrs[i].used = true;
            return &n->attrs[i];
        }
    return NULL;
}

static int integral(const struct ort_graph *g, const struct ort_node *n, const char *name, double v,
                    int64_t *out, struct ort_diag *d)
{
    if (!(v == floor(v)) || fabs(v) > 9.0e18)
        return ort_fail(d, "%s: node '%s' (%s): attribute '%s' = %g is not an integer", g->source,
                        n->name, n->op_type, name, v);
    *out = (int64_t)v;
    return 0;
}

int ort_attr_int(const struct ort_graph *g, struct ort_node *n, const char *name, int64_t dflt,
                 int64_t *out, struct ort_diag *d)
{
    struct ort_attr *a = ort_node_attr(n, name);
    *out = dflt;
    if (!a)
        return 0;
    if (a->n != 1)
        return ort_fail(d, "%s: node '%s' (%s): attribute '%s' has %zu values, expected one",
                        g->source, n->name, n->op_type, name, a->n);
    return integral(g, n, name, a->values[0], out, d);
}

int ort_attr_float(struct ort_node *n, const char *name, double dflt, double *out)
{
    struct ort_attr *a = ort_node_attr(n, name);
    *out = a && a->n == 1 ? a->values[0] : dflt;
    return 0;
}

int ort_attr_str(const struct ort_graph *g, struct ort_node *n, const char *name, const char *dflt,
                 const char **out, struct ort_diag *d)
{
    struct ort_attr *a = ort_node_attr(n, name);
    *out = dflt;
    if (!a)
        return 0;
    if (a->kind != ORT_ATTR_STRING)
        return ort_fail(d, "%s: node '%s' (%s): attribute '%s' must be a string", g->source, n->name,
                        n->op_type, name);
    *out = a->str;
    return 0;
}

int ort_attr_ints(const struct ort_graph *g, struct ort_node *n, const char *name, int64_t *out,
                  int max, int *count, struct ort_diag *d)
{
    struct ort_attr *a = ort_node_attr(n, name);
    *count = 0;
    if (!a)
        return 0;
    if (a->n > (size_t)max)
        return ort_fail(d, "%s: node '%s' (%s): attribute '%s' has %zu values, at most %d allowed",
                        g->source, n->name, n->op_type, name, a->n, max);
    for (size_t i = 0; i < a->n; i++)
        if (integral(g, n, name, a->values[i], &out[i], d))
            return -1;
    *count = (int)a->n;
    return 0;
}

int ort_graph_sort(struct ort_graph *g, struct ort_diag *d)
{
    for (int t = 0; t < g->n_tensors; t++)
        g->tensors[t].producer = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int o = 0; o < g->nodes[i].n_outputs; o++) {
            struct ort_tensor *t = &g->tensors[g->nodes[i].outputs[o]];
            if (t->producer >= 0)
                return ort_fail(d, "%s: tensor '%s' is produced by both node '%s' and node '%s'",
                                g->source, t->name, g->nodes[t->producer].name, g->nodes[i].name);
            if (t->is_const || t->is_input)
                return ort_fail(d, "%s: node '%s' writes tensor '%s', which is a %s", g->source,
                                g->nodes[i].name, t->name, t->is_const ? "constant" : "graph input");
            t->producer = i;
        }
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int ti = g->nodes[i].inputs[k];
            if (ti < 0)
                continue;
            struct ort_tensor *t = &g->tensors[ti];
            if (t->producer < 0 && !t->is_input && !t->is_const)
                return ort_fail(d,
                                "%s: node '%s' (%s) reads tensor '%s', which no node produces and "
                                "which is neither a graph input nor an initializer",
                                g->source, g->nodes[i].name, g->nodes[i].op_type, t->name);
        }
    /* Kahn's algorithm, stable: among ready nodes the earliest in the file
     * goes first, so the order stays the model's where it can. */
    int n = g->n_nodes;
    int *order = xrealloc(NULL, (size_t)n * sizeof *order);
    char *placed = xrealloc(NULL, (size_t)n);
    char *ready_tensor = xrealloc(NULL, (size_t)g->n_tensors);
    memset(placed, 0, (size_t)n);
    for (int t = 0; t < g->n_tensors; t++)
        ready_tensor[t] = g->tensors[t].is_input || g->tensors[t].is_const;
    int done = 0;
    bool progress = true;
    while (done < n && progress) {
        progress = false;
        for (int i = 0; i < n; i++) {
            if (placed[i])
                continue;
            bool ok = true;
            for (int k = 0; k < g->nodes[i].n_inputs && ok; k++) {
                int t = g->nodes[i].inputs[k];
                ok = t < 0 || ready_tensor[t];
            }
            if (!ok)
                continue;
            placed[i] = 1;
            order[done++] = i;
            for (int o = 0; o < g->nodes[i].n_outputs; o++)
                ready_tensor[g->nodes[i].outputs[o]] = 1;
            progress = true;
        }
    }
    int rc = 0;
    if (done < n) {
        int bad = 0;
        while (placed[bad])
            bad++;
        rc = ort_fail(d, "%s: node '%s' (%s) is on a cycle",
                      g->source, g->nodes[bad].name, g->nodes[bad].op_type);
    } else {
        struct ort_node *sorted = xrealloc(NULL, (size_t)n * sizeof *sorted);
        for (int i = 0; i < n; i++)
            sorted[i] = g->nodes[order[i]];
        if (n)
            memcpy(g->nodes, sorted, (size_t)n * sizeof *sorted);
        free(sorted);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < g->nodes[i].n_outputs; o++)
                g->tensors[g->nodes[i].outputs[o]].producer = i;
    }
    free(order);
    free(placed);
    free(ready_tensor);
    return rc;
}
