#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "npu.h"
#include "platform_map.h"

#define KEY_U32(k, field, lo, hi, d, h) {k, ORT_CFG_U32, offsetof(struct ort_config, field), lo, hi, d, h, 0}
#define KEY_U32_POW2(k, field, lo, hi, d, h) \
    {k, ORT_CFG_U32, offsetof(struct ort_config, field), lo, hi, d, h, ORT_CFG_POWER_OF_TWO}
#define KEY_F64(k, field, lo, hi, d, h) {k, ORT_CFG_F64, offsetof(struct ort_config, field), lo, hi, d, h, 0}
#define KEY_NAME(k, field, h) \
    {k, ORT_CFG_NAME, offsetof(struct ort_config, field), 0, sizeof(((struct ort_config *)0)->field), 0, h, 0}

/* Every parameter's range is here and only here: the engines receive
   values this table has checked. Where a limit is structural (an engine's
   array size, the TCDM's window), the table takes the engine's constant. */
const struct ort_config_key ort_config_keys[] = {
    KEY_F64("soc.frequency_mhz", soc_frequency_mhz, 0, 5000, 0,
            "clock of the cores and memories in MHz (0: the operating point's, see soc.opp)"),
    KEY_U32("l2.size", l2_size, 64 * 1024, 256 * 1024 * 1024, 2 * 1024 * 1024,
            "L2 SRAM size in bytes (code and data, at 0x1C000000)"),
    KEY_U32("l2.latency", l2_latency, 0, 1000, 15,
            "extra cycles of a core's data access to L2"),
    KEY_U32("sim.quantum_cycles", quantum_cycles, 1, 100000000, 10000,
            "SystemC quantum: cycles the cluster runs before SystemC time catches up"),
    KEY_U32("cluster.cores", cluster_cores, 1, ORT_CLUSTER_MAX_CORES, 8, "cores in the cluster"),
    KEY_U32("cluster.slice_cycles", slice_cycles, 1, ORT_TCDM_WINDOW / 2, 256,
            "scheduling slice: cycles each core runs before the next takes its turn"),
    KEY_U32("l1.size", l1_size, 4 * 1024, 4 * 1024 * 1024, 256 * 1024,
            "L1 TCDM size in bytes (at 0x10000000)"),
    KEY_U32_POW2("l1.banks", l1_banks, 1, ORT_TCDM_MAX_BANKS, 16,
            "L1 TCDM banks, word-interleaved (a power of two)"),
    KEY_U32("wmem.size", wmem_size, 64 * 1024, 64 * 1024 * 1024, 4 * 1024 * 1024,
            "weight memory size in bytes (at 0x10400000)"),
    KEY_U32("wmem.latency", wmem_latency, 0, 1000, 15,
            "extra cycles of a core's data access to the weight memory"),
    /* Power-up latencies of the power controller's domains (models/pmu):
       assumptions, docs/power-model.md "Power states"; the model file
       records the same figures with their class and range. */
    KEY_U32("pmu.npu_wakeup_cycles", pmu_npu_wakeup_cycles, 0, 1000000, 360,
            "cycles a write powering the NPU on stalls (the domain's wake-up)"),
    KEY_U32("pmu.wmem_wakeup_cycles", pmu_wmem_wakeup_cycles, 0, 1000000, 1800,
            "cycles a write powering the weight memory on stalls (the domain's wake-up)"),
    KEY_U32("pmu.cluster_wakeup_cycles", pmu_cluster_wakeup_cycles, 0, 1000000, 720,
            "cycles from the power controller's timer powering the cluster on to its first instruction"),
    KEY_U32("dma.bandwidth", dma_bandwidth, 1, ORT_DMA_MAX_BANDWIDTH, ORT_DMA_DEFAULT_BANDWIDTH,
            "cluster DMA bandwidth in bytes per cycle"),
    KEY_U32("dma.queue_depth", dma_queue_depth, 4, ORT_DMA_MAX_QUEUE, ORT_DMA_DEFAULT_QUEUE_DEPTH,
            "cluster DMA transfers in flight before a new push waits"),
    KEY_U32("core.misaligned_traps", core_misaligned_traps, 0, 1, 0,
            "1: a misaligned load or store traps; 0: it completes as two aligned accesses, as on CV32E40P"),
    KEY_U32("npu.enabled", npu_enabled, 0, 1, 1,
            "1: the N-EUREKA NPU is in the cluster (at 0x10201000); 0: removed"),
    /* The NPU's phase costs (GVSoC's, models/npu/npu.h "Timing"): every
       constant a what-if study may change. */
    KEY_U32("npu.start_cycles", npu_start_cycles, 0, 1000, 1,
            "NPU: cycles from TRIGGER to the job's first phase"),
    KEY_U32("npu.load_prepare_cycles", npu_load_prepare_cycles, 0, 1000, 6,
            "NPU: cycles before each input load"),
    KEY_U32("npu.load_tail_1x1_cycles", npu_load_tail_1x1_cycles, 0, 1000, 6,
            "NPU: cycles after a 1x1 input load (plus 36 - pixels loaded)"),
    KEY_U32("npu.mv_prepare_1x1_cycles", npu_mv_prepare_1x1_cycles, 0, 1000, 10,
            "NPU: cycles before a 1x1 weight stream"),
    KEY_U32("npu.mv_prepare_3x3_cycles", npu_mv_prepare_3x3_cycles, 0, 1000, 6,
            "NPU: cycles before a 3x3 weight stream"),
    KEY_U32("npu.mv_prepare_dw_cycles", npu_mv_prepare_dw_cycles, 0, 1000, 34,
            "NPU: cycles before a depthwise weight stream"),
    KEY_U32("npu.mv_exit_3x3_cycles", npu_mv_exit_3x3_cycles, 0, 1000, 8,
            "NPU: cycles after a 3x3 weight stream"),
    KEY_U32("npu.norm_shift_cycles", npu_norm_shift_cycles, 0, 1000, 7,
            "NPU: cycles after loading per-channel shifts"),
    KEY_U32("npu.norm_mult_bits", npu_norm_mult_bits, 1, 1024, 32,
            "NPU: scale bits multiplied per cycle (32: 4 8-bit scales a cycle)"),
    KEY_U32("npu.norm_mult_cycles", npu_norm_mult_cycles, 0, 1000, 9,
            "NPU: cycles after the scale multiply"),
    KEY_U32("npu.norm_bias_cycles", npu_norm_bias_cycles, 0, 1000, 8,
            "NPU: cycles after the bias step"),
    KEY_U32("npu.streamin_cycles", npu_streamin_cycles, 0, 1000, 10,
            "NPU: cycles after a streamin"),
    KEY_U32("npu.streamout_1x1_cycles", npu_streamout_1x1_cycles, 0, 1000, 3,
            "NPU: cycles after a 1x1 streamout"),
    KEY_U32("npu.end_cycles", npu_end_cycles, 0, 1000, 1,
            "NPU: cycles after the last subtile, before the completion event"),
    KEY_U32("npu.prefetch_load_cycles", npu_prefetch_load_cycles, 0, 1000, 3,
            "NPU: cycles of an input load already prefetched (CONF0[10])"),
    KEY_U32("npu.mv_prepare_prefetch_1x1_cycles", npu_mv_prepare_prefetch_1x1_cycles, 0, 1000, 3,
            "NPU: cycles before a 1x1 weight stream after a prefetched load"),
    KEY_U32("npu.tcdm_ports", npu_tcdm_ports, 1, 64, 9,
            "NPU: 32-bit L1 words its streamer accesses per cycle"),
    KEY_U32("npu.wmem_port_bytes", npu_wmem_port_bytes, 1, 1024, 36,
            "NPU: bytes per cycle of its weight-memory port (36 = 288 bit)"),
    KEY_NAME("soc.opp", soc_opp,
             "operating point of the power model (e.g. 0.65V; empty: the model's default)"),
};
const size_t ort_config_key_count = sizeof ort_config_keys / sizeof ort_config_keys[0];

static const struct ort_config_key *find_key(const char *key)
{
    for (size_t i = 0; i < ort_config_key_count; i++)
        if (strcmp(ort_config_keys[i].key, key) == 0)
            return &ort_config_keys[i];
    return NULL;
}

void ort_config_defaults(struct ort_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < ort_config_key_count; i++) {
        const struct ort_config_key *k = &ort_config_keys[i];
        char *p = (char *)c + k->offset;
        if (k->type == ORT_CFG_U32) {
            uint32_t v = (uint32_t)k->def;
            memcpy(p, &v, sizeof v);
        } else if (k->type == ORT_CFG_NAME) {
            p[0] = 0;
        } else {
            memcpy(p, &k->def, sizeof k->def);
        }
    }
}

/* Set a name-valued key: printable, no spaces, fits the buffer. */
static bool set_name(struct ort_config *c, const struct ort_config_key *k, const char *text,
                    char *err, size_t errlen)
{
    size_t n = strlen(text);
    if (n >= (size_t)k->max) {
        snprintf(err, errlen, "'%s': '%s' is too long (at most %u characters)", k->key, text,
                 (unsigned)k->max - 1);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (text[i] <= ' ' || text[i] > '~') {
            snprintf(err, errlen, "'%s': '%s' is not a name", k->key, text);
            return false;
        }
    }
    memcpy((char *)c + k->offset, text, n + 1);
    return true;
}

bool ort_config_set_number(struct ort_config *c, const char *key, double value, char *err,
                          size_t errlen)
{
    const struct ort_config_key *k = find_key(key);
    if (!k) {
        snprintf(err, errlen, "unknown configuration key '%s'", key);
        return false;
    }
    if (k->type == ORT_CFG_NAME) {
        snprintf(err, errlen, "'%s' takes a name, not a number", key);
        return false;
    }
    if (!isfinite(value) || value < k->min || value > k->max) {
        snprintf(err, errlen, "'%s' = %g is out of range [%g, %g]", key, value, k->min, k->max);
        return false;
    }
    char *p = (char *)c + k->offset;
    if (k->type == ORT_CFG_U32) {
        if (value != floor(value)) {
            snprintf(err, errlen, "'%s' must be an integer, got %g", key, value);
            return false;
        }
        uint32_t v = (uint32_t)value;
        if ((k->flags & ORT_CFG_POWER_OF_TWO) && (v & (v - 1)) != 0) {
            snprintf(err, errlen, "'%s' = %u must be a power of two", key, v);
            return false;
        }
        memcpy(p, &v, sizeof v);
    } else {
        memcpy(p, &value, sizeof value);
    }
    return true;
}

bool ort_config_set(struct ort_config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "'%s' is not of the form key=value", assignment);
        return false;
    }
    char key[128];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof key) {
        snprintf(err, errlen, "configuration key too long in '%s'", assignment);
        return false;
    }
    memcpy(key, assignment, n);
    key[n] = 0;
    const struct ort_config_key *k = find_key(key);
    if (!k) {
        snprintf(err, errlen, "unknown configuration key '%s'", key);
        return false;
    }
    const char *text = eq + 1;
    if (k->type == ORT_CFG_NAME)
        return set_name(c, k, text, err, errlen);
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    /* Accept size suffixes K and M (binary) for convenience: l2.size=4M. */
    if (end && end != text && (*end == 'K' || *end == 'k' || *end == 'M')) {
        v *= (*end == 'M') ? 1024.0 * 1024.0 : 1024.0;
        end++;
    }
    if (!end || end == text || *end != 0 || errno) {
        snprintf(err, errlen, "'%s': '%s' is not a number", key, text);
        return false;
    }
    return ort_config_set_number(c, key, v, err, errlen);
}

/* Walk nested objects, building dotted keys. */
static bool apply_object(struct ort_config *c, json_t *obj, const char *prefix, const char *path,
                        char *err, size_t errlen)
{
    const char *name;
    json_t *value;
    json_object_foreach(obj, name, value) {
        char key[128];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", name);
        if (!*prefix && (strcmp(name, "description") == 0 || strcmp(name, "name") == 0)) {
            if (!json_is_string(value)) {
                snprintf(err, errlen, "%s: '%s' must be a string", path, key);
                return false;
            }
            continue;
        }
        if (json_is_object(value)) {
            if (!apply_object(c, value, key, path, err, errlen))
                return false;
            continue;
        }
        const struct ort_config_key *k = find_key(key);
        if (!k) {
            snprintf(err, errlen, "%s: unknown configuration key '%s'", path, key);
            return false;
        }
        if (k->type == ORT_CFG_NAME) {
            char msg[256];
            if (!json_is_string(value)) {
                snprintf(err, errlen, "%s: '%s' must be a string", path, key);
                return false;
            }
            if (!set_name(c, k, json_string_value(value), msg, sizeof msg)) {
                snprintf(err, errlen, "%s: %s", path, msg);
                return false;
            }
            continue;
        }
        if (!json_is_number(value)) {
            snprintf(err, errlen, "%s: '%s' must be a number", path, key);
            return false;
        }
        char msg[256];
        if (!ort_config_set_number(c, key, json_number_value(value), msg, sizeof msg)) {
            snprintf(err, errlen, "%s: %s", path, msg);
            return false;
        }
    }
    return true;
}

bool ort_config_load_file(struct ort_config *c, const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (jerr.line > 0)
            snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        else
            snprintf(err, errlen, "%s: %s", path, jerr.text);
        return false;
    }
    bool ok = true;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: the configuration must be a JSON object", path);
        ok = false;
    } else {
        ok = apply_object(c, root, "", path, err, errlen);
    }
    json_decref(root);
    return ok;
}

bool ort_config_check_memory_map(const struct ort_config *c, char *err, size_t errlen)
{
    /* Sizes are configurable, bases are not (platform_map.h): a memory that
       grows into the next region would hide its devices or memory. */
    const struct {
        const char *name, *key;
        uint64_t base, size;
    } region[] = {
        {"L1", "l1.size", ORT_L1_BASE, c->l1_size},
        {"the cluster peripherals", NULL, ORT_CLUSTER_PERIPH_BASE, ORT_CLUSTER_PERIPH_WINDOW},
        {"the weight memory", "wmem.size", ORT_WMEM_BASE, c->wmem_size},
        {"the SoC peripherals", NULL, ORT_SOC_PERIPH_BASE, ORT_SOC_PERIPH_WINDOW},
        {"L2", "l2.size", ORT_L2_BASE, c->l2_size},
    };
    const size_t n = sizeof region / sizeof region[0];
    for (size_t i = 0; i < n; i++) {
        uint64_t end_i = region[i].base + region[i].size;
        if (end_i > 0x100000000ull) {
            snprintf(err, errlen, "'%s' = %llu: %s [0x%08llx, 0x%09llx) does not fit the 32-bit "
                     "address space", region[i].key, (unsigned long long)region[i].size,
                     region[i].name, (unsigned long long)region[i].base,
                     (unsigned long long)end_i);
            return false;
        }
        for (size_t j = 0; j < n; j++) {
            uint64_t end_j = region[j].base + region[j].size;
            if (j == i || !region[i].key || region[j].base < region[i].base ||
                region[j].base >= end_i)
                continue;
            snprintf(err, errlen, "'%s' = %llu: %s [0x%08llx, 0x%08llx) overlaps %s "
                     "[0x%08llx, 0x%08llx) (bases are fixed; at most %llu bytes fit)",
                     region[i].key, (unsigned long long)region[i].size, region[i].name,
                     (unsigned long long)region[i].base, (unsigned long long)end_i,
                     region[j].name, (unsigned long long)region[j].base,
                     (unsigned long long)end_j,
                     (unsigned long long)(region[j].base - region[i].base));
            return false;
        }
    }
    return true;
}

void ort_config_npu_params(const struct ort_config *c, unsigned cores, struct ort_npu_params *p)
{
    ort_npu_default_params(p, cores);
    p->start_cycles = c->npu_start_cycles;
    p->load_prepare_cycles = c->npu_load_prepare_cycles;
    p->load_tail_1x1_cycles = c->npu_load_tail_1x1_cycles;
    p->mv_prepare_1x1_cycles = c->npu_mv_prepare_1x1_cycles;
    p->mv_prepare_3x3_cycles = c->npu_mv_prepare_3x3_cycles;
    p->mv_prepare_dw_cycles = c->npu_mv_prepare_dw_cycles;
    p->mv_exit_3x3_cycles = c->npu_mv_exit_3x3_cycles;
    p->norm_shift_cycles = c->npu_norm_shift_cycles;
    p->norm_mult_bits = c->npu_norm_mult_bits;
    p->norm_mult_cycles = c->npu_norm_mult_cycles;
    p->norm_bias_cycles = c->npu_norm_bias_cycles;
    p->streamin_cycles = c->npu_streamin_cycles;
    p->streamout_1x1_cycles = c->npu_streamout_1x1_cycles;
    p->end_cycles = c->npu_end_cycles;
    p->prefetch_load_cycles = c->npu_prefetch_load_cycles;
    p->mv_prepare_prefetch_1x1_cycles = c->npu_mv_prepare_prefetch_1x1_cycles;
    p->tcdm_ports = c->npu_tcdm_ports;
    p->wmem_port_bytes = c->npu_wmem_port_bytes;
}
