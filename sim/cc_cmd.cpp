// `ortigia cc`: build a program of one's own for the platform, from a
// folder anywhere, with the same flags, headers, runtime and link as the
// firmware in this tree (and the memory sizes of the configuration):
//
//   ortigia cc -o prog.elf main.c kernels.c [-O2] [-g] [-I DIR] [-D NAME[=V]]
//   ortigia run prog.elf
#include "nn_cmd.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "options.h"
#include "run.h"

extern "C" {
#include "codegen.h"
}

namespace {

bool is_source(const std::string &s)
{
    size_t dot = s.rfind('.');
    std::string ext = dot == std::string::npos ? "" : s.substr(dot);
    return ext == ".c" || ext == ".S" || ext == ".s";
}

} // namespace

int ort_cmd_cc(int argc, char **argv)
{
    /* The compiler's own options (-I, -D, -O, -g) in either spelling,
       "-I dir" or "-Idir"; everything else goes through the option table. */
    std::vector<std::string> cflags;
    std::string opt_level = "-O2";
    std::vector<char *> rest;
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        if ((a == "-I" || a == "-D") && i + 1 < argc) {
            cflags.push_back(a + argv[++i]);
        } else if (a == "-I" || a == "-D") {
            fprintf(stderr, "ortigia: error: %s needs a value\n", a.c_str());
            return 2;
        } else if (a.rfind("-I", 0) == 0 || a.rfind("-D", 0) == 0 || a == "-g") {
            cflags.push_back(a);
        } else if (a == "-O0" || a == "-O1" || a == "-O2" || a == "-O3" || a == "-Os" ||
                   a == "-Og") {
            opt_level = a;
        } else {
            rest.push_back(argv[i]);
        }
    }
    OrtPlatformOptions platform;
    std::string out;
    std::vector<OrtOption> table;
    ort_platform_options(&table, &platform);
    table.push_back({"--output", "-o", OrtOption::STRING, &out});
    std::vector<std::string> sources;
    static const char *const usage =
        "usage: ortigia cc SOURCES... -o OUT.elf [-O0|-O1|-O2|-O3|-Os|-Og] [-g] [-I DIR] [-D NAME[=V]]\n"
        "                  [--config FILE] [--set KEY=VALUE]...\n"
        "  build C and assembly sources into a program for the platform, with the\n"
        "  firmware's headers, runtime (crt0, fork/join, uart, exit) and kernels,\n"
        "  linked for the configuration's memory sizes\n";
    int st = ort_parse_options("cc", usage, (int)rest.size(), rest.data(), table, &sources, 1000,
                               "source");
    if (st >= 0)
        return st;
    if (sources.empty() || out.empty()) {
        fprintf(stderr, "ortigia: error: usage: ortigia cc [-O2] [-g] [-I DIR] [-D NAME] "
                        "SOURCES... -o OUT.elf\n");
        return 2;
    }
    for (const std::string &s : sources) {
        if (!is_source(s)) {
            fprintf(stderr, "ortigia: error: %s: not a source file (.c, .S or .s)\n", s.c_str());
            return 2;
        }
        if (access(s.c_str(), R_OK) != 0) {
            fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", s.c_str(), strerror(errno));
            return 2;
        }
    }
    ort_config config;
    ort_config_defaults(&config);
    if (!ort_config_apply(&config, platform.config_path, platform.sets))
        return 2;
    const ort_target target = ort_target_of_config(config);
    ort_diag d{};
    if (ort_target_check(&target, &d)) {
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
        return 2;
    }
    char tmpl[] = "/tmp/ortigia-cc-XXXXXX";
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "ortigia: error: cannot create a temporary folder: %s\n", strerror(errno));
        return 2;
    }
    std::vector<const char *> src, flags;
    for (const std::string &s : sources)
        src.push_back(s.c_str());
    for (const std::string &f : cflags)
        flags.push_back(f.c_str());
    ort_cross_build b{};
    b.sources = src.data();
    b.n_sources = (int)src.size();
    b.cflags = flags.data();
    b.n_cflags = (int)flags.size();
    b.opt_flags = opt_level.c_str();
    b.out_elf = out.c_str();
    b.obj_dir = tmpl;
    b.fw_src = ort_firmware_src();
    b.fw_lib = ort_firmware_lib();
    b.target = &target;
    int rc = ort_cross_compile(&b, &d);
    if (rc)
        fprintf(stderr, "ortigia: error: %s\n", d.msg);
    std::string cmd = std::string("rm -rf '") + tmpl + "'";
    if (system(cmd.c_str()) != 0)
        fprintf(stderr, "ortigia: warning: could not remove %s\n", tmpl);
    return rc ? 2 : 0;
}
