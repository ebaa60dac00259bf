/* The mapping stage: which engine runs each node, decided before any node
 * is lowered (engine.h). */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Every engine the compiler can generate code for; the target says which
 * of them the platform has. */
static const struct ort_engine_ops *const known_engines[] = {&ort_engine_cluster};

static const struct ort_engine_ops *find_engine(const char *name)
{
    for (size_t i = 0; i < sizeof known_engines / sizeof known_engines[0]; i++)
        if (!strcmp(known_engines[i]->name, name))
            return known_engines[i];
    return NULL;
}

static const char *requested_engine(enum ort_engine e)
{
    switch (e) {
    case ORT_ENGINE_CLUSTER: return "cluster";
    case ORT_ENGINE_NPU: return "npu";
    default: return NULL;
    }
}

int cg_map_engines(struct gen *G)
{
    const struct ort_target *t = G->target;
    const char *want = requested_engine(G->o->engine);
    G->n_engines = 0;
    for (int i = 0; i < t->n_engines; i++) {
        const struct ort_engine_ops *e = find_engine(t->engines[i]);
        if (!e)
            return ort_fail(G->d, "%s: the target lists engine '%s', which the compiler does not know",
                            G->g->source, t->engines[i]);
        if (!want || !strcmp(want, e->name))
            G->engines[G->n_engines++] = e;
    }
    if (G->n_engines == 0 && want && !strcmp(want, "npu"))
        return ort_fail(G->d, "%s: --engine npu: this platform has no NPU model yet; use cluster or auto",
                        G->g->source);
    if (G->n_engines == 0)
        return ort_fail(G->d, "%s: --engine %s: the target has no such engine", G->g->source,
                        want ? want : "auto");
    return 0;
}

int cg_map_nodes(struct gen *G, const bool *has_step)
{
    const struct ort_graph *g = G->g;
    G->node_engine = calloc(g->n_nodes > 0 ? (size_t)g->n_nodes : 1, sizeof *G->node_engine);
    for (int i = 0; i < g->n_nodes; i++) {
        if (!has_step[i])
            continue;
        for (int k = 0; k < G->n_engines && !G->node_engine[i]; k++)
            if (G->engines[k]->can_run(G, i))
                G->node_engine[i] = G->engines[k];
        if (!G->node_engine[i])
            return ort_fail(G->d, "%s: node '%s' (%s): no engine of the target runs it", g->source,
                            g->nodes[i].name, g->nodes[i].op_type);
    }
    return 0;
}
