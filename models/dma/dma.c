#include "dma.h"

#include <stdio.h>
#include <string.h>

void ort_dma_default_params(struct ort_dma_params *p, unsigned cores)
{
    p->cores = cores;
    p->bandwidth = ORT_DMA_DEFAULT_BANDWIDTH;
    p->queue_depth = ORT_DMA_DEFAULT_QUEUE_DEPTH;
}

bool ort_dma_init(struct ort_dma *d, const struct ort_dma_params *p, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    /* Structural guards (the arrays' sizes) for direct callers; the
       platform's ranges are those of the configuration table. */
    if (p->cores < 1 || p->cores > ORT_DMA_MAX_CORES) {
        snprintf(err, errlen, "dma.cores = %u: must be 1 to %u", p->cores, ORT_DMA_MAX_CORES);
        return false;
    }
    if (p->bandwidth < 1 || p->bandwidth > ORT_DMA_MAX_BANDWIDTH) {
        snprintf(err, errlen, "dma.bandwidth = %u: must be 1 to %u", p->bandwidth,
                 ORT_DMA_MAX_BANDWIDTH);
        return false;
    }
    if (p->queue_depth < 1 || p->queue_depth > ORT_DMA_MAX_QUEUE) {
        snprintf(err, errlen, "dma.queue_depth = %u: must be 1 to %u", p->queue_depth,
                 ORT_DMA_MAX_QUEUE);
        return false;
    }
    d->cores = p->cores;
    d->bandwidth = p->bandwidth;
    d->queue_depth = p->queue_depth;
    for (unsigned i = 0; i < d->cores; i++)
        d->core[i].rows = 1;
    return true;
}

void ort_dma_free(struct ort_dma *d)
{
    /* Nothing is allocated; forget the memories so a stale DMA cannot
       write into freed ones. */
    d->ports = 0;
    d->count = 0;
}

bool ort_dma_add_memory(struct ort_dma *d, struct ort_mem *mem, struct ort_tcdm *tcdm)
{
    if (!mem || d->ports >= ORT_DMA_MAX_MEMORIES)
        return false;
    d->port[d->ports].mem = mem;
    d->port[d->ports].tcdm = tcdm;
    d->ports++;
    return true;
}

void ort_dma_set_event_unit(struct ort_dma *d, struct ort_event_unit *eu)
{
    d->eu = eu;
}

void ort_dma_set_wake(struct ort_dma *d, ort_dma_wake_fn fn, void *ctx)
{
    d->wake = fn;
    d->wake_ctx = ctx;
}

/* ---- descriptor checks ---------------------------------------------------- */

/* The port whose memory holds [addr, addr + len), or -1. */
static int find_port(const struct ort_dma *d, uint32_t addr, uint32_t len)
{
    /* A power-gated memory is not there for the DMA (the transfer is
       refused with ERROR_SRC / ERROR_DST at its address). */
    for (unsigned i = 0; i < d->ports; i++)
        if (!d->port[i].mem->off && ort_mem_contains(d->port[i].mem, addr, len))
            return (int)i;
    return -1;
}

/* Start of row r. int64 holds it exactly: r < 2^32 and |stride| <= 2^31. */
static int64_t row_start(uint32_t addr, int32_t stride, uint64_t r)
{
    return (int64_t)addr + (int64_t)r * stride;
}

/*
 * The port holding every row of one side, or -1 with *bad = the start of
 * the first row outside it. Row starts are monotonic in r, so when row 0
 * and the last row lie in one memory, all rows between do.
 */
static int side_port(const struct ort_dma *d, uint32_t addr, int32_t stride, uint32_t len,
                     uint32_t rows, uint32_t *bad)
{
    int p = find_port(d, addr, len);
    if (p < 0) {
        *bad = addr;
        return -1;
    }
    const struct ort_mem *m = d->port[p].mem;
    int64_t lo = m->base, hi = (int64_t)m->base + m->size;
    int64_t last = row_start(addr, stride, rows - 1);
    if (last >= lo && last + len <= hi)
        return p;
    /* Rows 0..fit-1 fit (row 0 does, so fit >= 1); row `fit` is the first
       out. stride != 0 here, else the last row would be row 0. */
    int64_t fit = stride > 0 ? (hi - len - (int64_t)addr) / stride + 1
                             : ((int64_t)addr - lo) / -(int64_t)stride + 1;
    *bad = (uint32_t)row_start(addr, stride, (uint64_t)fit);
    return -1;
}

/* [lo, hi) covering every row of one side. */
static void side_span(uint32_t addr, int32_t stride, uint32_t len, uint32_t rows, int64_t *lo,
                      int64_t *hi)
{
    int64_t first = addr, last = row_start(addr, stride, rows - 1);
    *lo = first < last ? first : last;
    *hi = (first < last ? last : first) + len;
}

/* Checks this core's staged descriptor into *x; false with the core's
   ERROR and ERROR_ADDR set. */
static bool check_descriptor(struct ort_dma *d, struct ort_dma_core *k, struct ort_dma_xfer *x)
{
    uint32_t bad = 0;
    uint32_t e = ORT_DMA_ERR_NONE;
    x->src = k->src;
    x->dst = k->dst;
    x->len = k->len;
    x->rows = k->rows;
    x->src_stride = (int32_t)k->src_stride;
    x->dst_stride = (int32_t)k->dst_stride;
    int sp = -1, dp = -1;
    if (x->len == 0 || x->rows == 0) {
        e = ORT_DMA_ERR_ZERO_SIZE;
    } else if ((uint64_t)x->len * x->rows > UINT32_MAX) {
        e = ORT_DMA_ERR_OVERFLOW;
    } else if ((sp = side_port(d, x->src, x->src_stride, x->len, x->rows, &bad)) < 0) {
        e = ORT_DMA_ERR_SRC;
    } else if ((dp = side_port(d, x->dst, x->dst_stride, x->len, x->rows, &bad)) < 0) {
        e = ORT_DMA_ERR_DST;
    } else if (sp == dp) {
        int64_t slo, shi, dlo, dhi;
        side_span(x->src, x->src_stride, x->len, x->rows, &slo, &shi);
        side_span(x->dst, x->dst_stride, x->len, x->rows, &dlo, &dhi);
        if (slo < dhi && dlo < shi)
            e = ORT_DMA_ERR_OVERLAP;
    }
    if (e != ORT_DMA_ERR_NONE) {
        k->error = e;
        k->error_addr = bad;
        d->errors++;
        return false;
    }
    x->src_port = (unsigned)sp;
    x->dst_port = (unsigned)dp;
    return true;
}

/* ---- the engine ------------------------------------------------------------ */

static struct ort_dma_xfer *head(struct ort_dma *d)
{
    return &d->queue[d->head];
}

static uint64_t total_bytes(const struct ort_dma_xfer *x)
{
    return (uint64_t)x->len * x->rows;
}

/* The head transfer begins: it starts after its push and after the
   previous transfer; its first beat waits for the source's latency. */
static void start_head(struct ort_dma *d)
{
    const struct ort_dma_xfer *x = head(d);
    uint64_t start = x->pushed + ORT_DMA_START_CYCLES;
    if (start < d->engine_free)
        start = d->engine_free;
    d->moved = 0;
    d->copied = 0;
    d->beat_claimed = false;
    d->next_beat = start + d->port[x->src_port].mem->latency;
    d->last_beat = d->next_beat; /* unused until a beat moves */
}

/* Address of stream byte `pos` on one side; *left = bytes to its row's end. */
static uint32_t stream_addr(uint32_t addr, int32_t stride, uint32_t len, uint64_t pos,
                            uint32_t *left)
{
    uint64_t r = pos / len, off = pos % len;
    *left = (uint32_t)(len - off);
    return (uint32_t)(row_start(addr, stride, r) + (int64_t)off);
}

/* Copy stream bytes [from, to) of the head transfer, row piece by row piece. */
static void copy_stream(struct ort_dma *d, uint64_t from, uint64_t to)
{
    const struct ort_dma_xfer *x = head(d);
    struct ort_mem *sm = d->port[x->src_port].mem, *dm = d->port[x->dst_port].mem;
    d->rows += to / x->len - from / x->len; /* rows finished */
    d->bytes += to - from;
    while (from < to) {
        uint32_t left;
        uint32_t sa = stream_addr(x->src, x->src_stride, x->len, from, &left);
        uint32_t da = stream_addr(x->dst, x->dst_stride, x->len, from, &left);
        uint64_t n = to - from < left ? to - from : left;
        if (n > sizeof d->bounce)
            n = sizeof d->bounce;
        /* Both ranges were checked at PUSH; a failure here would be a bug. */
        ort_mem_read(sm, sa, d->bounce, (uint32_t)n);
        ort_mem_write(dm, da, d->bounce, (uint32_t)n);
        from += n;
    }
}

/* Claim the banks of every word one side touches in stream bytes
   [from, to), starting at *cycle and moving it past any wait. */
static void claim_side(struct ort_tcdm *t, uint32_t addr, int32_t stride, uint32_t len,
                       uint64_t from, uint64_t to, uint64_t *cycle)
{
    uint32_t last_word = 0;
    bool any = false;
    while (from < to) {
        uint32_t left;
        uint32_t a = stream_addr(addr, stride, len, from, &left);
        uint32_t n = to - from < left ? (uint32_t)(to - from) : left;
        for (uint32_t w = a & ~3u; w <= ((a + n - 1) & ~3u); w += 4) {
            if (any && w == last_word) /* a row piece ending in this word */
                continue;
            *cycle += ort_tcdm_claim(t, w, *cycle);
            last_word = w;
            any = true;
            if (w == 0xFFFFFFFCu)
                break;
        }
        from += n;
    }
}

/* Claim the L1 banks of the next beat; it moves at d->beat_cycle. */
static void claim_beat(struct ort_dma *d)
{
    const struct ort_dma_xfer *x = head(d);
    uint64_t from = d->moved, to = from + d->bandwidth;
    if (to > total_bytes(x))
        to = total_bytes(x);
    uint64_t c = d->next_beat;
    struct ort_tcdm *st = d->port[x->src_port].tcdm, *dt = d->port[x->dst_port].tcdm;
    if (st)
        claim_side(st, x->src, x->src_stride, x->len, from, to, &c);
    if (dt)
        claim_side(dt, x->dst, x->dst_stride, x->len, from, to, &c);
    d->tcdm_wait_cycles += c - d->next_beat;
    d->beat_cycle = c;
    d->beat_claimed = true;
}

/* Move the head's beats before `until`. */
static void move_beats(struct ort_dma *d, uint64_t until)
{
    const struct ort_dma_xfer *x = head(d);
    uint64_t total = total_bytes(x);
    if (!d->port[x->src_port].tcdm && !d->port[x->dst_port].tcdm) {
        /* No bank timing on either side: beats are one per cycle. */
        if (d->moved >= total || d->next_beat >= until)
            return;
        uint64_t beats_left = (total - d->moved + d->bandwidth - 1) / d->bandwidth;
        uint64_t n = until - d->next_beat;
        if (n > beats_left)
            n = beats_left;
        d->moved = d->moved + n * d->bandwidth < total ? d->moved + n * d->bandwidth : total;
        d->last_beat = d->next_beat + n - 1;
        d->next_beat += n;
        d->busy_cycles += n;
        return;
    }
    while (d->moved < total) {
        if (!d->beat_claimed) {
            if (d->next_beat >= until)
                return;
            claim_beat(d);
        }
        if (d->beat_cycle >= until)
            return; /* claimed, moves in a later call */
        d->moved = d->moved + d->bandwidth < total ? d->moved + d->bandwidth : total;
        d->last_beat = d->beat_cycle;
        d->next_beat = d->beat_cycle + 1;
        d->beat_claimed = false;
        d->busy_cycles++;
    }
}

static void wake(struct ort_dma *d, unsigned i, uint64_t cycle)
{
    struct ort_dma_core *k = &d->core[i];
    k->waiting = ORT_DMA_WAIT_NONE;
    /* Cores are simulated one after another: the DMA may finish "before"
       a core began to wait. It then resumes where it started waiting. */
    if (cycle < k->wait_since)
        cycle = k->wait_since;
    if (d->wake)
        d->wake(d->wake_ctx, i, cycle);
}

static void complete_head(struct ort_dma *d, uint64_t done)
{
    uint32_t id = head(d)->id;
    d->head = (d->head + 1) % ORT_DMA_MAX_QUEUE;
    d->count--;
    d->transfers++;
    d->engine_free = done;
    if (d->count)
        start_head(d);
    if (d->eu) {
        uint32_t all = d->cores >= 32 ? 0xffffffffu : (1u << d->cores) - 1;
        ort_eu_raise(d->eu, all, ORT_EU_EVENT_DMA, done);
    }
    for (unsigned i = 0; i < d->cores; i++) {
        const struct ort_dma_core *k = &d->core[i];
        if (k->waiting == ORT_DMA_WAIT_ID && k->wait_id == id)
            wake(d, i, done + 1);
        else if (k->waiting == ORT_DMA_WAIT_SLOT)
            wake(d, i, done); /* retries; another core may take the slot first */
    }
}

void ort_dma_advance(void *ctx, uint64_t until)
{
    struct ort_dma *d = ctx;
    if (until > d->advanced)
        d->advanced = until;
    while (d->count) {
        move_beats(d, until);
        if (d->copied < d->moved) {
            copy_stream(d, d->copied, d->moved);
            d->copied = d->moved;
        }
        if (d->moved < total_bytes(head(d)) || d->last_beat + 1 > until)
            return;
        complete_head(d, d->last_beat + 1);
    }
}

uint64_t ort_dma_next_completion(const void *ctx)
{
    const struct ort_dma *d = ctx;
    if (!d->count)
        return UINT64_MAX;
    const struct ort_dma_xfer *x = &d->queue[d->head];
    uint64_t left = total_bytes(x) - d->moved, done;
    if (left == 0) {
        done = d->last_beat + 1;
    } else {
        uint64_t beat = d->beat_claimed ? d->beat_cycle : d->next_beat;
        done = beat + (left + d->bandwidth - 1) / d->bandwidth;
    }
    return done > d->advanced ? done : d->advanced + 1;
}

/* ---- registers --------------------------------------------------------------- */

static bool in_flight(const struct ort_dma *d, uint32_t id)
{
    uint32_t oldest = d->next_id - d->count;
    return (uint32_t)(id - oldest) < d->count;
}

static enum rv_bus_status push(struct ort_dma *d, unsigned i, uint32_t *value, uint64_t now)
{
    struct ort_dma_core *k = &d->core[i];
    struct ort_dma_xfer x;
    if (!check_descriptor(d, k, &x)) {
        k->waiting = ORT_DMA_WAIT_NONE;
        *value = ORT_DMA_PUSH_FAILED;
        return RV_BUS_OK;
    }
    if (d->count >= d->queue_depth) {
        k->waiting = ORT_DMA_WAIT_SLOT;
        k->wait_since = now;
        return RV_BUS_SLEEP;
    }
    k->waiting = ORT_DMA_WAIT_NONE;
    x.id = d->next_id++;
    x.pushed = now;
    d->queue[(d->head + d->count) % ORT_DMA_MAX_QUEUE] = x;
    d->count++;
    if (d->count == 1)
        start_head(d);
    *value = x.id;
    return RV_BUS_OK;
}

enum rv_bus_status ort_dma_access(void *ctx, unsigned i, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles)
{
    struct ort_dma *d = ctx;
    *extra_cycles = 0;
    if (i >= d->cores || size != 4 || (offset & 3))
        return RV_BUS_ERROR;
    struct ort_dma_core *k = &d->core[i];
    uint32_t *staged = NULL;
    switch (offset) {
    case ORT_DMA_REG_SRC: staged = &k->src; break;
    case ORT_DMA_REG_DST: staged = &k->dst; break;
    case ORT_DMA_REG_LEN: staged = &k->len; break;
    case ORT_DMA_REG_SRC_STRIDE: staged = &k->src_stride; break;
    case ORT_DMA_REG_DST_STRIDE: staged = &k->dst_stride; break;
    case ORT_DMA_REG_ROWS: staged = &k->rows; break;
    default: break;
    }
    if (staged) {
        if (is_write)
            *staged = *data;
        else
            *data = *staged;
        return RV_BUS_OK;
    }
    if (is_write) {
        if (offset != ORT_DMA_REG_WAIT)
            return RV_BUS_ERROR;
        if (!in_flight(d, *data)) {
            k->waiting = ORT_DMA_WAIT_NONE;
            return RV_BUS_OK;
        }
        k->waiting = ORT_DMA_WAIT_ID;
        k->wait_id = *data;
        k->wait_since = now;
        return RV_BUS_SLEEP;
    }
    switch (offset) {
    case ORT_DMA_REG_PUSH:
        return push(d, i, data, now);
    case ORT_DMA_REG_STATUS: {
        uint32_t bits = 0, oldest = d->next_id - d->count;
        for (unsigned j = 0; j < d->count; j++)
            bits |= 1u << ((oldest + j) % 32);
        *data = bits;
        return RV_BUS_OK;
    }
    case ORT_DMA_REG_ERROR:
        *data = k->error;
        k->error = ORT_DMA_ERR_NONE;
        return RV_BUS_OK;
    case ORT_DMA_REG_ERROR_ADDR:
        *data = k->error_addr;
        return RV_BUS_OK;
    case ORT_DMA_REG_DONE_COUNT:
        *data = (uint32_t)d->transfers;
        return RV_BUS_OK;
    default:
        return RV_BUS_ERROR;
    }
}

bool ort_dma_describe_wait(const void *ctx, unsigned i, char *buf, size_t len)
{
    const struct ort_dma *d = ctx;
    if (i >= d->cores)
        return false;
    const struct ort_dma_core *k = &d->core[i];
    switch (k->waiting) {
    case ORT_DMA_WAIT_ID:
        snprintf(buf, len, "waits for DMA transfer %u (%u in flight) since cycle %llu",
                 k->wait_id, d->count, (unsigned long long)k->wait_since);
        return true;
    case ORT_DMA_WAIT_SLOT:
        snprintf(buf, len, "waits for a DMA queue slot (%u of %u taken) since cycle %llu",
                 d->count, d->queue_depth, (unsigned long long)k->wait_since);
        return true;
    default:
        return false;
    }
}

const struct ort_counter ort_dma_counters[] = {
    ORT_COUNTER(struct ort_dma, transfers),  ORT_COUNTER(struct ort_dma, bytes),
    ORT_COUNTER(struct ort_dma, rows),       ORT_COUNTER(struct ort_dma, errors),
    ORT_COUNTER(struct ort_dma, busy_cycles), ORT_COUNTER(struct ort_dma, tcdm_wait_cycles),
};

struct ort_device ort_dma_device(struct ort_dma *d, uint32_t base, uint32_t size)
{
    struct ort_device dev = {
        .name = "dma",
        .base = base,
        .size = size,
        .ctx = d,
        .access = ort_dma_access,
        .advance = ort_dma_advance,
        .next_event = ort_dma_next_completion,
        .describe_wait = ort_dma_describe_wait,
        .counters = ort_dma_counters,
        .n_counters = sizeof ort_dma_counters / sizeof ort_dma_counters[0],
    };
    return dev;
}
