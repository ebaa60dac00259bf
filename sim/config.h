/*
 * Platform configuration: every parameter of the simulated MCU, with its
 * default (the Siracusa-class platform of docs/architecture.md), range and
 * meaning, in one table. Set from a JSON file (nested objects, e.g.
 * {"l2": {"latency": 15}}) and from "key=value" overrides ("l2.latency=15").
 * Unknown keys, wrong types and out-of-range values are errors that name
 * the key.
 */
#ifndef ORTIGIA_CONFIG_H
#define ORTIGIA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ort_config {
    double soc_frequency_mhz; /* soc.frequency_mhz */
    uint32_t l2_size;         /* l2.size, bytes */
    uint32_t l2_latency;      /* l2.latency, cycles per core data access */
    uint32_t quantum_cycles;  /* sim.quantum_cycles */
    uint32_t cluster_cores;   /* cluster.cores */
    uint32_t slice_cycles;    /* cluster.slice_cycles */
    uint32_t l1_size;         /* l1.size, bytes */
    uint32_t l1_banks;        /* l1.banks */
    uint32_t wmem_size;       /* wmem.size, bytes */
    uint32_t wmem_latency;    /* wmem.latency, cycles per core data access */
    uint32_t pmu_npu_wakeup_cycles;  /* pmu.npu_wakeup_cycles */
    uint32_t pmu_wmem_wakeup_cycles; /* pmu.wmem_wakeup_cycles */
    uint32_t pmu_cluster_wakeup_cycles; /* pmu.cluster_wakeup_cycles */
    uint32_t dma_bandwidth;   /* dma.bandwidth, bytes per cycle */
    uint32_t dma_queue_depth; /* dma.queue_depth, transfers in flight */
    uint32_t core_misaligned_traps; /* core.misaligned_traps, 0 or 1 */
    uint32_t npu_enabled;     /* npu.enabled, 0 or 1 */
    /* npu.*: the NPU's timing (cycles unless said; models/npu/npu.h) */
    uint32_t npu_start_cycles, npu_load_prepare_cycles, npu_load_tail_1x1_cycles;
    uint32_t npu_mv_prepare_1x1_cycles, npu_mv_prepare_3x3_cycles, npu_mv_prepare_dw_cycles;
    uint32_t npu_mv_exit_3x3_cycles, npu_norm_shift_cycles, npu_norm_mult_bits;
    uint32_t npu_norm_mult_cycles, npu_norm_bias_cycles, npu_streamin_cycles;
    uint32_t npu_streamout_1x1_cycles, npu_end_cycles, npu_tcdm_ports, npu_wmem_port_bytes;
    uint32_t npu_prefetch_load_cycles, npu_mv_prepare_prefetch_1x1_cycles;
    char soc_opp[24];         /* soc.opp: operating point of the power model
                                 ("" = the model's default) */
};

enum ort_config_type { ORT_CFG_U32, ORT_CFG_F64, ORT_CFG_NAME };

/* Flags of a key. */
#define ORT_CFG_POWER_OF_TWO 1u /* the value must be a power of two */

struct ort_config_key {
    const char *key;
    enum ort_config_type type;
    size_t offset;
    double min, max, def; /* for ORT_CFG_NAME: max = buffer size, default "" */
    const char *help;
    unsigned flags;       /* ORT_CFG_* */
};

extern const struct ort_config_key ort_config_keys[];
extern const size_t ort_config_key_count;

void ort_config_defaults(struct ort_config *c);

struct ort_npu_params;
/* The NPU's timing parameters (models/npu/npu.h) as the configuration
   sets them (npu.*), for `cores` cluster cores: what the platform builds
   the NPU with and what the compiler's cost model reads. */
void ort_config_npu_params(const struct ort_config *c, unsigned cores, struct ort_npu_params *p);

/* False with a message naming the file and the key. */
bool ort_config_load_file(struct ort_config *c, const char *path, char *err, size_t errlen);

/* Apply "key=value"; false with a message naming the key. */
bool ort_config_set(struct ort_config *c, const char *assignment, char *err, size_t errlen);

/* Set one key from a number (range-checked); false with a message. */
bool ort_config_set_number(struct ort_config *c, const char *key, double value, char *err,
                          size_t errlen);

/* The memories' configured sizes against the fixed bases: false with a
   message naming the key and the two regions when one memory runs into
   the next region or past 4 GiB. */
bool ort_config_check_memory_map(const struct ort_config *c, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
