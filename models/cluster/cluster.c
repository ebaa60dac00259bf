#include "cluster.h"

#include <stdio.h>
#include <string.h>

void ort_cluster_wake(void *ctx, unsigned i, uint64_t cycle)
{
    struct ort_cluster *cl = ctx;
    rv_core_wake(&cl->core[i], cycle);
}

static enum rv_bus_status cluster_bus(void *ctx, struct rv_core *core, uint32_t addr,
                                      unsigned size, bool is_write, uint32_t *data,
                                      uint32_t *extra)
{
    struct ort_cluster *cl = ctx;
    for (unsigned g = 0; g < cl->n_gates; g++) {
        const struct ort_cluster_gate *w = &cl->gate[g];
        if (w->gated && addr - w->base < w->size) {
            if (cl->on_gated)
                cl->on_gated(cl->on_gated_ctx, w->tag, core->hartid, addr, is_write);
            return RV_BUS_ERROR;
        }
    }
    for (unsigned d = 0; d < cl->n_dev; d++) {
        const struct ort_device *dev = &cl->dev[d];
        uint32_t off = addr - dev->base;
        if (off < dev->size)
            return dev->access(dev->ctx, core->hartid, off, size, is_write, data, core->cycle,
                               extra);
    }
    if (!cl->outer_bus)
        return RV_BUS_ERROR;
    cl->outer_core = core->hartid;
    enum rv_bus_status st = cl->outer_bus(cl->outer_ctx, core, addr, size, is_write, data, extra);
    if (cl->timer.requested) { /* the access put its core to sleep */
        cl->timer.requested = false;
        if (st == RV_BUS_OK) {
            cl->timer.armed = true;
            cl->timer.core = core->hartid;
            return RV_BUS_SLEEP;
        }
    }
    return st;
}

void ort_cluster_sleep_until(struct ort_cluster *cl, uint64_t wake_at)
{
    cl->timer.requested = true;
    cl->timer.at = wake_at;
}

bool ort_cluster_add_device(struct ort_cluster *cl, const struct ort_device *dev, char *err,
                            size_t errlen)
{
    if (cl->n_dev >= ORT_CLUSTER_MAX_DEVICES) {
        snprintf(err, errlen, "device '%s': the cluster takes at most %u devices", dev->name,
                 ORT_CLUSTER_MAX_DEVICES);
        return false;
    }
    uint64_t end = (uint64_t)dev->base + dev->size;
    if (!dev->access || dev->size == 0 || dev->base < ORT_CLUSTER_PERIPH_BASE ||
        end > ORT_WMEM_BASE) {
        snprintf(err, errlen,
                 "device '%s': window [0x%08x, 0x%08llx) is empty or outside the cluster's "
                 "peripheral space [0x%08x, 0x%08x)",
                 dev->name, dev->base, (unsigned long long)end, ORT_CLUSTER_PERIPH_BASE,
                 ORT_WMEM_BASE);
        return false;
    }
    for (unsigned d = 0; d < cl->n_dev; d++) {
        const struct ort_device *o = &cl->dev[d];
        if (dev->base < (uint64_t)o->base + o->size && o->base < end) {
            snprintf(err, errlen, "device '%s' [0x%08x, 0x%08llx) overlaps device '%s' "
                     "[0x%08x, 0x%08llx)", dev->name, dev->base, (unsigned long long)end,
                     o->name, o->base, (unsigned long long)o->base + o->size);
            return false;
        }
    }
    cl->dev[cl->n_dev++] = *dev;
    return true;
}

const struct ort_device *ort_cluster_device(const struct ort_cluster *cl, const char *name)
{
    for (unsigned d = 0; d < cl->n_dev; d++)
        if (strcmp(cl->dev[d].name, name) == 0)
            return &cl->dev[d];
    return NULL;
}

bool ort_cluster_init(struct ort_cluster *cl, const struct ort_cluster_params *p, char *err,
                      size_t errlen)
{
    /* The parameters come checked from the configuration table (sim/
       config.c, the one place their ranges live); these guards only keep
       a direct caller (a test) inside the engine's arrays. */
    memset(cl, 0, sizeof *cl);
    if (p->cores < 1 || p->cores > ORT_CLUSTER_MAX_CORES) {
        snprintf(err, errlen, "cluster.cores = %u: the cluster has 1 to %u cores", p->cores,
                 ORT_CLUSTER_MAX_CORES);
        return false;
    }
    if (p->slice_cycles < 1 || p->slice_cycles > ORT_TCDM_WINDOW / 2) {
        snprintf(err, errlen, "cluster.slice_cycles = %u: must be 1 to %u", p->slice_cycles,
                 ORT_TCDM_WINDOW / 2);
        return false;
    }
    if (!ort_mem_init(&cl->l1, "l1", ORT_L1_BASE, p->l1_size, 0)) {
        snprintf(err, errlen, "l1.size = %u: cannot allocate the L1 memory", p->l1_size);
        return false;
    }
    if (!ort_tcdm_init(&cl->tcdm, ORT_L1_BASE, p->l1_size, p->l1_banks)) {
        snprintf(err, errlen, "l1.banks = %u: must be a power of two from 1 to %u",
                 p->l1_banks, ORT_TCDM_MAX_BANKS);
        ort_mem_free(&cl->l1);
        return false;
    }
    struct ort_dma_params dp = {p->cores, p->dma_bandwidth, p->dma_queue_depth};
    if (!ort_dma_init(&cl->dma, &dp, err, errlen)) {
        ort_tcdm_free(&cl->tcdm);
        ort_mem_free(&cl->l1);
        return false;
    }
    if (p->npu_enabled) {
        struct ort_npu_params np = p->npu;
        np.cores = p->cores;
        if (!ort_npu_init(&cl->npu, &np, err, errlen)) {
            ort_tcdm_free(&cl->tcdm);
            ort_mem_free(&cl->l1);
            return false;
        }
        cl->has_npu = true;
    }
    cl->cores = p->cores;
    cl->slice = p->slice_cycles;
    cl->halted_core = -1;
    cl->limit = UINT64_MAX;
    /* The built-in devices: the event unit, the DMA, then the NPU (the
       order in which the scheduler advances them). */
    ort_eu_init(&cl->eu, p->cores, ort_cluster_wake, cl);
    ort_dma_add_memory(&cl->dma, &cl->l1, &cl->tcdm);
    ort_dma_set_event_unit(&cl->dma, &cl->eu);
    ort_dma_set_wake(&cl->dma, ort_cluster_wake, cl);
    struct ort_device eu = ort_eu_device(&cl->eu, ORT_EU_BASE, ORT_EU_WINDOW);
    struct ort_device dma = ort_dma_device(&cl->dma, ORT_DMA_BASE, ORT_DMA_WINDOW);
    if (!ort_cluster_add_device(cl, &eu, err, errlen) ||
        !ort_cluster_add_device(cl, &dma, err, errlen)) {
        ort_tcdm_free(&cl->tcdm);
        ort_mem_free(&cl->l1);
        return false;
    }
    if (cl->has_npu) {
        ort_npu_set_l1(&cl->npu, &cl->l1, &cl->tcdm);
        ort_npu_set_event_unit(&cl->npu, &cl->eu);
        ort_npu_set_wake(&cl->npu, ort_cluster_wake, cl);
        struct ort_device npu = ort_npu_device(&cl->npu, ORT_NPU_BASE, ORT_NPU_WINDOW);
        if (!ort_cluster_add_device(cl, &npu, err, errlen)) {
            ort_tcdm_free(&cl->tcdm);
            ort_mem_free(&cl->l1);
            return false;
        }
    }
    for (unsigned i = 0; i < cl->cores; i++) {
        struct rv_core *c = &cl->core[i];
        rv_core_init(c, i, 0);
        rv_core_add_region(c, ORT_L1_BASE, p->l1_size, cl->l1.data, 0, NULL);
        rv_core_set_region_tcdm(c, ORT_L1_BASE, &cl->tcdm);
        rv_core_set_bus(c, cluster_bus, cl);
        c->misaligned_traps = p->misaligned_traps;
    }
    return true;
}

void ort_cluster_free(struct ort_cluster *cl)
{
    ort_dma_free(&cl->dma);
    ort_tcdm_free(&cl->tcdm);
    ort_mem_free(&cl->l1);
}

bool ort_cluster_add_memory(struct ort_cluster *cl, uint32_t base, uint32_t size, uint8_t *host,
                            uint32_t latency, struct rv_decode_cache *dc)
{
    for (unsigned i = 0; i < cl->cores; i++)
        if (!rv_core_add_region(&cl->core[i], base, size, host, latency, dc))
            return false;
    return true;
}

bool ort_cluster_add_dma_memory(struct ort_cluster *cl, struct ort_mem *mem)
{
    return ort_dma_add_memory(&cl->dma, mem, NULL);
}

void ort_cluster_set_npu_weight_memory(struct ort_cluster *cl, struct ort_mem *wmem)
{
    if (cl->has_npu)
        ort_npu_set_weight_memory(&cl->npu, wmem);
}

/* The gate entry of the window at `base` (added on first use), or NULL
   when the table is full. */
static struct ort_cluster_gate *gate_of(struct ort_cluster *cl, uint32_t base, uint32_t size)
{
    for (unsigned g = 0; g < cl->n_gates; g++)
        if (cl->gate[g].base == base)
            return &cl->gate[g];
    if (cl->n_gates == sizeof cl->gate / sizeof cl->gate[0])
        return NULL;
    struct ort_cluster_gate *w = &cl->gate[cl->n_gates++];
    memset(w, 0, sizeof *w);
    w->base = base;
    w->size = size;
    return w;
}

bool ort_cluster_gate_memory(struct ort_cluster *cl, uint32_t base, bool gated, int tag)
{
    struct rv_region *r0 = NULL;
    for (unsigned i = 0; i < cl->core[0].n_regions; i++)
        if (cl->core[0].regions[i].base == base)
            r0 = &cl->core[0].regions[i];
    if (!r0)
        return false;
    struct ort_cluster_gate *w = gate_of(cl, base, r0->size);
    if (!w)
        return false;
    w->gated = gated;
    w->tag = tag;
    /* Every core has the same regions in the same order (added together by
       ort_cluster_add_memory); a size of 0 matches no address. */
    for (unsigned i = 0; i < cl->cores; i++)
        for (unsigned k = 0; k < cl->core[i].n_regions; k++)
            if (cl->core[i].regions[k].base == base)
                cl->core[i].regions[k].size = gated ? 0 : w->size;
    return true;
}

bool ort_cluster_gate_device(struct ort_cluster *cl, const char *name, bool gated, int tag)
{
    const struct ort_device *dev = ort_cluster_device(cl, name);
    if (!dev)
        return false;
    struct ort_cluster_gate *w = gate_of(cl, dev->base, dev->size);
    if (!w)
        return false;
    w->gated = gated;
    w->tag = tag;
    return true;
}

void ort_cluster_set_gated_hook(struct ort_cluster *cl,
                                void (*fn)(void *ctx, int tag, unsigned core, uint32_t addr,
                                           bool is_write),
                                void *ctx)
{
    cl->on_gated = fn;
    cl->on_gated_ctx = ctx;
}

void ort_cluster_set_bus(struct ort_cluster *cl, rv_bus_fn fn, void *ctx)
{
    cl->outer_bus = fn;
    cl->outer_ctx = ctx;
}

void ort_cluster_boot(struct ort_cluster *cl, uint32_t entry)
{
    for (unsigned i = 0; i < cl->cores; i++)
        cl->core[i].pc = entry;
}

uint64_t ort_cluster_cycles(const struct ort_cluster *cl)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < cl->cores; i++)
        if (cl->core[i].cycle > m)
            m = cl->core[i].cycle;
    return m;
}

/* Run every running core up to `end`, again and again while some core woken
   meanwhile is behind. False when a core halted. */
static bool run_cores(struct ort_cluster *cl, uint64_t end)
{
    bool again = true;
    while (again) {
        again = false;
        for (unsigned i = 0; i < cl->cores; i++) {
            struct rv_core *c = &cl->core[i];
            if (c->state != RV_RUNNING || c->cycle >= end)
                continue;
            if (rv_core_run(c, end) == RV_HALTED) {
                cl->halted_core = (int)i;
                return false;
            }
            /* A core that ran may have woken one before it in core order. */
            for (unsigned j = 0; j < i; j++)
                if (cl->core[j].state == RV_RUNNING && cl->core[j].cycle < end)
                    again = true;
        }
    }
    return true;
}

static unsigned running_count(const struct ort_cluster *cl)
{
    unsigned n = 0;
    for (unsigned i = 0; i < cl->cores; i++)
        n += cl->core[i].state == RV_RUNNING;
    return n;
}

/* The earliest next event of any device or of the timed sleep;
   UINT64_MAX when all are idle. */
static uint64_t next_device_event(const struct ort_cluster *cl)
{
    uint64_t next = cl->timer.armed ? cl->timer.at : UINT64_MAX;
    for (unsigned d = 0; d < cl->n_dev; d++) {
        const struct ort_device *dev = &cl->dev[d];
        if (dev->next_event) {
            uint64_t t = dev->next_event(dev->ctx);
            if (t < next)
                next = t;
        }
    }
    return next;
}

/* Advance every active device to `end`; true if any device can act on its
   own (then the cores it woke must catch up). */
static bool advance_devices(struct ort_cluster *cl, uint64_t end)
{
    bool any = false;
    if (cl->timer.armed && cl->timer.at <= end) {
        cl->timer.armed = false;
        rv_core_wake(&cl->core[cl->timer.core], cl->timer.at);
        any = true;
    }
    for (unsigned d = 0; d < cl->n_dev; d++) {
        const struct ort_device *dev = &cl->dev[d];
        if (dev->advance) {
            dev->advance(dev->ctx, end);
            any = true;
        }
    }
    return any;
}

static struct rv_core *first_running(struct ort_cluster *cl)
{
    for (unsigned i = 0; i < cl->cores; i++)
        if (cl->core[i].state == RV_RUNNING)
            return &cl->core[i];
    return NULL;
}

static bool any_running(const struct ort_cluster *cl)
{
    for (unsigned i = 0; i < cl->cores; i++)
        if (cl->core[i].state == RV_RUNNING)
            return true;
    return false;
}

/* The first slice boundary after cycle t. Slices are aligned to absolute
   multiples of the slice length, so where the scheduler is asked to stop
   (SystemC quantum, power-trace window, a pause) cannot move them. */
static uint64_t next_boundary(const struct ort_cluster *cl, uint64_t t)
{
    return t > UINT64_MAX - cl->slice ? UINT64_MAX : (t / cl->slice + 1) * cl->slice;
}

/* The first slice boundary at or after t. */
static uint64_t boundary_from(const struct ort_cluster *cl, uint64_t t)
{
    return t % cl->slice ? next_boundary(cl, t) : t;
}

/* The scheduler proper: run to `until`, a slice boundary. */
static enum ort_cluster_result run_until(struct ort_cluster *cl, uint64_t until)
{
    while (cl->now < until) {
        /* Alone (one core running, every device idle), a core cannot contend
           with anyone: let it run to `until` in one go. It returns early when it
           wakes another core (RV_BUS_YIELD) or goes to sleep; slicing
           resumes from there. */
        if (running_count(cl) == 1 && next_device_event(cl) == UINT64_MAX) {
            struct rv_core *c = first_running(cl);
            if (rv_core_run(c, until) == RV_HALTED) {
                cl->halted_core = (int)c->hartid;
                return ORT_CLUSTER_HALTED;
            }
            uint64_t reached = c->cycle < until ? c->cycle : until;
            if (reached > cl->now)
                cl->now = reached;
            if (c->state == RV_RUNNING || any_running(cl))
                continue;
        }
        uint64_t end = next_boundary(cl, cl->now) < until ? next_boundary(cl, cl->now) : until;
        if (!run_cores(cl, end))
            return ORT_CLUSTER_HALTED;
        if (advance_devices(cl, end) && !run_cores(cl, end)) /* cores woken by devices */
            return ORT_CLUSTER_HALTED;
        cl->now = end;
        if (!any_running(cl)) {
            uint64_t next = next_device_event(cl);
            if (next == UINT64_MAX)
                return ORT_CLUSTER_DEADLOCK;
            if (next > cl->now) /* nothing happens before: skip the idle time */
                cl->now = next < until ? next : until;
        }
    }
    return ORT_CLUSTER_LIMIT;
}

enum ort_cluster_result ort_cluster_run(struct ort_cluster *cl, uint64_t until)
{
    /* Whole slices only: a slice cut short would let the cores that run
       after the cut claim L1 banks before the cores that ran first. */
    until = boundary_from(cl, until);
    if (until > cl->limit) /* the end of the run: nothing follows the cut */
        until = cl->limit;
    if (!cl->sample)
        return run_until(cl, until);
    /* Stop at every sampling point (time windows of the power trace): the
       first slice boundary at or after each multiple of sample_every. */
    while (cl->now < until) {
        uint64_t at = boundary_from(cl, cl->next_sample);
        enum ort_cluster_result r = run_until(cl, at < until ? at : until);
        if (r != ORT_CLUSTER_LIMIT)
            return r;
        if (cl->now >= cl->next_sample) {
            cl->sample(cl->sample_ctx, cl->now);
            while (cl->next_sample <= cl->now)
                cl->next_sample += cl->sample_every;
        }
    }
    return ORT_CLUSTER_LIMIT;
}

void ort_cluster_set_sampling(struct ort_cluster *cl, uint64_t every,
                              void (*fn)(void *ctx, uint64_t cycle), void *ctx)
{
    cl->sample = every ? fn : NULL;
    cl->sample_ctx = ctx;
    cl->sample_every = every;
    cl->next_sample = cl->now + every;
}

/* What core i waits for in the devices: a sleeping core waits in one, but
   another may say why that wait lasts (the NPU explains a wait for its
   event in the event unit); the answers are joined with "; ". */
static bool describe_device_wait(const struct ort_cluster *cl, unsigned i, char *buf, size_t len)
{
    size_t used = 0;
    for (unsigned d = 0; d < cl->n_dev && used + 3 < len; d++) {
        const struct ort_device *dev = &cl->dev[d];
        char *at = buf + used + (used ? 2 : 0);
        if (dev->describe_wait && dev->describe_wait(dev->ctx, i, at, len - (size_t)(at - buf))) {
            if (used)
                memcpy(buf + used, "; ", 2);
            used = strlen(buf);
        }
    }
    return used > 0;
}

void ort_cluster_describe_core(const struct ort_cluster *cl, unsigned i, char *buf, size_t len)
{
    const struct rv_core *c = &cl->core[i];
    char what[400];
    if (c->state == RV_HALTED)
        snprintf(what, sizeof what, "halted");
    else if (c->state == RV_RUNNING)
        snprintf(what, sizeof what, "running");
    else if (cl->timer.armed && cl->timer.core == i)
        snprintf(what, sizeof what, "sleeps until cycle %llu (power controller's wake-up timer)",
                 (unsigned long long)cl->timer.at);
    else if (!describe_device_wait(cl, i, what, sizeof what))
        snprintf(what, sizeof what, "sleeps in wfi");
    snprintf(buf, len, "core %u: pc 0x%08x, cycle %llu, %s", i, c->pc,
             (unsigned long long)c->cycle, what);
}
