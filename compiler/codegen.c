#include "codegen.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codegen_int.h"
#include "engine.h"
#include "memplan.h"
#include "ortigia/nn_sem.h"
#include "ops.h"
#include "types.h"

/* ---- the plan: where each tensor lives ----------------------------------- */

/* Graph inputs and outputs in L2; nodes whose output is their input's
 * bytes as aliases. Returns, per node, whether it gets a step of its own
 * (NULL with G->d set on an error). */
static bool *plan_places(struct gen *G, struct ort_codegen_report *r)
{
    const struct ort_graph *g = G->g;
    int nt = g->n_tensors;
    G->place = calloc((size_t)nt, sizeof *G->place);
    for (int t = 0; t < nt; t++) {
        G->place[t].alias_of = -1;
        G->place[t].buffer = -1;
    }
    int64_t at = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        struct place *p = &G->place[g->inputs[i]];
        p->where = W_INPUT;
        p->offset = at;
        at += align4(tensor_bytes(T(G, g->inputs[i])));
    }
    G->inputs_bytes = at;
    int64_t out_bytes = 0;
    for (int i = 0; i < g->n_outputs; i++) {
        int t = g->outputs[i];
        const struct ort_tensor *ot = T(G, t);
        if (ot->is_input || ot->is_const || G->place[t].where == W_OUTPUT) {
            ort_fail(G->d, "%s: output '%s' is %s; only outputs that nodes compute, each "
                           "listed once, are supported",
                     g->source, ot->name,
                     ot->is_input ? "a graph input" : ot->is_const ? "a constant" : "listed twice");
            return NULL;
        }
        if (G->place[t].where == W_NONE) {
            G->place[t].where = W_OUTPUT;
            G->place[t].offset = i;
            out_bytes += align4(tensor_bytes(T(G, t)));
        }
    }
    r->l2_io_bytes = G->inputs_bytes + out_bytes;
    /* Nodes whose output is their input's bytes (Reshape, no-op Transpose,
     * identity RequantShift) share its buffer: the output aliases the
     * input; or, when the output is a graph output, the input (an
     * intermediate) is written straight into the output's buffer. Else
     * (a constant input, another type) the node copies. */
    bool *has_step = calloc((size_t)g->n_nodes + 1, sizeof *has_step);
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        has_step[i] = !n->removed && !n->fused;
        if (n->removed || !n->alias)
            continue;
        int x = n->inputs[0], y = n->outputs[0];
        const struct ort_tensor *tx = T(G, x), *ty = T(G, y);
        if (tx->is_const || tx->storage != ty->storage)
            continue;
        if (!ty->is_output) {
            G->place[y].alias_of = x;
            has_step[i] = false;
        } else if (tx->producer >= 0 && !tx->is_output && G->place[x].alias_of < 0 &&
                   G->place[x].where == W_NONE) {
            G->place[x].alias_of = y;
            has_step[i] = false;
        }
    }
    return has_step;
}

/* Every node with a step, lowered by its engine. */
static int lower_steps(struct gen *G, const bool *has_step)
{
    const struct ort_graph *g = G->g;
    G->steps = calloc(g->n_nodes > 0 ? (size_t)g->n_nodes : 1, sizeof *G->steps);
    for (int i = 0; i < g->n_nodes; i++) {
        if (!has_step[i])
            continue;
        const struct ort_engine_ops *e = G->node_engine[i];
        struct step *s = &G->steps[G->n_steps];
        if (e->lower(G, i, s))
            return -1;
        s->engine = e;
        G->n_steps++;
    }
    return 0;
}

/* The activation arena: each buffer lives from the step that writes its
 * root to the last step that reads it or an alias of it; packed by
 * compiler/memplan. Then whether the network fits the target's memories. */
static int plan_arena(struct gen *G, struct ort_codegen_report *r)
{
    const struct ort_graph *g = G->g;
    int nt = g->n_tensors;
    struct ort_buffer *bufs = calloc((size_t)nt, sizeof *bufs);
    int nb = 0;
    for (int si = 0; si < G->n_steps; si++) {
        const struct step *s = &G->steps[si];
        for (int k = 0; k < s->plan.n; k++) {
            int t = s->operand_tensor[k];
            if (t < 0 || s->operand_const[k] >= 0)
                continue;
            t = cg_root_of(G, t);
            struct place *p = &G->place[t];
            if (p->where == W_INPUT || p->where == W_OUTPUT)
                continue;
            if (p->buffer < 0) {
                p->where = W_ARENA;
                p->buffer = nb;
                bufs[nb].size = tensor_bytes(T(G, t));
                bufs[nb].first = bufs[nb].last = si;
                nb++;
            }
            struct ort_buffer *b = &bufs[p->buffer];
            if (si < b->first)
                b->first = si;
            if (si > b->last)
                b->last = si;
        }
    }
    r->l2_peak = ort_memplan(bufs, nb, 4, &r->l2_lower_bound);
    /* Small enough: the activations live in L1, used in place. */
    r->activations_in_l1 = r->l2_peak <= G->o->l1_budget / 2;
    for (int t = 0; t < nt; t++)
        if (G->place[t].buffer >= 0)
            G->place[t].offset = bufs[G->place[t].buffer].offset;
    free(bufs);
    r->wmem_bytes = G->wmem_bytes;
    const struct ort_target *tg = G->target;
    if (r->l2_peak + r->l2_io_bytes + tg->l2_reserved_bytes > tg->l2.size)
        return ort_fail(G->d, "%s: the network does not fit L2: activations need %" PRId64
                              " bytes and inputs/outputs %" PRId64 " (with %" PRId64
                              " kept for code, stacks and the program's other networks), L2 has %" PRId64,
                        g->source, r->l2_peak, r->l2_io_bytes, tg->l2_reserved_bytes, tg->l2.size);
    if (G->wmem_bytes > tg->wmem.size)
        return ort_fail(G->d, "%s: the constants need %" PRId64 " bytes, more than the weight "
                              "memory's %" PRId64, g->source, G->wmem_bytes, tg->wmem.size);
    return 0;
}

/* Each step's staging buffers under what the L1 budget leaves beside the
 * activations (when they live in L1, operands in the arena are used in
 * place: resident). */
static void tile_steps(struct gen *G, struct ort_codegen_report *r)
{
    int64_t act_l1 = r->activations_in_l1 ? align4(r->l2_peak) : 0;
    for (int si = 0; si < G->n_steps; si++) {
        struct step *s = &G->steps[si];
        for (int k = 0; k < s->plan.n; k++) {
            int t = s->operand_tensor[k];
            s->plan.op[k].resident = r->activations_in_l1 && s->operand_const[k] < 0 && t >= 0 &&
                                     G->place[cg_root_of(G, t)].where == W_ARENA;
        }
        s->engine->tile(G, s, G->o->l1_budget - act_l1);
        if (s->plan.l1_bytes > r->l1_peak)
            r->l1_peak = s->plan.l1_bytes;
        r->tiled_steps += s->plan.tiles > 1;
        for (int k = 0; k < s->plan.n; k++)
            r->inplace_operands += s->plan.op[k].mode == NN_INPLACE && !s->plan.op[k].resident;
    }
    r->l1_lower_bound = r->l1_peak; /* one step at a time shares the arena */
    r->steps = G->n_steps;
    for (int si = 0; si < G->n_steps; si++) {
        r->estimated_cycles += G->steps[si].engine->cost(G, &G->steps[si]);
        r->npu_steps += G->steps[si].engine == &ort_engine_npu;
    }
}

/* dir/name opened for writing (its path in path), or NULL with d set. */
static FILE *open_out(const char *dir, const char *name, char *path, size_t size, struct ort_diag *d)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        ort_fail(d, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

/* Closes f, failing (d set) if anything written was lost. */
static int close_out(FILE *f, const char *path, struct ort_diag *d)
{
    bool bad = ferror(f);
    if (fclose(f) || bad)
        return ort_fail(d, "%s: write error", path);
    return 0;
}

static int write_blob(struct gen *G, const char *dir, const char *name, const uint8_t *data, int64_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, (size_t)n, f) != (size_t)n) || fclose(f))
        return ort_fail(G->d, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

static void put_values(uint8_t *dst, enum ort_dtype t, const int64_t *v, int64_t count)
{
    int es = ort_dtype_size(t);
    for (int64_t i = 0; i < count; i++)
        for (int b = 0; b < es; b++)
            dst[i * es + b] = (uint8_t)((uint64_t)v[i] >> (8 * b));
}

/* A .S file placing `blob` at `symbol` in `section`, with a zero byte
 * after it when `pad` (the inputs', which keeps L2's layout as it was).
 * The weight memory's has none: the planner's limit is the blob's size, so
 * constants that fill the weight memory exactly link. */
static int write_asm(struct gen *G, const char *dir, const char *name, const char *section,
                     const char *symbol, const char *blob, bool pad)
{
    char path[4096], abs_dir[4096];
    if (!realpath(dir, abs_dir))
        return ort_fail(G->d, "%s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return ort_fail(G->d, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "/* Generated by ortigia compile. */\n    .section %s,\"aw\",@progbits\n    .balign 8\n"
               "    .global %s\n%s:\n    .incbin \"%s/%s\"\n%s",
            section, symbol, symbol, abs_dir, blob, pad ? "    .byte 0\n" : "");
    return fclose(f) ? ort_fail(G->d, "%s: write error", path) : 0;
}

void ort_codegen_print_report(FILE *f, const struct ort_codegen_report *r)
{
    int64_t act = r->activations_in_l1 ? (r->l2_peak + 3) / 4 * 4 : 0;
    int64_t act_bound = r->activations_in_l1 ? r->l2_lower_bound : 0;
    fprintf(f, "steps: %d (%d in several tiles, %d operands too large for L1 read in place)\n", r->steps,
            r->tiled_steps,
            r->inplace_operands);
    fprintf(f, "L1: peak %" PRId64 " bytes (staging %" PRId64 " + activations %" PRId64 "), lower bound %" PRId64
               "\n", r->l1_peak + act, r->l1_peak, act, r->l1_lower_bound + act_bound);
    fprintf(f, "L2: peak %" PRId64 " bytes (activations %" PRId64 ", lower bound %" PRId64
               "; inputs and outputs %" PRId64 ")\n",
            r->l2_io_bytes + (r->activations_in_l1 ? 0 : r->l2_peak), r->activations_in_l1 ? 0 : r->l2_peak,
            r->activations_in_l1 ? 0 : r->l2_lower_bound, r->l2_io_bytes);
    fprintf(f, "weight memory: %" PRId64 " bytes of constants\n", r->wmem_bytes);
    if (r->npu_steps)
        fprintf(f, "estimated cycles: %" PRId64 " (%d steps on the cluster, %d on the NPU)\n", r->estimated_cycles,
                r->steps - r->npu_steps, r->npu_steps);
    else
        fprintf(f, "estimated cycles: %" PRId64 " (every step on the cluster)\n", r->estimated_cycles);
}

/* ---- network.c and network.h ------------------------------------------- */

static int emit_network(struct gen *G, const struct ort_codegen_report *r)
{
    const struct ort_graph *g = G->g;
    const struct ort_codegen_options *o = G->o;
    char path[4096];
    char fname[96];
    snprintf(fname, sizeof fname, "%s.c", G->net);
    G->c = open_out(o->outdir, fname, path, sizeof path, G->d);
    if (!G->c)
        return -1;
    cg_emit(G, "/* Generated by ortigia compile from %s: do not edit. */\n", g->source);
    cg_emit(G, "#include <stdint.h>\n\n#include \"ortigia/cluster.h\"\n#include \"ortigia/nn.h\"\n"
             "#include \"ortigia/nn_kernel.h\"\n#include \"ortigia/nn_npu.h\"\n#include \"ortigia/nn_sem.h\"\n"
             "#include \"%s.h\"\n\n", G->net);
    cg_emit(G, "extern const uint8_t %sweights[]; /* %sweights.S: the weight memory */\n", G->sym, G->files);
    cg_emit(G, "extern uint8_t %sinputs[];        /* %sinputs.S: L2 */\n", G->sym, G->files);
    if (o->l1_shared) {
        /* the L1 data at the start of the program's shared array (codegen.h) */
        int64_t act = r->activations_in_l1 ? (r->l2_peak + 7) / 8 * 8 : 0;
        cg_emit(G, "extern uint8_t %s[]; /* L1, shared with the program's other networks */\n", o->l1_shared);
        if (r->activations_in_l1)
            cg_emit(G, "#define ort_act (%s + 0)\n", o->l1_shared);
        else
            cg_emit(G, "static uint8_t ort_act[%" PRId64 "] __attribute__((aligned(8)));\n",
                    r->l2_peak ? r->l2_peak : 4);
        cg_emit(G, "#define ort_l1_arena (%s + %" PRId64 ")\n", o->l1_shared, act);
    } else {
        cg_emit(G, "static uint8_t ort_act[%" PRId64 "] __attribute__((%saligned(8)));\n",
                r->l2_peak ? r->l2_peak : 4, r->activations_in_l1 ? "section(\".l1bss\"), " : "");
        cg_emit(G, "static uint8_t ort_l1_arena[%" PRId64 "] __attribute__((section(\".l1bss\"), aligned(8)));\n",
                r->l1_peak ? r->l1_peak : 4);
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (G->place[g->outputs[i]].where == W_OUTPUT && G->place[g->outputs[i]].offset == i)
            cg_emit(G, "uint8_t %soutput_%d[%" PRId64 "] __attribute__((aligned(4)));\n", G->sym, i,
                    tensor_bytes(T(G, g->outputs[i])));
    for (int k = 0; k < G->n_engines; k++)
        G->engines[k]->emit_shared(G);
    for (int si = 0; si < G->n_steps; si++)
        G->steps[si].engine->emit(G, si);
    if (o->profile)
        cg_emit(G, "\nuint32_t %sstep_cycles[%d];\n", G->sym, G->n_steps ? G->n_steps : 1);
    /* Every core runs the steps in order; one barrier between steps. */
    cg_emit(G, "\nstatic void network_body(void *arg)\n{\n    (void)arg;\n");
    if (o->profile)
        cg_emit(G, "    uint32_t t = rt_cycles(), now, core = rt_core_id();\n");
    int ordinal = 0;
    for (int si = 0; si < G->n_steps; si++) {
        G->steps[si].engine->emit_run(G, si, &ordinal);
        if (o->profile)
            cg_emit(G, "    if (core == 0) {\n        now = rt_cycles();\n        %sstep_cycles[%d] = now - t;\n"
                       "        t = now;\n    }\n", G->sym, si);
    }
    cg_emit(G, "}\n\nvoid %s_run(void)\n{\n    nn_run_network(network_body);\n}\n", G->net);
    FILE *c = G->c;
    G->c = NULL;
    if (close_out(c, path, G->d))
        return -1;

    snprintf(fname, sizeof fname, "%s.h", G->net);
    FILE *h = open_out(o->outdir, fname, path, sizeof path, G->d);
    if (!h)
        return -1;
    fprintf(h, "/* Generated by ortigia compile: the compiled network. */\n#ifndef %s_H\n"
               "#define %s_H\n\n#include <stdint.h>\n\n/* Runs the network once on the cluster "
               "(core 0 calls it). */\nvoid %s_run(void);\n\n", G->NET, G->NET, G->net);
    for (int i = 0; i < g->n_outputs; i++)
        fprintf(h, "extern uint8_t %soutput_%d[]; /* '%s', %s */\n", G->sym, i, T(G, g->outputs[i])->name,
                ctype(T(G, g->outputs[i])->storage));
    /* Where each graph input lives (a harness that feeds the network
     * writes there before network_run). */
    fprintf(h, "extern uint8_t %sinputs[];\n", G->sym);
    for (int i = 0; i < g->n_inputs; i++)
        fprintf(h, "#define %s_INPUT_%d (%sinputs + %" PRId64 ") /* '%s', %s */\n", G->NET, i, G->sym,
                G->place[g->inputs[i]].offset, T(G, g->inputs[i])->name, ctype(T(G, g->inputs[i])->storage));
    fprintf(h, "\n#endif\n");
    return close_out(h, path, G->d);
}

/* ---- main.c: a harness template ------------------------------------------ */

/* firmware_dir/harness/<name>.c, whose lines starting with "//!" describe
 * the template and are left out, becomes outdir/main.c. */
static int write_harness(struct gen *G)
{
    const struct ort_codegen_options *o = G->o;
    char tpath[4096], path[4096];
    if (!o->firmware_dir)
        return ort_fail(G->d, "%s: no firmware folder given for the harness templates", G->g->source);
    snprintf(tpath, sizeof tpath, "%s/harness/%s.c", o->firmware_dir, o->harness ? o->harness : "main");
    size_t len;
    unsigned char *text = ort_read_file(tpath, &len, G->d);
    if (!text)
        return -1;
    FILE *f = open_out(o->outdir, "main.c", path, sizeof path, G->d);
    if (!f) {
        free(text);
        return -1;
    }
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && text[end] != '\n')
            end++;
        end += end < len; /* with its newline */
        if (!(end - at >= 3 && !memcmp(text + at, "//!", 3)))
            fwrite(text + at, 1, end - at, f);
        at = end;
    }
    free(text);
    return close_out(f, path, G->d);
}

/* ---- weights and inputs -------------------------------------------------- */

/* The constants in their storage types (weights transposed where a step
 * stores them so), the graph inputs' initial values, and the .S files
 * that place them. */
static int write_blobs(struct gen *G)
{
    const struct ort_graph *g = G->g;
    const struct ort_codegen_options *o = G->o;
    uint8_t *blob = calloc((size_t)(G->wmem_bytes > G->inputs_bytes ? G->wmem_bytes : G->inputs_bytes) + 8, 1);
    for (int i = 0; i < G->n_consts; i++) {
        const struct stored_const *c = &G->consts[i];
        if (c->tensor < 0) {
            put_values(blob + c->offset, c->type, c->data, c->count);
            continue;
        }
        const struct ort_tensor *t = T(G, c->tensor);
        int64_t count = ort_shape_count(&t->shape);
        if (!c->transposed) {
            put_values(blob + c->offset, t->storage, t->data, count);
            continue;
        }
        int64_t rows = t->shape.dim[0], cols = t->shape.dim[1];
        int64_t *tr = malloc(sizeof *tr * (size_t)count);
        for (int64_t a = 0; a < rows; a++)
            for (int64_t b = 0; b < cols; b++)
                tr[b * rows + a] = t->data[a * cols + b];
        put_values(blob + c->offset, t->storage, tr, count);
        free(tr);
    }
    char wbin[96], ibin[96], ws[96], is[96], wsym[96], isym[96], isec[96];
    snprintf(wbin, sizeof wbin, "%sweights.bin", G->files), snprintf(ibin, sizeof ibin, "%sinputs.bin", G->files);
    snprintf(ws, sizeof ws, "%sweights.S", G->files), snprintf(is, sizeof is, "%sinputs.S", G->files);
    snprintf(wsym, sizeof wsym, "%sweights", G->sym), snprintf(isym, sizeof isym, "%sinputs", G->sym);
    snprintf(isec, sizeof isec, ".data.%sinputs", G->sym);
    int rc = write_blob(G, o->outdir, wbin, blob, G->wmem_bytes);
    if (!rc) {
        memset(blob, 0, (size_t)G->inputs_bytes);
        for (int i = 0; i < g->n_inputs && o->inputs; i++) {
            const struct ort_tensor *t = T(G, g->inputs[i]);
            const struct ort_array *a = ort_npz_input(g, o->inputs, i);
            if (a && ort_shape_count(&a->shape) == ort_shape_count(&t->shape))
                put_values(blob + G->place[g->inputs[i]].offset, t->storage, a->data, ort_shape_count(&t->shape));
        }
        rc = write_blob(G, o->outdir, ibin, blob, G->inputs_bytes) ||
             write_asm(G, o->outdir, ws, ".wmem", wsym, wbin, false) ||
             write_asm(G, o->outdir, is, isec, isym, ibin, true);
    }
    free(blob);
    return rc ? -1 : 0;
}

/* ---- report.txt --------------------------------------------------------- */

static int write_report(struct gen *G, const struct ort_codegen_report *r)
{
    const struct ort_graph *g = G->g;
    char path[4096];
    char fname[96];
    snprintf(fname, sizeof fname, "%sreport.txt", G->files);
    FILE *rep = open_out(G->o->outdir, fname, path, sizeof path, G->d);
    if (!rep)
        return -1;
    fprintf(rep, "model: %s\nL1 budget: %" PRId64 " bytes\n", g->source, G->o->l1_budget);
    ort_codegen_print_report(rep, r);
    fprintf(rep, "estimated cycles: %" PRId64 "\n", r->estimated_cycles);
    fprintf(rep, "\nstep  node (op)  engine  estimated cycles  units/tile x tiles  L1 bytes  operands\n");
    for (int si = 0; si < G->n_steps; si++) {
        const struct step *s = &G->steps[si];
        const struct ort_node *n = &g->nodes[s->node];
        fprintf(rep, "%4d  %s (%s)  %s  %" PRId64 "  %" PRId64 "/%" PRId64 " x %" PRId64 "  %" PRId64 " ", si,
                n->name, n->op_type, s->engine->name, s->engine->cost(G, s), s->plan.units, s->plan.tile_units,
                s->plan.tiles, s->plan.l1_bytes);
        for (int k = 0; k < s->plan.n; k++)
            fprintf(rep, " %s:%s", s->operand_tensor[k] >= 0 ? T(G, s->operand_tensor[k])->name : "(table)",
                    cg_mode_name(s->plan.op[k].mode) + 3);
        fprintf(rep, "\n");
    }
    return close_out(rep, path, G->d);
}

/* ---- the stages ------------------------------------------------------------ */

int ort_codegen(const struct ort_graph *g, const struct ort_codegen_options *o,
                struct ort_codegen_report *r, struct ort_diag *d)
{
    struct gen G = {.g = g, .o = o, .target = o->target, .d = d};
    memset(r, 0, sizeof *r);
    if (o->name && (!o->name[0] || strlen(o->name) > 40 || strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                                                              strlen(o->name)))
        return ort_fail(d, "network name '%s': 1..40 lower-case letters, digits and underscores", o->name);
    snprintf(G.sym, sizeof G.sym, "%s_", o->name ? o->name : "ort");
    snprintf(G.net, sizeof G.net, "%s", o->name ? o->name : "network");
    for (size_t i = 0; G.net[i]; i++)
        G.NET[i] = (char)toupper((unsigned char)G.net[i]);
    snprintf(G.files, sizeof G.files, "%s%s", o->name ? o->name : "", o->name ? "_" : "");
    bool *has_step = NULL;
    int rc = -1;
    /* The engines first: an engine the platform lacks writes nothing. */
    if (cg_map_engines(&G))
        goto out;
    if (mkdir(o->outdir, 0777) && errno != EEXIST) {
        ort_fail(d, "%s: cannot create: %s", o->outdir, strerror(errno));
        goto out;
    }
    has_step = plan_places(&G, r);
    if (!has_step || cg_map_nodes(&G, has_step))
        goto out;
    npu_plan_layouts(&G);
    if (lower_steps(&G, has_step) || plan_arena(&G, r))
        goto out;
    tile_steps(&G, r);
    for (int si = 0; si < G.n_steps; si++)
        if ((G.steps[si].kind == S_NPU_GEMM || G.steps[si].kind == S_NPU_CONV) && G.steps[si].npu.infeasible) {
            const struct ort_node *n = &g->nodes[G.steps[si].node];
            ort_fail(d, "%s: node '%s' (%s): its NPU step's buffers do not fit the L1 budget of %" PRId64
                        " bytes (the NPU reads only L1)", g->source, n->name, n->op_type, o->l1_budget);
            goto out;
        }
    if (emit_network(&G, r))
        goto out;
    r->step_names = calloc(G.n_steps > 0 ? (size_t)G.n_steps : 1, sizeof *r->step_names);
    r->step_estimates = calloc(G.n_steps > 0 ? (size_t)G.n_steps : 1, sizeof *r->step_estimates);
    r->step_engines = calloc(G.n_steps > 0 ? (size_t)G.n_steps : 1, sizeof *r->step_engines);
    for (int si = 0; si < G.n_steps; si++) {
        snprintf(r->step_names[si], sizeof r->step_names[si], "%s (%s)", g->nodes[G.steps[si].node].name,
                 g->nodes[G.steps[si].node].op_type);
        r->step_estimates[si] = G.steps[si].engine->cost(&G, &G.steps[si]);
        r->step_engines[si] = G.steps[si].engine->name;
    }
    if ((!o->name && write_harness(&G)) || write_blobs(&G) || write_report(&G, r))
        goto out;
    rc = 0;
out:
    if (G.c)
        fclose(G.c);
    free(has_step);
    free(G.node_engine);
    free(G.hwc);
    free(G.place);
    for (int i = 0; i < G.n_consts; i++)
        free(G.consts[i].data);
    free(G.consts);
    free(G.steps);
    return rc;
}

int64_t ort_codegen_l1_bytes(const struct ort_codegen_report *r)
{
    return (r->activations_in_l1 ? (r->l2_peak + 7) / 8 * 8 : 0) + (r->l1_peak ? r->l1_peak : 4);
}
