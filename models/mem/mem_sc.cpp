#include "mem_sc.h"

OrtMemory::OrtMemory(sc_core::sc_module_name name, ort_mem *engine, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), mem_(engine), cycle_(cycle)
{
    socket.register_b_transport(this, &OrtMemory::b_transport);
    socket.register_get_direct_mem_ptr(this, &OrtMemory::get_direct_mem_ptr);
    socket.register_transport_dbg(this, &OrtMemory::transport_dbg);
}

bool OrtMemory::access(tlm::tlm_generic_payload &trans)
{
    uint64_t off = trans.get_address();
    unsigned len = trans.get_data_length();
    if (trans.get_byte_enable_ptr() || off + len > mem_->size) {
        trans.set_response_status(trans.get_byte_enable_ptr() ? tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE
                                                              : tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    uint32_t addr = mem_->base + (uint32_t)off;
    bool ok = trans.is_read() ? ort_mem_read(mem_, addr, trans.get_data_ptr(), len)
                              : ort_mem_write(mem_, addr, trans.get_data_ptr(), len);
    trans.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return ok;
}

void OrtMemory::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
    if (access(trans)) {
        delay += cycle_ * mem_->latency;
        trans.set_dmi_allowed(true);
    }
}

bool OrtMemory::get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi)
{
    dmi.set_dmi_ptr(mem_->data);
    dmi.set_start_address(0);
    dmi.set_end_address(mem_->size - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(cycle_ * mem_->latency);
    dmi.set_write_latency(cycle_ * mem_->latency);
    return true;
}

unsigned OrtMemory::transport_dbg(tlm::tlm_generic_payload &trans)
{
    uint64_t off = trans.get_address();
    unsigned len = trans.get_data_length();
    if (off >= mem_->size)
        return 0;
    if (off + len > mem_->size)
        len = (unsigned)(mem_->size - off);
    uint8_t *p = mem_->data + off;
    if (trans.is_read())
        memcpy(trans.get_data_ptr(), p, len);
    else
        ort_mem_write(mem_, mem_->base + (uint32_t)off, trans.get_data_ptr(), len);
    return len;
}
