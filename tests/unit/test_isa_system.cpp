// Machine-mode CSRs, traps, interrupts, wfi, and the CV32E40P cycle model
// (exact cycle counts of docs/architecture.md, "Cycle model").
#include <gtest/gtest.h>

#include "core_harness.h"

namespace {

constexpr uint32_t B = CoreHarness::kBase;
constexpr uint32_t D = B + 0x8000;
constexpr uint32_t HANDLER = B + 0x400;

// csrrw/csrrs/csrrc (f3 1..3) and their immediate forms (5..7).
uint32_t csrrw(unsigned rd, uint32_t csr, unsigned rs1) { return enc::csr(csr, rs1, 1, rd); }
uint32_t csrrs(unsigned rd, uint32_t csr, unsigned rs1) { return enc::csr(csr, rs1, 2, rd); }
uint32_t csrrc(unsigned rd, uint32_t csr, unsigned rs1) { return enc::csr(csr, rs1, 3, rd); }
uint32_t csrrwi(unsigned rd, uint32_t csr, unsigned imm) { return enc::csr(csr, imm, 5, rd); }
uint32_t csrrsi(unsigned rd, uint32_t csr, unsigned imm) { return enc::csr(csr, imm, 6, rd); }
uint32_t csrrci(unsigned rd, uint32_t csr, unsigned imm) { return enc::csr(csr, imm, 7, rd); }
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return enc::i(imm, rs1, 0, rd, 0x13); }
uint32_t lw(unsigned rd, unsigned rs1, int32_t imm) { return enc::i(imm, rs1, 2, rd, 0x03); }

// Steps `n` instructions, all of which must leave the core running.
void steps(CoreHarness &h, int n)
{
    for (int i = 0; i < n; i++)
        ASSERT_EQ(h.step(), RV_RUNNING) << "instruction " << i;
}

} // namespace

// ---- CSRs -------------------------------------------------------------------

TEST(Csr, ReadModifyWriteForms)
{
    CoreHarness h;
    h.core.mscratch = 0xf0f0f0f0u;
    h.x(1) = 0x0000ffffu;
    h.program({
        csrrs(3, RV_CSR_MSCRATCH, 1),   // x3 = old, set low bits
        csrrc(4, RV_CSR_MSCRATCH, 1),   // x4 = old, clear them
        csrrw(5, RV_CSR_MSCRATCH, 1),   // x5 = old, write
        csrrsi(6, RV_CSR_MSCRATCH, 0x10),
        csrrci(7, RV_CSR_MSCRATCH, 0x01),
        csrrwi(8, RV_CSR_MSCRATCH, 0x1f),
        csrrs(9, RV_CSR_MSCRATCH, 0),   // plain read
    });
    steps(h, 7);
    EXPECT_EQ(h.x(3), 0xf0f0f0f0u);
    EXPECT_EQ(h.x(4), 0xf0f0ffffu);
    EXPECT_EQ(h.x(5), 0xf0f00000u);
    EXPECT_EQ(h.x(6), 0x0000ffffu);
    EXPECT_EQ(h.x(7), 0x0000ffffu);
    EXPECT_EQ(h.x(8), 0x0000fffeu);
    EXPECT_EQ(h.x(9), 0x1fu);
}

TEST(Csr, IdentityRegisters)
{
    CoreHarness h;
    h.core.hartid = 5;
    h.program({csrrs(3, RV_CSR_MISA, 0), csrrs(4, RV_CSR_MHARTID, 0),
               csrrs(5, RV_CSR_MVENDORID, 0), csrrs(6, RV_CSR_MIMPID, 0)});
    h.x(5) = h.x(6) = 1;
    steps(h, 4);
    // MXL = 1 (32-bit); A, C, I, M.
    EXPECT_EQ(h.x(3), 0x40801105u);
    EXPECT_EQ(h.x(4), 5u);
    EXPECT_EQ(h.x(5), 0u);
    EXPECT_EQ(h.x(6), 0u);
}

TEST(Csr, WarlFieldsKeepOnlyLegalValues)
{
    CoreHarness h;
    h.x(1) = 0xffffffffu;
    h.program({
        csrrw(0, RV_CSR_MSTATUS, 1), csrrs(3, RV_CSR_MSTATUS, 0),
        csrrw(0, RV_CSR_MIE, 1),     csrrs(4, RV_CSR_MIE, 0),
        csrrw(0, RV_CSR_MTVEC, 1),   csrrs(5, RV_CSR_MTVEC, 0),
        csrrw(0, RV_CSR_MEPC, 1),    csrrs(6, RV_CSR_MEPC, 0),
        csrrw(0, RV_CSR_MISA, 1),    csrrs(7, RV_CSR_MISA, 0),
        csrrw(0, RV_CSR_MIP, 1),     csrrs(8, RV_CSR_MIP, 0),
    });
    steps(h, 12);
    EXPECT_EQ(h.x(3), 0x1888u);      // MIE, MPIE, MPP = M (always)
    EXPECT_EQ(h.x(4), 0xffff0888u);  // MSIE, MTIE, MEIE and the platform lines
    EXPECT_EQ(h.x(5), 0xffffff01u);  // base 256-byte aligned, modes 0 and 1 (CV32E40P)
    EXPECT_EQ(h.x(6), 0xfffffffeu);  // IALIGN = 16
    EXPECT_EQ(h.x(7), 0x40801105u);  // misa is fixed
    EXPECT_EQ(h.x(8), 0u);           // mip follows the interrupt lines
}

/* Which CSRs CV32E40P (v1, no FPU, no PMP, no user mode, one trigger;
 * docs/source/control_status_registers.rst of openhwgroup/cv32e40p) has,
 * and whether machine mode may write them: every one of the 4096 numbers
 * is checked against this table, by a read and by a write. */
static bool cv32e40p_has(unsigned csr)
{
    if ((csr >= 0x323 && csr <= 0x33F) || (csr >= 0xB03 && csr <= 0xB1F) || (csr >= 0xB83 && csr <= 0xB9F) ||
        (csr >= 0xC03 && csr <= 0xC1F) || (csr >= 0xC83 && csr <= 0xC9F) || (csr >= 0x7A0 && csr <= 0x7A4))
        return true;
    static const unsigned listed[] = {
        0x300, 0x301, 0x304, 0x305, 0x320, 0x340, 0x341, 0x342, 0x343, 0x344, 0x7A8, 0x7AA,
        0xB00, 0xB02, 0xB80, 0xB82, 0xC00, 0xC02, 0xC80, 0xC82, 0xCC0, 0xCC1, 0xCC2, 0xCC4, 0xCC5, 0xCC6,
        0xCD0, 0xCD1, 0xCD2, 0xF11, 0xF12, 0xF13, 0xF14,
        /* this model's: the PULP numbering of the hardware-loop registers */
        0x800, 0x801, 0x802, 0x804, 0x805, 0x806,
    };
    for (unsigned c : listed)
        if (c == csr)
            return true;
    return false; /* fflags/frm/fcsr (no FPU), pmp*, dcsr/dpc/dscratch (debug mode only), ... */
}

TEST(Csr, EveryCsrNumberIsLegalOrIllegalAsOnCV32E40P)
{
    int checked = 0;
    for (unsigned csr = 0; csr < 4096; csr++) {
        bool has = cv32e40p_has(csr);
        bool writable = has && (csr >> 10) != 3; /* 0xC00.. and 0xF00..: read-only */
        for (int write = 0; write < 2; write++) {
            CoreHarness h;
            h.x(1) = 0;
            h.x(3) = 0x1234u;
            h.program({write ? csrrw(3, csr, 1) : csrrs(3, csr, 0)});
            h.step();
            bool legal = write ? writable : has;
            bool trapped = h.core.state == RV_HALTED && h.core.stop.cause == (uint32_t)RV_CAUSE_ILLEGAL_INSN;
            EXPECT_EQ(trapped, !legal) << std::hex << "csr 0x" << csr << (write ? " write" : " read");
            checked++;
        }
    }
    EXPECT_EQ(checked, 8192);
}

TEST(Csr, TheTriggerAndTheRegistersCV32E40PFixes)
{
    CoreHarness h;
    h.x(1) = 0xffffffffu;
    h.program({
        csrrw(0, RV_CSR_TDATA1, 1), csrrs(3, RV_CSR_TDATA1, 0), // machine mode cannot arm it
        csrrw(0, RV_CSR_TDATA2, 1), csrrs(4, RV_CSR_TDATA2, 0),
        csrrs(5, RV_CSR_TINFO, 0),  csrrs(6, RV_CSR_TSELECT, 0),
        csrrw(0, RV_CSR_MCAUSE, 1), csrrs(7, RV_CSR_MCAUSE, 0),
        csrrw(0, RV_CSR_MTVAL, 1),  csrrs(8, RV_CSR_MTVAL, 0),
        csrrs(9, RV_CSR_PRIVLV, 0), csrrs(10, RV_CSR_UHARTID, 0),
    });
    steps(h, 12);
    EXPECT_EQ(h.x(3), 0x28001040u); // type 2, dmode, action 1, m; execute off
    EXPECT_EQ(h.x(4), 0u);
    EXPECT_EQ(h.x(5), 4u);
    EXPECT_EQ(h.x(6), 0u);
    EXPECT_EQ(h.x(7), 0x8000001fu); // interrupt bit and a 5-bit code
    EXPECT_EQ(h.x(8), 0u);          // mtval: read-only zero
    EXPECT_EQ(h.x(9), 3u);
    EXPECT_EQ(h.x(10), 0u);
    // A debugger arms it; the core reports a hit at the address.
    rv_core_debug_set_trigger(&h.core, true, B + 4);
    uint32_t v = 0;
    ASSERT_TRUE(rv_csr_read(&h.core, RV_CSR_TDATA1, &v));
    EXPECT_EQ(v, 0x28001044u);
    ASSERT_TRUE(rv_csr_read(&h.core, RV_CSR_TDATA2, &v));
    EXPECT_EQ(v, B + 4);
    h.core.pc = B + 4;
    EXPECT_TRUE(rv_core_trigger_hit(&h.core));
    h.core.pc = B + 8;
    EXPECT_FALSE(rv_core_trigger_hit(&h.core));
}

TEST(Csr, CountInhibitFreezesTheCountersAndTheyCarryIntoTheHighHalf)
{
    CoreHarness h;
    h.x(1) = 0xfffffff0u;
    h.x(2) = 5;
    h.x(11) = RV_MCOUNTINHIBIT_CY | RV_MCOUNTINHIBIT_IR;
    h.program({
        csrrw(0, RV_CSR_MCYCLE, 1),  csrrw(0, RV_CSR_MCYCLEH, 2),   // 0x5_fffffff0 at the end of these
        csrrw(0, RV_CSR_MINSTRET, 1), csrrw(0, RV_CSR_MINSTRETH, 2),
        enc::nop, enc::nop, enc::nop, enc::nop, enc::nop,
        csrrs(3, RV_CSR_MCYCLEH, 0), csrrs(4, RV_CSR_MINSTRETH, 0), // carried: the low halves wrapped
        csrrw(0, RV_CSR_MCOUNTINHIBIT, 11), csrrs(5, RV_CSR_MCYCLE, 0),
        enc::nop, enc::nop, csrrs(6, RV_CSR_MCYCLE, 0), csrrs(7, RV_CSR_MINSTRET, 0),
        csrrw(0, RV_CSR_MCOUNTINHIBIT, 0), enc::nop, csrrs(8, RV_CSR_MCYCLE, 0),
    });
    steps(h, 20);
    EXPECT_EQ(h.x(3), 6u); // 4 csrw of 4 cycles and 5 nops: past 2^32 - 16 + 16
    EXPECT_EQ(h.x(4), 5u); // 9 instructions after 0x5_fffffff0: not yet carried
    EXPECT_EQ(h.x(6), h.x(5)); // frozen
    EXPECT_EQ(h.x(8), h.x(5) + 1); // counts on from the end of the enabling write: the nop
}

TEST(Csr, UnknownAndReadOnlyCsrsAreIllegal)
{
    struct Case {
        const char *name;
        uint32_t insn;
    };
    const Case cases[] = {
        {"read of an unknown CSR", csrrs(3, 0x7c0, 0)},
        {"write to mhartid", csrrw(3, RV_CSR_MHARTID, 1)},
        {"csrrs to cycle with rs1 != x0", csrrs(3, RV_CSR_CYCLE, 1)},
        {"csrrwi to instret", csrrwi(3, RV_CSR_INSTRET, 0)},
        {"csrrsi to marchid", csrrsi(3, RV_CSR_MARCHID, 1)},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.x(1) = 0; // a register holding zero still means "write"
        h.x(3) = 0x1234u;
        h.program({c.insn});
        EXPECT_EQ(h.run(), RV_HALTED) << c.name;
        EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_ILLEGAL_INSN) << c.name;
        EXPECT_EQ(h.core.stop.tval, c.insn) << c.name;
        EXPECT_EQ(h.x(3), 0x1234u) << c.name; // rd untouched
    }
    // Reading read-only CSRs is fine.
    CoreHarness h;
    h.program({csrrs(3, RV_CSR_CYCLE, 0), csrrsi(4, RV_CSR_MHARTID, 0)});
    steps(h, 2);
}

TEST(Csr, CountersReadAtTheInstructionStart)
{
    CoreHarness h;
    h.program({enc::nop, enc::nop, enc::nop, enc::nop, enc::nop,
               csrrs(3, RV_CSR_MCYCLE, 0),     // starts at cycle 5
               csrrs(4, RV_CSR_MINSTRET, 0),   // 6 retired before it
               csrrs(5, RV_CSR_CYCLEH, 0), csrrs(6, RV_CSR_INSTRET, 0)});
    steps(h, 9);
    EXPECT_EQ(h.x(3), 5u);
    EXPECT_EQ(h.x(4), 6u);
    EXPECT_EQ(h.x(5), 0u);
    EXPECT_EQ(h.x(6), 8u);
}

TEST(Csr, WrittenCountersCountOnFromTheWrite)
{
    CoreHarness h;
    h.x(1) = 100;
    h.x(2) = 7;
    h.program({
        csrrw(0, RV_CSR_MCYCLE, 1),    // mcycle = 100 at the end of this csrw
        enc::nop,
        csrrs(3, RV_CSR_MCYCLE, 0),    // 100 + 1 (the nop)
        csrrw(0, RV_CSR_MINSTRET, 2),  // minstret = 7 after this instruction
        csrrs(4, RV_CSR_MINSTRET, 0),
        csrrw(0, RV_CSR_MCYCLEH, 2),
        csrrs(5, RV_CSR_MCYCLEH, 0),
    });
    steps(h, 7);
    EXPECT_EQ(h.x(3), 101u);
    EXPECT_EQ(h.x(4), 7u);
    EXPECT_EQ(h.x(5), 7u);
    uint32_t lo = 0;
    ASSERT_TRUE(rv_csr_read(&h.core, RV_CSR_MCYCLE, &lo));
    // mcycle kept counting: 101 at the csrr, + 4 (slow csrr) + 4 + 4 + 4 + 4.
    EXPECT_EQ(lo, 101u + 4 * 5);
}

// ---- traps ------------------------------------------------------------------

TEST(Trap, EcallEnterTheHandlerAndMretReturns)
{
    CoreHarness h;
    rv_csr_write(&h.core, RV_CSR_MTVEC, HANDLER);
    h.core.mstatus = RV_MSTATUS_MIE | RV_MSTATUS_MPP;
    h.program({enc::nop, enc::ecall, addi(3, 0, 1)});
    h.program({csrrs(10, RV_CSR_MEPC, 0), addi(10, 10, 4), csrrw(0, RV_CSR_MEPC, 10), enc::mret},
              HANDLER);
    h.core.pc = B;
    steps(h, 2);
    EXPECT_EQ(h.core.pc, HANDLER);
    EXPECT_EQ(h.core.mepc, B + 4);
    EXPECT_EQ(h.core.mcause, (uint32_t)RV_CAUSE_ECALL_M);
    EXPECT_EQ(h.core.mtval, 0u);
    EXPECT_EQ(h.core.mstatus, RV_MSTATUS_MPIE | RV_MSTATUS_MPP); // MIE -> MPIE
    EXPECT_EQ(h.core.instret, 1u);                               // ecall did not retire
    steps(h, 5);
    EXPECT_EQ(h.core.pc, B + 12);
    EXPECT_EQ(h.x(3), 1u);
    EXPECT_EQ(h.core.mstatus, RV_MSTATUS_MIE | RV_MSTATUS_MPIE | RV_MSTATUS_MPP);
}

TEST(Trap, CauseAndTvalPerException)
{
    struct Case {
        const char *name;
        uint32_t insn, cause, tval;
    };
    /* core.misaligned_traps=1 for the misaligned load */
    const Case cases[] = {
        {"illegal", 0xffffffffu, RV_CAUSE_ILLEGAL_INSN, 0xffffffffu},
        {"ebreak", enc::ebreak, RV_CAUSE_BREAKPOINT, B},
        {"ecall", enc::ecall, RV_CAUSE_ECALL_M, 0},
        {"misaligned load", lw(3, 1, 1), RV_CAUSE_MISALIGNED_LOAD, D + 1},
        {"load fault", lw(3, 2, 0), RV_CAUSE_LOAD_ACCESS, 0x30000000u},
        {"store fault", enc::s(0, 1, 2, 2), RV_CAUSE_STORE_ACCESS, 0x30000000u},
        {"unknown system instruction", 0x30500073u, RV_CAUSE_ILLEGAL_INSN,
         0x30500073u},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.core.misaligned_traps = true;
        rv_csr_write(&h.core, RV_CSR_MTVEC, HANDLER);
        h.x(1) = D;
        h.x(2) = 0x30000000u;
        h.program({c.insn});
        h.w32(HANDLER, enc::nop);
        h.core.pc = B;
        ASSERT_EQ(h.step(), RV_RUNNING) << c.name;
        EXPECT_EQ(h.core.pc, HANDLER) << c.name;
        EXPECT_EQ(h.core.mepc, B) << c.name;
        EXPECT_EQ(h.core.mcause, c.cause) << c.name;
        EXPECT_EQ(h.core.mtval, c.tval) << c.name;
    }
}

TEST(Trap, WithoutAHandlerTheCoreHaltsWithAReport)
{
    CoreHarness h;
    h.program({enc::nop, 0x0000707bu});
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.stop.kind, RV_STOP_FAULT);
    EXPECT_EQ(h.core.stop.pc, B + 4);
    EXPECT_EQ(h.core.stop.insn, 0x0000707bu);
    EXPECT_EQ(h.core.stop.cause, (uint32_t)RV_CAUSE_ILLEGAL_INSN);
    EXPECT_STREQ(rv_cause_name(h.core.stop.cause), "illegal instruction");
    // A halted core stays halted.
    EXPECT_EQ(h.run(), RV_HALTED);
    EXPECT_EQ(h.core.pc, B + 4);
}

// ---- interrupts and wfi ------------------------------------------------------

TEST(Interrupt, TakenWhenEnabledInMieAndMstatus)
{
    CoreHarness h;
    rv_csr_write(&h.core, RV_CSR_MTVEC, HANDLER);
    h.program({enc::nop, enc::nop, enc::nop});
    h.w32(HANDLER, enc::nop);
    h.core.pc = B;
    h.step();
    rv_core_set_irq(&h.core, 11, true);
    h.step(); // mie is 0: nothing happens
    EXPECT_EQ(h.core.pc, B + 8);
    h.core.mie = 1u << 11;
    h.step(); // mstatus.MIE is 0: nothing happens
    EXPECT_EQ(h.core.pc, B + 12);
    h.core.mstatus |= RV_MSTATUS_MIE;
    h.core.pc = B;
    h.step(); // taken before the instruction at pc
    EXPECT_EQ(h.core.mcause, 0x8000000bu);
    EXPECT_EQ(h.core.mepc, B);
    EXPECT_EQ(h.core.pc, HANDLER);
    EXPECT_EQ(h.core.mstatus & RV_MSTATUS_MIE, 0u);
}

TEST(Interrupt, VectoredModeAndPriority)
{
    CoreHarness h;
    rv_csr_write(&h.core, RV_CSR_MTVEC, HANDLER | 1);
    h.core.mstatus = RV_MSTATUS_MIE;
    h.core.mie = 0xffff0888u;
    for (unsigned bit : {3u, 7u, 11u, 17u})
        rv_core_set_irq(&h.core, bit, true);
    for (int i = 0; i < 32; i++)
        h.w32(HANDLER + 4 * i, enc::nop);
    h.program({enc::nop});
    // Order: platform lines (highest first), external, software, timer.
    const uint32_t expected[] = {17, 11, 3, 7};
    for (uint32_t id : expected) {
        h.core.pc = B;
        h.core.mstatus = RV_MSTATUS_MIE;
        h.step();
        EXPECT_EQ(h.core.mcause, 0x80000000u | id);
        EXPECT_EQ(h.core.pc, HANDLER + 4 * id);
        rv_core_set_irq(&h.core, id, false);
    }
    // Exceptions ignore the vector table.
    h.core.pc = B;
    h.w32(B, enc::ecall);
    h.step();
    EXPECT_EQ(h.core.pc, HANDLER);
}

TEST(Interrupt, MstatusWriteThatEnablesAPendingInterruptTakesIt)
{
    CoreHarness h;
    rv_csr_write(&h.core, RV_CSR_MTVEC, HANDLER);
    h.core.mie = 1u << 7;
    rv_core_set_irq(&h.core, 7, true);
    h.w32(HANDLER, enc::nop);
    h.program({csrrsi(0, RV_CSR_MSTATUS, RV_MSTATUS_MIE), enc::nop});
    h.step();
    EXPECT_EQ(h.core.mcause, 0x80000007u);
    EXPECT_EQ(h.core.mepc, B + 4); // after the csrrsi, before the nop
}

TEST(Wfi, SleepsUntilAnEnabledInterruptIsPending)
{
    CoreHarness h;
    h.program({enc::wfi, addi(3, 0, 5)});
    h.core.mie = 1u << 16;
    EXPECT_EQ(h.run(), RV_SLEEPING);
    EXPECT_EQ(h.core.pc, B + 4);
    EXPECT_EQ(h.core.cycle, 1u);
    EXPECT_EQ(h.run(), RV_SLEEPING); // still nothing pending
    // An enabled line wakes the core even with mstatus.MIE = 0; it then
    // continues after the wfi without taking a trap.
    rv_core_set_irq(&h.core, 16, true);
    rv_core_wake(&h.core, 50);
    EXPECT_EQ(h.core.counters.sleep_cycles, 49u);
    EXPECT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.x(3), 5u);
    EXPECT_EQ(h.core.cycle, 51u);
    // wfi with an interrupt already pending does not sleep.
    h.program({enc::wfi, enc::nop});
    EXPECT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.core.pc, B + 4);
}

// ---- cycle model --------------------------------------------------------------

// Cycles to run `prog` from B until pc reaches `end`.
static uint64_t cycles_of(CoreHarness &h, const std::vector<uint32_t> &prog, uint32_t end)
{
    h.program(prog);
    for (int i = 0; i < 1000 && h.core.pc != end; i++)
        EXPECT_EQ(h.step(), RV_RUNNING);
    EXPECT_EQ(h.core.pc, end);
    return h.core.cycle;
}

TEST(Timing, ArithmeticAndMultiply)
{
    struct Case {
        const char *name;
        uint32_t insn, a, b, cycles;
    };
    const Case cases[] = {
        {"add", enc::r(0, 2, 1, 0, 3, 0x33), 1, 2, 1},
        {"mul", enc::r(1, 2, 1, 0, 3, 0x33), 1, 2, 1},
        {"mulh", enc::r(1, 2, 1, 1, 3, 0x33), 1, 2, 5},
        {"mulhsu", enc::r(1, 2, 1, 2, 3, 0x33), 1, 2, 5},
        {"mulhu", enc::r(1, 2, 1, 3, 3, 0x33), 1, 2, 5},
        // div/rem: 3 + leading zeros of the divisor's magnitude.
        {"div by 1", enc::r(1, 2, 1, 4, 3, 0x33), 100, 1, 34},
        {"div by 0", enc::r(1, 2, 1, 4, 3, 0x33), 100, 0, 35},
        {"div by -1", enc::r(1, 2, 1, 4, 3, 0x33), 100, 0xffffffffu, 34},
        {"div by 2^16", enc::r(1, 2, 1, 4, 3, 0x33), 100, 0x10000u, 18},
        {"div by -2^31", enc::r(1, 2, 1, 4, 3, 0x33), 100, 0x80000000u, 3},
        {"divu by 2^32-1", enc::r(1, 2, 1, 5, 3, 0x33), 100, 0xffffffffu, 3},
        {"rem by 7", enc::r(1, 2, 1, 6, 3, 0x33), 100, 7, 32},
        {"remu by 0", enc::r(1, 2, 1, 7, 3, 0x33), 100, 0, 35},
    };
    for (const Case &c : cases) {
        CoreHarness h;
        h.x(1) = c.a;
        h.x(2) = c.b;
        EXPECT_EQ(cycles_of(h, {c.insn}, B + 4), c.cycles) << c.name;
    }
}

TEST(Timing, JumpsAndBranches)
{
    CoreHarness h;
    EXPECT_EQ(cycles_of(h, {enc::j(8, 1)}, B + 8), 2u); // jal
    CoreHarness g;
    g.x(5) = B + 0x20;
    g.x(6) = 0;
    // jalr whose rs1 was not written by the previous instruction: 2.
    EXPECT_EQ(cycles_of(g, {addi(6, 6, 1), enc::i(0, 5, 0, 0, 0x67)}, B + 0x20), 1u + 2u);
    CoreHarness k;
    k.x(7) = B;
    // jalr right after the instruction that computes its target: +1.
    EXPECT_EQ(cycles_of(k, {addi(5, 0, 0x40), enc::r(0, 5, 7, 0, 5, 0x33),
                            enc::i(0, 5, 0, 0, 0x67)},
                        0x40 + B),
              1u + 1 + 2 + 1);
    CoreHarness t, n;
    t.x(1) = n.x(1) = 1;
    EXPECT_EQ(cycles_of(t, {enc::b(8, 0, 1, 1)}, B + 8), 3u); // bne taken
    EXPECT_EQ(cycles_of(n, {enc::b(8, 0, 1, 0)}, B + 4), 1u); // beq not taken
    EXPECT_EQ(t.core.counters.branch_stalls, 2u);
    EXPECT_EQ(h.core.counters.branch_stalls, 1u);
}

TEST(Timing, JumpTargetAlignmentPenalty)
{
    // Landing on a 32-bit instruction at a halfword (not word) address
    // costs one more cycle; landing on a compressed one does not.
    CoreHarness a;
    a.w32(B, enc::j(6, 0));                   // jal x0, +6
    a.w16(B + 6, 0x0013);                     // addi x0,x0,0 (32-bit) at +6
    a.w16(B + 8, 0x0000);
    a.core.pc = B;
    a.step();
    EXPECT_EQ(a.core.cycle, 3u);
    EXPECT_EQ(a.core.counters.branch_stalls, 2u);
    CoreHarness c;
    c.w32(B, enc::j(6, 0));
    c.w16(B + 6, 0x0001);                     // c.nop at +6
    c.core.pc = B;
    c.step();
    EXPECT_EQ(c.core.cycle, 2u);
}

TEST(Timing, LoadUseHazard)
{
    CoreHarness h;
    h.x(1) = D;
    // Dependent: lw x3; addi x4, x3, 1 -> 1 + 1 + 1 stall.
    EXPECT_EQ(cycles_of(h, {lw(3, 1, 0), addi(4, 3, 1)}, B + 8), 3u);
    EXPECT_EQ(h.core.counters.load_use_stalls, 1u);
    CoreHarness g;
    g.x(1) = D;
    // Independent: no stall.
    EXPECT_EQ(cycles_of(g, {lw(3, 1, 0), addi(4, 5, 1)}, B + 8), 2u);
    CoreHarness s;
    s.x(1) = D;
    // The stored value comes from the load: stall too.
    EXPECT_EQ(cycles_of(s, {lw(3, 1, 0), enc::s(4, 3, 1, 2)}, B + 8), 3u);
    CoreHarness z;
    z.x(1) = D;
    // A load into x0 produces nothing.
    EXPECT_EQ(cycles_of(z, {lw(0, 1, 0), addi(4, 0, 1)}, B + 8), 2u);
}

TEST(Timing, MemoryLatencyAndDevices)
{
    CoreHarness h(15);
    h.x(1) = D;
    EXPECT_EQ(cycles_of(h, {lw(3, 1, 0), enc::s(0, 3, 1, 2)}, B + 8), 1u + 15 + 1 + 1 + 15);
    EXPECT_EQ(h.core.counters.mem_stalls, 30u);
    CoreHarness d;
    d.x(1) = CoreHarness::kDevBase;
    EXPECT_EQ(cycles_of(d, {lw(3, 1, 0)}, B + 4), 2u); // the device adds 1
}

TEST(Timing, CsrTrapAndMret)
{
    CoreHarness h;
    EXPECT_EQ(cycles_of(h, {csrrs(3, RV_CSR_MSCRATCH, 0)}, B + 4), 1u);
    CoreHarness s;
    EXPECT_EQ(cycles_of(s, {csrrs(3, RV_CSR_MSTATUS, 0)}, B + 4), 4u);
    CoreHarness t;
    rv_csr_write(&t.core, RV_CSR_MTVEC, HANDLER);
    t.w32(HANDLER, enc::mret);
    // ecall 1 + trap flush 2, then mret 2.
    t.program({enc::ecall});
    t.step();
    EXPECT_EQ(t.core.cycle, 3u);
    t.step();
    EXPECT_EQ(t.core.cycle, 5u);
    EXPECT_EQ(t.core.pc, B);
}

TEST(Timing, StallCountersAddUpToTheCycles)
{
    // A loop with loads, a load-use hazard, a multiply-high, a division and
    // a taken branch: cycles = instructions + every class of stall.
    CoreHarness h(2);
    h.x(1) = D;
    h.x(2) = 10;
    h.w32(D, 12345);
    h.program({
        lw(3, 1, 0),                       // 0x00 loop:
        addi(3, 3, 1),                     // 0x04 load-use
        enc::r(1, 3, 3, 1, 4, 0x33),       // 0x08 mulh x4, x3, x3
        enc::r(1, 2, 3, 4, 5, 0x33),       // 0x0c div x5, x3, x2
        enc::s(0, 3, 1, 2),                // 0x10 sw x3, 0(x1)
        addi(2, 2, -1),                    // 0x14
        enc::b(-0x18, 0, 2, 1),            // 0x18 bnez x2, loop
    });
    while (h.core.pc != B + 0x1c)
        ASSERT_EQ(h.step(), RV_RUNNING);
    const rv_counters &k = h.core.counters;
    EXPECT_EQ(h.core.instret, 70u);
    EXPECT_EQ(k.load_use_stalls, 10u);
    EXPECT_EQ(k.branch_stalls, 9u * 2);
    EXPECT_EQ(k.mem_stalls, 10u * 2 * 2);
    EXPECT_EQ(h.core.cycle,
              h.core.instret + k.load_use_stalls + k.branch_stalls + k.mem_stalls + k.muldiv_stalls);
    EXPECT_EQ(h.r32(D), 12355u);
}
