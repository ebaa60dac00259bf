/*
 * RV32IMAC instruction set: decode (32-bit and compressed), the decoded
 * instruction record the core executes, and disassembly.
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
};

/* Operation ids; 0 means "not decoded yet" in the decode cache. */
enum rv_op {
    RV_OP_UNDECODED = 0,
    RV_OP_ILLEGAL,
#define RV_INSN(id, name, match, mask, fmt) RV_OP_##id,
#include "isa_table.h"
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

/* The whole table (RV_OP_COUNT - 2 entries, in isa_table.h order). */
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

/*
 * Decode the instruction whose low 16 bits (and, for a 32-bit instruction,
 * high 16 bits) are in `raw`. Fills `out`; out->op is RV_OP_ILLEGAL when the
 * word is no RV32IMAC instruction (out->len is still set).
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
