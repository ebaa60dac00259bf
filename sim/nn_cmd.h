// The compiler's subcommands of the ortigia CLI, `cc` and `sweep`, and what
// they share.
#ifndef ORTIGIA_NN_CMD_H
#define ORTIGIA_NN_CMD_H

#include <functional>
#include <string>
#include <vector>

extern "C" {
#include "config.h"
#include "target.h"
}

/* ortigia compile model.onnx -o DIR [...]; returns the exit status. */
int ort_cmd_compile(int argc, char **argv);
/* ortigia test-network DIR [--reference] [...]; returns the exit status. */
int ort_cmd_test_network(int argc, char **argv);
/* ortigia cc [options] SOURCES... -o OUT.elf: a program of one's own,
   built for the platform; returns the exit status. */
int ort_cmd_cc(int argc, char **argv);
/* ortigia sweep SPEC.json [-o DIR] [--jobs N] [--resume]: a design-space
   study, one process per point (sim/sweep.cpp). */
int ort_cmd_sweep(int argc, char **argv);
/* ortigia llm --reference MODEL.bin [...]: a llama2.c checkpoint decoded
   greedily on the host reference (sim/llm_cmd.cpp). */
int ort_cmd_llm(int argc, char **argv);
/* ortigia power-fit MEASUREMENTS.csv -o FITTED.json: fit the power model to
   measured runs (sim/power_fit.cpp, power/fit.h). */
int ort_cmd_power_fit(int argc, char **argv);

/* Compile a Deeploy-style test folder (DIR/network.onnx with
   DIR/inputs.npz) for a configuration into outdir/network.elf, with the
   default L1 budget; 0, or 2 after printing the error. */
int ort_build_network_folder(const std::string &dir, const ort_config &config,
                             const std::string &outdir, int64_t l1_budget = 0,
                             const std::string &engine = "auto");

/* A Deeploy-style test folder's outputs (DIR/outputs.npz) against the
   network's outputs in a finished run's memory (`read`: n bytes at an ELF
   symbol, ort_output_i): the elements compared and those that differ;
   false with a message when the folder or the memory cannot be read. The
   folder's graph and expected outputs are loaded once per process;
   ort_prepare_network_check loads them ahead (before a fork). */
bool ort_prepare_network_check(const std::string &dir, std::string *err);
bool ort_check_network_outputs(const std::string &dir,
                               const std::function<bool(const std::string &, size_t, std::vector<uint8_t> *)> &read,
                               long long *errors, long long *total, std::string *err);

/* The compiler's target for a configuration (memories, cores, DMA). */
ort_target ort_target_of_config(const ort_config &c);

/* `ortigia llm`'s program for a configuration (sim/llm_cmd.cpp): the model
   (MODEL.bin, or the embedded default for an empty path) quantized over
   `steps` positions and compiled with its token loop into
   outdir/llm.elf; 0, or 2 after printing the error. */
int ort_build_llm_folder(const std::string &model_path, int steps, const std::vector<int> &prompt,
                         const ort_config &config, const std::string &engine, const std::string &outdir);
/* The firmware's source folder (headers, link scripts) and the folder of
   its built archives: $ORTIGIA_FIRMWARE_SRC / _LIB, else the build's. */
const char *ort_firmware_src();
const char *ort_firmware_lib();

#endif
