// Xpulpv2 on the plain-C core engine: decoding against words produced by
// the PULP GNU toolchain, every instruction against hand-computed results
// (sign, wrap-around and saturation corners; see the comments), post-
// increment and register-offset accesses, hardware loops (nesting, count
// 0 and 1, zero overhead, exact cycles). The encoders below follow the
// bit patterns of GVSoC's pulpv2 ISA table, independently of the
// decoder's own table.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core_harness.h"

namespace {

constexpr uint32_t B = CoreHarness::kBase;
constexpr uint32_t D = B + 0x8000; // data area

namespace xp {
uint32_t op(uint32_t f7, uint32_t f3, uint32_t rd = 3, uint32_t rs1 = 1, uint32_t rs2 = 2)
{ return enc::r(f7, rs2, rs1, f3, rd, 0x33); }
uint32_t r1(uint32_t f7, uint32_t f3) { return enc::r(f7, 0, 1, f3, 3, 0x33); }
// Packed SIMD: funct6, form (0 .h, 1 .b, 4 .sc.h, 5 .sc.b), rd = x3.
uint32_t pv(uint32_t f6, uint32_t f3) { return f6 << 26 | 2u << 20 | 1u << 15 | f3 << 12 | 3u << 7 | 0x57; }
// .sci forms (f3 6 .h, 7 .b): imm6[0] in bit 25, imm6[5:1] in bits 24:20.
uint32_t sci(uint32_t f6, uint32_t f3, uint32_t imm6)
{ return f6 << 26 | (imm6 & 1) << 25 | (imm6 >> 1 & 31) << 20 | 1u << 15 | f3 << 12 | 3u << 7 | 0x57; }
// Bit manipulation with immediates: 11 | Is3 | Is2 | rs1 | f3 | rd | 0110011.
uint32_t bits(uint32_t f3, uint32_t is3, uint32_t is2)
{ return 3u << 30 | is3 << 25 | is2 << 20 | 1u << 15 | f3 << 12 | 3u << 7 | 0x33; }
// Hardware loops: uimm12 | rs1 (or uimmS) | f3 | 0000 L | 1111011.
uint32_t lp(uint32_t f3, uint32_t L, uint32_t rs1, uint32_t uimm12)
{ return uimm12 << 20 | rs1 << 15 | f3 << 12 | L << 7 | 0x7b; }
uint32_t lp_setup(uint32_t L, uint32_t rs1, uint32_t end_offset) { return lp(4, L, rs1, end_offset / 2); }
uint32_t lp_setupi(uint32_t L, uint32_t count, uint32_t end_offset) { return lp(5, L, end_offset / 2, count); }
// Loads: post-increment immediate (opcode 0x0B), post-increment register
// (0x0B, f3 7) and register-register (0x03, f3 7); funct7 picks the size.
uint32_t lpi(uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm) { return enc::i(imm, rs1, f3, rd, 0x0b); }
uint32_t lpr(uint32_t f7, uint32_t rd, uint32_t rs1, uint32_t rs2) { return enc::r(f7, rs2, rs1, 7, rd, 0x0b); }
uint32_t lrr(uint32_t f7, uint32_t rd, uint32_t rs1, uint32_t rs2) { return enc::r(f7, rs2, rs1, 7, rd, 0x03); }
// Stores: post-increment immediate (0x2B, S-type), post-increment register
// and register-register (0x2B / 0x23, f3 4..6, rs3 in bits 11:7).
uint32_t spi(uint32_t f3, uint32_t rs2, uint32_t rs1, int32_t imm) { return enc::s(imm, rs2, rs1, f3, 0x2b); }
uint32_t spr(uint32_t f3, uint32_t rs2, uint32_t rs1, uint32_t rs3) { return enc::r(0, rs2, rs1, f3, rs3, 0x2b); }
uint32_t srr(uint32_t f3, uint32_t rs2, uint32_t rs1, uint32_t rs3) { return enc::r(0, rs2, rs1, f3, rs3, 0x23); }
} // namespace xp

std::string dis(uint32_t raw, uint32_t pc = B)
{
    rv_insn d;
    rv_decode(raw, &d);
    char buf[64];
    rv_disasm(&d, pc, buf, sizeof buf);
    return buf;
}

// Executes `insn` once with x1 = a, x2 = b, x3 = d; returns x3.
uint32_t exec3(uint32_t insn, uint32_t a, uint32_t b, uint32_t d = 0)
{
    CoreHarness h;
    h.program({insn});
    h.x(1) = a;
    h.x(2) = b;
    h.x(3) = d;
    EXPECT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 4);
    EXPECT_EQ(h.core.cycle, 1u) << "every Xpulpv2 ALU instruction is single cycle";
    return h.x(3);
}

struct Case {
    const char *name;
    uint32_t insn, a, b, d, want;
};

} // namespace

TEST(XpulpDecode, WordsFromThePulpToolchain)
{
    // objdump of PULP-SDK binaries (pulp-riscv-gnu-toolchain).
    EXPECT_EQ(dis(0x00c340fb, 0x1c00865c), "lp.setup 1,t1,0x1c008674");
    EXPECT_EQ(dis(0x01ea40fb, 0x1c00145e), "lp.setup 1,s4,0x1c00149a");
    EXPECT_EQ(dis(0x008fa88b), "p.lw a7,8(t6!)");
    EXPECT_EQ(dis(0x0083a70b), "p.lw a4,8(t2!)");
    EXPECT_EQ(dis(0xb9089ed7), "pv.sdotsp.b t4,a7,a6");
    EXPECT_EQ(dis(0x987797d7), "pv.dotsp.b a5,a5,t2");
    EXPECT_EQ(dis(0xc9681657), "pv.shuffle2.b a2,a6,s6");
    // Our own encodings, one per operand format.
    EXPECT_EQ(dis(xp::lpr(0x10, 10, 11, 12)), "p.lw a0,a2(a1!)");
    EXPECT_EQ(dis(xp::lrr(0x28, 10, 11, 12)), "p.lhu a0,a2(a1)");
    EXPECT_EQ(dis(xp::spi(2, 10, 11, -4)), "p.sw a0,-4(a1!)");
    EXPECT_EQ(dis(xp::spr(4, 10, 11, 12)), "p.sb a0,a2(a1!)");
    EXPECT_EQ(dis(xp::srr(5, 10, 11, 12)), "p.sh a0,a2(a1)");
    EXPECT_EQ(dis(xp::lp_setupi(0, 100, 8)), "lp.setupi 0,100,0x1c000008");
    EXPECT_EQ(dis(xp::lp(3, 1, 0, 7)), "lp.counti 1,7");
    EXPECT_EQ(dis(xp::lp(2, 0, 10, 0)), "lp.count 0,a0");
    EXPECT_EQ(dis(xp::lp(0, 0, 0, 6)), "lp.starti 0,0x1c00000c");
    EXPECT_EQ(dis(xp::bits(0, 7, 4)), "p.extract gp,ra,7,4");
    EXPECT_EQ(dis(xp::op(0x0a, 1, 3, 1, 8)), "p.clip gp,ra,8");
    EXPECT_EQ(dis(xp::sci(0b000000, 6, 0x3f)), "pv.add.sci.h gp,ra,63");
    EXPECT_EQ(dis(xp::r1(0x08, 2)), "p.clb gp,ra");
}

TEST(XpulpDecode, ReservedFieldsAreIllegal)
{
    rv_insn d;
    rv_decode(xp::op(0x08, 0) /* p.ff1 with rs2 != 0 */, &d);
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
    rv_decode(xp::lp(4, 0, 5, 4) | 1u << 8 /* lp.setup with rd[4:1] != 0 */, &d);
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
    rv_decode(xp::op(0x03, 0), &d); // funct7 0x03 of OP: no instruction
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
}

TEST(XpulpDecode, HazardsSeeEveryRegisterReadAndWritten)
{
    rv_insn d;
    rv_decode(xp::lpi(2, 5, 6, 4), &d); // p.lw t0, 4(t1!)
    EXPECT_EQ(rv_insn_reads(&d), 1u << 6);
    EXPECT_EQ(rv_insn_writes(&d), 1u << 5 | 1u << 6);
    EXPECT_EQ(d.hazard_write & 0xffffffffu, 1u << 5) << "only the loaded value arrives late";
    rv_decode(xp::pv(0b101110, 1), &d); // pv.sdotsp.b x3, x1, x2 reads x3
    EXPECT_EQ(rv_insn_reads(&d), 1u << 1 | 1u << 2 | 1u << 3);
    rv_decode(xp::srr(6, 2, 1, 4), &d); // p.sw x2, x4(x1): three reads, no write
    EXPECT_EQ(rv_insn_reads(&d), 1u << 1 | 1u << 2 | 1u << 4);
    EXPECT_EQ(rv_insn_writes(&d), 0u);
}

// clang-format off
const Case kScalar[] = {
    {"p.mac",  xp::op(0x21, 0), 3, 0xfffffffcu, 10, 0xfffffffeu},     // 10 + 3*-4 = -2
    {"p.mac wraps", xp::op(0x21, 0), 0x10000, 0x10000, 5, 5},         // 2^32 lost
    {"p.msu",  xp::op(0x21, 1), 3, 4, 10, 0xfffffffeu},               // 10 - 12
    {"p.abs",  xp::r1(0x02, 0), 0xfffffffbu, 0, 0, 5},
    {"p.abs min", xp::r1(0x02, 0), 0x80000000u, 0, 0, 0x80000000u},  // wraps
    {"p.avgu", xp::op(0x02, 1), 7, 10, 0, 8},                          // 17 >> 1
    {"p.slet", xp::op(0x02, 2), 0xffffffffu, 1, 0, 1},                 // -1 <= 1
    {"p.slet equal", xp::op(0x02, 2), 5, 5, 0, 1},
    {"p.sletu", xp::op(0x02, 3), 0xffffffffu, 1, 0, 0},
    {"p.min",  xp::op(0x02, 4), 0xffffffffu, 1, 0, 0xffffffffu},
    {"p.minu", xp::op(0x02, 5), 0xffffffffu, 1, 0, 1},
    {"p.max",  xp::op(0x02, 6), 0xffffffffu, 1, 0, 1},
    {"p.maxu", xp::op(0x02, 7), 0xffffffffu, 1, 0, 0xffffffffu},
    {"p.ror",  xp::op(0x04, 5), 0x00000003u, 1, 0, 0x80000001u},
    {"p.ror 33", xp::op(0x04, 5), 0x00000003u, 33, 0, 0x80000001u}, // rs2[4:0]
    {"p.ff1",  xp::r1(0x08, 0), 0x00000008u, 0, 0, 3},
    {"p.ff1 of 0", xp::r1(0x08, 0), 0, 0, 0, 32},
    {"p.fl1",  xp::r1(0x08, 1), 0x00010001u, 0, 0, 16},
    {"p.fl1 of 0", xp::r1(0x08, 1), 0, 0, 0, 32},
    {"p.clb of 0", xp::r1(0x08, 2), 0, 0, 0, 0},
    {"p.clb",  xp::r1(0x08, 2), 0x0000ffffu, 0, 0, 15},  // 16 leading 0s, minus the sign
    {"p.clb neg", xp::r1(0x08, 2), 0xffff0000u, 0, 0, 15},
    {"p.clb -1", xp::r1(0x08, 2), 0xffffffffu, 0, 0, 31},
    {"p.clb 1", xp::r1(0x08, 2), 1, 0, 0, 30},
    {"p.cnt",  xp::r1(0x08, 3), 0xf000f0f1u, 0, 0, 13},
    {"p.exths", xp::r1(0x08, 4), 0x00018000u, 0, 0, 0xffff8000u},
    {"p.exthz", xp::r1(0x08, 5), 0xffff8000u, 0, 0, 0x00008000u},
    {"p.extbs", xp::r1(0x08, 6), 0x00000180u, 0, 0, 0xffffff80u},
    {"p.extbz", xp::r1(0x08, 7), 0xffffff80u, 0, 0, 0x00000080u},
    // p.clip rd, rs1, n: [-2^(n-1), 2^(n-1)-1]; p.clipu: [0, 2^(n-1)-1].
    {"p.clip 8 high", xp::op(0x0a, 1, 3, 1, 8), 200, 0, 0, 127},
    {"p.clip 8 low",  xp::op(0x0a, 1, 3, 1, 8), 0xffffff38u, 0, 0, 0xffffff80u}, // -200 -> -128
    {"p.clip 8 inside", xp::op(0x0a, 1, 3, 1, 8), 0xfffffff6u, 0, 0, 0xfffffff6u},
    {"p.clip 0",  xp::op(0x0a, 1, 3, 1, 0), 5, 0, 0, 0},        // [-1, 0]
    {"p.clip 0 neg", xp::op(0x0a, 1, 3, 1, 0), 0xfffffffbu, 0, 0, 0xffffffffu},
    {"p.clipu 9", xp::op(0x0a, 2, 3, 1, 9), 300, 0, 0, 255},
    {"p.clipu 9 neg", xp::op(0x0a, 2, 3, 1, 9), 0xfffffffbu, 0, 0, 0},
    {"p.clipr",  xp::op(0x0a, 5), 200, 100, 0, 100},
    {"p.clipr low", xp::op(0x0a, 5), 0xffffff38u, 100, 0, 0xffffff9bu},          // -101
    {"p.clipur", xp::op(0x0a, 6), 0xfffffffbu, 100, 0, 0},
    {"p.clipur high", xp::op(0x0a, 6), 200, 100, 0, 100},
    // Bit fields: Is3 = size - 1, Is2 = position.
    {"p.extract", xp::bits(0, 7, 4), 0x00000f80u, 0, 0, 0xfffffff8u},   // bits 11:4 = 0xf8
    {"p.extract positive", xp::bits(0, 7, 4), 0x00000780u, 0, 0, 0x78u},
    {"p.extractu", xp::bits(1, 7, 4), 0x00000f80u, 0, 0, 0xf8u},
    {"p.extract top", xp::bits(0, 3, 28), 0x80000000u, 0, 0, 0xfffffff8u},
    {"p.insert", xp::bits(2, 7, 8), 0x000001abu, 0, 0x12345678u, 0x1234ab78u},
    {"p.bclr", xp::bits(3, 3, 4), 0xffffffffu, 0, 0, 0xffffff0fu},
    {"p.bset", xp::bits(4, 3, 28), 0, 0, 0, 0xf0000000u},
    {"p.extractr", xp::op(0x40, 0), 0x00000f80u, 7u << 5 | 4, 0, 0xfffffff8u},
    {"p.extractur", xp::op(0x40, 1), 0x00000f80u, 7u << 5 | 4, 0, 0xf8u},
    {"p.insertr", xp::op(0x40, 2), 0x000001abu, 7u << 5 | 8, 0x12345678u, 0x1234ab78u},
    {"p.bclrr", xp::op(0x40, 3), 0xffffffffu, 3u << 5 | 4, 0, 0xffffff0fu},
    {"p.bsetr", xp::op(0x40, 4), 0, 3u << 5 | 28, 0, 0xf0000000u},
};

// Packed SIMD: lanes are written high to low in the comments.
const Case kSimd[] = {
    {"pv.add.h wraps", xp::pv(0b000000, 0), 0x7fff0001u, 0x0001ffffu, 0, 0x80000000u},
    {"pv.add.b wraps", xp::pv(0b000000, 1), 0x7fff8001u, 0x010180ffu, 0, 0x80000000u},
    {"pv.add.sc.h", xp::pv(0b000000, 4), 0x00010002u, 0xdead0003u, 0, 0x00040005u},
    {"pv.add.sc.b", xp::pv(0b000000, 5), 0x01020304u, 0xdeadbe10u, 0, 0x11121314u},
    {"pv.add.sci.h -1", xp::sci(0b000000, 6, 0x3f), 0x00010002u, 0, 0, 0x00000001u},
    {"pv.add.sci.b 31", xp::sci(0b000000, 7, 31), 0x01020304u, 0, 0, 0x20212223u},
    {"pv.sub.h", xp::pv(0b000010, 0), 0x00008000u, 0x00010001u, 0, 0xffff7fffu},
    {"pv.sub.b", xp::pv(0b000010, 1), 0x00801005u, 0x01012005u, 0, 0xff7ff000u},
    {"pv.sub.sci.b 1", xp::sci(0b000010, 7, 1), 0x00018002u, 0, 0, 0xff007f01u},
    {"pv.avg.h", xp::pv(0b000100, 0), 0xfffe0004u, 0x00010007u, 0, 0xffff0005u},   // (-2+1)>>1, (4+7)>>1
    {"pv.avg.b", xp::pv(0b000100, 1), 0x80807f03u, 0x807f7f04u, 0, 0x80ff7f03u},
    {"pv.avgu.h", xp::pv(0b000110, 0), 0xfffe0004u, 0x00020007u, 0, 0x80000005u},
    {"pv.min.h", xp::pv(0b001000, 0), 0x80007fffu, 0x7fff8000u, 0, 0x80008000u},
    {"pv.minu.h", xp::pv(0b001010, 0), 0x80007fffu, 0x7fff8000u, 0, 0x7fff7fffu},
    {"pv.max.b", xp::pv(0b001100, 1), 0x807f00ffu, 0x7f80ff00u, 0, 0x7f7f0000u},
    {"pv.maxu.b", xp::pv(0b001110, 1), 0x807f00ffu, 0x7f80ff00u, 0, 0x8080ffffu},
    {"pv.min.sci.b -2", xp::sci(0b001000, 7, 0x3e), 0x05fefd80u, 0, 0, 0xfefefd80u},
    {"pv.minu.sci.b 62", xp::sci(0b001010, 7, 0x3e), 0x05fe3f80u, 0, 0, 0x053e3e3eu},
    {"pv.max.sc.h", xp::pv(0b001100, 4), 0xfff00020u, 0x12340000u, 0, 0x00000020u},
    {"pv.srl.h", xp::pv(0b010000, 0), 0x80008000u, 0x0011000fu, 0, 0x40000001u},  // shift 17&15=1, 15
    {"pv.sra.h", xp::pv(0b010010, 0), 0x80008000u, 0x0011000fu, 0, 0xc000ffffu},
    {"pv.sll.b", xp::pv(0b010100, 1), 0x010181ffu, 0x07080103u, 0, 0x800102f8u},  // 8&7 = 0
    {"pv.sra.b", xp::pv(0b010010, 1), 0x80807ff0u, 0x07090302u, 0, 0xffc00ffcu},
    {"pv.srl.sci.h 4", xp::sci(0b010000, 6, 4), 0xf00000ffu, 0, 0, 0x0f00000fu},
    {"pv.sll.sc.h", xp::pv(0b010100, 4), 0x00010003u, 0xffff0004u, 0, 0x00100030u},
    {"pv.or.b", xp::pv(0b010110, 1), 0xf0f00f0fu, 0x3c3c3c3cu, 0, 0xfcfc3f3fu},
    {"pv.xor.h", xp::pv(0b011000, 0), 0xf0f00f0fu, 0x3c3c3c3cu, 0, 0xcccc3333u},
    {"pv.and.sci.h -16", xp::sci(0b011010, 6, 0x30), 0x12345678u, 0, 0, 0x12305670u},
    {"pv.abs.h", xp::pv(0b011100, 0) & ~(31u << 20), 0x8000fffeu, 0, 0, 0x80000002u},
    {"pv.abs.b", xp::pv(0b011100, 1) & ~(31u << 20), 0x80ff0100u, 0, 0, 0x80010100u},
    {"pv.extract.h 1", xp::sci(0b011110, 6, 1), 0x80011234u, 0, 0, 0xffff8001u},
    {"pv.extract.b 2", xp::sci(0b011110, 7, 2), 0x12f03456u, 0, 0, 0xfffffff0u},
    {"pv.extractu.h 1", xp::sci(0b100100, 6, 1), 0x80011234u, 0, 0, 0x00008001u},
    {"pv.extractu.b 3", xp::sci(0b100100, 7, 3), 0x92f03456u, 0, 0, 0x00000092u},
    {"pv.insert.h 1", xp::sci(0b101100, 6, 1), 0xaaaabbbbu, 0, 0x11112222u, 0xbbbb2222u},
    {"pv.insert.b 2", xp::sci(0b101100, 7, 2), 0x000000eeu, 0, 0x11223344u, 0x11ee3344u},
    // Dot products: 65535*65535 + 2*3 = 0xfffe0001 + 6.
    {"pv.dotup.h", xp::pv(0b100000, 0), 0xffff0002u, 0xffff0003u, 99, 0xfffe0007u},
    {"pv.dotusp.h", xp::pv(0b100010, 0), 0xffff0002u, 0xffff0003u, 99, 0xffff0007u}, // -65535 + 6
    {"pv.dotsp.h", xp::pv(0b100110, 0), 0xffff0002u, 0xffff0003u, 99, 7},              // 1 + 6
    {"pv.dotsp.b", xp::pv(0b100110, 1), 0x80807f01u, 0x807f7fffu, 0, 0x3f80u},         // 16384-16256+16129-1
    {"pv.dotup.b", xp::pv(0b100000, 1), 0xffffffffu, 0xffffffffu, 0, 4 * 65025u},
    {"pv.dotusp.b", xp::pv(0b100010, 1), 0xffff0002u, 0xff017f80u, 0, 0xffffff00u},   // -255+255+0-256
    {"pv.dotup.sci.b 63", xp::sci(0b100000, 7, 63), 0x01010101u, 0, 0, 252},
    {"pv.dotsp.sci.h -32", xp::sci(0b100110, 6, 0x20), 0x00010002u, 0, 0, 0xffffffa0u},
    {"pv.dotusp.sc.b", xp::pv(0b100010, 5), 0xff000001u, 0x000000feu, 0, 0xfffffe00u}, // 255*-2 + 1*-2
    {"pv.dotsp.sci.b -3", xp::sci(0b100110, 7, 0x3d), 0x0102ff04u, 0, 0, 0xffffffeeu},  // 6 * -3
    {"pv.sdotup.sc.h", xp::pv(0b101000, 4), 0xffff0002u, 0x12340003u, 5, 0x30008u},     // 65535*3 + 6 + 5
    {"pv.sdotup.sci.h 63", xp::sci(0b101000, 6, 63), 0x00010002u, 0, 1, 190},
    {"pv.sdotup.sc.b", xp::pv(0b101000, 5), 0xffffffffu, 0x000000ffu, 0, 260100},
    {"pv.sdotup.sci.b 2", xp::sci(0b101000, 7, 2), 0x01010101u, 0, 10, 18},
    {"pv.sdotusp.sc.h", xp::pv(0b101010, 4), 0xffff0001u, 0x0000ffffu, 0, 0xffff0000u},  // -65535 - 1
    {"pv.sdotusp.sc.b", xp::pv(0b101010, 5), 0x80000001u, 0x0000007fu, 1, 16384},       // 129*127 + 1
    {"pv.sdotusp.sci.b -1", xp::sci(0b101010, 7, 0x3f), 0xffffffffu, 0, 0, 0xfffffc04u}, // -1020
    {"pv.sdotsp.sc.h wraps", xp::pv(0b101110, 4), 0x80008000u, 0x00008000u, 2, 0x80000002u},
    {"pv.sdotsp.sci.h 31", xp::sci(0b101110, 6, 31), 0x00020001u, 0, 0, 93},
    {"pv.sdotsp.b", xp::pv(0b101110, 1), 0x01020304u, 0xffffffffu, 100, 90},
    {"pv.sdotsp.sc.b", xp::pv(0b101110, 5), 0x01020304u, 0x12345602u, 0, 20},
    {"pv.sdotsp.sci.b -1", xp::sci(0b101110, 7, 0x3f), 0x01020304u, 0, 1000, 990},
    {"pv.sdotsp.h", xp::pv(0b101110, 0), 0x80008000u, 0x80008000u, 0, 0x80000000u},    // 2 * 2^30
    {"pv.sdotup.h wraps", xp::pv(0b101000, 0), 0x00010001u, 0x00010001u, 0xffffffffu, 1},
    {"pv.sdotup.b", xp::pv(0b101000, 1), 0xff000000u, 0x02000000u, 1, 511},
    {"pv.sdotusp.h", xp::pv(0b101010, 0), 0x80000001u, 0xffff0005u, 10, 0xffff800fu},   // 10-32768+5
    {"pv.sdotusp.b", xp::pv(0b101010, 1), 0x80000000u, 0xff000000u, 0, 0xffffff80u},    // 128 * -1
    {"pv.sdotusp.sci.h -1", xp::sci(0b101010, 6, 0x3f), 0x00020003u, 0, 0, 0xfffffffbu},
    // Shuffles and packs.
    {"pv.shuffle.h", xp::pv(0b110000, 0), 0xaaaabbbbu, 0x00000001u, 0, 0xbbbbaaaau},
    {"pv.shuffle.sci.h", xp::sci(0b110000, 6, 1), 0xaaaabbbbu, 0, 0, 0xbbbbaaaau},
    {"pv.shuffle.b", xp::pv(0b110000, 1), 0x44332211u, 0x00010203u, 0, 0x11223344u},
    {"pv.shufflei0.sci.b", xp::sci(0b110000, 7, 0x1b), 0x44332211u, 0, 0, 0x11223344u}, // 0|01|10|11
    {"pv.shufflei1.sci.b", xp::sci(0b111010, 7, 6), 0x44332211u, 0, 0, 0x22112233u},
    {"pv.shufflei2.sci.b", xp::sci(0b111100, 7, 0), 0x44332211u, 0, 0, 0x33111111u},
    {"pv.shufflei3.sci.b", xp::sci(0b111110, 7, 0x3f), 0x44332211u, 0, 0, 0x44444444u},
    {"pv.shuffle2.h", xp::pv(0b110010, 0), 0xaaaabbbbu, 0x00020003u, 0x11112222u, 0xbbbbaaaau},
    {"pv.shuffle2.h from rd", xp::pv(0b110010, 0), 0xaaaabbbbu, 0x00010000u, 0x11112222u, 0x11112222u},
    {"pv.shuffle2.b", xp::pv(0b110010, 1), 0xddccbbaau, 0x04000703u, 0x44332211u, 0xaa11dd44u},
    {"pv.pack.h", xp::pv(0b110100, 0), 0x12345678u, 0x9abcdef0u, 0, 0x5678def0u},
    {"pv.packhi.b", xp::pv(0b110110, 1), 0x000000aau, 0x000000bbu, 0x11223344u, 0xaabb3344u},
    {"pv.packlo.b", xp::pv(0b111000, 1), 0x000000aau, 0x000000bbu, 0x11223344u, 0x1122aabbu},
};
// clang-format on

TEST(XpulpExec, ScalarAluAndBitManipulation)
{
    for (const Case &c : kScalar)
        EXPECT_EQ(exec3(c.insn, c.a, c.b, c.d), c.want) << c.name << ": " << dis(c.insn);
}

TEST(XpulpExec, PackedSimd)
{
    for (const Case &c : kSimd)
        EXPECT_EQ(exec3(c.insn, c.a, c.b, c.d), c.want) << c.name << ": " << dis(c.insn);
}

// Every lane-wise and dot-product family in all six forms against a
// lane-by-lane model written here (independent of xpulp_sem.h): .sc uses lane 0
// of rs2, .sci the 6-bit immediate, sign-extended for the signed operations
// and zero-extended for avgu, minu, maxu, srl, sll, dotup and sdotup (GVSoC).
struct Family {
    const char *name;
    uint32_t f6;
    bool a_signed, b_signed, simm;
    int kind; // 0 lane-wise, 1 dot product, 2 dot product added to rd
    int64_t (*lane)(int64_t a, int64_t b, unsigned width);
};

int64_t lane_of(uint32_t v, unsigned i, unsigned width, bool is_signed)
{
    uint32_t u = (v >> (i * width)) & ((1u << width) - 1);
    return is_signed && (u >> (width - 1)) ? (int64_t)u - (1ll << width) : (int64_t)u;
}

// clang-format off
const Family kFamilies[] = {
    {"add",  0b000000, false, false, true,  0, [](int64_t a, int64_t b, unsigned) { return a + b; }},
    {"sub",  0b000010, false, false, true,  0, [](int64_t a, int64_t b, unsigned) { return a - b; }},
    {"avg",  0b000100, true,  true,  true,  0, [](int64_t a, int64_t b, unsigned) { return (a + b) >> 1; }},
    {"avgu", 0b000110, false, false, false, 0, [](int64_t a, int64_t b, unsigned) { return (a + b) >> 1; }},
    {"min",  0b001000, true,  true,  true,  0, [](int64_t a, int64_t b, unsigned) { return a < b ? a : b; }},
    {"minu", 0b001010, false, false, false, 0, [](int64_t a, int64_t b, unsigned) { return a < b ? a : b; }},
    {"max",  0b001100, true,  true,  true,  0, [](int64_t a, int64_t b, unsigned) { return a > b ? a : b; }},
    {"maxu", 0b001110, false, false, false, 0, [](int64_t a, int64_t b, unsigned) { return a > b ? a : b; }},
    {"srl",  0b010000, false, false, false, 0, [](int64_t a, int64_t b, unsigned w) { return a >> (b & (w - 1)); }},
    {"sra",  0b010010, true,  false, true,  0, [](int64_t a, int64_t b, unsigned w) { return a >> (b & (w - 1)); }},
    {"sll",  0b010100, false, false, false, 0, [](int64_t a, int64_t b, unsigned w) { return a << (b & (w - 1)); }},
    {"or",   0b010110, false, false, true,  0, [](int64_t a, int64_t b, unsigned) { return a | b; }},
    {"xor",  0b011000, false, false, true,  0, [](int64_t a, int64_t b, unsigned) { return a ^ b; }},
    {"and",  0b011010, false, false, true,  0, [](int64_t a, int64_t b, unsigned) { return a & b; }},
    {"dotup",   0b100000, false, false, false, 1, nullptr},
    {"dotusp",  0b100010, false, true,  true,  1, nullptr},
    {"dotsp",   0b100110, true,  true,  true,  1, nullptr},
    {"sdotup",  0b101000, false, false, false, 2, nullptr},
    {"sdotusp", 0b101010, false, true,  true,  2, nullptr},
    {"sdotsp",  0b101110, true,  true,  true,  2, nullptr},
};
// clang-format on

uint32_t model(const Family &f, unsigned width, uint32_t a, uint32_t b, uint32_t rd)
{
    unsigned lanes = 32 / width;
    if (f.kind != 0) {
        int64_t sum = f.kind == 2 ? (int64_t)rd : 0;
        for (unsigned i = 0; i < lanes; i++)
            sum += lane_of(a, i, width, f.a_signed) * lane_of(b, i, width, f.b_signed);
        return (uint32_t)sum;
    }
    uint32_t r = 0;
    for (unsigned i = 0; i < lanes; i++) {
        int64_t v = f.lane(lane_of(a, i, width, f.a_signed), lane_of(b, i, width, f.b_signed), width);
        r |= ((uint32_t)v & ((1u << width) - 1)) << (i * width);
    }
    return r;
}

uint32_t replicate(uint32_t v, unsigned width)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 32 / width; i++)
        r |= (v & ((1u << width) - 1)) << (i * width);
    return r;
}

TEST(XpulpExec, EverySimdFamilyInAllSixForms)
{
    uint32_t seed = 12345;
    auto next = [&seed] { seed = seed * 1103515245u + 12345u; return seed ^ (seed >> 16); };
    for (const Family &f : kFamilies) {
        for (unsigned width : {16u, 8u}) {
            uint32_t vv = width == 16 ? 0 : 1, sc = vv + 4, si = vv + 6;
            for (int k = 0; k < 24; k++) {
                uint32_t a = next(), b = next(), rd = next();
                if (k < 4) { // the corners: extreme lanes
                    static const uint32_t ca[4] = {0x80008000u, 0x7fff7fffu, 0xffffffffu, 0x80807f7fu};
                    static const uint32_t cb[4] = {0x80008000u, 0xffffffffu, 0x80018001u, 0x7f80ff01u};
                    a = ca[k];
                    b = cb[k];
                }
                uint32_t imm6 = b & 63;
                uint32_t imm = f.simm ? (uint32_t)((int32_t)(imm6 << 26) >> 26) : imm6;
                std::string what = std::string(f.name) + (width == 16 ? ".h" : ".b");
                EXPECT_EQ(exec3(xp::pv(f.f6, vv), a, b, rd), model(f, width, a, b, rd))
                    << "pv." << what << " a=" << std::hex << a << " b=" << b << " rd=" << rd;
                EXPECT_EQ(exec3(xp::pv(f.f6, sc), a, b, rd), model(f, width, a, replicate(b, width), rd))
                    << "pv." << f.name << ".sc" << (width == 16 ? ".h" : ".b") << std::hex << " a=" << a << " b=" << b;
                EXPECT_EQ(exec3(xp::sci(f.f6, si, imm6), a, 0, rd), model(f, width, a, replicate(imm, width), rd))
                    << "pv." << f.name << ".sci" << (width == 16 ? ".h" : ".b") << std::hex << " a=" << a << " imm6=" << imm6;
            }
        }
    }
}

TEST(XpulpExec, EveryTableLineIsCovered)
{
    // Every Xpulpv2 line of the table is executed by a case above or by the
    // memory, branch and loop tests below (by mnemonic).
    std::string covered;
    for (const Case &c : kScalar)
        covered += " " + dis(c.insn).substr(0, dis(c.insn).find(' ')) + " ";
    for (const Case &c : kSimd)
        covered += " " + dis(c.insn).substr(0, dis(c.insn).find(' ')) + " ";
    for (const Family &f : kFamilies)
        for (const char *form : {".h", ".b", ".sc.h", ".sc.b", ".sci.h", ".sci.b"})
            covered += std::string(" pv.") + f.name + form + " ";
    covered += " p.lb p.lh p.lw p.lbu p.lhu p.sb p.sh p.sw p.elw p.beqimm p.bneimm lp.starti lp.endi"
               " lp.count lp.counti lp.setup lp.setupi ";
    for (size_t i = 0; i < rv_insn_table_len; i++) {
        const rv_insn_desc &e = rv_insn_table[i];
        if (e.op < RV_OP_P_LB_PI)
            continue; // the RV32IMAC lines come first
        std::string n = e.name;
        EXPECT_NE(covered.find(" " + n + " "), std::string::npos) << n << " has no test";
    }
}

TEST(XpulpExec, PostIncrementAndRegisterOffsetLoads)
{
    CoreHarness h;
    h.w32(D, 0x8081f2f3u);     // bytes f3 f2 81 80
    h.w32(D + 4, 0x11223344u); // bytes 44 33 22 11
    h.program({
        xp::lpi(0, 5, 1, 1),      // p.lb  t0, 1(x1!)
        xp::lpi(4, 6, 1, 1),      // p.lbu t1, 1(x1!)
        xp::lpi(1, 7, 1, 2),      // p.lh  t2, 2(x1!)
        xp::lpi(5, 8, 1, -2),     // p.lhu s0, -2(x1!)
        xp::lpr(0x10, 9, 2, 3),   // p.lw  s1, x3(x2!)
        xp::lrr(0x20, 10, 2, 4),  // p.lbu a0, x4(x2)
        xp::lrr(0x08, 11, 2, 12), // p.lh  a1, a2(x2)
        xp::lrr(0x00, 14, 2, 4),  // p.lb  a4, x4(x2)
        xp::lpr(0x28, 15, 2, 12), // p.lhu a5, a2(x2!)
        xp::lpr(0x08, 16, 2, 12), // p.lh  a6, a2(x2!)
        xp::lpr(0x00, 17, 2, 12), // p.lb  a7, a2(x2!)
        xp::lpr(0x20, 18, 2, 4),  // p.lbu s2, x4(x2!)
        xp::lpi(2, 13, 13, 4),    // p.lw  a3, 4(a3!): rd == base, the loaded value wins
    });
    h.x(1) = D;
    h.x(2) = D + 4;
    h.x(3) = (uint32_t)-4;
    h.x(4) = 7;
    h.x(12) = 2;
    h.x(13) = D;
    ASSERT_EQ(h.run(13), RV_RUNNING);
    EXPECT_EQ(h.core.instret, 13u);
    EXPECT_EQ(h.x(5), 0xfffffff3u);  // sign-extended byte at D
    EXPECT_EQ(h.x(6), 0xf2u);        // D + 1
    EXPECT_EQ(h.x(7), 0xffff8081u);  // halfword at D + 2
    EXPECT_EQ(h.x(8), 0x3344u);      // D + 4, then x1 = D + 2
    EXPECT_EQ(h.x(1), D + 2);
    EXPECT_EQ(h.x(9), 0x11223344u);  // D + 4, then x2 = D + 4 - 4
    EXPECT_EQ(h.x(10), 0x11u);       // D + 7, x2 unchanged
    EXPECT_EQ(h.x(11), 0xffff8081u); // D + 2
    EXPECT_EQ(h.x(14), 0x11u);       // D + 7 signed: positive
    EXPECT_EQ(h.x(15), 0xf2f3u);     // D, then x2 = D + 2
    EXPECT_EQ(h.x(16), 0xffff8081u); // D + 2, then D + 4
    EXPECT_EQ(h.x(17), 0x44u);       // D + 4, then D + 6
    EXPECT_EQ(h.x(18), 0x22u);       // D + 6, then D + 13
    EXPECT_EQ(h.x(2), D + 13);
    EXPECT_EQ(h.x(13), 0x8081f2f3u); // loaded from the base, not base + 4
    EXPECT_EQ(h.core.cycle, 13u) << "post-increment loads cost what a load costs";
}

TEST(XpulpExec, PostIncrementAndRegisterOffsetStores)
{
    CoreHarness h;
    h.program({
        xp::spi(0, 5, 1, 1),  // p.sb t0, 1(x1!)   D+0x20, x1 = D+0x21
        xp::spi(0, 5, 1, 3),  // p.sb t0, 3(x1!)   D+0x21, x1 = D+0x24
        xp::spi(1, 5, 1, 2),  // p.sh t0, 2(x1!)   D+0x24, x1 = D+0x26
        xp::spi(1, 5, 1, 2),  // p.sh t0, 2(x1!)   D+0x26, x1 = D+0x28
        xp::spi(2, 5, 1, -8), // p.sw t0, -8(x1!)  D+0x28, x1 = D+0x20
        xp::spr(6, 6, 2, 3),  // p.sw t1, x3(x2!)  D+0x40, x2 = D+0x44
        xp::spr(5, 6, 2, 3),  // p.sh t1, x3(x2!)  D+0x44, x2 = D+0x48
        xp::spr(4, 6, 2, 3),  // p.sb t1, x3(x2!)  D+0x48, x2 = D+0x4c
        xp::srr(6, 7, 2, 4),  // p.sw t2, x4(x2)   D+0x50
        xp::srr(5, 7, 2, 12), // p.sh t2, a2(x2)   D+0x54
        xp::srr(4, 7, 2, 13), // p.sb t2, a3(x2)   D+0x57
    });
    h.x(1) = D + 0x20;
    h.x(2) = D + 0x40;
    h.x(3) = 4;
    h.x(4) = 4;
    h.x(5) = 0xa1b2c3d4u;
    h.x(6) = 0x55667788u;
    h.x(7) = 0x99aabbccu;
    h.x(12) = 8;
    h.x(13) = 11;
    ASSERT_EQ(h.run(11), RV_RUNNING);
    EXPECT_EQ(h.core.instret, 11u);
    EXPECT_EQ(h.core.cycle, 11u);
    EXPECT_EQ(h.x(1), D + 0x20);
    EXPECT_EQ(h.x(2), D + 0x4c);
    EXPECT_EQ(h.r32(D + 0x20), 0x0000d4d4u);
    EXPECT_EQ(h.r32(D + 0x24), 0xc3d4c3d4u);
    EXPECT_EQ(h.r32(D + 0x28), 0xa1b2c3d4u);
    EXPECT_EQ(h.r32(D + 0x40), 0x55667788u);
    EXPECT_EQ(h.r32(D + 0x44), 0x00007788u);
    EXPECT_EQ(h.r32(D + 0x48), 0x00000088u);
    EXPECT_EQ(h.r32(D + 0x4c), 0u);
    EXPECT_EQ(h.r32(D + 0x50), 0x99aabbccu);
    EXPECT_EQ(h.r32(D + 0x54), 0xcc00bbccu);
}

TEST(XpulpExec, FaultingPostIncrementLeavesTheBaseAlone)
{
    CoreHarness h;
    h.program({xp::lpi(2, 5, 1, 4), xp::spi(2, 5, 2, 4)});
    h.x(1) = 0x30000000u; // nothing there
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_LOAD_ACCESS);
    EXPECT_EQ(h.x(1), 0x30000000u);
    CoreHarness g;
    g.core.misaligned_traps = true; /* core.misaligned_traps=1 */
    g.program({xp::spi(2, 5, 2, 4)});
    g.x(2) = D + 2; // misaligned word store
    EXPECT_EQ(g.run(), RV_HALTED);
    EXPECT_EQ(g.core.stop.cause, (uint32_t)RV_CAUSE_MISALIGNED_STORE);
    EXPECT_EQ(g.x(2), D + 2);
    // A base of x0 stays zero (the access to address 0 faults first here;
    // the register-offset form reads x0 as 0).
    CoreHarness z;
    z.w32(D, 0x5a5a5a5au);
    z.program({xp::lrr(0x10, 5, 0, 1)}); // p.lw t0, x1(x0)
    z.x(1) = D;
    EXPECT_EQ(z.step(), RV_RUNNING);
    EXPECT_EQ(z.x(5), 0x5a5a5a5au);
    EXPECT_EQ(z.x(0), 0u);
}

TEST(XpulpExec, ElwIsALoadAndBranchesCompareWithAnImmediate)
{
    CoreHarness h;
    h.w32(D + 8, 0xcafef00du);
    h.program({
        enc::i(8, 1, 6, 5, 0x03),      // B+0   p.elw t0, 8(x1)
        enc::b(8, 0x1d, 2, 2),         // B+4   p.beqimm x2, -3, B+12: taken
        enc::i(1, 0, 0, 6, 0x13),      // B+8   addi x6, x0, 1 (skipped)
        enc::b(8, 0x1d, 2, 3),         // B+12  p.bneimm x2, -3: not taken
        enc::b(8, 5, 2, 3),            // B+16  p.bneimm x2, 5, B+24: taken
        enc::i(1, 0, 0, 7, 0x13),      // B+20  (skipped)
        enc::i(1, 0, 0, 8, 0x13),      // B+24
    });
    h.x(1) = D;
    h.x(2) = (uint32_t)-3;
    ASSERT_EQ(h.run(9), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 28);
    EXPECT_EQ(h.core.instret, 5u);
    EXPECT_EQ(h.x(5), 0xcafef00du);
    EXPECT_EQ(h.x(6), 0u);
    EXPECT_EQ(h.x(7), 0u);
    EXPECT_EQ(h.x(8), 1u);
    EXPECT_EQ(dis(enc::b(8, 0x1d, 2, 2)), "p.beqimm sp,-3,0x1c000008");
}

// ---- hardware loops --------------------------------------------------------

namespace {
uint32_t addi(uint32_t rd, uint32_t rs1, int32_t imm) { return enc::i(imm, rs1, 0, rd, 0x13); }
} // namespace

TEST(HwLoop, SetupRunsTheBodyCountTimesWithZeroOverhead)
{
    CoreHarness h;
    h.program({
        addi(5, 0, 10),        // B+0   count
        xp::lp_setup(0, 5, 8), // B+4   body B+8 .. B+12
        addi(6, 6, 1),         // B+8
        addi(7, 7, 2),         // B+12  last instruction of the body
        addi(8, 0, 1),         // B+16
    });
    ASSERT_EQ(h.run(23), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 20);
    EXPECT_EQ(h.core.instret, 23u);
    EXPECT_EQ(h.core.cycle, 23u) << "1 + 1 + 10 * 2 + 1: no cycle for the jumps back";
    EXPECT_EQ(h.x(6), 10u);
    EXPECT_EQ(h.x(7), 20u);
    EXPECT_EQ(h.x(8), 1u);
    EXPECT_EQ(h.core.counters.hwloop_iterations, 9u);
    EXPECT_EQ(h.core.lp[0].count, 0u);
    EXPECT_EQ(h.core.lp[0].start, B + 8);
    EXPECT_EQ(h.core.lp[0].end, B + 12);
}

TEST(HwLoop, SteppingGivesTheSameResultAsRunning)
{
    CoreHarness h;
    h.program({addi(5, 0, 4), xp::lp_setup(0, 5, 8), addi(6, 6, 1), addi(7, 7, 2), addi(8, 0, 1)});
    for (int i = 0; i < 11; i++)
        ASSERT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 20);
    EXPECT_EQ(h.x(6), 4u);
    EXPECT_EQ(h.x(7), 8u);
    EXPECT_EQ(h.core.cycle, 11u);
}

TEST(HwLoop, CountOneRunsTheBodyOnceAndCountZeroSkipsNothing)
{
    for (uint32_t count : {1u, 0u}) {
        CoreHarness h;
        h.program({addi(5, 0, (int32_t)count), xp::lp_setup(0, 5, 8), addi(6, 6, 1),
                   addi(7, 7, 2), addi(8, 0, 1)});
        ASSERT_EQ(h.run(5), RV_RUNNING) << count;
        EXPECT_EQ(h.core.pc, B + 20) << count;
        EXPECT_EQ(h.x(6), 1u) << count;
        EXPECT_EQ(h.x(8), 1u) << count;
        EXPECT_EQ(h.core.counters.hwloop_iterations, 0u) << count;
    }
}

TEST(HwLoop, TwoNestedLevels)
{
    CoreHarness h;
    h.program({
        xp::lp_setupi(1, 3, 20), // B+0   outer: B+4 .. B+20, 3 times
        xp::lp_setupi(0, 4, 8),  // B+4   inner: B+8 .. B+12, 4 times
        addi(6, 6, 1),           // B+8
        addi(7, 7, 1),           // B+12  inner end
        addi(8, 8, 1),           // B+16
        addi(9, 9, 1),           // B+20  outer end
        addi(10, 0, 1),          // B+24
    });
    ASSERT_EQ(h.run(35), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 28);
    EXPECT_EQ(h.core.cycle, 35u) << "1 + 3 * (1 + 4 * 2 + 2) + 1";
    EXPECT_EQ(h.x(6), 12u);
    EXPECT_EQ(h.x(7), 12u);
    EXPECT_EQ(h.x(8), 3u);
    EXPECT_EQ(h.x(9), 3u);
    EXPECT_EQ(h.core.counters.hwloop_iterations, 3u * 3u + 2u);
}

TEST(HwLoop, NestedLoopsSharingTheirLastInstruction)
{
    CoreHarness h;
    h.program({
        xp::lp_setupi(1, 2, 12), // B+0   outer: B+4 .. B+12, twice
        xp::lp_setupi(0, 3, 8),  // B+4   inner: B+8 .. B+12, 3 times
        addi(6, 6, 1),           // B+8
        addi(7, 7, 1),           // B+12  end of both: loop 0 first
        addi(8, 0, 1),           // B+16
    });
    ASSERT_EQ(h.run(16), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 20);
    EXPECT_EQ(h.core.cycle, 16u) << "1 + 2 * (1 + 3 * 2) + 1";
    EXPECT_EQ(h.x(6), 6u);
    EXPECT_EQ(h.core.counters.hwloop_iterations, 2u * 2u + 1u);
}

TEST(HwLoop, StartEndAndCountSetSeparately)
{
    CoreHarness h;
    h.program({
        xp::lp(0, 0, 0, 6),  // B+0   lp.starti 0, B+12
        xp::lp(1, 0, 0, 6),  // B+4   lp.endi 0, B+16
        xp::lp(3, 0, 0, 5),  // B+8   lp.counti 0, 5
        addi(6, 6, 1),       // B+12
        addi(7, 7, 1),       // B+16  end
        addi(5, 0, 2),       // B+20
        xp::lp(2, 0, 5, 0),  // B+24  lp.count 0, t0 (start and end stay)
        addi(8, 0, 1),       // B+28  (runs once: not in the body)
    });
    ASSERT_EQ(h.run(13), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 20);
    EXPECT_EQ(h.x(6), 5u);
    EXPECT_EQ(h.x(7), 5u);
    EXPECT_EQ(h.core.cycle, 13u);
    // lp.count re-arms the loop, but execution is past its end: nothing
    // happens until the body's last instruction is executed again.
    ASSERT_EQ(h.run(3), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 32);
    EXPECT_EQ(h.core.lp[0].count, 2u);
}

TEST(HwLoop, LoadUseHazardAcrossTheJumpBack)
{
    CoreHarness h;
    h.w32(D, 5);
    h.program({
        xp::lp_setupi(0, 3, 8), // B+0   body B+4 .. B+8
        enc::r(0, 6, 7, 0, 7, 0x33), // B+4   add x7, x7, x6
        enc::i(0, 1, 2, 6, 0x03),    // B+8   lw x6, 0(x1): used at the start
    });
    h.x(1) = D;
    ASSERT_EQ(h.run(9), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 12);
    EXPECT_EQ(h.x(7), 10u);
    EXPECT_EQ(h.core.cycle, 9u) << "1 + 2 + 3 + 3: two load-use stalls";
    EXPECT_EQ(h.core.counters.load_use_stalls, 2u);
}

TEST(HwLoop, CompressedAndCsrInstructionsEndABody)
{
    CoreHarness h;
    // c.addi x6, 1 = 0x0305; c.nop = 0x0001.
    h.program({
        xp::lp_setupi(0, 4, 8),       // B+0   body B+4 .. B+8 (a 16-bit instruction)
        addi(7, 7, 1),                // B+4
        0x00010305u,                  // B+8   c.addi x6, 1 | B+10 c.nop
        xp::lp_setupi(1, 3, 8),       // B+12  body B+16 .. B+20
        addi(8, 8, 1),                // B+16
        enc::csr(0x340, 8, 1, 9),     // B+20  csrrw s1, mscratch, s0
    });
    ASSERT_EQ(h.run(1 + 4 * 2 + 1 + 1 + 3 * 2), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 24);
    EXPECT_EQ(h.x(6), 4u);
    EXPECT_EQ(h.x(7), 4u);
    EXPECT_EQ(h.x(8), 3u);
    EXPECT_EQ(h.x(9), 2u); // mscratch written by the second iteration
    EXPECT_EQ(h.core.counters.hwloop_iterations, 3u + 2u);
}

TEST(HwLoop, StateIsReadableAndWritableThroughCsrs)
{
    CoreHarness h;
    h.program({
        xp::lp_setupi(1, 7, 16),                   // B+0   loop 1: B+4 .. B+16
        enc::csr(RV_CSR_LPSTART1, 0, 2, 10),       // B+4   csrr a0, lpstart1
        enc::csr(RV_CSR_LPEND1, 0, 2, 11),         // B+8   csrr a1, lpend1
        enc::csr(RV_CSR_LPCOUNT1, 0, 2, 12),       // B+12  csrr a2, lpcount1
        enc::csr(RV_CSR_LPCOUNT1, 0, 1, 0),        // B+16  csrw lpcount1, x0: stop looping
        enc::csr(RV_CSR_MHPM_HWLOOP, 0, 2, 13),    // B+20  csrr a3, hwloop iterations
    });
    ASSERT_EQ(h.run(), RV_HALTED); // runs into the zero word after the program
    EXPECT_EQ(h.core.stop.pc, B + 24);
    EXPECT_EQ(h.x(10), B + 4);
    EXPECT_EQ(h.x(11), B + 16);
    EXPECT_EQ(h.x(12), 7u);
    EXPECT_EQ(h.x(13), 0u) << "the count was cleared before the first jump back";
}

TEST(HwLoop, TracedRunsLoopTheSameWay)
{
    CoreHarness h;
    unsigned traced = 0;
    rv_core_set_trace(&h.core, [](void *ctx, const rv_core *, uint64_t, uint32_t, const rv_insn *) {
        ++*static_cast<unsigned *>(ctx);
    }, &traced);
    h.program({addi(5, 0, 10), xp::lp_setup(0, 5, 8), addi(6, 6, 1), addi(7, 7, 2), addi(8, 0, 1)});
    ASSERT_EQ(h.run(23), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 20);
    EXPECT_EQ(h.core.cycle, 23u);
    EXPECT_EQ(h.x(6), 10u);
    EXPECT_EQ(traced, 23u);
}

// ---- activity counts for the power model ------------------------------------

TEST(Counters, ExecutedByOperationAndClass)
{
    CoreHarness h;
    h.w32(D, 7);
    h.program({
        addi(5, 0, 3),                // alu
        enc::r(1, 5, 5, 0, 6, 0x33),  // mul x6, x5, x5
        enc::i(0, 1, 2, 7, 0x03),     // lw x7, 0(x1)
        enc::s(4, 7, 1, 2),           // sw x7, 4(x1)
        enc::b(8, 0, 0, 1),           // bne x0, x0: not taken
        xp::pv(0b101110, 1),          // pv.sdotsp.b x3, x1, x2
        xp::lp_setupi(0, 3, 4),       // hwloop: the next instruction 3 times
        addi(8, 8, 1),                // alu x3
    });
    h.x(1) = D;
    ASSERT_EQ(h.run(11), RV_RUNNING); // 10 instructions, one load-use stall
    EXPECT_EQ(h.core.instret, 10u);
    const uint64_t *n = h.core.counters.executed;
    EXPECT_EQ(n[RV_OP_ADDI], 4u);
    EXPECT_EQ(n[RV_OP_MUL], 1u);
    EXPECT_EQ(n[RV_OP_PV_SDOTSP_B], 1u);
    EXPECT_EQ(n[RV_OP_LP_SETUPI], 1u);
    uint64_t by_class[RV_CLASS_COUNT] = {0}, total = 0;
    for (unsigned op = 0; op < RV_OP_COUNT; op++) {
        by_class[rv_op_class((rv_op)op)] += n[op];
        total += n[op];
    }
    EXPECT_EQ(total, 10u);
    EXPECT_EQ(by_class[RV_CLASS_ALU], 4u);
    EXPECT_EQ(by_class[RV_CLASS_MUL], 1u);
    EXPECT_EQ(by_class[RV_CLASS_LOAD], 1u);
    EXPECT_EQ(by_class[RV_CLASS_STORE], 1u);
    EXPECT_EQ(by_class[RV_CLASS_BRANCH], 1u);
    EXPECT_EQ(by_class[RV_CLASS_SIMD_DOT], 1u);
    EXPECT_EQ(by_class[RV_CLASS_HWLOOP], 1u);
    EXPECT_STREQ(rv_insn_class_name(RV_CLASS_SIMD_DOT), "simd_dot");
    // Every line of the table has a class; spot checks.
    EXPECT_EQ(rv_op_class(RV_OP_P_LW_PR), RV_CLASS_LOAD);
    EXPECT_EQ(rv_op_class(RV_OP_P_SB_RR), RV_CLASS_STORE);
    EXPECT_EQ(rv_op_class(RV_OP_PV_ADD_SCI_B), RV_CLASS_SIMD);
    EXPECT_EQ(rv_op_class(RV_OP_P_MAC), RV_CLASS_MUL);
    EXPECT_EQ(rv_op_class(RV_OP_AMOADD), RV_CLASS_AMO);
    EXPECT_EQ(rv_op_class(RV_OP_JALR), RV_CLASS_JUMP);
    EXPECT_EQ(rv_op_class(RV_OP_P_BEQIMM), RV_CLASS_BRANCH);
    EXPECT_EQ(rv_op_class(RV_OP_CSRRW), RV_CLASS_SYSTEM);
}

TEST(XpulpExec, AMisalignedPostIncrementAccessEndsAHardwareLoopBody)
{
    // The misaligned access completes on the trap path (core.c), which must
    // do what the run loop does: post-increment, retire, and step the loop.
    CoreHarness h;
    for (uint32_t i = 0; i < 4; i++)
        h.w32(D + 4 * i, 0x03020100u + 0x04040404u * i); // bytes 0, 1, 2, ...
    h.x(1) = D + 1;
    h.x(2) = D + 0x41;
    h.x(9) = 0x7766;
    h.program({
        xp::lp_setupi(0, 3, 12), // B+0   body B+4 .. B+12, 3 times
        addi(6, 6, 1),           // B+4
        xp::spi(1, 9, 2, 2),     // B+8   p.sh s1, 2(x2!): D+0x41, 0x43, 0x45
        xp::lpi(2, 5, 1, 2),     // B+12  p.lw t0, 2(x1!): D+1, D+3, D+5
        addi(10, 0, 1),          // B+16
    });
    for (int i = 0; i < 40 && h.core.pc != B + 20; i++)
        ASSERT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.x(6), 3u);
    EXPECT_EQ(h.x(1), D + 7);
    EXPECT_EQ(h.x(5), 0x08070605u); // the bytes at D+5..D+8
    EXPECT_EQ(h.x(2), D + 0x47);
    EXPECT_EQ(h.r32(D + 0x40), 0x66776600u);
    EXPECT_EQ(h.r32(D + 0x44), 0x00776677u);
    EXPECT_EQ(h.x(10), 1u);
    EXPECT_EQ(h.core.counters.hwloop_iterations, 2u);
    EXPECT_EQ(h.core.mcause, 0u);
}

// ---- the debugger's hook (rv_core_set_debug) --------------------------------

namespace {
struct HookLog {
    std::vector<uint32_t> pcs;
    uint32_t move_to = 0; /* != 0: the first call moves pc there */
};
void log_boundary(void *ctx, rv_core *c)
{
    auto *log = static_cast<HookLog *>(ctx);
    log->pcs.push_back(c->pc);
    if (log->move_to) {
        c->pc = log->move_to;
        log->move_to = 0;
    }
}
} // namespace

// The hook sees every instruction before it executes, the jump back of a
// hardware loop included, and the run's results and cycles do not change.
TEST(DebugHook, SeesEveryBoundaryAndChangesNothing)
{
    const std::vector<uint32_t> prog = {
        addi(5, 0, 3),         // B+0
        xp::lp_setup(0, 5, 8), // B+4   body B+8 .. B+12
        addi(6, 6, 1),         // B+8
        addi(7, 7, 2),         // B+12
        addi(8, 0, 1),         // B+16
    };
    CoreHarness plain, hooked;
    plain.program(prog);
    hooked.program(prog);
    HookLog log;
    rv_core_set_debug(&hooked.core, log_boundary, &log);
    ASSERT_EQ(plain.run(9), RV_RUNNING);
    // In slices of 2 cycles, as the cluster's scheduler would call it.
    for (int i = 0; i < 5 && hooked.core.cycle < 9; i++)
        ASSERT_EQ(rv_core_run(&hooked.core, std::min<uint64_t>(hooked.core.cycle + 2, 9)),
                  RV_RUNNING);
    EXPECT_EQ(hooked.core.cycle, plain.core.cycle);
    EXPECT_EQ(hooked.core.instret, plain.core.instret);
    EXPECT_EQ(hooked.x(6), plain.x(6));
    const std::vector<uint32_t> want = {B, B + 4, B + 8, B + 12, B + 8, B + 12, B + 8, B + 12,
                                        B + 16};
    EXPECT_EQ(log.pcs, want);
    rv_core_set_debug(&hooked.core, nullptr, nullptr);
    hooked.program({addi(9, 0, 1)}, B + 20);
    hooked.core.pc = B + 20;
    hooked.step();
    EXPECT_EQ(log.pcs.size(), want.size()) << "no calls once removed";
}

// The hook may move pc: execution goes on there.
TEST(DebugHook, MayMovePc)
{
    CoreHarness h;
    h.program({addi(5, 0, 1), addi(6, 0, 2), addi(7, 0, 3)});
    HookLog log;
    log.move_to = B + 8;
    rv_core_set_debug(&h.core, log_boundary, &log);
    h.step();
    EXPECT_EQ(h.x(5), 0u);
    EXPECT_EQ(h.x(7), 3u);
    EXPECT_EQ(h.core.pc, B + 12);
}
