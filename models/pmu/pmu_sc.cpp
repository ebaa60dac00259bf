#include "pmu_sc.h"

#include <cstring>

OrtPmu::OrtPmu(sc_core::sc_module_name name, ort_pmu *engine, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), pmu_(engine), cycle_(cycle)
{
    socket.register_b_transport(this, &OrtPmu::b_transport);
}

void OrtPmu::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
    unsigned len = trans.get_data_length();
    uint32_t data = 0;
    bool is_write = trans.is_write();
    if (is_write && len <= 4)
        memcpy(&data, trans.get_data_ptr(), len);
    /* The initiator has caught up with simulated time (see OrtCore), so
       sc_time_stamp() + delay is the access time. */
    uint64_t now = (sc_core::sc_time_stamp() + delay).value() / cycle_.value();
    uint32_t extra = 0;
    if (ort_pmu_access(pmu_, (uint32_t)trans.get_address(), len, is_write, &data, now, &extra) !=
        RV_BUS_OK) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (!is_write)
        memcpy(trans.get_data_ptr(), &data, len);
    delay += cycle_ * (1 + extra); /* one cycle on the peripheral bus, and the wake-up */
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}
