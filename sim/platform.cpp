#include "platform.h"

#include <cstring>
#include <stdexcept>

static void invalidate_decoded(void *ctx, uint32_t addr, uint32_t len)
{
    rv_decode_cache_invalidate(static_cast<rv_decode_cache *>(ctx), addr, len);
}

OrtPlatform::OrtPlatform(sc_core::sc_module_name name, const ort_config &cfg, FILE *uart_out)
    : sc_module(name), cfg_(cfg), cycle_(1e6 / cfg.soc_frequency_mhz, sc_core::SC_PS)
{
    if (!ort_mem_init(&l2_mem_, "l2", ORT_L2_BASE, cfg.l2_size, cfg.l2_latency) ||
        !rv_decode_cache_init(&l2_dc_, ORT_L2_BASE, cfg.l2_size))
        throw std::runtime_error("out of memory for L2");
    if (!ort_mem_init(&wmem_, "wmem", ORT_WMEM_BASE, cfg.wmem_size, cfg.wmem_latency))
        throw std::runtime_error("out of memory for the weight memory");
    l2_mem_.on_write = invalidate_decoded;
    l2_mem_.on_write_ctx = &l2_dc_;
    ort_soc_ctrl_init(&soc_engine_, uart_out);
    ort_pmu_init(&pmu_engine_);
    pmu_engine_.present[ORT_PMU_NPU] = cfg.npu_enabled != 0;
    pmu_engine_.present[ORT_PMU_WMEM] = true;
    pmu_engine_.wakeup_cycles[ORT_PMU_NPU] = cfg.pmu_npu_wakeup_cycles;
    pmu_engine_.wakeup_cycles[ORT_PMU_WMEM] = cfg.pmu_wmem_wakeup_cycles;
    pmu_engine_.present[ORT_PMU_CLUSTER] = true;
    pmu_engine_.wakeup_cycles[ORT_PMU_CLUSTER] = cfg.pmu_cluster_wakeup_cycles;
    pmu_engine_.may_switch = pmu_may_switch;
    pmu_engine_.switched = pmu_switched;
    pmu_engine_.sleep_cluster = pmu_sleep_cluster;
    pmu_engine_.ctx = this;

    router_ = std::make_unique<OrtRouter>("router");
    l2_ = std::make_unique<OrtMemory>("l2", &l2_mem_, cycle_);
    wmem_target_ = std::make_unique<OrtMemory>("wmem", &wmem_, cycle_);
    soc_ = std::make_unique<OrtSocCtrl>("soc_ctrl", &soc_engine_, cycle_);
    router_->map("to_l2", ORT_L2_BASE, cfg.l2_size).bind(l2_->socket);
    router_->map("to_wmem", ORT_WMEM_BASE, cfg.wmem_size).bind(wmem_target_->socket);
    router_->map("to_soc_ctrl", ORT_SOC_PERIPH_BASE, ORT_SOC_PERIPH_WINDOW).bind(soc_->socket);
    pmu_ = std::make_unique<OrtPmu>("pmu", &pmu_engine_, cycle_);
    router_->map("to_pmu", ORT_PMU_BASE, ORT_PMU_WINDOW).bind(pmu_->socket);

    ort_cluster_params params{};
    params.cores = cfg.cluster_cores;
    params.l1_size = cfg.l1_size;
    params.l1_banks = cfg.l1_banks;
    params.slice_cycles = cfg.slice_cycles;
    params.dma_bandwidth = cfg.dma_bandwidth;
    params.dma_queue_depth = cfg.dma_queue_depth;
    params.npu_enabled = cfg.npu_enabled != 0;
    params.misaligned_traps = cfg.core_misaligned_traps != 0;
    ort_config_npu_params(&cfg, cfg.cluster_cores, &params.npu);
    cluster_ = std::make_unique<OrtCluster>("cluster", params, cycle_);
    /* The DMA reaches L2 and the weight memory directly, with their latency
       (the AXI path is not modelled separately). */
    ort_cluster_add_dma_memory(&cluster_->engine(), &l2_mem_);
    ort_cluster_add_dma_memory(&cluster_->engine(), &wmem_);
    /* The NPU reads weights from the weight memory over its own port. */
    ort_cluster_set_npu_weight_memory(&cluster_->engine(), &wmem_);
    cluster_->socket.bind(router_->target);
    cluster_->add_direct_memory(ORT_L2_BASE, cfg.l2_size, cfg.l2_latency, &l2_dc_);
    cluster_->add_direct_memory(ORT_WMEM_BASE, cfg.wmem_size, cfg.wmem_latency, nullptr);
    ort_cluster_set_gated_hook(&cluster_->engine(), gated_access, this);
    const OrtSocCtrl *soc = soc_.get();
    cluster_->stop_requested = [soc] { return soc->exit_requested(); };
}

OrtPlatform::~OrtPlatform()
{
    cluster_.reset();
    pmu_.reset();
    soc_.reset();
    wmem_target_.reset();
    l2_.reset();
    router_.reset();
    rv_decode_cache_free(&l2_dc_);
    ort_mem_free(&wmem_);
    ort_mem_free(&l2_mem_);
}

/* ---- power controller -------------------------------------------------------- */

/* A domain goes off only when nothing is using it: a switch in the middle
   of a job would make it compute garbage silently. */
bool OrtPlatform::pmu_may_switch(void *ctx, ort_pmu_domain d, bool on, char *why, size_t len)
{
    auto *self = static_cast<OrtPlatform *>(ctx);
    const ort_cluster &cl = self->cluster_->engine();
    if (on)
        return true;
    if (d == ORT_PMU_CLUSTER)
        return cluster_may_sleep(cl, why, len);
    if (cl.has_npu && !ort_npu_idle(&cl.npu)) {
        snprintf(why, len, "%s", d == ORT_PMU_NPU
                 ? "it has a job programmed, queued or running (wait for the job first)"
                 : "the NPU has a job programmed, queued or running (its weights may be there)");
        return false;
    }
    if (d == ORT_PMU_WMEM && ort_dma_next_completion(&cl.dma) != UINT64_MAX) {
        snprintf(why, len, "the DMA has transfers in flight (wait for them first)");
        return false;
    }
    return true;
}

/* The cluster sleeps (or idles) only when quiet: the writing core is the
   one running, every other one asleep (wfi, an event-unit wait) or
   halted, and no device works on its own, so nothing happens in the
   cluster until the controller's timer wakes the writing core. A core is
   judged by its state when the write reaches the controller, in the
   scheduler's order: a core still running in the same slice is running. */
bool OrtPlatform::cluster_may_sleep(const ort_cluster &cl, char *why, size_t len)
{
    for (unsigned i = 0; i < cl.cores; i++)
        if (i != cl.outer_core && cl.core[i].state == RV_RUNNING) {
            snprintf(why, len, "core %u is running (every other core must sleep: wfi or an "
                     "event-unit wait)", i);
            return false;
        }
    if (ort_dma_next_completion(&cl.dma) != UINT64_MAX) {
        snprintf(why, len, "the DMA has transfers in flight (wait for them first)");
        return false;
    }
    if (cl.has_npu && !ort_npu_idle(&cl.npu)) {
        snprintf(why, len, "the NPU has a job programmed, queued or running (wait for the job "
                 "first)");
        return false;
    }
    for (unsigned d = 0; d < cl.n_dev; d++) {
        const ort_device &dev = cl.dev[d];
        if (dev.next_event && dev.next_event(dev.ctx) != UINT64_MAX) {
            snprintf(why, len, "the %s has work under way", dev.name);
            return false;
        }
    }
    return true;
}

void OrtPlatform::pmu_sleep_cluster(void *ctx, uint64_t wake_at)
{
    auto *self = static_cast<OrtPlatform *>(ctx);
    ort_cluster_sleep_until(&self->cluster_->engine(), wake_at);
}

void OrtPlatform::pmu_switched(void *ctx, ort_pmu_domain d, bool on, uint64_t)
{
    auto *self = static_cast<OrtPlatform *>(ctx);
    ort_cluster &cl = self->cluster_->engine();
    if (d == ORT_PMU_NPU) {
        ort_cluster_gate_device(&cl, "npu", !on, ORT_PMU_NPU);
        if (!on)
            ort_npu_power_off(&cl.npu);
        return;
    }
    /* The weight memory is MRAM: non-volatile, its contents stay. */
    self->wmem_.off = !on;
    ort_cluster_gate_memory(&cl, ORT_WMEM_BASE, !on, ORT_PMU_WMEM);
}

void OrtPlatform::gated_access(void *ctx, int tag, unsigned core, uint32_t addr, bool is_write)
{
    auto *self = static_cast<OrtPlatform *>(ctx);
    ort_pmu_gated_access(&self->pmu_engine_, (ort_pmu_domain)tag, core, addr, is_write,
                         tag == ORT_PMU_NPU ? "NPU registers" : "weight memory");
}

bool OrtPlatform::load(const ort_elf_image &img, std::string *err)
{
    ort_mem *mems[] = {&l2_mem_, &cluster_->engine().l1, &wmem_};
    for (size_t i = 0; i < img.segment_count; i++) {
        const ort_elf_segment &s = img.segments[i];
        ort_mem *m = nullptr;
        for (ort_mem *cand : mems)
            if (ort_mem_contains(cand, s.addr, s.mem_size))
                m = cand;
        if (!m) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "segment %zu [0x%08x, 0x%08llx) lies outside every memory "
                     "(L2 [0x%08x, 0x%08llx), L1 [0x%08x, 0x%08llx), weight memory "
                     "[0x%08x, 0x%08llx))",
                     i, s.addr, (unsigned long long)s.addr + s.mem_size, l2_mem_.base,
                     (unsigned long long)l2_mem_.base + l2_mem_.size, mems[1]->base,
                     (unsigned long long)mems[1]->base + mems[1]->size, wmem_.base,
                     (unsigned long long)wmem_.base + wmem_.size);
            *err = msg;
            return false;
        }
        ort_mem_write(m, s.addr, s.data, s.file_size);
        std::memset(m->data + (s.addr - m->base) + s.file_size, 0, s.mem_size - s.file_size);
    }
    /* Loading is not activity of the simulated chip. */
    for (ort_mem *m : mems)
        m->writes = m->write_bytes = 0;
    uint32_t tohost = 0;
    bool has_tohost = ort_elf_find_symbol(&img, "tohost", &tohost);
    ort_cluster &cl = cluster_->engine();
    ort_cluster_boot(&cl, img.entry);
    if (has_tohost)
        for (unsigned i = 0; i < cl.cores; i++)
            rv_core_set_tohost(&cl.core[i], tohost);
    return true;
}

bool OrtPlatform::read_bytes(uint32_t addr, size_t n, uint8_t *out) const
{
    const ort_mem *mems[] = {&l2_mem_, &cluster_->engine().l1, &wmem_};
    for (const ort_mem *m : mems)
        if (ort_mem_contains(m, addr, (uint32_t)n)) {
            memcpy(out, m->data + (addr - m->base), n);
            return true;
        }
    return false;
}

ort_mem *OrtPlatform::memory_at(uint32_t addr)
{
    ort_mem *mems[] = {&l2_mem_, &cluster_->engine().l1, &wmem_};
    for (ort_mem *m : mems)
        if (ort_mem_contains(m, addr, 1))
            return m;
    return nullptr;
}

std::string OrtPlatform::read_string(uint32_t addr, size_t max_len) const
{
    const ort_mem *mems[] = {&l2_mem_, &cluster_->engine().l1, &wmem_};
    std::string out;
    for (const ort_mem *m : mems) {
        if (!ort_mem_contains(m, addr, 1))
            continue;
        for (uint32_t a = addr; out.size() < max_len && ort_mem_contains(m, a, 1); a++) {
            char ch = (char)m->data[a - m->base];
            if (!ch)
                break;
            out += (ch >= ' ' && ch <= '~') ? ch : '?';
        }
        break;
    }
    return out;
}
