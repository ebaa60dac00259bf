/*
 * RV32IMAC + Xpulpv2 ISS: the run loop executes pre-decoded instructions from the
 * decode cache with pc, cycle and instret held in locals; everything rare
 * (CSRs, traps, device accesses, decoding) is out of line.
 *
 * Cycle model (CV32E40P user manual, "Cycle counts per instruction type"
 * and "Hazards"): 1 cycle per instruction; mulh* 5; div/rem 3 + leading
 * zeros of the divisor (3..35); jal/jalr/mret/fence.i 2; taken branch 3;
 * +1 when a jump or taken branch lands on a 32-bit instruction that is not
 * word aligned; csr access 4 for the serializing CSRs, else 1; +1 load-use
 * stall; +1 when jalr reads the result of the instruction just before it;
 * data accesses add the memory's latency, or for L1 the bank-conflict
 * wait. Trap entry costs 2 (a flush). Xpulpv2 instructions cost 1 cycle
 * (post-increment accesses time as loads and stores); hardware loops jump
 * back with no extra cycle.
 */
#include "core.h"
#include "xpulp_sem.h"

#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define RV_MIE_WRITABLE 0xFFFF0888u
#define RV_TRAP_FLUSH_CYCLES 2

const char *rv_cause_name(uint32_t mcause)
{
    if (mcause & 0x80000000u) {
        switch (mcause & 0x7fffffffu) {
        case 3: return "machine software interrupt";
        case 7: return "machine timer interrupt";
        case 11: return "machine external interrupt";
        default: return "platform interrupt";
        }
    }
    switch (mcause) {
    case RV_CAUSE_MISALIGNED_FETCH: return "instruction address misaligned";
    case RV_CAUSE_FETCH_ACCESS: return "instruction access fault";
    case RV_CAUSE_ILLEGAL_INSN: return "illegal instruction";
    case RV_CAUSE_BREAKPOINT: return "breakpoint";
    case RV_CAUSE_MISALIGNED_LOAD: return "load address misaligned";
    case RV_CAUSE_LOAD_ACCESS: return "load access fault";
    case RV_CAUSE_MISALIGNED_STORE: return "store/AMO address misaligned";
    case RV_CAUSE_STORE_ACCESS: return "store/AMO access fault";
    case RV_CAUSE_ECALL_M: return "environment call from M-mode";
    default: return "unknown cause";
    }
}

void rv_core_init(struct rv_core *c, uint32_t hartid, uint32_t boot_pc)
{
    memset(c, 0, sizeof *c);
    c->hartid = hartid;
    rv_core_reset(c, boot_pc);
}

void rv_core_reset(struct rv_core *c, uint32_t boot_pc)
{
    memset(c->x, 0, sizeof c->x);
    c->pc = boot_pc;
    c->cycle = c->instret = 0;
    c->mstatus = RV_MSTATUS_MPP;
    c->mtvec = c->mepc = c->mcause = c->mtval = c->mscratch = c->mie = c->mip = 0;
    c->mcycle_base = c->minstret_base = 0;
    c->mcycle_frozen = c->minstret_frozen = 0;
    c->mcountinhibit = 0;
    c->trigger_execute = false;
    c->trigger_addr = 0;
    memset(c->lp, 0, sizeof c->lp);
    c->reservation = 0;
    c->reservation_valid = false;
    c->prev_hazard = 0;
    memset(&c->stop, 0, sizeof c->stop);
    c->misaligned_pending = false;
    memset(&c->counters, 0, sizeof c->counters);
    for (unsigned i = 0; i < c->n_regions; i++) {
        memset(c->regions[i].reads, 0, sizeof c->regions[i].reads);
        memset(c->regions[i].writes, 0, sizeof c->regions[i].writes);
    }
    c->state = RV_RUNNING;
}

bool rv_core_add_region(struct rv_core *c, uint32_t base, uint32_t size, uint8_t *host,
                        uint32_t latency, struct rv_decode_cache *dc)
{
    if (c->n_regions >= RV_MAX_REGIONS || size == 0)
        return false;
    struct rv_region *r = &c->regions[c->n_regions++];
    memset(r, 0, sizeof *r);
    r->base = base;
    r->size = size;
    r->host = host;
    r->latency = latency;
    r->dc = dc;
    return true;
}

void rv_core_set_bus(struct rv_core *c, rv_bus_fn fn, void *ctx)
{
    c->bus = fn;
    c->bus_ctx = ctx;
}

void rv_core_set_trace(struct rv_core *c, rv_trace_fn fn, void *ctx)
{
    c->trace = fn;
    c->trace_ctx = ctx;
}

void rv_core_set_tohost(struct rv_core *c, uint32_t addr)
{
    c->tohost = addr;
    c->has_tohost = true;
}

static void no_trace(void *ctx, const struct rv_core *core, uint64_t start_cycle, uint32_t pc,
                     const struct rv_insn *insn)
{
    (void)ctx, (void)core, (void)start_cycle, (void)pc, (void)insn;
}

void rv_core_set_debug(struct rv_core *c, void (*fn)(void *ctx, struct rv_core *c), void *ctx)
{
    /* The hook lives in the traced variant of the run loop only; the no-op
       trace selects that variant and stays after the hook is removed (the
       loop may still be running, inside the hook). */
    if (fn && !c->trace)
        c->trace = no_trace;
    c->debug_hook = fn;
    c->debug_ctx = ctx;
}

/* ---- memory -------------------------------------------------------------- */

/* Region holding [addr, addr + size), or NULL. */
static struct rv_region *find_region(struct rv_core *c, uint32_t addr, unsigned size)
{
    for (unsigned i = 0; i < c->n_regions; i++) {
        struct rv_region *r = &c->regions[i];
        if (addr - r->base < r->size && addr - r->base + size <= r->size)
            return r;
    }
    return NULL;
}

bool rv_core_set_region_tcdm(struct rv_core *c, uint32_t base, struct ort_tcdm *tcdm)
{
    struct rv_region *r = find_region(c, base, 1);
    if (!r)
        return false;
    r->tcdm = tcdm;
    return true;
}

static inline uint32_t host_read(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    default: { uint32_t v; memcpy(&v, p, 4); return v; }
    }
}

static inline void host_write(uint8_t *p, unsigned size, uint32_t v)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t h = (uint16_t)v; memcpy(p, &h, 2); break; }
    default: memcpy(p, &v, 4); break;
    }
}

/* What happened to an access. */
enum access_result { ACC_OK, ACC_FAULT, ACC_STOP, ACC_SLEEP };

/*
 * Data access through regions or the bus. Alignment is checked by the
 * caller. Updates c->cycle (which the caller has synced) by the latency.
 */
static enum access_result data_access(struct rv_core *c, uint32_t addr, unsigned size,
                                      bool is_write, uint32_t *value)
{
    struct rv_region *r = find_region(c, addr, size);
    if (r) {
        uint8_t *p = r->host + (addr - r->base);
        if (is_write)
            r->writes[size >> 1]++;
        else
            r->reads[size >> 1]++;
        /* Counted here, not by the callers: bank waits (an L1 region has
           no other latency, as in the run loop's fast path) or latency. */
        if (r->tcdm) {
            uint32_t wait = ort_tcdm_claim(r->tcdm, addr, c->cycle);
            c->cycle += wait;
            c->counters.tcdm_stalls += wait;
        } else {
            c->cycle += r->latency;
            c->counters.mem_stalls += r->latency;
        }
        if (!is_write) {
            *value = host_read(p, size);
            return ACC_OK;
        }
        host_write(p, size, *value);
        if (r->dc && rv_decode_cache_maybe_code(r->dc, addr))
            rv_decode_cache_invalidate(r->dc, addr, size);
        if (unlikely(c->has_tohost) && addr == c->tohost && size == 4 && (*value & 1)) {
            c->stop.kind = RV_STOP_TOHOST;
            c->stop.tohost = *value;
            return ACC_STOP;
        }
        return ACC_OK;
    }
    if (!c->bus)
        return ACC_FAULT;
    c->counters.device_accesses++;
    uint32_t extra = 0;
    uint32_t data = is_write ? *value : 0;
    enum rv_bus_status st = c->bus(c->bus_ctx, c, addr, size, is_write, &data, &extra);
    c->cycle += extra;
    c->counters.mem_stalls += extra;
    if (st == RV_BUS_ERROR)
        return ACC_FAULT;
    if (st == RV_BUS_SLEEP)
        return ACC_SLEEP;
    if (st == RV_BUS_YIELD) {
        c->yielding = true;
        return ACC_STOP; /* completes like a stop; stop_after tells them apart */
    }
    if (!is_write)
        *value = data;
    if (st == RV_BUS_STOP) {
        c->stop.kind = RV_STOP_BUS;
        return ACC_STOP;
    }
    return ACC_OK;
}

/* ---- CSRs ---------------------------------------------------------------- */

/* The counters as read: frozen while inhibited (mcountinhibit). */
static uint64_t mcycle_now(const struct rv_core *c)
{
    return c->mcountinhibit & RV_MCOUNTINHIBIT_CY ? c->mcycle_frozen : c->cycle - c->mcycle_base;
}

static uint64_t minstret_now(const struct rv_core *c)
{
    return c->mcountinhibit & RV_MCOUNTINHIBIT_IR ? c->minstret_frozen : c->instret - c->minstret_base;
}

void rv_core_debug_set_trigger(struct rv_core *c, bool execute, uint32_t addr)
{
    c->trigger_execute = execute;
    c->trigger_addr = addr;
}

bool rv_csr_read(struct rv_core *c, unsigned csr, uint32_t *v)
{
    uint64_t mcycle = mcycle_now(c);
    uint64_t minstret = minstret_now(c);
    /* Ranges of CSRs that read as 0 on CV32E40P (one hpm counter, 3, is
       implemented there; this model's 3..11 are its activity counters). */
    if ((csr >= RV_CSR_MHPMEVENT3 && csr <= RV_CSR_MHPMEVENT31) ||
        (csr > RV_CSR_MHPM_STORES && csr <= RV_CSR_MHPMCOUNTER31) ||
        (csr >= RV_CSR_MHPMCOUNTERH3 && csr <= RV_CSR_MHPMCOUNTERH31) ||
        (csr > RV_CSR_MHPM_STORES + 0x100 && csr <= RV_CSR_HPMCOUNTER31) ||
        (csr >= RV_CSR_HPMCOUNTERH3 && csr <= RV_CSR_HPMCOUNTERH31)) {
        *v = 0;
        return true;
    }
    /* hpmcounter3.. (user read-only) mirror mhpmcounter3.. */
    if (csr >= RV_CSR_HPMCOUNTER3 && csr <= RV_CSR_MHPM_STORES + 0x100)
        csr -= 0x100;
    switch (csr) {
    case RV_CSR_MSTATUS: *v = c->mstatus; break;
    case RV_CSR_MISA: *v = RV_MISA_VALUE; break;
    case RV_CSR_MIE: *v = c->mie; break;
    case RV_CSR_MTVEC: *v = c->mtvec; break;
    case RV_CSR_MSCRATCH: *v = c->mscratch; break;
    case RV_CSR_MEPC: *v = c->mepc; break;
    case RV_CSR_MCAUSE: *v = c->mcause; break;
    case RV_CSR_MTVAL: *v = 0; break; /* CV32E40P: read-only zero */
    case RV_CSR_MIP: *v = c->mip; break;
    case RV_CSR_MCOUNTINHIBIT: *v = c->mcountinhibit; break;
    case RV_CSR_TSELECT: *v = 0; break; /* one trigger */
    case RV_CSR_TDATA1: *v = RV_TDATA1_FIXED | (c->trigger_execute ? RV_TDATA1_EXECUTE : 0); break;
    case RV_CSR_TDATA2: *v = c->trigger_addr; break;
    case RV_CSR_TDATA3: case RV_CSR_MCONTEXT: case RV_CSR_SCONTEXT: *v = 0; break;
    case RV_CSR_TINFO: *v = 1u << 2; break; /* type 2 only */
    case RV_CSR_UHARTID: *v = c->hartid; break;
    case RV_CSR_PRIVLV: *v = 3; break; /* machine mode, always */
    case RV_CSR_ZFINX: *v = 0; break;
    case RV_CSR_CV_LPSTART0: *v = c->lp[0].start; break;
    case RV_CSR_CV_LPSTART0 + 1: *v = c->lp[0].end; break;
    case RV_CSR_CV_LPSTART0 + 2: *v = c->lp[0].count; break;
    case RV_CSR_CV_LPSTART0 + 4: *v = c->lp[1].start; break;
    case RV_CSR_CV_LPSTART0 + 5: *v = c->lp[1].end; break;
    case RV_CSR_CV_LPCOUNT1: *v = c->lp[1].count; break;
    case RV_CSR_MCYCLE: case RV_CSR_CYCLE: *v = (uint32_t)mcycle; break;
    case RV_CSR_MCYCLEH: case RV_CSR_CYCLEH: *v = (uint32_t)(mcycle >> 32); break;
    case RV_CSR_MINSTRET: case RV_CSR_INSTRET: *v = (uint32_t)minstret; break;
    case RV_CSR_MINSTRETH: case RV_CSR_INSTRETH: *v = (uint32_t)(minstret >> 32); break;
    case RV_CSR_MVENDORID: case RV_CSR_MARCHID: case RV_CSR_MIMPID: *v = 0; break;
    case RV_CSR_MHARTID: *v = c->hartid; break;
    /* Performance counters (read-only views of struct rv_counters). */
    case RV_CSR_MHPM_LOAD_USE: *v = (uint32_t)c->counters.load_use_stalls; break;
    case RV_CSR_MHPM_TCDM: *v = (uint32_t)c->counters.tcdm_stalls; break;
    case RV_CSR_MHPM_BRANCH: *v = (uint32_t)c->counters.branch_stalls; break;
    case RV_CSR_MHPM_HWLOOP: *v = (uint32_t)c->counters.hwloop_iterations; break;
    case RV_CSR_MHPM_SLEEP: *v = (uint32_t)c->counters.sleep_cycles; break;
    case RV_CSR_LPSTART0: *v = c->lp[0].start; break;
    case RV_CSR_LPEND0: *v = c->lp[0].end; break;
    case RV_CSR_LPCOUNT0: *v = c->lp[0].count; break;
    case RV_CSR_LPSTART1: *v = c->lp[1].start; break;
    case RV_CSR_LPEND1: *v = c->lp[1].end; break;
    case RV_CSR_LPCOUNT1: *v = c->lp[1].count; break;
    case RV_CSR_MHPM_MEMORY: *v = (uint32_t)c->counters.mem_stalls; break;
    case RV_CSR_MHPM_MULDIV: *v = (uint32_t)c->counters.muldiv_stalls; break;
    case RV_CSR_MHPM_LOADS: *v = (uint32_t)c->counters.loads; break;
    case RV_CSR_MHPM_STORES: *v = (uint32_t)c->counters.stores; break;
    default: return false;
    }
    return true;
}

bool rv_csr_write(struct rv_core *c, unsigned csr, uint32_t v)
{
    uint64_t mcycle = mcycle_now(c);
    uint64_t minstret = minstret_now(c);
    /* Writable on CV32E40P, no effect here: the event selectors, the hpm
       counters (3..11 are this model's activity counters, read-only
       views), the contexts; the trigger from machine mode (dmode = 1). */
    if ((csr >= RV_CSR_MHPMEVENT3 && csr <= RV_CSR_MHPMEVENT31) ||
        (csr >= RV_CSR_MHPM_LOAD_USE && csr <= RV_CSR_MHPMCOUNTER31) ||
        (csr >= RV_CSR_MHPMCOUNTERH3 && csr <= RV_CSR_MHPMCOUNTERH31) ||
        (csr >= RV_CSR_TSELECT && csr <= RV_CSR_TINFO) || csr == RV_CSR_MCONTEXT ||
        csr == RV_CSR_SCONTEXT)
        return true;
    switch (csr) {
    case RV_CSR_MSTATUS:
        c->mstatus = (v & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE)) | RV_MSTATUS_MPP;
        break;
    case RV_CSR_MISA: break; /* WARL: fixed */
    case RV_CSR_MIE: c->mie = v & RV_MIE_WRITABLE; break;
    /* CV32E40P: the base 256-byte aligned, modes 0 (direct), 1 (vectored) */
    case RV_CSR_MTVEC: c->mtvec = v & ~0xfeu; break;
    case RV_CSR_MSCRATCH: c->mscratch = v; break;
    case RV_CSR_MEPC: c->mepc = v & ~1u; break;
    case RV_CSR_MCAUSE: c->mcause = v & 0x8000001fu; break; /* interrupt bit, 5-bit code */
    case RV_CSR_MTVAL: break; /* read-only zero */
    case RV_CSR_MCOUNTINHIBIT: {
        uint32_t nv = v & (RV_MCOUNTINHIBIT_CY | RV_MCOUNTINHIBIT_IR);
        /* freeze at the value reached, or count on from it */
        if (nv & RV_MCOUNTINHIBIT_CY)
            c->mcycle_frozen = mcycle;
        else
            c->mcycle_base = c->cycle - mcycle;
        if (nv & RV_MCOUNTINHIBIT_IR)
            c->minstret_frozen = minstret;
        else
            c->minstret_base = c->instret - minstret;
        c->mcountinhibit = nv;
        break;
    }
    case RV_CSR_MIP: break; /* driven by the interrupt lines */
    /* Hardware-loop state, writable so handlers can save and restore it. */
    case RV_CSR_LPSTART0: c->lp[0].start = v & ~1u; break;
    case RV_CSR_LPEND0: c->lp[0].end = v & ~1u; break;
    case RV_CSR_LPCOUNT0: c->lp[0].count = v; break;
    case RV_CSR_LPSTART1: c->lp[1].start = v & ~1u; break;
    case RV_CSR_LPEND1: c->lp[1].end = v & ~1u; break;
    case RV_CSR_LPCOUNT1: c->lp[1].count = v; break;
    case RV_CSR_MCYCLE: mcycle = (mcycle & ~0xffffffffull) | v; goto set_cycle;
    case RV_CSR_MCYCLEH: mcycle = (mcycle & 0xffffffffull) | (uint64_t)v << 32; goto set_cycle;
    case RV_CSR_MINSTRET: minstret = (minstret & ~0xffffffffull) | v; goto set_instret;
    case RV_CSR_MINSTRETH:
        minstret = (minstret & 0xffffffffull) | (uint64_t)v << 32;
        goto set_instret;
    default: return false; /* unknown, or read-only (cycle, instret, ids) */
    }
    return true;
set_cycle:
    c->mcycle_base = c->cycle - mcycle;
    c->mcycle_frozen = mcycle;
    return true;
set_instret:
    c->minstret_base = c->instret - minstret;
    c->minstret_frozen = minstret;
    return true;
}

/* ---- traps and interrupts ------------------------------------------------ */

/*
 * Enter the trap handler, or halt with a fault report when no handler is
 * installed (mtvec == 0): bare-metal firmware without a handler has crashed.
 */
/* RV_CAUSE_NONE: the access completed. */
#define RV_CAUSE_NONE 0xffffffffu
static uint32_t misaligned_access(struct rv_core *c, uint32_t raw, uint32_t addr, uint32_t cause);

static void take_trap(struct rv_core *c, uint32_t cause, uint32_t tval, uint32_t insn)
{
    /* CV32E40P completes a misaligned load or store in hardware: the run
       loop sends it here, to the trap path, so that the loop itself stays
       as it is (its code is sensitive to any addition). */
    if (unlikely((cause | 2u) == RV_CAUSE_MISALIGNED_STORE) && !c->misaligned_traps &&
        !c->misaligned_pending) {
        /* Leave the run loop as a halt would; rv_core_run completes the
           access (misaligned_access) and goes on. No call from here:
           take_trap is inlined into the run loops, and a call on this path
           costs them 0.9 % host instructions on diff_sort. */
        c->misaligned_pending = true;
        c->misaligned_insn = insn;
        c->misaligned_cause = cause;
        c->misaligned_addr = tval;
        c->state = RV_HALTED;
        return;
    }
    c->reservation_valid = false;
    if (c->mtvec == 0) {
        c->state = RV_HALTED;
        c->stop.kind = RV_STOP_FAULT;
        c->stop.pc = c->pc;
        c->stop.insn = insn;
        c->stop.cause = cause;
        c->stop.tval = tval;
        return;
    }
    c->mepc = c->pc;
    c->mcause = cause;
    c->mtval = tval;
    uint32_t mie = c->mstatus & RV_MSTATUS_MIE;
    c->mstatus = (c->mstatus & ~(RV_MSTATUS_MIE | RV_MSTATUS_MPIE)) | (mie << 4) |
                 RV_MSTATUS_MPP;
    uint32_t base = c->mtvec & ~3u;
    if ((cause & 0x80000000u) && (c->mtvec & 1))
        c->pc = base + 4 * (cause & 0x1f);
    else
        c->pc = base;
    c->cycle += RV_TRAP_FLUSH_CYCLES;
    c->counters.branch_stalls += RV_TRAP_FLUSH_CYCLES;
    c->prev_hazard = 0;
}

/* Highest-priority pending and enabled interrupt id, or -1. Platform lines
   31..16 first (higher id wins), then external, software, timer. */
static int pending_interrupt(const struct rv_core *c)
{
    uint32_t p = c->mip & c->mie;
    if (!p || !(c->mstatus & RV_MSTATUS_MIE))
        return -1;
    for (int i = 31; i >= 16; i--)
        if (p & (1u << i))
            return i;
    if (p & (1u << 11)) return 11;
    if (p & (1u << 3)) return 3;
    if (p & (1u << 7)) return 7;
    return -1;
}

static void check_interrupts(struct rv_core *c)
{
    int id = pending_interrupt(c);
    if (id >= 0)
        take_trap(c, 0x80000000u | (uint32_t)id, 0, 0);
}

void rv_core_set_irq(struct rv_core *c, unsigned bit, bool level)
{
    if (bit > 31)
        return;
    if (level)
        c->mip |= 1u << bit;
    else
        c->mip &= ~(1u << bit);
}

void rv_core_wake(struct rv_core *c, uint64_t now)
{
    if (c->state != RV_SLEEPING)
        return;
    if (now > c->cycle) {
        c->counters.sleep_cycles += now - c->cycle;
        c->cycle = now;
    }
    c->state = RV_RUNNING;
}

/* ---- fetch and decode ---------------------------------------------------- */

/* Code region holding pc, or NULL. */
static struct rv_region *find_code_region(struct rv_core *c, uint32_t pc)
{
    struct rv_region *r = find_region(c, pc, 2);
    return r && r->dc ? r : NULL;
}

/*
 * Decode the instruction at pc into its cache entry. Returns false (and
 * leaves the entry undecoded) when its second halfword lies outside the
 * region.
 */
static bool decode_at(struct rv_region *r, uint32_t pc, struct rv_insn *d)
{
    uint32_t off = pc - r->base;
    uint32_t raw = host_read(r->host + off, 2);
    if ((raw & 3) == 3) {
        if (off + 4 > r->size)
            return false;
        raw |= host_read(r->host + off + 2, 2) << 16;
    }
    rv_decode(raw, d);
    r->dc->page_has_code[off >> RV_DC_PAGE_SHIFT] = 1;
    return true;
}

/* Extra cycle when a jump lands on a non-word-aligned 32-bit instruction. */
static unsigned target_penalty(struct rv_core *c, uint32_t target)
{
    if (!(target & 2))
        return 0;
    struct rv_region *r = find_code_region(c, target);
    if (!r)
        return 0;
    struct rv_insn *d = &r->dc->entries[(target - r->base) >> 1];
    if (d->op == RV_OP_UNDECODED && !decode_at(r, target, d))
        return 0;
    return d->len == 4;
}

static inline uint32_t clz32(uint32_t v) { return v ? (uint32_t)__builtin_clz(v) : 32; }

/* Serial divider latency: 3 + leading zeros of the divisor's magnitude. */
static inline uint32_t div_cycles(uint32_t b, bool is_signed)
{
    if (is_signed && (int32_t)b < 0)
        b = 0u - b;
    return clz32(b);
}

/* ---- hardware loops ------------------------------------------------------ */

/*
 * Set [hwl_lo, hwl_lo + hwl_span] to hold every active loop's end address
 * (lo = 1, span = 0 when none is active: no instruction lives at an odd
 * address). The run loop calls hwloop_end for instructions in the range.
 */
static void hwloop_watch(struct rv_core *c)
{
    bool a0 = c->lp[0].count != 0, a1 = c->lp[1].count != 0;
    if (a0 && a1) {
        uint32_t e0 = c->lp[0].end, e1 = c->lp[1].end;
        c->hwl_lo = e0 < e1 ? e0 : e1;
        c->hwl_span = e0 < e1 ? e1 - e0 : e0 - e1;
    } else if (a0 || a1) {
        c->hwl_lo = c->lp[a0 ? 0 : 1].end;
        c->hwl_span = 0;
    } else {
        c->hwl_lo = 1;
        c->hwl_span = 0;
    }
}

/*
 * The instruction at `at` retired and execution would go on at `next`.
 * If it ends an active loop's body, count the iteration; while iterations
 * remain, continue at the loop's start instead (zero overhead: no cycles
 * added). Loop 0 is checked first, so with nested loops sharing their end
 * the inner loop (0) finishes before the outer one steps. Returns the pc
 * to go on at.
 */
static uint32_t hwloop_end(struct rv_core *c, uint32_t at, uint32_t next)
{
    for (unsigned i = 0; i < 2; i++) {
        struct rv_hwloop *l = &c->lp[i];
        if (l->count == 0 || l->end != at)
            continue;
        if (--l->count != 0) {
            next = l->start;
            c->counters.hwloop_iterations++;
            break;
        }
    }
    hwloop_watch(c);
    return next;
}

/* ---- the run loop -------------------------------------------------------- */

/* The run loop, compiled three times: without tracing and without
   hardware-loop checks (the common case), without tracing with them, and
   traced (with them). */
#define RV_LOOP_FN run_plain
#define RV_LOOP_TRACING false
#define RV_LOOP_HWLOOPS false
#include "core_loop.inc"
#undef RV_LOOP_FN
#undef RV_LOOP_TRACING
#undef RV_LOOP_HWLOOPS

#define RV_LOOP_FN run_hwloops
#define RV_LOOP_TRACING false
#define RV_LOOP_HWLOOPS true
#include "core_loop.inc"
#undef RV_LOOP_FN
#undef RV_LOOP_TRACING
#undef RV_LOOP_HWLOOPS

#define RV_LOOP_FN run_traced
#define RV_LOOP_TRACING true
#define RV_LOOP_HWLOOPS true
#include "core_loop.inc"
#undef RV_LOOP_FN
#undef RV_LOOP_TRACING
#undef RV_LOOP_HWLOOPS

/* A misaligned access the run loop left for us (take_trap): complete it,
   or take the trap it turned into. True when the core runs on. */
static bool finish_misaligned(struct rv_core *c)
{
    c->misaligned_pending = false;
    c->state = RV_RUNNING;
    uint32_t cause = misaligned_access(c, c->misaligned_insn, c->misaligned_addr, c->misaligned_cause);
    if (cause != RV_CAUSE_NONE) {
        c->misaligned_pending = true; /* take_trap: trap this time */
        take_trap(c, cause, c->misaligned_addr, c->misaligned_insn);
        c->misaligned_pending = false;
    }
    return c->state == RV_RUNNING;
}

enum rv_run_state rv_core_run(struct rv_core *c, uint64_t limit)
{
    for (;;) {
        enum rv_run_state st;
        if (c->trace) {
            st = run_traced(c, limit);
        } else {
            hwloop_watch(c);
            st = c->hwl_lo == 1 ? run_plain(c, limit) : run_hwloops(c, limit);
        }
        if (unlikely(c->misaligned_pending)) {
            if (!finish_misaligned(c) || c->cycle >= limit)
                return c->state;
            continue;
        }
        if (!c->switch_variant)
            return st;
        c->switch_variant = false; /* a loop was armed: go on with the checks */
    }
}

const struct ort_counter rv_core_counters[] = {
    ORT_COUNTER_AS("load_use_stalls", struct rv_core, counters.load_use_stalls),
    ORT_COUNTER_AS("branch_stalls", struct rv_core, counters.branch_stalls),
    ORT_COUNTER_AS("memory_stalls", struct rv_core, counters.mem_stalls),
    ORT_COUNTER_AS("tcdm_stalls", struct rv_core, counters.tcdm_stalls),
    ORT_COUNTER_AS("muldiv_stalls", struct rv_core, counters.muldiv_stalls),
    ORT_COUNTER_AS("sleep_cycles", struct rv_core, counters.sleep_cycles),
    ORT_COUNTER_AS("hwloop_iterations", struct rv_core, counters.hwloop_iterations),
    ORT_COUNTER_AS("loads", struct rv_core, counters.loads),
    ORT_COUNTER_AS("stores", struct rv_core, counters.stores),
};
const unsigned rv_core_counter_count = sizeof rv_core_counters / sizeof rv_core_counters[0];

void rv_core_count_classes(const struct rv_core *c, uint64_t by_class[RV_CLASS_COUNT])
{
    for (unsigned k = 0; k < RV_CLASS_COUNT; k++)
        by_class[k] = 0;
    for (unsigned op = 0; op < RV_OP_COUNT; op++)
        by_class[rv_op_class((enum rv_op)op)] += c->counters.executed[op];
}

/* ---- off the run loop's path ------------------------------------------------
 * Defined after the run loops: code placed before them moves them, and
 * their speed depends on where they land (measured: +0.9 % host
 * instructions on diff_sort with this function above them). */

/*
 * A misaligned load or store as CV32E40P performs it: two aligned
 * accesses, one cycle more than an aligned one (the run loop has already
 * counted the instruction's own cycles). `raw` is the instruction at
 * c->pc, `addr` its address. Returns RV_CAUSE_NONE when it completed (pc
 * moved on, through a hardware loop's end if it is one); else the cause
 * to trap with: an access fault when a part of it faulted, or `cause`
 * for an instruction this does not emulate (the event load p.elw and the
 * atomics keep trapping, as on the core).
 */
static uint32_t misaligned_access(struct rv_core *c, uint32_t raw, uint32_t addr, uint32_t cause)
{
    struct rv_insn d;
    rv_decode(raw, &d);
    unsigned size = 0;
    bool load = true, sign = false;
    int post = 0; /* 0: none, 1: += imm, 2: += rs2 (loads) or the rd field (stores) */
    switch (d.op) {
    case RV_OP_LH: size = 2, sign = true; break;
    case RV_OP_LHU: size = 2; break;
    case RV_OP_LW: size = 4; break;
    case RV_OP_P_LH_PI: size = 2, sign = true, post = 1; break;
    case RV_OP_P_LHU_PI: size = 2, post = 1; break;
    case RV_OP_P_LW_PI: size = 4, post = 1; break;
    case RV_OP_P_LH_PR: size = 2, sign = true, post = 2; break;
    case RV_OP_P_LHU_PR: size = 2, post = 2; break;
    case RV_OP_P_LW_PR: size = 4, post = 2; break;
    case RV_OP_P_LH_RR: size = 2, sign = true; break;
    case RV_OP_P_LHU_RR: size = 2; break;
    case RV_OP_P_LW_RR: size = 4; break;
    case RV_OP_SH: case RV_OP_P_SH_RR: size = 2, load = false; break;
    case RV_OP_SW: case RV_OP_P_SW_RR: size = 4, load = false; break;
    case RV_OP_P_SH_PI: size = 2, load = false, post = 1; break;
    case RV_OP_P_SW_PI: size = 4, load = false, post = 1; break;
    case RV_OP_P_SH_PR: size = 2, load = false, post = 2; break;
    case RV_OP_P_SW_PR: size = 4, load = false, post = 2; break;
    default: return cause;
    }
    uint32_t v = load ? 0 : c->x[d.rs2];
    struct rv_region *r = find_region(c, addr, size);
    if (r) {
        /* Memory: the two aligned words the bytes span, one access each
           (bank claims at consecutive cycles, or the region's latency
           twice); a store writes only its bytes (the byte enables). */
        uint32_t w0 = addr & ~3u;
        for (unsigned k = 0; k < 2; k++) {
            if (r->tcdm) {
                uint32_t wait = ort_tcdm_claim(r->tcdm, w0 + 4 * k, c->cycle + k);
                c->cycle += wait;
                c->counters.tcdm_stalls += wait;
            } else {
                c->cycle += r->latency;
                c->counters.mem_stalls += r->latency;
            }
            if (load)
                r->reads[2]++;
            else
                r->writes[2]++;
        }
        uint8_t *p = r->host + (addr - r->base);
        if (load) {
            v = host_read(p, size);
        } else {
            host_write(p, size, v);
            if (r->dc && rv_decode_cache_maybe_code(r->dc, addr))
                rv_decode_cache_invalidate(r->dc, addr, size);
        }
    } else {
        /* A device: its bytes one at a time (a device sees byte accesses). */
        for (unsigned i = 0; i < size; i++) {
            uint32_t b = (v >> (8 * i)) & 0xffu;
            if (data_access(c, addr + i, 1, !load, &b) != ACC_OK)
                return load ? RV_CAUSE_LOAD_ACCESS : RV_CAUSE_STORE_ACCESS;
            if (load)
                v |= (b & 0xffu) << (8 * i);
        }
    }
    if (load && sign && size == 2)
        v = (uint32_t)(int32_t)(int16_t)v;
    if (post) {
        uint32_t inc = post == 1 ? (uint32_t)d.imm : load ? c->x[d.rs2] : c->x[d.rd];
        c->x[d.rs1] = addr + inc;
        c->x[0] = 0;
    }
    if (load)
        c->x[d.rd] = v;
    c->x[0] = 0;
    if (load)
        c->counters.loads++;
    else
        c->counters.stores++;
    c->cycle += 1; /* the second access */
    c->prev_hazard = 0;
    uint32_t at = c->pc, next = at + d.len;
    if (at - c->hwl_lo <= c->hwl_span)
        next = hwloop_end(c, at, next);
    c->pc = next;
    c->instret++;
    return RV_CAUSE_NONE;
}
