#include "router.h"

#include <algorithm>

OrtRouter::OrtRouter(sc_core::sc_module_name name) : sc_module(name), target("target")
{
    target.register_b_transport(this, &OrtRouter::b_transport);
    target.register_get_direct_mem_ptr(this, &OrtRouter::get_direct_mem_ptr);
    target.register_transport_dbg(this, &OrtRouter::transport_dbg);
}

tlm_utils::simple_initiator_socket<OrtRouter> &OrtRouter::map(const std::string &name,
                                                              uint64_t base, uint64_t size)
{
    Route r;
    r.base = base;
    r.size = size;
    r.socket = std::make_unique<tlm_utils::simple_initiator_socket<OrtRouter>>(name.c_str());
    routes_.push_back(std::move(r));
    return *routes_.back().socket;
}

OrtRouter::Route *OrtRouter::find(uint64_t addr)
{
    for (Route &r : routes_)
        if (addr >= r.base && addr - r.base < r.size)
            return &r;
    return nullptr;
}

void OrtRouter::b_transport(int, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
    uint64_t addr = trans.get_address();
    Route *r = find(addr);
    if (!r || addr - r->base + trans.get_data_length() > r->size) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    trans.set_address(addr - r->base);
    (*r->socket)->b_transport(trans, delay);
    trans.set_address(addr);
}

bool OrtRouter::get_direct_mem_ptr(int, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi)
{
    uint64_t addr = trans.get_address();
    Route *r = find(addr);
    if (!r)
        return false;
    trans.set_address(addr - r->base);
    bool ok = (*r->socket)->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);
    dmi.set_start_address(dmi.get_start_address() + r->base);
    dmi.set_end_address(std::min<uint64_t>(dmi.get_end_address() + r->base, r->base + r->size - 1));
    return ok;
}

unsigned OrtRouter::transport_dbg(int, tlm::tlm_generic_payload &trans)
{
    uint64_t addr = trans.get_address();
    Route *r = find(addr);
    if (!r)
        return 0;
    trans.set_address(addr - r->base);
    unsigned n = (*r->socket)->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}
