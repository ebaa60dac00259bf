/* The cross compiler run on a compiled network's sources (codegen.h). */
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
        if (!strstr(line, "error") && !strstr(line, "undefined") && !strstr(line, "overflow"))
            continue;
        at += (size_t)snprintf(out + at, size - at, "  %s", line);
        kept++;
        if (at >= size)
            break;
    }
    fclose(f);
}

int ort_build_elf(const char *outdir, const char *fw_src, const char *fw_lib, const struct ort_target *target,
                  struct ort_diag *d)
{
    char log[4096], cmd[16384], tail[4096], link[1024];
    snprintf(log, sizeof log, "%s/build.log", outdir);
    remove(log);
    const char *cflags = "-march=rv32imac_zicsr_zifencei -mabi=ilp32 --specs=picolibc.specs -O2 "
                         "-Wall -Wextra -Wno-unused-parameter -ffunction-sections -fdata-sections";
    static const char *const sources[] = {"network.c", "main.c", "weights.S", "inputs.S"};
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s %s -I'%s/include' -c '%s/%s' -o '%s/%s.o'", CROSS_CC, cflags,
                 fw_src, outdir, sources[i], outdir, sources[i]);
        if (run(cmd, log)) {
            log_tail(log, tail, sizeof tail);
            return ort_fail(d, "%s/%s: the cross compiler failed (%s):\n%s", outdir, sources[i], log,
                            tail);
        }
    }
    /* The memories and the L1 stacks as the target has them. */
    ort_target_link_flags(target, link, sizeof link);
    snprintf(cmd, sizeof cmd,
             "%s -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -nostartfiles -T '%s/rt/ortigia.ld' "
             "-L'%s/rt' %s -Wl,--gc-sections -Wl,--no-warn-rwx-segments '%s/network.c.o' '%s/main.c.o' "
             "'%s/weights.S.o' '%s/inputs.S.o' -Wl,--whole-archive '%s/libort_rt.a' "
             "-Wl,--no-whole-archive '%s/libort_kernels.a' -o '%s/network.elf'",
             CROSS_CC, fw_src, fw_src, link, outdir, outdir, outdir, outdir, fw_lib, fw_lib, outdir);
    if (run(cmd, log)) {
        log_tail(log, tail, sizeof tail);
        return ort_fail(d, "%s/network.elf: linking failed (%s):\n%s", outdir, log, tail);
    }
    return 0;
}
