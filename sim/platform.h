// The virtual platform, assembled from a configuration: the cluster (cores,
// L1, event unit, DMA), the interconnect, L2 SRAM, the weight memory and
// the SoC control block (uart, sim control).
// Memory map: models/common/platform_map.h (docs/architecture.md).
#ifndef ORTIGIA_PLATFORM_H
#define ORTIGIA_PLATFORM_H

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "cluster_sc.h"
#include "mem_sc.h"
#include "pmu_sc.h"
#include "router.h"
#include "soc_ctrl_sc.h"

extern "C" {
#include "config.h"
#include "decode_cache.h"
#include "elf_loader.h"
#include "mem.h"
#include "platform_map.h"
#include "soc_ctrl.h"
}


class OrtPlatform : public sc_core::sc_module {
public:
    OrtPlatform(sc_core::sc_module_name name, const ort_config &cfg, FILE *uart_out);
    ~OrtPlatform() override;

    /* Throws std::invalid_argument for a configuration the models refuse. */
    /* Place the program's segments (L2, L1 or weight memory) and point the
       cores at its entry. False with a message when a segment lies outside
       every memory. */
    bool load(const ort_elf_image &img, std::string *err);

    size_t core_count() const { return cluster_->engine().cores; }
    rv_core &core(size_t i) { return cluster_->engine().core[i]; }
    OrtCluster &cluster() { return *cluster_; }
    const ort_cluster &cluster_engine() const { return cluster_->engine(); }
    const ort_mem &l2_memory() const { return l2_mem_; }
    const ort_mem &weight_memory() const { return wmem_; }
    const ort_soc_ctrl &soc() const { return soc_engine_; }
    ort_soc_ctrl &soc_engine() { return soc_engine_; }
    /* The power controller (NPU, weight-memory and cluster domains). */
    const ort_pmu &pmu() const { return pmu_engine_; }
    /* Read a NUL-terminated string of at most max_len characters from
       simulated memory ("" if the address is in no memory). */
    std::string read_string(uint32_t addr, size_t max_len) const;
    /* Copy n bytes at addr out of simulated memory; false unless they lie
       in one memory. */
    bool read_bytes(uint32_t addr, size_t n, uint8_t *out) const;
    /* The memory (L2, L1, weight memory) holding addr, or null: for a
       debugger, which reads and writes them directly. */
    ort_mem *memory_at(uint32_t addr);
    sc_core::sc_time cycle_time() const { return cycle_; }
    double frequency_hz() const { return cfg_.soc_frequency_mhz * 1e6; }

private:
    static bool pmu_may_switch(void *ctx, ort_pmu_domain d, bool on, char *why, size_t len);
    static void pmu_switched(void *ctx, ort_pmu_domain d, bool on, uint64_t now);
    static bool cluster_may_sleep(const ort_cluster &cl, char *why, size_t len);
    static void pmu_sleep_cluster(void *ctx, uint64_t wake_at);
    static void gated_access(void *ctx, int tag, unsigned core, uint32_t addr, bool is_write);

    ort_config cfg_;
    sc_core::sc_time cycle_;
    ort_mem l2_mem_;
    rv_decode_cache l2_dc_;
    ort_mem wmem_;
    ort_soc_ctrl soc_engine_;
    ort_pmu pmu_engine_;
    std::unique_ptr<OrtPmu> pmu_;
    std::unique_ptr<OrtRouter> router_;
    std::unique_ptr<OrtMemory> l2_;
    std::unique_ptr<OrtMemory> wmem_target_;
    std::unique_ptr<OrtSocCtrl> soc_;
    std::unique_ptr<OrtCluster> cluster_;
};

#endif
