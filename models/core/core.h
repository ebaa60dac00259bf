/*
 * RV32IMAC + Zicsr + Xpulpv2 instruction-set simulator of one
 * CV32E40P-class core, machine mode only, with a cycle model of its
 * 4-stage pipeline.
 *
 * The engine knows nothing of SystemC. Memory is reached two ways:
 *  - fast regions: host pointers to plain memories (DMI), with a fixed
 *    extra latency per data access (or L1 bank-conflict timing), checked
 *    inline;
 *  - the bus callback: everything else (devices), which may synchronize,
 *    add latency, fail (access fault) or ask the core to stop.
 * Code is executed from fast regions only, through a decode cache.
 */
#ifndef ORTIGIA_CORE_H
#define ORTIGIA_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "device.h"
#include "decode_cache.h"
#include "isa.h"
#include "tcdm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exception causes (mcause values for synchronous traps). */
enum rv_cause {
    RV_CAUSE_MISALIGNED_FETCH = 0,
    RV_CAUSE_FETCH_ACCESS = 1,
    RV_CAUSE_ILLEGAL_INSN = 2,
    RV_CAUSE_BREAKPOINT = 3,
    RV_CAUSE_MISALIGNED_LOAD = 4,
    RV_CAUSE_LOAD_ACCESS = 5,
    RV_CAUSE_MISALIGNED_STORE = 6,
    RV_CAUSE_STORE_ACCESS = 7,
    RV_CAUSE_ECALL_M = 11,
};
const char *rv_cause_name(uint32_t mcause);

/* CSR numbers the core implements. */
enum rv_csr {
    RV_CSR_MSTATUS = 0x300, RV_CSR_MISA = 0x301, RV_CSR_MIE = 0x304,
    RV_CSR_MTVEC = 0x305, RV_CSR_MSCRATCH = 0x340, RV_CSR_MEPC = 0x341,
    RV_CSR_MCAUSE = 0x342, RV_CSR_MTVAL = 0x343, RV_CSR_MIP = 0x344,
    RV_CSR_MCYCLE = 0xB00, RV_CSR_MINSTRET = 0xB02, RV_CSR_MCYCLEH = 0xB80,
    RV_CSR_MINSTRETH = 0xB82, RV_CSR_CYCLE = 0xC00, RV_CSR_INSTRET = 0xC02,
    RV_CSR_CYCLEH = 0xC80, RV_CSR_INSTRETH = 0xC82, RV_CSR_MVENDORID = 0xF11,
    RV_CSR_MARCHID = 0xF12, RV_CSR_MIMPID = 0xF13, RV_CSR_MHARTID = 0xF14,
    /* mhpmcounter3.. : read-only views of the activity counters, as
       firmware/include/ortigia/perf.h names them. The counters are
       cumulative over the run; reads give the low 32 bits. */
    RV_CSR_MHPM_LOAD_USE = 0xB03, RV_CSR_MHPM_TCDM = 0xB04, RV_CSR_MHPM_BRANCH = 0xB05,
    RV_CSR_MHPM_HWLOOP = 0xB06, RV_CSR_MHPM_SLEEP = 0xB07, RV_CSR_MHPM_MEMORY = 0xB08,
    RV_CSR_MHPM_MULDIV = 0xB09, RV_CSR_MHPM_LOADS = 0xB0A, RV_CSR_MHPM_STORES = 0xB0B,
    /* Xpulpv2 hardware-loop registers (PULP SDK / GVSoC numbering; RI5CY
       used 0x7B0.., which the debug spec gives to dcsr). */
    RV_CSR_LPSTART0 = 0x800, RV_CSR_LPEND0 = 0x801, RV_CSR_LPCOUNT0 = 0x802,
    RV_CSR_LPSTART1 = 0x804, RV_CSR_LPEND1 = 0x805, RV_CSR_LPCOUNT1 = 0x806,
    /* CV32E40P's own numbering of the same, read-only (user read-only
       space), its hart id and privilege level. */
    RV_CSR_CV_LPSTART0 = 0xCC0, RV_CSR_CV_LPCOUNT1 = 0xCC6, RV_CSR_UHARTID = 0xCD0,
    RV_CSR_PRIVLV = 0xCD1, RV_CSR_ZFINX = 0xCD2,
    /* Counter inhibit, event selectors, the other hpm counters. */
    RV_CSR_MCOUNTINHIBIT = 0x320, RV_CSR_MHPMEVENT3 = 0x323, RV_CSR_MHPMEVENT31 = 0x33F,
    RV_CSR_MHPMCOUNTER31 = 0xB1F, RV_CSR_MHPMCOUNTERH3 = 0xB83, RV_CSR_MHPMCOUNTERH31 = 0xB9F,
    RV_CSR_HPMCOUNTER3 = 0xC03, RV_CSR_HPMCOUNTER31 = 0xC1F, RV_CSR_HPMCOUNTERH3 = 0xC83,
    RV_CSR_HPMCOUNTERH31 = 0xC9F,
    /* The trigger module: one trigger, instruction-address match. */
    RV_CSR_TSELECT = 0x7A0, RV_CSR_TDATA1 = 0x7A1, RV_CSR_TDATA2 = 0x7A2, RV_CSR_TDATA3 = 0x7A3,
    RV_CSR_TINFO = 0x7A4, RV_CSR_MCONTEXT = 0x7A8, RV_CSR_SCONTEXT = 0x7AA,
};

/* tdata1 as CV32E40P has it: type 2 (match), dmode 1 (only debug mode
   writes the trigger), action 1 (enter debug mode), m; bit 2 (execute)
   is the one field that changes. */
#define RV_TDATA1_FIXED 0x28001040u
#define RV_TDATA1_EXECUTE (1u << 2)
/* mcountinhibit bits the core implements: mcycle (0), minstret (2). */
#define RV_MCOUNTINHIBIT_CY 1u
#define RV_MCOUNTINHIBIT_IR 4u

#define RV_MSTATUS_MIE (1u << 3)
#define RV_MSTATUS_MPIE (1u << 7)
#define RV_MSTATUS_MPP (3u << 11)
/* misa: MXL=1 (32-bit), extensions A, C, I, M and X (non-standard:
   Xpulpv2). */
#define RV_MISA_VALUE \
    ((1u << 30) | (1u << 0) | (1u << 2) | (1u << 8) | (1u << 12) | (1u << 23))

struct rv_core;

/*
 * Slow path for an access outside every fast region. `data` is the value
 * (little endian, `size` bytes in the low bits); for reads the callee fills
 * it. core->cycle is up to date on entry (the start of the access); the
 * callee adds any latency to *extra_cycles.
 */
typedef enum rv_bus_status (*rv_bus_fn)(void *ctx, struct rv_core *core, uint32_t addr,
                                        unsigned size, bool is_write, uint32_t *data,
                                        uint32_t *extra_cycles);

/* Called after each retired instruction when tracing is on. */
typedef void (*rv_trace_fn)(void *ctx, const struct rv_core *core, uint64_t start_cycle,
                            uint32_t pc, const struct rv_insn *insn);

/* A memory the core reaches directly. */
struct rv_region {
    uint32_t base, size;
    uint8_t *host;              /* host memory of [base, base + size) */
    uint32_t latency;           /* extra cycles per data access */
    struct rv_decode_cache *dc; /* decode cache over this memory, or NULL:
                                   not executable */
    struct ort_tcdm *tcdm;      /* bank-conflict timing, or NULL (none) */
    /* This core's data accesses to the region by width (1, 2, 4 bytes at
       index 0, 1, 2), for the power model. */
    uint64_t reads[3], writes[3];
};

#define RV_MAX_REGIONS 8

/* Why the core stopped. */
enum rv_stop_kind {
    RV_STOP_NONE = 0,
    RV_STOP_BUS,    /* a device asked to stop (sim-control exit) */
    RV_STOP_FAULT,  /* trap with no handler installed (mtvec == 0) */
    RV_STOP_TOHOST, /* riscv-tests tohost write */
};

struct rv_stop_info {
    enum rv_stop_kind kind;
    uint32_t pc;     /* instruction that faulted */
    uint32_t insn;   /* its raw word (0 if it could not be fetched) */
    uint32_t cause;  /* mcause */
    uint32_t tval;   /* faulting address or instruction */
    uint32_t tohost; /* value written to tohost */
};

enum rv_run_state { RV_RUNNING, RV_SLEEPING, RV_HALTED };

/* Per-core activity counters (event counts for timing and power). */
struct rv_counters {
    uint64_t load_use_stalls;  /* cycles lost to load-use and jalr hazards */
    uint64_t branch_stalls;    /* extra cycles of taken branches and jumps */
    uint64_t mem_stalls;       /* extra cycles waiting for memory latency */
    uint64_t tcdm_stalls;      /* extra cycles waiting for a busy L1 bank */
    uint64_t muldiv_stalls;    /* extra cycles of mulh and div/rem */
    uint64_t sleep_cycles;     /* cycles spent in wfi */
    uint64_t loads, stores;
    uint64_t hwloop_iterations; /* zero-overhead jumps back to a loop start */
    uint64_t device_accesses;   /* data accesses through the bus (peripherals) */
    uint64_t executed[RV_OP_COUNT]; /* instructions begun, by operation (the
                                       power model groups them in classes) */
};

/* One Xpulpv2 hardware loop: the body [start, end] runs while count > 0;
   `end` is the address of the body's last instruction. */
struct rv_hwloop {
    uint32_t start, end, count;
};

struct rv_core {
    uint32_t x[33]; /* x[32] is RV_REG_SINK: writes to x0 land here */
    uint32_t pc;
    uint64_t cycle;   /* this core's clock, in cycles since reset */
    uint64_t instret; /* retired instructions */
    uint32_t hartid;

    /* Machine-mode CSRs. */
    uint32_t mstatus, mtvec, mepc, mcause, mtval, mscratch, mie, mip;
    uint64_t mcycle_base, minstret_base; /* mcycle = cycle - mcycle_base */

    /* Hardware loops; loop 0 wins when both end at the same instruction.
       [hwl_lo, hwl_lo + hwl_span] covers the active loops' end addresses
       (derived from lp; see hwloop_watch in core.c). */
    struct rv_hwloop lp[2];
    uint32_t hwl_lo, hwl_span;

    /* LR/SC reservation. */
    uint32_t reservation;
    bool reservation_valid;

    /* Pipeline state for hazards: hazard_write of the previous instruction
       (see struct rv_insn). */
    uint64_t prev_hazard;

    struct rv_region regions[RV_MAX_REGIONS];
    unsigned n_regions;

    rv_bus_fn bus;
    void *bus_ctx;

    rv_trace_fn trace;
    void *trace_ctx;

    uint32_t tohost; /* address of the riscv-tests tohost word, if has_tohost */
    bool has_tohost;

    enum rv_run_state state;
    bool yielding; /* the current access asked to return from the run loop */
    bool switch_variant; /* a hardware loop got armed: run the loop checks */
    struct rv_stop_info stop;
    struct rv_counters counters;
    /* Misaligned loads and stores trap (true) instead of completing as two
       aligned accesses, as CV32E40P does (false, the default). Read on the
       trap path only (core.c, misaligned_access), never in the run loop. */
    bool misaligned_traps;
    /* A misaligned access the run loop handed to rv_core_run to complete. */
    bool misaligned_pending;
    uint32_t misaligned_insn, misaligned_cause, misaligned_addr;
    /* mcountinhibit, and the counters' values while inhibited. */
    uint32_t mcountinhibit;
    uint64_t mcycle_frozen, minstret_frozen;
    /* The trigger (tdata1's execute bit, tdata2), set by a debugger
       (rv_core_debug_set_trigger): machine mode cannot write it. */
    bool trigger_execute;
    uint32_t trigger_addr;

    /* A debugger (rv_core_set_debug): called at each instruction boundary,
       before the instruction at c->pc executes. Last in the struct so that
       the run loop's fields keep their offsets. */
    void (*debug_hook)(void *ctx, struct rv_core *c);
    void *debug_ctx;
};

/* The per-core counters of the statistics (offsets in struct rv_core):
   load_use_stalls, branch_stalls, memory_stalls, tcdm_stalls,
   muldiv_stalls, sleep_cycles, hwloop_iterations, loads, stores. */
extern const struct ort_counter rv_core_counters[];
extern const unsigned rv_core_counter_count;

/* Instructions executed by class (rv_op_class), for statistics and power. */
void rv_core_count_classes(const struct rv_core *c, uint64_t by_class[RV_CLASS_COUNT]);

/* Initialize everything (no memories, bus or trace yet), then reset. */
void rv_core_init(struct rv_core *c, uint32_t hartid, uint32_t boot_pc);

/* Reset the architectural state and counters: registers 0, pc = boot_pc,
   mtvec = 0 (no handler). Keeps the hart id and the wiring (memories, bus,
   trace, tohost). */
void rv_core_reset(struct rv_core *c, uint32_t boot_pc);

/* Add a directly reachable memory; returns false when the table is full. */
bool rv_core_add_region(struct rv_core *c, uint32_t base, uint32_t size, uint8_t *host,
                        uint32_t latency, struct rv_decode_cache *dc);

/* Give the region holding `base` bank-conflict timing (data accesses claim
   a bank slot at the instruction's start cycle, and wait only for the bank:
   the region's latency no longer applies). False if no such region. */
bool rv_core_set_region_tcdm(struct rv_core *c, uint32_t base, struct ort_tcdm *tcdm);

void rv_core_set_bus(struct rv_core *c, rv_bus_fn fn, void *ctx);

/* The trigger as a debugger in debug mode writes it (tdata1's execute
   bit, tdata2); rv_core_trigger_hit says whether the instruction at pc
   matches it. The core itself does not stop: the debugger checks at
   each instruction boundary (sim/gdb_server.cpp). */
void rv_core_debug_set_trigger(struct rv_core *c, bool execute, uint32_t addr);
static inline bool rv_core_trigger_hit(const struct rv_core *c)
{
    return c->trigger_execute && c->pc == c->trigger_addr;
}
void rv_core_set_trace(struct rv_core *c, rv_trace_fn fn, void *ctx);
void rv_core_set_tohost(struct rv_core *c, uint32_t addr);

/*
 * Call fn(ctx, c) at every instruction boundary of this core, before the
 * instruction at c->pc executes, with pc, cycle, instret and registers up
 * to date in *c; fn may block (the simulation waits), read and write any
 * state, and move pc. Only the traced run loop calls it (a core without a
 * trace gets a no-op one), so a run without a debugger executes exactly
 * the code it did before. Debugging changes no simulated result: the core
 * is not stopped, only observed between instructions. The hook may be
 * called twice at one boundary (same pc, cycle and instret) after pc moved
 * to another code region. fn = NULL stops the calls.
 */
void rv_core_set_debug(struct rv_core *c, void (*fn)(void *ctx, struct rv_core *c), void *ctx);

/*
 * Run until c->cycle >= cycle_limit, or the core sleeps (wfi) or halts.
 * Returns the state the core is in afterwards.
 */
enum rv_run_state rv_core_run(struct rv_core *c, uint64_t cycle_limit);

/* Raise or clear interrupt line `bit` of mip (e.g. 3, 7, 11, 16+). A raised
   interrupt enabled in mie wakes a sleeping core. */
void rv_core_set_irq(struct rv_core *c, unsigned bit, bool level);

/* Wake a sleeping core at cycle `now` (counts the gap as sleep cycles). */
void rv_core_wake(struct rv_core *c, uint64_t now);

/* CSR access as the csrr* instructions do it (for tests and debuggers).
   Returns false for an unimplemented CSR or a write to a read-only one. */
bool rv_csr_read(struct rv_core *c, unsigned csr, uint32_t *value);
bool rv_csr_write(struct rv_core *c, unsigned csr, uint32_t value);

#ifdef __cplusplus
}
#endif

#endif
