#include "soc_ctrl_sc.h"

#include <cstring>

OrtSocCtrl::OrtSocCtrl(sc_core::sc_module_name name, ort_soc_ctrl *engine, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), soc_(engine), cycle_(cycle)
{
    socket.register_b_transport(this, &OrtSocCtrl::b_transport);
}

void OrtSocCtrl::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
    unsigned len = trans.get_data_length();
    if (len != 1 && len != 2 && len != 4) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    uint32_t data = 0;
    bool is_write = trans.is_write();
    if (is_write)
        memcpy(&data, trans.get_data_ptr(), len);
    uint64_t now = (sc_core::sc_time_stamp() + delay).value() / cycle_.value();
    enum ort_soc_status st =
        ort_soc_ctrl_access(soc_, (uint32_t)trans.get_address(), len, is_write, &data, now);
    if (st == ORT_SOC_ERROR) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (!is_write)
        memcpy(trans.get_data_ptr(), &data, len);
    delay += cycle_; /* one cycle on the peripheral bus */
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}
