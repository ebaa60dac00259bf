// The virtual platform, assembled from a configuration: cores, the
// interconnect, L2 SRAM and the SoC control block (uart, sim control).
// Memory map: docs/architecture.md (and firmware/include/ortigia/platform.h).
#ifndef ORTIGIA_PLATFORM_H
#define ORTIGIA_PLATFORM_H

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "core_sc.h"
#include "mem_sc.h"
#include "router.h"
#include "soc_ctrl_sc.h"

extern "C" {
#include "config.h"
#include "decode_cache.h"
#include "elf_loader.h"
#include "mem.h"
#include "soc_ctrl.h"
}

constexpr uint32_t ORT_L2_BASE = 0x1C000000u;
constexpr uint32_t ORT_SOC_CTRL_BASE = 0x1A100000u;

class OrtPlatform : public sc_core::sc_module {
public:
    OrtPlatform(sc_core::sc_module_name name, const ort_config &cfg, FILE *uart_out);
    ~OrtPlatform() override;

    /* Place the program's segments and point the cores at its entry.
       False with a message when a segment lies outside every memory. */
    bool load(const ort_elf_image &img, std::string &err);

    size_t core_count() const { return cores_.size(); }
    OrtCore &core(size_t i) { return *cores_[i]; }
    const ort_soc_ctrl &soc() const { return soc_engine_; }
    sc_core::sc_time cycle_time() const { return cycle_; }
    double frequency_hz() const { return cfg_.soc_frequency_mhz * 1e6; }

private:
    ort_config cfg_;
    sc_core::sc_time cycle_;
    ort_mem l2_mem_;
    rv_decode_cache l2_dc_;
    ort_soc_ctrl soc_engine_;
    std::unique_ptr<OrtRouter> router_;
    std::unique_ptr<OrtMemory> l2_;
    std::unique_ptr<OrtSocCtrl> soc_;
    std::vector<std::unique_ptr<OrtCore>> cores_;
};

#endif
