// `ortigia run`: load an ELF, simulate it, report. Separate from the
// command-line parsing so tests can drive it.
#ifndef ORTIGIA_RUN_H
#define ORTIGIA_RUN_H

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "config.h"
}

/* Process exit statuses besides the firmware's own exit code. */
enum OrtExitStatus {
    ORT_EXIT_BAD_INPUT = 2,
    ORT_EXIT_FAULT = 3,
    ORT_EXIT_CYCLE_LIMIT = 4,
    ORT_EXIT_DEADLOCK = 5,
};

/* Memory read back after the run: `size` bytes at an ELF symbol. */
struct OrtMemDump {
    std::string symbol;
    uint32_t size = 0;
    std::vector<uint8_t> bytes; /* filled by ort_run */
    bool found = false;
};

struct OrtRunOptions {
    ort_config config;
    std::string elf_path;
    std::string trace_path;
    std::string stats_path;
    uint64_t max_cycles = 0; /* 0: no limit */
    bool quiet = false;
    /* A progress line on stderr (cycles, MIPS, elapsed) for runs longer
       than a second: -1 when stderr is a terminal, 1 always, 0 never. */
    int progress = -1;
    std::string power_model_path; /* empty: ort_power_default_model() */
    bool power_table = false;     /* print the energy table on stdout */
    std::string power_json_path;
    std::string power_csv_path;
    std::string power_trace_path; /* power over time, CSV */
    std::string vcd_path;         /* power over time, VCD */
    std::string report_html_path; /* --report: one self-contained HTML file */
    uint64_t power_window = 10000; /* cycles per sample of the power trace */
    std::vector<OrtMemDump> *dumps = nullptr; /* read after the run */
    uint64_t *cycles = nullptr; /* set to the whole run's cycles */
    std::string gdb; /* --gdb [HOST:]PORT: serve GDB there (gdb_server.h) */
};

/* Applies a configuration file (empty: none) and then --set overrides to
 * *config; false after printing the error (the key, the file). */
bool ort_config_apply(ort_config *config, const std::string &path, const std::vector<std::string> &sets);

/* Run the program; returns the process exit status. */
int ort_run(const OrtRunOptions &opt);

#endif
