#include "types.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"

/* k when `name` is "<prefix>_<k>", else -1. */
static int numbered(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || name[n] != '_' || !isdigit((unsigned char)name[n + 1]))
        return -1;
    char *end;
    long k = strtol(name + n + 1, &end, 10);
    return *end || k > INT_MAX ? -1 : (int)k;
}

/* The graph input (or output) that array `name` names: "<prefix>_<k>" or
 * a tensor's name; -1 for none. */
static int named_for(const struct ort_graph *g, const int *list, int n, const char *prefix,
                     const char *name)
{
    int k = numbered(name, prefix);
    if (k >= 0)
        return k;
    for (int i = 0; i < n; i++)
        if (strcmp(g->tensors[list[i]].name, name) == 0)
            return i;
    return -1;
}

/* "<prefix>_<i>", else the tensor's name, else the i-th array when its
 * name does not name another input (output) nor the other kind. */
static const struct ort_array *npz_pick(const struct ort_graph *g, const struct ort_npz *npz, bool output,
                                        int i)
{
    const char *prefix = output ? "output" : "input", *other = output ? "input" : "output";
    const int *list = output ? g->outputs : g->inputs;
    int n = output ? g->n_outputs : g->n_inputs;
    char name[64];
    snprintf(name, sizeof name, "%s_%d", prefix, i);
    const struct ort_array *a = ort_npz_find(npz, name);
    if (!a)
        a = ort_npz_find(npz, g->tensors[list[i]].name);
    if (!a && i < npz->n) {
        const struct ort_array *p = &npz->arrays[i];
        int k = named_for(g, list, n, prefix, p->name);
        if ((k < 0 || k == i) && numbered(p->name, other) < 0)
            a = p;
    }
    return a;
}

const struct ort_array *ort_npz_input(const struct ort_graph *g, const struct ort_npz *npz, int i)
{
    return npz_pick(g, npz, false, i);
}

const struct ort_array *ort_npz_output(const struct ort_graph *g, const struct ort_npz *npz, int i)
{
    return npz_pick(g, npz, true, i);
}

/* "'a', 'b'" (or "none"), cut short when long. */
static const char *array_names(const struct ort_npz *npz, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < npz->n && at + 8 < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s'%s'", i ? ", " : "", npz->arrays[i].name);
    if (at >= size - 8)
        snprintf(buf + size - 8, 8, ", ...");
    return npz->n ? buf : "none";
}

/* ort_npz_check's work; used[k] marks the arrays that feed the graph. */
static int check_arrays(const struct ort_graph *g, const struct ort_npz *npz, bool output, const char *file,
                        bool *used, struct ort_diag *d)
{
    const char *kind = output ? "output" : "input";
    const int *list = output ? g->outputs : g->inputs;
    int n = output ? g->n_outputs : g->n_inputs;
    char names[400], x[128], y[128];
    for (int i = 0; i < n; i++) {
        const struct ort_tensor *t = &g->tensors[list[i]];
        const struct ort_array *a = npz_pick(g, npz, output, i);
        if (!a)
            return ort_fail(d, "%s: no array for graph %s %d ('%s'): expected one named '%s_%d' or "
                               "'%s' (the file has %s)",
                            file, kind, i, t->name, kind, i, t->name, array_names(npz, names, sizeof names));
        used[a - npz->arrays] = true;
        if (!ort_shape_equal(&a->shape, &t->shape))
            return ort_fail(d, "%s: array '%s' has shape %s, graph %s %d ('%s') is %s", file, a->name,
                            ort_shape_str(&a->shape, x, sizeof x), kind, i, t->name,
                            ort_shape_str(&t->shape, y, sizeof y));
        /* Inputs: the declared integer type (int32 at most, what the
         * target stores); outputs: the values the network can produce. */
        int64_t lo = t->lo, hi = t->hi;
        const char *what = "the values the network computes";
        if (!output) {
            enum ort_dtype dt = t->dtype;
            if (dt != ORT_DT_INT8 && dt != ORT_DT_UINT8 && dt != ORT_DT_INT16 && dt != ORT_DT_UINT16)
                dt = ORT_DT_INT32;
            ort_dtype_range(dt, &lo, &hi);
            what = ort_dtype_name(dt);
        }
        int64_t count = ort_shape_count(&a->shape);
        for (int64_t k = 0; k < count; k++)
            if (a->data[k] < lo || a->data[k] > hi)
                return ort_fail(d, "%s: array '%s' holds %" PRId64 " at element %" PRId64 ", outside "
                                   "[%" PRId64 ", %" PRId64 "] (%s) of graph %s %d ('%s')",
                                file, a->name, a->data[k], k, lo, hi, what, kind, i, t->name);
    }
    /* Other arrays are let be (Deeploy's files may hold a constant too),
     * except one named for an input (output) the network does not have. */
    for (int k = 0; k < npz->n; k++)
        if (!used[k] && numbered(npz->arrays[k].name, kind) >= 0) {
            size_t at = 0;
            names[0] = 0;
            for (int i = 0; i < n && at + 8 < sizeof names; i++)
                at += (size_t)snprintf(names + at, sizeof names - at, "%s'%s'", i ? ", " : "",
                                       g->tensors[list[i]].name);
            return ort_fail(d, "%s: array '%s' is for no graph %s (the network has %d: %s)", file,
                            npz->arrays[k].name, kind, n, names);
        }
    return 0;
}

int ort_npz_check(const struct ort_graph *g, const struct ort_npz *npz, bool output, struct ort_diag *d)
{
    const char *file = npz->source ? npz->source : output ? "outputs" : "inputs";
    bool *used = calloc((size_t)npz->n + 1, sizeof *used);
    if (!used)
        return ort_fail(d, "%s: out of memory", file);
    int rc = check_arrays(g, npz, output, file, used, d);
    free(used);
    return rc;
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
