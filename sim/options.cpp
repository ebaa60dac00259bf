#include "options.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>

namespace {

/* An unsigned integer with nothing after it: no sign, no blanks (strtoull
   would accept "-5" as 2^64 - 5). */
bool parse_count(const char *s, uint64_t *out)
{
    if (!s || !*s || !(s[0] >= '0' && s[0] <= '9'))
        return false;
    char *end = nullptr;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

const OrtOption *find(const std::vector<OrtOption> &table, const char *arg)
{
    for (const OrtOption &o : table)
        if (std::strcmp(o.name, arg) == 0 || (o.alias && std::strcmp(o.alias, arg) == 0))
            return &o;
    return nullptr;
}

/* Store `v` as option `o` asks; false after printing why it is refused. */
bool store(const OrtOption &o, const char *v)
{
    switch (o.type) {
    case OrtOption::STRING: *static_cast<std::string *>(o.target) = v; return true;
    case OrtOption::LIST: static_cast<std::vector<std::string> *>(o.target)->push_back(v); return true;
    case OrtOption::COUNT: {
        uint64_t n = 0;
        if (!parse_count(v, &n) || n < o.min) {
            fprintf(stderr, "ortigia: error: %s needs %s, got '%s'\n", o.name, o.expect, v);
            return false;
        }
        *static_cast<uint64_t *>(o.target) = n;
        return true;
    }
    case OrtOption::CHOICE:
        for (size_t k = 0; k < o.choices.size(); k++)
            if (std::strcmp(o.choices[k], v) == 0) {
                *static_cast<int *>(o.target) = (int)k;
                return true;
            }
        {
            std::string names;
            for (size_t k = 0; k < o.choices.size(); k++)
                names += std::string(k ? (k + 1 == o.choices.size() ? " or " : ", ") : "") +
                         o.choices[k];
            fprintf(stderr, "ortigia: error: %s must be %s, got '%s'\n", o.name, names.c_str(), v);
        }
        return false;
    default: return false;
    }
}

} // namespace

void ort_platform_options(std::vector<OrtOption> *table, OrtPlatformOptions *o)
{
    table->push_back({"--config", nullptr, OrtOption::STRING, &o->config_path});
    table->push_back({"--set", nullptr, OrtOption::LIST, &o->sets});
    table->push_back(OrtOption::count("--max-cycles", &o->max_cycles, 1, "a positive integer"));
}

size_t ort_edit_distance(const std::string &a, const std::string &b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); j++)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); j++) {
            size_t up = row[j];
            size_t best = std::min(row[j] + 1, row[j - 1] + 1);
            row[j] = std::min(best, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return row[b.size()];
}

int ort_parse_options(const char *command, const char *usage, int argc, char **argv,
                      const std::vector<OrtOption> &table, std::vector<std::string> *positional,
                      size_t max_positional, const char *what)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const OrtOption *o = find(table, a);
        if (!o && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            fputs(usage, stdout);
            return 0;
        }
        if (o) {
            if (o->type == OrtOption::ACTION)
                return o->action();
            if (o->type == OrtOption::FLAG) {
                *static_cast<bool *>(o->target) = true;
                continue;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "ortigia: error: %s needs a value\n", a);
                return 2;
            }
            if (!store(*o, argv[++i]))
                return 2;
        } else if (a[0] == '-' && a[1]) {
            const char *nearest = "--help";
            size_t best = ort_edit_distance(a, nearest);
            for (const OrtOption &t : table)
                if (ort_edit_distance(a, t.name) < best) {
                    best = ort_edit_distance(a, t.name);
                    nearest = t.name;
                }
            fprintf(stderr, "ortigia: error: unknown option '%s' for %s (did you mean %s? see "
                            "ortigia %s --help)\n", a, command, nearest, command);
            return 2;
        } else if (positional->size() < max_positional) {
            positional->push_back(a);
        } else {
            fprintf(stderr, "ortigia: error: more than one %s given ('%s', '%s')\n", what,
                    positional->back().c_str(), a);
            return 2;
        }
    }
    return -1;
}
