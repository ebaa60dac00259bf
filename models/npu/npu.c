#include "npu.h"

#include <stdio.h>
#include <string.h>

void ort_npu_default_params(struct ort_npu_params *p, unsigned cores)
{
    /* GVSoC's hard-coded phase costs (design note, section 7.2). */
    p->cores = cores;
    p->start_cycles = 1;
    p->load_prepare_cycles = 6;
    p->load_tail_1x1_cycles = 6;
    p->mv_prepare_1x1_cycles = 10;
    p->mv_prepare_3x3_cycles = 6;
    p->mv_prepare_dw_cycles = 34;
    p->mv_exit_3x3_cycles = 8;
    p->norm_shift_cycles = 7;
    p->norm_mult_bits = 32;
    p->norm_mult_cycles = 9;
    p->norm_bias_cycles = 8;
    p->streamin_cycles = 10;
    p->streamout_1x1_cycles = 3;
    p->end_cycles = 1;
    p->prefetch_load_cycles = 3;            /* GVSoC: load latency 3 with prefetch */
    p->mv_prepare_prefetch_1x1_cycles = 3;  /* GVSoC: 1x1 overhead 3 with prefetch */
    p->tcdm_ports = 9;      /* RTL: 9 x 32-bit TCDM ports */
    p->wmem_port_bytes = 36; /* RTL: 288-bit weight port */
}

bool ort_npu_init(struct ort_npu *n, const struct ort_npu_params *p, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    /* Structural guards for direct callers; the platform's ranges are those
       of the configuration table. */
    if (p->cores < 1 || p->cores > ORT_NPU_MAX_CORES) {
        snprintf(err, errlen, "npu: %u cores: must be 1 to %u", p->cores, ORT_NPU_MAX_CORES);
        return false;
    }
    if (p->tcdm_ports < 1 || p->wmem_port_bytes < 1 || p->norm_mult_bits < 1) {
        snprintf(err, errlen, "npu.tcdm_ports, npu.wmem_port_bytes and npu.norm_mult_bits "
                              "must be at least 1");
        return false;
    }
    n->p = *p;
    n->holder = -1;
    n->run = -1;
    n->error_job = 0xFFFFFFFFu;
    return true;
}

void ort_npu_set_l1(struct ort_npu *n, struct ort_mem *l1, struct ort_tcdm *tcdm)
{
    n->l1 = l1;
    n->tcdm = tcdm;
}

void ort_npu_set_weight_memory(struct ort_npu *n, struct ort_mem *wmem)
{
    n->wmem = wmem;
}

void ort_npu_set_event_unit(struct ort_npu *n, struct ort_event_unit *eu)
{
    n->eu = eu;
}

void ort_npu_set_wake(struct ort_npu *n, ort_npu_wake_fn fn, void *ctx)
{
    n->wake = fn;
    n->wake_ctx = ctx;
}

bool ort_npu_idle(const struct ort_npu *n)
{
    for (unsigned i = 0; i < 2; i++)
        if (n->ctx[i].state != ORT_NPU_CTX_FREE)
            return false;
    return n->run < 0;
}

void ort_npu_power_off(struct ort_npu *n)
{
    /* A power-gated block keeps no flip-flop: its contexts' registers. The
       job ids go on (ids are the driver's handles: a reused id after a
       power cycle would make a stale handle look valid). */
    for (unsigned i = 0; i < 2; i++)
        memset(n->ctx[i].reg, 0, sizeof n->ctx[i].reg);
    n->error = ORT_NPU_ERR_NONE;
}

const char *ort_npu_last_error(const struct ort_npu *n)
{
    return n->last_error;
}

/* ---- job check ---------------------------------------------------------- */

static const char *const reg_names[ORT_NPU_JOB_REGS] = {
    "WEIGHTS_PTR",         "INFEAT_PTR",          "OUTFEAT_PTR",       "SCALE_PTR",
    "SCALE_SHIFT_PTR",     "SCALE_BIAS_PTR",      "INFEAT_D0_STRIDE",  "INFEAT_D1_STRIDE",
    "INFEAT_D2_STRIDE",    "OUTFEAT_D0_STRIDE",   "OUTFEAT_D1_STRIDE", "OUTFEAT_D2_STRIDE",
    "WEIGHTS_D0_STRIDE",   "WEIGHTS_D1_STRIDE",   "WEIGHTS_D2_STRIDE", "SUBTILE_REMAINDER_0",
    "SUBTILE_REMAINDER_1", "SUBTILE_REMAINDER_2", "SUBTILE_NUMBER_0",  "SUBTILE_NUMBER_1",
    "PADDING",             "WEIGHT_OFFSET_FACTOR", "FILTER_MASKING",   "CONF0",
};

#define R(i) ((ORT_NPU_REG_##i - 0x20u) / 4u)

/* Append " (NAME 0x..., ...)" for the registers listed (indices, -1 ends). */
static void name_regs(char *msg, size_t len, const uint32_t *reg, const int *which)
{
    size_t used = strlen(msg);
    for (unsigned k = 0; which[k] >= 0 && used + 1 < len; k++) {
        snprintf(msg + used, len - used, "%s%s 0x%08x", k ? ", " : " (", reg_names[which[k]],
                 reg[which[k]]);
        used = strlen(msg);
    }
    if (used + 1 < len)
        snprintf(msg + used, len - used, ")");
}

/* Is [lo, hi) inside m? */
static bool inside(const struct ort_mem *m, int64_t lo, int64_t hi)
{
    return m && lo >= (int64_t)m->base && hi <= (int64_t)m->base + m->size && lo < hi;
}

static void region_msg(char *msg, size_t len, const char *what, int64_t lo, int64_t hi,
                       const struct ort_mem *m)
{
    snprintf(msg, len, "%s [0x%llx, 0x%llx) is outside the %s [0x%08x, 0x%08llx)", what,
             (unsigned long long)lo, (unsigned long long)hi, m ? m->name : "(none)",
             m ? m->base : 0, m ? (unsigned long long)m->base + m->size : 0ull);
}

/* Decode and check a context's registers; ORT_NPU_ERR_NONE or an error
   with the message (without the job prefix) in msg. */
/* The job's fields from its registers, and whether the hardware can run
   it at all (CONF and SIZE errors); `have_wmem`: a weight memory is
   attached. Memory regions are checked by check_job. */
static uint32_t decode_job(const struct ort_mem *wmem, const uint32_t *reg,
                           struct ort_npu_job *j, char *msg, size_t len)
{
    memset(j, 0, sizeof *j);
    uint32_t conf = reg[R(CONF0)];
    static const int conf_regs[] = {R(CONF0), R(FILTER_MASKING), -1};
    j->mode = (conf & ORT_NPU_CONF0_FILTER_MASK) >> 5;
    j->qw = (conf & 7u) + 1;
    j->quant = conf & ORT_NPU_CONF0_NORM_QUANT;
    j->wmem = conf & ORT_NPU_CONF0_WMEM;
    j->streamin = conf & ORT_NPU_CONF0_STREAMIN;
    j->prefetch = conf & ORT_NPU_CONF0_PREFETCH;
    j->shift = (conf >> 16) & 31u;
    j->relu = !(conf & ORT_NPU_CONF0_NO_RELU);
    j->chan_shift = j->quant && (conf & ORT_NPU_CONF0_PER_CHANNEL_SHIFT);
    j->bias = j->quant && (conf & ORT_NPU_CONF0_BIAS);
    j->signed_in = conf & ORT_NPU_CONF0_SIGNED_IN;
    unsigned norm = (conf >> 12) & 3u, out = (conf >> 21) & 3u;
    const char *bad = NULL;
    if (j->mode == 3)
        bad = "filter mode 3 does not exist";
    else if (conf & ORT_NPU_CONF0_MODE16)
        bad = "16-bit input (CONF0[3]) is not modelled";
    else if (conf & ORT_NPU_CONF0_LINEAR)
        bad = "linear mode (CONF0[7]) is not modelled";
    else if (conf & ORT_NPU_CONF0_STRIDED)
        bad = "strided mode (CONF0[8]) is not modelled";
    else if (out != 0 && out != 2)
        bad = "output bits must be 8 (CONF0[22:21] = 0) or 32 (2)";
    else if (norm == 3)
        bad = "scale bits CONF0[13:12] = 3 does not exist";
    else if (!j->quant && out != 2)
        bad = "raw accumulators (CONF0[4] = 0) need 32-bit output";
    else if (j->streamin && out != 2)
        bad = "streamin (CONF0[14]) needs 32-bit output";
    else if (reg[R(FILTER_MASKING)] != 0)
        bad = "FILTER_MASKING is not modelled (must be 0)";
    else if (j->wmem && !wmem)
        bad = "weights from the weight memory (CONF0[9]) but none is attached";
    else if (j->wmem && wmem->off)
        bad = "weights from the weight memory (CONF0[9]), which is power-gated (power "
              "controller WMEM = 0)";
    if (bad) {
        snprintf(msg, len, "%s", bad);
        name_regs(msg, len, reg, conf_regs);
        return ORT_NPU_ERR_CONF;
    }
    j->scale_bits = 8u << norm;
    j->out_bits = out == 2 ? 32 : 8;
    bool dw = j->mode == ORT_NPU_CONF0_FILTER_DW >> 5;
    bool k1 = j->mode == ORT_NPU_CONF0_FILTER_1X1 >> 5;
    j->tp_in = k1 ? 32 : 28;
    j->tp_out = dw ? 28 : 32;
    uint32_t rem0 = reg[R(SUBTILE_REMAINDER_0)], rem1 = reg[R(SUBTILE_REMAINDER_1)];
    uint32_t rem2 = reg[R(SUBTILE_REMAINDER_2)], num0 = reg[R(SUBTILE_NUMBER_0)];
    uint32_t num1 = reg[R(SUBTILE_NUMBER_1)], pad = reg[R(PADDING)];
    j->nko = num0 >> 16;
    j->nki = num0 & 0xFFFFu;
    j->nho = num1 >> 16;
    j->nwo = num1 & 0xFFFFu;
    j->rem_ko = rem0 >> 16;
    j->rem_ki = rem0 & 0xFFFFu;
    j->rem_ho = rem1 >> 16;
    j->rem_wo = rem1 & 0xFFFFu;
    j->rem_hi = rem2 >> 16;
    j->rem_wi = rem2 & 0xFFFFu;
    unsigned pt = pad >> 28, pr = (pad >> 24) & 15u, pb = (pad >> 20) & 15u, pl = (pad >> 16) & 15u;
    j->pad_top = pt;
    j->pad_left = pl;
    uint8_t pv = (uint8_t)pad;
    j->pad_value = j->signed_in ? (int8_t)pv : pv;
    j->wmin = (int32_t)reg[R(WEIGHT_OFFSET_FACTOR)];
    static const int size_regs[] = {R(SUBTILE_REMAINDER_0), R(SUBTILE_REMAINDER_1),
                                    R(SUBTILE_REMAINDER_2), R(SUBTILE_NUMBER_0),
                                    R(SUBTILE_NUMBER_1),    R(PADDING),
                                    R(CONF0),               -1};
    unsigned extra = k1 ? 0 : 2;
    if (!j->nko || !j->nki || !j->nho || !j->nwo)
        bad = "a subtile number is 0";
    else if (j->rem_ko < 1 || j->rem_ko > j->tp_out || j->rem_ki < 1 || j->rem_ki > j->tp_in)
        bad = "a channel remainder is outside 1..tile (Ko tile 32, DW 28; Ki tile 32, 3x3 28)";
    else if (j->rem_ho < 1 || j->rem_ho > 6 || j->rem_wo < 1 || j->rem_wo > 6)
        bad = "an output remainder is outside 1..6";
    else if (j->rem_hi < j->rem_ho || j->rem_hi > j->rem_ho + extra || j->rem_wi < j->rem_wo ||
             j->rem_wi > j->rem_wo + extra)
        bad = "input remainders must be the output ones (1x1) or them + 0..2 (3x3)";
    else if (pt > 2 || pr > 2 || pb > 2 || pl > 2)
        bad = "padding above 2";
    else if (k1 && (pt || pr || pb || pl))
        bad = "padding in 1x1 mode";
    else if (dw && (j->nki != j->nko || j->rem_ki != j->rem_ko))
        bad = "depthwise needs nKi = nKo and remKi = remKo";
    j->real_h_end = 6 * (j->nho - 1) + j->rem_hi;
    j->real_w_end = 6 * (j->nwo - 1) + j->rem_wi;
    if (!bad && (j->real_h_end <= pt || j->real_w_end <= pl))
        bad = "no real input pixel (the padding covers the input)";
    if (bad) {
        snprintf(msg, len, "%s", bad);
        name_regs(msg, len, reg, size_regs);
        return ORT_NPU_ERR_SIZE;
    }
    j->weights = reg[R(WEIGHTS_PTR)];
    j->in = reg[R(INFEAT_PTR)];
    j->out = reg[R(OUTFEAT_PTR)];
    j->scale = reg[R(SCALE_PTR)];
    j->shift_ptr = reg[R(SCALE_SHIFT_PTR)];
    j->bias_ptr = reg[R(SCALE_BIAS_PTR)];
    j->in_d0 = reg[R(INFEAT_D0_STRIDE)];
    j->in_d1 = reg[R(INFEAT_D1_STRIDE)];
    j->out_d0 = reg[R(OUTFEAT_D0_STRIDE)];
    j->out_d1 = reg[R(OUTFEAT_D1_STRIDE)];
    j->out_d2 = reg[R(OUTFEAT_D2_STRIDE)];
    j->w_d0 = reg[R(WEIGHTS_D0_STRIDE)];
    j->w_d1 = reg[R(WEIGHTS_D1_STRIDE)];
    return ORT_NPU_ERR_NONE;
}

/* decode_job, then every region the job reads or writes inside its memory. */
static uint32_t check_job(const struct ort_npu *n, const uint32_t *reg, struct ort_npu_job *j,
                          char *msg, size_t len)
{
    uint32_t e = decode_job(n->wmem, reg, j, msg, len);
    if (e != ORT_NPU_ERR_NONE)
        return e;
    bool dw = j->mode == ORT_NPU_CONF0_FILTER_DW >> 5;
    bool k1 = j->mode == ORT_NPU_CONF0_FILTER_1X1 >> 5;
    unsigned pt = j->pad_top, pl = j->pad_left;

    /* The real input pixels. Strides are unsigned: the extremes are the
       first and the last real pixel. */
    unsigned cin = dw ? (j->nko - 1) * 28 + j->rem_ko : (j->nki - 1) * j->tp_in + j->rem_ki;
    int64_t lo = (int64_t)j->in + (int64_t)pt * j->in_d1 + (int64_t)pl * j->in_d0;
    int64_t hi = (int64_t)j->in + (int64_t)(j->real_h_end - 1) * j->in_d1 +
                 (int64_t)(j->real_w_end - 1) * j->in_d0 + cin;
    if (!inside(n->l1, lo, hi)) {
        static const int in_regs[] = {R(INFEAT_PTR), R(INFEAT_D0_STRIDE), R(INFEAT_D1_STRIDE),
                                      R(SUBTILE_NUMBER_1), R(SUBTILE_REMAINDER_2), R(PADDING), -1};
        region_msg(msg, len, "input", lo, hi, n->l1);
        name_regs(msg, len, reg, in_regs);
        return ORT_NPU_ERR_INFEAT;
    }
    /* Every output word (and streamin word). */
    int64_t last_px = (int64_t)(6 * (j->nho - 1) + j->rem_ho - 1) * j->out_d2 +
                      (int64_t)(6 * (j->nwo - 1) + j->rem_wo - 1) * j->out_d1;
    int64_t ch_end = 0;
    for (unsigned kom = j->nko > 1 ? j->nko - 2 : 0; kom < j->nko; kom++) {
        unsigned ko = kom == j->nko - 1 ? j->rem_ko : j->tp_out;
        int64_t e = j->out_bits == 8
                        ? (int64_t)kom * j->tp_out + ko
                        : (int64_t)kom * j->tp_out * 4 + (int64_t)((ko - 1) / 8) * j->out_d0 +
                              ((ko - 1) % 8 + 1) * 4;
        if (e > ch_end)
            ch_end = e;
    }
    lo = j->out;
    hi = (int64_t)j->out + last_px + ch_end;
    if (!inside(n->l1, lo, hi)) {
        static const int out_regs[] = {R(OUTFEAT_PTR), R(OUTFEAT_D0_STRIDE), R(OUTFEAT_D1_STRIDE),
                                       R(OUTFEAT_D2_STRIDE), R(SUBTILE_NUMBER_1),
                                       R(SUBTILE_REMAINDER_1), -1};
        region_msg(msg, len, j->streamin ? "output/streamin" : "output", lo, hi, n->l1);
        name_regs(msg, len, reg, out_regs);
        return ORT_NPU_ERR_OUTFEAT;
    }
    /* Every weight word. */
    int64_t wlast;
    unsigned ko_last = (j->nko - 1) * 32 + j->rem_ko - 1;
    if (k1)
        wlast = (int64_t)ko_last * j->w_d1 + (int64_t)(j->nki - 1) * j->w_d0;
    else if (!dw)
        wlast = (int64_t)ko_last * j->w_d1 + (int64_t)((j->nki - 1) * j->qw + j->qw - 1) * j->w_d0;
    else
        wlast = (int64_t)((j->nko - 1) * j->qw + j->qw - 1) * j->w_d0;
    struct ort_mem *wm = j->wmem ? n->wmem : n->l1;
    lo = (int64_t)j->weights + (j->wmem ? wm->base : 0);
    hi = lo + wlast + ORT_NPU_LANES;
    if (!inside(wm, lo, hi)) {
        static const int w_regs[] = {R(WEIGHTS_PTR), R(WEIGHTS_D0_STRIDE), R(WEIGHTS_D1_STRIDE),
                                     R(SUBTILE_NUMBER_0), R(SUBTILE_REMAINDER_0), R(CONF0), -1};
        region_msg(msg, len, "weights", lo, hi, wm);
        name_regs(msg, len, reg, w_regs);
        return ORT_NPU_ERR_WEIGHTS;
    }
    /* The parameters used. */
    unsigned kout = (j->nko - 1) * j->tp_out + j->rem_ko;
    struct {
        bool used;
        uint32_t ptr;
        unsigned bytes;
        const char *what;
        int reg;
    } par[] = {
        {j->quant, j->scale, j->scale_bits / 8, "scales", R(SCALE_PTR)},
        {j->chan_shift, j->shift_ptr, 1, "shifts", R(SCALE_SHIFT_PTR)},
        {j->bias, j->bias_ptr, 4, "biases", R(SCALE_BIAS_PTR)},
    };
    for (unsigned k = 0; k < 3; k++) {
        if (!par[k].used)
            continue;
        lo = par[k].ptr;
        hi = lo + (int64_t)kout * par[k].bytes;
        if (!inside(n->l1, lo, hi)) {
            const int norm_regs[] = {par[k].reg, R(SUBTILE_NUMBER_0), R(SUBTILE_REMAINDER_0),
                                     R(CONF0), -1};
            region_msg(msg, len, par[k].what, lo, hi, n->l1);
            name_regs(msg, len, reg, norm_regs);
            return ORT_NPU_ERR_NORM;
        }
    }
    return ORT_NPU_ERR_NONE;
}

/* ---- the engine: phases ---------------------------------------------------- */

enum phase { PH_STREAMIN, PH_LOAD, PH_MV, PH_NORM_SHIFT, PH_NORM_MULT, PH_NORM_BIAS,
             PH_STREAMOUT, PH_END };

struct pos {
    unsigned kom, ti, tj, kim, phase;
};

struct shape {
    uint32_t lead, slots, tail;
    /* Weight stream phase: its weight words, the prefetched load accesses
       sharing its slots (slots = the larger), cycles of a weight word. */
    uint32_t mv_slots, pf_slots, wc;
};

static bool is_1x1(const struct ort_npu_job *j)
{
    return j->mode == ORT_NPU_CONF0_FILTER_1X1 >> 5;
}

static bool is_dw(const struct ort_npu_job *j)
{
    return j->mode == ORT_NPU_CONF0_FILTER_DW >> 5;
}

static unsigned ko_sub(const struct ort_npu_job *j, const struct pos *p)
{
    return p->kom == j->nko - 1 ? j->rem_ko : j->tp_out;
}

static unsigned ki_sub(const struct ort_npu_job *j, const struct pos *p)
{
    if (is_dw(j))
        return ko_sub(j, p);
    return p->kim == j->nki - 1 ? j->rem_ki : j->tp_in;
}

static unsigned ho_sub(const struct ort_npu_job *j, const struct pos *p)
{
    return p->ti == j->nho - 1 ? j->rem_ho : ORT_NPU_PE;
}

static unsigned wo_sub(const struct ort_npu_job *j, const struct pos *p)
{
    return p->tj == j->nwo - 1 ? j->rem_wo : ORT_NPU_PE;
}

static unsigned hi_sub(const struct ort_npu_job *j, const struct pos *p)
{
    return p->ti == j->nho - 1 ? j->rem_hi : is_1x1(j) ? ORT_NPU_PE : ORT_NPU_IN_HW;
}

static unsigned wi_sub(const struct ort_npu_job *j, const struct pos *p)
{
    return p->tj == j->nwo - 1 ? j->rem_wi : is_1x1(j) ? ORT_NPU_PE : ORT_NPU_IN_HW;
}

/* Does the load of Ki subtile kim + 1 hide behind the weights of kim?
   (npu.h, "Prefetch".) */
static bool prefetching(const struct ort_npu_job *j)
{
    return j->prefetch && j->wmem && !is_dw(j);
}

static unsigned out_groups(const struct ort_npu_job *j, const struct pos *p)
{
    return j->out_bits == 32 ? (ko_sub(j, p) + 7) / 8 : 1;
}

static uint32_t div_up(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

/* The first phase of subtile (kom, ti, tj). */
static void subtile_first(const struct ort_npu_job *j, struct pos *p)
{
    p->kim = 0;
    p->phase = j->streamin ? PH_STREAMIN : PH_LOAD;
}

/* The phase after *p; false after PH_END. */
static bool pos_next(const struct ort_npu_job *j, struct pos *p)
{
    switch (p->phase) {
    case PH_STREAMIN:
        p->phase = PH_LOAD;
        return true;
    case PH_LOAD:
        p->phase = PH_MV;
        return true;
    case PH_MV:
        if (!is_dw(j) && p->kim + 1 < j->nki) {
            p->kim++;
            p->phase = PH_LOAD;
        } else {
            p->phase = !j->quant ? PH_STREAMOUT : j->chan_shift ? PH_NORM_SHIFT : PH_NORM_MULT;
        }
        return true;
    case PH_NORM_SHIFT:
        p->phase = PH_NORM_MULT;
        return true;
    case PH_NORM_MULT:
        p->phase = PH_NORM_BIAS;
        return true;
    case PH_NORM_BIAS:
        p->phase = PH_STREAMOUT;
        return true;
    case PH_STREAMOUT:
        if (++p->tj == j->nwo) {
            p->tj = 0;
            if (++p->ti == j->nho) {
                p->ti = 0;
                if (++p->kom == j->nko) {
                    p->phase = PH_END;
                    return true;
                }
            }
        }
        subtile_first(j, p);
        return true;
    default:
        return false;
    }
}

static void phase_shape(const struct ort_npu_params *c, const struct ort_npu_job *j,
                        const struct pos *p, struct shape *s)
{
    s->lead = s->slots = s->tail = 0;
    s->mv_slots = s->pf_slots = 0;
    s->wc = 1;
    unsigned ko = ko_sub(j, p);
    switch (p->phase) {
    case PH_STREAMIN:
        s->slots = ho_sub(j, p) * wo_sub(j, p) * out_groups(j, p);
        s->tail = c->streamin_cycles;
        break;
    case PH_LOAD:
        if (prefetching(j) && p->kim > 0) { /* loaded during the last weights */
            s->lead = c->prefetch_load_cycles;
            break;
        }
        s->lead = c->load_prepare_cycles;
        s->slots = hi_sub(j, p) * wi_sub(j, p);
        if (is_1x1(j))
            s->tail = ORT_NPU_PE * ORT_NPU_PE - s->slots + c->load_tail_1x1_cycles;
        break;
    case PH_MV:
        s->lead = is_1x1(j) ? (prefetching(j) && p->kim > 0 ? c->mv_prepare_prefetch_1x1_cycles
                                                             : c->mv_prepare_1x1_cycles)
                  : is_dw(j) ? c->mv_prepare_dw_cycles
                             : c->mv_prepare_3x3_cycles;
        s->mv_slots = is_1x1(j) ? ko : is_dw(j) ? j->qw : ko * j->qw;
        if (prefetching(j) && p->kim + 1 < j->nki)
            s->pf_slots = hi_sub(j, p) * wi_sub(j, p); /* the next load, same pixels */
        s->slots = s->mv_slots > s->pf_slots ? s->mv_slots : s->pf_slots;
        if (!is_1x1(j) && !is_dw(j))
            s->tail = c->mv_exit_3x3_cycles;
        if (j->wmem)
            s->wc = div_up(ORT_NPU_LANES, c->wmem_port_bytes);
        break;
    case PH_NORM_SHIFT:
        s->slots = 1;
        s->tail = c->norm_shift_cycles;
        break;
    case PH_NORM_MULT: {
        uint32_t cycles = div_up(ko * j->scale_bits, c->norm_mult_bits);
        s->slots = div_up(ko * j->scale_bits / 8, ORT_NPU_LANES);
        s->tail = (cycles > s->slots ? cycles - s->slots : 0) + c->norm_mult_cycles;
        break;
    }
    case PH_NORM_BIAS:
        s->slots = j->bias ? div_up(ko * 4, ORT_NPU_LANES) : 0;
        s->tail = c->norm_bias_cycles;
        break;
    case PH_STREAMOUT:
        s->slots = ((ho_sub(j, p) - 1) * ORT_NPU_PE + wo_sub(j, p)) * out_groups(j, p);
        if (is_1x1(j))
            s->tail = c->streamout_1x1_cycles;
        break;
    default: /* PH_END */
        s->tail = c->end_cycles;
        break;
    }
}

/* Cycles of slot i without L1 waits. */
static uint32_t slot_nominal(const struct shape *s, uint32_t i)
{
    if (!s->mv_slots)
        return 1;
    uint32_t w = i < s->mv_slots ? s->wc : 0, l = i < s->pf_slots ? 1 : 0;
    return w > l ? w : l;
}

static uint64_t shape_cycles(const struct shape *s)
{
    uint64_t slots = 0;
    if (!s->mv_slots)
        slots = s->slots;
    else /* both streams, then the longer one alone */
        for (uint32_t i = 0; i < s->slots; i++)
            slots += slot_nominal(s, i);
    return (uint64_t)s->lead + slots + s->tail;
}

/* The job's cycles without L1 waits (a dry run of the traversal). */
static uint64_t nominal_cycles(const struct ort_npu_params *c, const struct ort_npu_job *j)
{
    struct pos p = {0};
    subtile_first(j, &p);
    uint64_t total = 0;
    do {
        struct shape s;
        phase_shape(c, j, &p, &s);
        total += shape_cycles(&s);
    } while (pos_next(j, &p));
    return total;
}

uint64_t ort_npu_job_cycles(const struct ort_npu_params *p, const uint32_t regs[ORT_NPU_JOB_REGS])
{
    struct ort_npu_job j;
    char msg[256];
    static const struct ort_mem any_wmem; /* a weight memory, on: decode only */
    if (decode_job(&any_wmem, regs, &j, msg, sizeof msg) != ORT_NPU_ERR_NONE)
        return 0;
    return p->start_cycles + nominal_cycles(p, &j);
}

/* ---- the engine: data ------------------------------------------------------- */

static struct ort_npu_job *cur(struct ort_npu *n)
{
    return &n->ctx[n->run].job;
}

static struct pos cur_pos(const struct ort_npu *n)
{
    struct pos p = {n->kom, n->ti, n->tj, n->kim, n->phase};
    return p;
}

/* Claim the L1 banks of [addr, addr + bytes) from cycle c, tcdm_ports words
   per cycle; returns the cycle of the last claim. */
static uint64_t claim(struct ort_npu *n, uint32_t addr, uint32_t bytes, uint64_t c)
{
    n->streamer_accesses++;
    if (!n->tcdm || !bytes)
        return c;
    uint32_t w = addr & ~3u, last = (uint32_t)(addr + bytes - 1) & ~3u;
    for (unsigned k = 0;; k++, w += 4) {
        if (k && k % n->p.tcdm_ports == 0)
            c++;
        uint32_t waited = ort_tcdm_claim(n->tcdm, w, c);
        n->tcdm_wait_cycles += waited;
        c += waited;
        n->tcdm_words++;
        if (w == last)
            break;
    }
    return c;
}

static void l1_read(struct ort_npu *n, uint32_t addr, void *dst, uint32_t len)
{
    /* Every range was checked at TRIGGER; a failure here is a model bug. */
    if (!ort_mem_read(n->l1, addr, dst, len))
        memset(dst, 0, len);
}

static int64_t virt_row(const struct pos *p, unsigned r)
{
    return (int64_t)ORT_NPU_PE * p->ti + r;
}

static int64_t virt_col(const struct pos *p, unsigned c)
{
    return (int64_t)ORT_NPU_PE * p->tj + c;
}

static uint32_t out_addr(const struct ort_npu_job *j, const struct pos *p, unsigned r, unsigned c)
{
    return j->out + (uint32_t)virt_row(p, r) * j->out_d2 + (uint32_t)virt_col(p, c) * j->out_d1 +
           p->kom * j->tp_out * (j->out_bits / 8);
}

static uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

/* Load phase entry: every buffer position holds the pad value on the
   channels of this subtile, 0 on the others; real pixels overwrite. */
static void load_begin(struct ort_npu *n, const struct pos *p, unsigned buf)
{
    const struct ort_npu_job *j = cur(n);
    unsigned ch = ki_sub(j, p);
    /* the pixels the subtile's windows read (the load's own and a 3x3's
       halo), not the whole buffer: a matrix-vector job uses one */
    unsigned halo = is_1x1(j) ? 0 : 2, h = ho_sub(j, p) + halo, w = wo_sub(j, p) + halo;
    h = h > hi_sub(j, p) ? h : hi_sub(j, p);
    w = w > wi_sub(j, p) ? w : wi_sub(j, p);
    h = h < ORT_NPU_IN_HW ? h : ORT_NPU_IN_HW;
    w = w < ORT_NPU_IN_HW ? w : ORT_NPU_IN_HW;
    for (unsigned r = 0; r < h; r++)
        for (unsigned c = 0; c < w; c++)
            for (unsigned k = 0; k < ORT_NPU_LANES; k++)
                n->in_buf[buf][r][c][k] = k < ch ? j->pad_value : 0;
}

/* Weight offset (end of a load): acc += Wmin * the sum of the inputs each
   enabled pixel sees (DW: per channel). */
static void weight_offset(struct ort_npu *n)
{
    const struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    unsigned taps = is_1x1(j) ? 1 : 3, ch = ki_sub(j, &p);
    uint32_t wmin = (uint32_t)j->wmin;
    for (unsigned r = 0; r < ho_sub(j, &p); r++)
        for (unsigned c = 0; c < wo_sub(j, &p); c++) {
            uint32_t *acc = n->acc[r * ORT_NPU_PE + c];
            uint32_t total = 0;
            for (unsigned k = 0; k < ch; k++) {
                uint32_t s = 0;
                for (unsigned ky = 0; ky < taps; ky++)
                    for (unsigned kx = 0; kx < taps; kx++)
                        s += (uint32_t)n->in_buf[n->cur_buf][r + ky][c + kx][k];
                if (is_dw(j))
                    acc[k] += wmin * s;
                total += s;
            }
            if (!is_dw(j))
                for (unsigned k = 0; k < ORT_NPU_LANES; k++)
                    acc[k] += wmin * total;
        }
}

/* One weight word (32 bytes) applied to the accumulators. */
static void matrixvec(struct ort_npu *n, const uint8_t *word, unsigned s)
{
    const struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    unsigned ho = ho_sub(j, &p), wo = wo_sub(j, &p), ch = ki_sub(j, &p);
#define BIT(i) ((word[(i) / 8] >> ((i) % 8)) & 1u)
    if (is_1x1(j)) {
        /* One output channel, all bit-planes: bit 32 g + 4 b + c4 is bit b
           of channel 4 g + c4. */
        uint32_t w[ORT_NPU_LANES];
        uint32_t qmask = (1u << j->qw) - 1u;
        for (unsigned g = 0; g < ORT_NPU_LANES / 4; g++) {
            /* group g's 32 bits: bit 4 b + c4 is bit b of channel 4 g + c4;
               every 4th bit from c4 on, gathered into 8 bits */
            uint32_t word32 = rd32(word + 4 * g);
            for (unsigned c4 = 0; c4 < 4; c4++) {
                uint32_t x = (word32 >> c4) & 0x11111111u;
                x = (x | x >> 3) & 0x03030303u;
                x = (x | x >> 6) & 0x000F000Fu;
                x = (x | x >> 12) & 0xFFu;
                w[4 * g + c4] = x & qmask;
            }
        }
        for (unsigned r = 0; r < ho; r++)
            for (unsigned c = 0; c < wo; c++) {
                uint32_t sum = 0;
                for (unsigned k = 0; k < ch; k++)
                    sum += w[k] * (uint32_t)n->in_buf[n->cur_buf][r][c][k];
                n->acc[r * ORT_NPU_PE + c][s] += sum;
            }
        n->macs += (uint64_t)ho * wo * ch;
        return;
    }
    /* 3x3 (word = output channel s / qw, bit s % qw) and DW (bit s): bit
       28 tap + c is bit b of channel c at tap (ky, kx) = (tap / 3, tap % 3). */
    unsigned ko = is_dw(j) ? 0 : s / j->qw, b = is_dw(j) ? s : s % j->qw;
    for (unsigned tap = 0; tap < 9; tap++) {
        unsigned ky = tap / 3, kx = tap % 3;
        for (unsigned k = 0; k < ch; k++) {
            if (!BIT(28 * tap + k))
                continue;
            for (unsigned r = 0; r < ho; r++)
                for (unsigned c = 0; c < wo; c++)
                    n->acc[r * ORT_NPU_PE + c][is_dw(j) ? k : ko] +=
                        (uint32_t)n->in_buf[n->cur_buf][r + ky][c + kx][k] << b;
        }
    }
#undef BIT
    if (b == j->qw - 1)
        n->macs += (uint64_t)ho * wo * ch * 9;
}

/* Normalization/quantization of one accumulator (npu.h). */
static uint32_t normquant(const struct ort_npu_job *j, uint32_t acc, uint32_t s, uint32_t b,
                          unsigned sh)
{
    int64_t t;
    if (j->bias) {
        int32_t u = (int32_t)(acc * s + b); /* the 32-bit multiply-add wraps */
        t = u >> sh;
    } else {
        /* A signed 48-bit product: the low 48 bits of the exact one. */
        uint64_t prod = (uint64_t)((int64_t)(int32_t)acc * (int64_t)s) & 0xFFFFFFFFFFFFull;
        int64_t p48 = (int64_t)(prod << 16) >> 16;
        t = p48 >> sh;
    }
    if (j->out_bits == 8) {
        int64_t lo = j->relu ? 0 : -128, hi = j->relu ? 255 : 127;
        t = t < lo ? lo : t > hi ? hi : t;
        return (uint32_t)t & 0xFFu;
    }
    if (j->relu)
        return t < 0 ? 0 : (uint32_t)t;
    t = t < INT32_MIN ? INT32_MIN : t > INT32_MAX ? INT32_MAX : t;
    return (uint32_t)t;
}

/* Read the parameters of the current Ko subtile at phase `ph`. */
static void read_params(struct ort_npu *n, unsigned ph)
{
    const struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    unsigned ko = ko_sub(j, &p), base = p.kom * j->tp_out;
    uint8_t buf[ORT_NPU_LANES * 4];
    if (ph == PH_NORM_SHIFT) {
        l1_read(n, j->shift_ptr + base, n->shift, ko);
    } else if (ph == PH_NORM_MULT) {
        unsigned sb = j->scale_bits / 8;
        l1_read(n, j->scale + base * sb, buf, ko * sb);
        for (unsigned k = 0; k < ko; k++)
            n->scale[k] = sb == 1   ? buf[k]
                          : sb == 2 ? (uint32_t)buf[2 * k] | (uint32_t)buf[2 * k + 1] << 8
                                    : rd32(buf + 4 * k);
    } else if (j->bias) {
        l1_read(n, j->bias_ptr + base * 4, buf, ko * 4);
        for (unsigned k = 0; k < ko; k++)
            n->bias[k] = rd32(buf + 4 * k);
    }
}

static void quantize(struct ort_npu *n)
{
    const struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    unsigned ko = ko_sub(j, &p);
    for (unsigned r = 0; r < ho_sub(j, &p); r++)
        for (unsigned c = 0; c < wo_sub(j, &p); c++)
            for (unsigned k = 0; k < ko; k++) {
                uint32_t *a = &n->acc[r * ORT_NPU_PE + c][k];
                *a = normquant(j, *a, n->scale[k], j->bias ? n->bias[k] : 0,
                               j->chan_shift ? n->shift[k] & 31u : j->shift);
            }
}

/* Load access s of the load at position p into buffer `buf`, at cycle c;
   returns the cycle after it. */
static uint64_t load_slot(struct ort_npu *n, const struct pos *pp, unsigned buf, unsigned s,
                          uint64_t c)
{
    const struct ort_npu_job *j = cur(n);
    struct pos p = *pp;
    uint8_t data[ORT_NPU_LANES];
    unsigned r = s / wi_sub(j, &p), col = s % wi_sub(j, &p);
    int64_t vr = virt_row(&p, r), vc = virt_col(&p, col);
    uint32_t a = j->in + (uint32_t)vr * j->in_d1 + (uint32_t)vc * j->in_d0 +
                 (is_dw(j) ? p.kom * 28 : p.kim * j->tp_in);
    /* The streamer reads 32 bytes at every position, padded or not. */
    c = claim(n, a, ORT_NPU_LANES, c);
    n->buffer_writes++;
    if (vr >= j->pad_top && vr < j->real_h_end && vc >= j->pad_left && vc < j->real_w_end) {
        unsigned ch = ki_sub(j, &p);
        l1_read(n, a, data, ch);
        for (unsigned k = 0; k < ch; k++)
            n->in_buf[buf][r][col][k] = j->signed_in ? (int8_t)data[k] : data[k];
    }
    return c + 1;
}

/* Slot s of the current phase (shape sh) at cycle c: its accesses and its
   data; returns the cycle after it. */
static uint64_t do_slot(struct ort_npu *n, const struct shape *sh, unsigned s, uint64_t c)
{
    struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    unsigned ko = ko_sub(j, &p);
    uint8_t buf[ORT_NPU_LANES * 4];
    switch (p.phase) {
    case PH_STREAMIN: {
        unsigned g = s % out_groups(j, &p), px = s / out_groups(j, &p);
        unsigned r = px / wo_sub(j, &p), col = px % wo_sub(j, &p);
        unsigned nch = ko - 8 * g < 8 ? ko - 8 * g : 8;
        uint32_t a = out_addr(j, &p, r, col) + g * j->out_d0;
        c = claim(n, a, nch * 4, c);
        l1_read(n, a, buf, nch * 4);
        for (unsigned k = 0; k < nch; k++)
            n->acc[r * ORT_NPU_PE + col][8 * g + k] = rd32(buf + 4 * k);
        return c + 1;
    }
    case PH_LOAD:
        return load_slot(n, &p, n->cur_buf, s, c);
    case PH_MV: {
        /* The prefetched load's access of this slot, on the L1 port. */
        uint64_t end = c;
        if (s < sh->pf_slots) {
            struct pos next = p;
            next.kim++;
            end = load_slot(n, &next, n->cur_buf ^ 1u, s, c);
        }
        if (s >= sh->mv_slots)
            return end;
        uint32_t a;
        if (is_1x1(j))
            a = j->weights + (p.kom * 32 + s) * j->w_d1 + p.kim * j->w_d0;
        else if (is_dw(j))
            a = j->weights + (p.kom * j->qw + s) * j->w_d0;
        else
            a = j->weights + (p.kom * 32 + s / j->qw) * j->w_d1 +
                (p.kim * j->qw + s % j->qw) * j->w_d0;
        if (j->wmem) {
            ort_mem_read(n->wmem, n->wmem->base + a, buf, ORT_NPU_LANES);
            n->weight_port_bytes += ORT_NPU_LANES;
            c += sh->wc;
        } else {
            c = claim(n, a, ORT_NPU_LANES, c) + 1;
            l1_read(n, a, buf, ORT_NPU_LANES);
        }
        matrixvec(n, buf, s);
        return c > end ? c : end;
    }
    case PH_NORM_SHIFT:
        c = claim(n, j->shift_ptr + p.kom * j->tp_out, ko, c);
        if (s == 0)
            read_params(n, PH_NORM_SHIFT);
        return c + 1;
    case PH_NORM_MULT: {
        unsigned sb = j->scale_bits / 8, total = ko * sb;
        unsigned bytes = total - s * 32 < 32 ? total - s * 32 : 32;
        c = claim(n, j->scale + p.kom * j->tp_out * sb + s * 32, bytes, c);
        if (s == 0)
            read_params(n, PH_NORM_MULT);
        return c + 1;
    }
    case PH_NORM_BIAS: {
        unsigned total = ko * 4, bytes = total - s * 32 < 32 ? total - s * 32 : 32;
        c = claim(n, j->bias_ptr + p.kom * j->tp_out * 4 + s * 32, bytes, c);
        if (s == 0)
            read_params(n, PH_NORM_BIAS);
        return c + 1;
    }
    case PH_STREAMOUT: {
        unsigned groups = out_groups(j, &p), g = s % groups, q = s / groups;
        unsigned r = q / ORT_NPU_PE, col = q % ORT_NPU_PE;
        if (col >= wo_sub(j, &p))
            return c + 1; /* a disabled pixel's slot */
        const uint32_t *acc = n->acc[r * ORT_NPU_PE + col];
        uint32_t a = out_addr(j, &p, r, col);
        unsigned bytes;
        if (j->out_bits == 8) {
            bytes = ko;
            for (unsigned k = 0; k < ko; k++)
                buf[k] = (uint8_t)acc[k];
        } else {
            unsigned nch = ko - 8 * g < 8 ? ko - 8 * g : 8;
            a += g * j->out_d0;
            bytes = nch * 4;
            for (unsigned k = 0; k < nch; k++)
                wr32(buf + 4 * k, acc[8 * g + k]);
        }
        c = claim(n, a, bytes, c);
        ort_mem_write(n->l1, a, buf, bytes);
        return c + 1;
    }
    default:
        return c + 1;
    }
}

/* Entering the current phase (its data, before its lead cycles). */
static void phase_begin(struct ort_npu *n)
{
    n->slot = 0;
    n->lead_done = false;
    bool first = n->phase == PH_STREAMIN || (n->phase == PH_LOAD && n->kim == 0 && !cur(n)->streamin);
    const struct ort_npu_job *j = cur(n);
    struct pos p = cur_pos(n);
    if (first) /* a new subtile: its rows of accumulators (nothing reads the others) */
        memset(n->acc, 0, sizeof n->acc[0] * ORT_NPU_PE * ho_sub(j, &p));
    if (n->phase == PH_LOAD) {
        if (prefetching(j) && n->kim > 0)
            n->cur_buf ^= 1u; /* the buffer the prefetch filled */
        else
            load_begin(n, &p, n->cur_buf);
    } else if (n->phase == PH_MV && prefetching(j) && n->kim + 1 < j->nki) {
        struct pos next = p;
        next.kim++;
        load_begin(n, &next, n->cur_buf ^ 1u);
    }
}

/* Leaving the current phase (after its tail). */
static void phase_end(struct ort_npu *n)
{
    if (n->phase == PH_LOAD)
        weight_offset(n);
    else if (n->phase == PH_NORM_BIAS) {
        if (!cur(n)->bias)
            read_params(n, PH_NORM_BIAS);
        quantize(n);
    }
}

/* ---- HWPE control ----------------------------------------------------------- */

static void wake_core(struct ort_npu *n, unsigned i, uint64_t cycle)
{
    struct ort_npu_core *k = &n->core[i];
    k->waiting = false;
    /* Cores are simulated one after another: the NPU may free a context
       "before" a core began to wait; it then resumes where it waited. */
    if (cycle < k->wait_since)
        cycle = k->wait_since;
    if (n->wake)
        n->wake(n->wake_ctx, i, cycle);
}

static void wake_acquirers(struct ort_npu *n, uint64_t cycle)
{
    for (unsigned i = 0; i < n->p.cores; i++)
        if (n->core[i].waiting)
            wake_core(n, i, cycle);
}

static void raise_event(struct ort_npu *n, unsigned core, uint64_t cycle)
{
    if (n->eu && core < n->p.cores)
        ort_eu_raise(n->eu, 1u << core, ORT_EU_EVENT_NPU, cycle);
}

/* Start the next job if the engine is idle and it is ready. */
static void start_next(struct ort_npu *n)
{
    if (n->run >= 0 || n->ctx[n->next].state != ORT_NPU_CTX_READY)
        return;
    struct ort_npu_context *x = &n->ctx[n->next];
    n->run = (int)n->next;
    x->state = ORT_NPU_CTX_RUNNING;
    uint64_t start = x->triggered + n->p.start_cycles;
    if (start < n->engine_free)
        start = n->engine_free;
    n->cycle = start;
    n->nominal_left = nominal_cycles(&n->p, &x->job);
    struct pos p = {0};
    subtile_first(&x->job, &p);
    n->kom = p.kom;
    n->ti = p.ti;
    n->tj = p.tj;
    n->kim = p.kim;
    n->phase = p.phase;
    phase_begin(n);
}

static void complete_job(struct ort_npu *n, uint64_t done)
{
    struct ort_npu_context *x = &n->ctx[n->run];
    x->state = ORT_NPU_CTX_FREE;
    n->running_job = x->id;
    if (n->finished < 2)
        n->finished++;
    n->jobs++;
    n->engine_free = done;
    n->run = -1;
    n->next ^= 1u;
    raise_event(n, x->core, done);
    wake_acquirers(n, done);
    start_next(n);
}

void ort_npu_advance(void *ctx, uint64_t until)
{
    struct ort_npu *n = ctx;
    if (until > n->advanced)
        n->advanced = until;
    while (n->run >= 0 && n->cycle < until) {
        struct ort_npu_job *j = cur(n);
        struct pos p = cur_pos(n);
        struct shape s;
        phase_shape(&n->p, j, &p, &s);
        /* busy_cycles grows step by step (a power trace window sees the
           cycles it holds, to within one step). */
        if (!n->lead_done) { /* the lead cycles come before slot 0 */
            n->busy_cycles += s.lead;
            n->cycle += s.lead;
            n->nominal_left -= s.lead;
            n->lead_done = true;
            continue;
        }
        if (n->slot < s.slots) {
            uint64_t c0 = n->cycle;
            n->cycle = do_slot(n, &s, n->slot, n->cycle);
            n->busy_cycles += n->cycle - c0;
            n->nominal_left -= slot_nominal(&s, n->slot);
            n->slot++;
            continue;
        }
        if (p.phase == PH_END) {
            if (n->cycle + s.tail > until)
                return; /* completes in a later call */
            n->busy_cycles += s.tail;
            n->cycle += s.tail;
            n->nominal_left = 0;
            complete_job(n, n->cycle);
            continue;
        }
        n->busy_cycles += s.tail;
        n->cycle += s.tail;
        n->nominal_left -= s.tail;
        phase_end(n);
        pos_next(j, &p);
        n->kom = p.kom;
        n->ti = p.ti;
        n->tj = p.tj;
        n->kim = p.kim;
        n->phase = p.phase;
        phase_begin(n);
    }
}

uint64_t ort_npu_next_event(const void *ctx)
{
    const struct ort_npu *n = ctx;
    if (n->run < 0)
        return UINT64_MAX;
    uint64_t done = n->cycle + n->nominal_left;
    return done > n->advanced ? done : n->advanced + 1;
}

/* Refuse the job of the context being programmed (or a TRIGGER without
   one): ERROR, the message, event 12 one cycle later. */
static void refuse(struct ort_npu *n, unsigned core, uint32_t code, uint32_t id, const char *msg,
                   uint64_t now)
{
    n->error = code;
    n->error_job = id;
    n->errors++;
    if (id == 0xFFFFFFFFu)
        snprintf(n->last_error, sizeof n->last_error, "NPU: core %u: %.340s", core, msg);
    else
        snprintf(n->last_error, sizeof n->last_error, "NPU job %u (core %u) refused: %.340s", id,
                 core, msg);
    raise_event(n, core, now + 1);
}

static void trigger(struct ort_npu *n, unsigned core, uint32_t value, uint64_t now)
{
    if (n->holder != (int)core) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "TRIGGER = %u without an acquired context (ACQUIRE first; STATUS 0x%03x)", value,
                 (n->ctx[0].state >= ORT_NPU_CTX_COMMITTED ? 1u : 0u) |
                     (n->ctx[1].state >= ORT_NPU_CTX_COMMITTED ? 0x100u : 0u));
        refuse(n, core, ORT_NPU_ERR_NO_ACQUIRE, 0xFFFFFFFFu, msg, now);
        return;
    }
    struct ort_npu_context *x = &n->ctx[n->prog];
    n->holder = -1;
    char msg[340];
    uint32_t e = check_job(n, x->reg, &x->job, msg, sizeof msg);
    if (e != ORT_NPU_ERR_NONE) {
        x->state = ORT_NPU_CTX_FREE;
        n->running_job = x->id;
        refuse(n, core, e, x->id, msg, now);
        wake_acquirers(n, now);
        return;
    }
    x->core = core;
    x->triggered = now;
    x->state = value == 0 ? ORT_NPU_CTX_READY : ORT_NPU_CTX_COMMITTED;
    if (value == 0)
        for (unsigned k = 0; k < 2; k++)
            if (n->ctx[k].state == ORT_NPU_CTX_COMMITTED) {
                n->ctx[k].state = ORT_NPU_CTX_READY;
                n->ctx[k].triggered = now;
            }
    n->prog ^= 1u;
    wake_acquirers(n, now); /* the hold is free */
    start_next(n);
}

static void soft_clear(struct ort_npu *n, bool registers, uint64_t now)
{
    if (n->run >= 0)
        n->engine_free = now;
    n->run = -1;
    for (unsigned k = 0; k < 2; k++) {
        n->ctx[k].state = ORT_NPU_CTX_FREE;
        if (registers)
            memset(n->ctx[k].reg, 0, sizeof n->ctx[k].reg);
    }
    n->prog = n->next = 0;
    n->holder = -1;
    n->finished = 0;
    n->error = ORT_NPU_ERR_NONE;
    wake_acquirers(n, now);
}

static uint32_t status(const struct ort_npu *n)
{
    uint32_t s = 0;
    for (unsigned k = 0; k < 2; k++)
        if (n->ctx[k].state >= ORT_NPU_CTX_COMMITTED)
            s |= k ? ORT_NPU_STATUS_CTX1 : ORT_NPU_STATUS_CTX0;
    return s;
}

enum rv_bus_status ort_npu_access(void *ctx, unsigned core, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles)
{
    struct ort_npu *n = ctx;
    *extra_cycles = 0;
    if (core >= n->p.cores || size != 4 || (offset & 3))
        return RV_BUS_ERROR;
    /* As the DMA's, the engine's state is that of the last advance: the
       scheduler advances devices after each slice. */
    if (offset >= ORT_NPU_REG_JOB(0) && offset < ORT_NPU_REG_JOB(ORT_NPU_JOB_REGS)) {
        struct ort_npu_context *x = &n->ctx[n->prog];
        unsigned i = (offset - ORT_NPU_REG_JOB(0)) / 4;
        if (!is_write)
            *data = x->reg[i];
        else if (x->state <= ORT_NPU_CTX_PROGRAMMING)
            x->reg[i] = *data;
        return RV_BUS_OK;
    }
    for (unsigned c = 0; c < 2; c++)
        if (offset >= ORT_NPU_REG_CTX_JOB(c, 0) &&
            offset < ORT_NPU_REG_CTX_JOB(c, ORT_NPU_JOB_REGS)) {
            if (is_write)
                return RV_BUS_ERROR;
            *data = n->ctx[c].reg[(offset - ORT_NPU_REG_CTX_JOB(c, 0)) / 4];
            return RV_BUS_OK;
        }
    if (is_write) {
        switch (offset) {
        case ORT_NPU_REG_TRIGGER:
            trigger(n, core, *data, now);
            return RV_BUS_OK;
        case ORT_NPU_REG_SOFT_CLEAR:
            soft_clear(n, *data == 0, now);
            return RV_BUS_OK;
        default:
            return RV_BUS_ERROR;
        }
    }
    struct ort_npu_core *k = &n->core[core];
    switch (offset) {
    case ORT_NPU_REG_ACQUIRE: {
        struct ort_npu_context *x = &n->ctx[n->prog];
        if (n->holder == (int)core) {
            *data = x->id;
            return RV_BUS_OK;
        }
        if (n->holder >= 0 || x->state != ORT_NPU_CTX_FREE) {
            k->waiting = true;
            k->wait_since = now;
            return RV_BUS_SLEEP;
        }
        k->waiting = false;
        n->holder = (int)core;
        x->state = ORT_NPU_CTX_PROGRAMMING;
        x->id = n->next_id;
        n->next_id = (n->next_id + 1) & ORT_NPU_JOB_ID_MASK;
        *data = x->id;
        return RV_BUS_OK;
    }
    case ORT_NPU_REG_FINISHED:
        *data = n->finished;
        n->finished = 0;
        return RV_BUS_OK;
    case ORT_NPU_REG_STATUS:
        *data = status(n);
        return RV_BUS_OK;
    case ORT_NPU_REG_RUNNING_JOB:
        *data = n->run >= 0 ? n->ctx[n->run].id : n->running_job;
        return RV_BUS_OK;
    case ORT_NPU_REG_ERROR:
        *data = n->error;
        n->error = ORT_NPU_ERR_NONE;
        return RV_BUS_OK;
    case ORT_NPU_REG_ERROR_JOB:
        *data = n->error_job;
        return RV_BUS_OK;
    default:
        return RV_BUS_ERROR;
    }
}

bool ort_npu_describe_wait(const void *ctx, unsigned core, char *buf, size_t len)
{
    const struct ort_npu *n = ctx;
    if (core >= n->p.cores)
        return false;
    const char *err = n->last_error[0] ? n->last_error : "none";
    if (n->core[core].waiting) {
        snprintf(buf, len,
                 "waits in NPU ACQUIRE since cycle %llu (STATUS 0x%03x, held by core %d; last "
                 "error: %s)",
                 (unsigned long long)n->core[core].wait_since, status(n), n->holder, err);
        return true;
    }
    /* A core waiting in the event unit for the NPU's event. */
    if (n->eu && core < n->eu->cores) {
        const struct ort_eu_core *e = &n->eu->core[core];
        if (e->waiting == ORT_EU_WAIT_EVENT && (e->mask & ORT_EU_EVENT_NPU)) {
            snprintf(buf, len,
                     "waits for the NPU event (mask 0x%x) since cycle %llu; NPU STATUS 0x%03x, "
                     "%s; last error: %s",
                     e->mask, (unsigned long long)e->wait_since, status(n),
                     n->run >= 0 ? "a job running" : "no job running", err);
            return true;
        }
    }
    return false;
}

const struct ort_counter ort_npu_counters[] = {
    ORT_COUNTER(struct ort_npu, jobs),
    ORT_COUNTER(struct ort_npu, errors),
    ORT_COUNTER(struct ort_npu, macs),
    ORT_COUNTER(struct ort_npu, streamer_accesses),
    ORT_COUNTER(struct ort_npu, tcdm_words),
    ORT_COUNTER(struct ort_npu, tcdm_wait_cycles),
    ORT_COUNTER(struct ort_npu, weight_port_bytes),
    ORT_COUNTER(struct ort_npu, buffer_writes),
    ORT_COUNTER(struct ort_npu, busy_cycles),
};
const unsigned ort_npu_counter_count = sizeof ort_npu_counters / sizeof ort_npu_counters[0];

struct ort_device ort_npu_device(struct ort_npu *n, uint32_t base, uint32_t size)
{
    struct ort_device dev = {
        .name = "npu",
        .base = base,
        .size = size,
        .ctx = n,
        .access = ort_npu_access,
        .advance = ort_npu_advance,
        .next_event = ort_npu_next_event,
        .describe_wait = ort_npu_describe_wait,
        .counters = ort_npu_counters,
        .n_counters = sizeof ort_npu_counters / sizeof ort_npu_counters[0],
    };
    return dev;
}
