#include "isa.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct rv_insn_desc rv_insn_table[] = {
#define RV_INSN(id, name, match, mask, fmt) {name, match, mask, fmt, RV_OP_##id},
#include "isa_table.h"
#include "xpulp_table.h"
#undef RV_INSN
};
const size_t rv_insn_table_len = sizeof rv_insn_table / sizeof rv_insn_table[0];

const struct rv_insn_desc *rv_insn_desc_of(enum rv_op op)
{
    if (op < RV_OP_ILLEGAL + 1 || op >= RV_OP_COUNT)
        return NULL;
    return &rv_insn_table[op - RV_OP_ILLEGAL - 1];
}

/* ---- classes ---------------------------------------------------------------- */

enum rv_insn_class rv_op_class(enum rv_op op)
{
    const struct rv_insn_desc *d = rv_insn_desc_of(op);
    if (!d)
        return RV_CLASS_SYSTEM;
    switch (d->format) {
    case RV_FMT_LOAD: case RV_FMT_LR: case RV_FMT_PLOAD_I: case RV_FMT_PLOAD_R:
    case RV_FMT_LOAD_RR:
        return RV_CLASS_LOAD;
    case RV_FMT_S: case RV_FMT_PSTORE_I: case RV_FMT_PSTORE_R: case RV_FMT_STORE_RR:
        return RV_CLASS_STORE;
    case RV_FMT_AMO:
        return op == RV_OP_SC_W ? RV_CLASS_STORE : RV_CLASS_AMO;
    case RV_FMT_B: case RV_FMT_BIMM:
        return RV_CLASS_BRANCH;
    case RV_FMT_J: case RV_FMT_JALR:
        return RV_CLASS_JUMP;
    case RV_FMT_CSR: case RV_FMT_CSRI: case RV_FMT_FENCE:
        return RV_CLASS_SYSTEM;
    case RV_FMT_LP_ADDR: case RV_FMT_LP_COUNT: case RV_FMT_LP_COUNTI: case RV_FMT_LP_SETUP:
    case RV_FMT_LP_SETUPI:
        return RV_CLASS_HWLOOP;
    default:
        break;
    }
    switch (op) {
    case RV_OP_MUL: case RV_OP_MULH: case RV_OP_MULHSU: case RV_OP_MULHU: case RV_OP_P_MAC:
    case RV_OP_P_MSU:
        return RV_CLASS_MUL;
    case RV_OP_DIV: case RV_OP_DIVU: case RV_OP_REM: case RV_OP_REMU:
        return RV_CLASS_DIV;
    case RV_OP_MRET:
        return RV_CLASS_JUMP;
    case RV_OP_ECALL: case RV_OP_EBREAK: case RV_OP_WFI: case RV_OP_FENCE_I:
        return RV_CLASS_SYSTEM;
    default:
        break;
    }
    if (strncmp(d->name, "pv.", 3) == 0)
        return strstr(d->name, "dot") ? RV_CLASS_SIMD_DOT : RV_CLASS_SIMD;
    return RV_CLASS_ALU;
}

const char *rv_insn_class_name(enum rv_insn_class c)
{
    static const char *const names[RV_CLASS_COUNT] = {
        "alu", "mul", "div", "load", "store", "amo", "branch", "jump", "simd_dot", "simd",
        "hwloop", "system",
    };
    return (unsigned)c < RV_CLASS_COUNT ? names[c] : "?";
}

/* ---- field extraction ---------------------------------------------------- */

static inline uint32_t bits(uint32_t w, unsigned hi, unsigned lo)
{
    return (w >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, unsigned width)
{
    uint32_t m = 1u << (width - 1);
    return (int32_t)((v ^ m) - m);
}

static int32_t imm_i(uint32_t w) { return (int32_t)w >> 20; }
static int32_t imm_s(uint32_t w) { return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12); }
static int32_t imm_b(uint32_t w)
{
    return sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 |
                    bits(w, 11, 8) << 1,
                13);
}
static int32_t imm_u(uint32_t w) { return (int32_t)(w & 0xfffff000u); }
static int32_t imm_j(uint32_t w)
{
    return sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 |
                    bits(w, 30, 21) << 1,
                21);
}

/* ---- compressed expansion ------------------------------------------------ */

static uint32_t enc_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd,
                      uint32_t opc)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t opc)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(u, 4, 0) << 7 | opc;
}
static uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 12, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           bits(u, 4, 1) << 8 | bits(u, 11, 11) << 7 | 0x63;
}
static uint32_t enc_j(int32_t imm, uint32_t rd)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 20, 20) << 31 | bits(u, 10, 1) << 21 | bits(u, 11, 11) << 20 |
           bits(u, 19, 12) << 12 | rd << 7 | 0x6f;
}

uint32_t rv_expand_compressed(uint16_t c)
{
    uint32_t w = c;
    uint32_t f3 = bits(w, 15, 13);
    uint32_t rd = bits(w, 11, 7);          /* full register fields */
    uint32_t rs2 = bits(w, 6, 2);
    uint32_t rdp = bits(w, 4, 2) + 8;      /* rd' / rs2' */
    uint32_t rs1p = bits(w, 9, 7) + 8;     /* rs1' / rd' */
    int32_t ci_imm = sext(bits(w, 12, 12) << 5 | bits(w, 6, 2), 6);

    switch (w & 3) {
    case 0:
        switch (f3) {
        case 0: { /* c.addi4spn */
            uint32_t nzuimm = bits(w, 10, 7) << 6 | bits(w, 12, 11) << 4 | bits(w, 5, 5) << 3 |
                              bits(w, 6, 6) << 2;
            if (nzuimm == 0)
                return 0;
            return enc_i((int32_t)nzuimm, 2, 0, rdp, 0x13);
        }
        case 2: /* c.lw */
        case 6: { /* c.sw */
            uint32_t off = bits(w, 5, 5) << 6 | bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2;
            return f3 == 2 ? enc_i((int32_t)off, rs1p, 2, rdp, 0x03)
                           : enc_s((int32_t)off, rdp, rs1p, 2, 0x23);
        }
        default:
            return 0; /* floating-point loads/stores, reserved */
        }
    case 1:
        switch (f3) {
        case 0: /* c.addi, c.nop */
            return enc_i(ci_imm, rd, 0, rd, 0x13);
        case 1: /* c.jal (RV32) */
        case 5: { /* c.j */
            int32_t off = sext(bits(w, 12, 12) << 11 | bits(w, 8, 8) << 10 | bits(w, 10, 9) << 8 |
                                   bits(w, 6, 6) << 7 | bits(w, 7, 7) << 6 |
                                   bits(w, 2, 2) << 5 | bits(w, 11, 11) << 4 |
                                   bits(w, 5, 3) << 1,
                               12);
            return enc_j(off, f3 == 1 ? 1 : 0);
        }
        case 2: /* c.li */
            return enc_i(ci_imm, 0, 0, rd, 0x13);
        case 3:
            if (rd == 2) { /* c.addi16sp */
                int32_t imm = sext(bits(w, 12, 12) << 9 | bits(w, 4, 3) << 7 |
                                       bits(w, 5, 5) << 6 | bits(w, 2, 2) << 5 |
                                       bits(w, 6, 6) << 4,
                                   10);
                if (imm == 0)
                    return 0;
                return enc_i(imm, 2, 0, 2, 0x13);
            } else { /* c.lui */
                if (ci_imm == 0)
                    return 0;
                return ((uint32_t)ci_imm << 12) | rd << 7 | 0x37;
            }
        case 4: {
            uint32_t f2 = bits(w, 11, 10);
            uint32_t shamt = bits(w, 12, 12) << 5 | bits(w, 6, 2);
            if (f2 == 0 || f2 == 1) { /* c.srli, c.srai */
                if (shamt & 32)
                    return 0; /* RV32: shamt[5] must be 0 */
                return enc_r(f2 == 1 ? 0x20 : 0, shamt, rs1p, 5, rs1p, 0x13);
            }
            if (f2 == 2) /* c.andi */
                return enc_i(ci_imm, rs1p, 7, rs1p, 0x13);
            if (bits(w, 12, 12))
                return 0; /* c.subw / c.addw: RV64 only */
            static const uint32_t f3s[4] = {0, 4, 6, 7};     /* sub xor or and */
            static const uint32_t f7s[4] = {0x20, 0, 0, 0};
            uint32_t op = bits(w, 6, 5);
            return enc_r(f7s[op], rdp, rs1p, f3s[op], rs1p, 0x33);
        }
        case 6: /* c.beqz */
        case 7: { /* c.bnez */
            int32_t off = sext(bits(w, 12, 12) << 8 | bits(w, 6, 5) << 6 | bits(w, 2, 2) << 5 |
                                   bits(w, 11, 10) << 3 | bits(w, 4, 3) << 1,
                               9);
            return enc_b(off, 0, rs1p, f3 == 6 ? 0 : 1);
        }
        }
        return 0;
    case 2:
        switch (f3) {
        case 0: { /* c.slli */
            uint32_t shamt = bits(w, 12, 12) << 5 | bits(w, 6, 2);
            if (shamt & 32)
                return 0;
            return enc_r(0, shamt, rd, 1, rd, 0x13);
        }
        case 2: { /* c.lwsp */
            if (rd == 0)
                return 0;
            uint32_t off = bits(w, 3, 2) << 6 | bits(w, 12, 12) << 5 | bits(w, 6, 4) << 2;
            return enc_i((int32_t)off, 2, 2, rd, 0x03);
        }
        case 4:
            if (!bits(w, 12, 12)) {
                if (rs2 == 0) { /* c.jr */
                    if (rd == 0)
                        return 0;
                    return enc_i(0, rd, 0, 0, 0x67);
                }
                return enc_r(0, rs2, 0, 0, rd, 0x33); /* c.mv */
            }
            if (rs2 == 0) {
                if (rd == 0)
                    return 0x00100073; /* c.ebreak */
                return enc_i(0, rd, 0, 1, 0x67); /* c.jalr */
            }
            return enc_r(0, rs2, rd, 0, rd, 0x33); /* c.add */
        case 6: { /* c.swsp */
            uint32_t off = bits(w, 8, 7) << 6 | bits(w, 12, 9) << 2;
            return enc_s((int32_t)off, rs2, 2, 2, 0x23);
        }
        default:
            return 0;
        }
    }
    return 0;
}

/* ---- decode -------------------------------------------------------------- */

/* CSRs whose access costs 4 cycles on CV32E40P (they serialize the pipeline);
   all others cost 1. */
static bool csr_is_slow(unsigned csr)
{
    switch (csr) {
    case 0x300: case 0x341: case 0x305: case 0x342: /* mstatus mepc mtvec mcause */
    case 0xB00: case 0xB02: case 0xB80: case 0xB82: /* mcycle minstret (h) */
    case 0x320:                                     /* mcountinhibit */
        return true;
    default:
        return (csr >= 0xB03 && csr <= 0xB1F) || (csr >= 0xB83 && csr <= 0xB9F) ||
               (csr >= 0x323 && csr <= 0x33F);
    }
}

static unsigned base_cost(enum rv_op op, uint32_t w)
{
    switch (op) {
    case RV_OP_MULH: case RV_OP_MULHSU: case RV_OP_MULHU:
        return 5;
    case RV_OP_DIV: case RV_OP_DIVU: case RV_OP_REM: case RV_OP_REMU:
        return 3; /* + leading zeros of the divisor, added at execution */
    case RV_OP_JAL: case RV_OP_JALR: case RV_OP_FENCE_I: case RV_OP_MRET:
        return 2;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        return csr_is_slow(w >> 20) ? 4 : 1;
    default:
        return 1;
    }
}

void rv_decode(uint32_t raw, struct rv_insn *out)
{
    memset(out, 0, sizeof *out);
    out->len = (uint8_t)rv_insn_length(raw);
    uint32_t w;
    if (out->len == 2) {
        raw &= 0xffff;
        w = rv_expand_compressed((uint16_t)raw);
    } else {
        w = raw;
    }
    out->raw = raw;
    out->op = RV_OP_ILLEGAL;
    out->rd = RV_REG_SINK;
    if (w == 0)
        return;

    const struct rv_insn_desc *desc = NULL;
    for (size_t i = 0; i < rv_insn_table_len; i++) {
        if ((w & rv_insn_table[i].mask) == rv_insn_table[i].match) {
            desc = &rv_insn_table[i];
            break;
        }
    }
    if (!desc)
        return;

    uint32_t rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
    /* Registers read, register written by the instruction (rd unless noted),
       and the loaded register (arrives late: load-use hazard). */
    uint32_t reads = 0, writes = 0, loaded = 0;
    bool rd_is_reg = true; /* false: the rd field holds no destination */
    int32_t imm = 0;
#define R(r) (1u << (r))
    switch (desc->format) {
    case RV_FMT_NONE:
    case RV_FMT_FENCE:
        imm = (int32_t)bits(w, 27, 20); /* fence pred/succ, for disassembly */
        break;
    case RV_FMT_R:
    case RV_FMT_AMO:
        reads = R(rs1) | R(rs2);
        writes = R(rd);
        break;
    case RV_FMT_R_ACC:
        reads = R(rs1) | R(rs2) | R(rd);
        writes = R(rd);
        break;
    case RV_FMT_LR:
    case RV_FMT_R1:
        reads = R(rs1);
        writes = R(rd);
        break;
    case RV_FMT_I:
    case RV_FMT_LOAD:
    case RV_FMT_JALR:
        reads = R(rs1);
        writes = R(rd);
        imm = imm_i(w);
        break;
    case RV_FMT_SHIFT:
    case RV_FMT_CLIP:
        reads = R(rs1);
        writes = R(rd);
        imm = (int32_t)rs2;
        break;
    case RV_FMT_BITS:
    case RV_FMT_BITS_ACC:
        reads = R(rs1) | (desc->format == RV_FMT_BITS_ACC ? R(rd) : 0);
        writes = R(rd);
        imm = (int32_t)bits(w, 29, 20); /* Is3 << 5 | Is2 */
        break;
    case RV_FMT_SCI:
    case RV_FMT_SCI_ACC:
        reads = R(rs1) | (desc->format == RV_FMT_SCI_ACC ? R(rd) : 0);
        writes = R(rd);
        imm = (int32_t)(bits(w, 25, 25) | bits(w, 24, 20) << 1);
        break;
    case RV_FMT_S:
        reads = R(rs1) | R(rs2);
        imm = imm_s(w);
        break;
    case RV_FMT_B:
        reads = R(rs1) | R(rs2);
        imm = imm_b(w);
        break;
    case RV_FMT_BIMM:
        reads = R(rs1);
        imm = imm_b(w);
        break;
    case RV_FMT_U:
        writes = R(rd);
        imm = imm_u(w);
        break;
    case RV_FMT_J:
        writes = R(rd);
        imm = imm_j(w);
        break;
    case RV_FMT_CSR:
        reads = R(rs1);
        writes = R(rd);
        imm = (int32_t)(w >> 20);
        break;
    case RV_FMT_CSRI:
        writes = R(rd);
        imm = (int32_t)(w >> 20);
        break;
    case RV_FMT_PLOAD_I: /* the base update is an ALU result: no late arrival */
        reads = R(rs1);
        writes = R(rd) | R(rs1);
        imm = imm_i(w);
        break;
    case RV_FMT_PLOAD_R:
        reads = R(rs1) | R(rs2);
        writes = R(rd) | R(rs1);
        break;
    case RV_FMT_LOAD_RR:
        reads = R(rs1) | R(rs2);
        writes = R(rd);
        break;
    case RV_FMT_PSTORE_I:
        reads = R(rs1) | R(rs2);
        writes = R(rs1);
        imm = imm_s(w);
        rd_is_reg = false;
        break;
    case RV_FMT_PSTORE_R:
    case RV_FMT_STORE_RR:
        reads = R(rs1) | R(rs2) | R(rd); /* rd field = rs3 */
        writes = desc->format == RV_FMT_PSTORE_R ? R(rs1) : 0;
        rd_is_reg = false;
        break;
    case RV_FMT_LP_ADDR: /* uimm counts halfwords from this instruction */
        imm = (int32_t)(bits(w, 31, 20) << 1);
        rd_is_reg = false;
        break;
    case RV_FMT_LP_COUNT:
        reads = R(rs1);
        rd_is_reg = false;
        break;
    case RV_FMT_LP_COUNTI:
        imm = (int32_t)bits(w, 31, 20);
        rd_is_reg = false;
        break;
    case RV_FMT_LP_SETUP:
        reads = R(rs1);
        imm = (int32_t)(bits(w, 31, 20) << 1);
        rd_is_reg = false;
        break;
    case RV_FMT_LP_SETUPI: /* count in imm[31:20], end offset in rs1's field */
        imm = (int32_t)bits(w, 31, 20);
        rs2 = rs1;
        rd_is_reg = false;
        break;
    }
#undef R
    reads &= ~1u; /* x0 is no dependency */
    writes &= ~1u;
    bool is_load = desc->format == RV_FMT_LOAD || desc->format == RV_FMT_LR ||
                   desc->format == RV_FMT_PLOAD_I || desc->format == RV_FMT_PLOAD_R ||
                   desc->format == RV_FMT_LOAD_RR;
    if (is_load) {
        out->flags |= RV_F_LOAD;
        loaded = rd ? 1u << rd : 0;
    }
    out->op = (uint16_t)desc->op;
    if (!rd_is_reg)
        out->rd = (uint8_t)rd; /* L or rs3: read, never written */
    else
        out->rd = (uint8_t)(rd != 0 && (writes >> rd & 1) ? rd : RV_REG_SINK);
    out->rs1 = (uint8_t)rs1; /* for CSRI: the 5-bit immediate */
    out->rs2 = (uint8_t)rs2;
    out->imm = imm;
    out->cost = (uint8_t)base_cost(desc->op, w);
    out->hazard_read = reads;
    if (desc->op == RV_OP_JALR)
        out->hazard_read |= (uint64_t)reads << 32;
    out->hazard_write = (uint64_t)writes << 32 | loaded;
}

/* ---- disassembly --------------------------------------------------------- */

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *rv_reg_name(unsigned r) { return reg_names[r & 31]; }

const char *rv_csr_name(unsigned csr)
{
    switch (csr) {
    case 0x300: return "mstatus";
    case 0x301: return "misa";
    case 0x304: return "mie";
    case 0x305: return "mtvec";
    case 0x340: return "mscratch";
    case 0x341: return "mepc";
    case 0x342: return "mcause";
    case 0x343: return "mtval";
    case 0x344: return "mip";
    case 0xB00: return "mcycle";
    case 0xB02: return "minstret";
    case 0xB80: return "mcycleh";
    case 0xB82: return "minstreth";
    case 0xC00: return "cycle";
    case 0xC02: return "instret";
    case 0xC80: return "cycleh";
    case 0xC82: return "instreth";
    case 0xF11: return "mvendorid";
    case 0xF12: return "marchid";
    case 0xF13: return "mimpid";
    case 0xF14: return "mhartid";
    case 0x800: return "lpstart0";
    case 0x801: return "lpend0";
    case 0x802: return "lpcount0";
    case 0x804: return "lpstart1";
    case 0x805: return "lpend1";
    case 0x806: return "lpcount1";
    default: return NULL;
    }
}

static void fence_set(unsigned v, char *s)
{
    int n = 0;
    if (v & 8) s[n++] = 'i';
    if (v & 4) s[n++] = 'o';
    if (v & 2) s[n++] = 'r';
    if (v & 1) s[n++] = 'w';
    s[n] = 0;
}

int rv_disasm(const struct rv_insn *d, uint32_t pc, char *buf, size_t size)
{
    const struct rv_insn_desc *desc = rv_insn_desc_of((enum rv_op)d->op);
    if (!desc)
        return snprintf(buf, size, "illegal");
    const char *n = desc->name;
    const char *rd = reg_names[d->rd & 31]; /* RV_REG_SINK prints as zero */
    const char *rs1 = reg_names[d->rs1], *rs2 = reg_names[d->rs2];
    char csrbuf[8];
    const char *csr = rv_csr_name((unsigned)d->imm & 0xfff);
    if (!csr) {
        snprintf(csrbuf, sizeof csrbuf, "0x%03x", (unsigned)d->imm & 0xfff);
        csr = csrbuf;
    }
    switch (desc->format) {
    case RV_FMT_NONE:
        return snprintf(buf, size, "%s", n);
    case RV_FMT_R:
        return snprintf(buf, size, "%s %s,%s,%s", n, rd, rs1, rs2);
    case RV_FMT_I:
        return snprintf(buf, size, "%s %s,%s,%d", n, rd, rs1, d->imm);
    case RV_FMT_SHIFT:
        return snprintf(buf, size, "%s %s,%s,%d", n, rd, rs1, d->imm);
    case RV_FMT_LOAD:
    case RV_FMT_JALR:
        return snprintf(buf, size, "%s %s,%d(%s)", n, rd, d->imm, rs1);
    case RV_FMT_S:
        return snprintf(buf, size, "%s %s,%d(%s)", n, rs2, d->imm, rs1);
    case RV_FMT_B:
        return snprintf(buf, size, "%s %s,%s,0x%x", n, rs1, rs2, pc + (uint32_t)d->imm);
    case RV_FMT_U:
        return snprintf(buf, size, "%s %s,0x%x", n, rd, (uint32_t)d->imm >> 12);
    case RV_FMT_J:
        return snprintf(buf, size, "%s %s,0x%x", n, rd, pc + (uint32_t)d->imm);
    case RV_FMT_CSR:
        return snprintf(buf, size, "%s %s,%s,%s", n, rd, csr, rs1);
    case RV_FMT_CSRI:
        return snprintf(buf, size, "%s %s,%s,%u", n, rd, csr, d->rs1);
    case RV_FMT_FENCE: {
        char p[5], s[5];
        fence_set(((unsigned)d->imm >> 4) & 15, p);
        fence_set((unsigned)d->imm & 15, s);
        return snprintf(buf, size, "%s %s,%s", n, p, s);
    }
    case RV_FMT_LR:
        return snprintf(buf, size, "%s %s,(%s)", n, rd, rs1);
    case RV_FMT_AMO:
        return snprintf(buf, size, "%s %s,%s,(%s)", n, rd, rs2, rs1);
    case RV_FMT_R1:
        return snprintf(buf, size, "%s %s,%s", n, rd, rs1);
    case RV_FMT_R_ACC:
        return snprintf(buf, size, "%s %s,%s,%s", n, rd, rs1, rs2);
    case RV_FMT_CLIP:
        return snprintf(buf, size, "%s %s,%s,%d", n, rd, rs1, d->imm);
    case RV_FMT_BITS:
    case RV_FMT_BITS_ACC:
        return snprintf(buf, size, "%s %s,%s,%d,%d", n, rd, rs1, d->imm >> 5, d->imm & 31);
    case RV_FMT_SCI:
    case RV_FMT_SCI_ACC:
        return snprintf(buf, size, "%s %s,%s,%d", n, rd, rs1, d->imm);
    case RV_FMT_PLOAD_I:
        return snprintf(buf, size, "%s %s,%d(%s!)", n, rd, d->imm, rs1);
    case RV_FMT_PLOAD_R:
        return snprintf(buf, size, "%s %s,%s(%s!)", n, rd, rs2, rs1);
    case RV_FMT_LOAD_RR:
        return snprintf(buf, size, "%s %s,%s(%s)", n, rd, rs2, rs1);
    case RV_FMT_PSTORE_I:
        return snprintf(buf, size, "%s %s,%d(%s!)", n, rs2, d->imm, rs1);
    case RV_FMT_PSTORE_R:
        return snprintf(buf, size, "%s %s,%s(%s!)", n, rs2, rd, rs1);
    case RV_FMT_STORE_RR:
        return snprintf(buf, size, "%s %s,%s(%s)", n, rs2, rd, rs1);
    case RV_FMT_LP_ADDR:
        return snprintf(buf, size, "%s %u,0x%x", n, d->rd & 1, pc + (uint32_t)d->imm);
    case RV_FMT_LP_COUNT:
        return snprintf(buf, size, "%s %u,%s", n, d->rd & 1, rs1);
    case RV_FMT_LP_COUNTI:
        return snprintf(buf, size, "%s %u,%d", n, d->rd & 1, d->imm);
    case RV_FMT_LP_SETUP:
        return snprintf(buf, size, "%s %u,%s,0x%x", n, d->rd & 1, rs1, pc + (uint32_t)d->imm);
    case RV_FMT_LP_SETUPI:
        return snprintf(buf, size, "%s %u,%d,0x%x", n, d->rd & 1, d->imm,
                        pc + ((uint32_t)d->rs2 << 1));
    case RV_FMT_BIMM:
        return snprintf(buf, size, "%s %s,%d,0x%x", n, rs1, sext(d->rs2, 5),
                        pc + (uint32_t)d->imm);
    }
    return snprintf(buf, size, "%s", n);
}
