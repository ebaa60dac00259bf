#include "power.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "platform.h"

extern "C" {
#include "power_trace.h"
#include "vcd.h"
}

std::string ort_power_default_model()
{
    const char *env = std::getenv("ORTIGIA_POWER_MODEL");
    if (env && *env)
        return env;
    return ORTIGIA_POWER_MODEL_DEFAULT;
}

/* The model ort_power_preload parsed, and its path. */
static std::string preloaded_path;
static std::unique_ptr<ort_power_model> preloaded;

bool ort_power_preload(const std::string &path)
{
    auto m = std::make_unique<ort_power_model>();
    char msg[700];
    if (!ort_power_model_load(m.get(), path.c_str(), msg, sizeof msg))
        return false;
    preloaded = std::move(m);
    preloaded_path = path;
    return true;
}

bool ort_power_setup(const ort_config &cfg, const std::string &model_path,
                     ort_power_model *model, unsigned *opp, std::string *err)
{
    char msg[700];
    if (preloaded && model_path == preloaded_path) {
        *model = *preloaded;
    } else if (!ort_power_model_load(model, model_path.c_str(), msg, sizeof msg)) {
        *err = std::string("power model: ") + msg;
        return false;
    }
    /* The components that are not cluster devices (those are checked
       against the platform's device table: ort_power_check_devices). */
    for (const char *kind : {"core", "l1", "l2", "wmem", "interconnect", "soc"}) {
        if (!ort_power_model_kind(model, kind)) {
            *err = "power model: " + model_path + ": components." + kind +
                   ": missing (the platform has this component)";
            return false;
        }
    }
    if (!cfg.soc_opp[0]) {
        *opp = model->default_opp;
        return true;
    }
    int o = ort_power_model_opp(model, cfg.soc_opp);
    if (o < 0) {
        std::string names;
        for (unsigned i = 0; i < model->n_opps; i++)
            names += (i ? ", " : "") + std::string(model->opp[i].name);
        *err = std::string("'soc.opp' = '") + cfg.soc_opp + "' is not an operating point of " +
               model_path + " (" + names + ")";
        return false;
    }
    *opp = (unsigned)o;
    return true;
}

bool ort_power_check_devices(const ort_cluster &cl, const ort_power_model &m,
                             const std::string &model_path, std::string *err)
{
    for (unsigned d = 0; d < cl.n_dev; d++) {
        const ort_device &dev = cl.dev[d];
        const ort_power_kind *k = ort_power_model_kind(&m, dev.name);
        if (!k) {
            *err = "power model: " + model_path + ": components." + dev.name +
                   ": missing (the platform has this component)";
            return false;
        }
        for (unsigned e = 0; e <= k->n_events; e++) {
            const char *counter = e < k->n_events ? k->event_counter[e] : k->active_counter;
            if (!counter[0] || ort_counter_find(dev.counters, dev.n_counters, counter))
                continue;
            std::string have;
            for (unsigned i = 0; i < dev.n_counters; i++)
                have += (i ? ", " : "") + std::string(dev.counters[i].name);
            *err = "power model: " + model_path + ": components." + k->name + "." +
                   (e < k->n_events ? "counters." + std::string(k->event[e]) : "active_cycles") +
                   ": device '" + dev.name + "' has no counter '" + counter + "' (it has " +
                   have + ")";
            return false;
        }
    }
    return true;
}

namespace {

/* A new activity record for component `name` of kind `kind`. */
ort_power_activity *add(ort_power_report *r, const ort_power_model &m, const char *kind,
                      const char *name)
{
    ort_power_activity *a = &r->activity[r->n++];
    std::memset(a, 0, sizeof *a);
    std::snprintf(a->name, sizeof a->name, "%s", name);
    a->kind = ort_power_model_kind(&m, kind);
    return a;
}

/* Add `count` to event `event` if the model prices it (events the model
   does not list cost nothing: a model may leave them out). */
void count(ort_power_activity *a, const char *event, uint64_t n)
{
    int e = ort_power_kind_event(a->kind, event);
    if (e >= 0)
        a->events[e] += n;
}

const char *const kWidth[3] = {"8", "16", "32"};

/* Accesses of every core to the memory at `base`, by width. */
void memory_events(const ort_cluster &cl, uint32_t base, ort_power_activity *a, uint64_t *total)
{
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &c = cl.core[i];
        for (unsigned k = 0; k < c.n_regions; k++) {
            const rv_region &reg = c.regions[k];
            if (reg.base != base)
                continue;
            for (unsigned w = 0; w < 3; w++) {
                count(a, (std::string("read") + kWidth[w]).c_str(), reg.reads[w]);
                count(a, (std::string("write") + kWidth[w]).c_str(), reg.writes[w]);
                *total += reg.reads[w] + reg.writes[w];
            }
        }
    }
}

/* A switchable domain's power-gated cycles up to `cycles` (taken from its
   idle time: a domain is off only when idle, pmu_may_switch sees to it)
   and its power-ups. A kind the model cannot power-gate keeps them as
   clock-gated time (the engine would price them at the full leakage).
   The cluster's components: the cores slept through a cluster sleep (the
   writing core at its store), so their power-gated time is clock-gated
   time; the L1 and the event unit are counted active all the time. */
void power_states(const ort_pmu &pmu, ort_pmu_domain d, uint64_t cycles, ort_power_activity *a)
{
    if (!a->kind->gateable)
        return;
    uint64_t off = std::min(ort_pmu_off_cycles(&pmu, d, cycles), cycles);
    uint64_t &idle = a->state_cycles[a->state_cycles[ORT_POWER_CLOCK_GATED] ? ORT_POWER_CLOCK_GATED
                                                                            : ORT_POWER_ACTIVE];
    off = std::min(off, idle);
    idle -= off;
    a->state_cycles[ORT_POWER_POWER_GATED] = off;
    a->wakeups = ort_pmu_wakeups(&pmu, d, cycles);
}

} // namespace

void ort_power_collect(const OrtPlatform &p, const ort_power_model &m, unsigned opp,
                       uint64_t cycles, ort_power_report *r)
{
    std::memset(r, 0, sizeof *r);
    r->opp = opp;
    r->cycles = cycles;
    const ort_cluster &cl = p.cluster_engine();
    const ort_pmu &pmu = p.pmu();
    uint64_t soc_accesses = 0;
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &c = cl.core[i];
        char name[16];
        std::snprintf(name, sizeof name, "core%u", i);
        ort_power_activity *a = add(r, m, "core", name);
        uint64_t by_class[RV_CLASS_COUNT];
        rv_core_count_classes(&c, by_class);
        for (unsigned k = 0; k < RV_CLASS_COUNT; k++)
            count(a, rv_insn_class_name((rv_insn_class)k), by_class[k]);
        uint64_t ran = c.cycle < cycles ? c.cycle : cycles;
        uint64_t active = ran > c.counters.sleep_cycles ? ran - c.counters.sleep_cycles : 0;
        a->state_cycles[ORT_POWER_ACTIVE] = active;
        a->state_cycles[ORT_POWER_CLOCK_GATED] = cycles - active;
        power_states(pmu, ORT_PMU_CLUSTER, cycles, a);
        soc_accesses += c.counters.device_accesses;
    }
    ort_power_activity *l1 = add(r, m, "l1", "l1");
    uint64_t core_l1 = 0;
    memory_events(cl, ORT_L1_BASE, l1, &core_l1);
    count(l1, "dma_word", cl.tcdm.accesses > core_l1 ? cl.tcdm.accesses - core_l1 : 0);
    l1->state_cycles[ORT_POWER_ACTIVE] = cycles;
    power_states(pmu, ORT_PMU_CLUSTER, cycles, l1);

    struct {
        const char *kind;
        const ort_mem &mem;
    } outer[] = {{"l2", p.l2_memory()}, {"wmem", p.weight_memory()}};
    for (auto &o : outer) {
        ort_power_activity *a = add(r, m, o.kind, o.kind);
        uint64_t core_accesses = 0;
        memory_events(cl, o.mem.base, a, &core_accesses);
        count(a, "dma_byte", o.mem.read_bytes + o.mem.write_bytes);
        a->state_cycles[ORT_POWER_ACTIVE] = cycles;
        soc_accesses += core_accesses;
        if (&o.mem == &p.weight_memory())
            power_states(pmu, ORT_PMU_WMEM, cycles, a);
    }

    /* Cluster devices: their events come from their counters, as the model
       file maps them (ort_power_check_devices has checked the names). */
    for (unsigned k = 0; k < m.n_kinds; k++) {
        const ort_power_kind &kind = m.kind[k];
        const ort_device *dev = kind.device[0] ? ort_cluster_device(&cl, kind.device) : nullptr;
        if (!dev)
            continue;
        ort_power_activity *a = add(r, m, kind.name, kind.name);
        for (unsigned e = 0; e < kind.n_events; e++) {
            const ort_counter *c =
                ort_counter_find(dev->counters, dev->n_counters, kind.event_counter[e]);
            if (c)
                a->events[e] += ort_counter_value(c, dev->ctx);
        }
        const ort_counter *busy =
            ort_counter_find(dev->counters, dev->n_counters, kind.active_counter);
        uint64_t active = busy ? std::min(ort_counter_value(busy, dev->ctx), cycles) : cycles;
        a->state_cycles[ORT_POWER_ACTIVE] = active;
        a->state_cycles[ORT_POWER_CLOCK_GATED] = cycles - active;
        /* Every cluster device is in the cluster's domain but the NPU. */
        power_states(pmu, std::strcmp(kind.device, "npu") == 0 ? ORT_PMU_NPU : ORT_PMU_CLUSTER,
                     cycles, a);
    }

    ort_power_activity *icn = add(r, m, "interconnect", "interconnect");
    count(icn, "access", soc_accesses);
    icn->state_cycles[ORT_POWER_ACTIVE] = cycles;

    ort_power_activity *soc = add(r, m, "soc", "soc");
    soc->state_cycles[ORT_POWER_ACTIVE] = cycles;

    ort_power_report_compute(&m, r);
}

/* ---- regions ---------------------------------------------------------------- */

OrtRegionRecorder::OrtRegionRecorder(OrtPlatform &p, const ort_power_model &model, unsigned opp)
    : platform_(p), model_(model), opp_(opp)
{
    ort_soc_ctrl &soc = p.soc_engine();
    soc.region = &OrtRegionRecorder::hook;
    soc.region_ctx = this;
}

std::unique_ptr<ort_power_report> OrtRegionRecorder::snapshot(uint64_t cycle) const
{
    auto r = std::make_unique<ort_power_report>();
    ort_power_collect(platform_, model_, opp_, cycle, r.get());
    return r;
}

void OrtRegionRecorder::hook(void *ctx, bool begin, uint32_t id, uint32_t label, uint64_t now)
{
    auto *self = static_cast<OrtRegionRecorder *>(ctx);
    Mark m;
    m.begin = begin;
    m.id = id;
    m.label = label ? self->platform_.read_string(label, ORT_POWER_LABEL - 1) : std::string();
    m.cycle = now;
    m.snapshot = self->snapshot(now);
    self->marks_.push_back(std::move(m));
}

/* Activity between two snapshots: the later minus the earlier. */
static std::unique_ptr<ort_power_report> difference(const ort_power_model &model,
                                                  const ort_power_report &a,
                                                  const ort_power_report &b)
{
    auto d = std::make_unique<ort_power_report>(b);
    d->cycles = b.cycles > a.cycles ? b.cycles - a.cycles : 0;
    for (unsigned i = 0; i < d->n; i++) {
        for (unsigned e = 0; e < ORT_POWER_MAX_EVENTS; e++)
            d->activity[i].events[e] -= std::min(a.activity[i].events[e], b.activity[i].events[e]);
        for (unsigned s = 0; s < ORT_POWER_STATES; s++)
            d->activity[i].state_cycles[s] -=
                std::min(a.activity[i].state_cycles[s], b.activity[i].state_cycles[s]);
        d->activity[i].wakeups -= std::min(a.activity[i].wakeups, b.activity[i].wakeups);
    }
    ort_power_report_compute(&model, d.get());
    return d;
}

OrtRegions OrtRegionRecorder::finish(uint64_t end_cycle, std::vector<std::string> *warnings)
{
    OrtRegions regions;
    std::vector<std::pair<size_t, const Mark *>> open; /* region index, its begin mark */
    auto close = [&](size_t at, const ort_power_report &end_snap, uint64_t end) {
        size_t i = open[at].first;
        regions.reports[i] = difference(model_, *open[at].second->snapshot, end_snap);
        regions.list[i].end = end;
        regions.list[i].report = regions.reports[i].get();
        open.erase(open.begin() + (long)at);
    };
    for (const Mark &m : marks_) {
        if (m.begin) {
            ort_power_region reg{};
            reg.id = m.id;
            std::snprintf(reg.label, sizeof reg.label, "%s", m.label.c_str());
            reg.begin = m.cycle;
            reg.end = m.cycle;
            reg.parent = open.empty() ? -1 : (int)open.back().first;
            reg.depth = (unsigned)open.size();
            regions.list.push_back(reg);
            regions.reports.emplace_back();
            open.push_back({regions.list.size() - 1, &m});
            continue;
        }
        size_t at = open.size();
        while (at > 0 && regions.list[open[at - 1].first].id != m.id)
            at--;
        if (at == 0) {
            warnings->push_back("region " + std::to_string(m.id) + " ended at cycle " +
                                std::to_string(m.cycle) + " but was not open: ignored");
            continue;
        }
        if (at != open.size())
            warnings->push_back("region " + std::to_string(m.id) + " ended at cycle " +
                                std::to_string(m.cycle) + " before the regions inside it");
        close(at - 1, *m.snapshot, m.cycle);
    }
    if (!open.empty()) {
        auto last = snapshot(end_cycle);
        while (!open.empty()) {
            warnings->push_back("region " + std::to_string(regions.list[open.back().first].id) +
                                " was never ended: closed at the end of the run");
            close(open.size() - 1, *last, end_cycle);
        }
    }
    return regions;
}

/* ---- power over time ---------------------------------------------------------- */

OrtPowerTrace::OrtPowerTrace(OrtPlatform &p, const ort_power_model &model, unsigned opp,
                             uint64_t window)
    : platform_(p), model_(model), opp_(opp)
{
    prev_ = std::make_unique<ort_power_report>();
    ort_power_collect(p, model, opp, 0, prev_.get());
    prev_cores_ = core_marks(0);
    ort_cluster_set_sampling(&p.cluster().engine(), window, &OrtPowerTrace::sample, this);
}

std::vector<OrtPowerTrace::CoreMark> OrtPowerTrace::core_marks(uint64_t cycle) const
{
    const ort_cluster &cl = platform_.cluster_engine();
    std::vector<CoreMark> marks(cl.cores);
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &c = cl.core[i];
        const rv_counters &n = c.counters;
        uint64_t sleep = n.sleep_cycles;
        if (c.state != RV_RUNNING && cycle > c.cycle) /* asleep or halted since c.cycle */
            sleep += cycle - c.cycle;
        marks[i].sleep = sleep;
        marks[i].stall = n.load_use_stalls + n.branch_stalls + n.mem_stalls + n.tcdm_stalls +
                         n.muldiv_stalls;
    }
    return marks;
}

void OrtPowerTrace::sample(void *ctx, uint64_t cycle)
{
    static_cast<OrtPowerTrace *>(ctx)->close_window(cycle);
}

OrtPowerTrace::~OrtPowerTrace()
{
    for (Output *o : {&csv_, &vcd_})
        if (o->file)
            fclose(o->file);
}

bool OrtPowerTrace::open(const std::string &csv_path, const std::string &vcd_path,
                         double frequency_mhz, std::string *err)
{
    frequency_mhz_ = frequency_mhz;
    for (auto [o, path] : {std::pair{&csv_, &csv_path}, std::pair{&vcd_, &vcd_path}}) {
        if (path->empty())
            continue;
        o->path = *path;
        o->file = fopen(path->c_str(), "w");
        if (!o->file) {
            *err = "cannot write '" + *path + "': " + strerror(errno);
            return false;
        }
    }
    return true;
}

/* A window to the files (the header with the first) and to the chart. */
void OrtPowerTrace::write(const ort_power_window &w)
{
    if (!header_written_) {
        if (csv_.file)
            ort_power_trace_csv_header(csv_.file, &w);
        if (vcd_.file)
            ort_vcd_power_header(vcd_.file, &w);
        header_written_ = true;
    }
    if (csv_.file)
        ort_power_trace_csv_row(csv_.file, &w);
    if (vcd_.file)
        ort_vcd_power_window(vcd_.file, &w, frequency_mhz_);
    points_.push_back(ort_power_point_of(&w));
    if (points_.size() > kMaxPoints) {
        size_t k = 0;
        for (size_t i = 0; i + 1 < points_.size(); i += 2)
            points_[k++] = ort_power_point_merge(points_[i], points_[i + 1]);
        if (points_.size() % 2)
            points_[k++] = points_.back();
        points_.resize(k);
    }
}

void OrtPowerTrace::close_window(uint64_t cycle)
{
    if (cycle <= last_)
        return;
    auto now = std::make_unique<ort_power_report>();
    ort_power_collect(platform_, model_, opp_, cycle, now.get());
    std::vector<CoreMark> cores = core_marks(cycle);
    std::unique_ptr<ort_power_report> report = difference(model_, *prev_, *now);
    ort_power_window w{};
    w.begin = last_;
    w.end = cycle;
    w.report = report.get();
    /* Every core is a component of the report too, so the cores always
       fit; the bound only keeps the array safe. */
    w.n_cores = (unsigned)std::min<size_t>(cores.size(), ORT_POWER_MAX_INSTANCES);
    uint64_t len = cycle - last_;
    for (unsigned i = 0; i < w.n_cores; i++) {
        uint64_t sleep = cores[i].sleep - std::min(prev_cores_[i].sleep, cores[i].sleep);
        uint64_t stall = cores[i].stall - std::min(prev_cores_[i].stall, cores[i].stall);
        uint64_t run = len > sleep + stall ? len - sleep - stall : 0;
        w.core_state[i] = sleep >= run && sleep >= stall ? ORT_POWER_CORE_SLEEP
                          : stall > run                  ? ORT_POWER_CORE_STALL
                                                         : ORT_POWER_CORE_RUN;
    }
    write(w);
    prev_ = std::move(now);
    prev_cores_ = std::move(cores);
    last_ = cycle;
}

void OrtPowerTrace::close_files(uint64_t end_cycle)
{
    if (!header_written_) { /* no window: the header alone */
        if (csv_.file)
            ort_power_trace_csv_header(csv_.file, nullptr);
        if (vcd_.file)
            ort_vcd_power_header(vcd_.file, nullptr);
    } else if (vcd_.file) {
        ort_vcd_power_end(vcd_.file, end_cycle, frequency_mhz_);
    }
    for (Output *o : {&csv_, &vcd_}) {
        if (!o->file)
            continue;
        /* A failed write sets the stream's error indicator: one look at
           the end covers every row. */
        bool ok = !ferror(o->file);
        if (fclose(o->file) != 0 || !ok)
            errors_.push_back("cannot write '" + o->path + "'");
        o->file = nullptr;
    }
}

void OrtPowerTrace::finish(uint64_t end_cycle)
{
    ort_cluster_set_sampling(&platform_.cluster().engine(), 0, nullptr, nullptr);
    close_window(end_cycle);
    close_files(last_);
}
