// A TLM-2.0 interconnect: initiators bind to `target`, targets are added
// with an address range. Transactions are forwarded with the address made
// relative to the target's base; DMI regions are translated back.
// An address that maps to nothing gets TLM_ADDRESS_ERROR_RESPONSE.
#ifndef ORTIGIA_ROUTER_H
#define ORTIGIA_ROUTER_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

class OrtRouter : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<OrtRouter> target;

    explicit OrtRouter(sc_core::sc_module_name name);

    /* A new initiator socket for the target at [base, base + size). */
    tlm_utils::simple_initiator_socket<OrtRouter> &map(const std::string &name, uint64_t base,
                                                       uint64_t size);

private:
    struct Route {
        uint64_t base, size;
        std::unique_ptr<tlm_utils::simple_initiator_socket<OrtRouter>> socket;
    };

    Route *find(uint64_t addr);
    void b_transport(int id, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload &trans);

    std::vector<Route> routes_;
};

#endif
