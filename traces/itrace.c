#include "itrace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct ort_itrace {
    gzFile gz;
    uint64_t lines;
    int errors;
};

struct ort_itrace *ort_itrace_open(const char *path, char *err, size_t errlen)
{
    struct ort_itrace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Level 1: tracing is I/O bound; speed matters more than ratio. */
    t->gz = gzopen(path, "wb1");
    if (!t->gz) {
        snprintf(err, errlen, "cannot write trace '%s': %s", path,
                 errno ? strerror(errno) : "zlib error");
        free(t);
        return NULL;
    }
    gzbuffer(t->gz, 1 << 20);
    return t;
}

void ort_itrace_record(void *ctx, const struct rv_core *core, uint64_t start_cycle, uint32_t pc,
                       const struct rv_insn *insn)
{
    struct ort_itrace *t = ctx;
    char dis[64], line[160];
    rv_disasm(insn, pc, dis, sizeof dis);
    int n;
    if (insn->len == 2)
        n = snprintf(line, sizeof line, "%" PRIu64 " %u %08x %04x     %s", start_cycle,
                     core->hartid, pc, insn->raw & 0xffff, dis);
    else
        n = snprintf(line, sizeof line, "%" PRIu64 " %u %08x %08x %s", start_cycle,
                     core->hartid, pc, insn->raw, dis);
    if (insn->rd != RV_REG_SINK && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s=%08x", rv_reg_name(insn->rd),
                      core->x[insn->rd]);
    if (n < 0 || (size_t)n >= sizeof line - 1)
        n = (int)strlen(line);
    line[n++] = '\n';
    if (gzwrite(t->gz, line, (unsigned)n) != n)
        t->errors++;
    t->lines++;
}

int ort_itrace_close(struct ort_itrace *t)
{
    if (!t)
        return 0;
    int rc = gzclose(t->gz) == Z_OK && t->errors == 0 ? 0 : -1;
    free(t);
    return rc;
}

uint64_t ort_itrace_lines(const struct ort_itrace *t) { return t->lines; }
