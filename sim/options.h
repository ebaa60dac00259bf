// Command-line options, parsed from one table per subcommand. The options
// every subcommand shares (--config, --set, --max-cycles) come from one
// place (ort_platform_options), so they are spelled, validated and reported
// alike in `run`, `compile` and `test-network`.
#ifndef ORTIGIA_OPTIONS_H
#define ORTIGIA_OPTIONS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct OrtOption {
    enum Type {
        FLAG,     /* bool = true */
        STRING,   /* std::string = the value (a path, a name) */
        LIST,     /* std::vector<std::string> += the value (repeatable) */
        COUNT,    /* uint64_t = an integer >= min (no sign, decimal or 0x) */
        CHOICE,   /* int = index of the value in `choices` */
        ACTION,   /* return `action_status` at once (--help, --list-config) */
    };
    const char *name;   /* "--stats" */
    const char *alias;  /* another spelling ("-o"), or nullptr */
    Type type;
    void *target;
    uint64_t min = 0;                  /* COUNT */
    const char *expect = nullptr;      /* COUNT: what the value must be ("a positive integer") */
    std::vector<const char *> choices; /* CHOICE */
    int (*action)() = nullptr;         /* ACTION: prints, returns the exit status */

    OrtOption(const char *name_, const char *alias_, Type type_, void *target_)
        : name(name_), alias(alias_), type(type_), target(target_) {}
    static OrtOption count(const char *name, uint64_t *target, uint64_t min, const char *expect)
    {
        OrtOption o(name, nullptr, COUNT, target);
        o.min = min;
        o.expect = expect;
        return o;
    }
    static OrtOption choice(const char *name, int *target, std::vector<const char *> choices)
    {
        OrtOption o(name, nullptr, CHOICE, target);
        o.choices = std::move(choices);
        return o;
    }
    static OrtOption act(const char *name, const char *alias, int (*fn)())
    {
        OrtOption o(name, alias, ACTION, nullptr);
        o.action = fn;
        return o;
    }
};

/* What every simulating subcommand takes: the platform configuration and a
   cycle limit. */
struct OrtPlatformOptions {
    std::string config_path;
    std::vector<std::string> sets;
    uint64_t max_cycles = 0; /* 0: the command's default */
};

/* --config FILE, --set KEY=VALUE (repeatable), --max-cycles N (N >= 1). */
void ort_platform_options(std::vector<OrtOption> *table, OrtPlatformOptions *o);

/*
 * Parse argv[0..argc) against `table`; anything not starting with '-' is
 * a positional argument (at most max_positional of them, named `what` in
 * messages). `--help` / `-h` prints `usage` (the subcommand's own) on
 * stdout; an unknown option is an error that names the nearest valid one.
 * Returns -1 when parsing went through; otherwise the exit status to
 * return at once (0 after the usage, 2 after printing the error, an
 * ACTION's own).
 */
int ort_parse_options(const char *command, const char *usage, int argc, char **argv,
                      const std::vector<OrtOption> &table, std::vector<std::string> *positional,
                      size_t max_positional, const char *what);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t ort_edit_distance(const std::string &a, const std::string &b);

#endif
