/* The cross compiler run on a compiled network's sources (codegen.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "codegen.h"

#define CROSS_CC "riscv64-unknown-elf-gcc"

/* Runs `cmd` with its output appended to `log`; 0 on success. */
static int run(const char *cmd, const char *log)
{
    char full[16384 + 4096 + 16];
    snprintf(full, sizeof full, "%s >>'%s' 2>&1", cmd, log);
    int st = system(full);
    return st == 0 ? 0 : -1;
}

static void log_tail(const char *log, char *out, size_t size)
{
    FILE *f = fopen(log, "r");
    out[0] = 0;
    if (!f)
        return;
    char line[512];
    size_t at = 0;
    int kept = 0;
    while (fgets(line, sizeof line, f) && kept < 12) {
        /* ld names a program too large for a memory "not within region
           `RAM'" or "region `RAM' overflowed": both kept */
        if (!strstr(line, "error") && !strstr(line, "undefined") && !strstr(line, "overflow") &&
            !strstr(line, "not within region"))
            continue;
        at += (size_t)snprintf(out + at, size - at, "  %s", line);
        kept++;
        if (at >= size)
            break;
    }
    fclose(f);
}

/* A shell word: 'text' with any ' inside escaped. */
static void quote(char *out, size_t size, const char *text)
{
    size_t at = 0;
    if (size < 3)
        return;
    out[at++] = '\'';
    for (const char *p = text; *p && at + 6 < size; p++) {
        if (*p == '\'') {
            memcpy(out + at, "'\\''", 4);
            at += 4;
        } else {
            out[at++] = *p;
        }
    }
    out[at++] = '\'';
    out[at] = 0;
}

/* Appends " word" (quoted) to cmd; false when it does not fit. */
static bool append(char *cmd, size_t size, const char *word, bool quoted)
{
    char q[4200];
    if (quoted)
        quote(q, sizeof q, word);
    size_t len = strlen(cmd), add = strlen(quoted ? q : word);
    if (len + 1 + add + 1 > size)
        return false;
    cmd[len] = ' ';
    memcpy(cmd + len + 1, quoted ? q : word, add + 1);
    return true;
}

int ort_cross_compile(const struct ort_cross_build *b, struct ort_diag *d)
{
    char log[4096], cmd[16384], tail[4096], link[1024], obj[4096];
    snprintf(log, sizeof log, "%s/build.log", b->obj_dir);
    remove(log);
    static const char *const cflags =
        "-march=rv32imac_zicsr_zifencei -mabi=ilp32 --specs=picolibc.specs "
        "-Wall -Wextra -Wno-unused-parameter -ffunction-sections -fdata-sections";
    char objects[16384] = "";
    for (int i = 0; i < b->n_sources; i++) {
        const char *src = b->sources[i], *slash = strrchr(src, '/');
        snprintf(obj, sizeof obj, "%s/%s.o", b->obj_dir, slash ? slash + 1 : src);
        snprintf(cmd, sizeof cmd, "%s %s %s", CROSS_CC, cflags, b->opt_flags ? b->opt_flags : "-O2");
        char inc[4200];
        snprintf(inc, sizeof inc, "-I%s/include", b->fw_src);
        bool ok = append(cmd, sizeof cmd, inc, true);
        for (int k = 0; ok && k < b->n_cflags; k++)
            ok = append(cmd, sizeof cmd, b->cflags[k], true);
        ok = ok && append(cmd, sizeof cmd, "-c", false) && append(cmd, sizeof cmd, src, true) &&
             append(cmd, sizeof cmd, "-o", false) && append(cmd, sizeof cmd, obj, true) &&
             append(objects, sizeof objects, obj, true);
        if (!ok)
            return ort_fail(d, "%s: the compile command is too long", src);
        if (run(cmd, log)) {
            log_tail(log, tail, sizeof tail);
            return ort_fail(d, "%s: the cross compiler failed (%s):\n%s", src, log, tail);
        }
    }
    /* The memories and the L1 stacks as the target has them. */
    ort_target_link_flags(b->target, link, sizeof link);
    char out[4200], fw[4200], lib_rt[4300], lib_kernels[4300];
    quote(out, sizeof out, b->out_elf);
    quote(fw, sizeof fw, b->fw_src);
    snprintf(lib_rt, sizeof lib_rt, "%s/libort_rt.a", b->fw_lib);
    snprintf(lib_kernels, sizeof lib_kernels, "%s/libort_kernels.a", b->fw_lib);
    char q_rt[4400], q_kernels[4400];
    quote(q_rt, sizeof q_rt, lib_rt);
    quote(q_kernels, sizeof q_kernels, lib_kernels);
    int n = snprintf(cmd, sizeof cmd,
                     "%s -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -nostartfiles "
                     "-T %s/rt/ortigia.ld -L%s/rt %s -Wl,--gc-sections -Wl,--no-warn-rwx-segments%s "
                     "-Wl,--whole-archive %s -Wl,--no-whole-archive %s -o %s",
                     CROSS_CC, fw, fw, link, objects, q_rt, q_kernels, out);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return ort_fail(d, "%s: the link command is too long", b->out_elf);
    if (run(cmd, log)) {
        log_tail(log, tail, sizeof tail);
        return ort_fail(d, "%s: linking failed (%s)%s:\n%s", b->out_elf, log,
                        strstr(tail, "region") ? "; the link script's regions: RAM is L2, L1 the cluster's L1, "
                                                 "WMEM the weight memory"
                                               : "",
                        tail);
    }
    return 0;
}

int ort_build_elf(const char *outdir, const char *fw_src, const char *fw_lib, const struct ort_target *target,
                  struct ort_diag *d)
{
    char paths[4][4096], elf[4096];
    const char *sources[4];
    static const char *const names[] = {"network.c", "main.c", "weights.S", "inputs.S"};
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", outdir, names[i]);
        sources[i] = paths[i];
    }
    snprintf(elf, sizeof elf, "%s/network.elf", outdir);
    struct ort_cross_build b = {
        .sources = sources, .n_sources = 4, .out_elf = elf, .obj_dir = outdir,
        .fw_src = fw_src, .fw_lib = fw_lib, .target = target,
    };
    return ort_cross_compile(&b, d);
}
