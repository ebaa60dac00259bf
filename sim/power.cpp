#include "power.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <jansson.h>

#include "platform.h"

std::string ort_power_default_model()
{
    const char *env = std::getenv("ORTIGIA_POWER_MODEL");
    if (env && *env)
        return env;
    return ORTIGIA_POWER_MODEL_DEFAULT;
}

bool ort_power_setup(const ort_config &cfg, const std::string &model_path,
                     ort_power_model *model, unsigned *opp, std::string *err)
{
    char msg[700];
    if (!ort_power_model_load(model, model_path.c_str(), msg, sizeof msg)) {
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
        const ort_pwr_kind *k = ort_power_model_kind(&m, dev.name);
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
ort_pwr_activity *add(ort_pwr_report *r, const ort_power_model &m, const char *kind,
                      const char *name)
{
    ort_pwr_activity *a = &r->activity[r->n++];
    std::memset(a, 0, sizeof *a);
    std::snprintf(a->name, sizeof a->name, "%s", name);
    a->kind = ort_power_model_kind(&m, kind);
    return a;
}

/* Add `count` to event `event` if the model prices it (events the model
   does not list cost nothing: a model may leave them out). */
void count(ort_pwr_activity *a, const char *event, uint64_t n)
{
    int e = ort_pwr_kind_event(a->kind, event);
    if (e >= 0)
        a->events[e] += n;
}

const char *const kWidth[3] = {"8", "16", "32"};

/* Accesses of every core to the memory at `base`, by width. */
void memory_events(const ort_cluster &cl, uint32_t base, ort_pwr_activity *a, uint64_t *total)
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

} // namespace

void ort_power_collect(const OrtPlatform &p, const ort_power_model &m, unsigned opp,
                       uint64_t cycles, ort_pwr_report *r)
{
    std::memset(r, 0, sizeof *r);
    r->opp = opp;
    r->cycles = cycles;
    const ort_cluster &cl = p.cluster_engine();
    uint64_t soc_accesses = 0;
    for (unsigned i = 0; i < cl.cores; i++) {
        const rv_core &c = cl.core[i];
        char name[16];
        std::snprintf(name, sizeof name, "core%u", i);
        ort_pwr_activity *a = add(r, m, "core", name);
        uint64_t by_class[RV_CLASS_COUNT];
        rv_core_count_classes(&c, by_class);
        for (unsigned k = 0; k < RV_CLASS_COUNT; k++)
            count(a, rv_insn_class_name((rv_insn_class)k), by_class[k]);
        uint64_t ran = c.cycle < cycles ? c.cycle : cycles;
        uint64_t active = ran > c.counters.sleep_cycles ? ran - c.counters.sleep_cycles : 0;
        a->state_cycles[ORT_PWR_ACTIVE] = active;
        a->state_cycles[ORT_PWR_CLOCK_GATED] = cycles - active;
        soc_accesses += c.counters.device_accesses;
    }
    ort_pwr_activity *l1 = add(r, m, "l1", "l1");
    uint64_t core_l1 = 0;
    memory_events(cl, ORT_L1_BASE, l1, &core_l1);
    count(l1, "dma_word", cl.tcdm.accesses > core_l1 ? cl.tcdm.accesses - core_l1 : 0);
    l1->state_cycles[ORT_PWR_ACTIVE] = cycles;

    struct {
        const char *kind;
        const ort_mem &mem;
    } outer[] = {{"l2", p.l2_memory()}, {"wmem", p.weight_memory()}};
    for (auto &o : outer) {
        ort_pwr_activity *a = add(r, m, o.kind, o.kind);
        uint64_t core_accesses = 0;
        memory_events(cl, o.mem.base, a, &core_accesses);
        count(a, "dma_byte", o.mem.read_bytes + o.mem.write_bytes);
        a->state_cycles[ORT_PWR_ACTIVE] = cycles;
        soc_accesses += core_accesses;
    }

    /* Cluster devices: their events come from their counters, as the model
       file maps them (ort_power_check_devices has checked the names). */
    for (unsigned k = 0; k < m.n_kinds; k++) {
        const ort_pwr_kind &kind = m.kind[k];
        const ort_device *dev = kind.device[0] ? ort_cluster_device(&cl, kind.device) : nullptr;
        if (!dev)
            continue;
        ort_pwr_activity *a = add(r, m, kind.name, kind.name);
        for (unsigned e = 0; e < kind.n_events; e++) {
            const ort_counter *c =
                ort_counter_find(dev->counters, dev->n_counters, kind.event_counter[e]);
            if (c)
                a->events[e] += ort_counter_value(c, dev->ctx);
        }
        const ort_counter *busy =
            ort_counter_find(dev->counters, dev->n_counters, kind.active_counter);
        uint64_t active = busy ? std::min(ort_counter_value(busy, dev->ctx), cycles) : cycles;
        a->state_cycles[ORT_PWR_ACTIVE] = active;
        a->state_cycles[ORT_PWR_CLOCK_GATED] = cycles - active;
    }

    ort_pwr_activity *icn = add(r, m, "interconnect", "interconnect");
    count(icn, "access", soc_accesses);
    icn->state_cycles[ORT_PWR_ACTIVE] = cycles;

    ort_pwr_activity *soc = add(r, m, "soc", "soc");
    soc->state_cycles[ORT_PWR_ACTIVE] = cycles;

    ort_pwr_report_compute(&m, r);
}

void ort_power_print(FILE *out, const ort_power_model &m, const ort_pwr_report &r)
{
    const ort_pwr_opp &op = m.opp[r.opp];
    std::fprintf(out, "\nenergy (%s, operating point %s: %.2f V, %.0f MHz): %llu cycles, %.6g s\n",
                 m.name, op.name, op.voltage.value, op.frequency_mhz.value,
                 (unsigned long long)r.cycles, r.seconds);
    std::fprintf(out, "%-14s %12s %12s %12s %12s %10s %7s\n", "component", "dynamic uJ",
                 "background", "leakage uJ", "total uJ", "avg mW", "share");
    for (unsigned i = 0; i < r.n; i++) {
        const ort_pwr_energy &e = r.energy[i];
        std::fprintf(out, "%-14s %12.4f %12.4f %12.4f %12.4f %10.3f %6.1f%%\n", r.activity[i].name,
                     e.dynamic_j * 1e6, e.background_j * 1e6, e.leakage_j * 1e6,
                     e.total_j * 1e6, r.seconds > 0 ? e.total_j / r.seconds * 1e3 : 0,
                     r.total_j > 0 ? 100 * e.total_j / r.total_j : 0);
    }
    std::fprintf(out, "%-14s %51s %12.4f %10.3f\n", "total", "", r.total_j * 1e6, r.average_w * 1e3);
    /* Dynamic energy per event, summed over the instances of each kind. */
    std::fprintf(out, "dynamic energy by event:\n");
    for (unsigned k = 0; k < m.n_kinds; k++) {
        const ort_pwr_kind &kind = m.kind[k];
        for (unsigned e = 0; e < kind.n_events; e++) {
            double j = 0;
            uint64_t n = 0;
            for (unsigned i = 0; i < r.n; i++)
                if (r.activity[i].kind == &kind) {
                    j += r.energy[i].event_j[e];
                    n += r.activity[i].events[e];
                }
            if (n)
                std::fprintf(out, "  %-12s %-10s %14llu events %12.4f uJ\n", kind.name,
                             kind.event[e], (unsigned long long)n, j * 1e6);
        }
    }
}

/* ---- regions ---------------------------------------------------------------- */

OrtRegionRecorder::OrtRegionRecorder(OrtPlatform &p, const ort_power_model &model, unsigned opp)
    : platform_(p), model_(model), opp_(opp)
{
    ort_soc_ctrl &soc = p.soc_engine();
    soc.region = &OrtRegionRecorder::hook;
    soc.region_ctx = this;
}

std::unique_ptr<ort_pwr_report> OrtRegionRecorder::snapshot(uint64_t cycle) const
{
    auto r = std::make_unique<ort_pwr_report>();
    ort_power_collect(platform_, model_, opp_, cycle, r.get());
    return r;
}

void OrtRegionRecorder::hook(void *ctx, bool begin, uint32_t id, uint32_t label, uint64_t now)
{
    auto *self = static_cast<OrtRegionRecorder *>(ctx);
    Mark m;
    m.begin = begin;
    m.id = id;
    m.label = label ? self->platform_.read_string(label, 63) : std::string();
    m.cycle = now;
    m.snapshot = self->snapshot(now);
    self->marks_.push_back(std::move(m));
}

/* Activity between two snapshots: the later minus the earlier. */
static std::unique_ptr<ort_pwr_report> difference(const ort_power_model &model,
                                                  const ort_pwr_report &a,
                                                  const ort_pwr_report &b)
{
    auto d = std::make_unique<ort_pwr_report>(b);
    d->cycles = b.cycles > a.cycles ? b.cycles - a.cycles : 0;
    for (unsigned i = 0; i < d->n; i++) {
        for (unsigned e = 0; e < ORT_PWR_MAX_EVENTS; e++)
            d->activity[i].events[e] -= std::min(a.activity[i].events[e], b.activity[i].events[e]);
        for (unsigned s = 0; s < ORT_PWR_STATES; s++)
            d->activity[i].state_cycles[s] -=
                std::min(a.activity[i].state_cycles[s], b.activity[i].state_cycles[s]);
    }
    ort_pwr_report_compute(&model, d.get());
    return d;
}

std::vector<OrtRegion> OrtRegionRecorder::finish(uint64_t end_cycle,
                                                 std::vector<std::string> *warnings)
{
    std::vector<OrtRegion> regions;
    std::vector<std::pair<size_t, const Mark *>> open; /* region index, its begin mark */
    auto close = [&](size_t at, const ort_pwr_report &end_snap, uint64_t end) {
        OrtRegion &reg = regions[open[at].first];
        reg.end = end;
        reg.report = difference(model_, *open[at].second->snapshot, end_snap);
        open.erase(open.begin() + (long)at);
    };
    for (const Mark &m : marks_) {
        if (m.begin) {
            OrtRegion reg;
            reg.id = m.id;
            reg.label = m.label;
            reg.begin = m.cycle;
            reg.end = m.cycle;
            reg.parent = open.empty() ? -1 : (int)open.back().first;
            reg.depth = (unsigned)open.size();
            regions.push_back(std::move(reg));
            open.push_back({regions.size() - 1, &m});
            continue;
        }
        size_t at = open.size();
        while (at > 0 && regions[open[at - 1].first].id != m.id)
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
            warnings->push_back("region " + std::to_string(regions[open.back().first].id) +
                                " was never ended: closed at the end of the run");
            close(open.size() - 1, *last, end_cycle);
        }
    }
    return regions;
}

void ort_power_print_regions(FILE *out, const std::vector<OrtRegion> &regions)
{
    if (regions.empty())
        return;
    std::fprintf(out, "regions:\n%-28s %12s %12s %12s %10s\n", "  id label", "cycles", "time us",
                 "energy uJ", "avg mW");
    for (const OrtRegion &r : regions) {
        std::string name = std::string(2 + 2 * r.depth, ' ') + std::to_string(r.id) +
                           (r.label.empty() ? "" : " " + r.label);
        std::fprintf(out, "%-28s %12llu %12.3f %12.4f %10.3f\n", name.c_str(),
                     (unsigned long long)r.report->cycles, r.report->seconds * 1e6,
                     r.report->total_j * 1e6, r.report->average_w * 1e3);
    }
}

/* Per-component energy of a report, as a JSON array. */
static json_t *components_json(const ort_pwr_report &r, bool with_events)
{
    json_t *comps = json_array();
    for (unsigned i = 0; i < r.n; i++) {
        const ort_pwr_activity &a = r.activity[i];
        const ort_pwr_energy &e = r.energy[i];
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(a.name));
        json_object_set_new(c, "kind", json_string(a.kind->name));
        json_object_set_new(c, "dynamic_j", json_real(e.dynamic_j));
        json_object_set_new(c, "background_j", json_real(e.background_j));
        json_object_set_new(c, "leakage_j", json_real(e.leakage_j));
        json_object_set_new(c, "energy_j", json_real(e.total_j));
        json_object_set_new(c, "average_power_w", json_real(r.seconds > 0 ? e.total_j / r.seconds : 0));
        json_object_set_new(c, "active_cycles", json_integer((json_int_t)a.state_cycles[ORT_PWR_ACTIVE]));
        json_object_set_new(c, "clock_gated_cycles",
                            json_integer((json_int_t)a.state_cycles[ORT_PWR_CLOCK_GATED]));
        if (with_events) {
            json_t *events = json_object();
            for (unsigned k = 0; k < a.kind->n_events; k++) {
                json_t *ev = json_object();
                json_object_set_new(ev, "count", json_integer((json_int_t)a.events[k]));
                json_object_set_new(ev, "energy_j", json_real(e.event_j[k]));
                json_object_set_new(events, a.kind->event[k], ev);
            }
            json_object_set_new(c, "events", events);
        }
        json_array_append_new(comps, c);
    }
    return comps;
}

static json_t *report_json(const ort_power_model &m, const ort_pwr_report &r,
                           const std::vector<OrtRegion> &regions)
{
    const ort_pwr_opp &op = m.opp[r.opp];
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(m.name));
    json_t *point = json_object();
    json_object_set_new(point, "name", json_string(op.name));
    json_object_set_new(point, "voltage", json_real(op.voltage.value));
    json_object_set_new(point, "frequency_mhz", json_real(op.frequency_mhz.value));
    json_object_set_new(root, "operating_point", point);
    json_object_set_new(root, "cycles", json_integer((json_int_t)r.cycles));
    json_object_set_new(root, "seconds", json_real(r.seconds));
    json_object_set_new(root, "energy_j", json_real(r.total_j));
    json_object_set_new(root, "average_power_w", json_real(r.average_w));
    json_object_set_new(root, "components", components_json(r, true));
    json_t *regs = json_array();
    for (size_t i = 0; i < regions.size(); i++) {
        const OrtRegion &g = regions[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(g.id));
        json_object_set_new(j, "label", json_string(g.label.c_str()));
        json_object_set_new(j, "parent", json_integer(g.parent));
        json_object_set_new(j, "begin_cycle", json_integer((json_int_t)g.begin));
        json_object_set_new(j, "end_cycle", json_integer((json_int_t)g.end));
        json_object_set_new(j, "cycles", json_integer((json_int_t)g.report->cycles));
        json_object_set_new(j, "seconds", json_real(g.report->seconds));
        json_object_set_new(j, "energy_j", json_real(g.report->total_j));
        json_object_set_new(j, "average_power_w", json_real(g.report->average_w));
        json_object_set_new(j, "components", components_json(*g.report, false));
        json_array_append_new(regs, j);
    }
    json_object_set_new(root, "regions", regs);
    return root;
}

bool ort_power_write_json(const std::string &path, const ort_power_model &m,
                          const ort_pwr_report &r, const std::vector<OrtRegion> &regions)
{
    json_t *root = report_json(m, r, regions);
    int rc = json_dump_file(root, path.c_str(), JSON_INDENT(2));
    json_decref(root);
    return rc == 0;
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static std::string csv_field(const std::string &s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char ch : s)
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

static void csv_rows(FILE *f, long long id, const std::string &label, const ort_pwr_report &r)
{
    for (unsigned i = 0; i < r.n; i++) {
        const ort_pwr_energy &e = r.energy[i];
        std::fprintf(f, "%lld,%s,%s,%s,%llu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", id,
                     csv_field(label).c_str(), r.activity[i].name, r.activity[i].kind->name,
                     (unsigned long long)r.cycles, r.seconds, e.dynamic_j, e.background_j,
                     e.leakage_j, e.total_j, r.seconds > 0 ? e.total_j / r.seconds : 0.0);
    }
}

bool ort_power_write_csv(const std::string &path, const ort_pwr_report &r,
                         const std::vector<OrtRegion> &regions)
{
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
        return false;
    std::fprintf(f, "region_id,region_label,component,kind,cycles,seconds,dynamic_j,"
                    "background_j,leakage_j,energy_j,average_power_w\n");
    csv_rows(f, -1, "run", r);
    for (const OrtRegion &g : regions)
        csv_rows(f, g.id, g.label, *g.report);
    return std::fclose(f) == 0;
}

/* ---- power over time ---------------------------------------------------------- */

OrtPowerTrace::OrtPowerTrace(OrtPlatform &p, const ort_power_model &model, unsigned opp,
                             uint64_t window)
    : platform_(p), model_(model), opp_(opp)
{
    prev_ = std::make_unique<ort_pwr_report>();
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

void OrtPowerTrace::close_window(uint64_t cycle)
{
    if (cycle <= last_)
        return;
    auto now = std::make_unique<ort_pwr_report>();
    ort_power_collect(platform_, model_, opp_, cycle, now.get());
    std::vector<CoreMark> cores = core_marks(cycle);
    Window w;
    w.begin = last_;
    w.end = cycle;
    w.report = difference(model_, *prev_, *now);
    uint64_t len = cycle - last_;
    for (size_t i = 0; i < cores.size(); i++) {
        uint64_t sleep = cores[i].sleep - std::min(prev_cores_[i].sleep, cores[i].sleep);
        uint64_t stall = cores[i].stall - std::min(prev_cores_[i].stall, cores[i].stall);
        uint64_t run = len > sleep + stall ? len - sleep - stall : 0;
        w.core_state.push_back(sleep >= run && sleep >= stall ? SLEEP : stall > run ? STALL : RUN);
    }
    windows_.push_back(std::move(w));
    prev_ = std::move(now);
    prev_cores_ = std::move(cores);
    last_ = cycle;
}

void OrtPowerTrace::finish(uint64_t end_cycle)
{
    ort_cluster_set_sampling(&platform_.cluster().engine(), 0, nullptr, nullptr);
    close_window(end_cycle);
}

bool OrtPowerTrace::write_csv(const std::string &path) const
{
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
        return false;
    std::fprintf(f, "begin_cycle,end_cycle,seconds,total_w");
    if (!windows_.empty()) {
        const ort_pwr_report &r0 = *windows_[0].report;
        for (unsigned i = 0; i < r0.n; i++)
            std::fprintf(f, ",%s_w", r0.activity[i].name);
        for (size_t c = 0; c < windows_[0].core_state.size(); c++)
            std::fprintf(f, ",core%zu_state", c);
    }
    std::fprintf(f, "\n");
    static const char *const names[] = {"sleep", "stall", "run"};
    for (const Window &w : windows_) {
        const ort_pwr_report &r = *w.report;
        std::fprintf(f, "%llu,%llu,%.9g,%.9g", (unsigned long long)w.begin,
                     (unsigned long long)w.end, r.seconds, r.average_w);
        for (unsigned i = 0; i < r.n; i++)
            std::fprintf(f, ",%.9g", r.seconds > 0 ? r.energy[i].total_j / r.seconds : 0.0);
        for (uint8_t st : w.core_state)
            std::fprintf(f, ",%s", names[st]);
        std::fprintf(f, "\n");
    }
    return std::fclose(f) == 0;
}

/* VCD identifiers: printable characters from '!' on, two when needed. */
static std::string vcd_id(unsigned n)
{
    std::string id(1, (char)('!' + n % 94));
    if (n >= 94)
        id += (char)('!' + n / 94);
    return id;
}

bool OrtPowerTrace::write_vcd(const std::string &path, double frequency_mhz) const
{
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
        return false;
    std::fprintf(f, "$comment Ortigia power trace: component power in mW, core state "
                    "0 sleep 1 stall 2 run $end\n$timescale 1 ns $end\n$scope module ortigia $end\n");
    unsigned n_comp = windows_.empty() ? 0 : windows_[0].report->n;
    size_t n_cores = windows_.empty() ? 0 : windows_[0].core_state.size();
    std::fprintf(f, "$var real 64 %s total_power_mw $end\n", vcd_id(0).c_str());
    for (unsigned i = 0; i < n_comp; i++)
        std::fprintf(f, "$var real 64 %s %s_power_mw $end\n", vcd_id(1 + i).c_str(),
                     windows_[0].report->activity[i].name);
    for (size_t c = 0; c < n_cores; c++)
        std::fprintf(f, "$var wire 2 %s core%zu_state $end\n", vcd_id(1 + n_comp + (unsigned)c).c_str(), c);
    std::fprintf(f, "$upscope $end\n$enddefinitions $end\n");
    for (const Window &w : windows_) {
        const ort_pwr_report &r = *w.report;
        std::fprintf(f, "#%llu\n", (unsigned long long)((double)w.begin * 1000.0 / frequency_mhz + 0.5));
        std::fprintf(f, "r%.9g %s\n", r.average_w * 1e3, vcd_id(0).c_str());
        for (unsigned i = 0; i < r.n; i++)
            std::fprintf(f, "r%.9g %s\n", r.seconds > 0 ? r.energy[i].total_j / r.seconds * 1e3 : 0.0,
                         vcd_id(1 + i).c_str());
        for (size_t c = 0; c < w.core_state.size(); c++)
            std::fprintf(f, "b%d%d %s\n", (w.core_state[c] >> 1) & 1, w.core_state[c] & 1,
                         vcd_id(1 + n_comp + (unsigned)c).c_str());
    }
    if (!windows_.empty())
        std::fprintf(f, "#%llu\n", (unsigned long long)((double)windows_.back().end * 1000.0 / frequency_mhz + 0.5));
    return std::fclose(f) == 0;
}

/* ---- HTML ---------------------------------------------------------------------- */

static std::string html_escape(const std::string &t)
{
    std::string o;
    for (char ch : t) {
        switch (ch) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        default: o += ch;
        }
    }
    return o;
}

static std::string fmt(const char *f, double v)
{
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

/* Horizontal bars: one per item, stacked parts (values in the same unit). */
static std::string svg_bars(const std::vector<std::string> &names,
                            const std::vector<std::vector<double>> &parts,
                            const std::vector<std::string> &part_names, const char *unit)
{
    static const char *const colors[] = {"#d95f02", "#7570b3", "#1b9e77", "#e7298a"};
    double max = 0;
    for (const auto &p : parts) {
        double t = 0;
        for (double v : p)
            t += v;
        max = std::max(max, t);
    }
    const int row = 18, left = 140, width = 460;
    int height = (int)names.size() * row + 30;
    std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(left + width + 120) + "\" height=\"" + std::to_string(height) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    for (size_t i = 0; i < names.size(); i++) {
        int y = (int)i * row + 4;
        o += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + std::to_string(y + 12) +
             "\" text-anchor=\"end\">" + html_escape(names[i]) + "</text>\n";
        double x = left, total = 0;
        for (size_t k = 0; k < parts[i].size(); k++) {
            double w = max > 0 ? parts[i][k] / max * width : 0;
            o += "<rect x=\"" + fmt("%.2f", x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
                 fmt("%.2f", w) + "\" height=\"" + std::to_string(row - 4) + "\" fill=\"" +
                 colors[k % 4] + "\"><title>" + html_escape(part_names[k]) + ": " +
                 fmt("%.6g", parts[i][k]) + " " + unit + "</title></rect>\n";
            x += w;
            total += parts[i][k];
        }
        o += "<text x=\"" + fmt("%.2f", x + 4) + "\" y=\"" + std::to_string(y + 12) + "\">" +
             fmt("%.4g", total) + " " + unit + "</text>\n";
    }
    int ly = (int)names.size() * row + 20;
    for (size_t k = 0; k < part_names.size(); k++) {
        int lx = left + (int)k * 110;
        o += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly - 9) +
             "\" width=\"10\" height=\"10\" fill=\"" + colors[k % 4] + "\"/><text x=\"" +
             std::to_string(lx + 14) + "\" y=\"" + std::to_string(ly) + "\">" +
             html_escape(part_names[k]) + "</text>\n";
    }
    return o + "</svg>\n";
}

/* Total power over time as a line. */
static std::string svg_power(const OrtPowerTrace &t)
{
    const auto &w = t.windows();
    double tmax = 0, pmax = 0;
    for (const auto &x : w) {
        tmax = std::max(tmax, (double)x.end);
        pmax = std::max(pmax, x.report->average_w * 1e3);
    }
    const int left = 60, width = 600, height = 200;
    std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(left + width + 20) + "\" height=\"" + std::to_string(height + 40) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    o += "<line x1=\"" + std::to_string(left) + "\" y1=\"10\" x2=\"" + std::to_string(left) +
         "\" y2=\"" + std::to_string(height + 10) + "\" stroke=\"black\"/>\n";
    o += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height + 10) +
         "\" x2=\"" + std::to_string(left + width) + "\" y2=\"" + std::to_string(height + 10) +
         "\" stroke=\"black\"/>\n";
    o += "<text x=\"" + std::to_string(left - 4) + "\" y=\"14\" text-anchor=\"end\">" +
         fmt("%.3g", pmax) + " mW</text>\n";
    o += "<text x=\"" + std::to_string(left - 4) + "\" y=\"" + std::to_string(height + 10) +
         "\" text-anchor=\"end\">0</text>\n";
    o += "<text x=\"" + std::to_string(left + width) + "\" y=\"" + std::to_string(height + 26) +
         "\" text-anchor=\"end\">" + fmt("%.0f", tmax) + " cycles</text>\n";
    o += "<polyline fill=\"none\" stroke=\"#d95f02\" stroke-width=\"1.5\" points=\"";
    for (const auto &x : w) {
        double p = x.report->average_w * 1e3;
        double y = height + 10 - (pmax > 0 ? p / pmax * height : 0);
        o += fmt("%.2f", left + (tmax > 0 ? x.begin / tmax * width : 0)) + "," + fmt("%.2f", y) + " ";
        o += fmt("%.2f", left + (tmax > 0 ? x.end / tmax * width : 0)) + "," + fmt("%.2f", y) + " ";
    }
    return o + "\"/>\n</svg>\n";
}

bool ort_power_write_html(const std::string &path, const ort_power_model &m,
                          const ort_pwr_report &r, const std::vector<OrtRegion> &regions,
                          const OrtPowerTrace *trace)
{
    const ort_pwr_opp &op = m.opp[r.opp];
    std::string h = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Ortigia energy "
                    "report</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
                    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
                    "text-align:right}td:first-child,th:first-child{text-align:left}"
                    ".src{text-align:left;font-size:smaller}</style></head><body>\n";
    h += "<h1>Energy report</h1>\n<p>Model <b>" + html_escape(m.name) + "</b>, operating point <b>" +
         html_escape(op.name) + "</b> (" + fmt("%.2f", op.voltage.value) + " V, " +
         fmt("%.0f", op.frequency_mhz.value) + " MHz): " + std::to_string(r.cycles) + " cycles, " +
         fmt("%.6g", r.seconds * 1e6) + " us, <b>" + fmt("%.6g", r.total_j * 1e6) + " uJ</b>, " +
         fmt("%.6g", r.average_w * 1e3) + " mW on average.</p>\n";

    h += "<h2>Energy per component</h2>\n";
    std::vector<std::string> names;
    std::vector<std::vector<double>> parts;
    for (unsigned i = 0; i < r.n; i++) {
        names.push_back(r.activity[i].name);
        parts.push_back({r.energy[i].dynamic_j * 1e6, r.energy[i].background_j * 1e6,
                         r.energy[i].leakage_j * 1e6});
    }
    h += svg_bars(names, parts, {"dynamic", "background", "leakage"}, "uJ");
    h += "<table><tr><th>component</th><th>dynamic uJ</th><th>background uJ</th><th>leakage uJ"
         "</th><th>total uJ</th><th>average mW</th></tr>\n";
    for (unsigned i = 0; i < r.n; i++) {
        const ort_pwr_energy &e = r.energy[i];
        h += "<tr><td>" + html_escape(r.activity[i].name) + "</td><td>" + fmt("%.6g", e.dynamic_j * 1e6) +
             "</td><td>" + fmt("%.6g", e.background_j * 1e6) + "</td><td>" +
             fmt("%.6g", e.leakage_j * 1e6) + "</td><td>" + fmt("%.6g", e.total_j * 1e6) +
             "</td><td>" + fmt("%.6g", r.seconds > 0 ? e.total_j / r.seconds * 1e3 : 0) +
             "</td></tr>\n";
    }
    h += "</table>\n";

    if (trace && !trace->windows().empty()) {
        h += "<h2>Power over time</h2>\n" + svg_power(*trace);
    }
    if (!regions.empty()) {
        h += "<h2>Regions</h2>\n";
        std::vector<std::string> rn;
        std::vector<std::vector<double>> rp;
        for (const OrtRegion &g : regions) {
            rn.push_back(std::string(2 * g.depth, ' ') + std::to_string(g.id) + " " + g.label);
            rp.push_back({g.report->total_j * 1e6});
        }
        h += svg_bars(rn, rp, {"energy"}, "uJ");
        h += "<table><tr><th>region</th><th>cycles</th><th>time us</th><th>energy uJ</th>"
             "<th>average mW</th></tr>\n";
        for (const OrtRegion &g : regions)
            h += "<tr><td>" + std::string(g.depth * 2, '.') + std::to_string(g.id) + " " +
                 html_escape(g.label) + "</td><td>" + std::to_string(g.report->cycles) + "</td><td>" +
                 fmt("%.6g", g.report->seconds * 1e6) + "</td><td>" +
                 fmt("%.6g", g.report->total_j * 1e6) + "</td><td>" +
                 fmt("%.6g", g.report->average_w * 1e3) + "</td></tr>\n";
        h += "</table>\n";
    }

    h += "<h2>The model's numbers and their sources</h2>\n<table><tr><th>component</th><th>"
         "number</th><th>value</th><th class=\"src\">source</th></tr>\n";
    auto row = [&](const std::string &c, const std::string &n, const ort_pwr_value &v,
                   const char *unit) {
        h += "<tr><td>" + html_escape(c) + "</td><td>" + html_escape(n) + "</td><td>" +
             fmt("%.6g", v.value) + " " + unit + "</td><td class=\"src\">" + html_escape(v.source) +
             "</td></tr>\n";
    };
    for (unsigned o = 0; o < m.n_opps; o++) {
        row(m.opp[o].name, "voltage", m.opp[o].voltage, "V");
        row(m.opp[o].name, "frequency", m.opp[o].frequency_mhz, "MHz");
    }
    for (unsigned k = 0; k < m.n_kinds; k++) {
        const ort_pwr_kind &kd = m.kind[k];
        for (unsigned e = 0; e < kd.n_events; e++)
            row(kd.name, kd.event[e], kd.event_pj[e], "pJ");
        row(kd.name, "background active", kd.background[ORT_PWR_ACTIVE], "uW/MHz");
        row(kd.name, "background clock-gated", kd.background[ORT_PWR_CLOCK_GATED], "uW/MHz");
        for (unsigned o = 0; o < m.n_opps; o++)
            row(kd.name, std::string("leakage at ") + m.opp[o].name, kd.leakage_uw[o], "uW");
    }
    h += "</table>\n";

    json_t *data = report_json(m, r, regions);
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    std::string js = text ? text : "{}";
    std::free(text);
    /* "</" cannot end the script element early once escaped. */
    for (size_t at = 0; (at = js.find("</", at)) != std::string::npos; at += 3)
        js.replace(at, 2, "<\\/");
    h += "<script type=\"application/json\" id=\"ortigia-report\">" + js + "</script>\n";
    h += "</body></html>\n";
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
        return false;
    bool ok = std::fwrite(h.data(), 1, h.size(), f) == h.size();
    return std::fclose(f) == 0 && ok;
}
