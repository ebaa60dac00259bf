/* The power trace as VCD (vcd.h). */
#include "vcd.h"

#include <stdio.h>

/* A VCD identifier: printable characters from '!' on, a second one from
   the 95th variable on. */
static const char *vcd_id(unsigned n, char id[3])
{
    id[0] = (char)('!' + n % 94);
    id[1] = n >= 94 ? (char)('!' + n / 94) : '\0';
    id[2] = '\0';
    return id;
}

static unsigned long long vcd_time_ns(uint64_t cycle, double frequency_mhz)
{
    return (unsigned long long)((double)cycle * 1000.0 / frequency_mhz + 0.5);
}

bool ort_vcd_write_power(const char *path, const struct ort_power_window *windows, size_t n,
                         double frequency_mhz)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    char id[3];
    fprintf(f, "$comment Ortigia power trace: component power in mW, core state "
               "0 sleep 1 stall 2 run $end\n$timescale 1 ns $end\n$scope module ortigia $end\n");
    /* Variables: 0 the total, then the components, then the cores; every
       window has the first one's components and cores. */
    unsigned n_comp = n ? windows[0].report->n : 0;
    unsigned n_cores = n ? windows[0].n_cores : 0;
    fprintf(f, "$var real 64 %s total_power_mw $end\n", vcd_id(0, id));
    for (unsigned i = 0; i < n_comp; i++)
        fprintf(f, "$var real 64 %s %s_power_mw $end\n", vcd_id(1 + i, id),
                windows[0].report->activity[i].name);
    for (unsigned c = 0; c < n_cores; c++)
        fprintf(f, "$var wire 2 %s core%u_state $end\n", vcd_id(1 + n_comp + c, id), c);
    fprintf(f, "$upscope $end\n$enddefinitions $end\n");
    for (size_t k = 0; k < n; k++) {
        const struct ort_power_window *w = &windows[k];
        const struct ort_power_report *r = w->report;
        fprintf(f, "#%llu\n", vcd_time_ns(w->begin, frequency_mhz));
        fprintf(f, "r%.9g %s\n", r->average_w * 1e3, vcd_id(0, id));
        for (unsigned i = 0; i < r->n; i++)
            fprintf(f, "r%.9g %s\n", r->seconds > 0 ? r->energy[i].total_j / r->seconds * 1e3 : 0.0,
                    vcd_id(1 + i, id));
        for (unsigned c = 0; c < w->n_cores; c++)
            fprintf(f, "b%d%d %s\n", (w->core_state[c] >> 1) & 1, w->core_state[c] & 1,
                    vcd_id(1 + n_comp + c, id));
    }
    /* The end of the last window, so that it shows with its length. */
    if (n)
        fprintf(f, "#%llu\n", vcd_time_ns(windows[n - 1].end, frequency_mhz));
    /* A failed write sets the stream's error indicator: one look covers
       every line. */
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok;
}
