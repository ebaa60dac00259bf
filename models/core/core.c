/*
 * RV32IMAC ISS: the run loop executes pre-decoded instructions from the
 * decode cache with pc, cycle and instret held in locals; everything rare
 * (CSRs, traps, device accesses, decoding) is out of line.
 *
 * Cycle model (CV32E40P user manual, "Cycle counts per instruction type"
 * and "Hazards"): 1 cycle per instruction; mulh* 5; div/rem 3 + leading
 * zeros of the divisor (3..35); jal/jalr/mret/fence.i 2; taken branch 3;
 * +1 when a jump or taken branch lands on a 32-bit instruction that is not
 * word aligned; csr access 4 for the serializing CSRs, else 1; +1 load-use
 * stall; +1 when jalr reads the result of the instruction just before it;
 * data accesses add the memory's latency. Trap entry costs 2 (a flush).
 */
#include "core.h"

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
    c->reservation = 0;
    c->reservation_valid = false;
    c->prev_hazard = 0;
    memset(&c->stop, 0, sizeof c->stop);
    memset(&c->counters, 0, sizeof c->counters);
    c->state = RV_RUNNING;
}

bool rv_core_add_region(struct rv_core *c, uint32_t base, uint32_t size, uint8_t *host,
                        uint32_t latency, struct rv_decode_cache *dc)
{
    if (c->n_regions >= RV_MAX_REGIONS || size == 0)
        return false;
    struct rv_region *r = &c->regions[c->n_regions++];
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
enum access_result { ACC_OK, ACC_FAULT, ACC_STOP };

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
        c->cycle += r->latency;
        c->counters.mem_stalls += r->latency;
        if (!is_write) {
            *value = host_read(p, size);
            return ACC_OK;
        }
        host_write(p, size, *value);
        if (r->dc && rv_dcache_maybe_code(r->dc, addr))
            rv_dcache_invalidate(r->dc, addr, size);
        if (unlikely(c->has_tohost) && addr == c->tohost && size == 4 && (*value & 1)) {
            c->stop.kind = RV_STOP_TOHOST;
            c->stop.tohost = *value;
            return ACC_STOP;
        }
        return ACC_OK;
    }
    if (!c->bus)
        return ACC_FAULT;
    uint32_t extra = 0;
    uint32_t data = is_write ? *value : 0;
    enum rv_bus_status st = c->bus(c->bus_ctx, c, addr, size, is_write, &data, &extra);
    c->cycle += extra;
    c->counters.mem_stalls += extra;
    if (st == RV_BUS_ERROR)
        return ACC_FAULT;
    if (!is_write)
        *value = data;
    if (st == RV_BUS_STOP) {
        c->stop.kind = RV_STOP_BUS;
        return ACC_STOP;
    }
    return ACC_OK;
}

/* ---- CSRs ---------------------------------------------------------------- */

bool rv_csr_read(struct rv_core *c, unsigned csr, uint32_t *v)
{
    uint64_t mcycle = c->cycle - c->mcycle_base;
    uint64_t minstret = c->instret - c->minstret_base;
    switch (csr) {
    case RV_CSR_MSTATUS: *v = c->mstatus; break;
    case RV_CSR_MISA: *v = RV_MISA_VALUE; break;
    case RV_CSR_MIE: *v = c->mie; break;
    case RV_CSR_MTVEC: *v = c->mtvec; break;
    case RV_CSR_MSCRATCH: *v = c->mscratch; break;
    case RV_CSR_MEPC: *v = c->mepc; break;
    case RV_CSR_MCAUSE: *v = c->mcause; break;
    case RV_CSR_MTVAL: *v = c->mtval; break;
    case RV_CSR_MIP: *v = c->mip; break;
    case RV_CSR_MCYCLE: case RV_CSR_CYCLE: *v = (uint32_t)mcycle; break;
    case RV_CSR_MCYCLEH: case RV_CSR_CYCLEH: *v = (uint32_t)(mcycle >> 32); break;
    case RV_CSR_MINSTRET: case RV_CSR_INSTRET: *v = (uint32_t)minstret; break;
    case RV_CSR_MINSTRETH: case RV_CSR_INSTRETH: *v = (uint32_t)(minstret >> 32); break;
    case RV_CSR_MVENDORID: case RV_CSR_MARCHID: case RV_CSR_MIMPID: *v = 0; break;
    case RV_CSR_MHARTID: *v = c->hartid; break;
    default: return false;
    }
    return true;
}

bool rv_csr_write(struct rv_core *c, unsigned csr, uint32_t v)
{
    uint64_t mcycle = c->cycle - c->mcycle_base;
    uint64_t minstret = c->instret - c->minstret_base;
    switch (csr) {
    case RV_CSR_MSTATUS:
        c->mstatus = (v & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE)) | RV_MSTATUS_MPP;
        break;
    case RV_CSR_MISA: break; /* WARL: fixed */
    case RV_CSR_MIE: c->mie = v & RV_MIE_WRITABLE; break;
    case RV_CSR_MTVEC: c->mtvec = v & ~2u; break; /* modes 0 (direct), 1 (vectored) */
    case RV_CSR_MSCRATCH: c->mscratch = v; break;
    case RV_CSR_MEPC: c->mepc = v & ~1u; break;
    case RV_CSR_MCAUSE: c->mcause = v; break;
    case RV_CSR_MTVAL: c->mtval = v; break;
    case RV_CSR_MIP: break; /* driven by the interrupt lines */
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
    return true;
set_instret:
    c->minstret_base = c->instret - minstret;
    return true;
}

/* ---- traps and interrupts ------------------------------------------------ */

/*
 * Enter the trap handler, or halt with a fault report when no handler is
 * installed (mtvec == 0): bare-metal firmware without a handler has crashed.
 */
static void take_trap(struct rv_core *c, uint32_t cause, uint32_t tval, uint32_t insn)
{
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

/* ---- the run loop -------------------------------------------------------- */

/*
 * Threaded dispatch: every handler ends by fetching and jumping to the next
 * one (computed goto), so each has its own indirect branch to predict.
 * Handlers start with BEGIN (timing and hazards) and end with NEXT.
 * Undecoded entries dispatch to a handler that decodes and re-dispatches.
 */
enum rv_run_state rv_core_run(struct rv_core *c, uint64_t limit)
{
    /* One well-predicted test per instruction when off. */
    const bool tracing = c->trace != NULL;

    if (c->state == RV_RUNNING)
        check_interrupts(c);
    if (c->state != RV_RUNNING)
        return c->state;

    static const void *const dispatch[RV_OP_COUNT] = {
        [RV_OP_UNDECODED] = &&op_UNDECODED,
        [RV_OP_ILLEGAL] = &&op_ILLEGAL,
#define RV_INSN(id, name, match, mask, fmt) [RV_OP_##id] = &&op_##id,
#include "isa_table.h"
#undef RV_INSN
    };

    uint32_t *const x = c->x;
    uint32_t pc = c->pc, npc = 0;
    uint64_t cycle = c->cycle, start = cycle;
    uint64_t instret = c->instret;
    uint64_t prev_hazard = c->prev_hazard;
    uint64_t stalls = 0, mem_stalls = 0, branch_stalls = 0;
    uint64_t loads = 0, stores = 0, muldiv_stalls = 0;
    static struct rv_region none; /* size 0: never matches */
    struct rv_region *cr = &none; /* region of the code being executed */
    struct rv_region *dr = c->n_regions ? &c->regions[0] : &none; /* last data region */
    uint32_t code_base = 0, code_size = 0;
    struct rv_insn *code = NULL;
    struct rv_insn *d = NULL;
    uint32_t cause = 0, tval = 0;

#define SYNC_OUT() (c->pc = pc, c->cycle = cycle, c->instret = instret)
#define SYNC_IN() (pc = c->pc, cycle = c->cycle, instret = c->instret)

#define DISPATCH()                                        \
    do {                                                  \
        if (unlikely(cycle >= limit))                     \
            goto out;                                     \
        uint32_t off_ = pc - code_base;                   \
        if (unlikely(off_ >= code_size))                  \
            goto refetch;                                 \
        d = code + (off_ >> 1);                           \
        goto *dispatch[d->op];                            \
    } while (0)

#define BEGIN()                                                     \
    do {                                                            \
        start = cycle;                                              \
        cycle += d->cost;                                           \
        if (unlikely(d->hazard_read & prev_hazard)) {               \
            stalls++;                                               \
            cycle++;                                                \
        }                                                           \
        prev_hazard = d->hazard_write;                              \
        npc = pc + d->len;                                          \
    } while (0)

#define RETIRE()                                                    \
    do {                                                            \
        uint32_t ipc_ = pc;                                         \
        pc = npc;                                                   \
        instret++;                                                  \
        if (tracing)                                                \
            c->trace(c->trace_ctx, c, start, ipc_, d);              \
    } while (0)

/* Retire and go on with the next instruction in memory: its entry follows
   this one (the entry past the end of a region is never decoded, so running
   off the end lands in op_UNDECODED, which refetches). */
#define NEXT()                                 \
    do {                                       \
        unsigned step_ = d->len >> 1;          \
        RETIRE();                              \
        d += step_;                            \
        if (unlikely(cycle >= limit))          \
            goto out;                          \
        goto *dispatch[d->op];                 \
    } while (0)

/* Retire after a control transfer to npc. */
#define JUMP_NEXT() \
    do {            \
        RETIRE();   \
        DISPATCH(); \
    } while (0)

#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define RD x[d->rd]
#define IMM ((uint32_t)d->imm)

/* Taken control transfer to npc: jumps cost 2 (in cost), branches 1 + 2
   extra, + the misaligned-target penalty; every cycle past the first is a
   branch stall. */
#define TAKEN(extra)                                               \
    do {                                                           \
        uint32_t pen_ = (extra);                                   \
        if (unlikely(npc & 2))                                     \
            pen_ += target_penalty(c, npc);                        \
        cycle += pen_;                                             \
        branch_stalls += pen_ + d->cost - 1u;                      \
    } while (0)

    DISPATCH();

refetch: {
    struct rv_region *r = find_code_region(c, pc);
    if (!r) {
        cause = RV_CAUSE_FETCH_ACCESS;
        tval = pc;
        d = NULL;
        goto trap;
    }
    cr = r;
    code_base = r->base;
    code_size = r->size;
    code = r->dc->entries;
    DISPATCH();
}

op_UNDECODED:
    if (pc - code_base >= code_size)
        goto refetch;
    if (!decode_at(cr, pc, d)) {
        cause = RV_CAUSE_FETCH_ACCESS;
        tval = pc + 2;
        d = NULL;
        goto trap;
    }
    goto *dispatch[d->op];

op_LUI: BEGIN(); RD = IMM; NEXT();
op_AUIPC: BEGIN(); RD = pc + IMM; NEXT();
op_JAL:
    BEGIN();
    RD = npc;
    npc = pc + IMM;
    TAKEN(0);
    JUMP_NEXT();
op_JALR: {
    BEGIN();
    uint32_t target = (RS1 + IMM) & ~1u;
    RD = npc;
    npc = target;
    TAKEN(0);
    JUMP_NEXT();
}

#define BRANCH(cond)              \
    BEGIN();                      \
    if (cond) {                   \
        npc = pc + IMM;           \
        TAKEN(2);                 \
        JUMP_NEXT();              \
    }                             \
    NEXT();
op_BEQ: BRANCH(RS1 == RS2)
op_BNE: BRANCH(RS1 != RS2)
op_BLT: BRANCH((int32_t)RS1 < (int32_t)RS2)
op_BGE: BRANCH((int32_t)RS1 >= (int32_t)RS2)
op_BLTU: BRANCH(RS1 < RS2)
op_BGEU: BRANCH(RS1 >= RS2)
#undef BRANCH

/* Loads and stores: inline fast path on the last data region used; the
   rest (other regions, devices, code pages, tohost) out of line. */
#define LOAD(SZ, convert)                                                \
    {                                                                    \
        BEGIN();                                                         \
        uint32_t a = RS1 + IMM, v;                                       \
        if (unlikely(a & ((SZ) - 1))) {                                  \
            cause = RV_CAUSE_MISALIGNED_LOAD;                            \
            tval = a;                                                    \
            goto trap;                                                   \
        }                                                                \
        uint32_t o = a - dr->base;                                       \
        if (likely(o < dr->size && o + (SZ) <= dr->size)) {              \
            v = host_read(dr->host + o, SZ);                             \
            cycle += dr->latency;                                        \
            mem_stalls += dr->latency;                                   \
        } else {                                                         \
            struct rv_region *r = find_region(c, a, SZ);                 \
            if (r)                                                       \
                dr = r;                                                  \
            SYNC_OUT();                                                  \
            c->cycle = start; /* the access starts with the instruction */ \
            enum access_result res = data_access(c, a, SZ, false, &v);   \
            mem_stalls += c->cycle - start;                              \
            cycle += c->cycle - start;                                   \
            if (res == ACC_FAULT) {                                      \
                cause = RV_CAUSE_LOAD_ACCESS;                            \
                tval = a;                                                \
                goto trap;                                               \
            }                                                            \
            if (res == ACC_STOP) {                                       \
                loads++;                                                 \
                RD = convert;                                            \
                goto stop_after;                                         \
            }                                                            \
        }                                                                \
        loads++;                                                         \
        RD = convert;                                                    \
        NEXT();                                                          \
    }
op_LB: LOAD(1, (uint32_t)(int32_t)(int8_t)v)
op_LH: LOAD(2, (uint32_t)(int32_t)(int16_t)v)
op_LW: LOAD(4, v)
op_LBU: LOAD(1, v)
op_LHU: LOAD(2, v)
#undef LOAD

#define STORE(SZ)                                                        \
    {                                                                    \
        BEGIN();                                                         \
        uint32_t a = RS1 + IMM, v = RS2;                                 \
        if (unlikely(a & ((SZ) - 1))) {                                  \
            cause = RV_CAUSE_MISALIGNED_STORE;                           \
            tval = a;                                                    \
            goto trap;                                                   \
        }                                                                \
        uint32_t o = a - dr->base;                                       \
        if (likely(o < dr->size && o + (SZ) <= dr->size && !c->has_tohost && \
                   !(dr->dc && rv_dcache_maybe_code(dr->dc, a)))) {      \
            host_write(dr->host + o, SZ, v);                             \
            cycle += dr->latency;                                        \
            mem_stalls += dr->latency;                                   \
        } else {                                                         \
            struct rv_region *r = find_region(c, a, SZ);                 \
            if (r)                                                       \
                dr = r;                                                  \
            SYNC_OUT();                                                  \
            c->cycle = start;                                            \
            enum access_result res = data_access(c, a, SZ, true, &v);    \
            mem_stalls += c->cycle - start;                              \
            cycle += c->cycle - start;                                   \
            if (res == ACC_FAULT) {                                      \
                cause = RV_CAUSE_STORE_ACCESS;                           \
                tval = a;                                                \
                goto trap;                                               \
            }                                                            \
            if (res == ACC_STOP) {                                       \
                stores++;                                                \
                goto stop_after;                                         \
            }                                                            \
        }                                                                \
        stores++;                                                        \
        NEXT();                                                          \
    }
op_SB: STORE(1)
op_SH: STORE(2)
op_SW: STORE(4)
#undef STORE

op_ADDI: BEGIN(); RD = RS1 + IMM; NEXT();
op_SLTI: BEGIN(); RD = (int32_t)RS1 < d->imm; NEXT();
op_SLTIU: BEGIN(); RD = RS1 < IMM; NEXT();
op_XORI: BEGIN(); RD = RS1 ^ IMM; NEXT();
op_ORI: BEGIN(); RD = RS1 | IMM; NEXT();
op_ANDI: BEGIN(); RD = RS1 & IMM; NEXT();
op_SLLI: BEGIN(); RD = RS1 << d->imm; NEXT();
op_SRLI: BEGIN(); RD = RS1 >> d->imm; NEXT();
op_SRAI: BEGIN(); RD = (uint32_t)((int32_t)RS1 >> d->imm); NEXT();
op_ADD: BEGIN(); RD = RS1 + RS2; NEXT();
op_SUB: BEGIN(); RD = RS1 - RS2; NEXT();
op_SLL: BEGIN(); RD = RS1 << (RS2 & 31); NEXT();
op_SLT: BEGIN(); RD = (int32_t)RS1 < (int32_t)RS2; NEXT();
op_SLTU: BEGIN(); RD = RS1 < RS2; NEXT();
op_XOR: BEGIN(); RD = RS1 ^ RS2; NEXT();
op_SRL: BEGIN(); RD = RS1 >> (RS2 & 31); NEXT();
op_SRA: BEGIN(); RD = (uint32_t)((int32_t)RS1 >> (RS2 & 31)); NEXT();
op_OR: BEGIN(); RD = RS1 | RS2; NEXT();
op_AND: BEGIN(); RD = RS1 & RS2; NEXT();

op_MUL: BEGIN(); RD = RS1 * RS2; NEXT();
op_MULH:
    BEGIN();
    muldiv_stalls += 4;
    RD = (uint32_t)(((int64_t)(int32_t)RS1 * (int64_t)(int32_t)RS2) >> 32);
    NEXT();
op_MULHSU:
    BEGIN();
    muldiv_stalls += 4;
    RD = (uint32_t)(((int64_t)(int32_t)RS1 * (int64_t)(uint64_t)RS2) >> 32);
    NEXT();
op_MULHU:
    BEGIN();
    muldiv_stalls += 4;
    RD = (uint32_t)(((uint64_t)RS1 * (uint64_t)RS2) >> 32);
    NEXT();
op_DIV: {
    BEGIN();
    uint32_t a = RS1, b = RS2;
    { uint32_t extra_ = div_cycles(b, true); cycle += extra_; muldiv_stalls += 2 + extra_; }
    RD = b == 0 ? 0xffffffffu
         : (a == 0x80000000u && b == 0xffffffffu) ? a
                                                  : (uint32_t)((int32_t)a / (int32_t)b);
    NEXT();
}
op_DIVU: {
    BEGIN();
    uint32_t a = RS1, b = RS2;
    { uint32_t extra_ = div_cycles(b, false); cycle += extra_; muldiv_stalls += 2 + extra_; }
    RD = b ? a / b : 0xffffffffu;
    NEXT();
}
op_REM: {
    BEGIN();
    uint32_t a = RS1, b = RS2;
    { uint32_t extra_ = div_cycles(b, true); cycle += extra_; muldiv_stalls += 2 + extra_; }
    RD = b == 0 ? a
         : (a == 0x80000000u && b == 0xffffffffu) ? 0
                                                  : (uint32_t)((int32_t)a % (int32_t)b);
    NEXT();
}
op_REMU: {
    BEGIN();
    uint32_t a = RS1, b = RS2;
    { uint32_t extra_ = div_cycles(b, false); cycle += extra_; muldiv_stalls += 2 + extra_; }
    RD = b ? a % b : a;
    NEXT();
}

op_FENCE: BEGIN(); NEXT();
op_FENCE_I: {
    BEGIN();
    struct rv_insn self = *d; /* the flush erases *d */
    for (unsigned i = 0; i < c->n_regions; i++)
        if (c->regions[i].dc)
            rv_dcache_flush(c->regions[i].dc);
    d = &self;
    RETIRE();
    d = NULL;
    DISPATCH();
}
op_ECALL:
    BEGIN();
    cause = RV_CAUSE_ECALL_M;
    tval = 0;
    goto trap;
op_EBREAK:
    BEGIN();
    cause = RV_CAUSE_BREAKPOINT;
    tval = pc;
    goto trap;
op_MRET: {
    BEGIN();
    uint32_t mpie = (c->mstatus & RV_MSTATUS_MPIE) >> 4;
    c->mstatus = (c->mstatus & ~RV_MSTATUS_MIE) | mpie | RV_MSTATUS_MPIE | RV_MSTATUS_MPP;
    c->reservation_valid = false;
    npc = c->mepc;
    branch_stalls += 1;
    RETIRE();
    prev_hazard = 0;
    SYNC_OUT();
    check_interrupts(c);
    SYNC_IN();
    DISPATCH();
}
op_WFI:
    BEGIN();
    RETIRE();
    if (!(c->mip & c->mie)) {
        c->state = RV_SLEEPING;
        goto out;
    }
    DISPATCH();

op_CSRRW:
op_CSRRS:
op_CSRRC:
op_CSRRWI:
op_CSRRSI:
op_CSRRCI: {
    BEGIN();
    unsigned csr = IMM & 0xfff;
    bool is_imm = d->op >= RV_OP_CSRRWI;
    uint32_t src = is_imm ? d->rs1 : RS1;
    unsigned kind = d->op - (is_imm ? RV_OP_CSRRWI : RV_OP_CSRRW); /* 0 w, 1 s, 2 c */
    bool writes = kind == 0 || d->rs1 != 0;
    uint32_t old = 0;
    c->cycle = start; /* counters read as of the instruction's start */
    c->instret = instret;
    if (!rv_csr_read(c, csr, &old)) {
        cause = RV_CAUSE_ILLEGAL_INSN;
        tval = d->raw;
        goto trap;
    }
    if (writes) {
        uint32_t nv = kind == 0 ? src : kind == 1 ? (old | src) : (old & ~src);
        /* A written counter counts on from the instruction's end. */
        c->cycle = cycle;
        c->instret = instret + 1;
        if (!rv_csr_write(c, csr, nv)) {
            cause = RV_CAUSE_ILLEGAL_INSN;
            tval = d->raw;
            goto trap;
        }
    }
    RD = old;
    RETIRE();
    if (writes && (csr == RV_CSR_MSTATUS || csr == RV_CSR_MIE)) {
        SYNC_OUT();
        check_interrupts(c);
        SYNC_IN();
    }
    DISPATCH();
}

op_LR_W:
op_SC_W:
op_AMOSWAP:
op_AMOADD:
op_AMOXOR:
op_AMOAND:
op_AMOOR:
op_AMOMIN:
op_AMOMAX:
op_AMOMINU:
op_AMOMAXU: {
    BEGIN();
    uint32_t a = RS1, v2 = RS2, old = 0;
    bool is_lr = d->op == RV_OP_LR_W;
    if (a & 3) {
        cause = is_lr ? RV_CAUSE_MISALIGNED_LOAD : RV_CAUSE_MISALIGNED_STORE;
        tval = a;
        goto trap;
    }
    SYNC_OUT();
    c->cycle = start;
    enum access_result res;
    if (d->op == RV_OP_SC_W) {
        if (!c->reservation_valid || c->reservation != a) {
            c->reservation_valid = false;
            RD = 1;
            NEXT();
        }
        c->reservation_valid = false;
        res = data_access(c, a, 4, true, &v2);
        mem_stalls += c->cycle - start;
        cycle += c->cycle - start;
        if (res == ACC_FAULT) {
            cause = RV_CAUSE_STORE_ACCESS;
            tval = a;
            goto trap;
        }
        RD = 0;
        stores++;
        if (res == ACC_STOP)
            goto stop_after;
        NEXT();
    }
    res = data_access(c, a, 4, false, &old);
    mem_stalls += c->cycle - start;
    cycle += c->cycle - start;
    if (res == ACC_FAULT) {
        cause = is_lr ? RV_CAUSE_LOAD_ACCESS : RV_CAUSE_STORE_ACCESS;
        tval = a;
        goto trap;
    }
    loads++;
    if (is_lr) {
        c->reservation = a;
        c->reservation_valid = true;
        RD = old;
        if (res == ACC_STOP)
            goto stop_after;
        NEXT();
    }
    uint32_t nv;
    switch ((enum rv_op)d->op) {
    case RV_OP_AMOSWAP: nv = v2; break;
    case RV_OP_AMOADD: nv = old + v2; break;
    case RV_OP_AMOXOR: nv = old ^ v2; break;
    case RV_OP_AMOAND: nv = old & v2; break;
    case RV_OP_AMOOR: nv = old | v2; break;
    case RV_OP_AMOMIN: nv = (int32_t)old < (int32_t)v2 ? old : v2; break;
    case RV_OP_AMOMAX: nv = (int32_t)old > (int32_t)v2 ? old : v2; break;
    case RV_OP_AMOMINU: nv = old < v2 ? old : v2; break;
    default: nv = old > v2 ? old : v2; break;
    }
    /* The write-back is the second half of one bus operation: the latency
       was charged by the read. */
    uint64_t before = c->cycle;
    res = data_access(c, a, 4, true, &nv);
    c->cycle = before;
    stores++;
    RD = old;
    if (res == ACC_STOP)
        goto stop_after;
    NEXT();
}

op_ILLEGAL:
    BEGIN();
    cause = RV_CAUSE_ILLEGAL_INSN;
    tval = d->raw;
    goto trap;

trap:
    SYNC_OUT();
    take_trap(c, cause, tval, d ? d->raw : 0);
    if (c->state == RV_HALTED)
        goto halted;
    SYNC_IN();
    prev_hazard = 0;
    DISPATCH();

stop_after: /* the instruction completed and a device asked to stop */
    RETIRE();
    c->state = RV_HALTED;

out:
    SYNC_OUT();
halted:
    c->prev_hazard = prev_hazard;
    c->counters.load_use_stalls += stalls;
    c->counters.mem_stalls += mem_stalls;
    c->counters.branch_stalls += branch_stalls;
    c->counters.loads += loads;
    c->counters.stores += stores;
    c->counters.muldiv_stalls += muldiv_stalls;
    return c->state;
#undef SYNC_OUT
#undef SYNC_IN
#undef DISPATCH
#undef BEGIN
#undef RETIRE
#undef NEXT
#undef TAKEN
#undef RS1
#undef RS2
#undef RD
#undef IMM
}

