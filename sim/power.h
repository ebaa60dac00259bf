// The power model on the platform: loading the model and the operating
// point, turning the engines' activity counts into per-component activity
// records (power/energy.h), and the reports (table, JSON).
#ifndef ORTIGIA_SIM_POWER_H
#define ORTIGIA_SIM_POWER_H

#include <cstdint>
#include <cstdio>
#include <string>

extern "C" {
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

/* Activity of every component over the whole run (`cycles` long). */
void ort_power_collect(const OrtPlatform &p, const ort_power_model &model, unsigned opp,
                       uint64_t cycles, ort_pwr_report *report);

/* A table: one line per component (dynamic, background, leakage, total,
   average power), the total, and the energy per event class. */
void ort_power_print(FILE *out, const ort_power_model &model, const ort_pwr_report &r);

/* The same as JSON (schema in docs/user-guide.md). */
bool ort_power_write_json(const std::string &path, const ort_power_model &model,
                          const ort_pwr_report &r);

#endif
