// ortigia: the command line. Subcommands:
//   ortigia run [--config FILE] [--set KEY=VALUE]... [--max-cycles N]
//               [--trace FILE.gz] [--stats FILE.json] [--quiet] program.elf
//
// The firmware's uart output goes to stdout; the simulator's own messages
// go to stderr. Exit status: the firmware's exit code; 2 bad input;
// 3 firmware fault; 4 cycle limit reached; 5 deadlock (see docs/user-guide.md).
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "nn_cmd.h"
#include "run.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ortigia <command> [options]\n"
            "\n"
            "commands:\n"
            "  run [options] program.elf   run a RISC-V ELF on the virtual platform\n"
            "  compile model.onnx -o DIR   compile a model into C and an ELF (options:\n"
            "                              --l1-budget BYTES, --engine auto|cluster|npu,\n"
            "                              --inputs inputs.npz, --set KEY=VALUE)\n"
            "  test-network [options] DIR  compile DIR/network.onnx, run it on DIR/inputs.npz,\n"
            "                              compare with DIR/outputs.npz (--reference: on\n"
            "                              the host interpreter instead of the simulator)\n"
            "\n"
            "run options:\n"
            "  --config FILE       platform configuration (JSON; default: built in,\n"
            "                      the same as sim/configs/siracusa.json)\n"
            "  --set KEY=VALUE     override one configuration value (repeatable)\n"
            "  --max-cycles N      stop a program that runs longer (exit status 4)\n"
            "  --trace FILE.gz     write an instruction trace (gzip text)\n"
            "  --stats FILE.json   write run statistics as JSON\n"
            "  --quiet             no summary on stderr\n"
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
            "  --list-config       print every configuration key with its default\n"
            "\n"
            "exit status: the firmware's exit code; 2 bad input; 3 firmware fault;\n"
            "4 cycle limit reached; 5 deadlock\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end = nullptr;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

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
    std::vector<std::string> sets;
    const char *config_path = nullptr;
    /* Options that name a file. */
    const std::map<std::string, std::string *> file_options = {
        {"--trace", &opt.trace_path},
        {"--stats", &opt.stats_path},
        {"--power-json", &opt.power_json_path},
        {"--power-csv", &opt.power_csv_path},
        {"--power-trace", &opt.power_trace_path},
        {"--report", &opt.report_html_path},
        {"--vcd", &opt.vcd_path},
        {"--power-model", &opt.power_model_path},
    };
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const char *name) -> const char * {
            if (i + 1 >= argc) {
                fprintf(stderr, "ortigia: error: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--config") {
            if (!(config_path = value("--config")))
                return 2;
        } else if (a == "--set") {
            const char *v = value("--set");
            if (!v)
                return 2;
            sets.push_back(v);
        } else if (a == "--max-cycles") {
            const char *v = value("--max-cycles");
            if (!v || !parse_u64(v, &opt.max_cycles) || opt.max_cycles == 0) {
                if (v)
                    fprintf(stderr, "ortigia: error: --max-cycles needs a positive integer, got '%s'\n", v);
                return 2;
            }
        } else if (a == "--quiet") {
            opt.quiet = true;
        } else if (a == "--power") {
            opt.power_table = true;
        } else if (a == "--power-window") {
            const char *v = value("--power-window");
            if (!v || !parse_u64(v, &opt.power_window) || opt.power_window == 0) {
                if (v)
                    fprintf(stderr, "ortigia: error: --power-window needs a positive number of cycles, got '%s'\n", v);
                return 2;
            }
        } else if (file_options.count(a)) {
            const char *v = value(a.c_str());
            if (!v)
                return 2;
            *file_options.at(a) = v;
        } else if (a == "--list-config") {
            return list_config();
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else if (a.size() > 1 && a[0] == '-') {
            fprintf(stderr, "ortigia: error: unknown option '%s' (see ortigia --help)\n", a.c_str());
            return 2;
        } else if (opt.elf_path.empty()) {
            opt.elf_path = a;
        } else {
            fprintf(stderr, "ortigia: error: more than one program given ('%s', '%s')\n",
                    opt.elf_path.c_str(), a.c_str());
            return 2;
        }
    }
    if (opt.elf_path.empty()) {
        fprintf(stderr, "ortigia: error: no program given (usage: ortigia run [options] program.elf)\n");
        return 2;
    }
    if (!ort_config_apply(&opt.config, config_path ? config_path : "", sets))
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
