#include "cluster_sc.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <tlm_utils/tlm_quantumkeeper.h>

OrtCluster::OrtCluster(sc_core::sc_module_name name, const ort_cluster_params &params,
                       sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), cycle_(cycle)
{
    char err[256];
    if (!ort_cluster_init(&cl_, &params, err, sizeof err))
        throw std::invalid_argument(err);
    ort_cluster_set_bus(&cl_, &OrtCluster::bus_access, this);
    SC_HAS_PROCESS(OrtCluster);
    SC_THREAD(run);
}

OrtCluster::~OrtCluster() { ort_cluster_free(&cl_); }

void OrtCluster::add_direct_memory(uint32_t base, uint32_t size, uint32_t latency,
                                   rv_decode_cache *dc)
{
    direct_.push_back({base, size, latency, dc});
}

bool OrtCluster::acquire_dmi()
{
    for (const DirectMemory &m : direct_) {
        tlm::tlm_generic_payload trans;
        tlm::tlm_dmi dmi;
        trans.set_command(tlm::TLM_READ_COMMAND);
        trans.set_address(m.base);
        if (!socket->get_direct_mem_ptr(trans, dmi) || !dmi.is_read_write_allowed() ||
            dmi.get_start_address() > m.base ||
            dmi.get_end_address() < (uint64_t)m.base + m.size - 1) {
            error_ = "no direct memory access granted for 0x" + std::to_string(m.base);
            return false;
        }
        uint8_t *host = dmi.get_dmi_ptr() + (m.base - dmi.get_start_address());
        if (!ort_cluster_add_memory(&cl_, m.base, m.size, host, m.latency, m.dc)) {
            error_ = "too many direct memories";
            return false;
        }
    }
    return true;
}

/* Let SystemC time catch up with the cluster's. */
void OrtCluster::sync_to(uint64_t cycle)
{
    if (cycle > synced_cycle_) {
        wait(sc_core::sc_time::from_value(cycle_.value() * (cycle - synced_cycle_)));
        synced_cycle_ = cycle;
    }
}

void OrtCluster::run()
{
    if (!acquire_dmi()) {
        end_ = End::Error;
        return;
    }
    const uint64_t quantum = std::max<uint64_t>(
        1, tlm::tlm_global_quantum::instance().get().value() / cycle_.value());
    for (;;) {
        uint64_t until = std::min({cl_.now + quantum, cycle_limit_, pause_at_});
        enum ort_cluster_result r = ort_cluster_run(&cl_, until);
        if (r == ORT_CLUSTER_HALTED) {
            end_ = End::Halted;
            sync_to(ort_cluster_cycles(&cl_));
            return;
        }
        if (r == ORT_CLUSTER_DEADLOCK) {
            end_ = End::Deadlock;
            return;
        }
        sync_to(cl_.now);
        if (cl_.now >= cycle_limit_) {
            end_ = End::CycleLimit;
            return;
        }
        if (interrupt_requested && interrupt_requested()) {
            end_ = End::Interrupted;
            return;
        }
        if (cl_.now >= pause_at_ || (boundary_hook && boundary_hook(cl_))) {
            /* sc_start returns at the end of this delta cycle; the thread
               resumes in the next one, when sc_start is called again. */
            paused_ = true;
            sc_core::sc_pause();
            wait(sc_core::SC_ZERO_TIME);
            paused_ = false;
        }
    }
}

rv_bus_status OrtCluster::bus_access(void *ctx, rv_core *core, uint32_t addr, unsigned size,
                                     bool is_write, uint32_t *data, uint32_t *extra_cycles)
{
    OrtCluster *self = static_cast<OrtCluster *>(ctx);
    tlm::tlm_generic_payload trans;
    uint8_t buf[4];
    std::memcpy(buf, data, 4);
    trans.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(addr);
    trans.set_data_ptr(buf);
    trans.set_data_length(size);
    trans.set_streaming_width(size);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    /* Loosely timed: the core is ahead of SystemC time by its local offset. */
    uint64_t ahead = core->cycle > self->synced_cycle_ ? core->cycle - self->synced_cycle_ : 0;
    sc_core::sc_time offset = sc_core::sc_time::from_value(self->cycle_.value() * ahead);
    sc_core::sc_time delay = offset;
    self->socket->b_transport(trans, delay);
    if (trans.get_response_status() != tlm::TLM_OK_RESPONSE)
        return RV_BUS_ERROR;
    if (!is_write) {
        *data = 0;
        std::memcpy(data, buf, size);
    }
    /* The device's own delay, rounded up to whole cycles. */
    uint64_t step = self->cycle_.value();
    uint64_t added = delay > offset ? (delay - offset).value() : 0;
    *extra_cycles = (uint32_t)((added + step - 1) / step);
    if (self->stop_requested && self->stop_requested())
        return RV_BUS_STOP;
    return RV_BUS_OK;
}
