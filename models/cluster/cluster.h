/*
 * The compute cluster as one plain-C engine: N cores, the L1 TCDM (memory
 * and bank-conflict timing) and a table of devices (device.h: the event
 * unit, the DMA and (optionally) the NPU are built in; more are added with
 * ort_cluster_add_device), with the scheduler that interleaves them.
 *
 * Scheduling: simulated time advances in slices of `slice_cycles`, aligned
 * to multiples of it (cycles [k s, (k + 1) s)). Within a
 * slice each running core executes up to the slice's end, one core after
 * another in core order; cores woken during the slice (by a barrier, an
 * event, a device) run in further passes; then every device advances to
 * the slice's end, in the order the devices were added, and the cores it
 * woke run to the slice's end. Sleeping cores cost no host time; when
 * every core sleeps, time jumps to the devices' next event.
 * Everything is in one thread and in a fixed order, so runs are
 * deterministic, and L1 bank conflicts between masters are resolved per
 * cycle by the TCDM model (see tcdm.h for why slices must stay short).
 */
#ifndef ORTIGIA_CLUSTER_H
#define ORTIGIA_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "device.h"
#include "dma.h"
#include "event_unit.h"
#include "mem.h"
#include "npu.h"
#include "platform_map.h"
#include "tcdm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_CLUSTER_MAX_CORES ORT_EU_MAX_CORES
#define ORT_CLUSTER_MAX_DEVICES 8

struct ort_cluster_params {
    unsigned cores;          /* 1..ORT_CLUSTER_MAX_CORES */
    uint32_t l1_size;        /* bytes */
    uint32_t l1_banks;       /* power of two */
    uint32_t slice_cycles;   /* 1..ORT_TCDM_WINDOW / 2 */
    uint32_t dma_bandwidth;  /* bytes per cycle, 1..ORT_DMA_MAX_BANDWIDTH */
    uint32_t dma_queue_depth; /* transfers in flight, 1..ORT_DMA_MAX_QUEUE */
    bool npu_enabled;         /* add the NPU (npu.enabled) */
    bool misaligned_traps;    /* cores trap on misaligned loads/stores (core.misaligned_traps) */
    struct ort_npu_params npu; /* its timing (`cores` is taken from above) */
};

enum ort_cluster_result {
    ORT_CLUSTER_LIMIT,    /* reached the requested cycle */
    ORT_CLUSTER_HALTED,   /* a core halted (exit, fault, tohost): see halted_core */
    ORT_CLUSTER_DEADLOCK, /* every core sleeps and nothing can wake one */
};

struct ort_cluster {
    unsigned cores;
    uint32_t slice;
    struct rv_core core[ORT_CLUSTER_MAX_CORES];
    struct ort_mem l1;
    struct ort_tcdm tcdm;
    uint64_t now; /* start of the next slice */
    uint64_t limit; /* the run ends here, exactly (UINT64_MAX: no limit) */
    int halted_core;

    /* The devices in the cluster's peripheral space, in the order they
       were added: the scheduler advances them in this order, the bus
       decodes their windows, the deadlock report asks each. */
    struct ort_device dev[ORT_CLUSTER_MAX_DEVICES];
    unsigned n_dev;

    /* The built-in devices (ort_cluster_init adds them to `dev`): the event
       unit, which devices also use to raise events, and the DMA. */
    struct ort_event_unit eu;
    struct ort_dma dma;
    struct ort_npu npu; /* a device only when has_npu */
    bool has_npu;

    rv_bus_fn outer_bus; /* devices outside the cluster */
    void *outer_ctx;
    unsigned outer_core; /* the core whose access is on the outer bus */

    /* A wake-up from outside the cluster (ort_cluster_sleep_until): the
       core asleep at its access, and the cycle it wakes at. */
    struct ort_cluster_timer {
        bool requested; /* asked during the current outer access */
        bool armed;
        unsigned core;
        uint64_t at;
    } timer;

    /* Power gating (ort_cluster_gate_memory / _device): memories the cores
       reach directly and devices that refuse every core access while
       their domain is off, and who is told of each refusal. */
    struct ort_cluster_gate {
        uint32_t base, size; /* the window; size: the regions' own size */
        int tag;             /* the caller's name for the domain */
        bool gated;
    } gate[4];
    unsigned n_gates;
    void (*on_gated)(void *ctx, int tag, unsigned core, uint32_t addr, bool is_write);
    void *on_gated_ctx;

    /* Sampling (ort_cluster_set_sampling): called at every multiple of
       sample_every cycles, with every core and device at that cycle. */
    void (*sample)(void *ctx, uint64_t cycle);
    void *sample_ctx;
    uint64_t sample_every, next_sample;
};

/* False with a message naming the bad parameter. */
bool ort_cluster_init(struct ort_cluster *cl, const struct ort_cluster_params *p, char *err,
                      size_t errlen);
void ort_cluster_free(struct ort_cluster *cl);

/* A memory outside the cluster every core reaches directly (L2, weight
   memory); dc != NULL makes it executable. */
bool ort_cluster_add_memory(struct ort_cluster *cl, uint32_t base, uint32_t size, uint8_t *host,
                            uint32_t latency, struct rv_decode_cache *dc);

/* A memory outside the cluster the DMA reaches (L2, weight memory); L1 is
   attached by ort_cluster_init. */
bool ort_cluster_add_dma_memory(struct ort_cluster *cl, struct ort_mem *mem);

/* The weight memory the NPU reads over its own port (no-op without NPU). */
void ort_cluster_set_npu_weight_memory(struct ort_cluster *cl, struct ort_mem *wmem);

/* Add a device to the cluster (copied). Its window must lie in the
   cluster's peripheral space and not overlap another device's. False with
   a message when the table is full or the window overlaps. A device that
   puts cores to sleep wakes them with ort_cluster_wake (ctx: the cluster). */
bool ort_cluster_add_device(struct ort_cluster *cl, const struct ort_device *dev, char *err,
                            size_t errlen);

/* The device called `name`, or NULL. */
const struct ort_device *ort_cluster_device(const struct ort_cluster *cl, const char *name);

/* Wake `core` (asleep in a device) at `cycle`; ctx is the cluster. */
void ort_cluster_wake(void *ctx, unsigned core, uint64_t cycle);

/*
 * Power gating, for the platform's power controller. A gated memory (a
 * direct region of every core: the weight memory) or device (the NPU)
 * refuses every core access with RV_BUS_ERROR (an access fault) and
 * tells `on_gated` (tag: the caller's domain number). Its contents are not
 * touched: what a domain keeps is the caller's business. The fast path
 * does not slow down: a gated region's size is 0 in the cores' tables, so
 * its accesses take the slow path. False if no such region or device.
 */
bool ort_cluster_gate_memory(struct ort_cluster *cl, uint32_t base, bool gated, int tag);
bool ort_cluster_gate_device(struct ort_cluster *cl, const char *name, bool gated, int tag);
void ort_cluster_set_gated_hook(struct ort_cluster *cl,
                                void (*fn)(void *ctx, int tag, unsigned core, uint32_t addr,
                                           bool is_write),
                                void *ctx);

/*
 * A timed sleep for a block outside the cluster (the power controller,
 * whose always-on timer wakes the cluster): called during a core's access
 * through the outer bus (cl->outer_core), it makes that core sleep at the
 * access, from the access's cycle, until cycle `wake_at`. The scheduler
 * counts the wake-up as an event (when every core sleeps, time jumps
 * there) and wakes the core at `wake_at`; the core executes the access
 * again, which the block completes. One at a time: the block refuses a
 * second one while the first is under way.
 */
void ort_cluster_sleep_until(struct ort_cluster *cl, uint64_t wake_at);

/* Devices outside the cluster (uart, sim control). */
void ort_cluster_set_bus(struct ort_cluster *cl, rv_bus_fn fn, void *ctx);

/* Every core starts at `entry`; firmware tells them apart by mhartid. */
void ort_cluster_boot(struct ort_cluster *cl, uint32_t entry);

/* Run until the first slice boundary at or after cycle `until` (or a halt,
   or a deadlock). Slices are aligned to multiples of slice_cycles, and the
   scheduler stops only between whole slices, so where a caller stops it
   (SystemC quantum, sampling, a pause) never changes the simulation. It
   never passes `limit` (--max-cycles), where the run ends for good. */
enum ort_cluster_result ort_cluster_run(struct ort_cluster *cl, uint64_t until);

/* Call fn(ctx, t) once the run passes each of every, 2 every, ... (0: no
   sampling): at t, the first slice boundary at or after that multiple,
   where the scheduler stops, so the activity counters are those at t
   (within an instruction). Windows shorter than a slice merge. For the
   power trace. */
void ort_cluster_set_sampling(struct ort_cluster *cl, uint64_t every,
                              void (*fn)(void *ctx, uint64_t cycle), void *ctx);

/* Highest core clock. */
uint64_t ort_cluster_cycles(const struct ort_cluster *cl);

/* One line per core for a deadlock report: pc and what it waits for. */
void ort_cluster_describe_core(const struct ort_cluster *cl, unsigned core, char *buf,
                               size_t len);

#ifdef __cplusplus
}
#endif

#endif
