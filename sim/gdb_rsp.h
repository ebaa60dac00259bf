/*
 * The GDB remote serial protocol, as a plain-C engine with no socket and
 * no simulator in it: bytes from the client go in (ort_rsp_feed), replies
 * go out through target->send, and what the packets ask of the target
 * (registers, memory, breakpoints, monitor commands) goes through the
 * callbacks of struct ort_rsp_target. Resuming, stopping and ending are
 * left to the caller: feed returns an event (resume, interrupt, kill,
 * detach) and the caller reports the next stop (ort_rsp_report_stop) or
 * the end of the program (ort_rsp_report_exit). sim/gdb_server.cpp joins
 * it to a socket and the simulation; the unit tests drive it directly.
 *
 * The target is a RISC-V 32-bit machine of `threads` harts (GDB threads
 * 1..threads are harts 0..threads-1), described to GDB by a target
 * description (qXfer:features:read) with the riscv cpu feature (x0..x31,
 * pc) and a csr feature listing the target's CSRs, numbered as GDB numbers
 * them (65 + the CSR number). All-stop mode only: one stop stops every
 * thread, one resume resumes them (vCont gives each its action).
 *
 * Protocol errors (bad checksum, malformed or oversized packets) never end
 * the session: the packet is refused (a '-' or an error reply) and
 * target->log says why, once per packet.
 */
#ifndef ORTIGIA_GDB_RSP_H
#define ORTIGIA_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest packet payload accepted and announced (qSupported
   PacketSize); a longer packet is discarded with an error reply. */
#define ORT_RSP_PACKET_SIZE 16384
#define ORT_RSP_MAX_THREADS 32
/* GDB's RISC-V register numbers: x0..x31, pc, then the CSRs from 65. */
#define ORT_RSP_REG_PC 32
#define ORT_RSP_REG_CSR0 65

enum ort_rsp_point {
    ORT_RSP_SW_BREAK = 0, /* Z0 */
    ORT_RSP_HW_BREAK = 1, /* Z1 */
    ORT_RSP_WATCH_WRITE = 2, /* Z2 */
    ORT_RSP_WATCH_READ = 3,  /* Z3 */
    ORT_RSP_WATCH_ACCESS = 4, /* Z4 */
};

/* What a resume asks of one thread. */
enum ort_rsp_action { ORT_RSP_STAY, ORT_RSP_CONTINUE, ORT_RSP_STEP };

enum ort_rsp_event {
    ORT_RSP_NONE,      /* every byte consumed: feed more */
    ORT_RSP_RESUME,    /* run with resume[] (c, s, vCont); then report a stop */
    ORT_RSP_INTERRUPT, /* Ctrl-C while running: stop and report SIGINT */
    ORT_RSP_KILL,      /* k / vKill: end the simulation */
    ORT_RSP_DETACH,    /* D: run on without the debugger */
};

/* Why the target stopped, for the stop reply. */
enum ort_rsp_why {
    ORT_RSP_STOP_SIGNAL,  /* stepped, interrupted, or the initial stop */
    ORT_RSP_STOP_SWBREAK, /* at a Z0 breakpoint */
    ORT_RSP_STOP_HWBREAK, /* at a Z1 breakpoint */
    ORT_RSP_STOP_WATCH,   /* Z2 (write), Z3 (read), Z4 (access) hit at addr */
    ORT_RSP_STOP_RWATCH,
    ORT_RSP_STOP_AWATCH,
};

struct ort_rsp_stop {
    unsigned thread; /* 0-based hart */
    int signal;      /* 5 SIGTRAP, 2 SIGINT ... */
    enum ort_rsp_why why;
    uint32_t addr;   /* the watched address that was accessed */
};

struct ort_rsp_csr {
    const char *name; /* as GDB names it where it knows it: "mstatus" */
    uint16_t number;
};

struct ort_rsp_target {
    void *ctx;
    unsigned threads; /* 1..ORT_RSP_MAX_THREADS */
    const struct ort_rsp_csr *csrs;
    unsigned n_csrs;
    /* Raw bytes to the client. */
    void (*send)(void *ctx, const char *bytes, size_t n);
    /* Register regno (0..32, or ORT_RSP_REG_CSR0 + one of csrs) of hart
       `thread`; false: cannot be read (written). */
    bool (*read_reg)(void *ctx, unsigned thread, unsigned regno, uint32_t *value);
    bool (*write_reg)(void *ctx, unsigned thread, unsigned regno, uint32_t value);
    /* Copy up to n bytes; returns how many, from addr on, were accessible. */
    size_t (*read_mem)(void *ctx, uint32_t addr, uint8_t *buf, size_t n);
    size_t (*write_mem)(void *ctx, uint32_t addr, const uint8_t *buf, size_t n);
    /* Insert or remove a breakpoint or watchpoint over [addr, addr + len). */
    bool (*point)(void *ctx, enum ort_rsp_point type, uint32_t addr, uint32_t len, bool insert);
    /* Run monitor command `cmd`; its output (text, NUL-terminated) in out,
       which GDB prints. False: unknown command or failed (out says so;
       GDB gets OK all the same: it reports an error reply to qRcmd as a
       protocol error). */
    bool (*monitor)(void *ctx, const char *cmd, char *out, size_t outlen);
    /* A protocol error, in words, for the user (may be NULL). */
    void (*log)(void *ctx, const char *message);
};

struct ort_rsp;

/* NULL when out of memory or the target is unusable (0 or too many
   threads, missing callbacks). */
struct ort_rsp *ort_rsp_new(const struct ort_rsp_target *target);
void ort_rsp_free(struct ort_rsp *r);

/*
 * Take n bytes from the client. Returns at the first event (then *used <
 * n may hold: feed the rest later) or when every byte is used (NONE).
 * While the target runs (after RESUME, until a report), only Ctrl-C and
 * acknowledgements are expected; packets are refused.
 */
enum ort_rsp_event ort_rsp_feed(struct ort_rsp *r, const uint8_t *bytes, size_t n, size_t *used);

/* The actions of the last RESUME, per thread (0-based). */
enum ort_rsp_action ort_rsp_resume_action(const struct ort_rsp *r, unsigned thread);

/* The target stopped (all threads): send the stop reply. */
void ort_rsp_report_stop(struct ort_rsp *r, const struct ort_rsp_stop *stop);

/* The program ended with `status` (W reply); the session then only
   answers '?' and ends with k, D or the client leaving. */
void ort_rsp_report_exit(struct ort_rsp *r, int status);

/* The target runs (between a RESUME and the next report). */
bool ort_rsp_running(const struct ort_rsp *r);

#ifdef __cplusplus
}
#endif

#endif
