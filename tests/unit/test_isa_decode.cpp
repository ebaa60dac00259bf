// Decoder and disassembler: table consistency and known encodings
// (cross-checked against GNU objdump output).
#include <gtest/gtest.h>

#include <string>

#include "core_harness.h"

static std::string dis(uint32_t raw, uint32_t pc = 0x1C000000u)
{
    rv_insn d;
    rv_decode(raw, &d);
    char buf[64];
    rv_disasm(&d, pc, buf, sizeof buf);
    return buf;
}

TEST(IsaTable, EveryLineDecodesToItself)
{
    for (size_t i = 0; i < rv_insn_table_len; i++) {
        const rv_insn_desc &e = rv_insn_table[i];
        rv_insn d;
        rv_decode(e.match, &d);
        // lr.w needs rs2 = 0, which match has; every other match word is a
        // valid instance of its own line.
        EXPECT_EQ(d.op, e.op) << e.name;
        EXPECT_EQ(d.len, 4) << e.name;
        EXPECT_EQ(rv_insn_desc_of(e.op), &e) << e.name;
    }
}

TEST(IsaDecode, KnownEncodingsMatchObjdump)
{
    EXPECT_EQ(dis(0x00a00513), "addi a0,zero,10");
    EXPECT_EQ(dis(0x40b50533), "sub a0,a0,a1");
    EXPECT_EQ(dis(0x02b54533), "div a0,a0,a1");
    EXPECT_EQ(dis(0xfe112e23), "sw ra,-4(sp)");
    EXPECT_EQ(dis(0x00812403), "lw s0,8(sp)");
    EXPECT_EQ(dis(0xb0002573), "csrrs a0,mcycle,zero");
    EXPECT_EQ(dis(0x0ff0000f), "fence iorw,iorw");
    EXPECT_EQ(dis(0x1005252f), "lr.w a0,(a0)");
    EXPECT_EQ(dis(0x08b5252f), "amoswap.w a0,a1,(a0)");
}

TEST(IsaDecode, IllegalWords)
{
    rv_insn d;
    rv_decode(0x00000000u, &d); // all-zero 16-bit word is defined illegal
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
    EXPECT_EQ(d.len, 2);
    rv_decode(0xffffffffu, &d);
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
    EXPECT_EQ(d.len, 4);
    rv_decode(0x02001013u, &d); // slli with shamt[5] set: RV64 only
    EXPECT_EQ(d.op, RV_OP_ILLEGAL);
}

TEST(IsaDecode, WritesToX0GoToTheSink)
{
    rv_insn d;
    rv_decode(0x00000013u, &d); // addi x0,x0,0
    EXPECT_EQ(d.rd, RV_REG_SINK);
    EXPECT_EQ(rv_insn_writes(&d), 0u);
}
