/*
 * RV32IMAC + Xpulpv2 instruction set: decode (32-bit and compressed), the
 * decoded instruction record the core executes, and disassembly.
 * Pure functions of the instruction word: no core state here.
 */
#ifndef ORTIGIA_ISA_H
#define ORTIGIA_ISA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operand formats: how fields are extracted and printed. */
enum rv_format {
    RV_FMT_NONE,
    RV_FMT_R,     /* rd, rs1, rs2 */
    RV_FMT_I,     /* rd, rs1, imm */
    RV_FMT_SHIFT, /* rd, rs1, shamt */
    RV_FMT_LOAD,  /* rd, imm(rs1) */
    RV_FMT_S,     /* rs2, imm(rs1) */
    RV_FMT_B,     /* rs1, rs2, pc-relative target */
    RV_FMT_U,     /* rd, imm[31:12] */
    RV_FMT_J,     /* rd, pc-relative target */
    RV_FMT_JALR,  /* rd, imm(rs1) */
    RV_FMT_CSR,   /* rd, csr, rs1 */
    RV_FMT_CSRI,  /* rd, csr, uimm5 */
    RV_FMT_FENCE, /* pred, succ */
    RV_FMT_LR,    /* rd, (rs1) */
    RV_FMT_AMO,   /* rd, rs2, (rs1) */
    /* Xpulpv2 (see xpulp_table.h) */
    RV_FMT_R1,        /* rd, rs1 */
    RV_FMT_R_ACC,     /* rd, rs1, rs2; rd is also read (p.mac, sdot, shuffle2) */
    RV_FMT_CLIP,      /* rd, rs1, imm5 */
    RV_FMT_BITS,      /* rd, rs1, Is3, Is2: imm = Is3 << 5 | Is2 */
    RV_FMT_BITS_ACC,  /* as RV_FMT_BITS, rd also read (p.insert) */
    RV_FMT_SCI,       /* rd, rs1, imm6 (packed SIMD .sci; imm zero-extended) */
    RV_FMT_SCI_ACC,   /* as RV_FMT_SCI, rd also read */
    RV_FMT_PLOAD_I,   /* rd, imm(rs1!): load from rs1, then rs1 += imm */
    RV_FMT_PLOAD_R,   /* rd, rs2(rs1!): load from rs1, then rs1 += rs2 */
    RV_FMT_LOAD_RR,   /* rd, rs2(rs1): load from rs1 + rs2 */
    RV_FMT_PSTORE_I,  /* rs2, imm(rs1!) */
    RV_FMT_PSTORE_R,  /* rs2, rs3(rs1!): rs3 (bits 11:7) kept in rd */
    RV_FMT_STORE_RR,  /* rs2, rs3(rs1) */
    RV_FMT_LP_ADDR,   /* L, target: lp.starti / lp.endi (rd = L, imm = offset) */
    RV_FMT_LP_COUNT,  /* L, rs1 */
    RV_FMT_LP_COUNTI, /* L, imm (count) */
    RV_FMT_LP_SETUP,  /* L, rs1, target (imm = offset to the end) */
    RV_FMT_LP_SETUPI, /* L, count, target (imm = count, rs2 = offset / 2) */
    RV_FMT_BIMM,      /* rs1, simm5, target: p.beqimm (rs2 = the raw simm5) */
};

/* Operation ids; 0 means "not decoded yet" in the decode cache. */
enum rv_op {
    RV_OP_UNDECODED = 0,
    RV_OP_ILLEGAL,
#define RV_INSN(id, name, match, mask, fmt) RV_OP_##id,
#include "isa_table.h"
#include "xpulp_table.h"
#undef RV_INSN
    RV_OP_COUNT
};

/* One line of the instruction table. */
struct rv_insn_desc {
    const char *name;
    uint32_t match, mask;
    enum rv_format format;
    enum rv_op op;
};

/* The whole table (RV_OP_COUNT - 2 entries: isa_table.h, then xpulp_table.h). */
extern const struct rv_insn_desc rv_insn_table[];
extern const size_t rv_insn_table_len;

/* Table line of an op (NULL for RV_OP_UNDECODED / RV_OP_ILLEGAL). */
const struct rv_insn_desc *rv_insn_desc_of(enum rv_op op);

/*
 * A decoded instruction, as kept in the decode cache (32 bytes).
 * Register fields are 0..31; a write to x0 is redirected by the decoder to
 * RV_REG_SINK so the executor never has to test rd == 0.
 */
#define RV_REG_SINK 32

enum rv_insn_flags {
    RV_F_LOAD = 1u << 0, /* result arrives late: load-use hazard */
};

/*
 * Hazard masks: an instruction stalls one cycle when
 * (hazard_read & previous instruction's hazard_write) != 0.
 * Bits 0..31 are registers produced by a load (load-use hazard, read by
 * everything); bits 32..63 are registers produced by any instruction, read
 * only by jalr (which reads rs1 in the decode stage).
 */
struct rv_insn {
    uint16_t op;       /* enum rv_op */
    uint8_t len;       /* 2 or 4 bytes */
    uint8_t rd;        /* 0..31, or RV_REG_SINK when rd == 0 */
    uint8_t rs1, rs2;
    uint8_t cost;      /* base cycles on CV32E40P, without stalls */
    uint8_t flags;     /* enum rv_insn_flags */
    int32_t imm;       /* sign-extended immediate, shamt, or csr number */
    uint32_t raw;      /* instruction word as fetched (16 or 32 bits) */
    uint64_t hazard_read;
    uint64_t hazard_write;
};

/* Registers (bit r for x[r], r != 0) an instruction reads / writes. */
static inline uint32_t rv_insn_reads(const struct rv_insn *d) { return (uint32_t)d->hazard_read | (uint32_t)(d->hazard_read >> 32); }
static inline uint32_t rv_insn_writes(const struct rv_insn *d) { return (uint32_t)(d->hazard_write >> 32); }

/* Instruction classes, for energy accounting (power/). */
enum rv_insn_class {
    RV_CLASS_ALU,      /* integer, bit manipulation, compare, lui/auipc */
    RV_CLASS_MUL,      /* mul*, p.mac, p.msu */
    RV_CLASS_DIV,      /* div*, rem* */
    RV_CLASS_LOAD,     /* every load, lr.w */
    RV_CLASS_STORE,    /* every store, sc.w */
    RV_CLASS_AMO,      /* atomic read-modify-write */
    RV_CLASS_BRANCH,   /* conditional branches */
    RV_CLASS_JUMP,     /* jal, jalr, mret */
    RV_CLASS_SIMD_DOT, /* packed-SIMD dot products */
    RV_CLASS_SIMD,     /* other packed-SIMD operations */
    RV_CLASS_HWLOOP,   /* hardware-loop setup */
    RV_CLASS_SYSTEM,   /* csr*, fence, ecall, ebreak, wfi, illegal */
    RV_CLASS_COUNT
};

/* Class of an operation, and the class's name ("alu", "simd_dot", ...). */
enum rv_insn_class rv_op_class(enum rv_op op);
const char *rv_insn_class_name(enum rv_insn_class c);

/*
 * Decode the instruction whose low 16 bits (and, for a 32-bit instruction,
 * high 16 bits) are in `raw`. Fills `out`; out->op is RV_OP_ILLEGAL when the
 * word is no RV32IMAC or Xpulpv2 instruction (out->len is still set).
 */
void rv_decode(uint32_t raw, struct rv_insn *out);

/* Length in bytes of the instruction whose first halfword is `lo16`. */
static inline unsigned rv_insn_length(uint32_t lo16) { return (lo16 & 3) == 3 ? 4 : 2; }

/*
 * Expand a 16-bit compressed instruction into its 32-bit equivalent.
 * Returns 0 for a reserved or illegal compressed encoding.
 */
uint32_t rv_expand_compressed(uint16_t c);

/* ABI name of register r ("zero", "ra", "sp", ...). */
const char *rv_reg_name(unsigned r);

/* Name of a CSR number, or NULL when unknown. */
const char *rv_csr_name(unsigned csr);

/*
 * Write "mnemonic operands" of `d` (at address pc) into buf.
 * Returns the number of characters written (as snprintf, truncated to size).
 */
int rv_disasm(const struct rv_insn *d, uint32_t pc, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
