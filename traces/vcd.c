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

void ort_vcd_power_header(FILE *f, const struct ort_power_window *first)
{
    char id[3];
    fprintf(f, "$comment Ortigia power trace: component power in mW, core state "
               "0 sleep 1 stall 2 run $end\n$timescale 1 ns $end\n$scope module ortigia $end\n");
    /* Variables: 0 the total, then the components, then the cores; every
       window has the first one's components and cores. */
    unsigned n_comp = first ? first->report->n : 0;
    unsigned n_cores = first ? first->n_cores : 0;
    fprintf(f, "$var real 64 %s total_power_mw $end\n", vcd_id(0, id));
    for (unsigned i = 0; i < n_comp; i++)
        fprintf(f, "$var real 64 %s %s_power_mw $end\n", vcd_id(1 + i, id),
                first->report->activity[i].name);
    for (unsigned c = 0; c < n_cores; c++)
        fprintf(f, "$var wire 2 %s core%u_state $end\n", vcd_id(1 + n_comp + c, id), c);
    fprintf(f, "$upscope $end\n$enddefinitions $end\n");
}

void ort_vcd_power_window(FILE *f, const struct ort_power_window *w, double frequency_mhz)
{
    char id[3];
    const struct ort_power_report *r = w->report;
    unsigned n_comp = r->n;
    fprintf(f, "#%llu\n", vcd_time_ns(w->begin, frequency_mhz));
    fprintf(f, "r%.9g %s\n", r->average_w * 1e3, vcd_id(0, id));
    for (unsigned i = 0; i < r->n; i++)
        fprintf(f, "r%.9g %s\n", r->seconds > 0 ? r->energy[i].total_j / r->seconds * 1e3 : 0.0,
                vcd_id(1 + i, id));
    for (unsigned c = 0; c < w->n_cores; c++)
        fprintf(f, "b%d%d %s\n", (w->core_state[c] >> 1) & 1, w->core_state[c] & 1,
                vcd_id(1 + n_comp + c, id));
}

void ort_vcd_power_end(FILE *f, uint64_t end_cycle, double frequency_mhz)
{
    /* The end of the last window, so that it shows with its length. */
    fprintf(f, "#%llu\n", vcd_time_ns(end_cycle, frequency_mhz));
}

bool ort_vcd_write_power(const char *path, const struct ort_power_window *windows, size_t n,
                         double frequency_mhz)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    ort_vcd_power_header(f, n ? &windows[0] : NULL);
    for (size_t k = 0; k < n; k++)
        ort_vcd_power_window(f, &windows[k], frequency_mhz);
    if (n)
        ort_vcd_power_end(f, windows[n - 1].end, frequency_mhz);
    /* A failed write sets the stream's error indicator: one look covers
       every line. */
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok;
}
