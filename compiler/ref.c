#include "ref.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "types.h"

int64_t *ort_ref_eval_node(const struct ort_graph *g, int i, int64_t *const *values,
                           struct ort_diag *d)
{
    const struct ort_node *n = &g->nodes[i];
    const int64_t *in[64] = {0};
    for (int k = 0; k < n->n_inputs && k < 64; k++)
        in[k] = n->inputs[k] >= 0 ? values[n->inputs[k]] : NULL;
    const struct ort_tensor *o = &g->tensors[n->outputs[0]];
    int64_t count = ort_shape_count(&o->shape);
    int64_t *out = calloc((size_t)(count ? count : 1), sizeof *out);
    if (!out) {
        ort_fail(d, "%s: out of memory evaluating node '%s'", g->source, n->name);
        return NULL;
    }
    if (n->op->eval(g, n, in, out, d)) {
        free(out);
        return NULL;
    }
    return out;
}

static int check_values(const struct ort_graph *g, const struct ort_tensor *t, const int64_t *v,
                        const char *who, struct ort_diag *d)
{
    int64_t lo, hi, count = ort_shape_count(&t->shape);
    ort_dtype_range(t->storage, &lo, &hi);
    for (int64_t i = 0; i < count; i++)
        if (v[i] < t->lo || v[i] > t->hi || v[i] < lo || v[i] > hi)
            return ort_fail(d, "%s: %s: value %" PRId64 " at element %" PRId64 " of '%s' is outside "
                               "its bounds [%" PRId64 ", %" PRId64 "] (%s)",
                            g->source, who, v[i], i, t->name, t->lo, t->hi, ort_dtype_name(t->storage));
    return 0;
}

int ort_ref_run(const struct ort_graph *g, const struct ort_npz *inputs, int64_t ***values_out,
                struct ort_diag *d)
{
    int64_t **values = calloc((size_t)g->n_tensors, sizeof *values);
    if (!values)
        return ort_fail(d, "out of memory");
    *values_out = values;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].is_const)
            values[t] = g->tensors[t].data;
    if (ort_npz_check(g, inputs, false, d))
        return -1;
    for (int i = 0; i < g->n_inputs; i++) {
        const struct ort_tensor *t = &g->tensors[g->inputs[i]];
        const struct ort_array *a = ort_npz_input(g, inputs, i);
        size_t bytes = sizeof(int64_t) * (size_t)ort_shape_count(&t->shape);
        values[g->inputs[i]] = malloc(bytes ? bytes : 1);
        memcpy(values[g->inputs[i]], a->data, bytes);
        char who[300];
        snprintf(who, sizeof who, "input array '%s'", a->name);
        if (check_values(g, t, a->data, who, d))
            return -1;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        int64_t *out = ort_ref_eval_node(g, i, values, d);
        if (!out)
            return -1;
        values[n->outputs[0]] = out;
        char who[300];
        snprintf(who, sizeof who, "node '%s' (%s)", n->name, n->op_type);
        if (check_values(g, &g->tensors[n->outputs[0]], out, who, d))
            return -1;
    }
    return 0;
}

void ort_ref_free(const struct ort_graph *g, int64_t **values)
{
    if (!values)
        return;
    for (int t = 0; t < g->n_tensors; t++)
        if (!g->tensors[t].is_const)
            free(values[t]);
    free(values);
}

int ort_compare_outputs(const struct ort_graph *g, int64_t *const *outputs, const struct ort_npz *expected,
                        long long *errors, long long *total, void *log, struct ort_diag *d)
{
    FILE *f = log;
    int shown = 0;
    *errors = *total = 0;
    if (ort_npz_check(g, expected, true, d))
        return -1;
    for (int i = 0; i < g->n_outputs; i++) {
        const struct ort_tensor *t = &g->tensors[g->outputs[i]];
        const struct ort_array *a = ort_npz_output(g, expected, i);
        int64_t count = ort_shape_count(&t->shape);
        for (int64_t k = 0; k < count; k++) {
            if (outputs[i][k] != a->data[k]) {
                if (f && shown++ < 10)
                    fprintf(f, "ortigia: mismatch: output '%s' element %" PRId64 ": got %" PRId64
                               ", expected %" PRId64 "\n",
                            t->name, k, outputs[i][k], a->data[k]);
                (*errors)++;
            }
        }
        *total += count;
    }
    return 0;
}
