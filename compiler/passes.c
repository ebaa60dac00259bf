#include "passes.h"

#include <stdlib.h>

#include "ops.h"
#include "ref.h"

int ort_pass_fold_constants(struct ort_graph *g, struct ort_diag *d)
{
    int64_t **values = calloc((size_t)g->n_tensors, sizeof *values);
    for (int t = 0; t < g->n_tensors; t++)
        values[t] = g->tensors[t].data;
    for (int i = 0; i < g->n_nodes; i++) {
        struct ort_node *n = &g->nodes[i];
        if (n->removed)
            continue;
        bool all_const = true;
        for (int k = 0; k < n->n_inputs && all_const; k++)
            all_const = n->inputs[k] < 0 || g->tensors[n->inputs[k]].is_const;
        struct ort_tensor *o = &g->tensors[n->outputs[0]];
        if (!all_const || o->is_output)
            continue;
        int64_t *v = ort_ref_eval_node(g, i, values, d);
        if (!v) {
            free(values);
            return -1;
        }
        o->data = values[n->outputs[0]] = v;
        o->is_const = true;
        o->producer = -1;
        n->removed = true;
    }
    free(values);
    return 0;
}
