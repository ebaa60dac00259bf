#include "types.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"

static const struct ort_array *npz_pick(const struct ort_graph *g, const struct ort_npz *npz,
                                        const char *prefix, int tensor, int i)
{
    char name[64];
    snprintf(name, sizeof name, "%s_%d", prefix, i);
    const struct ort_array *a = ort_npz_find(npz, name);
    if (!a)
        a = ort_npz_find(npz, g->tensors[tensor].name);
    if (!a && i < npz->n)
        a = &npz->arrays[i];
    return a;
}

const struct ort_array *ort_npz_input(const struct ort_graph *g, const struct ort_npz *npz, int i)
{
    return npz_pick(g, npz, "input", g->inputs[i], i);
}

const struct ort_array *ort_npz_output(const struct ort_graph *g, const struct ort_npz *npz, int i)
{
    return npz_pick(g, npz, "output", g->outputs[i], i);
}

static void bounds_of(const int64_t *v, int64_t n, int64_t *lo, int64_t *hi)
{
    *lo = n ? v[0] : 0;
    *hi = n ? v[0] : 0;
    for (int64_t i = 1; i < n; i++) {
        if (v[i] < *lo)
            *lo = v[i];
        if (v[i] > *hi)
            *hi = v[i];
    }
}

static int storage_for(struct ort_graph *g, struct ort_tensor *t, const char *who, struct ort_diag *d)
{
    if (t->lo >= -128 && t->hi <= 127)
        t->storage = ORT_DT_INT8;
    else if (t->lo >= 0 && t->hi <= 255)
        t->storage = ORT_DT_UINT8;
    else if (t->lo >= INT32_MIN && t->hi <= INT32_MAX)
        t->storage = ORT_DT_INT32;
    else
        return ort_fail(d, "%s: %s: the values of '%s' may reach [%" PRId64 ", %" PRId64
                           "], beyond int32, which the target does not store",
                        g->source, who, t->name, t->lo, t->hi);
    return 0;
}

int ort_types_infer(struct ort_graph *g, const struct ort_npz *inputs, struct ort_diag *d)
{
    for (int i = 0; i < g->n_tensors; i++) {
        struct ort_tensor *t = &g->tensors[i];
        if (t->is_const)
            bounds_of(t->data, ort_shape_count(&t->shape), &t->lo, &t->hi);
    }
    for (int i = 0; i < g->n_inputs; i++) {
        struct ort_tensor *t = &g->tensors[g->inputs[i]];
        const struct ort_array *a = inputs ? ort_npz_input(g, inputs, i) : NULL;
        if (t->dtype == ORT_DT_FLOAT || t->dtype == ORT_DT_UNDEFINED || t->dtype == ORT_DT_INT64 ||
            (a && t->dtype == ORT_DT_INT32)) {
            /* Deeploy's convention: an input's type is the narrowest that
             * holds its test values; without them, int8. */
            if (a)
                bounds_of(a->data, ort_shape_count(&a->shape), &t->lo, &t->hi);
            else
                ort_dtype_range(ORT_DT_INT8, &t->lo, &t->hi);
            if (t->lo >= -128 && t->hi <= 127)
                ort_dtype_range(ORT_DT_INT8, &t->lo, &t->hi);
            else if (t->lo >= 0 && t->hi <= 255)
                ort_dtype_range(ORT_DT_UINT8, &t->lo, &t->hi);
            else if (t->lo >= INT32_MIN && t->hi <= INT32_MAX)
                ort_dtype_range(ORT_DT_INT32, &t->lo, &t->hi);
        } else {
            ort_dtype_range(t->dtype, &t->lo, &t->hi);
        }
        char who[300];
        snprintf(who, sizeof who, "input '%s'", t->name);
        if (storage_for(g, t, who, d))
            return -1;
    }
    for (int i = 0; i < g->n_tensors; i++) {
        struct ort_tensor *t = &g->tensors[i];
        if (t->is_const && storage_for(g, t, "constant", d))
            return -1;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        struct ort_tensor *o = &g->tensors[n->outputs[0]];
        n->op->range(g, n, &o->lo, &o->hi);
        char who[300];
        snprintf(who, sizeof who, "node '%s' (%s)", n->name, n->op_type);
        if (storage_for(g, o, who, d))
            return -1;
    }
    return 0;
}
