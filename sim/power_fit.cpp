// `ortigia power-fit MEASUREMENTS.csv -o fitted.json`: fit the power
// model's numbers to measured runs (power/fit.h; docs/power-model.md,
// "Fitting to measurements"). Every row of the CSV is checked before
// anything runs; each row's program runs in a process of its own (a
// process holds one simulation session: sim/session.h), which sends back
// the run's design row (d energy / d parameter) through a pipe.
#include "nn_cmd.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "power.h"
#include "run.h"
#include "session.h"

extern "C" {
#include "fit.h"
}

namespace {

struct Row {
    unsigned line = 0;
    std::string program, set;
    std::vector<std::string> sets;
    double value = 0;
    bool is_power = false; /* power_w (else energy_j) */
    ort_config config;
};

/* One CSV record (RFC 4180 quotes: "a ""b""", commas and spaces inside). */
bool split_csv(const std::string &text, std::vector<std::string> *fields, std::string *err)
{
    fields->clear();
    std::string f;
    bool quoted = false, was_quoted = false;
    for (size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                f += '"';
                i++;
            } else if (c == '"') {
                quoted = false;
            } else {
                f += c;
            }
        } else if (c == '"' && f.empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            fields->push_back(f);
            f.clear();
            was_quoted = false;
        } else {
            f += c;
        }
    }
    if (quoted) {
        *err = "unterminated quoted field";
        return false;
    }
    fields->push_back(f);
    return true;
}

std::string trim(const std::string &s)
{
    size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

/* The CSV's rows, checked: false after printing "FILE:LINE: column 'C': ...". */
bool read_csv(const std::string &path, const OrtPlatformOptions &platform, std::vector<Row> *rows)
{
    FILE *f = fopen(path.c_str(), "r");
    if (!f) {
        fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", path.c_str(), strerror(errno));
        return false;
    }
    std::string dir;
    size_t slash = path.rfind('/');
    if (slash != std::string::npos)
        dir = path.substr(0, slash + 1);
    auto fail = [&](unsigned line, const std::string &col, const std::string &what) {
        if (col.empty())
            fprintf(stderr, "ortigia: error: %s:%u: %s\n", path.c_str(), line, what.c_str());
        else
            fprintf(stderr, "ortigia: error: %s:%u: column '%s': %s\n", path.c_str(), line,
                    col.c_str(), what.c_str());
        fclose(f);
        return false;
    };
    int c_program = -1, c_set = -1, c_energy = -1, c_power = -1;
    size_t n_columns = 0;
    char buf[8192];
    unsigned line = 0;
    bool header = false;
    std::string err;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        std::string text = buf;
        if (!text.empty() && text.back() != '\n' && !feof(f))
            return fail(line, "", "line longer than 8191 characters");
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
        if (trim(text).empty() || trim(text)[0] == '#')
            continue;
        std::vector<std::string> fields;
        if (!split_csv(text, &fields, &err))
            return fail(line, "", err);
        if (!header) {
            for (size_t i = 0; i < fields.size(); i++) {
                std::string name = trim(fields[i]);
                int *slot = name == "program"    ? &c_program
                            : name == "set"      ? &c_set
                            : name == "energy_j" ? &c_energy
                            : name == "power_w"  ? &c_power
                                                 : nullptr;
                if (!slot)
                    return fail(line, name, "unknown column (the header names program, set, and "
                                            "energy_j or power_w)");
                if (*slot >= 0)
                    return fail(line, name, "given twice");
                *slot = (int)i;
            }
            if (c_program < 0)
                return fail(line, "program", "missing from the header (a header line "
                                             "'program,set,energy_j' comes first)");
            if (c_energy < 0 && c_power < 0)
                return fail(line, "energy_j", "missing from the header (give energy_j or "
                                              "power_w)");
            n_columns = fields.size();
            header = true;
            continue;
        }
        if (fields.size() != n_columns)
            return fail(line, "", std::to_string(fields.size()) + " fields, the header has " +
                                      std::to_string(n_columns));
        Row r;
        r.line = line;
        r.program = trim(fields[(size_t)c_program]);
        if (r.program.empty())
            return fail(line, "program", "empty (an ELF file)");
        if (r.program[0] != '/')
            r.program = dir + r.program;
        if (access(r.program.c_str(), R_OK) != 0)
            return fail(line, "program", "'" + r.program + "': cannot open: " + strerror(errno));
        std::string e = c_energy >= 0 ? trim(fields[(size_t)c_energy]) : "";
        std::string p = c_power >= 0 ? trim(fields[(size_t)c_power]) : "";
        if (e.empty() == p.empty())
            return fail(line, c_energy >= 0 ? "energy_j" : "power_w",
                        e.empty() ? "no measurement (give energy_j or power_w)"
                                  : "both energy_j and power_w given (give one)");
        r.is_power = !p.empty();
        const std::string &num = r.is_power ? p : e;
        const char *col = r.is_power ? "power_w" : "energy_j";
        char *end = nullptr;
        errno = 0;
        r.value = strtod(num.c_str(), &end);
        if (end == num.c_str() || *end || errno || !std::isfinite(r.value))
            return fail(line, col, "'" + num + "' is not a number");
        if (!(r.value > 0))
            return fail(line, col, "'" + num + "' must be > 0");
        ort_config_defaults(&r.config);
        char msg[512];
        if (!platform.config_path.empty() &&
            !ort_config_load_file(&r.config, platform.config_path.c_str(), msg, sizeof msg)) {
            fprintf(stderr, "ortigia: error: %s\n", msg);
            fclose(f);
            return false;
        }
        for (const std::string &s : platform.sets)
            if (!ort_config_set(&r.config, s.c_str(), msg, sizeof msg)) {
                fprintf(stderr, "ortigia: error: --set %s: %s\n", s.c_str(), msg);
                fclose(f);
                return false;
            }
        r.set = c_set >= 0 ? trim(fields[(size_t)c_set]) : "";
        size_t at = 0;
        while (at < r.set.size()) {
            size_t sp = r.set.find_first_of(" \t", at);
            std::string a = r.set.substr(at, sp == std::string::npos ? std::string::npos : sp - at);
            at = sp == std::string::npos ? r.set.size() : sp + 1;
            if (a.empty())
                continue;
            if (!ort_config_set(&r.config, a.c_str(), msg, sizeof msg))
                return fail(line, "set", "'" + a + "': " + msg);
            r.sets.push_back(a);
        }
        if (!ort_config_check_memory_map(&r.config, msg, sizeof msg))
            return fail(line, "set", msg);
        rows->push_back(r);
    }
    fclose(f);
    if (!header)
        return fail(line ? line : 1, "", "no header (the first line names the columns: "
                                         "program,set,energy_j or power_w)");
    if (rows->empty()) {
        fprintf(stderr, "ortigia: error: %s: no measurements (rows after the header)\n",
                path.c_str());
        return false;
    }
    return true;
}

/* What a row's process sends back. */
struct RunReply {
    int ok;
    unsigned opp;
    uint64_t cycles;
    double seconds, model_j;
    char error[400];
};

bool write_all(int fd, const void *p, size_t n)
{
    const char *c = static_cast<const char *>(p);
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

bool read_all(int fd, void *p, size_t n)
{
    char *c = static_cast<char *>(p);
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

/* In the child: run the row, send its reply and design row, exit. */
[[noreturn]] void run_row(const Row &row, const std::string &model_path, uint64_t max_cycles,
                          const ort_power_model &model, const std::vector<ort_fit_param> &params,
                          int fd)
{
    RunReply reply{};
    std::vector<double> design(params.size(), 0.0);
    OrtSessionOptions so;
    so.config = row.config;
    so.power_model_path = model_path;
    so.energy = true;
    so.max_cycles = max_cycles;
    so.uart = fopen("/dev/null", "w");
    std::string err;
    std::unique_ptr<OrtSession> s = OrtSession::create(so, &err);
    if (!s || !s->load(row.program, &err)) {
        snprintf(reply.error, sizeof reply.error, "%s", err.c_str());
    } else {
        s->run();
        const OrtRunResult &r = s->result();
        bool ok = r.stop == OrtStop::Halted && r.status == 0 && !strcmp(r.reason, "exit");
        if (!ok) {
            std::string msg = std::string(r.reason) + " with status " + std::to_string(r.status);
            for (const std::string &d : r.diagnostics)
                msg += "; " + d;
            snprintf(reply.error, sizeof reply.error, "the run did not end well: %s", msg.c_str());
        } else if (!r.energy) {
            snprintf(reply.error, sizeof reply.error, "no energy report");
        } else {
            reply.ok = 1;
            reply.opp = r.energy->opp;
            reply.cycles = r.energy->cycles;
            reply.seconds = r.energy->seconds;
            reply.model_j = r.energy->total_j;
            /* The session's report points at its own copy of the model,
               the same file: price it against that copy. */
            ort_fit_row(&s->power_model(), r.energy.get(), params.data(),
                        (unsigned)params.size(), design.data());
        }
    }
    (void)model;
    bool sent = write_all(fd, &reply, sizeof reply) &&
                write_all(fd, design.data(), design.size() * sizeof(double));
    fflush(nullptr);
    _exit(sent ? 0 : 1);
}

std::string fmt(double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.4g", v);
    return b;
}

} // namespace

int ort_cmd_power_fit(int argc, char **argv)
{
    std::string out_path, model_path;
    uint64_t jobs = 0;
    OrtPlatformOptions platform;
    std::vector<OrtOption> table;
    ort_platform_options(&table, &platform);
    table.insert(table.end(), {
        {"--output", "-o", OrtOption::STRING, &out_path},
        {"--model", nullptr, OrtOption::STRING, &model_path},
        OrtOption::count("--jobs", &jobs, 1, "a positive number of processes"),
    });
    static const char *const usage =
        "usage: ortigia power-fit MEASUREMENTS.csv -o FITTED.json [--model FILE]\n"
        "  fit the power model's numbers to measured runs: the CSV's header names\n"
        "  program (an ELF), set (space-separated KEY=VALUE, may be empty) and\n"
        "  energy_j (the run's energy) or power_w (its average power); every row's\n"
        "  program runs, and a non-negative least-squares fit of the per-event\n"
        "  energies, background and leakage powers gives FITTED.json (class\n"
        "  \"fitted\", the 95 % interval as range). docs/power-model.md has the method.\n"
        "  -o, --output FILE   the fitted model file (required)\n"
        "  --model FILE        the prior model (default: power/models/siracusa.json,\n"
        "                      or $ORTIGIA_POWER_MODEL)\n"
        "  --jobs N            rows run at once (default: the number of cores)\n"
        "  --config FILE, --set KEY=VALUE  for every row (the row's set comes after)\n"
        "  --max-cycles N      stop a row's run there (an error)\n";
    std::vector<std::string> csv;
    int st = ort_parse_options("power-fit", usage, argc, argv, table, &csv, 1, "measurements");
    if (st >= 0)
        return st;
    if (csv.empty() || out_path.empty()) {
        fprintf(stderr, "ortigia: error: usage: ortigia power-fit MEASUREMENTS.csv -o FITTED.json\n");
        return 2;
    }
    if (model_path.empty())
        model_path = ort_power_default_model();
    auto model = std::make_unique<ort_power_model>();
    char msg[700];
    if (!ort_power_model_load(model.get(), model_path.c_str(), msg, sizeof msg)) {
        fprintf(stderr, "ortigia: error: power model: %s\n", msg);
        return 2;
    }
    std::vector<Row> rows;
    if (!read_csv(csv[0], platform, &rows))
        return 2;
    for (const Row &r : rows) {
        unsigned opp;
        std::string err;
        auto scratch = std::make_unique<ort_power_model>();
        if (!ort_power_setup(r.config, model_path, scratch.get(), &opp, &err)) {
            fprintf(stderr, "ortigia: error: %s:%u: column 'set': %s\n", csv[0].c_str(), r.line,
                    err.c_str());
            return 2;
        }
    }
    std::vector<ort_fit_param> params(ORT_FIT_MAX_PARAMS);
    params.resize(ort_fit_params(model.get(), params.data()));
    const size_t n = params.size(), m = rows.size();
    std::vector<double> A(m * n), b(m);
    std::vector<RunReply> replies(m);
    if (!jobs) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (uint64_t)c : 1;
    }
    /* Up to `jobs` rows at once; each child's pipe is read whole before
       it is waited for (the reply is small, but never rely on it). */
    struct Child {
        pid_t pid;
        int fd;
        size_t row;
    };
    std::vector<Child> running;
    std::vector<std::string> why(m);
    size_t next = 0;
    fflush(nullptr);
    auto reap = [&](const Child &c) {
        bool got = read_all(c.fd, &replies[c.row], sizeof(RunReply)) &&
                   read_all(c.fd, &A[c.row * n], n * sizeof(double));
        close(c.fd);
        int status = 0;
        while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!got) {
            replies[c.row].ok = 0;
            why[c.row] = WIFSIGNALED(status)
                             ? "the row's process was killed by signal " +
                                   std::to_string(WTERMSIG(status))
                             : "the row's process sent no result";
        } else if (!replies[c.row].ok) {
            replies[c.row].error[sizeof replies[c.row].error - 1] = 0;
            why[c.row] = replies[c.row].error;
        }
    };
    while (next < m || !running.empty()) {
        while (next < m && running.size() < jobs) {
            int fds[2];
            if (pipe(fds) != 0) {
                fprintf(stderr, "ortigia: error: cannot create a pipe: %s\n", strerror(errno));
                return 2;
            }
            pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                run_row(rows[next], model_path, platform.max_cycles, *model, params, fds[1]);
            }
            close(fds[1]);
            if (pid < 0) {
                close(fds[0]);
                fprintf(stderr, "ortigia: error: cannot start a process: %s\n", strerror(errno));
                return 2;
            }
            running.push_back({pid, fds[0], next++});
        }
        /* In row order: the oldest first (deterministic output either way). */
        reap(running.front());
        running.erase(running.begin());
    }
    bool failed = false;
    for (size_t i = 0; i < m; i++)
        if (!why[i].empty()) {
            fprintf(stderr, "ortigia: error: %s:%u: %s: %s\n", csv[0].c_str(), rows[i].line,
                    rows[i].program.c_str(), why[i].c_str());
            failed = true;
        }
    if (failed)
        return 1;
    for (size_t i = 0; i < m; i++)
        b[i] = rows[i].is_power ? rows[i].value * replies[i].seconds : rows[i].value;

    std::vector<double> prior(n), lo(n), hi(n);
    for (size_t j = 0; j < n; j++) {
        const ort_power_value *v = ort_fit_value(model.get(), &params[j]);
        prior[j] = v->value;
        lo[j] = v->low;
        hi[j] = v->high;
    }
    ort_fit_options fo;
    ort_fit_options_default(&fo);
    ort_fit_result res;
    if (!ort_fit_solve(A.data(), b.data(), m, n, prior.data(), lo.data(), hi.data(), &fo, &res,
                       msg, sizeof msg)) {
        fprintf(stderr, "ortigia: error: power-fit: %s\n", msg);
        return 1;
    }

    printf("power-fit: %zu rows, %zu parameters: %u fitted, %zu held; residual sigma %.3g %% "
           "(%u degrees of freedom)\n\n",
           m, n, res.n_fitted, n - res.n_fitted, 100 * res.sigma_rel, res.dof);
    printf("%-5s %-28s %-30s %12s %12s %12s %9s\n", "line", "program", "set", "measured_j",
           "prior_j", "fitted_j", "resid_%");
    for (size_t i = 0; i < m; i++) {
        std::string prog = rows[i].program.substr(rows[i].program.rfind('/') + 1);
        printf("%-5u %-28s %-30s %12.5g %12.5g %12.5g %9.3f\n", rows[i].line, prog.c_str(),
               rows[i].set.empty() ? "-" : rows[i].set.c_str(), b[i], replies[i].model_j,
               res.predicted[i], 100 * res.residual[i]);
    }
    printf("\n%-44s %-24s %11s %11s %11s %11s %11s  %s\n", "parameter", "status", "prior",
           "fitted", "sigma", "low95", "high95", "note");
    for (size_t j = 0; j < n; j++) {
        const ort_fit_estimate &e = res.est[j];
        bool est = e.status == ORT_FIT_FITTED || e.status == ORT_FIT_ZERO;
        std::string note;
        if (e.status == ORT_FIT_UNEXCITED)
            note = "max share " + fmt(100 * e.share) + " % < " + fmt(100 * fo.min_share) + " %";
        else if (e.status == ORT_FIT_DEPENDENT)
            note = "a combination of fitted columns";
        else if (e.confounded >= 0)
            note = std::string("depends on the held ") + params[(size_t)e.confounded].name;
        printf("%-44s %-24s %11.5g %11s %11s %11s %11s  %s\n", params[j].name,
               ort_fit_status_name(e.status), e.prior, est ? fmt(e.value).c_str() : "-",
               est && e.sigma > 0 ? fmt(e.sigma).c_str() : "-", est ? fmt(e.low).c_str() : "-",
               est ? fmt(e.high).c_str() : "-", note.c_str());
    }
    std::string src = "ortigia power-fit on " + csv[0];
    if (!ort_fit_write_model(model_path.c_str(), model.get(), params.data(), (unsigned)n, &res,
                             src.c_str(), out_path.c_str(), msg, sizeof msg)) {
        fprintf(stderr, "ortigia: error: %s\n", msg);
        ort_fit_result_free(&res);
        return 2;
    }
    ort_fit_result_free(&res);
    /* What was written must load. */
    auto check = std::make_unique<ort_power_model>();
    if (!ort_power_model_load(check.get(), out_path.c_str(), msg, sizeof msg)) {
        fprintf(stderr, "ortigia: error: the fitted model does not load: %s\n", msg);
        return 1;
    }
    fprintf(stderr, "ortigia: power-fit: wrote %s\n", out_path.c_str());
    return 0;
}
