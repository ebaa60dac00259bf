// SystemC/TLM-2.0 target over the soc_ctrl engine (uart + sim control).
// Every access synchronizes: the initiator has already caught up with
// simulated time before calling (see OrtCore), so sc_time_stamp() + delay
// is the access time.
#ifndef ORTIGIA_SOC_CTRL_SC_H
#define ORTIGIA_SOC_CTRL_SC_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "soc_ctrl.h"
}

class OrtSocCtrl : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<OrtSocCtrl> socket;

    OrtSocCtrl(sc_core::sc_module_name name, ort_soc_ctrl *engine, sc_core::sc_time cycle);
    bool exit_requested() const { return soc_->exit_requested; }

private:
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);

    ort_soc_ctrl *soc_;
    sc_core::sc_time cycle_;
};

#endif
