// The power model on the platform: loading the model and the operating
// point, turning the engines' activity counts into per-component activity
// records (power/energy.h), regions and power over time. The reports
// themselves are written by power/report.h and traces/.
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
#include "report.h"
}

class OrtPlatform;

/* The model file used when none is given: $ORTIGIA_POWER_MODEL, else the
   one of the source tree (power/models/siracusa.json). */
std::string ort_power_default_model();

/* Load the model and pick the operating point (config soc.opp, or the
   model's default). False with a message naming the file or the key. */
bool ort_power_setup(const ort_config &cfg, const std::string &model_path,
                     ort_power_model *model, unsigned *opp, std::string *err);

/* Load the model at `path` now, so that ort_power_setup copies it instead
   of parsing the file: a process that forks a simulation per point
   (ortigia sweep) calls it once before the forks. False (nothing kept)
   when the file does not load; the points then report it themselves. */
bool ort_power_preload(const std::string &path);

/* Every device of the cluster must be a component of the model, and every
   counter the model names must exist. False with a message naming the
   model's field. */
bool ort_power_check_devices(const ort_cluster &cl, const ort_power_model &model,
                             const std::string &model_path, std::string *err);

/* Activity of every component over the whole run (`cycles` long). */
void ort_power_collect(const OrtPlatform &p, const ort_power_model &model, unsigned opp,
                       uint64_t cycles, ort_power_report *report);

/*
 * Regions marked by the firmware (sim-control REGION_BEGIN / REGION_END):
 * the recorder takes a snapshot of every component's activity at each
 * marker; a region's activity is the difference of its two snapshots.
 * Cores are simulated a slice apart (cluster.slice_cycles), so a snapshot
 * may include up to one slice of another core's activity.
 */

/* The regions of a run as the report writers take them (power/report.h),
   and the reports they point to. */
struct OrtRegions {
    std::vector<ort_power_region> list;
    std::vector<std::unique_ptr<ort_power_report>> reports; /* list[i].report */
};

class OrtRegionRecorder {
public:
    OrtRegionRecorder(OrtPlatform &p, const ort_power_model &model, unsigned opp);
    /* The regions, closed at `end_cycle` if the firmware left them open;
       problems (an end without a begin ...) go to `warnings`. */
    OrtRegions finish(uint64_t end_cycle, std::vector<std::string> *warnings);

private:
    struct Mark {
        bool begin;
        uint32_t id;
        std::string label;
        uint64_t cycle;
        std::unique_ptr<ort_power_report> snapshot;
    };
    static void hook(void *ctx, bool begin, uint32_t id, uint32_t label, uint64_t now);
    std::unique_ptr<ort_power_report> snapshot(uint64_t cycle) const;

    OrtPlatform &platform_;
    const ort_power_model &model_;
    unsigned opp_;
    std::vector<Mark> marks_;
};

/*
 * Power over time: the activity of every `window` cycles (the cluster
 * scheduler stops at the first slice boundary after each multiple), as
 * power per component and each core's dominant state per window. Windows
 * are written to the CSV and VCD files as they close, and kept only as
 * points of the report's chart, merged in pairs past kMaxPoints: memory
 * does not grow with the length of the run.
 */
class OrtPowerTrace {
public:
    static constexpr size_t kMaxPoints = 4096;

    OrtPowerTrace(OrtPlatform &p, const ort_power_model &model, unsigned opp, uint64_t window);
    ~OrtPowerTrace();
    /* Write the windows to these files ("": none) as the run goes; false
       with a message naming the file when one cannot be opened. */
    bool open(const std::string &csv_path, const std::string &vcd_path, double frequency_mhz,
              std::string *err);
    /* Close the last (partial) window at the end of the run and the files. */
    void finish(uint64_t end_cycle);
    /* The chart's points (after finish: the whole run). */
    const std::vector<ort_power_point> &points() const { return points_; }
    /* What could not be written ("cannot write 'F'"), after finish. */
    const std::vector<std::string> &errors() const { return errors_; }

private:
    struct CoreMark {
        uint64_t sleep, stall;
    };
    struct Output {
        FILE *file = nullptr;
        std::string path;
    };
    static void sample(void *ctx, uint64_t cycle);
    void close_window(uint64_t cycle);
    void write(const ort_power_window &w);
    void close_files(uint64_t end_cycle);
    std::vector<CoreMark> core_marks(uint64_t cycle) const;

    OrtPlatform &platform_;
    const ort_power_model &model_;
    unsigned opp_;
    uint64_t last_ = 0;
    std::unique_ptr<ort_power_report> prev_;
    std::vector<CoreMark> prev_cores_;
    std::vector<ort_power_point> points_;
    Output csv_, vcd_;
    double frequency_mhz_ = 0;
    bool header_written_ = false;
    std::vector<std::string> errors_;
};

#endif
