#include "itrace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/*
 * Lines are formatted by hand into a large buffer handed to zlib in one
 * piece: printf and per-line gzwrite calls cost far more than the
 * compression. The "pc raw mnemonic" part of a line depends only on pc and
 * the instruction word, so it is kept in a small direct-mapped cache.
 */
#define DIS_CACHE_ENTRIES 4096u
#define OUT_BUFFER_BYTES (256u * 1024u)
#define MAX_LINE 192u

struct dis_entry {
    uint32_t pc, raw;
    uint8_t valid, length;
    char text[90]; /* "1c000010 00a00513 addi a0,zero,10" */
};

struct ort_itrace {
    gzFile gz;
    uint64_t lines;
    int errors;
    struct dis_entry *dis;
    char *out;
    size_t used;
};

struct ort_itrace *ort_itrace_open(const char *path, char *err, size_t errlen)
{
    struct ort_itrace *t = calloc(1, sizeof *t);
    if (t) {
        t->dis = calloc(DIS_CACHE_ENTRIES, sizeof *t->dis);
        t->out = malloc(OUT_BUFFER_BYTES);
    }
    if (!t || !t->dis || !t->out) {
        snprintf(err, errlen, "out of memory for the trace buffers");
        if (t) {
            free(t->dis);
            free(t->out);
        }
        free(t);
        return NULL;
    }
    /* Level 1: tracing is I/O bound; speed matters more than ratio. */
    t->gz = gzopen(path, "wb1");
    if (!t->gz) {
        snprintf(err, errlen, "cannot write trace '%s': %s", path,
                 errno ? strerror(errno) : "zlib error");
        free(t->dis);
        free(t->out);
        free(t);
        return NULL;
    }
    return t;
}

static void flush_buffer(struct ort_itrace *t)
{
    if (t->used && gzwrite(t->gz, t->out, (unsigned)t->used) != (int)t->used)
        t->errors++;
    t->used = 0;
}

static char *put_decimal(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_hex(char *p, uint32_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        p[i] = hex[v & 15], v >>= 4;
    return p + digits;
}

static const struct dis_entry *disassembly(struct ort_itrace *t, uint32_t pc,
                                           const struct rv_insn *insn)
{
    struct dis_entry *e = &t->dis[(pc >> 1) & (DIS_CACHE_ENTRIES - 1)];
    if (e->valid && e->pc == pc && e->raw == insn->raw)
        return e;
    char dis[64];
    rv_disasm(insn, pc, dis, sizeof dis);
    int n;
    if (insn->len == 2)
        n = snprintf(e->text, sizeof e->text, "%08x %04x     %s", pc, insn->raw & 0xffff, dis);
    else
        n = snprintf(e->text, sizeof e->text, "%08x %08x %s", pc, insn->raw, dis);
    e->length = (uint8_t)(n < 0 ? 0 : (size_t)n >= sizeof e->text ? sizeof e->text - 1 : (size_t)n);
    e->pc = pc;
    e->raw = insn->raw;
    e->valid = 1;
    return e;
}

void ort_itrace_record(void *ctx, const struct rv_core *core, uint64_t start_cycle, uint32_t pc,
                       const struct rv_insn *insn)
{
    struct ort_itrace *t = ctx;
    if (t->used > OUT_BUFFER_BYTES - MAX_LINE)
        flush_buffer(t);
    const struct dis_entry *e = disassembly(t, pc, insn);
    char *p = t->out + t->used;
    p = put_decimal(p, start_cycle);
    *p++ = ' ';
    p = put_decimal(p, core->hartid);
    *p++ = ' ';
    memcpy(p, e->text, e->length);
    p += e->length;
    if (insn->rd != RV_REG_SINK) {
        const char *name = rv_reg_name(insn->rd);
        *p++ = ' ';
        while (*name)
            *p++ = *name++;
        *p++ = '=';
        p = put_hex(p, core->x[insn->rd], 8);
    }
    *p++ = '\n';
    t->used = (size_t)(p - t->out);
    t->lines++;
}

int ort_itrace_close(struct ort_itrace *t)
{
    if (!t)
        return 0;
    flush_buffer(t);
    int rc = gzclose(t->gz) == Z_OK && t->errors == 0 ? 0 : -1;
    free(t->dis);
    free(t->out);
    free(t);
    return rc;
}

uint64_t ort_itrace_lines(const struct ort_itrace *t) { return t->lines; }
