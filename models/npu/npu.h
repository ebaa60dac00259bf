/*
 * N-EUREKA NPU (Siracusa's neural engine) as a cluster device: a 6x6 array
 * of processing elements that runs one convolution layer per job (1x1,
 * 3x3, 3x3 depthwise) on HWC int8 data in the L1, with weights from the L1
 * or from the weight memory over its own port. Bit-exact and timed: its
 * streamer claims L1 banks per cycle through the TCDM model, so it contends
 * with the cores and the DMA, and it advances per slice.
 *
 * Sources and their conflicts: /work/shared/design/npu-neureka.md. The
 * model follows the Siracusa software stack (pulp-nnx `neureka/`, GVSoC
 * `pulp/neureka`, Deeploy): CONF0 bit 26 = signed input, 28-channel
 * subtiles with 32-byte weight words in the 3x3 modes, 24 job registers;
 * the open RTL for arithmetic widths, saturation and HWPE semantics.
 *
 * ---- Registers (offsets: npu_regs.h; 32-bit accesses only) -------------
 *   TRIGGER     w  commit the context being programmed (the writer must
 *                  hold it from ACQUIRE); 0 = commit and run (also runs any
 *                  job committed earlier with a nonzero write), else commit
 *                  only. The job is checked here; a bad one is refused (see
 *                  Errors). Without a held context: error NO_ACQUIRE.
 *   ACQUIRE     r  the job id (0..255, one counter) of the context being
 *                  programmed, which this core then holds until TRIGGER.
 *                  Sleeps while both contexts hold jobs or another core
 *                  holds it, and is woken when that changes. [CHOICE] The
 *                  RTL returns -1/-2 instead; a driver that waits on STATUS
 *                  first (pulp-nnx) sees no difference. A core that already
 *                  holds the context gets its id again.
 *   FINISHED    r  jobs finished since the last read, saturating at 2.
 *   STATUS      r  0x001 while context 0 holds a committed job, 0x100 for
 *                  context 1 (both: 0x101).
 *   RUNNING_JOB r  id of the running job, else of the last job finished or
 *                  refused.
 *   SOFT_CLEAR  w  abort the running job (no event), free both contexts and
 *                  the hold; 0 also clears the job registers. Cores asleep
 *                  in ACQUIRE are woken.
 *   JOB(i)      rw the 24 job registers (0x20..0x7C) of the context being
 *                  programmed (writes while it holds a committed job are
 *                  dropped); CTX_JOB(c, i) reads context c's.
 *   ERROR       r  last refusal's ORT_NPU_ERR_*, cleared by the read;
 *   ERROR_JOB   r  id of the refused job (0xFFFFFFFF for NO_ACQUIRE).
 *
 * Completion raises ORT_EU_EVENT_NPU (event 12) on the core that triggered
 * the job, at the completion cycle ([CHOICE] the RTL's hwpe-ctrl semantics;
 * GVSoC raises it on every core). A refused job raises it too, one cycle
 * after TRIGGER, so a core waiting for it wakes and can read ERROR.
 *
 * ---- Job registers --------------------------------------------------------
 * As the design note's table: WEIGHTS_PTR (an L1 address, or with CONF0[9]
 * an offset in the weight memory), INFEAT_PTR (the virtual padded origin:
 * the first real pixel is at + pad_top * D1 + pad_left * D0), OUTFEAT_PTR,
 * SCALE/SCALE_SHIFT/SCALE_BIAS_PTR, strides, subtile numbers and
 * remainders, PADDING, WEIGHT_OFFSET_FACTOR (Wmin), FILTER_MASKING (must be
 * 0) and CONF0 (npu_regs.h). Every pointer but weights in the weight
 * memory is an L1 address.
 *
 * Geometry: tp_in = 32 (1x1) or 28 (3x3, DW) input channels per Ki subtile,
 * tp_out = 32 (28 in DW) output channels per Ko subtile, 6x6 output pixels
 * per spatial subtile; the input subtile is 6x6 (1x1) or 8x8 (3x3).
 * Traversal: Ko subtile (kom), then rows (i), then columns (j), then Ki
 * subtiles (kim; DW has one, its channels are those of kom).
 *   input pixel (r, c) of subtile (i, j): INFEAT_PTR + (6i + r) * D1_in +
 *     (6j + c) * D0_in + kim * tp_in (DW: kom * 28), 32 bytes read
 *   output pixel (r, c): OUTFEAT_PTR + (6i + r) * D2_out + (6j + c) * D1_out
 *     + kom * tp_out * Q / 8; 32-bit output: 8 channels per word, words at
 *     D0_out
 *   weight word (32 bytes): 1x1 WEIGHTS_PTR + (kom * 32 + ko) * D1_w + kim
 *     * D0_w; 3x3 + (kom * 32 + ko) * D1_w + (kim * qw + b) * D0_w; DW +
 *     (kom * qw + b) * D0_w
 *   scale, shift, bias of channel ko: + (kom * tp_out + ko) * (bytes each)
 *
 * ---- Weight layout (ort_npu_encode_weights writes it) -------------------
 * Weights w[cout][cin][ky][kx] are stored as w_u = w - Wmin, qw bits, in
 * 32-byte words, bytes filled LSB first (bit n = byte n / 8, bit n % 8):
 *   3x3: one word per (cout, Ki subtile kim, bit b), in that order; bit
 *        28 * (3 ky + kx) + c = bit b of w_u[cout][28 kim + c][ky][kx]
 *        (bits 252..255 zero); WEIGHTS_D0 = 32, D1 = 32 * qw * nKi.
 *   DW:  the same with one "cout": one word per (channel subtile, bit b);
 *        D1 = 0.
 *   1x1: one word per (cout, kim) holding every bit-plane: bit 32 g + 4 b
 *        + c4 = bit b of channel 32 kim + 4 g + c4; bits of planes >= qw
 *        zero; D0 = 32, D1 = 32 * nKi.
 * Input channels past Cin are zero in the last subtile's words.
 *
 * ---- Arithmetic (bit-exact; npu_ref.h is the independent reference) -----
 * Activations x: uint8, or int8 with CONF0[26]. Input positions outside the
 * real input ([pad_top, 6 (nHo - 1) + Hi_rem) x [pad_left, 6 (nWo - 1) +
 * Wi_rem)) take the pad value (low byte of PADDING, of the input's type);
 * [CHOICE] the model decides this by position in the padded tensor (GVSoC
 * pads only the border subtiles; they agree for every layer pulp-nnx
 * programs). Channels past the Ki remainder are 0.
 * Weights are stored as w_u = w - Wmin (qw bits) and applied bit-serially:
 *   acc[px][ko] += sum_tap sum_ci sum_b 2^b bit_b(w_u) x     (32-bit, wraps)
 * then, per Ki subtile, the weight-offset pass adds Wmin * S with S = the
 * sum of the pixel's enabled inputs (all its taps and channels; DW: per
 * channel), so acc = sum w * x mod 2^32. With CONF0[14] (streamin) the
 * accumulators start from the int32 values at the output address.
 * Normalization/quantization (CONF0[4]); s unsigned (8/16/32 bits, CONF0
 * [13:12]), b int32, sh = CONF0[20:16] or the low 5 bits of the channel's
 * uint8 (CONF0[24]):
 *   without bias: t = sext48((acc * s) mod 2^48) >> sh (arithmetic)
 *   with bias:    t = int32((acc * s + b) mod 2^32) >> sh
 *   8-bit out: ReLU (CONF0[23] = 0) clip(t, 0, 255) else clip(t, -128, 127)
 *   32-bit out: ReLU: t < 0 -> 0, else the low 32 bits of t; else
 *     clip(t, INT32_MIN, INT32_MAX).
 * No rounding (the RTL computes a rounding term and never adds it). Without
 * CONF0[4] the int32 accumulators are stored (32-bit output required).
 *
 * ---- Timing (GVSoC's phase costs; every constant is a key npu.*) ---------
 * A job starts at max(TRIGGER + start, previous job's completion) and runs
 * phases in order; an "access" is one vector access of the streamer: its
 * 4-byte words (8 for an aligned 32 bytes, 9 misaligned) claim their L1
 * banks at the access's cycle, tcdm_ports words per cycle, and it costs 1
 * cycle + the cycles waited; a weight word over the weight-memory port
 * costs ceil(32 / wmem_port_bytes) cycles and claims no L1 bank. Per
 * (kom, i, j):
 *   streamin (CONF0[14])  one access per (enabled pixel, 8-channel group),
 *                         then streamin_cycles
 *   per Ki subtile:  load_prepare_cycles;
 *                    one access per input pixel of the subtile (Hi x Wi:
 *                    8x8 or 6x6, the remainders on the last row/column);
 *                    1x1: then (36 - pixels) + load_tail_1x1_cycles;
 *                    mv_prepare_1x1/_3x3/_dw_cycles;
 *                    weight words: Ko (1x1), Ko * qw (3x3), qw (DW: the
 *                    words serve every channel; GVSoC's per-channel
 *                    iterations after the first cost 0, or 1 each with
 *                    the weight memory: not modelled);
 *                    3x3: then mv_exit_3x3_cycles
 *   CONF0[4] and [24]:   one access (the shifts), then norm_shift_cycles
 *   CONF0[4]:            ceil(Ko * scale bits / norm_mult_bits) cycles, the
 *                        first ceil(Ko * scale bytes / 32) of them accesses
 *                        (the scales), then norm_mult_cycles;
 *                        with bias ceil(Ko * 4 / 32) accesses; then
 *                        norm_bias_cycles
 *   streamout:  (Ho - 1) * 6 + Wo slots per 8-bit store pass (32-bit: one
 *               pass per 8-channel group); a slot of an enabled pixel is an
 *               access, the others one idle cycle; 1x1: then
 *               streamout_1x1_cycles
 * (Ko, Ho, Wo, Hi, Wi: this subtile's sizes.) After the last subtile,
 * end_cycles; the job completes at that cycle. Defaults reproduce the
 * design note's worked examples (a full 1x1 subtile, Ki = Ko = 32, 8-bit
 * scale and bias, 8-bit output: 6 + 42 + 10 + 32 + 17 + 12 + 39 + 1 = 159
 * cycles without contention, plus start).
 * Prefetch (CONF0[10]) with weights over the weight port, 1x1 and 3x3:
 * the input load of Ki subtile kim + 1 runs during the weight stream of
 * kim, into the second input buffer: slot i of that stream does weight
 * word i (if any) and load access i (if any) in the same cycle (the slot
 * ends when both are done: load waits stall both); the prefetched load
 * then costs prefetch_load_cycles, and a 1x1 weight stream after it
 * mv_prepare_prefetch_1x1_cycles instead of mv_prepare_1x1_cycles.
 * [CHOICE] after GVSoC (load latency 3, overhead 3 for 1x1), within a
 * subtile only (its first load is not hidden); with weights in the L1 the
 * streamer is shared, so prefetch changes nothing (the RTL overlaps the
 * feature load with the weight-memory port only). The array size (6x6, 32 lanes) is fixed: it sets
 * the register semantics. L1 priority: the scheduler runs the cores of a
 * slice before it advances the devices, so when a core and the NPU (or the
 * DMA) want a bank in the same cycle, the core gets it and the NPU waits.
 * [DIFFERENCE] Siracusa's interconnect can give the accelerator priority
 * (the driver sets it, with a max-stall count, in a cluster-controller
 * register this model does not have).
 *
 * ---- Errors ----------------------------------------------------------------
 * A job is checked at TRIGGER; a bad one is refused (never run), its context
 * freed, ERROR/ERROR_JOB set, `errors` counted, event 12 raised, and
 * ort_npu_last_error() holds a message naming the register values:
 *   NO_ACQUIRE  TRIGGER without a held context
 *   CONF        filter mode 3, CONF0[3] (16-bit input), [7] (linear), [8]
 *               (strided), output bits 16 or 3, scale bits 3, raw or
 *               streamin output not 32-bit, FILTER_MASKING != 0, weights in
 *               the weight memory without one attached
 *   SIZE        a zero subtile number, a remainder outside 1..tile, Hi/Wi
 *               remainders inconsistent with Ho/Wo (1x1: equal; 3x3: Ho..
 *               Ho + 2), padding > 2 or in 1x1, DW with nKi/remKi != nKo/
 *               remKo, no real input pixel
 *   INFEAT / OUTFEAT / WEIGHTS / NORM   a region read or written outside
 *               its memory (the real input pixels, every output and
 *               streamin word, every weight word, the used scales, shifts,
 *               biases)
 * A core asleep in ACQUIRE is described by describe_wait; so is a core
 * waiting in the event unit for event 12 (deadlock reports name the NPU).
 *
 * Plain C, single thread, no host time: runs are deterministic.
 */
#ifndef ORTIGIA_NPU_H
#define ORTIGIA_NPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "device.h"
#include "event_unit.h"
#include "mem.h"
#include "npu_regs.h"
#include "tcdm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_NPU_MAX_CORES 16
#define ORT_NPU_PE 6u     /* output pixels per side of the spatial subtile */
#define ORT_NPU_IN_HW 8u  /* input buffer side (3x3) */
#define ORT_NPU_LANES 32u /* channel lanes */

/* Timing parameters (keys npu.*: their ranges live in sim/config.c). */
struct ort_npu_params {
    unsigned cores;
    uint32_t start_cycles;          /* TRIGGER to the first phase */
    uint32_t load_prepare_cycles;   /* before each input load */
    uint32_t load_tail_1x1_cycles;  /* after a 1x1 load (plus 36 - pixels) */
    uint32_t mv_prepare_1x1_cycles; /* before the weight stream, 1x1 */
    uint32_t mv_prepare_3x3_cycles; /* ... 3x3 */
    uint32_t mv_prepare_dw_cycles;  /* ... depthwise */
    uint32_t mv_exit_3x3_cycles;    /* after the weight stream, 3x3 */
    uint32_t norm_shift_cycles;     /* after loading the shifts */
    uint32_t norm_mult_bits;        /* scale bits multiplied per cycle */
    uint32_t norm_mult_cycles;      /* after the multiply */
    uint32_t norm_bias_cycles;      /* after the bias step */
    uint32_t streamin_cycles;       /* after the streamin */
    uint32_t streamout_1x1_cycles;  /* after a 1x1 streamout */
    uint32_t end_cycles;            /* after the last subtile */
    uint32_t prefetch_load_cycles;  /* a load already prefetched (CONF0[10]) */
    uint32_t mv_prepare_prefetch_1x1_cycles; /* before a 1x1 weight stream after one */
    uint32_t tcdm_ports;            /* L1 words per streamer cycle */
    uint32_t wmem_port_bytes;       /* weight-memory port bytes per cycle */
};

/* Defaults (the design note's GVSoC costs, 9 ports, 288-bit weight port). */
void ort_npu_default_params(struct ort_npu_params *p, unsigned cores);

/* The cycles from TRIGGER to completion of the job these registers
   describe when it waits for nothing (no earlier job, no L1 bank taken by
   another master): start_cycles plus the phases of "Timing". 0 for a job
   the NPU refuses for its configuration or sizes (its memory regions are
   not checked). The compiler's cost model uses it, so the estimate and the
   model share one formula. */
uint64_t ort_npu_job_cycles(const struct ort_npu_params *p, const uint32_t regs[ORT_NPU_JOB_REGS]);

typedef void (*ort_npu_wake_fn)(void *ctx, unsigned core, uint64_t cycle);

enum ort_npu_ctx_state {
    ORT_NPU_CTX_FREE,
    ORT_NPU_CTX_PROGRAMMING, /* acquired by `holder` */
    ORT_NPU_CTX_COMMITTED,   /* waits for a TRIGGER = 0 */
    ORT_NPU_CTX_READY,       /* runs after the jobs before it */
    ORT_NPU_CTX_RUNNING,
};

/* A checked job, decoded from its registers. */
struct ort_npu_job {
    unsigned mode, qw, tp_in, tp_out;
    bool signed_in, quant, bias, chan_shift, relu, streamin, wmem, prefetch;
    unsigned scale_bits, out_bits, shift;
    unsigned nko, nki, nho, nwo;
    unsigned rem_ko, rem_ki, rem_ho, rem_wo, rem_hi, rem_wi;
    unsigned pad_top, pad_left;
    int32_t pad_value, wmin;
    unsigned real_h_end, real_w_end; /* end of the real input (virtual rows/cols) */
    uint32_t weights, in, out, scale, shift_ptr, bias_ptr;
    uint32_t in_d0, in_d1, out_d0, out_d1, out_d2, w_d0, w_d1;
};

struct ort_npu_context {
    uint32_t reg[ORT_NPU_JOB_REGS];
    enum ort_npu_ctx_state state;
    uint32_t id;
    unsigned core;     /* the core that triggered it */
    uint64_t triggered;
    struct ort_npu_job job;
};

struct ort_npu_core {
    bool waiting; /* asleep in ACQUIRE */
    uint64_t wait_since;
};

struct ort_npu {
    struct ort_npu_params p;
    struct ort_mem *l1;
    struct ort_tcdm *tcdm;
    struct ort_mem *wmem; /* NULL: no weight memory */
    struct ort_event_unit *eu;
    ort_npu_wake_fn wake;
    void *wake_ctx;
    struct ort_npu_core core[ORT_NPU_MAX_CORES];

    /* HWPE control. */
    struct ort_npu_context ctx[2];
    unsigned prog;    /* context being programmed */
    unsigned next;    /* context whose job runs next (commit order) */
    int holder;       /* core holding the context being programmed, -1 */
    uint32_t next_id; /* id the next ACQUIRE hands out */
    uint32_t running_job, finished;
    uint32_t error, error_job;
    char last_error[400];

    /* The engine. */
    int run;            /* running context, -1 */
    uint64_t engine_free; /* completion cycle of the last job */
    uint64_t cycle;     /* cycle of the next step of the running job */
    uint64_t nominal_left; /* its remaining cycles without waits */
    uint64_t advanced;  /* highest `until` given to ort_npu_advance */
    unsigned kom, ti, tj, kim, phase, slot;
    bool lead_done;
    /* Input buffer, double for prefetch: the array reads in_buf[cur_buf]. */
    int32_t in_buf[2][ORT_NPU_IN_HW][ORT_NPU_IN_HW][ORT_NPU_LANES];
    unsigned cur_buf;
    uint32_t acc[ORT_NPU_PE * ORT_NPU_PE][ORT_NPU_LANES];
    uint32_t scale[ORT_NPU_LANES], bias[ORT_NPU_LANES];
    uint8_t shift[ORT_NPU_LANES];

    /* Activity counts (for the power model). */
    uint64_t jobs, errors;
    uint64_t macs;              /* 8-bit multiply-accumulates of enabled pixels and channels */
    uint64_t streamer_accesses; /* vector accesses on the L1 port */
    uint64_t tcdm_words;        /* L1 words claimed */
    uint64_t tcdm_wait_cycles;  /* cycles the streamer waited for L1 banks */
    uint64_t weight_port_bytes; /* bytes read over the weight-memory port */
    uint64_t buffer_writes;     /* input-buffer pixels loaded (32 lanes each) */
    /* Cycles with a job running; the idle ones are the run's others (the
       power report's clock_gated_cycles): a device does not know when the
       run ends. */
    uint64_t busy_cycles;
};

/* False with a message naming the bad parameter. */
bool ort_npu_init(struct ort_npu *n, const struct ort_npu_params *p, char *err, size_t errlen);

/* The L1 (memory and bank timing) the streamer reaches. */
void ort_npu_set_l1(struct ort_npu *n, struct ort_mem *l1, struct ort_tcdm *tcdm);
/* The weight memory behind the weight port (NULL: none); WEIGHTS_PTR with
   CONF0[9] is an offset from its base. */
void ort_npu_set_weight_memory(struct ort_npu *n, struct ort_mem *wmem);
void ort_npu_set_event_unit(struct ort_npu *n, struct ort_event_unit *eu);
void ort_npu_set_wake(struct ort_npu *n, ort_npu_wake_fn fn, void *ctx);

/* The device interface (device.h; ctx is the struct ort_npu *). */
enum rv_bus_status ort_npu_access(void *ctx, unsigned core, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles);
/* Run the engine's steps that begin before `until`. */
void ort_npu_advance(void *ctx, uint64_t until);
/* A lower bound of the running job's completion (after the cycle advanced
   to), or of a queued job's; UINT64_MAX when idle. */
uint64_t ort_npu_next_event(const void *ctx);
bool ort_npu_describe_wait(const void *ctx, unsigned core, char *buf, size_t len);

/* No job programmed, queued or running (the power controller may switch
   the NPU off, or the weight memory its jobs read). */
bool ort_npu_idle(const struct ort_npu *n);
/* The NPU loses its state as it is power-gated: the contexts' registers. */
void ort_npu_power_off(struct ort_npu *n);

/* The last refusal's message ("" when none), for the simulator to print. */
const char *ort_npu_last_error(const struct ort_npu *n);

/* The activity counters (jobs, errors, macs, streamer_accesses, tcdm_words,
   tcdm_wait_cycles, weight_port_bytes, buffer_writes, busy_cycles). */
extern const struct ort_counter ort_npu_counters[];
extern const unsigned ort_npu_counter_count;

/* The NPU as a cluster device ("npu") with its window at [base, +size). */
struct ort_device ort_npu_device(struct ort_npu *n, uint32_t base, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
