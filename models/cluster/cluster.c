#include "cluster.h"

#include <stdio.h>
#include <string.h>

static void wake_core(void *ctx, unsigned i, uint64_t cycle)
{
    struct ort_cluster *cl = ctx;
    rv_core_wake(&cl->core[i], cycle);
}

static enum rv_bus_status cluster_bus(void *ctx, struct rv_core *core, uint32_t addr,
                                      unsigned size, bool is_write, uint32_t *data,
                                      uint32_t *extra)
{
    struct ort_cluster *cl = ctx;
    uint32_t off = addr - ORT_EU_BASE;
    if (off < ORT_EU_SIZE) {
        if (size != 4 || (off & 3))
            return RV_BUS_ERROR;
        uint64_t wakeups = cl->eu.wakeups;
        switch (ort_eu_access(&cl->eu, core->hartid, off, is_write, data, core->cycle, extra)) {
        case ORT_EU_OK:
            /* Woke a core: return to the scheduler, which may be running
               this core in a long slice (see ort_cluster_run). */
            return cl->eu.wakeups != wakeups ? RV_BUS_YIELD : RV_BUS_OK;
        case ORT_EU_SLEEP: return RV_BUS_SLEEP;
        default: return RV_BUS_ERROR;
        }
    }
    off = addr - ORT_DMA_BASE;
    if (off < ORT_DMA_WINDOW) {
        if (!cl->dma_access)
            return RV_BUS_ERROR;
        return cl->dma_access(cl->dma_ctx, core->hartid, off, size, is_write, data, core->cycle,
                              extra);
    }
    if (!cl->outer_bus)
        return RV_BUS_ERROR;
    return cl->outer_bus(cl->outer_ctx, core, addr, size, is_write, data, extra);
}

bool ort_cluster_init(struct ort_cluster *cl, const struct ort_cluster_params *p, char *err,
                      size_t errlen)
{
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
        snprintf(err, errlen, "l1.banks = %u: must be a power of two from 1 to 1024",
                 p->l1_banks);
        ort_mem_free(&cl->l1);
        return false;
    }
    struct ort_dma_params dp = {p->cores, p->dma_bandwidth, p->dma_queue_depth};
    if (!ort_dma_init(&cl->dma, &dp, err, errlen)) {
        ort_tcdm_free(&cl->tcdm);
        ort_mem_free(&cl->l1);
        return false;
    }
    cl->cores = p->cores;
    cl->slice = p->slice_cycles;
    cl->halted_core = -1;
    ort_eu_init(&cl->eu, p->cores, wake_core, cl);
    ort_dma_add_memory(&cl->dma, &cl->l1, &cl->tcdm);
    ort_dma_set_event_unit(&cl->dma, &cl->eu);
    ort_dma_set_wake(&cl->dma, wake_core, cl);
    cl->dma_access = ort_dma_access;
    cl->dma_advance = ort_dma_advance;
    cl->dma_next_completion = ort_dma_next_completion;
    cl->dma_ctx = &cl->dma;
    for (unsigned i = 0; i < cl->cores; i++) {
        struct rv_core *c = &cl->core[i];
        rv_core_init(c, i, 0);
        rv_core_add_region(c, ORT_L1_BASE, p->l1_size, cl->l1.data, 0, NULL);
        rv_core_set_region_tcdm(c, ORT_L1_BASE, &cl->tcdm);
        rv_core_set_bus(c, cluster_bus, cl);
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

static bool dma_idle(const struct ort_cluster *cl)
{
    return !cl->dma_next_completion || cl->dma_next_completion(cl->dma_ctx) == UINT64_MAX;
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

/* The scheduler proper: run to `until`. */
static enum ort_cluster_result run_until(struct ort_cluster *cl, uint64_t until)
{
    while (cl->now < until) {
        /* Alone (one core running, the DMA idle), a core cannot contend with
           anyone: let it run to `until` in one go. It returns early when it
           wakes another core (RV_BUS_YIELD) or goes to sleep; slicing
           resumes from there. */
        if (running_count(cl) == 1 && dma_idle(cl)) {
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
        uint64_t end = cl->now + cl->slice < until ? cl->now + cl->slice : until;
        if (!run_cores(cl, end))
            return ORT_CLUSTER_HALTED;
        if (cl->dma_advance) {
            cl->dma_advance(cl->dma_ctx, end);
            if (!run_cores(cl, end)) /* cores woken by completions */
                return ORT_CLUSTER_HALTED;
        }
        cl->now = end;
        if (!any_running(cl)) {
            uint64_t next = cl->dma_next_completion ? cl->dma_next_completion(cl->dma_ctx)
                                                    : UINT64_MAX;
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
    if (!cl->sample)
        return run_until(cl, until);
    /* Stop at every sampling point (time windows of the power trace). */
    while (cl->now < until) {
        uint64_t stop = cl->next_sample < until ? cl->next_sample : until;
        enum ort_cluster_result r = run_until(cl, stop);
        if (r != ORT_CLUSTER_LIMIT)
            return r;
        if (cl->now >= cl->next_sample) {
            cl->sample(cl->sample_ctx, cl->next_sample);
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

void ort_cluster_describe_core(const struct ort_cluster *cl, unsigned i, char *buf, size_t len)
{
    const struct rv_core *c = &cl->core[i];
    char what[160];
    if (c->state == RV_HALTED)
        snprintf(what, sizeof what, "halted");
    else if (c->state == RV_RUNNING)
        snprintf(what, sizeof what, "running");
    else if (cl->dma.core[i].waiting != ORT_DMA_WAIT_NONE)
        ort_dma_describe_wait(&cl->dma, i, what, sizeof what);
    else
        ort_eu_describe_wait(&cl->eu, i, what, sizeof what);
    snprintf(buf, len, "core %u: pc 0x%08x, cycle %llu, %s", i, c->pc,
             (unsigned long long)c->cycle, what);
}
