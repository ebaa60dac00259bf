// Runs a shell command for the end-to-end tests: its stdout and exit status.
#ifndef ORTIGIA_TESTS_RUN_CAPTURE_H
#define ORTIGIA_TESTS_RUN_CAPTURE_H

#include <cstdio>
#include <string>
#include <sys/wait.h>

struct RunResult {
    int status = -1;
    std::string out;
};

inline RunResult run_capture(const std::string &cmd)
{
    RunResult r;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p)
        return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

#endif
