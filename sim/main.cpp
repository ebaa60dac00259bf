// ortigia: the command line. Subcommands:
//   ortigia run [--config FILE] [--set KEY=VALUE]... [--max-cycles N]
//               [--trace FILE.gz] [--stats FILE.json] [--quiet] program.elf
//
// The firmware's uart output goes to stdout; the simulator's own messages
// go to stderr. Exit status: the firmware's exit code; 2 bad input;
// 3 firmware fault; 4 cycle limit reached; 5 deadlock (see docs/user-guide.md).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <systemc>

#include "nn_cmd.h"
#include "options.h"
#include "ortigia_version.h"
#include "run.h"

/* The whole usage: the commands, then `run`'s options (ortigia --help,
   ortigia run --help). */
static const char *usage_text()
{
    return "usage: ortigia <command> [options]     (ortigia <command> --help: its options)\n"
            "\n"
            "commands:\n"
            "  run [options] program.elf   run a RISC-V ELF on the virtual platform\n"
            "  compile model.onnx -o DIR   compile a model into C and an ELF (options:\n"
            "                              --l1-budget BYTES, --engine auto|cluster|npu,\n"
            "                              --inputs inputs.npz, --set KEY=VALUE)\n"
            "  cc SOURCES... -o OUT.elf    build a program of your own for the platform (the\n"
            "                              tree's headers, runtime and link; -O, -g, -I, -D,\n"
            "                              --set KEY=VALUE for the memory sizes)\n"
            "  sweep SPEC.json [-o DIR]    run a workload over a grid, list or sample of\n"
            "        [--jobs N] [--slurm]  platform and compiler keys, one process per point\n"
            "                              (or a Slurm job array): DIR/results.csv, report.html\n"
            "  test-network [options] DIR  compile DIR/network.onnx, run it on DIR/inputs.npz,\n"
            "                              compare with DIR/outputs.npz (--reference: on\n"
            "                              the host interpreter instead of the simulator)\n"
            "  llm [MODEL.bin]             a llama2.c checkpoint (default: an embedded model)\n"
            "                              quantized and decoded on the simulated MCU:\n"
            "                              cycles and uJ per token (--tokens N, --prompt-ids,\n"
            "                              --report FILE.html; --reference float|int: on the host)\n"
            "  power-fit MEAS.csv -o F.json fit the power model's numbers to measured runs\n"
            "                              (program, set, energy_j or power_w per row)\n"
            "\n"
            "run options:\n"
            "  --config FILE       platform configuration (JSON; default: built in,\n"
            "                      the same as sim/configs/siracusa.json)\n"
            "  --set KEY=VALUE     override one configuration value (repeatable)\n"
            "  --max-cycles N      stop a program that runs longer (exit status 4)\n"
            "  --trace FILE.gz     write an instruction trace (gzip text)\n"
            "  --stats FILE.json   write run statistics as JSON\n"
            "  --quiet             no summary on stderr\n"
            "  --progress          a progress line on stderr (default: on a terminal,\n"
            "                      for runs longer than a second)\n"
            "  --power             print energy and power per component on stdout\n"
            "  --power-json FILE   write the energy report as JSON\n"
            "  --power-csv FILE    write it as CSV (a row per component and region)\n"
            "  --power-trace FILE  power per component over time (CSV)\n"
            "  --vcd FILE          the same as VCD, with each core's state (GTKWave)\n"
            "  --report FILE.html  one self-contained HTML report with charts\n"
            "  --power-window N    cycles per sample of the power trace (default 10000)\n"
            "  --power-model FILE  power model (default: power/models/siracusa.json,\n"
            "                      or $ORTIGIA_POWER_MODEL); --set soc.opp=NAME picks\n"
            "                      its operating point\n"
            "  --gdb [HOST:]PORT   wait for GDB (gdb-multiarch: target remote :PORT) on\n"
            "                      127.0.0.1, or HOST; PORT 0: any free port (printed)\n"
            "  --list-config       print every configuration key with its default\n"
            "\n"
            "exit status: the firmware's exit code; 2 bad input; 3 firmware fault;\n"
            "4 cycle limit reached; 5 deadlock; 130/143 interrupted; 137 killed by GDB\n";
}

static void usage(FILE *out) { fputs(usage_text(), out); }

static int list_config()
{
    ort_config def;
    ort_config_defaults(&def);
    for (size_t i = 0; i < ort_config_key_count; i++) {
        const ort_config_key &k = ort_config_keys[i];
        if (k.type == ORT_CFG_NAME)
            printf("%-22s %-12s %-18s  %s\n", k.key, "\"\"", "(a name)", k.help);
        else
            printf("%-22s %-12.10g [%.10g, %.10g]  %s\n", k.key, k.def, k.min, k.max, k.help);
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    OrtRunOptions opt;
    ort_config_defaults(&opt.config);
    bool force_progress = false;
    OrtPlatformOptions platform;
    std::vector<OrtOption> table;
    ort_platform_options(&table, &platform);
    table.insert(table.end(), {
        {"--trace", nullptr, OrtOption::STRING, &opt.trace_path},
        {"--stats", nullptr, OrtOption::STRING, &opt.stats_path},
        {"--power-json", nullptr, OrtOption::STRING, &opt.power_json_path},
        {"--power-csv", nullptr, OrtOption::STRING, &opt.power_csv_path},
        {"--power-trace", nullptr, OrtOption::STRING, &opt.power_trace_path},
        {"--report", nullptr, OrtOption::STRING, &opt.report_html_path},
        {"--vcd", nullptr, OrtOption::STRING, &opt.vcd_path},
        {"--power-model", nullptr, OrtOption::STRING, &opt.power_model_path},
        {"--quiet", nullptr, OrtOption::FLAG, &opt.quiet},
        {"--progress", nullptr, OrtOption::FLAG, &force_progress},
        {"--power", nullptr, OrtOption::FLAG, &opt.power_table},
        {"--gdb", nullptr, OrtOption::STRING, &opt.gdb},
        OrtOption::count("--power-window", &opt.power_window, 1, "a positive number of cycles"),
        OrtOption::act("--list-config", nullptr, list_config),
    });
    std::vector<std::string> program;
    int st = ort_parse_options("run", usage_text(), argc, argv, table, &program, 1, "program");
    if (st >= 0)
        return st;
    if (program.empty()) {
        fprintf(stderr, "ortigia: error: no program given (usage: ortigia run [options] program.elf)\n");
        return 2;
    }
    opt.elf_path = program[0];
    if (force_progress)
        opt.progress = 1;
    opt.max_cycles = platform.max_cycles;
    if (!ort_config_apply(&opt.config, platform.config_path, platform.sets))
        return 2;
    return ort_run(opt);
}

int sc_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "--version" || cmd == "version") {
        printf("ortigia %s (git %s)\n", ORTIGIA_VERSION, ORTIGIA_GIT_REVISION);
        return 0;
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "run")
        return cmd_run(argc - 2, argv + 2);
    if (cmd == "compile")
        return ort_cmd_compile(argc - 2, argv + 2);
    if (cmd == "test-network")
        return ort_cmd_test_network(argc - 2, argv + 2);
    if (cmd == "cc")
        return ort_cmd_cc(argc - 2, argv + 2);
    if (cmd == "sweep")
        return ort_cmd_sweep(argc - 2, argv + 2);
    if (cmd == "llm")
        return ort_cmd_llm(argc - 2, argv + 2);
    if (cmd == "power-fit")
        return ort_cmd_power_fit(argc - 2, argv + 2);
    fprintf(stderr, "ortigia: error: unknown command '%s' (see ortigia --help)\n", cmd.c_str());
    return 2;
}

/* Our own entry point: SystemC prints its banner when the kernel starts,
   before sc_main, unless told not to; the user sees only Ortigia's output. */
int main(int argc, char **argv)
{
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
