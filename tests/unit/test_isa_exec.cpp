// Execution of every RV32IMAC instruction on the plain-C core engine, with
// the corner cases of the ISA manual: sign extension, shift-amount masking,
// division by zero and overflow, x0 writes, misaligned and faulting
// accesses, LR/SC reservations. Expected values are computed by hand (see
// the comments); compressed encodings come from GNU as 2.40
// (riscv64-unknown-elf-as -march=rv32imac, objdump -M no-aliases).
#include <gtest/gtest.h>

#include "core_harness.h"

namespace {

constexpr uint32_t B = CoreHarness::kBase;
constexpr uint32_t D = B + 0x8000; // data area used by the load/store tests

// Executes `insn` once with x1 = a and x2 = b; returns x3.
uint32_t exec_ab(uint32_t insn, uint32_t a, uint32_t b = 0)
{
    CoreHarness h;
    h.program({insn});
    h.x(1) = a;
    h.x(2) = b;
    EXPECT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 4);
    EXPECT_EQ(h.core.instret, 1u);
    return h.x(3);
}

uint32_t rtype(uint32_t f7, uint32_t f3) { return enc::r(f7, 2, 1, f3, 3, 0x33); }
uint32_t itype(int32_t imm, uint32_t f3) { return enc::i(imm, 1, f3, 3, 0x13); }

struct RCase {
    const char *name;
    uint32_t f7, f3, a, b, want;
};

// clang-format off
const RCase kRegReg[] = {
    {"add",    0x00, 0, 5, 7, 12},
    {"add wraps", 0x00, 0, 0xffffffffu, 2, 1},
    {"sub",    0x20, 0, 5, 7, 0xfffffffeu},
    {"sub min", 0x20, 0, 0x80000000u, 1, 0x7fffffffu},
    {"sll",    0x00, 1, 1, 31, 0x80000000u},
    {"sll masks shamt", 0x00, 1, 1, 33, 2},          // only rs2[4:0] counts
    {"slt neg<pos", 0x00, 2, 0xffffffffu, 1, 1},
    {"slt equal", 0x00, 2, 7, 7, 0},
    {"sltu -1<1 unsigned", 0x00, 3, 0xffffffffu, 1, 0},
    {"sltu 0<-1", 0x00, 3, 0, 0xffffffffu, 1},
    {"xor",    0x00, 4, 0xff00ff00u, 0x0ff00ff0u, 0xf0f0f0f0u},
    {"srl",    0x00, 5, 0x80000000u, 31, 1},
    {"srl masks shamt", 0x00, 5, 0x80000000u, 0xffffffe1u, 0x40000000u},
    {"sra",    0x20, 5, 0x80000000u, 31, 0xffffffffu},
    {"sra positive", 0x20, 5, 0x7fffffffu, 30, 1},
    {"or",     0x00, 6, 0xf0f0f0f0u, 0x0f0f0f0fu, 0xffffffffu},
    {"and",    0x00, 7, 0xf0f0f0f0u, 0x3c3c3c3cu, 0x30303030u},
    // M extension.
    {"mul",    0x01, 0, 0xfffffffdu, 7, 0xffffffebu},            // -3 * 7 = -21
    {"mul low half", 0x01, 0, 0x12345678u, 0x9abcdef0u, 0x242d2080u},
    {"mulh -2^31*-2^31", 0x01, 1, 0x80000000u, 0x80000000u, 0x40000000u},
    {"mulh -1*-1", 0x01, 1, 0xffffffffu, 0xffffffffu, 0},
    {"mulh -1*1", 0x01, 1, 0xffffffffu, 1, 0xffffffffu},
    {"mulhsu -2^31*(2^32-1)", 0x01, 2, 0x80000000u, 0xffffffffu, 0x80000000u},
    {"mulhsu -1*(2^32-1)", 0x01, 2, 0xffffffffu, 0xffffffffu, 0xffffffffu},
    {"mulhsu 2*(2^31)", 0x01, 2, 2, 0x80000000u, 1},
    {"mulhu max*max", 0x01, 3, 0xffffffffu, 0xffffffffu, 0xfffffffeu},
    {"div",    0x01, 4, 0xffffffecu, 6, 0xfffffffdu},            // -20/6 = -3
    {"div neg divisor", 0x01, 4, 20, 0xfffffffau, 0xfffffffdu},  // 20/-6 = -3
    {"div by zero", 0x01, 4, 17, 0, 0xffffffffu},
    {"div overflow", 0x01, 4, 0x80000000u, 0xffffffffu, 0x80000000u},
    {"divu",   0x01, 5, 0xffffffecu, 6, 0x2aaaaaa7u},            // 4294967276/6
    {"divu by zero", 0x01, 5, 17, 0, 0xffffffffu},
    {"rem",    0x01, 6, 0xffffffecu, 6, 0xfffffffeu},            // -20%6 = -2
    {"rem neg divisor", 0x01, 6, 20, 0xfffffffau, 2},
    {"rem by zero", 0x01, 6, 0xffffffecu, 0, 0xffffffecu},
    {"rem overflow", 0x01, 6, 0x80000000u, 0xffffffffu, 0},
    {"remu",   0x01, 7, 0xffffffecu, 6, 2},
    {"remu by zero", 0x01, 7, 0xffffffecu, 0, 0xffffffecu},
};

struct ICase {
    const char *name;
    int32_t imm;
    uint32_t f3, a, want;
};

const ICase kRegImm[] = {
    {"addi",  5, 0, 7, 12},
    {"addi negative imm", -1, 0, 7, 6},
    {"addi max imm", 2047, 0, 0, 2047},
    {"addi min imm", -2048, 0, 0, 0xfffff800u},
    {"slti",  1, 2, 0xffffffffu, 1},
    {"slti negative imm", -5, 2, 0xfffffffcu, 0},                // -4 < -5 is false
    {"sltiu sign-extended imm", -1, 3, 5, 1},                    // 5 < 0xffffffff
    {"sltiu", 1, 3, 0, 1},
    {"xori not", -1, 4, 0x12345678u, 0xedcba987u},
    {"ori",   0x0f0, 6, 0x00000f00u, 0x00000ff0u},
    {"ori sign-extended", -16, 6, 0x5, 0xfffffff5u},
    {"andi",  0x7ff, 7, 0xffffffffu, 0x7ffu},
    {"andi sign-extended", -256, 7, 0x12345678u, 0x12345600u},
    {"slli",  31, 1, 3, 0x80000000u},
    {"srli",  4, 5, 0x80000000u, 0x08000000u},
    {"srai",  0x400 | 4, 5, 0x80000000u, 0xf8000000u},
    {"srai 0", 0x400, 5, 0x80000000u, 0x80000000u},
};
// clang-format on

} // namespace

TEST(IsaExec, RegisterRegisterOperations)
{
    for (const RCase &c : kRegReg)
        EXPECT_EQ(exec_ab(rtype(c.f7, c.f3), c.a, c.b), c.want) << c.name;
}

TEST(IsaExec, RegisterImmediateOperations)
{
    for (const ICase &c : kRegImm)
        EXPECT_EQ(exec_ab(itype(c.imm, c.f3), c.a), c.want) << c.name;
}

TEST(IsaExec, LuiAndAuipc)
{
    EXPECT_EQ(exec_ab(enc::u(0xfffff, 3, 0x37), 0), 0xfffff000u);
    EXPECT_EQ(exec_ab(enc::u(0x12345, 3, 0x37), 0), 0x12345000u);
    // auipc adds to its own pc.
    EXPECT_EQ(exec_ab(enc::u(0x00001, 3, 0x17), 0), B + 0x1000);
    EXPECT_EQ(exec_ab(enc::u(0xfffff, 3, 0x17), 0), B - 0x1000);
}

TEST(IsaExec, WritesToX0AreDiscarded)
{
    CoreHarness h;
    h.ram[D - B] = 0x55;
    h.x(1) = D;
    h.program({
        enc::i(5, 0, 0, 0, 0x13),       // addi x0, x0, 5
        enc::i(0, 1, 2, 0, 0x03),       // lw x0, 0(x1)
        enc::u(0x12345, 0, 0x37),       // lui x0, 0x12345
        enc::j(8, 0),                   // jal x0, +8 (no link)
        enc::nop,
        enc::r(0, 0, 0, 0, 3, 0x33),    // add x3, x0, x0: reads the real x0
        enc::csr(0xB00, 0, 2, 0),       // csrr x0, mcycle
        enc::amo(0x01, 1, 1, 0),        // amoswap.w x0, x1, (x1)
    });
    h.x(3) = 99;
    for (int i = 0; i < 7; i++)
        ASSERT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.x(0), 0u);
    EXPECT_EQ(h.x(3), 0u);
    EXPECT_EQ(h.core.instret, 7u);
}

// ---- control transfer -------------------------------------------------------

TEST(IsaExec, JalLinksAndJumps)
{
    CoreHarness h;
    h.program({enc::j(12, 1)}); // jal ra, +12
    h.step();
    EXPECT_EQ(h.core.pc, B + 12);
    EXPECT_EQ(h.x(1), B + 4);
    h.program({enc::nop, enc::nop, enc::j(-8, 5)}, B + 0x100);
    h.core.pc = B + 0x108;
    h.step();
    EXPECT_EQ(h.core.pc, B + 0x100);
    EXPECT_EQ(h.x(5), B + 0x10c);
}

TEST(IsaExec, JalrClearsBitZeroAndUsesTheOldRs1)
{
    CoreHarness h;
    h.x(1) = B + 0x41;
    h.program({enc::i(3, 1, 0, 3, 0x67)}); // jalr x3, 3(x1): (B+0x44) & ~1
    h.step();
    EXPECT_EQ(h.core.pc, B + 0x44);
    EXPECT_EQ(h.x(3), B + 4);

    CoreHarness g;
    g.x(1) = B + 0x80;
    g.program({enc::i(-16, 1, 0, 1, 0x67)}); // jalr ra, -16(ra): rd == rs1
    g.step();
    EXPECT_EQ(g.core.pc, B + 0x70);
    EXPECT_EQ(g.x(1), B + 4);
}

TEST(IsaExec, BranchesCompareSignedAndUnsigned)
{
    struct Case {
        const char *name;
        uint32_t f3, a, b;
        bool taken;
    };
    const Case cases[] = {
        {"beq equal", 0, 5, 5, true},        {"beq differ", 0, 5, 6, false},
        {"bne differ", 1, 5, 6, true},       {"bne equal", 1, 5, 5, false},
        {"blt -1<1", 4, 0xffffffffu, 1, true}, {"blt 1<-1", 4, 1, 0xffffffffu, false},
        {"bge equal", 5, 7, 7, true},        {"bge -2>=-1", 5, 0xfffffffeu, 0xffffffffu, false},
        {"bltu 1<-1", 6, 1, 0xffffffffu, true}, {"bltu -1<1", 6, 0xffffffffu, 1, false},
        {"bgeu -1>=1", 7, 0xffffffffu, 1, true}, {"bgeu 0>=-1", 7, 0, 0xffffffffu, false},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.x(1) = c.a;
        h.x(2) = c.b;
        h.program({enc::b(-0x20, 2, 1, c.f3)}, B + 0x40);
        h.step();
        EXPECT_EQ(h.core.pc, c.taken ? B + 0x20 : B + 0x44) << c.name;
    }
}

// ---- loads and stores -----------------------------------------------------

TEST(IsaExec, LoadsSignAndZeroExtend)
{
    // Bytes at D: 80 7f ff 80.
    struct Case {
        const char *name;
        uint32_t f3;
        int32_t off;
        uint32_t want;
    };
    const Case cases[] = {
        {"lb negative", 0, 0, 0xffffff80u}, {"lb positive", 0, 1, 0x7f},
        {"lbu", 4, 0, 0x80},                {"lbu ff", 4, 2, 0xff},
        {"lh", 1, 0, 0x7f80},               {"lh negative", 1, 2, 0xffff80ffu},
        {"lhu", 5, 2, 0x80ff},              {"lw", 2, 0, 0x80ff7f80u},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.w32(D, 0x80ff7f80u);
        h.x(1) = D + 16;
        h.program({enc::i(c.off - 16, 1, c.f3, 3, 0x03)}); // negative offsets too
        ASSERT_EQ(h.step(), RV_RUNNING) << c.name;
        EXPECT_EQ(h.x(3), c.want) << c.name;
        EXPECT_EQ(h.core.counters.loads, 1u);
    }
}

TEST(IsaExec, StoresWriteOnlyTheirBytes)
{
    CoreHarness h;
    h.w32(D, 0x11223344u);
    h.w32(D + 4, 0x55667788u);
    h.x(1) = D;
    h.x(2) = 0xcafebeabu;
    h.program({
        enc::s(1, 2, 1, 0),  // sb x2, 1(x1)
        enc::s(6, 2, 1, 1),  // sh x2, 6(x1)
    });
    h.step();
    EXPECT_EQ(h.r32(D), 0x1122ab44u);
    h.step();
    EXPECT_EQ(h.r32(D + 4), 0xbeab7788u);
    h.program({enc::s(-4, 2, 1, 2)}); // sw x2, -4(x1)
    h.x(1) = D + 8;
    h.step();
    EXPECT_EQ(h.r32(D + 4), 0xcafebeabu);
    EXPECT_EQ(h.r32(D), 0x1122ab44u);
    EXPECT_EQ(h.core.counters.stores, 3u);
}

// Runs `insn` with x1 = addr and no trap handler; returns the stop record.
static rv_stop_info fault_of(uint32_t insn, uint32_t addr)
{
    CoreHarness h;
    h.core.misaligned_traps = true; /* core.misaligned_traps=1 */
    h.x(1) = addr;
    h.program({enc::nop, insn});
    h.step();
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.instret, 1u); // the faulting instruction does not retire
    return h.core.stop;
}

TEST(IsaExec, MisalignedAccessesTrap)
{
    struct Case {
        const char *name;
        uint32_t insn, addr, cause;
    };
    const Case cases[] = {
        {"lw +2", enc::i(0, 1, 2, 3, 0x03), D + 2, RV_CAUSE_MISALIGNED_LOAD},
        {"lw +1", enc::i(0, 1, 2, 3, 0x03), D + 1, RV_CAUSE_MISALIGNED_LOAD},
        {"lh +1", enc::i(0, 1, 1, 3, 0x03), D + 1, RV_CAUSE_MISALIGNED_LOAD},
        {"lhu +3", enc::i(0, 1, 5, 3, 0x03), D + 3, RV_CAUSE_MISALIGNED_LOAD},
        {"sw +2", enc::s(0, 2, 1, 2), D + 2, RV_CAUSE_MISALIGNED_STORE},
        {"sh +1", enc::s(0, 2, 1, 1), D + 1, RV_CAUSE_MISALIGNED_STORE},
        {"lr.w +2", enc::amo(0x02, 0, 1, 3), D + 2, RV_CAUSE_MISALIGNED_LOAD},
        {"sc.w +2", enc::amo(0x03, 2, 1, 3), D + 2, RV_CAUSE_MISALIGNED_STORE},
        {"amoadd +1", enc::amo(0x00, 2, 1, 3), D + 1, RV_CAUSE_MISALIGNED_STORE},
    };
    for (const Case &c : cases) {
        rv_stop_info s = fault_of(c.insn, c.addr);
        EXPECT_EQ(s.kind, RV_STOP_FAULT) << c.name;
        EXPECT_EQ(s.cause, c.cause) << c.name;
        EXPECT_EQ(s.tval, c.addr) << c.name;
        EXPECT_EQ(s.pc, B + 4) << c.name;
        EXPECT_EQ(s.insn, c.insn) << c.name;
    }
    // Byte accesses are never misaligned.
    EXPECT_EQ(exec_ab(enc::i(0, 1, 4, 3, 0x03), D + 3), 0u);
}

/* The program run to its end on a fresh core (misaligned accesses
   completing, the default); the core, for inspection. */
static void run_misaligned(CoreHarness &h, std::initializer_list<uint32_t> prog)
{
    h.program(prog);
    for (int i = 0; i < 64 && h.core.state == RV_RUNNING && h.core.pc < B + 4 * prog.size(); i++)
        h.step();
}

TEST(IsaExec, MisalignedAccessesCompleteAsTwoAlignedAccessesAsOnCV32E40P)
{
    // Loads: the bytes at any offset, sign- or zero-extended.
    for (uint32_t off = 1; off < 4; off++) {
        CoreHarness h;
        h.w32(D, 0x84838281u);
        h.w32(D + 4, 0x88878685u);
        h.x(1) = D + off;
        run_misaligned(h, {enc::i(0, 1, 2, 3, 0x03), enc::i(0, 1, 1, 4, 0x03), enc::i(0, 1, 5, 5, 0x03)});
        uint32_t b[8] = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88};
        uint32_t w = b[off] | b[off + 1] << 8 | b[off + 2] << 16 | b[off + 3] << 24;
        uint32_t hw = b[off] | b[off + 1] << 8;
        EXPECT_EQ(h.x(3), w) << off;
        EXPECT_EQ(h.x(4), (uint32_t)(int32_t)(int16_t)hw) << off;
        EXPECT_EQ(h.x(5), hw) << off;
        EXPECT_EQ(h.core.instret, 3u);
        EXPECT_EQ(h.core.counters.loads, 3u);
    }
    // Stores write their bytes and no other.
    CoreHarness s;
    s.w32(D, 0x11111111u);
    s.w32(D + 4, 0x22222222u);
    s.x(1) = D + 3;
    s.x(2) = 0xa4a3a2a1u;
    run_misaligned(s, {enc::s(0, 2, 1, 2)});
    EXPECT_EQ(s.r32(D), 0xa1111111u);
    EXPECT_EQ(s.r32(D + 4), 0x22a4a3a2u);
    EXPECT_EQ(s.core.counters.stores, 1u);
    s.x(1) = D + 5;
    s.x(2) = 0xbeefu;
    s.core.pc = B;
    run_misaligned(s, {enc::s(0, 2, 1, 1)});
    EXPECT_EQ(s.r32(D + 4), 0x22beefa2u);
    // One cycle more than the same access aligned, and no trap flush.
    CoreHarness a, m;
    a.x(1) = D;
    m.x(1) = D + 2;
    a.program({enc::i(0, 1, 2, 3, 0x03)});
    m.program({enc::i(0, 1, 2, 3, 0x03)});
    a.step();
    m.step();
    EXPECT_EQ(m.core.cycle, a.core.cycle + 1);
    EXPECT_EQ(m.core.pc, B + 4);
    EXPECT_EQ(m.core.mcause, 0u);
    // Atomics and LR/SC still trap, as on the core.
    CoreHarness r;
    r.x(1) = D + 2;
    r.program({enc::amo(0x02, 0, 1, 3)});
    EXPECT_EQ(r.run(), RV_HALTED);
    EXPECT_EQ(r.core.stop.cause, (uint32_t)RV_CAUSE_MISALIGNED_LOAD);
    // An access whose second word is outside every memory faults.
    CoreHarness f;
    f.x(1) = CoreHarness::kBase + CoreHarness::kSize - 2;
    f.program({enc::i(0, 1, 2, 3, 0x03)});
    EXPECT_EQ(f.run(), RV_HALTED);
    EXPECT_EQ(f.core.stop.cause, (uint32_t)RV_CAUSE_LOAD_ACCESS);
}

TEST(IsaExec, AccessesOutsideEveryMemoryFault)
{
    rv_stop_info s = fault_of(enc::i(0, 1, 2, 3, 0x03), 0x30000000u);
    EXPECT_EQ(s.cause, (uint32_t)RV_CAUSE_LOAD_ACCESS);
    EXPECT_EQ(s.tval, 0x30000000u);
    s = fault_of(enc::s(0, 2, 1, 0), 0x30000003u);
    EXPECT_EQ(s.cause, (uint32_t)RV_CAUSE_STORE_ACCESS);
    EXPECT_EQ(s.tval, 0x30000003u);
    // The first word past the end of the RAM.
    s = fault_of(enc::i(0, 1, 2, 3, 0x03), B + CoreHarness::kSize);
    EXPECT_EQ(s.cause, (uint32_t)RV_CAUSE_LOAD_ACCESS);
    s = fault_of(enc::amo(0x00, 2, 1, 3), 0x30000000u);
    EXPECT_EQ(s.cause, (uint32_t)RV_CAUSE_STORE_ACCESS);
}

TEST(IsaExec, DeviceAccessesGoThroughTheBus)
{
    CoreHarness h;
    h.x(1) = CoreHarness::kDevBase;
    h.x(2) = 0xabcd;
    h.program({enc::i(8, 1, 2, 3, 0x03), enc::s(4, 2, 1, 1)}); // lw x3,8(x1); sh x2,4(x1)
    h.step();
    EXPECT_EQ(h.x(3), h.dev_value);
    h.step();
    ASSERT_EQ(h.dev_writes.size(), 1u);
    EXPECT_EQ(h.dev_writes[0].first, CoreHarness::kDevBase + 4);
    EXPECT_EQ(h.dev_writes[0].second, 0xabcdu);
    // A device that asks to stop ends the run after the store retires.
    h.dev_stop_on_write = true;
    h.program({enc::s(0, 2, 1, 2), enc::nop});
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.stop.kind, RV_STOP_BUS);
    EXPECT_EQ(h.core.pc, B + 4);
    EXPECT_EQ(h.core.instret, 3u);
}

// ---- atomics ----------------------------------------------------------------

TEST(IsaExec, AmoOperationsReturnTheOldValue)
{
    struct Case {
        const char *name;
        uint32_t f5, want;
    };
    // old = 0x80000001 (negative), operand = 5.
    const Case cases[] = {
        {"amoswap", 0x01, 5},          {"amoadd", 0x00, 0x80000006u},
        {"amoxor", 0x04, 0x80000004u}, {"amoand", 0x0c, 1},
        {"amoor", 0x08, 0x80000005u},  {"amomin", 0x10, 0x80000001u},
        {"amomax", 0x14, 5},           {"amominu", 0x18, 5},
        {"amomaxu", 0x1c, 0x80000001u},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.w32(D, 0x80000001u);
        h.x(1) = D;
        h.x(2) = 5;
        h.program({enc::amo(c.f5, 2, 1, 3)});
        ASSERT_EQ(h.step(), RV_RUNNING) << c.name;
        EXPECT_EQ(h.x(3), 0x80000001u) << c.name;
        EXPECT_EQ(h.r32(D), c.want) << c.name;
    }
}

TEST(IsaExec, LoadReservedStoreConditional)
{
    CoreHarness h;
    h.w32(D, 41);
    h.w32(D + 4, 7);
    h.x(1) = D;
    h.x(2) = 42;
    h.x(4) = D + 4;
    h.program({
        enc::amo(0x02, 0, 1, 3),  // lr.w x3, (x1)
        enc::amo(0x03, 2, 1, 5),  // sc.w x5, x2, (x1): succeeds
        enc::amo(0x03, 2, 1, 6),  // sc.w x6, x2, (x1): no reservation left
        enc::amo(0x02, 0, 1, 3),  // lr.w x3, (x1)
        enc::amo(0x03, 2, 4, 7),  // sc.w x7, x2, (x4): other address, fails
        enc::amo(0x03, 2, 1, 8),  // sc.w x8, x2, (x1): reservation was dropped
    });
    h.x(6) = h.x(7) = h.x(8) = 99;
    for (int i = 0; i < 6; i++)
        ASSERT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.x(3), 42u); // the second lr.w sees the first sc.w's value
    EXPECT_EQ(h.x(5), 0u);
    EXPECT_EQ(h.x(6), 1u);
    EXPECT_EQ(h.x(7), 1u);
    EXPECT_EQ(h.x(8), 1u);
    EXPECT_EQ(h.r32(D), 42u);
    EXPECT_EQ(h.r32(D + 4), 7u);
}

TEST(IsaExec, TrapDropsTheReservation)
{
    CoreHarness h;
    h.w32(D, 1);
    h.x(1) = D;
    h.x(2) = 9;
    rv_csr_write(&h.core, RV_CSR_MTVEC, B + 0x100);
    h.program({enc::amo(0x02, 0, 1, 3), enc::ecall});
    h.program({enc::amo(0x03, 2, 1, 5)}, B + 0x100); // handler: sc.w
    h.core.pc = B;
    h.step();
    h.step(); // ecall
    h.step(); // sc.w in the handler
    EXPECT_EQ(h.x(5), 1u);
    EXPECT_EQ(h.r32(D), 1u);
}

// ---- compressed instructions ------------------------------------------------

// Executes one 16-bit instruction; the registers are set by `setup`.
template <typename F>
static void exec_c(CoreHarness &h, uint16_t insn, F setup)
{
    h.w16(B, insn);
    h.core.pc = B;
    setup(h);
    ASSERT_EQ(h.step(), RV_RUNNING);
}

TEST(IsaExec, CompressedArithmetic)
{
    struct Case {
        const char *name;
        uint16_t insn;
        unsigned rd;
        uint32_t rd_in, rs_in, want; // rs is the second source register where there is one
        unsigned rs;
    };
    // s0=x8 s1=x9 a0=x10 a1=x11 a2=x12 a3=x13 a4=x14 sp=x2
    const Case cases[] = {
        {"c.addi4spn s0,sp,16", 0x0800, 8, 0, B + 0x100, B + 0x110, 2},
        {"c.addi a0,-3", 0x1575, 10, 10, 0, 7, 0},
        {"c.li a1,-7", 0x55e5, 11, 0, 0, 0xfffffff9u, 0},
        {"c.addi16sp sp,-64", 0x7139, 2, B + 0x100, 0, B + 0xc0, 0},
        {"c.lui a2,0xfffe1", 0x7605, 12, 0, 0, 0xfffe1000u, 0},
        {"c.srli a3,4", 0x8291, 13, 0x80000000u, 0, 0x08000000u, 0},
        {"c.srai a3,4", 0x8691, 13, 0x80000000u, 0, 0xf8000000u, 0},
        {"c.andi a4,-2", 0x9b79, 14, 0xffffffffu, 0, 0xfffffffeu, 0},
        {"c.sub s0,s1", 0x8c05, 8, 5, 7, 0xfffffffeu, 9},
        {"c.xor s0,s1", 0x8c25, 8, 0xff00u, 0x0ff0u, 0xf0f0u, 9},
        {"c.or s0,s1", 0x8c45, 8, 0xff00u, 0x0ff0u, 0xfff0u, 9},
        {"c.and s0,s1", 0x8c65, 8, 0xff00u, 0x0ff0u, 0x0f00u, 9},
        {"c.slli a0,31", 0x057e, 10, 3, 0, 0x80000000u, 0},
        {"c.mv a2,a3", 0x8636, 12, 1, 0x1234u, 0x1234u, 13},
        {"c.add a2,a3", 0x9636, 12, 1, 0x1234u, 0x1235u, 13},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        exec_c(h, c.insn, [&](CoreHarness &k) {
            k.x(c.rd) = c.rd_in;
            if (c.rs)
                k.x(c.rs) = c.rs_in;
        });
        EXPECT_EQ(h.x(c.rd), c.want) << c.name;
        EXPECT_EQ(h.core.pc, B + 2) << c.name;
    }
    CoreHarness h;
    exec_c(h, 0x0001, [](CoreHarness &) {}); // c.nop
    EXPECT_EQ(h.core.pc, B + 2);
}

TEST(IsaExec, CompressedLoadsAndStores)
{
    CoreHarness h;
    h.w32(D + 4, 0xdeadbeefu);
    h.w32(D + 12, 0x01020304u);
    exec_c(h, 0x40c8, [](CoreHarness &k) { k.x(9) = D; }); // c.lw a0,4(s1)
    EXPECT_EQ(h.x(10), 0xdeadbeefu);
    exec_c(h, 0xc488, [](CoreHarness &k) { k.x(10) = 0x55u; }); // c.sw a0,8(s1)
    EXPECT_EQ(h.r32(D + 8), 0x55u);
    exec_c(h, 0x45b2, [](CoreHarness &k) { k.x(2) = D; }); // c.lwsp a1,12(sp)
    EXPECT_EQ(h.x(11), 0x01020304u);
    exec_c(h, 0xdfba, [](CoreHarness &k) { k.x(14) = 0x77u; }); // c.swsp a4,252(sp)
    EXPECT_EQ(h.r32(D + 252), 0x77u);
}

TEST(IsaExec, CompressedControlTransfer)
{
    {   // c.jal .+0x20 (RV32 only): links pc + 2
        CoreHarness h;
        exec_c(h, 0x2005, [](CoreHarness &) {});
        EXPECT_EQ(h.core.pc, B + 0x20);
        EXPECT_EQ(h.x(1), B + 2);
    }
    {   // c.j .-0x10
        CoreHarness h;
        h.w16(B + 0x20, 0xbfc5);
        h.core.pc = B + 0x20;
        h.step();
        EXPECT_EQ(h.core.pc, B + 0x10);
    }
    for (uint32_t a5 : {0u, 1u}) { // c.beqz a5,.+0x10 and c.bnez a5,.-0x8
        CoreHarness h;
        exec_c(h, 0xcb81, [&](CoreHarness &k) { k.x(15) = a5; });
        EXPECT_EQ(h.core.pc, a5 == 0 ? B + 0x10 : B + 2);
        CoreHarness g;
        g.w16(B + 0x10, 0xffe5);
        g.core.pc = B + 0x10;
        g.x(15) = a5;
        g.step();
        EXPECT_EQ(g.core.pc, a5 != 0 ? B + 0x8 : B + 0x12);
    }
    {   // c.jr ra
        CoreHarness h;
        exec_c(h, 0x8082, [](CoreHarness &k) { k.x(1) = B + 0x40; });
        EXPECT_EQ(h.core.pc, B + 0x40);
    }
    {   // c.jalr t0: links pc + 2
        CoreHarness h;
        exec_c(h, 0x9282, [](CoreHarness &k) { k.x(5) = B + 0x40; });
        EXPECT_EQ(h.core.pc, B + 0x40);
        EXPECT_EQ(h.x(1), B + 2);
    }
    {   // c.ebreak without a handler
        CoreHarness h;
        h.w16(B, 0x9002);
        EXPECT_EQ(h.run(), RV_HALTED);
        EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_BREAKPOINT);
        EXPECT_EQ(h.core.stop.insn, 0x9002u);
    }
}

TEST(IsaExec, MixedLengthInstructionStream)
{
    // A 32-bit instruction at a halfword boundary after a compressed one.
    CoreHarness h;
    h.w16(B, 0x1575);                                  // c.addi a0,-3
    h.w16(B + 2, (uint16_t)itype(100, 0));             // addi x3, x1, 100 (low half)
    h.w16(B + 4, (uint16_t)(itype(100, 0) >> 16));     //   (high half)
    h.w16(B + 6, 0x8636);                              // c.mv a2,a3
    h.x(10) = 3;
    h.x(1) = 1;
    h.x(13) = 77;
    for (int i = 0; i < 3; i++)
        h.step();
    EXPECT_EQ(h.x(10), 0u);
    EXPECT_EQ(h.x(3), 101u);
    EXPECT_EQ(h.x(12), 77u);
    EXPECT_EQ(h.core.pc, B + 8);
}

TEST(IsaExec, ReservedCompressedEncodingsAreIllegal)
{
    // c.addi4spn with a zero immediate, c.lui/c.addi16sp with zero,
    // c.jr x0, and the all-zero halfword.
    for (uint16_t w : {0x0000, 0x0004, 0x6501, 0x6101, 0x8002}) {
        CoreHarness h;
        h.w16(B, w);
        EXPECT_EQ(h.run(), RV_HALTED) << std::hex << w;
        EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_ILLEGAL_INSN) << std::hex << w;
        EXPECT_EQ(h.core.stop.tval, (uint32_t)w) << std::hex << w;
    }
}

// ---- fetch ------------------------------------------------------------------

TEST(IsaExec, FetchOutsideMemoryFaults)
{
    CoreHarness h;
    h.program({enc::nop}, B + CoreHarness::kSize - 4);
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_FETCH_ACCESS);
    EXPECT_EQ(h.core.stop.pc, B + CoreHarness::kSize);
    EXPECT_EQ(h.core.instret, 1u);

    // A 32-bit instruction whose second half lies past the end.
    CoreHarness g;
    g.w16(B + CoreHarness::kSize - 2, 0x0013);
    g.core.pc = B + CoreHarness::kSize - 2;
    EXPECT_EQ(g.run(), RV_HALTED);
    EXPECT_EQ(g.core.stop.cause, (uint32_t)RV_CAUSE_FETCH_ACCESS);
    EXPECT_EQ(g.core.stop.tval, B + CoreHarness::kSize);

    CoreHarness k;
    k.x(1) = 0x30000000u;
    k.program({enc::i(0, 1, 0, 0, 0x67)}); // jr x1
    EXPECT_EQ(k.run(), RV_HALTED);
    EXPECT_EQ(k.core.stop.cause, (uint32_t)RV_CAUSE_FETCH_ACCESS);
    EXPECT_EQ(k.core.stop.tval, 0x30000000u);
}

TEST(IsaExec, StoresToCodeInvalidateTheDecodedCopy)
{
    CoreHarness h;
    const uint32_t addi_x3_9 = enc::i(9, 0, 0, 3, 0x13);
    h.program({
        enc::i(1, 0, 0, 3, 0x13),     // 0x00 T: addi x3, x0, 1
        enc::i(0, 5, 0, 0, 0x67),     // 0x04    jr x5
    });
    h.program({
        enc::j(-0x40, 5),             // 0x40 jal x5, T
        enc::s(0, 6, 7, 2),           // 0x44 sw x6, 0(x7): rewrite T
        enc::j(-0x48, 5),             // 0x48 jal x5, T
    }, B + 0x40);
    h.x(6) = addi_x3_9;
    h.x(7) = B;
    for (int i = 0; i < 3; i++)
        h.step();
    EXPECT_EQ(h.x(3), 1u);
    for (int i = 0; i < 4; i++)
        h.step();
    EXPECT_EQ(h.x(3), 9u);
    EXPECT_EQ(h.core.pc, B + 0x4c);
}

TEST(IsaExec, FenceAndFenceIAreHarmless)
{
    CoreHarness h;
    h.program({0x0ff0000fu, 0x0000100fu, itype(1, 0)}); // fence; fence.i; addi x3,x1,1
    h.x(1) = 4;
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.x(3), 5u);
}
