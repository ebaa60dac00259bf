// SystemC/TLM-2.0 module around the plain-C core engine.
//
// One SC_THREAD runs the ISS in batches up to the next quantum boundary
// (temporal decoupling with tlm_quantumkeeper); no wait() per instruction.
// Memories announced with add_direct_memory() are reached through DMI
// pointers obtained from the interconnect; every other access goes through
// b_transport after the core's local time has been synchronized.
#ifndef ORTIGIA_CORE_SC_H
#define ORTIGIA_CORE_SC_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

extern "C" {
#include "core.h"
}

class OrtCore : public sc_core::sc_module {
public:
    enum class End { Running, Halted, Sleeping, CycleLimit, Error };

    tlm_utils::simple_initiator_socket<OrtCore> socket;
    /* Notified when an interrupt line of this core is raised. */
    sc_core::sc_event irq_event;
    /* Asked after every device access: should the core stop (run over)? */
    std::function<bool()> stop_requested;

    OrtCore(sc_core::sc_module_name name, uint32_t hartid, sc_core::sc_time cycle);

    rv_core &engine() { return core_; }
    const rv_core &engine() const { return core_; }
    void set_boot_address(uint32_t pc) { core_.pc = pc; }
    void set_cycle_limit(uint64_t cycles) { cycle_limit_ = cycles; }
    /* Reach [base, base+size) by DMI; dc != NULL makes it executable. */
    void add_direct_memory(uint32_t base, uint32_t size, rv_decode_cache *dc);

    End end() const { return end_; }
    const std::string &error() const { return error_; }

private:
    struct DirectMemory {
        uint32_t base, size;
        rv_decode_cache *dc;
    };

    void run();
    bool acquire_dmi();
    void sync();
    static rv_bus_status bus_access(void *ctx, rv_core *core, uint32_t addr, unsigned size,
                                    bool is_write, uint32_t *data, uint32_t *extra_cycles);

    rv_core core_;
    sc_core::sc_time cycle_;
    tlm_utils::tlm_quantumkeeper qk_;
    uint64_t synced_cycle_ = 0; /* core cycle that sc_time_stamp() stands for */
    uint64_t cycle_limit_ = UINT64_MAX;
    std::vector<DirectMemory> direct_;
    End end_ = End::Running;
    std::string error_;
};

#endif
