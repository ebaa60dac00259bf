/* The mapping stage: which engine runs each node, decided before any node
 * is lowered (engine.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Every engine the compiler can generate code for; the target says which
 * of them the platform has. */
static const struct ort_engine_ops *const known_engines[] = {&ort_engine_cluster, &ort_engine_npu};

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
    G->forced = NULL;
    for (int i = 0; i < t->n_engines; i++) {
        const struct ort_engine_ops *e = find_engine(t->engines[i]);
        if (!e)
            return ort_fail(G->d, "%s: the target lists engine '%s', which the compiler does not know",
                            G->g->source, t->engines[i]);
        G->engines[G->n_engines++] = e;
        if (want && !strcmp(want, e->name))
            G->forced = e;
    }
    if (want && !G->forced)
        return ort_fail(G->d, "%s: --engine %s: this platform has no %s%s", G->g->source, want,
                        !strcmp(want, "npu") ? "NPU" : want,
                        !strcmp(want, "npu") ? " (npu.enabled is 0); use cluster or auto" : "");
    return 0;
}

/* The cost of node ni's step on engine e, tiled under the whole L1
 * budget, its operands staged (where activations live is planned after
 * the mapping). What the trial lowering stores is undone. */
static int64_t trial_cost(struct gen *G, const struct ort_engine_ops *e, int ni)
{
    int n_consts = G->n_consts;
    int64_t wmem_bytes = G->wmem_bytes;
    struct ort_diag *d = G->d, quiet = {0};
    G->d = &quiet;
    struct step s;
    int64_t cost = -1;
    if (!e->lower(G, ni, &s)) {
        s.engine = e;
        e->tile(G, &s, G->o->l1_budget);
        cost = e->cost(G, &s);
    }
    G->d = d;
    for (int i = n_consts; i < G->n_consts; i++)
        free(G->consts[i].data);
    G->n_consts = n_consts;
    G->wmem_bytes = wmem_bytes;
    return cost;
}

int cg_map_nodes(struct gen *G, const bool *has_step)
{
    const struct ort_graph *g = G->g;
    G->node_engine = calloc(g->n_nodes > 0 ? (size_t)g->n_nodes : 1, sizeof *G->node_engine);
    char why[256], first_why[256] = "";
    for (int i = 0; i < g->n_nodes; i++) {
        if (!has_step[i])
            continue;
        const struct ort_node *n = &g->nodes[i];
        const struct ort_engine_ops *f = G->forced;
        first_why[0] = 0;
        if (f && (!f->applies || f->applies(G, i))) {
            if (f->can_run(G, i, why, sizeof why)) {
                G->node_engine[i] = f;
                continue;
            }
            if (!G->o->engine_where_possible)
                return ort_fail(G->d, "%s: node '%s' (%s): --engine %s: %s", g->source, n->name, n->op_type,
                                f->name, why);
        }
        /* The engines that run it; with several, the cheapest. */
        const struct ort_engine_ops *cand[ORT_TARGET_MAX_ENGINES];
        int nc = 0;
        for (int k = 0; k < G->n_engines; k++) {
            if (G->engines[k]->can_run(G, i, why, sizeof why))
                cand[nc++] = G->engines[k];
            else if (!first_why[0])
                snprintf(first_why, sizeof first_why, "%s", why);
        }
        if (nc > 0)
            G->node_engine[i] = cand[0];
        if (nc > 1 && (!f || G->o->engine_where_possible)) {
            int64_t best = trial_cost(G, cand[0], i);
            for (int k = 1; k < nc; k++) {
                int64_t c = trial_cost(G, cand[k], i);
                if (c >= 0 && (best < 0 || c < best)) {
                    best = c;
                    G->node_engine[i] = cand[k];
                }
            }
        }
        if (!G->node_engine[i])
            return ort_fail(G->d, "%s: node '%s' (%s): no engine of the target runs it (%s)", g->source,
                            n->name, n->op_type, first_why);
    }
    return 0;
}
