#include "platform.h"

#include <cstring>
#include <stdexcept>

static void invalidate_decoded(void *ctx, uint32_t addr, uint32_t len)
{
    rv_dcache_invalidate(static_cast<rv_decode_cache *>(ctx), addr, len);
}

OrtPlatform::OrtPlatform(sc_core::sc_module_name name, const ort_config &cfg, FILE *uart_out)
    : sc_module(name), cfg_(cfg), cycle_(1e6 / cfg.soc_frequency_mhz, sc_core::SC_PS)
{
    if (!ort_mem_init(&l2_mem_, "l2", ORT_L2_BASE, cfg.l2_size, cfg.l2_latency) ||
        !rv_dcache_init(&l2_dc_, ORT_L2_BASE, cfg.l2_size))
        throw std::runtime_error("out of memory for L2");
    l2_mem_.on_write = invalidate_decoded;
    l2_mem_.on_write_ctx = &l2_dc_;
    ort_soc_ctrl_init(&soc_engine_, uart_out);

    router_ = std::make_unique<OrtRouter>("router");
    l2_ = std::make_unique<OrtMemory>("l2", &l2_mem_, cycle_);
    soc_ = std::make_unique<OrtSocCtrl>("soc_ctrl", &soc_engine_, cycle_);
    router_->map("to_l2", ORT_L2_BASE, cfg.l2_size).bind(l2_->socket);
    router_->map("to_soc_ctrl", ORT_SOC_CTRL_BASE, ORT_SOC_CTRL_SIZE).bind(soc_->socket);

    auto core = std::make_unique<OrtCore>("core0", 0, cycle_);
    core->socket.bind(router_->target);
    core->add_direct_memory(ORT_L2_BASE, cfg.l2_size, &l2_dc_);
    const OrtSocCtrl *soc = soc_.get();
    core->stop_requested = [soc] { return soc->exit_requested(); };
    cores_.push_back(std::move(core));
}

OrtPlatform::~OrtPlatform()
{
    cores_.clear();
    soc_.reset();
    l2_.reset();
    router_.reset();
    rv_dcache_free(&l2_dc_);
    ort_mem_free(&l2_mem_);
}

bool OrtPlatform::load(const ort_elf_image &img, std::string &err)
{
    for (size_t i = 0; i < img.segment_count; i++) {
        const ort_elf_segment &s = img.segments[i];
        if (!ort_mem_contains(&l2_mem_, s.addr, s.mem_size)) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "segment %zu [0x%08x, 0x%08llx) lies outside every memory "
                     "(L2 is [0x%08x, 0x%08llx))",
                     i, s.addr, (unsigned long long)s.addr + s.mem_size, l2_mem_.base,
                     (unsigned long long)l2_mem_.base + l2_mem_.size);
            err = msg;
            return false;
        }
        ort_mem_write(&l2_mem_, s.addr, s.data, s.file_size);
        std::memset(l2_mem_.data + (s.addr - l2_mem_.base) + s.file_size, 0,
                    s.mem_size - s.file_size);
    }
    /* Loading is not activity of the simulated chip. */
    l2_mem_.writes = l2_mem_.write_bytes = 0;
    uint32_t tohost = 0;
    bool has_tohost = ort_elf_find_symbol(&img, "tohost", &tohost);
    for (auto &c : cores_) {
        c->set_boot_address(img.entry);
        if (has_tohost)
            rv_core_set_tohost(&c->engine(), tohost);
    }
    return true;
}
