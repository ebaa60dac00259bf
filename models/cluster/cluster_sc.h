// SystemC/TLM-2.0 module around the plain-C cluster engine.
//
// One SC_THREAD runs the cluster scheduler (cluster.h) up to the next
// quantum boundary, then lets SystemC time catch up; no wait() per
// instruction or per core. At a quantum boundary the run can pause
// (sc_pause: sc_start returns, and a later sc_start resumes where it
// stopped): when the boundary hook asks, or at a requested cycle. Memories outside the cluster (L2, weight memory)
// are reached through DMI pointers obtained from the interconnect; every
// other address outside the cluster goes out through b_transport, with the
// accessing core's local time as the annotated delay.
#ifndef ORTIGIA_CLUSTER_SC_H
#define ORTIGIA_CLUSTER_SC_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

extern "C" {
#include "cluster.h"
}

class OrtCluster : public sc_core::sc_module {
public:
    enum class End { Running, Halted, CycleLimit, Deadlock, Interrupted, Error };

    tlm_utils::simple_initiator_socket<OrtCluster> socket;
    /* Asked after every device access: should the run stop (sim exit)? */
    std::function<bool()> stop_requested;
    /* Asked at every quantum boundary (SystemC time caught up): true
       pauses the run there. A pause at a quantum boundary changes nothing
       in the simulation (the boundary is there anyway). */
    std::function<bool(const ort_cluster &)> boundary_hook;
    /* Asked at every quantum boundary: true ends the run there
       (End::Interrupted), as a signal asks. */
    std::function<bool()> interrupt_requested;

    /* Throws std::invalid_argument with a message naming the bad parameter. */
    OrtCluster(sc_core::sc_module_name name, const ort_cluster_params &params,
               sc_core::sc_time cycle);
    ~OrtCluster() override;

    ort_cluster &engine() { return cl_; }
    const ort_cluster &engine() const { return cl_; }
    void set_cycle_limit(uint64_t cycles) { cycle_limit_ = cl_.limit = cycles; }
    /* Pause when the cluster reaches `cycle` (UINT64_MAX: never): at the
       first slice boundary at or after it, so pausing changes nothing. */
    void set_pause_at(uint64_t cycle) { pause_at_ = cycle; }
    /* The run is paused (sc_start returned, the thread waits to resume). */
    bool paused() const { return paused_; }
    /* Reach [base, base+size) by DMI with this latency; dc != NULL makes it
       executable. */
    void add_direct_memory(uint32_t base, uint32_t size, uint32_t latency, rv_decode_cache *dc);

    End end() const { return end_; }
    const std::string &error() const { return error_; }

private:
    struct DirectMemory {
        uint32_t base, size, latency;
        rv_decode_cache *dc;
    };

    void run();
    bool acquire_dmi();
    void sync_to(uint64_t cycle);
    static rv_bus_status bus_access(void *ctx, rv_core *core, uint32_t addr, unsigned size,
                                    bool is_write, uint32_t *data, uint32_t *extra_cycles);

    ort_cluster cl_;
    sc_core::sc_time cycle_;
    uint64_t synced_cycle_ = 0; /* the cycle sc_time_stamp() stands for */
    uint64_t cycle_limit_ = UINT64_MAX;
    uint64_t pause_at_ = UINT64_MAX;
    bool paused_ = false;
    std::vector<DirectMemory> direct_;
    End end_ = End::Running;
    std::string error_;
};

#endif
