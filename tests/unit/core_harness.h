/*
 * Test harness around the plain-C core engine: one core, one 64 KiB RAM at
 * 0x1C000000 with a decode cache, and an optional "device" window served by
 * a test callback. Used by the unit tests of the ISS.
 */
#ifndef ORTIGIA_TEST_CORE_HARNESS_H
#define ORTIGIA_TEST_CORE_HARNESS_H

#include <cstring>
#include <vector>

extern "C" {
#include "core.h"
#include "isa.h"
}

struct CoreHarness {
    static constexpr uint32_t kBase = 0x1C000000u;
    static constexpr uint32_t kSize = 64 * 1024;
    static constexpr uint32_t kDevBase = 0x1A100000u; /* test device window */
    static constexpr uint32_t kDevSize = 0x1000u;

    std::vector<uint8_t> ram = std::vector<uint8_t>(kSize, 0);
    rv_decode_cache dc{};
    rv_core core{};
    uint32_t latency = 0;
    /* The device: reads return dev_value; writes are logged. */
    uint32_t dev_value = 0x12345678u;
    std::vector<std::pair<uint32_t, uint32_t>> dev_writes;
    bool dev_stop_on_write = false;

    explicit CoreHarness(uint32_t mem_latency = 0) : latency(mem_latency)
    {
        rv_decode_cache_init(&dc, kBase, kSize);
        rv_core_init(&core, 0, kBase);
        rv_core_add_region(&core, kBase, kSize, ram.data(), latency, &dc);
        rv_core_set_bus(&core, &CoreHarness::bus, this);
    }
    ~CoreHarness() { rv_decode_cache_free(&dc); }
    CoreHarness(const CoreHarness &) = delete;
    CoreHarness &operator=(const CoreHarness &) = delete;

    static rv_bus_status bus(void *ctx, rv_core *, uint32_t addr, unsigned size, bool is_write,
                             uint32_t *data, uint32_t *extra)
    {
        auto *h = static_cast<CoreHarness *>(ctx);
        if (addr < kDevBase || addr + size > kDevBase + kDevSize)
            return RV_BUS_ERROR;
        *extra = 1;
        if (is_write) {
            h->dev_writes.emplace_back(addr, *data);
            return h->dev_stop_on_write ? RV_BUS_STOP : RV_BUS_OK;
        }
        *data = h->dev_value;
        return RV_BUS_OK;
    }

    /* Memory helpers (addresses are absolute). */
    void w32(uint32_t addr, uint32_t v) { std::memcpy(&ram[addr - kBase], &v, 4); rv_decode_cache_invalidate(&dc, addr, 4); }
    void w16(uint32_t addr, uint16_t v) { std::memcpy(&ram[addr - kBase], &v, 2); rv_decode_cache_invalidate(&dc, addr, 2); }
    uint32_t r32(uint32_t addr) const { uint32_t v; std::memcpy(&v, &ram[addr - kBase], 4); return v; }

    /* Place 32-bit instruction words from kBase on and reset pc there. */
    void program(const std::vector<uint32_t> &words, uint32_t at = kBase)
    {
        for (size_t i = 0; i < words.size(); i++)
            w32(at + 4 * (uint32_t)i, words[i]);
        core.pc = at;
    }

    /* Execute exactly one instruction (each costs at least one cycle). */
    rv_run_state step() { return rv_core_run(&core, core.cycle + 1); }

    /* Run until the core leaves RUNNING or `max_cycles` pass. */
    rv_run_state run(uint64_t max_cycles = 100000) { return rv_core_run(&core, core.cycle + max_cycles); }

    uint32_t &x(unsigned r) { return core.x[r]; }
};

/* Instruction encoders for tests (independent of the decoder's table). */
namespace enc {
inline uint32_t r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{ return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op; }
inline uint32_t i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{ return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op; }
inline uint32_t s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op = 0x23)
{ uint32_t u = (uint32_t)imm; return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | op; }
inline uint32_t b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{ uint32_t u = (uint32_t)imm; return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63; }
inline uint32_t u(uint32_t imm20, uint32_t rd, uint32_t op) { return imm20 << 12 | rd << 7 | op; }
inline uint32_t j(int32_t imm, uint32_t rd)
{ uint32_t u = (uint32_t)imm; return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f; }
inline uint32_t csr(uint32_t csr, uint32_t rs1, uint32_t f3, uint32_t rd) { return csr << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73; }
inline uint32_t amo(uint32_t f5, uint32_t rs2, uint32_t rs1, uint32_t rd) { return f5 << 27 | rs2 << 20 | rs1 << 15 | 2u << 12 | rd << 7 | 0x2f; }
constexpr uint32_t nop = 0x00000013u;
constexpr uint32_t ecall = 0x00000073u, ebreak = 0x00100073u, mret = 0x30200073u, wfi = 0x10500073u;
} // namespace enc

#endif
