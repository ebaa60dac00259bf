/*
 * Cluster DMA: one engine that copies 1-D and 2-D blocks between the
 * attached memories (L2, L1, weight memory) while the cores compute. Cores
 * program it through a register window; a core that has to wait (queue
 * full, WAIT on a transfer in flight) gets RV_BUS_SLEEP: it sleeps at that
 * instruction and executes it again when the DMA wakes it through the
 * `wake` callback.
 *
 * Registers (offsets from the window's base; 32-bit accesses only). The
 * staging registers 0x00..0x14 are per core, so cores can program
 * transfers concurrently without a lock:
 *   0x00 SRC         rw  source address of row 0
 *   0x04 DST         rw  destination address of row 0
 *   0x08 LEN         rw  bytes per row
 *   0x0C SRC_STRIDE  rw  bytes between row starts at the source (signed)
 *   0x10 DST_STRIDE  rw  bytes between row starts at the destination (signed)
 *   0x14 ROWS        rw  number of rows (reset 1: a 1-D transfer)
 *   0x18 PUSH        r   validate and enqueue the staged transfer; returns
 *                        its id (one 32-bit counter for all cores, from 0),
 *                        or 0xFFFFFFFF with ERROR/ERROR_ADDR set when the
 *                        descriptor is bad. Sleeps while the queue is full.
 *   0x1C STATUS      r   bit (id % 32) set for every transfer in flight
 *   0x20 WAIT        w   sleep until transfer `value` completes (an id not
 *                        in flight counts as done)
 *   0x24 ERROR       r   this core's last error (ORT_DMA_ERR_*, dma_regs.h); a
 *                        read clears it
 *   0x28 ERROR_ADDR  r   start of the first row found outside memory
 *                        (errors 2 and 3), else 0
 *   0x2C DONE_COUNT  r   transfers completed so far (all cores)
 * Register accesses take no cycles beyond the instruction's own.
 *
 * Descriptor rules: LEN and ROWS nonzero, LEN * ROWS < 2^32; row r of a
 * side spans [addr + r * stride, + LEN) computed without wrap-around, and
 * all rows of a side lie in the memory that holds its row 0. Source rows
 * may overlap each other (stride < LEN re-reads data); when source and
 * destination are in the same memory their overall spans (first to last
 * row) must not intersect, a conservative check.
 *
 * Timing. Transfers are served in FIFO order by one engine; bytes move as
 * one stream, row after row, with no per-row overhead:
 *   start      = max(push cycle + ORT_DMA_START_CYCLES, previous completion)
 *   first beat = start + latency of the source memory
 *   beat k     = moves stream bytes [k * bandwidth, (k + 1) * bandwidth)
 *                at first beat + k + the TCDM waits of beats 0..k
 *   completion = first beat + ceil(LEN * ROWS / bandwidth) + all TCDM waits
 *              (the cycle after the last beat)
 * In a beat, every distinct 4-byte word touched in an L1 memory (one with
 * a TCDM), source words first, claims its bank at the beat's cycle; a claim
 * that has to wait pushes that beat and everything after it back by the
 * cycles waited. The bytes of a beat are copied (ort_mem_read/write, so
 * write hooks run) by the ort_dma_advance call that passes its cycle. On
 * completion the DMA raises ORT_EU_EVENT_DMA on every core at the
 * completion cycle, wakes the cores waiting for that id at completion + 1
 * and the cores waiting for a queue slot at completion.
 *
 * Plain C, single thread, no host time: runs are deterministic.
 */
#ifndef ORTIGIA_DMA_H
#define ORTIGIA_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "device.h"
#include "dma_regs.h"
#include "event_unit.h"
#include "mem.h"
#include "tcdm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_DMA_MAX_MEMORIES 4
#define ORT_DMA_MAX_CORES 16
#define ORT_DMA_MAX_QUEUE 16
#define ORT_DMA_MAX_BANDWIDTH 64
#define ORT_DMA_DEFAULT_BANDWIDTH 8u
#define ORT_DMA_DEFAULT_QUEUE_DEPTH 8u
#define ORT_DMA_START_CYCLES 2u /* from PUSH to the start of a transfer */

struct ort_dma_params {
    unsigned cores;       /* 1..ORT_DMA_MAX_CORES */
    uint32_t bandwidth;   /* bytes per cycle, 1..ORT_DMA_MAX_BANDWIDTH */
    uint32_t queue_depth; /* transfers in flight, 1..ORT_DMA_MAX_QUEUE */
};

typedef void (*ort_dma_wake_fn)(void *ctx, unsigned core, uint64_t cycle);

/* What a core is blocked on inside the DMA. */
enum ort_dma_wait { ORT_DMA_WAIT_NONE, ORT_DMA_WAIT_ID, ORT_DMA_WAIT_SLOT };

struct ort_dma_core {
    /* Staging registers. */
    uint32_t src, dst, len, src_stride, dst_stride, rows;
    uint32_t error, error_addr;
    enum ort_dma_wait waiting;
    uint32_t wait_id;    /* for ORT_DMA_WAIT_ID */
    uint64_t wait_since; /* cycle the wait began */
};

struct ort_dma_port {
    struct ort_mem *mem;
    struct ort_tcdm *tcdm; /* NULL: no bank timing (not L1) */
};

/* An accepted transfer. */
struct ort_dma_xfer {
    uint32_t id;
    uint32_t src, dst, len, rows;
    int32_t src_stride, dst_stride;
    unsigned src_port, dst_port;
    uint64_t pushed; /* cycle of the PUSH */
};

struct ort_dma {
    unsigned cores;
    uint32_t bandwidth, queue_depth;
    struct ort_dma_port port[ORT_DMA_MAX_MEMORIES];
    unsigned ports;
    struct ort_event_unit *eu;
    ort_dma_wake_fn wake;
    void *wake_ctx;
    struct ort_dma_core core[ORT_DMA_MAX_CORES];

    /* In-flight transfers, oldest first (ring); ids are consecutive. */
    struct ort_dma_xfer queue[ORT_DMA_MAX_QUEUE];
    unsigned head, count;
    uint32_t next_id;

    /* The engine, working on queue[head]. Stream positions are bytes. */
    uint64_t moved;       /* bytes moved (their beats have passed) */
    uint64_t copied;      /* bytes copied into memory (<= moved) */
    uint64_t next_beat;   /* cycle of the next beat, before TCDM waits */
    bool beat_claimed;    /* next beat's banks claimed; it moves at beat_cycle */
    uint64_t beat_cycle;
    uint64_t last_beat;   /* cycle of the last beat moved */
    uint64_t engine_free; /* completion cycle of the previous transfer */
    uint64_t advanced;    /* highest `until` given to ort_dma_advance */

    uint8_t bounce[1024]; /* copy buffer */

    /* Activity counts (for the power model). */
    uint64_t transfers;        /* completed (DONE_COUNT) */
    uint64_t bytes, rows;      /* moved */
    uint64_t errors;           /* rejected descriptors */
    uint64_t busy_cycles;      /* cycles with a beat moving data */
    uint64_t tcdm_wait_cycles; /* cycles beats waited for L1 banks */
};

/* Defaults for everything but `cores`. */
void ort_dma_default_params(struct ort_dma_params *p, unsigned cores);

/* False with a message naming the bad parameter. */
bool ort_dma_init(struct ort_dma *d, const struct ort_dma_params *p, char *err, size_t errlen);
void ort_dma_free(struct ort_dma *d);

/* Attach a memory the DMA can reach; tcdm != NULL for L1 (bank timing).
   False when ORT_DMA_MAX_MEMORIES are attached already. */
bool ort_dma_add_memory(struct ort_dma *d, struct ort_mem *mem, struct ort_tcdm *tcdm);

/* Where completion events go (NULL: nowhere). */
void ort_dma_set_event_unit(struct ort_dma *d, struct ort_event_unit *eu);

/* How to wake a core that sleeps in the DMA (PUSH, WAIT). */
void ort_dma_set_wake(struct ort_dma *d, ort_dma_wake_fn fn, void *ctx);

/* The device interface (device.h; ctx is the struct ort_dma *). A core's
   access to the register window at cycle `now`. */
enum rv_bus_status ort_dma_access(void *ctx, unsigned core, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles);

/* Move every byte whose beat is before `until`, complete the transfers
   whose completion cycle is <= `until`. */
void ort_dma_advance(void *ctx, uint64_t until);

/* Completion cycle of the oldest transfer in flight (a lower bound: L1
   bank waits still to come are not known), always after the cycle the DMA
   has advanced to; UINT64_MAX when idle. */
uint64_t ort_dma_next_completion(const void *ctx);

/* One line saying what `core` waits for in the DMA; false if nothing. */
bool ort_dma_describe_wait(const void *ctx, unsigned core, char *buf, size_t len);

/* The activity counters (transfers, bytes, rows, errors, busy_cycles,
   tcdm_wait_cycles), for statistics and the power model. */
extern const struct ort_counter ort_dma_counters[];

/* The DMA as a cluster device with its register window at [base, +size). */
struct ort_device ort_dma_device(struct ort_dma *d, uint32_t base, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
