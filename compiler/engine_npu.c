/*
 * The NPU as an engine (engine.h): a product with a constant weight matrix
 * (MatMul, Gemm) as 1x1 jobs of the N-EUREKA model (models/npu/npu.h), the
 * way Deeploy lowers a GEMM: the product's rows are the pixels of an H x W
 * image with K input channels, the weights N filters of 1x1 x K, encoded
 * at compile time into the weight memory, where the NPU reads them over
 * its own port. The runtime (firmware/include/ortigia/nn_npu.h) stages the
 * rows in L1 like any step's.
 *
 * The requantization that follows the product is the NPU's own: Deeploy's
 * RequantShift computes clip((x * mul + add + 2^(s-1)) >> s), the NPU
 * clip((acc * scale + bias) >> s) in 32 bits without rounding, so the
 * rounding term folds into the bias, and so do per-channel offsets and
 * scales before it (a bias Add, Gemm's C, a TrueIntegerDiv's factor). A
 * step goes to the NPU only when this is exact: every value the ranges
 * allow stays within int32, the constants vary by output channel only,
 * and the clip is the full int8 or uint8 range (uint8: the NPU's ReLU).
 * Epilogue links after the requantization with scalar constants run on
 * the cores afterwards, as a table over the 8-bit values. A product
 * without an epilogue comes out as raw int32 accumulators.
 *
 * Convolutions of the NPU's forms (1x1, 3x3 dense and depthwise) run as its
 * jobs on HWC rows, the same fold for their requantization (or, where it
 * is not exact, the raw accumulators and the epilogue on the cores); the
 * graph is NCHW, so the step moves its rows between the layouts, except
 * for the tensors NPU convolutions hand to each other, which stay HWC
 * (npu_plan_layouts). See "convolutions" below and docs/compiler.md.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "npu_ref.h"

/* Jobs per tile: both job contexts, so core 0 programs the second while
 * the first runs. */
#define NPU_MAX_JOBS 2

/* What the NPU computes of a node, per output channel j:
 *   quant: clip((scale[j] * acc + bias[j]) >> shift) to int8 (uint8: relu)
 *   raw:   acc as int32
 * then the epilogue from tail_from on, on the cores. */
struct fold {
    bool quant, relu;
    int shift;
    int64_t *scale, *bias; /* N each when quant */
    int tail_from;         /* first link after the requantization */
    bool tail_computes;    /* a link from there on computes (not only aliases) */
    int64_t lo, hi;        /* the requantization's output range */
};

static bool no(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool no(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return false;
}

/* The value of constant t for output channel j of a result with N
 * channels along axis `axis` of `rank` axes (axis -1: the last axis of
 * t, a product's): t is a scalar or varies along that axis only. */
static bool channel_value(const struct ort_tensor *t, int64_t N, int axis, int rank, int64_t j, int64_t *v)
{
    if (!t->is_const)
        return false;
    int64_t count = ort_shape_count(&t->shape);
    if (count == 1) {
        *v = t->data[0];
        return true;
    }
    if (axis < 0) {
        if (t->shape.rank < 1 || t->shape.dim[t->shape.rank - 1] != N || count != N)
            return false;
    } else {
        if (count != N)
            return false;
        for (int i = 0; i < t->shape.rank; i++)
            if (t->shape.dim[i] != 1 && i + rank - t->shape.rank != axis)
                return false;
    }
    *v = t->data[j];
    return true;
}

static bool fits32(__int128 v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* Beyond this an affine coefficient is not worth checking further: the
 * int32 checks below would fail anyway. */
#define AFFINE_LIMIT ((int64_t)1 << 40)

/* The fold of node n's epilogue into the NPU's arithmetic (the file's
 * comment); false with why when it is not exact. f->scale/bias are owned
 * by the caller on success. */
static bool fold_epilogue(const struct gen *G, const struct ort_node *n, int64_t N, struct fold *f, char *why,
                          size_t size)
{
    const struct ort_graph *g = G->g;
    /* a convolution's channels are axis 1 of its output, a product's the last */
    bool conv = n->op->id == ORT_OPID_CONV;
    int axis = conv ? 1 : -1, rank = T(G, n->outputs[0])->shape.rank;
    memset(f, 0, sizeof *f);
    int64_t *a = malloc(sizeof *a * (size_t)N), *b = malloc(sizeof *b * (size_t)N);
    bool ok = false;
    for (int64_t j = 0; j < N; j++)
        a[j] = 1, b[j] = 0;
    if (n->op->id == ORT_OPID_GEMM) {
        bool has_c = n->n_inputs > 2 && n->inputs[2] >= 0;
        for (int64_t j = 0; j < N; j++) {
            int64_t c = 0;
            a[j] = n->p.alpha;
            if (has_c && !channel_value(T(G, n->inputs[2]), N, axis, rank, j, &c)) {
                no(why, size, "Gemm's C varies along the rows (the NPU's bias is per output channel)");
                goto out;
            }
            b[j] = n->p.beta * c;
        }
    }
    /* a convolution's bias: the node's output is acc + bias[j] */
    int64_t bias_lo = 0, bias_hi = 0;
    if (conv && n->n_inputs > 2 && n->inputs[2] >= 0) {
        const struct ort_tensor *bt = T(G, n->inputs[2]);
        for (int64_t j = 0; j < N; j++) {
            b[j] = bt->data[j];
            bias_lo = j == 0 || b[j] < bias_lo ? b[j] : bias_lo;
            bias_hi = j == 0 || b[j] > bias_hi ? b[j] : bias_hi;
        }
    }
    int cur = n->outputs[0], e = 0;
    bool affine_links = conv && (bias_lo || bias_hi);
    for (; e < n->n_epilogue; e++) {
        const struct ort_node *c = &g->nodes[n->epilogue[e]];
        if (c->alias) {
            cur = c->outputs[0];
            continue;
        }
        int id = c->op->id;
        if (id == ORT_OPID_REQUANT_SHIFT)
            break;
        if (id != ORT_OPID_ADD && id != ORT_OPID_MUL && id != ORT_OPID_TRUE_INTEGER_DIV) {
            no(why, size, "epilogue link '%s' (%s) before the requantization is not a per-channel "
                          "offset or factor", c->name, c->op_type);
            goto out;
        }
        int side[ORT_LINK_MAX_INPUTS];
        int ns = cg_link_sides(c, cur, side);
        for (int64_t j = 0; j < N; j++) {
            int64_t sv[ORT_LINK_MAX_INPUTS];
            for (int k = 0; k < ns; k++)
                if (side[k] < 0 || !channel_value(T(G, side[k]), N, axis, rank, j, &sv[k])) {
                    no(why, size, "epilogue link '%s' (%s) has an input that varies along the rows",
                       c->name, c->op_type);
                    goto out;
                }
            /* v -> k v + c, checked affine at two more points */
            int64_t f0 = c->op->link_eval(g, c, 0, sv), f1 = c->op->link_eval(g, c, 1, sv);
            int64_t k1 = f1 - f0;
            if (c->op->link_eval(g, c, -3, sv) != f0 - 3 * k1 ||
                c->op->link_eval(g, c, 1000, sv) != f0 + 1000 * k1) {
                no(why, size, "epilogue link '%s' (%s) is not affine", c->name, c->op_type);
                goto out;
            }
            if (llabs(a[j]) > AFFINE_LIMIT || llabs(b[j]) > AFFINE_LIMIT || llabs(k1) > AFFINE_LIMIT ||
                llabs(f0) > AFFINE_LIMIT) {
                no(why, size, "epilogue link '%s' (%s): its values exceed int32", c->name, c->op_type);
                goto out;
            }
            a[j] *= k1;
            b[j] = b[j] * k1 + f0;
        }
        affine_links = true;
        cur = c->outputs[0];
    }
    const struct ort_tensor *acct = T(G, n->outputs[0]);
    /* the accumulators' range (a convolution's output less its bias) */
    struct {
        int64_t lo, hi;
    } accr = {acct->lo - bias_hi, acct->hi - bias_lo}, *acc = &accr;
    if (!fits32(acc->lo) || !fits32(acc->hi)) {
        no(why, size, "the products' range [%" PRId64 ", %" PRId64 "] exceeds the NPU's 32-bit "
                      "accumulators", acc->lo, acc->hi);
        goto out;
    }
    if (e == n->n_epilogue) { /* no requantization: the raw accumulators */
        bool identity = !affine_links;
        for (int64_t j = 0; j < N && identity; j++)
            identity = a[j] == 1 && b[j] == 0;
        if (!identity) {
            no(why, size, "an epilogue without a requantization (the NPU's offsets and factors need one)");
            goto out;
        }
        if (T(G, cg_final_output(G, n))->storage != ORT_DT_INT32) {
            no(why, size, "the raw accumulators are not stored as int32");
            goto out;
        }
        f->tail_from = n->n_epilogue;
        ok = true;
        goto out;
    }
    const struct ort_node *r = &g->nodes[n->epilogue[e]];
    ort_levels_range(r->p.n_levels, r->p.is_signed, &f->lo, &f->hi);
    if (!(f->lo == -128 && f->hi == 127) && !(f->lo == 0 && f->hi == 255)) {
        no(why, size, "requantization '%s' clips to [%" PRId64 ", %" PRId64 "]; the NPU clips to int8 "
                      "or uint8 only", r->name, f->lo, f->hi);
        goto out;
    }
    f->quant = true;
    f->relu = f->lo == 0;
    f->shift = (int)r->p.log2d;
    f->scale = malloc(sizeof *f->scale * (size_t)N);
    f->bias = malloc(sizeof *f->bias * (size_t)N);
    int side[ORT_LINK_MAX_INPUTS];
    cg_link_sides(r, cur, side);
    int64_t round = f->shift ? (int64_t)1 << (f->shift - 1) : 0;
    for (int64_t j = 0; j < N; j++) {
        int64_t mul, add;
        if (!channel_value(T(G, side[0]), N, axis, rank, j, &mul) ||
            !channel_value(T(G, side[1]), N, axis, rank, j, &add)) {
            no(why, size, "requantization '%s' varies along the rows (the NPU's scale and bias are "
                          "per output channel)", r->name);
            goto out;
        }
        __int128 s = (__int128)a[j] * mul, bb = (__int128)b[j] * mul + add + round;
        /* Exact in 32 bits at both ends of the products' range (the
         * value is linear in acc), so at every value between. */
        if (!fits32(s * acc->lo + bb) || !fits32(s * acc->hi + bb)) {
            no(why, size, "requantization '%s' needs more than 32 bits for the products' range "
                          "[%" PRId64 ", %" PRId64 "]", r->name, acc->lo, acc->hi);
            goto out;
        }
        /* the registers hold them modulo 2^32, which is what the NPU computes in */
        f->scale[j] = (int64_t)(uint32_t)(uint64_t)(int64_t)s;
        f->bias[j] = (int64_t)(uint32_t)(uint64_t)(int64_t)bb;
    }
    f->tail_from = e + 1;
    cur = r->outputs[0];
    for (int t = e + 1; t < n->n_epilogue; t++) {
        const struct ort_node *c = &g->nodes[n->epilogue[t]];
        if (!c->alias && !cg_scalar_sides(G, c, cur)) {
            no(why, size, "epilogue link '%s' (%s) after the requantization has a tensor input", c->name,
               c->op_type);
            goto out;
        }
        f->tail_computes = f->tail_computes || !c->alias;
        cur = c->outputs[0];
    }
    const struct ort_tensor *fin = T(G, cg_final_output(G, n));
    /* A product's table may widen (a residual branch's int32 terms): the
     * NPU writes bytes to L1, the cores map them into the output. */
    bool wide_ok = !conv && f->tail_computes && esize(fin) == 4;
    if ((esize(fin) != 1 && !wide_ok) ||
        (!f->tail_computes && fin->storage != (f->relu ? ORT_DT_UINT8 : ORT_DT_INT8))) {
        no(why, size, "the result '%s' is not stored in the NPU's 8-bit output type", fin->name);
        goto out;
    }
    ok = true;
out:
    free(a);
    free(b);
    if (!ok) {
        free(f->scale);
        free(f->bias);
        f->scale = f->bias = NULL;
    }
    return ok;
}

static bool conv_form(const struct gen *G, const struct ort_node *n, char *why, size_t size);
static bool conv_can_run(const struct gen *G, const struct ort_node *n, char *why, size_t size);

static bool npu_applies(const struct gen *G, int node)
{
    const struct ort_node *n = &G->g->nodes[node];
    char why[8];
    if (n->op->id == ORT_OPID_CONV)
        return conv_form(G, n, why, sizeof why);
    return n->op->step == ORT_STEP_PRODUCT && T(G, n->inputs[1])->is_const && !T(G, n->inputs[0])->is_const;
}

static bool npu_can_run(const struct gen *G, int node, char *why, size_t size)
{
    const struct ort_node *n = &G->g->nodes[node];
    if (n->op->id == ORT_OPID_CONV)
        return conv_can_run(G, n, why, size);
    if (n->op->step != ORT_STEP_PRODUCT)
        return no(why, size, "the NPU runs products and convolutions with constant weights only");
    struct ort_matmul m;
    ort_matmul_dims(G->g, n, &m);
    const struct ort_tensor *a = T(G, n->inputs[0]), *b = T(G, n->inputs[1]);
    if (!b->is_const || a->is_const)
        return no(why, size, "the NPU multiplies activations by a constant weight matrix; here %s",
                  b->is_const ? "both operands are constant" : "the weights are activations");
    if (n->op->id != ORT_OPID_GEMM && ort_shape_count(&m.b_batch) != 1)
        return no(why, size, "batched weight matrices");
    if (m.trans_a)
        return no(why, size, "a transposed A (the NPU reads the rows as pixels)");
    if (ort_shape_count(&m.a_batch) != m.batches)
        return no(why, size, "A broadcast over the batch");
    if (a->storage != ORT_DT_INT8 && a->storage != ORT_DT_UINT8)
        return no(why, size, "A is not 8-bit");
    if (b->storage != ORT_DT_INT8)
        return no(why, size, "the weights are not int8");
    if (m.K > 0xFFFF * ORT_NPU_KI_1X1 || m.N > 0xFFFF * ORT_NPU_KO)
        return no(why, size, "K or N too large for the NPU's subtile counters");
    struct fold f;
    if (!fold_epilogue(G, n, m.N, &f, why, size))
        return false;
    free(f.scale);
    free(f.bias);
    return true;
}

/* ---- jobs ------------------------------------------------------------------ */

/* A job of a tile: its rows row0.. as an H x W image. */
struct npu_job {
    int64_t row0, H, W;
};

/* What every job of step s shares: int8 weights, its requantization (or
 * raw int32 accumulators), the input's signedness, input prefetch. */
static void step_layer(const struct step *s, struct ort_npu_layer *l)
{
    memset(l, 0, sizeof *l);
    l->qw = 8;
    l->wmin = -128;
    l->signed_in = s->npu.signed_in;
    l->norm_quant = s->npu.quant;
    l->scale_bits = 32;
    l->bias = s->npu.quant;
    l->shift = (unsigned)s->npu.shift;
    l->relu = s->npu.relu;
    l->out_bits = s->npu.quant ? 8 : 32;
    l->prefetch = true; /* the next input load behind the weight port */
}

static void job_layer(const struct step *s, const struct npu_job *j, struct ort_npu_layer *l)
{
    step_layer(s, l);
    l->mode = ORT_NPU_MODE_1X1;
    l->h_in = (unsigned)j->H;
    l->w_in = (unsigned)j->W;
    l->cin = (unsigned)s->npu.K;
    l->cout = (unsigned)s->npu.N;
}

/* The job's registers, its pointers relative to its buffers (weights: an
 * offset in the weight memory from the step's encoded weights; input and
 * output: from the job's first row; scale, bias: from their buffers). */
static void job_regs(const struct step *s, const struct npu_job *j, uint32_t regs[ORT_NPU_JOB_REGS])
{
    struct ort_npu_layer l;
    job_layer(s, j, &l);
    struct ort_npu_addrs addrs = {.wmem = true};
    ort_npu_layer_regs(&l, &addrs, regs);
}

static int64_t job_cycles(const struct gen *G, const struct step *s, const struct npu_job *j)
{
    uint32_t regs[ORT_NPU_JOB_REGS];
    job_regs(s, j, regs);
    return (int64_t)ort_npu_job_cycles(&G->target->npu, regs) + G->target->cost.npu_job_cycles;
}

/* The jobs of a tile of R rows, the fastest of: one job on an exact
 * H x W factorization of R, or 6 rows of R/6 pixels then the remainder
 * as a second job. Returns the count. */
static int tile_jobs(const struct gen *G, const struct step *s, int64_t R, struct npu_job *jobs,
                     int64_t *cycles)
{
    int64_t best = -1;
    int n = 0;
    for (int64_t h = 1; h <= R; h++) {
        if (R % h)
            continue;
        struct npu_job j = {0, h, R / h};
        int64_t c = job_cycles(G, s, &j);
        if (best < 0 || c < best) {
            best = c;
            jobs[0] = j;
            n = 1;
        }
    }
    if (R > 6 && R % 6) {
        struct npu_job a = {0, 6, R / 6}, b = {R / 6 * 6, 1, R % 6};
        int64_t c = job_cycles(G, s, &a) + job_cycles(G, s, &b);
        if (c < best) {
            best = c;
            jobs[0] = a;
            jobs[1] = b;
            n = 2;
        }
    }
    *cycles = best;
    return n;
}

/* ---- lowering ---------------------------------------------------------------- */

static int conv_lower(struct gen *G, int ni, struct step *s);

/* Encodes int8 weights w (in the order the layer l reads them) as the NPU
 * reads them (npu_ref.h) and stores them as the step's weight table. */
static int store_weights(struct gen *G, struct step *s, const struct ort_node *n, const struct ort_npu_layer *l,
                         const int8_t *w)
{
    size_t wbytes = ort_npu_weight_bytes(l);
    uint8_t *enc = malloc(wbytes);
    bool encoded = ort_npu_encode_weights(l, w, enc);
    int64_t *data = malloc(sizeof *data * wbytes);
    for (size_t i = 0; i < wbytes; i++)
        data[i] = enc[i];
    free(enc);
    if (!encoded) { /* cannot happen for int8 weights with wmin -128 */
        free(data);
        return ort_fail(G->d, "%s: node '%s' (%s): the weights do not encode for the NPU", G->g->source,
                        n->name, n->op_type);
    }
    s->npu.weights = cg_store_table(G, data, (int64_t)wbytes, ORT_DT_UINT8);
    return 0;
}

static int npu_lower(struct gen *G, int ni, struct step *s)
{
    if (G->g->nodes[ni].op->id == ORT_OPID_CONV)
        return conv_lower(G, ni, s);
    const struct ort_node *n = &G->g->nodes[ni];
    cg_step_init(s, ni);
    char why[256];
    if (!npu_can_run(G, ni, why, sizeof why))
        return ort_fail(G->d, "%s: node '%s' (%s): the NPU cannot run it: %s", G->g->source, n->name,
                        n->op_type, why);
    struct ort_matmul m;
    ort_matmul_dims(G->g, n, &m);
    struct fold f;
    fold_epilogue(G, n, m.N, &f, why, sizeof why);
    const struct ort_tensor *a = T(G, n->inputs[0]), *b = T(G, n->inputs[1]);
    s->kind = S_NPU_GEMM;
    s->npu = (struct npu_step){
        .K = m.K, .N = m.N, .signed_in = a->storage == ORT_DT_INT8, .quant = f.quant, .relu = f.relu,
        .shift = f.shift, .tail_operand = -1, .tail_scratch = -1,
    };
    s->plan.units = m.batches * m.M;
    cg_add_operand(s, n->inputs[0], -1, NN_ROWS, m.K, 0);
    if (f.quant) {
        cg_add_operand(s, -1, cg_store_table(G, f.scale, m.N, ORT_DT_INT32), NN_WHOLE, 0, 4 * m.N);
        cg_add_operand(s, -1, cg_store_table(G, f.bias, m.N, ORT_DT_INT32), NN_WHOLE, 0, 4 * m.N);
    }
    int out = cg_final_output(G, n);
    const struct ort_tensor *ot = T(G, out);
    if (f.tail_computes) {
        /* indexed by the byte the NPU wrote: value v at v & 255 */
        int64_t *tab = calloc(256, sizeof *tab);
        for (int64_t v = f.lo; v <= f.hi; v++)
            tab[v & 255] = cg_eval_links(G, n, f.tail_from, v);
        s->npu.tail_operand = s->plan.n;
        cg_add_operand(s, -1, cg_store_table(G, tab, 256, ot->storage), NN_WHOLE, 0, 256 * esize(ot));
    }
    if (esize(ot) > 1 && f.tail_computes) {
        /* the NPU's bytes, before the table widens them into the output */
        s->npu.tail_scratch = s->plan.n;
        cg_add_operand(s, -1, -1, NN_SCRATCH, m.N, 0);
    }
    cg_add_operand(s, out, -1, NN_OUT_ROWS, m.N * esize(ot), 0);
    /* The weights as the NPU reads them: w[n][k] encoded (npu_ref.h). */
    struct ort_npu_layer l;
    struct npu_job one = {0, 1, 1};
    job_layer(s, &one, &l);
    int8_t *w = malloc((size_t)(m.K * m.N));
    for (int64_t k = 0; k < m.K; k++)
        for (int64_t j = 0; j < m.N; j++)
            w[j * m.K + k] = (int8_t)(m.trans_b ? b->data[j * m.K + k] : b->data[k * m.N + j]);
    int rc = store_weights(G, s, n, &l, w);
    free(w);
    return rc;
}

/* ---- tiling and cost ----------------------------------------------------------- */

/* The cycles of a tile of R rows: the jobs, and the table the cores apply. */
static int64_t tile_cycles(const struct gen *G, const struct step *s, int64_t R)
{
    struct npu_job jobs[NPU_MAX_JOBS];
    int64_t c;
    tile_jobs(G, s, R, jobs, &c);
    if (s->npu.tail_operand >= 0)
        c += (int64_t)((double)(R * s->npu.N) * G->target->cost.npu_tail_cycles / G->target->cores) +
             G->target->cost.tile_cycles;
    return c;
}

/* Cycles of the step: the first tile's inputs in, then the jobs of every
 * tile overlapping the other transfers (the longer of the two), then the
 * last tile's output out; fixed costs per step and per tile. */
static int64_t conv_cost(const struct gen *G, const struct step *s);

static int64_t npu_cost(const struct gen *G, const struct step *s)
{
    if (s->kind == S_NPU_CONV)
        return conv_cost(G, s);
    const struct ort_cost_model *c = &G->target->cost;
    const struct ort_tile_plan *p = &s->plan;
    int64_t bw = G->target->dma_bytes_per_cycle, whole = 0, in = 0, out = 0;
    for (int k = 0; k < p->n; k++) {
        const struct ort_tile_operand *op = &p->op[k];
        if (op->mode == NN_WHOLE)
            whole += op->bytes;
        else if (op->mode == NN_ROWS)
            in += op->unit_bytes;
        else if (op->mode == NN_OUT_ROWS)
            out += op->unit_bytes;
    }
    int64_t tiles = p->tiles > 0 ? p->tiles : 1, tu = p->tile_units > 0 ? p->tile_units : p->units;
    int64_t last = p->units - (tiles - 1) * tu;
    int64_t compute = (tiles - 1) * tile_cycles(G, s, tu) + tile_cycles(G, s, last);
    int64_t first = (whole + tu * in) / bw, last_out = last * out / bw;
    int64_t rest = (whole + p->units * (in + out)) / bw - first - last_out;
    return c->step_cycles + first + (compute > rest ? compute : rest) + last_out + c->tile_cycles * tiles;
}

/* Every operand the NPU touches in L1: staged, or resident there. */
static bool staged(const struct step *s)
{
    for (int k = 0; k < s->plan.n; k++)
        if (s->plan.op[k].mode == NN_INPLACE && !s->plan.op[k].resident)
            return false;
    return true;
}

static void conv_tile(const struct gen *G, struct step *s, int64_t l1_budget);

static void npu_tile(const struct gen *G, struct step *s, int64_t l1_budget)
{
    if (s->kind == S_NPU_CONV) {
        conv_tile(G, s, l1_budget);
        return;
    }
    /* One tile, or several so that the transfers overlap the jobs: the
     * cheaper. */
    static const int64_t min_tiles[] = {1, 2, 4};
    struct ort_tile_plan best_plan = s->plan;
    int64_t best = -1;
    for (size_t i = 0; i < sizeof min_tiles / sizeof min_tiles[0]; i++) {
        struct step t = *s;
        ort_tile(&t.plan, l1_budget, 1, min_tiles[i]);
        if (!staged(&t))
            continue;
        int64_t c = npu_cost(G, &t);
        if (best < 0 || c < best) {
            best = c;
            best_plan = t.plan;
        }
    }
    if (best < 0) {
        ort_tile(&s->plan, l1_budget, 1, 1);
        s->npu.infeasible = true;
        return;
    }
    s->plan = best_plan;
}

/* ---- emission ----------------------------------------------------------------------- */

static void npu_emit_shared(struct gen *G) { (void)G; }

/* Core 0: one job, its registers regs with the input and output
 * addresses given as C expressions (the weights' in w; the scale and bias
 * of a requantized job in p[1] and p[2]). */
static void emit_job(struct gen *G, const struct step *s, const uint32_t *regs, const char *ind, const char *in,
                     const char *out)
{
    cg_emit(G, "%snn_npu_begin();\n", ind);
    cg_emit(G, "%sNN_NPU_SET(0, w);\n", ind);
    cg_emit(G, "%sNN_NPU_SET(1, %s);\n", ind, in);
    cg_emit(G, "%sNN_NPU_SET(2, %s);\n", ind, out);
    if (s->npu.quant) {
        cg_emit(G, "%sNN_NPU_SET(3, (uint32_t)(uintptr_t)p[1]);\n", ind);
        cg_emit(G, "%sNN_NPU_SET(5, (uint32_t)(uintptr_t)p[2]);\n", ind);
    }
    for (int i = 0; i < (int)ORT_NPU_JOB_REGS; i++) {
        if (i <= 5 && (i != 4 || regs[i]))
            continue; /* pointers, set above (4, the shifts, unused: 0) */
        cg_emit(G, "%sNN_NPU_SET(%d, 0x%" PRIx32 "u);\n", ind, i, regs[i]);
    }
    cg_emit(G, "%snn_npu_go();\n", ind);
}

static void emit_jobs(struct gen *G, const struct step *s, int64_t R, const char *indent)
{
    struct npu_job jobs[NPU_MAX_JOBS];
    int64_t cycles;
    int nj = tile_jobs(G, s, R, jobs, &cycles);
    int64_t ob = s->npu.quant ? 1 : 4;
    for (int k = 0; k < nj; k++) {
        uint32_t regs[ORT_NPU_JOB_REGS];
        job_regs(s, &jobs[k], regs);
        cg_emit(G, "%s/* rows %" PRId64 "..%" PRId64 " as %" PRId64 " x %" PRId64 " pixels */\n", indent,
                jobs[k].row0, jobs[k].row0 + jobs[k].H * jobs[k].W - 1, jobs[k].H, jobs[k].W);
        char in[96], out[96];
        snprintf(in, sizeof in, "(uint32_t)(uintptr_t)(x + %" PRId64 ")", jobs[k].row0 * s->npu.K);
        snprintf(out, sizeof out, "(uint32_t)(uintptr_t)(y + %" PRId64 ")", jobs[k].row0 * s->npu.N * ob);
        emit_job(G, s, regs, indent, in, out);
    }
}

static void conv_emit(struct gen *G, int si);

static void npu_emit(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    if (s->kind == S_NPU_CONV) {
        conv_emit(G, si);
        return;
    }
    const struct ort_node *n = &G->g->nodes[s->node];
    if (s->npu.infeasible) { /* refused before emission (codegen.c) */
        cg_emit(G, "#error \"step %d: the NPU step's operands do not fit L1\"\n", si);
        return;
    }
    const struct stored_const *wc = &G->consts[s->npu.weights];
    int out_k = s->plan.n - 1;
    cg_emit(G, "\n/* step %d: node '%s' (%s) on the NPU: rows of %" PRId64 " -> %" PRId64 " channels, %s; "
               "weights encoded at %sweights + %" PRId64 " (%" PRId64 " bytes) */\n",
            si, n->name, n->op_type, s->npu.K, s->npu.N,
            s->npu.quant ? (s->npu.relu ? "requantized to uint8" : "requantized to int8") : "int32 accumulators",
            G->sym, wc->offset, wc->bytes);
    cg_emit(G, "static void k%d(void *const *p, const uint32_t *rs, uint32_t u0, uint32_t n)\n{\n", si);
    cg_emit(G, "    (void)rs;\n    (void)u0;\n");
    cg_emit(G, "    if (rt_core_id() == 0) {\n");
    /* the NPU writes the output, or the scratch a wide table reads */
    cg_emit(G, "        const uint8_t *x = p[0];\n        uint8_t *y = p[%d];\n",
            s->npu.tail_scratch >= 0 ? s->npu.tail_scratch : out_k);
    cg_emit(G, "        uint32_t w = (uint32_t)(uintptr_t)(%sweights + %" PRId64 ") - ORT_WMEM_BASE;\n",
            G->sym, wc->offset);
    const struct ort_tile_plan *p = &s->plan;
    int64_t last = p->units - (p->tiles - 1) * p->tile_units;
    if (p->tiles > 1 && last != p->tile_units) {
        cg_emit(G, "        if (n == %" PRId64 "u) {\n", p->tile_units);
        emit_jobs(G, s, p->tile_units, "            ");
        cg_emit(G, "        } else {\n");
        emit_jobs(G, s, last, "            ");
        cg_emit(G, "        }\n");
    } else {
        cg_emit(G, "        (void)n;\n");
        emit_jobs(G, s, p->tile_units, "        ");
    }
    cg_emit(G, "        nn_npu_finish();\n    }\n");
    if (s->npu.tail_scratch >= 0) /* the rest of the epilogue, every core, widening */
        cg_emit(G, "    rt_barrier();\n    nn_npu_tail_i32(p[%d], p[%d], n * %" PRId64 "u, p[%d]);\n", out_k,
                s->npu.tail_scratch, s->npu.N, s->npu.tail_operand);
    else if (s->npu.tail_operand >= 0) /* the rest of the epilogue, every core */
        cg_emit(G, "    rt_barrier();\n    nn_npu_tail(p[%d], n * %" PRId64 "u, p[%d]);\n", out_k, s->npu.N,
                s->npu.tail_operand);
    cg_emit(G, "}\n");
    cg_emit_descriptor(G, si);
}

/* ==== convolutions ================================================================
 *
 * A Conv as jobs of one of the NPU's modes (1x1, 3x3, 3x3 depthwise),
 * tiled by output rows like the cluster's convolutions: the input rows a
 * tile's windows need, staged with their halo (NN_HALO) or read where
 * they are, and the output rows of every (image, channel) plane as the
 * columns of an [N*M, OH*OW] matrix (NN_OUT_COLS). The graph is NCHW and
 * the NPU reads and writes HWC, so the layout moves are part of the step:
 * per image of a tile, the cores copy the rows into an HWC buffer in L1
 * (each its share of the pixels), core 0 runs one job from it into a
 * second HWC buffer, and the cores copy that into the output rows,
 * applying what remains of the epilogue as a table on the way. Both
 * buffers are one NN_SCRATCH operand the tiling sizes with the tile.
 * Strides: 1x1 reads every SH-th row and SW-th pixel through the job's
 * input strides; 3x3 computes the stride-1 rows and columns between the
 * first and the last output's and the copy out takes every SH-th and
 * SW-th (stride 2 costs the NPU four times the work). */

static bool conv_form(const struct gen *G, const struct ort_node *n, char *why, size_t size)
{
    if (n->op->id != ORT_OPID_CONV)
        return no(why, size, "not a convolution");
    struct ort_conv c;
    ort_conv_dims(G->g, n, &c);
    const struct ort_tensor *x = T(G, n->inputs[0]), *w = T(G, n->inputs[1]);
    int64_t PB = n->p.pads[2], PR = n->p.pads[3];
    bool k1 = c.KH == 1 && c.KW == 1, k3 = c.KH == 3 && c.KW == 3;
    bool native = (k1 && !c.PT && !c.PL && !PB && !PR) ||
                  (k3 && c.DH == 1 && c.DW == 1 && c.PT <= 2 && c.PL <= 2 && PB <= 2 && PR <= 2 && c.SH <= 2 &&
                   c.SW <= 2 && (c.G == 1 || (c.G == c.C && c.Mg == 1)));
    if (!w->is_const || x->is_const)
        return no(why, size, "the NPU convolves activations with constant weights");
    if (x->storage != ORT_DT_INT8 && x->storage != ORT_DT_UINT8)
        return no(why, size, "the input is not 8-bit");
    if (w->storage != ORT_DT_INT8)
        return no(why, size, "the weights are not int8");
    /* the other dense ones as 1x1 jobs on the windows the cores gather */
    if (!native && c.G != 1)
        return no(why, size, "%" PRId64 " groups (the NPU: 1, or 3x3 depthwise with one output a channel)", c.G);
    if (!native && c.C * c.KH * c.KW > 0xFFFF * ORT_NPU_KI_1X1)
        return no(why, size, "windows of %" PRId64 " values, too many for the NPU's subtile counters",
                  c.C * c.KH * c.KW);
    if (c.SH > 255 || c.PT > 255 || (c.KH - 1) * c.DH + 1 > 65535)
        return no(why, size, "strides, padding or windows beyond the row staging's");
    if (c.C > 0xFFFF * ORT_NPU_KI_3X3 || c.M > 0xFFFF * ORT_NPU_KO_DW || c.OH > 0xFFFF * 6 || c.OW > 0xFFFF * 6)
        return no(why, size, "too large for the NPU's subtile counters");
    return true;
}

static int64_t conv_scratch_in(const struct step *s, int64_t tu);
static int64_t conv_scratch_out(const struct step *s, int64_t tu);

/* A convolution of none of the NPU's own forms (conv_form took it as
 * dense): 1x1 jobs on the gathered windows (im2col). */
static bool conv_gathers(const struct ort_conv *c, const int64_t *pads)
{
    bool k1 = c->KH == 1 && c->KW == 1, k3 = c->KH == 3 && c->KW == 3;
    bool native = (k1 && !pads[0] && !pads[1] && !pads[2] && !pads[3]) ||
                  (k3 && c->DH == 1 && c->DW == 1 && pads[0] <= 2 && pads[1] <= 2 && pads[2] <= 2 &&
                   pads[3] <= 2 && c->SH <= 2 && c->SW <= 2 && (c->G == 1 || (c->G == c->C && c->Mg == 1)));
    return !native;
}

/* Whether the NPU's raw int32 accumulators are exact (the convolution's
 * output less its bias within int32) and the cores can apply every link
 * of the epilogue after them. */
static bool conv_raw_exact(const struct gen *G, const struct ort_node *n, char *why, size_t size)
{
    const struct ort_tensor *o = T(G, n->outputs[0]);
    int64_t lo = o->lo, hi = o->hi;
    if (n->n_inputs > 2 && n->inputs[2] >= 0) {
        const struct ort_tensor *bt = T(G, n->inputs[2]);
        for (int64_t j = 0; j < ort_shape_count(&bt->shape); j++) {
            lo = bt->data[j] > 0 ? lo - bt->data[j] : lo;
            hi = bt->data[j] < 0 ? hi - bt->data[j] : hi;
        }
    }
    if (!fits32(lo) || !fits32(hi))
        return no(why, size, "the products' range [%" PRId64 ", %" PRId64 "] exceeds the NPU's 32-bit "
                             "accumulators", lo, hi);
    for (int e = 0; e < n->n_epilogue; e++) {
        const struct ort_node *c = &G->g->nodes[n->epilogue[e]];
        if (!c->alias && (!c->op->link_eval || !c->op->link_emit || c->n_inputs > ORT_LINK_MAX_INPUTS))
            return no(why, size, "epilogue link '%s' (%s) has no link semantics", c->name, c->op_type);
    }
    return true;
}

static bool conv_can_run(const struct gen *G, const struct ort_node *n, char *why, size_t size)
{
    if (!conv_form(G, n, why, size))
        return false;
    struct ort_conv c;
    ort_conv_dims(G->g, n, &c);
    struct fold f;
    bool folded = fold_epilogue(G, n, c.M, &f, why, size);
    if (folded) {
        free(f.scale);
        free(f.bias);
    } else if (!conv_raw_exact(G, n, why, size))
        return false;
    /* a one-row tile's HWC buffers within half the budget */
    struct step s;
    memset(&s, 0, sizeof s);
    s.npu.cv = c;
    s.npu.quant = folded && f.quant;
    s.npu.im2col = conv_gathers(&c, n->p.pads);
    s.npu.mode = s.npu.im2col || c.KH == 1 ? ORT_NPU_MODE_1X1 : c.G == 1 ? ORT_NPU_MODE_3X3 : ORT_NPU_MODE_DW;
    if (conv_scratch_in(&s, 1) + conv_scratch_out(&s, 1) > G->o->l1_budget / 2)
        return no(why, size, "one output row's HWC buffers exceed half the L1 budget");
    return true;
}

/* The input rows a tile of n output rows from u0 reads: [first, first + count). */
static void conv_rows(const struct step *s, int64_t u0, int64_t n, int64_t *first, int64_t *count)
{
    const struct ort_conv *c = &s->npu.cv;
    int64_t a = u0 * c->SH - c->PT, b = (u0 + n - 1) * c->SH - c->PT + (c->KH - 1) * c->DH + 1;
    a = a < 0 ? 0 : a;
    b = b > c->H ? c->H : b;
    *first = a;
    *count = b > a ? b - a : 0;
}

/* The job's output pixels: rows and columns (3x3: the stride-1 ones). */
static int64_t conv_job_h(const struct step *s, int64_t n)
{
    return s->npu.mode == ORT_NPU_MODE_1X1 ? n : (n - 1) * s->npu.cv.SH + 1;
}

static int64_t conv_job_w(const struct step *s)
{
    const struct ort_conv *c = &s->npu.cv;
    return s->npu.mode == ORT_NPU_MODE_1X1 ? c->OW : (c->OW - 1) * c->SW + 1;
}

/* HWC buffers of a tile of tu rows: the input rows, the job's outputs. */
static int64_t conv_scratch_in(const struct step *s, int64_t tu)
{
    const struct ort_conv *c = &s->npu.cv;
    if (s->npu.im2col) /* each output pixel's window */
        return align4(tu * c->OW * c->C * c->KH * c->KW);
    int64_t cap = (tu - 1) * c->SH + c->KH;
    return align4((cap < c->H ? cap : c->H) * c->W * c->C);
}

static int64_t conv_scratch_out(const struct step *s, int64_t tu)
{
    return align4(conv_job_h(s, tu) * conv_job_w(s) * s->npu.cv.M * (s->npu.quant ? 1 : 4));
}

/* The job of image rows u0..u0+n-1 (any image: the buffers are per image). */
static void conv_layer(const struct step *s, int64_t u0, int64_t n, struct ort_npu_layer *l)
{
    const struct ort_conv *c = &s->npu.cv;
    step_layer(s, l);
    l->mode = (enum ort_npu_mode)s->npu.mode;
    l->cin = (unsigned)c->C;
    l->cout = (unsigned)c->M;
    int64_t first, count;
    conv_rows(s, u0, n, &first, &count);
    if (s->npu.im2col) { /* the gathered windows, dense */
        l->cin = (unsigned)(c->C * c->KH * c->KW);
        l->h_in = (unsigned)n;
        l->w_in = (unsigned)c->OW;
        return;
    }
    if (s->npu.mode == ORT_NPU_MODE_1X1) {
        l->h_in = (unsigned)n;
        l->w_in = (unsigned)c->OW;
        l->in_pixel_stride = (uint32_t)(c->SW * c->C);
        l->in_row_stride = (uint32_t)(c->SH * c->W * c->C);
        return;
    }
    int64_t pt = c->PT - u0 * c->SH;
    pt = pt > 0 ? pt : 0;
    int64_t w_in = (c->OW - 1) * c->SW + 3 - c->PL;
    w_in = w_in < c->W ? w_in : c->W;
    l->h_in = (unsigned)count;
    l->pad_top = (unsigned)pt;
    l->pad_bottom = (unsigned)((n - 1) * c->SH + 3 - pt - count);
    l->w_in = (unsigned)w_in;
    l->pad_left = (unsigned)c->PL;
    l->pad_right = (unsigned)((c->OW - 1) * c->SW + 3 - c->PL - w_in);
    l->in_pixel_stride = (uint32_t)c->C;
    l->in_row_stride = (uint32_t)(c->W * c->C);
}

/* Pointer registers relative to these bases (the HWC buffers). */
#define CONV_IN_BASE 0x100000u
#define CONV_OUT_BASE 0x200000u

static void conv_regs(const struct step *s, int64_t u0, int64_t n, uint32_t regs[ORT_NPU_JOB_REGS])
{
    struct ort_npu_layer l;
    conv_layer(s, u0, n, &l);
    struct ort_npu_addrs a = {.in = CONV_IN_BASE, .out = CONV_OUT_BASE, .wmem = true};
    ort_npu_layer_regs(&l, &a, regs);
}

static int conv_lower(struct gen *G, int ni, struct step *s)
{
    const struct ort_node *n = &G->g->nodes[ni];
    cg_step_init(s, ni);
    char why[256];
    if (!conv_can_run(G, n, why, sizeof why))
        return ort_fail(G->d, "%s: node '%s' (%s): the NPU cannot run it: %s", G->g->source, n->name,
                        n->op_type, why);
    struct ort_conv c;
    ort_conv_dims(G->g, n, &c);
    struct fold f;
    /* the requantization folded into the NPU's, else (not exact there) the
     * raw accumulators and the whole epilogue on the cores */
    bool folded = fold_epilogue(G, n, c.M, &f, why, sizeof why);
    if (!folded && cg_check_links(G, n))
        return -1;
    int xt = n->inputs[0], out = cg_final_output(G, n);
    const struct ort_tensor *x = T(G, xt), *w = T(G, n->inputs[1]);
    s->kind = S_NPU_CONV;
    s->npu = (struct npu_step){
        .K = c.C, .N = c.M, .signed_in = x->storage == ORT_DT_INT8, .quant = f.quant, .relu = f.relu,
        .shift = f.shift, .tail_operand = -1, .tail_scratch = -1, .cv = c, .PB = n->p.pads[2], .PR = n->p.pads[3],
        .mode = conv_gathers(&c, n->p.pads) || c.KH == 1 ? ORT_NPU_MODE_1X1
                : c.G == 1                             ? ORT_NPU_MODE_3X3
                                                       : ORT_NPU_MODE_DW,
        .im2col = conv_gathers(&c, n->p.pads), .cores_epilogue = !folded, .bias_operand = -1,
        .in_hwc = G->hwc && G->hwc[xt], .out_hwc = G->hwc && G->hwc[out],
    };
    if (!folded)
        s->npu.quant = s->npu.relu = false, s->npu.shift = 0;
    s->plan.units = c.OH;
    /* the input's rows: a plane's (NCHW) or an image's pixels (HWC) */
    int64_t row = s->npu.in_hwc ? c.W * c.C : c.W;
    cg_add_operand(s, xt, -1, NN_HALO, row, 0);
    struct ort_tile_operand *op = &s->plan.op[0];
    op->rows = s->npu.in_hwc ? c.N : c.N * c.C;
    op->stride = c.H * row;
    op->halo_step = c.SH, op->halo_pad = c.PT, op->halo_window = (c.KH - 1) * c.DH + 1, op->halo_h = c.H;
    if (folded && f.quant) {
        cg_add_operand(s, -1, cg_store_table(G, f.scale, c.M, ORT_DT_INT32), NN_WHOLE, 0, 4 * c.M);
        cg_add_operand(s, -1, cg_store_table(G, f.bias, c.M, ORT_DT_INT32), NN_WHOLE, 0, 4 * c.M);
    }
    if (folded && f.tail_computes) {
        /* indexed by the byte the NPU wrote: value v at v & 255 */
        int64_t *tab = calloc(256, sizeof *tab);
        for (int64_t v = f.lo; v <= f.hi; v++)
            tab[v & 255] = cg_eval_links(G, n, f.tail_from, v);
        s->npu.tail_operand = s->plan.n;
        cg_add_operand(s, -1, cg_store_table(G, tab, 256, T(G, out)->storage), NN_WHOLE, 0, 256);
    }
    if (!folded) {
        if (n->n_inputs > 2 && n->inputs[2] >= 0) {
            s->npu.bias_operand = s->plan.n;
            cg_add_operand(s, n->inputs[2], cg_const_ref(G, n->inputs[2]), NN_WHOLE, 0,
                           tensor_bytes(T(G, n->inputs[2])));
        }
        cg_add_epilogue_sides(G, s, n, false);
    }
    s->npu.scratch_operand = s->plan.n; /* sized by the tiling (conv_tile) */
    s->npu.scratch_in = conv_scratch_in(s, c.OH);
    cg_add_operand(s, -1, -1, NN_SCRATCH, 0, s->npu.scratch_in + conv_scratch_out(s, c.OH));
    /* the output rows of every plane (NCHW) or image (HWC) */
    int64_t orow = (s->npu.out_hwc ? c.M : 1) * c.OW * esize(T(G, out));
    cg_add_operand(s, out, -1, NN_OUT_COLS, orow, 0);
    s->plan.op[s->plan.n - 1].rows = s->npu.out_hwc ? c.N : c.N * c.M;
    s->plan.op[s->plan.n - 1].stride = c.OH * orow;
    if (!folded)
        cg_plan_lut(G, s, n);
    /* The weights as the NPU reads them (npu_ref.h): ONNX's [M][C/group][kh][kw]
     * is the encoder's order, depthwise [C][1][3][3] included. */
    struct ort_npu_layer l;
    conv_layer(s, 0, 1, &l);
    size_t count = (size_t)ort_shape_count(&w->shape);
    int8_t *wv = malloc(count);
    for (size_t i = 0; i < count; i++)
        wv[i] = (int8_t)w->data[i];
    int rc = store_weights(G, s, n, &l, wv);
    free(wv);
    return rc;
}

/* Cycles of the tile of n rows from u0: per image, the copy into HWC, the
 * job, the copy out (the cores share the copies). */
static int64_t conv_tile_cycles(const struct gen *G, const struct step *s, int64_t u0, int64_t n)
{
    const struct ort_conv *c = &s->npu.cv;
    const struct ort_cost_model *cm = &G->target->cost;
    uint32_t regs[ORT_NPU_JOB_REGS];
    conv_regs(s, u0, n, regs);
    int64_t first, count;
    conv_rows(s, u0, n, &first, &count);
    double moved = (double)((s->npu.in_direct ? 0 : count * c->W * c->C) +
                            (s->npu.out_direct && s->npu.tail_operand < 0 ? 0 : n * c->OW * c->M));
    if (s->npu.im2col) /* the windows gathered a byte at a time */
        moved = (double)(n * c->OW * c->C * c->KH * c->KW) * cm->npu_gather_factor +
                (double)(s->npu.out_direct && s->npu.tail_operand < 0 ? 0 : n * c->OW * c->M);
    int64_t job = (int64_t)ort_npu_job_cycles(&G->target->npu, regs) + cm->npu_job_cycles;
    double epi = 0;
    if (s->npu.cores_epilogue) /* as the cluster's epilogues */
        epi = (double)(n * c->OW * c->M) * cm->product_link_cycles *
              (double)(G->g->nodes[s->node].n_epilogue + 1);
    return c->N * (job + (int64_t)((moved * cm->npu_layout_cycles + epi) / G->target->cores) + cm->npu_image_cycles);
}

static int64_t conv_cost(const struct gen *G, const struct step *s)
{
    if (s->npu.infeasible) /* never the cheaper engine */
        return INT64_MAX / 4;
    const struct ort_cost_model *c = &G->target->cost;
    const struct ort_tile_plan *p = &s->plan;
    int64_t bw = G->target->dma_bytes_per_cycle, whole = 0, in = 0, out = 0;
    for (int k = 0; k < p->n; k++) {
        const struct ort_tile_operand *op = &p->op[k];
        if (op->mode == NN_WHOLE)
            whole += op->bytes;
        else if (op->mode == NN_HALO)
            in += op->unit_bytes * op->halo_step * op->rows;
        else if (op->mode == NN_OUT_COLS)
            out += op->unit_bytes * op->rows;
    }
    int64_t tiles = p->tiles > 0 ? p->tiles : 1, tu = p->tile_units > 0 ? p->tile_units : p->units;
    int64_t last = p->units - (tiles - 1) * tu, compute = 0;
    for (int64_t t = 0; t < tiles; t++)
        compute += conv_tile_cycles(G, s, t * tu, t == tiles - 1 ? last : tu);
    int64_t first = (whole + tu * in) / bw, last_out = last * out / bw;
    int64_t rest = (whole + p->units * (in + out)) / bw - first - last_out;
    return c->step_cycles + first + (compute > rest ? compute : rest) + last_out + c->tile_cycles * tiles;
}

/* What the NPU reads in L1 is there: the scale and bias staged (the input
 * and the output only the cores touch, wherever they are). */
static bool conv_staged(const struct step *s)
{
    for (int k = 0; k < s->plan.n; k++)
        if (s->plan.op[k].was == NN_WHOLE && k != s->npu.tail_operand && s->plan.op[k].mode == NN_INPLACE)
            return false;
    return true;
}

/* Whether the NPU can write the output rows themselves: the job computes
 * exactly them, and the cores apply nothing but a table after it. */
static bool conv_out_exact(const struct step *s)
{
    const struct ort_conv *c = &s->npu.cv;
    return s->npu.out_hwc && !s->npu.cores_epilogue &&
           (s->npu.mode == ORT_NPU_MODE_1X1 || (c->SH == 1 && c->SW == 1));
}

static void conv_tile(const struct gen *G, struct step *s, int64_t l1_budget)
{
    /* The cheapest of one tile or several (the transfers overlapping the
     * jobs). The HWC buffers grow with the tile (NN_SCRATCH's unit_bytes
     * bound them); an HWC input the NPU reads where it is in L1 needs
     * none, nor an HWC output it writes there. Where nothing fits, the
     * input rows and then the output rows are left where they are (the
     * cores copy them) rather than the scale and bias the NPU reads. */
    static const int64_t min_tiles[] = {1, 2, 4};
    const struct ort_conv *c = &s->npu.cv;
    int64_t ob = s->npu.quant ? 1 : 4, rstep = s->npu.mode == ORT_NPU_MODE_1X1 ? 1 : c->SH;
    struct step best_step = *s;
    int64_t best = -1;
    int out_k = s->plan.n - 1;
    for (int in_place = 0; in_place < 3 && best < 0; in_place++) {
        for (size_t i = 0; i < sizeof min_tiles / sizeof min_tiles[0]; i++) {
            struct step t = *s;
            struct ort_tile_operand *in = &t.plan.op[0], *out = &t.plan.op[out_k];
            t.npu.in_direct = t.npu.in_hwc && (in_place < 1 || in->resident);
            t.npu.out_direct = conv_out_exact(&t) && (in_place < 2 || out->resident);
            struct ort_tile_operand *sc = &t.plan.op[t.npu.scratch_operand];
            sc->unit_bytes = 0, sc->bytes = 8;
            if (t.npu.im2col)
                sc->unit_bytes += c->OW * c->C * c->KH * c->KW;
            else if (!t.npu.in_direct) {
                sc->unit_bytes += c->SH * c->W * c->C;
                sc->bytes += (c->KH > c->SH ? c->KH - c->SH : 0) * c->W * c->C;
            }
            if (!t.npu.out_direct) {
                sc->unit_bytes += rstep * conv_job_w(&t) * c->M * ob;
                sc->bytes += conv_job_w(&t) * c->M * ob;
            }
            /* left in place as an L1 activation is (ort_tile) */
            in->resident = in->resident || in_place >= 1;
            out->resident = out->resident || in_place >= 2;
            ort_tile(&t.plan, l1_budget, 1, min_tiles[i]);
            in->resident = s->plan.op[0].resident;
            out->resident = s->plan.op[out_k].resident;
            t.npu.scratch_in = t.npu.in_direct ? 0 : conv_scratch_in(&t, t.plan.tile_units);
            /* what the NPU reads and writes is in L1 */
            bool l1_in = in->mode != NN_INPLACE || in->resident, l1_out = out->mode != NN_INPLACE || out->resident;
            if (!conv_staged(&t) || (t.npu.in_direct && !l1_in) || (t.npu.out_direct && !l1_out))
                continue;
            int64_t cost = conv_cost(G, &t);
            if (best < 0 || cost < best) {
                best = cost;
                best_step = t;
            }
        }
    }
    if (best < 0) {
        ort_tile(&s->plan, l1_budget, 1, 1);
        s->npu.scratch_in = conv_scratch_in(s, s->plan.tile_units);
        s->npu.infeasible = true;
        return;
    }
    *s = best_step;
}

/* Core 0: the jobs of the tile's configuration in regs. */
static void conv_emit_job(struct gen *G, const struct step *s, const uint32_t *regs, const char *ind)
{
    char in[96], out[64];
    snprintf(in, sizeof in, "(uint32_t)(uintptr_t)xin - %" PRIu32 "u", CONV_IN_BASE - regs[1]);
    snprintf(out, sizeof out, "(uint32_t)(uintptr_t)%s", s->npu.out_direct ? "yo" : "yh");
    emit_job(G, s, regs, ind, in, out);
}

static void conv_emit(struct gen *G, int si)
{
    const struct step *s = &G->steps[si];
    const struct ort_node *n = &G->g->nodes[s->node];
    const struct ort_conv *c = &s->npu.cv;
    if (s->npu.infeasible) { /* refused before emission (codegen.c) */
        cg_emit(G, "#error \"step %d: the NPU step's buffers do not fit L1\"\n", si);
        return;
    }
    const struct stored_const *wc = &G->consts[s->npu.weights];
    const struct ort_tile_plan *p = &s->plan;
    int out_k = p->n - 1;
    static const char *modes[] = {"3x3", "3x3 depthwise", "1x1"};
    const char *ot = tensor_ctype(G, s->operand_tensor[out_k]);
    int64_t jw = conv_job_w(s);
    int64_t rstep = s->npu.mode == ORT_NPU_MODE_1X1 ? 1 : c->SH, cstep = s->npu.mode == ORT_NPU_MODE_1X1 ? 1 : c->SW;
    bool in_hwc = s->npu.in_hwc, out_hwc = s->npu.out_hwc, in_direct = s->npu.in_direct;
    bool out_direct = s->npu.out_direct;
    cg_emit(G, "\n/* step %d: node '%s' (%s) on the NPU: %s convolution, %" PRId64 " -> %" PRId64 " channels, "
               "strides %" PRId64 "x%" PRId64 ", %s; weights encoded at ort_weights + %" PRId64 " (%" PRId64
               " bytes); per image: the input rows %s, a job, the outputs %s */\n",
            si, n->name, n->op_type, s->npu.im2col ? "im2col (1x1 jobs on the gathered windows)" : modes[s->npu.mode],
            c->C, c->M, c->SH, c->SW,
            s->npu.quant ? (s->npu.relu ? "requantized to uint8" : "requantized to int8") : "int32 accumulators",
            wc->offset, wc->bytes,
            in_direct ? "(HWC) read where they are" : in_hwc ? "(HWC) copied to L1" : "into HWC",
            out_direct ? "(HWC) written where they go" : out_hwc ? "copied (HWC)" : "into the rows of every channel");
    cg_emit_halo(G, s, si, c);
    bool halo = p->op[0].mode == NN_HALO;
    int64_t window = (c->KH - 1) * c->DH + 1, cap = (p->tile_units - 1) * c->SH + window;
    cap = halo ? (cap < c->H ? cap : c->H) : c->H;
    int64_t row = in_hwc ? c->W * c->C : c->W; /* bytes of an input row of a plane (image) */
    cg_emit(G, "static void k%d(void *const *p, const uint32_t *rs, uint32_t u0, uint32_t n)\n{\n", si);
    cg_emit(G, "    uint32_t first, count;\n");
    cg_emit(G, "    nn_halo_rows(%" PRIu32 "u, %" PRId64 "u, u0, n, &first, &count);\n    (void)count;\n",
            (uint32_t)NN_HALO_PACK(c->SH, c->PT, window), c->H);
    if (halo) /* the buffer's row 0 is the tile's first */
        cg_emit(G, "    uint32_t pend;\n    const uint8_t *xr = nn_halo_begin(&h%d, u0, n, &pend);\n", si);
    else
        cg_emit(G, "    const uint8_t *xr = (const uint8_t *)p[0] + first * %" PRId64 "u;\n", row);
    cg_emit(G, "    uint8_t *xh = p[%d], *yh = (uint8_t *)p[%d] + %" PRId64 ";\n    (void)xh;\n    (void)yh;\n",
            s->npu.scratch_operand, s->npu.scratch_operand, s->npu.scratch_in);
    cg_emit(G, "    %s *y = p[%d];\n    const uint32_t ys = rs[%d] / %d;\n", ot, out_k, out_k,
            esize(T(G, s->operand_tensor[out_k])));
    if (s->npu.tail_operand >= 0)
        cg_emit(G, "    const %s *tab = p[%d];\n", ot, s->npu.tail_operand);
    for (int k = 1; k < out_k && s->npu.cores_epilogue; k++) {
        if (k == s->npu.scratch_operand)
            continue;
        char name[16];
        snprintf(name, sizeof name, k == s->npu.bias_operand ? "cb" : "x%d", k);
        cg_emit_operand(G, s, k, name, false);
    }
    cg_emit(G, "    const uint32_t w = (uint32_t)(uintptr_t)(ort_weights + %" PRId64 ") - ORT_WMEM_BASE;\n",
            wc->offset);
    cg_emit(G, "    for (uint32_t bn = 0; bn < %" PRId64 "u; bn++) {\n", c->N);
    int64_t plane = cap * row; /* bytes of a plane (image) in the input buffer */
    if (s->npu.im2col) {
        /* each output pixel's window (zero where it is padding) as a row of
         * C*KH*KW values, the weights' order: a core's share of the pixels */
        int64_t k = c->C * c->KH * c->KW;
        cg_emit(G, "        const uint8_t *xin = xh;\n");
        cg_emit(G, "        {\n            uint32_t b, e;\n            nn_part(n * %" PRId64 "u, &b, &e);\n", c->OW);
        cg_emit(G, "            const uint8_t *src = xr + bn * %" PRId64 "u;\n", c->C * plane);
        cg_emit(G, "            uint32_t r = b / %" PRId64 "u, ow = b - r * %" PRId64 "u;\n", c->OW, c->OW);
        cg_emit(G, "            for (uint32_t q = b; q < e; q++) {\n");
        cg_emit(G, "                uint8_t *d = xh + q * %" PRId64 "u;\n", k);
        cg_emit(G, "                const int32_t ih0 = (int32_t)((u0 + r) * %" PRId64 "u) - %" PRId64 ";\n", c->SH, c->PT);
        cg_emit(G, "                const int32_t iw0 = (int32_t)(ow * %" PRId64 "u) - %" PRId64 ";\n", c->SW, c->PL);
        cg_emit(G, "                for (uint32_t ch = 0; ch < %" PRId64 "u; ch++)\n", c->C);
        cg_emit(G, "                    for (uint32_t kh = 0; kh < %" PRId64 "u; kh++) {\n", c->KH);
        cg_emit(G, "                        const int32_t ih = ih0 + (int32_t)(kh * %" PRId64 "u);\n", c->DH);
        cg_emit(G, "                        const uint8_t *row = src + ch * %" PRId64 "u + (uint32_t)(ih - (int32_t)first) * %" PRId64
                   "u;\n",
                plane, c->W);
        cg_emit(G, "                        const int rin = (uint32_t)ih < %" PRId64 "u;\n", c->H);
        cg_emit(G, "#pragma GCC unroll 16\n");
        cg_emit(G, "                        for (uint32_t kw = 0; kw < %" PRId64 "u; kw++) {\n", c->KW);
        cg_emit(G, "                            const int32_t iw = iw0 + (int32_t)(kw * %" PRId64 "u);\n", c->DW);
        cg_emit(G, "                            *d++ = rin && (uint32_t)iw < %" PRId64 "u ? row[iw] : 0;\n", c->W);
        cg_emit(G, "                        }\n                    }\n");
        cg_emit(G, "                if (++ow == %" PRId64 "u)\n                    ow = 0, r++;\n", c->OW);
        cg_emit(G, "            }\n        }\n        rt_barrier();\n");
    } else if (in_direct) {
        cg_emit(G, "        const uint8_t *xin = xr + bn * %" PRId64 "u;\n", plane);
    } else if (in_hwc) {
        /* the image's rows, already HWC, into L1 for the NPU: a core's share of the words */
        cg_emit(G, "        const uint8_t *xin = xh;\n");
        cg_emit(G, "        nn_copy_share(xh, xr + bn * %" PRId64 "u, count * %" PRId64 "u);\n", plane, row);
        cg_emit(G, "        rt_barrier();\n");
    } else {
        /* NCHW rows -> HWC: a core's share of the pixels, four channels a word */
        cg_emit(G, "        const uint8_t *xin = xh;\n");
        cg_emit(G, "        {\n            uint32_t b, e;\n            nn_part(count * %" PRId64 "u, &b, &e);\n", c->W);
        cg_emit(G, "            const uint8_t *src = xr + bn * %" PRId64 "u;\n", c->C * plane);
        if (c->C % 4 == 0 && plane % 4 == 0) {
            /* word-aligned planes: 4x4 blocks (four pixels of four channels),
             * the pixels past the last whole block by the byte loop below */
            cg_emit(G, "            if (((uintptr_t)src & 3u) == 0) {\n");
            cg_emit(G, "                const uint32_t blocks = count * %" PRId64 "u >> 2;\n", c->W);
            cg_emit(G, "                nn_part(blocks, &b, &e);\n");
            cg_emit(G, "                for (uint32_t g = b; g < e; g++) {\n");
            cg_emit(G, "                    const uint32_t *sp = (const uint32_t *)(const void *)(src + 4 * g);\n");
            cg_emit(G, "                    uint32_t *d = (uint32_t *)(void *)(xh + g * %" PRId64 "u);\n", 4 * c->C);
            cg_emit(G, "                    for (uint32_t ch = 0; ch < %" PRId64 "u; ch++, sp += %" PRId64 "u)\n",
                    c->C / 4, plane);
            cg_emit(G, "                        nn_npu_t4x4(sp[0], sp[%" PRId64 "], sp[%" PRId64 "], sp[%" PRId64
                       "], d + ch, %" PRId64 "u);\n",
                    plane / 4, plane / 2, 3 * plane / 4, c->C / 4);
            cg_emit(G, "                }\n");
            cg_emit(G, "                b = rt_core_id() == 0 ? blocks * 4 : 0;\n");
            cg_emit(G, "                e = rt_core_id() == 0 ? count * %" PRId64 "u : 0;\n", c->W);
            cg_emit(G, "            }\n");
        }
        cg_emit(G, "            for (uint32_t q = b; q < e; q++) {\n");
        cg_emit(G, "                const uint8_t *sp = src + q;\n");
        if (c->C % 4 == 0) {
            cg_emit(G, "                uint32_t *d = (uint32_t *)(void *)(xh + q * %" PRId64 "u);\n", c->C);
            cg_emit(G, "                for (uint32_t ch = 0; ch < %" PRId64 "u; ch++, sp += %" PRId64 "u)\n", c->C / 4,
                    4 * plane);
            cg_emit(G, "                    d[ch] = (uint32_t)sp[0] | (uint32_t)sp[%" PRId64 "] << 8 | (uint32_t)sp[%" PRId64
                       "] << 16 | (uint32_t)sp[%" PRId64 "] << 24;\n",
                    plane, 2 * plane, 3 * plane);
        } else {
            cg_emit(G, "                uint8_t *d = xh + q * %" PRId64 "u;\n", c->C);
            cg_emit(G, "                for (uint32_t ch = 0; ch < %" PRId64 "u; ch++)\n", c->C);
            cg_emit(G, "                    d[ch] = sp[ch * %" PRId64 "u];\n", plane);
        }
        cg_emit(G, "            }\n        }\n        rt_barrier();\n");
    }
    /* the jobs: one register set per distinct tile configuration */
    cg_emit(G, "        if (rt_core_id() == 0) {\n");
    if (out_direct)
        cg_emit(G, "            uint8_t *yo = (uint8_t *)y + bn * ys * %d;\n", esize(T(G, s->operand_tensor[out_k])));
    int64_t tiles = p->tiles, tu = p->tile_units;
    uint32_t (*sets)[ORT_NPU_JOB_REGS] = calloc((size_t)tiles, sizeof *sets);
    int64_t *rep = calloc((size_t)tiles, sizeof *rep);
    int n_sets = 0;
    for (int64_t t = 0; t < tiles; t++) {
        int64_t u0 = t * tu, nn = t == tiles - 1 ? p->units - u0 : tu;
        uint32_t regs[ORT_NPU_JOB_REGS];
        conv_regs(s, u0, nn, regs);
        int k = 0;
        while (k < n_sets && memcmp(sets[k], regs, sizeof regs))
            k++;
        if (k == n_sets)
            memcpy(sets[n_sets++], regs, sizeof regs);
        rep[t] = k;
    }
    for (int k = 0; k < n_sets; k++) {
        if (n_sets > 1 && k == n_sets - 1)
            cg_emit(G, "            } else {\n");
        else if (n_sets > 1) {
            cg_emit(G, "            %sif (", k ? "} else " : "");
            bool any = false;
            for (int64_t t = 0; t < tiles; t++)
                if (rep[t] == k) {
                    cg_emit(G, "%su0 == %" PRId64 "u", any ? " || " : "", t * tu);
                    any = true;
                }
            cg_emit(G, ") {\n");
        }
        conv_emit_job(G, s, sets[k], n_sets > 1 ? "                " : "            ");
    }
    if (n_sets > 1)
        cg_emit(G, "            }\n");
    free(sets);
    free(rep);
    cg_emit(G, "            nn_npu_finish();\n        }\n        rt_barrier();\n");
    if (out_direct) {
        if (s->npu.tail_operand >= 0) /* the rest of the epilogue in place, every core */
            cg_emit(G, "        nn_npu_tail((uint8_t *)y + bn * ys, n * %" PRId64 "u, (const uint8_t *)tab);\n"
                       "        rt_barrier();\n",
                    c->OW * c->M);
        cg_emit(G, "    }\n");
    } else if (!out_hwc && s->npu.quant) {
        /* HWC bytes -> the rows of every channel: a core's share of the
         * pixels, four channels a word read */
        cg_emit(G, "        {\n            uint32_t b, e;\n            nn_part(n * %" PRId64 "u, &b, &e);\n", c->OW);
        if (rstep == 1 && cstep == 1 && c->M % 4 == 0 && s->npu.tail_operand < 0) {
            /* word-aligned channel rows: 4x4 blocks (four channels of four
             * consecutive pixels of the tile), a core's share of (channel
             * group, block); the pixels past the last block by the loop below */
            int64_t mw = c->M / 4;
            cg_emit(G, "            if ((((uintptr_t)y | ys) & 3u) == 0) {\n");
            cg_emit(G, "                const uint32_t blocks = n * %" PRId64 "u >> 2;\n", c->OW);
            cg_emit(G, "                if (blocks) {\n");
            cg_emit(G, "                    nn_part(blocks * %" PRId64 "u, &b, &e);\n", mw);
            cg_emit(G, "                    uint32_t cg = b / blocks, g = b - cg * blocks;\n");
            cg_emit(G, "                    for (uint32_t i = b; i < e; i++) {\n");
            cg_emit(G, "                        const uint32_t *sp = (const uint32_t *)(const void *)(yh + g * %" PRId64
                       "u) + cg;\n",
                    4 * c->M);
            cg_emit(G, "                        uint32_t *d = (uint32_t *)(void *)(y + (bn * %" PRId64 "u + 4 * cg) * ys) + g;\n",
                    c->M);
            cg_emit(G, "                        nn_npu_t4x4(sp[0], sp[%" PRId64 "], sp[%" PRId64 "], sp[%" PRId64 "], d, ys >> 2);\n",
                    mw, 2 * mw, 3 * mw);
            cg_emit(G, "                        if (++g == blocks)\n                            g = 0, cg++;\n");
            cg_emit(G, "                    }\n                }\n");
            cg_emit(G, "                b = rt_core_id() == 0 ? blocks * 4 : 0;\n");
            cg_emit(G, "                e = rt_core_id() == 0 ? n * %" PRId64 "u : 0;\n", c->OW);
            cg_emit(G, "            }\n");
        }
        cg_emit(G, "            uint32_t r = b / %" PRId64 "u, ow = b - r * %" PRId64 "u;\n", c->OW, c->OW);
        cg_emit(G, "            for (uint32_t q = b; q < e; q++) {\n");
        cg_emit(G, "                const uint8_t *sp = yh + (r * %" PRId64 "u + ow * %" PRId64 "u) * %" PRId64 "u;\n",
                rstep * jw, cstep, c->M);
        cg_emit(G, "                %s *d = y + bn * %" PRId64 "u * ys + r * %" PRId64 "u + ow;\n", ot, c->M, c->OW);
        /* a byte as stored: through the table, or as it is */
        bool tl = s->npu.tail_operand >= 0;
        const char *o = tl ? "tab[" : "(", *e = tl ? "]" : ")";
        if (c->M % 4 == 0) {
            cg_emit(G, "                for (uint32_t m = 0; m < %" PRId64 "u; m += 4, d += 4 * ys) {\n", c->M);
            cg_emit(G, "                    const uint32_t v = *(const uint32_t *)(const void *)(sp + m);\n");
            cg_emit(G, "                    d[0] = (%s)%sv & 255u%s;\n", ot, o, e);
            cg_emit(G, "                    d[ys] = (%s)%s(v >> 8) & 255u%s;\n", ot, o, e);
            cg_emit(G, "                    d[2 * ys] = (%s)%s(v >> 16) & 255u%s;\n", ot, o, e);
            cg_emit(G, "                    d[3 * ys] = (%s)%sv >> 24%s;\n                }\n", ot, o, e);
        } else {
            cg_emit(G, "                for (uint32_t m = 0; m < %" PRId64 "u; m++, d += ys)\n", c->M);
            cg_emit(G, "                    *d = (%s)%ssp[m]%s;\n", ot, o, e);
        }
        cg_emit(G, "                if (++ow == %" PRId64 "u)\n                    ow = 0, r++;\n", c->OW);
        cg_emit(G, "            }\n        }\n    }\n");
    } else {
        /* the job's outputs into the output rows: a core's share of (m, r)
         * (NCHW: a channel's row; HWC: a channel of a row's pixels) */
        cg_emit(G, "        {\n            uint32_t b, e;\n            nn_part(%" PRId64 "u * n, &b, &e);\n", c->M);
        cg_emit(G, "            uint32_t m = b / n, r = b - m * n;\n");
        cg_emit(G, "            for (uint32_t i = b; i < e; i++) {\n");
        if (out_hwc)
            cg_emit(G, "                %s *d = y + bn * ys + r * %" PRId64 "u + m;\n", ot, c->OW * c->M);
        else
            cg_emit(G, "                %s *d = y + (bn * %" PRId64 "u + m) * ys + r * %" PRId64 "u;\n", ot, c->M, c->OW);
        int64_t dstep = out_hwc ? c->M : 1;
        if (s->npu.quant) {
            cg_emit(G, "                const uint8_t *sp = yh + r * %" PRId64 "u + m;\n", rstep * jw * c->M);
            cg_emit(G, "                for (uint32_t ow = 0; ow < %" PRId64 "u; ow++)\n", c->OW);
            if (s->npu.tail_operand >= 0)
                cg_emit(G, "                    d[ow * %" PRId64 "u] = tab[sp[ow * %" PRId64 "u]];\n", dstep, cstep * c->M);
            else
                cg_emit(G, "                    d[ow * %" PRId64 "u] = (%s)sp[ow * %" PRId64 "u];\n", dstep, ot,
                        cstep * c->M);
        } else {
            cg_emit(G, "                const int32_t *sp = (const int32_t *)(const void *)yh + r * %" PRId64 "u + m;\n",
                    rstep * jw * c->M);
            cg_emit(G, "                for (uint32_t ow = 0; ow < %" PRId64 "u; ow++) {\n", c->OW);
            cg_emit(G, "                    int32_t v = sp[ow * %" PRId64 "u];\n", cstep * c->M);
            if (s->npu.bias_operand >= 0)
                cg_emit(G, "                    v += (int32_t)cb[m];\n");
            if (s->npu.cores_epilogue) {
                cg_emit(G, "                    const uint32_t f = ((bn * %" PRId64 "u + m) * %" PRId64
                           "u + u0 + r) * %" PRId64 "u + ow;\n                    (void)f;\n",
                        c->M, c->OH, c->OW);
                cg_emit_epilogue_flat(G, s, n, &T(G, n->outputs[0])->shape, "f", "m");
            }
            cg_emit(G, "                    d[ow * %" PRId64 "u] = (%s)v;\n                }\n", dstep, ot);
        }
        cg_emit(G, "                if (++r == n)\n                    r = 0, m++;\n");
        cg_emit(G, "            }\n        }\n    }\n");
    }
    if (halo)
        cg_emit(G, "    nn_halo_end(pend);\n");
    cg_emit(G, "}\n");
    cg_emit_descriptor(G, si);
}

void npu_plan_layouts(struct gen *G)
{
    const struct ort_graph *g = G->g;
    G->hwc = calloc((size_t)g->n_tensors + 1, sizeof *G->hwc);
    for (int i = 0; i < g->n_nodes; i++) {
        const struct ort_node *n = &g->nodes[i];
        if (G->node_engine[i] != &ort_engine_npu || n->op->id != ORT_OPID_CONV)
            continue;
        int t = cg_final_output(G, n);
        const struct ort_tensor *tt = T(G, t);
        if (tt->is_output || G->place[t].alias_of >= 0)
            continue;
        /* every node that reads it: an NPU convolution, as its input */
        bool ok = true, read = false;
        for (int k = 0; k < g->n_nodes && ok; k++) {
            const struct ort_node *c = &g->nodes[k];
            if (c->removed)
                continue;
            for (int j = 0; j < c->n_inputs && ok; j++) {
                if (c->inputs[j] != t)
                    continue;
                read = true;
                ok = j == 0 && !c->fused && G->node_engine[k] == &ort_engine_npu && c->op->id == ORT_OPID_CONV;
                if (ok) { /* it reads the HWC rows itself (not by gathering windows) */
                    struct ort_conv cc;
                    ort_conv_dims(g, c, &cc);
                    ok = !conv_gathers(&cc, c->p.pads);
                }
            }
        }
        G->hwc[t] = ok && read;
    }
}

const struct ort_engine_ops ort_engine_npu = {
    .name = "npu",
    .tag = NN_ENGINE_NPU,
    .tag_name = "NN_ENGINE_NPU",
    .can_run = npu_can_run,
    .applies = npu_applies,
    .lower = npu_lower,
    .tile = npu_tile,
    .cost = npu_cost,
    .emit_shared = npu_emit_shared,
    .emit = npu_emit,
    .emit_run = cg_emit_step_run,
};
