// The power model on the platform: loading the model and the operating
// point, turning the engines' activity counts into per-component activity
// records (power/energy.h), and the reports (table, JSON).
#ifndef ORTIGIA_SIM_POWER_H
#define ORTIGIA_SIM_POWER_H

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "cluster.h"
#include "config.h"
#include "energy.h"
#include "power_model.h"
}

class OrtPlatform;

/* The model file used when none is given: $ORTIGIA_POWER_MODEL, else the
   one of the source tree (power/models/siracusa.json). */
std::string ort_power_default_model();

/* Load the model and pick the operating point (config soc.opp, or the
   model's default). False with a message naming the file or the key. */
bool ort_power_setup(const ort_config &cfg, const std::string &model_path,
                     ort_power_model *model, unsigned *opp, std::string *err);

/* Every device of the cluster must be a component of the model, and every
   counter the model names must exist. False with a message naming the
   model's field. */
bool ort_power_check_devices(const ort_cluster &cl, const ort_power_model &model,
                             const std::string &model_path, std::string *err);

/* Activity of every component over the whole run (`cycles` long). */
void ort_power_collect(const OrtPlatform &p, const ort_power_model &model, unsigned opp,
                       uint64_t cycles, ort_pwr_report *report);

/* A table: one line per component (dynamic, background, leakage, total,
   average power), the total, and the energy per event class. */
void ort_power_print(FILE *out, const ort_power_model &model, const ort_pwr_report &r);


/*
 * Regions marked by the firmware (sim-control REGION_BEGIN / REGION_END):
 * the recorder takes a snapshot of every component's activity at each
 * marker; a region's activity is the difference of its two snapshots.
 * Cores are simulated a slice apart (cluster.slice_cycles), so a snapshot
 * may include up to one slice of another core's activity.
 */
struct OrtRegion {
    uint32_t id;
    std::string label;
    uint64_t begin, end; /* cycles */
    int parent;          /* index in the list, -1 for a top-level region */
    unsigned depth;
    std::unique_ptr<ort_pwr_report> report;
};

class OrtRegionRecorder {
public:
    OrtRegionRecorder(OrtPlatform &p, const ort_power_model &model, unsigned opp);
    /* The regions, closed at `end_cycle` if the firmware left them open;
       problems (an end without a begin ...) go to `warnings`. */
    std::vector<OrtRegion> finish(uint64_t end_cycle, std::vector<std::string> *warnings);

private:
    struct Mark {
        bool begin;
        uint32_t id;
        std::string label;
        uint64_t cycle;
        std::unique_ptr<ort_pwr_report> snapshot;
    };
    static void hook(void *ctx, bool begin, uint32_t id, uint32_t label, uint64_t now);
    std::unique_ptr<ort_pwr_report> snapshot(uint64_t cycle) const;

    OrtPlatform &platform_;
    const ort_power_model &model_;
    unsigned opp_;
    std::vector<Mark> marks_;
};

void ort_power_print_regions(FILE *out, const std::vector<OrtRegion> &regions);

/*
 * Power over time: the activity of every `window` cycles (the cluster
 * scheduler stops at each window boundary), as power per component, and
 * each core's dominant state per window (run, stall, sleep).
 */
class OrtPowerTrace {
public:
    enum CoreState { SLEEP = 0, STALL = 1, RUN = 2 };
    struct Window {
        uint64_t begin, end;
        std::unique_ptr<ort_pwr_report> report; /* the window's activity and energy */
        std::vector<uint8_t> core_state;        /* CoreState per core */
    };

    OrtPowerTrace(OrtPlatform &p, const ort_power_model &model, unsigned opp, uint64_t window);
    /* Close the last (partial) window at the end of the run. */
    void finish(uint64_t end_cycle);
    const std::vector<Window> &windows() const { return windows_; }
    bool write_csv(const std::string &path) const;
    /* GTKWave-readable: per-component power (mW, real) and per-core state. */
    bool write_vcd(const std::string &path, double frequency_mhz) const;

private:
    struct CoreMark {
        uint64_t sleep, stall;
    };
    static void sample(void *ctx, uint64_t cycle);
    void close_window(uint64_t cycle);
    std::vector<CoreMark> core_marks(uint64_t cycle) const;

    OrtPlatform &platform_;
    const ort_power_model &model_;
    unsigned opp_;
    uint64_t last_ = 0;
    std::unique_ptr<ort_pwr_report> prev_;
    std::vector<CoreMark> prev_cores_;
    std::vector<Window> windows_;
};

/* CSV: one row per component of the whole run (region "run", id -1) and
   of every region: region_id,region_label,component,kind,cycles,seconds,
   dynamic_j,background_j,leakage_j,energy_j,average_power_w. */
bool ort_power_write_csv(const std::string &path, const ort_pwr_report &r,
                         const std::vector<OrtRegion> &regions);

/* One self-contained HTML file (no network access needed): tables and
   inline SVG charts of the energy per component, power over time (when a
   trace was taken) and per-region latency and energy, the model's numbers
   with their sources, and the JSON report embedded as data. */
bool ort_power_write_html(const std::string &path, const ort_power_model &model,
                          const ort_pwr_report &r, const std::vector<OrtRegion> &regions,
                          const OrtPowerTrace *trace);

/* The JSON report, with the regions. */
bool ort_power_write_json(const std::string &path, const ort_power_model &model,
                          const ort_pwr_report &r, const std::vector<OrtRegion> &regions);

#endif
