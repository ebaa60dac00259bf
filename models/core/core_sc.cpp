#include "core_sc.h"

#include <algorithm>
#include <cstring>

OrtCore::OrtCore(sc_core::sc_module_name name, uint32_t hartid, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), cycle_(cycle)
{
    rv_core_init(&core_, hartid, 0);
    rv_core_set_bus(&core_, &OrtCore::bus_access, this);
    SC_HAS_PROCESS(OrtCore);
    SC_THREAD(run);
}

void OrtCore::add_direct_memory(uint32_t base, uint32_t size, rv_decode_cache *dc)
{
    direct_.push_back({base, size, dc});
}

bool OrtCore::acquire_dmi()
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
        uint32_t latency = (uint32_t)(dmi.get_read_latency() / cycle_);
        if (!rv_core_add_region(&core_, m.base, m.size, host, latency, m.dc)) {
            error_ = "too many direct memories";
            return false;
        }
    }
    return true;
}

/* Bring simulated time up to the core's local time. */
void OrtCore::sync()
{
    qk_.set(sc_core::sc_time::from_value(cycle_.value() * (core_.cycle - synced_cycle_)));
    qk_.sync();
    synced_cycle_ = core_.cycle;
}

void OrtCore::run()
{
    if (!acquire_dmi()) {
        end_ = End::Error;
        return;
    }
    qk_.reset();
    for (;;) {
        /* Run to the next quantum boundary, or the cycle limit. */
        uint64_t budget = std::max<uint64_t>(1, qk_.get_global_quantum().value() / cycle_.value());
        uint64_t limit = std::min(synced_cycle_ + budget, cycle_limit_);
        rv_run_state st = rv_core_run(&core_, limit);
        sync();
        if (st == RV_HALTED) {
            end_ = End::Halted;
            return;
        }
        if (st == RV_SLEEPING) {
            end_ = End::Sleeping; /* stays so if nothing ever wakes the core */
            wait(irq_event);
            end_ = End::Running;
            rv_core_wake(&core_, sc_core::sc_time_stamp().value() / cycle_.value());
            synced_cycle_ = core_.cycle;
            qk_.reset();
            continue;
        }
        if (core_.cycle >= cycle_limit_) {
            end_ = End::CycleLimit;
            return;
        }
        if (stop_requested && stop_requested()) {
            end_ = End::Halted;
            return;
        }
    }
}

rv_bus_status OrtCore::bus_access(void *ctx, rv_core *core, uint32_t addr, unsigned size,
                                  bool is_write, uint32_t *data, uint32_t *extra_cycles)
{
    OrtCore *self = static_cast<OrtCore *>(ctx);
    (void)core;
    self->sync(); /* peripherals see the right time */
    tlm::tlm_generic_payload trans;
    uint8_t buf[4];
    std::memcpy(buf, data, 4);
    trans.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(addr);
    trans.set_data_ptr(buf);
    trans.set_data_length(size);
    trans.set_streaming_width(size);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    self->socket->b_transport(trans, delay);
    if (trans.get_response_status() != tlm::TLM_OK_RESPONSE)
        return RV_BUS_ERROR;
    if (!is_write) {
        *data = 0;
        std::memcpy(data, buf, size);
    }
    /* Round the device's delay up to whole cycles. */
    uint64_t step = self->cycle_.value();
    uint64_t extra = (delay.value() + step - 1) / step;
    *extra_cycles = (uint32_t)extra;
    if (self->stop_requested && self->stop_requested())
        return RV_BUS_STOP;
    return RV_BUS_OK;
}
