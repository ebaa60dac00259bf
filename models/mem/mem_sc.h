// SystemC/TLM-2.0 target over an ort_mem engine: b_transport with the
// memory's latency, DMI for the whole memory, debug transport.
// Addresses arriving here are offsets from the memory's base (the router
// translates).
#ifndef ORTIGIA_MEM_SC_H
#define ORTIGIA_MEM_SC_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "mem.h"
}

class OrtMemory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<OrtMemory> socket;

    OrtMemory(sc_core::sc_module_name name, ort_mem *engine, sc_core::sc_time cycle);

private:
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
    unsigned transport_dbg(tlm::tlm_generic_payload &trans);
    bool access(tlm::tlm_generic_payload &trans);

    ort_mem *mem_;
    sc_core::sc_time cycle_;
};

#endif
