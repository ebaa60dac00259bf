// SystemC/TLM-2.0 target over the power controller engine (pmu.h). The
// wake-up latency of a power-on write is added to the transaction's delay,
// so the writing core stalls until the domain is up.
#ifndef ORTIGIA_PMU_SC_H
#define ORTIGIA_PMU_SC_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "pmu.h"
}

class OrtPmu : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<OrtPmu> socket;

    OrtPmu(sc_core::sc_module_name name, ort_pmu *engine, sc_core::sc_time cycle);

private:
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);

    ort_pmu *pmu_;
    sc_core::sc_time cycle_;
};

#endif
