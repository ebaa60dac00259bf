/*
 * An engine: something on the target that runs steps of a network (the
 * cluster's cores today; an NPU later). The code generator knows engines
 * only through this interface: the mapping (mapping.c) asks can_run per
 * node, in the target's engine order, before anything is lowered; the
 * chosen engine then lowers the node to a step, tiles it, estimates its
 * cycles and emits its code. Each step records its engine, and its
 * runtime descriptor carries the engine's tag (nn.h: NN_OPERANDS).
 *
 * To add an engine: implement these callbacks in engine_<name>.c, list
 * it in mapping.c's registry and in the target's engines
 * (compiler/target.c), and give it a runtime tag in nn.h.
 */
#ifndef ORTIGIA_COMPILER_ENGINE_H
#define ORTIGIA_COMPILER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codegen_int.h"
#include "ortigia/nn.h"

struct ort_engine_ops {
    const char *name;   /* as --engine and the report name it */
    enum nn_engine tag; /* in the runtime's step descriptor */
    const char *tag_name; /* the tag as the generated C spells it */
    /* Whether the engine runs node `node` (checked, typed, fused); when
     * not, why (into why[size]). */
    bool (*can_run)(const struct gen *G, int node, char *why, size_t size);
    /* Whether the node is the kind of work the engine exists for (NULL:
     * every node): with --engine <name>, such a node the engine cannot
     * run is an error, the others go to the first engine that runs them. */
    bool (*applies)(const struct gen *G, int node);
    /* The node as a step: kind, operands and their modes, stored
     * constants. Fails (G->d) on what the engine cannot generate. */
    int (*lower)(struct gen *G, int node, struct step *s);
    /* Tiles of the step's units under `l1_budget` bytes of staging. */
    void (*tile)(const struct gen *G, struct step *s, int64_t l1_budget);
    /* Estimated cycles of the step (the target's cost model). */
    int64_t (*cost)(const struct gen *G, const struct step *s);
    /* Once into network.c, before any step: what its steps share. */
    void (*emit_shared)(struct gen *G);
    /* Step `si`'s code and descriptor into network.c. */
    void (*emit)(struct gen *G, int si);
    /* The statement of network_body (run by every core, steps in order)
     * that runs step `si`; `ordinal` counts the steps run with a
     * descriptor, for the runtime's descriptor slots. */
    void (*emit_run)(struct gen *G, int si, int *ordinal);
};

extern const struct ort_engine_ops ort_engine_cluster;
extern const struct ort_engine_ops ort_engine_npu;

/* mapping.c: the target's engines (G->engines) and the one --engine
 * names (G->forced, NULL for auto); an error for an engine the target
 * lacks. */
int cg_map_engines(struct gen *G);
/* An engine for every node that gets a step (has_step[i]). With --engine
 * auto, among the engines that run it, the one whose step the cost model
 * finds cheapest (the first on a tie). With --engine <name>, that engine
 * for every node it applies to (an error naming a node it applies to but
 * cannot run), the first engine that runs it for the others. An error
 * when no engine runs a node. */
int cg_map_nodes(struct gen *G, const bool *has_step);
/* After the mapping: the tensors that NPU convolutions hand to NPU
 * convolutions stay HWC, the NPU's layout (G->hwc), so that no step moves
 * them between layouts. */
void npu_plan_layouts(struct gen *G);

#endif
