/*
 * GDB remote serial protocol engine (gdb_rsp.h). Framing: $payload#xx with
 * a two-hex-digit checksum, acknowledged by '+' / '-' until
 * QStartNoAckMode; binary payloads (X) escape '#', '$', '}' and '*' as
 * '}' followed by the byte xor 0x20. GDB never sends run-length encoded
 * packets, so input RLE is not decoded; output is never compressed.
 */
#include "gdb_rsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the largest reply: a full register set, a memory read of
   PacketSize / 2 bytes in hex, a chunk of XML. */
#define OUT_SIZE (ORT_RSP_PACKET_SIZE + 64)

enum frame_state { IDLE, DATA, CHECKSUM1, CHECKSUM2 };

struct ort_rsp {
    struct ort_rsp_target t;
    enum frame_state state;
    char in[ORT_RSP_PACKET_SIZE + 1]; /* payload of the packet being read */
    size_t len;
    bool overflow; /* the packet outgrew `in`: refused at its end */
    uint8_t sum;
    char ck[2];
    bool no_ack;
    bool running, exited;
    int exit_status;
    int g_thread; /* Hg: registers and memory (-1: the stopped thread) */
    int c_thread; /* Hc: legacy s / c (-1: all) */
    unsigned stopped_thread;
    enum ort_rsp_action action[ORT_RSP_MAX_THREADS];
    char stop_reply[96];
    char *out;   /* reply being built */
    size_t out_len;
    char *last;  /* the last packet sent, framed: resent on '-' */
    size_t last_len;
    char *xml;   /* the target description */
    size_t xml_len;
    char *threads_xml;
    size_t threads_len;
};

static const char hexdigits[] = "0123456789abcdef";

/* A message about the client's input: at most the first 40 bytes of the
   packet are quoted, with anything unprintable shown as '?'. */
static void log_msg(struct ort_rsp *r, const char *what, const char *packet, size_t n)
{
    if (!r->t.log)
        return;
    char quoted[44];
    size_t k = 0;
    for (; k < n && k < 40; k++)
        quoted[k] = packet[k] >= ' ' && packet[k] <= '~' ? packet[k] : '?';
    quoted[k] = 0;
    char msg[200];
    snprintf(msg, sizeof msg, "%s ('%s%s')", what, quoted, n > 40 ? "..." : "");
    r->t.log(r->t.ctx, msg);
}

/* ---- output -------------------------------------------------------------- */

static void out_reset(struct ort_rsp *r) { r->out_len = 0; }

static void out_bytes(struct ort_rsp *r, const char *s, size_t n)
{
    if (n > OUT_SIZE - r->out_len)
        n = OUT_SIZE - r->out_len; /* callers size their replies; never overrun */
    memcpy(r->out + r->out_len, s, n);
    r->out_len += n;
}

static void out_str(struct ort_rsp *r, const char *s) { out_bytes(r, s, strlen(s)); }

static void out_hex8(struct ort_rsp *r, uint8_t b)
{
    char h[2] = {hexdigits[b >> 4], hexdigits[b & 15]};
    out_bytes(r, h, 2);
}

/* A register as GDB wants it: target byte order (little endian), in hex. */
static void out_reg(struct ort_rsp *r, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        out_hex8(r, (uint8_t)(v >> (8 * i)));
}

/* Frame the reply built in `out` and send it; kept for a resend on '-'. */
static void send_reply(struct ort_rsp *r)
{
    size_t n = 0;
    uint8_t sum = 0;
    r->last[n++] = '$';
    for (size_t i = 0; i < r->out_len; i++) {
        char ch = r->out[i];
        if (ch == '#' || ch == '$' || ch == '}' || ch == '*') {
            r->last[n++] = '}';
            sum = (uint8_t)(sum + '}');
            ch ^= 0x20;
        }
        r->last[n++] = ch;
        sum = (uint8_t)(sum + (uint8_t)ch);
    }
    r->last[n++] = '#';
    r->last[n++] = hexdigits[sum >> 4];
    r->last[n++] = hexdigits[sum & 15];
    r->last_len = n;
    r->t.send(r->t.ctx, r->last, n);
}

static void reply(struct ort_rsp *r, const char *s)
{
    out_reset(r);
    out_str(r, s);
    send_reply(r);
}

/* ---- parsing ------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A hex number of at most 8 digits at *p; advances *p. False when there is
   none or it does not fit in 32 bits. */
static bool parse_hex32(const char **p, uint32_t *v)
{
    const char *s = *p;
    uint64_t acc = 0;
    int digits = 0;
    while (hexval(*s) >= 0) {
        acc = acc * 16 + (uint64_t)hexval(*s++);
        if (++digits > 8 && acc > 0xffffffffu)
            return false;
    }
    if (digits == 0 || acc > 0xffffffffu)
        return false;
    *v = (uint32_t)acc;
    *p = s;
    return true;
}

/* "addr,len" at *p. */
static bool parse_addr_len(const char **p, uint32_t *addr, uint32_t *len)
{
    if (!parse_hex32(p, addr) || **p != ',')
        return false;
    (*p)++;
    return parse_hex32(p, len);
}

/* A thread id: -1 (all), 0 (any) or 1..threads. Returns false for others. */
static bool parse_thread(const struct ort_rsp *r, const char **p, int *tid)
{
    if ((*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *tid = -1;
        return true;
    }
    uint32_t v;
    if (!parse_hex32(p, &v) || v > r->t.threads)
        return false;
    *tid = (int)v;
    return true;
}

/* The hart a thread id names for registers (0: the stopped one). */
static unsigned hart_of(const struct ort_rsp *r, int tid)
{
    return tid > 0 ? (unsigned)tid - 1 : r->stopped_thread;
}

static bool known_reg(const struct ort_rsp *r, uint32_t regno)
{
    if (regno <= ORT_RSP_REG_PC)
        return true;
    for (unsigned i = 0; i < r->t.n_csrs; i++)
        if (regno == ORT_RSP_REG_CSR0 + (uint32_t)r->t.csrs[i].number)
            return true;
    return false;
}

/* ---- the target description ---------------------------------------------- */

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

/* Append to a growing string; false when out of memory. */
static bool cat(char **s, size_t *len, size_t *cap, const char *add)
{
    size_t n = strlen(add);
    if (*len + n + 1 > *cap) {
        size_t c = (*cap + n + 1) * 2;
        char *p = realloc(*s, c);
        if (!p)
            return false;
        *s = p;
        *cap = c;
    }
    memcpy(*s + *len, add, n + 1);
    *len += n;
    return true;
}

static bool build_xml(struct ort_rsp *r)
{
    size_t cap = 0;
    char line[160];
    bool ok = cat(&r->xml, &r->xml_len, &cap,
                  "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                  "<target version=\"1.0\">\n<architecture>riscv:rv32</architecture>\n"
                  /* Bare metal: without this GDB may assume GNU/Linux, whose
                     software single-step plants breakpoints where it thinks
                     the next instruction is, which a hardware loop's jump
                     back defeats. With none, GDB steps with vCont;s. */
                  "<osabi>none</osabi>\n"
                  "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (unsigned i = 0; i < 32 && ok; i++) {
        const char *type = i == 2 ? "data_ptr" : i == 1 ? "code_ptr" : "int";
        snprintf(line, sizeof line, "<reg name=\"%s\" bitsize=\"32\" type=\"%s\" regnum=\"%u\"/>\n",
                 gpr_names[i], type, i);
        ok = cat(&r->xml, &r->xml_len, &cap, line);
    }
    ok = ok && cat(&r->xml, &r->xml_len, &cap,
                   "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"32\"/>\n"
                   "</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    for (unsigned i = 0; i < r->t.n_csrs && ok; i++) {
        snprintf(line, sizeof line,
                 "<reg name=\"%s\" bitsize=\"32\" type=\"int\" regnum=\"%u\" group=\"csr\"/>\n",
                 r->t.csrs[i].name, ORT_RSP_REG_CSR0 + r->t.csrs[i].number);
        ok = cat(&r->xml, &r->xml_len, &cap, line);
    }
    ok = ok && cat(&r->xml, &r->xml_len, &cap, "</feature>\n</target>\n");
    cap = 0;
    ok = ok && cat(&r->threads_xml, &r->threads_len, &cap, "<?xml version=\"1.0\"?>\n<threads>\n");
    for (unsigned i = 0; i < r->t.threads && ok; i++) {
        snprintf(line, sizeof line, "<thread id=\"%x\" core=\"%u\" name=\"core %u\"/>\n", i + 1, i,
                 i);
        ok = cat(&r->threads_xml, &r->threads_len, &cap, line);
    }
    return ok && cat(&r->threads_xml, &r->threads_len, &cap, "</threads>\n");
}

/* ---- life cycle ---------------------------------------------------------- */

struct ort_rsp *ort_rsp_new(const struct ort_rsp_target *t)
{
    if (!t || t->threads == 0 || t->threads > ORT_RSP_MAX_THREADS || !t->send || !t->read_reg ||
        !t->write_reg || !t->read_mem || !t->write_mem || !t->point || !t->monitor)
        return NULL;
    struct ort_rsp *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->t = *t;
    r->out = malloc(OUT_SIZE);
    r->last = malloc(2 * OUT_SIZE + 4); /* every byte escaped, $, #xx */
    if (!r->out || !r->last || !build_xml(r)) {
        ort_rsp_free(r);
        return NULL;
    }
    r->g_thread = r->c_thread = -1;
    snprintf(r->stop_reply, sizeof r->stop_reply, "T05thread:1;");
    return r;
}

void ort_rsp_free(struct ort_rsp *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->last);
    free(r->xml);
    free(r->threads_xml);
    free(r);
}

bool ort_rsp_running(const struct ort_rsp *r) { return r->running; }

enum ort_rsp_action ort_rsp_resume_action(const struct ort_rsp *r, unsigned thread)
{
    return thread < r->t.threads ? r->action[thread] : ORT_RSP_STAY;
}

void ort_rsp_report_stop(struct ort_rsp *r, const struct ort_rsp_stop *s)
{
    static const char *const kinds[] = {"", "swbreak:;", "hwbreak:;", "watch", "rwatch", "awatch"};
    unsigned th = s->thread < r->t.threads ? s->thread : 0;
    char extra[40] = "";
    if (s->why >= ORT_RSP_STOP_WATCH && s->why <= ORT_RSP_STOP_AWATCH)
        snprintf(extra, sizeof extra, "%s:%x;", kinds[s->why], s->addr);
    else if (s->why == ORT_RSP_STOP_SWBREAK || s->why == ORT_RSP_STOP_HWBREAK)
        snprintf(extra, sizeof extra, "%s", kinds[s->why]);
    snprintf(r->stop_reply, sizeof r->stop_reply, "T%02xthread:%x;%s", s->signal & 0xff, th + 1,
             extra);
    r->stopped_thread = th;
    /* GDB takes the reporting thread as the one Hg selects from now on. */
    r->g_thread = (int)th + 1;
    r->running = false;
    reply(r, r->stop_reply);
}

void ort_rsp_report_exit(struct ort_rsp *r, int status)
{
    snprintf(r->stop_reply, sizeof r->stop_reply, "W%02x", status & 0xff);
    r->running = false;
    r->exited = true;
    r->exit_status = status;
    reply(r, r->stop_reply);
}

/* ---- packets ------------------------------------------------------------- */

static void handle_read_regs(struct ort_rsp *r)
{
    unsigned h = hart_of(r, r->g_thread);
    out_reset(r);
    for (unsigned i = 0; i <= ORT_RSP_REG_PC; i++) {
        uint32_t v = 0;
        if (!r->t.read_reg(r->t.ctx, h, i, &v)) {
            reply(r, "E01");
            return;
        }
        out_reg(r, v);
    }
    send_reply(r);
}

/* 8 hex digits, little endian, at p. */
static bool parse_reg_value(const char *p, uint32_t *v)
{
    uint32_t acc = 0;
    for (unsigned i = 0; i < 4; i++) {
        int hi = hexval(p[2 * i]), lo = hi < 0 ? -1 : hexval(p[2 * i + 1]);
        if (lo < 0)
            return false;
        acc |= (uint32_t)(hi * 16 + lo) << (8 * i);
    }
    *v = acc;
    return true;
}

static void handle_write_regs(struct ort_rsp *r, const char *p, size_t len)
{
    unsigned h = hart_of(r, r->g_thread);
    if (len % 8 != 0 || len / 8 > ORT_RSP_REG_PC + 1) {
        reply(r, "E01");
        return;
    }
    for (unsigned i = 0; i < len / 8; i++) {
        uint32_t v;
        if (!parse_reg_value(p + 8 * i, &v) || !r->t.write_reg(r->t.ctx, h, i, v)) {
            reply(r, "E01");
            return;
        }
    }
    reply(r, "OK");
}

static void handle_read_mem(struct ort_rsp *r, const char *p)
{
    uint32_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || *p) {
        reply(r, "E01");
        return;
    }
    static uint8_t buf[ORT_RSP_PACKET_SIZE / 2];
    if (len > sizeof buf)
        len = sizeof buf; /* GDB asks again for the rest */
    if ((uint64_t)addr + len > 0x100000000ull)
        len = (uint32_t)(0x100000000ull - addr);
    size_t got = r->t.read_mem(r->t.ctx, addr, buf, len);
    if (got == 0 && len > 0) {
        reply(r, "E01");
        return;
    }
    out_reset(r);
    for (size_t i = 0; i < got; i++)
        out_hex8(r, buf[i]);
    send_reply(r);
}

/* M addr,len:hex and X addr,len:binary (already unescaped). */
static void handle_write_mem(struct ort_rsp *r, const char *p, size_t n, bool binary)
{
    const char *end = p + n;
    uint32_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || p >= end || *p != ':' ||
        (uint64_t)addr + len > 0x100000000ull) {
        reply(r, "E01");
        return;
    }
    p++;
    static uint8_t buf[ORT_RSP_PACKET_SIZE];
    size_t have = (size_t)(end - p);
    if (binary ? have != len : have != 2 * (size_t)len) {
        reply(r, "E01");
        return;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (binary) {
            buf[i] = (uint8_t)p[i];
        } else {
            int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                reply(r, "E01");
                return;
            }
            buf[i] = (uint8_t)(hi * 16 + lo);
        }
    }
    /* X with length 0 probes whether X is supported. */
    if (len == 0 || r->t.write_mem(r->t.ctx, addr, buf, len) == len)
        reply(r, "OK");
    else
        reply(r, "E01");
}

static void handle_point(struct ort_rsp *r, const char *p, bool insert)
{
    uint32_t type, addr, kind;
    if (!parse_hex32(&p, &type) || *p++ != ',' || !parse_addr_len(&p, &addr, &kind)) {
        reply(r, "E01");
        return;
    }
    if (type > ORT_RSP_WATCH_ACCESS) {
        reply(r, ""); /* not supported: GDB falls back */
        return;
    }
    /* Conditions (";X...") are GDB's to evaluate; ignore them. */
    if (*p && *p != ';') {
        reply(r, "E01");
        return;
    }
    reply(r, r->t.point(r->t.ctx, (enum ort_rsp_point)type, addr, kind, insert) ? "OK" : "E01");
}

/* qXfer:<object>:read:annex:offset,length */
static void handle_xfer(struct ort_rsp *r, const char *p)
{
    const char *data = NULL;
    size_t size = 0;
    if (strncmp(p, "features:read:target.xml:", 25) == 0) {
        data = r->xml;
        size = r->xml_len;
        p += 25;
    } else if (strncmp(p, "threads:read::", 14) == 0) {
        data = r->threads_xml;
        size = r->threads_len;
        p += 14;
    } else if (strncmp(p, "features:read:", 14) == 0) {
        reply(r, "E00"); /* an annex we do not have */
        return;
    } else {
        reply(r, "");
        return;
    }
    uint32_t off, len;
    if (!parse_addr_len(&p, &off, &len) || *p) {
        reply(r, "E01");
        return;
    }
    if (len > ORT_RSP_PACKET_SIZE - 8)
        len = ORT_RSP_PACKET_SIZE - 8;
    out_reset(r);
    if (off >= size) {
        out_str(r, "l");
    } else {
        size_t n = size - off < len ? size - off : len;
        out_str(r, off + n >= size ? "l" : "m");
        out_bytes(r, data + off, n);
    }
    send_reply(r);
}

/* Monitor output goes as O packets (hex text), then OK or an error. */
static void handle_monitor(struct ort_rsp *r, const char *p)
{
    char cmd[256];
    size_t n = 0;
    while (p[0] && p[1] && n + 1 < sizeof cmd) {
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0)
            break;
        cmd[n++] = (char)(hi * 16 + lo);
        p += 2;
    }
    cmd[n] = 0;
    if (*p) {
        reply(r, "E01");
        return;
    }
    static char text[ORT_RSP_PACKET_SIZE / 2 - 4];
    text[0] = 0;
    bool ok = r->t.monitor(r->t.ctx, cmd, text, sizeof text);
    size_t len = strnlen(text, sizeof text - 1);
    if (len) {
        out_reset(r);
        out_str(r, "O");
        for (size_t i = 0; i < len; i++)
            out_hex8(r, (uint8_t)text[i]);
        send_reply(r);
    }
    /* OK even for a command the target refused: its text said why, and GDB
       takes an error reply to qRcmd for a broken protocol. */
    (void)ok;
    reply(r, "OK");
}

static void handle_thread_info(struct ort_rsp *r)
{
    out_reset(r);
    out_str(r, "m");
    for (unsigned i = 0; i < r->t.threads; i++) {
        char id[12];
        snprintf(id, sizeof id, "%s%x", i ? "," : "", i + 1);
        out_str(r, id);
    }
    send_reply(r);
}

static void handle_extra_info(struct ort_rsp *r, const char *p)
{
    int tid;
    if (!parse_thread(r, &p, &tid) || tid <= 0 || *p) {
        reply(r, "E01");
        return;
    }
    char text[32];
    snprintf(text, sizeof text, "core %d", tid - 1);
    out_reset(r);
    for (const char *s = text; *s; s++)
        out_hex8(r, (uint8_t)*s);
    send_reply(r);
}

/* vCont;action[:thread];... The leftmost action naming a thread wins;
   threads no action names stay stopped. */
static bool parse_vcont(struct ort_rsp *r, const char *p)
{
    enum ort_rsp_action act[ORT_RSP_MAX_THREADS];
    bool set[ORT_RSP_MAX_THREADS] = {false};
    for (unsigned i = 0; i < r->t.threads; i++)
        act[i] = ORT_RSP_STAY;
    if (!*p)
        return false;
    while (*p == ';') {
        p++;
        enum ort_rsp_action a;
        char c = *p++;
        if (c == 'c' || c == 's') {
            a = c == 'c' ? ORT_RSP_CONTINUE : ORT_RSP_STEP;
        } else if (c == 'C' || c == 'S') {
            uint32_t sig; /* signals are not delivered to the simulated cores */
            if (!parse_hex32(&p, &sig))
                return false;
            a = c == 'C' ? ORT_RSP_CONTINUE : ORT_RSP_STEP;
        } else if (c == 't') {
            a = ORT_RSP_STAY;
        } else {
            return false;
        }
        int tid = -1;
        if (*p == ':') {
            p++;
            if (!parse_thread(r, &p, &tid))
                return false;
        }
        for (unsigned i = 0; i < r->t.threads; i++)
            if ((tid <= 0 || (unsigned)tid == i + 1) && !set[i]) {
                act[i] = a;
                set[i] = true;
            }
    }
    if (*p)
        return false;
    memcpy(r->action, act, sizeof act[0] * r->t.threads);
    return true;
}

/* Legacy c / s: continue all, or step the Hc thread (the stopped one when
   none is selected) while the others stay. */
static void legacy_resume(struct ort_rsp *r, bool step)
{
    for (unsigned i = 0; i < r->t.threads; i++)
        r->action[i] = step ? ORT_RSP_STAY : ORT_RSP_CONTINUE;
    if (step)
        r->action[r->c_thread > 0 ? (unsigned)r->c_thread - 1 : r->stopped_thread] = ORT_RSP_STEP;
}

/* An address after c / s / C sig; / S sig; would resume elsewhere: refused. */
static bool resume_args_ok(const char *p, bool with_signal)
{
    uint32_t v;
    if (with_signal) {
        if (!parse_hex32(&p, &v))
            return false;
        if (*p == ';')
            return false;
    }
    return *p == 0;
}

static enum ort_rsp_event handle_packet(struct ort_rsp *r, char *p, size_t n)
{
    p[n] = 0;
    if (r->exited && p[0] != '?' && p[0] != 'k' && p[0] != 'D' && strncmp(p, "vKill", 5) != 0 &&
        strncmp(p, "qSupported", 10) != 0 && strncmp(p, "QStartNoAckMode", 15) != 0) {
        reply(r, p[0] == 'c' || p[0] == 's' || strncmp(p, "vCont;", 6) == 0
                     ? r->stop_reply
                     : "E01");
        return ORT_RSP_NONE;
    }
    /* Binary data may hold NULs: the X handler takes the length. */
    switch (p[0]) {
    case '?': reply(r, r->stop_reply); return ORT_RSP_NONE;
    case 'g': handle_read_regs(r); return ORT_RSP_NONE;
    case 'G': handle_write_regs(r, p + 1, n - 1); return ORT_RSP_NONE;
    case 'p': {
        const char *s = p + 1;
        uint32_t regno, v = 0;
        if (!parse_hex32(&s, &regno) || *s || !known_reg(r, regno) ||
            !r->t.read_reg(r->t.ctx, hart_of(r, r->g_thread), regno, &v)) {
            reply(r, "E01");
            return ORT_RSP_NONE;
        }
        out_reset(r);
        out_reg(r, v);
        send_reply(r);
        return ORT_RSP_NONE;
    }
    case 'P': {
        const char *s = p + 1;
        uint32_t regno, v;
        bool ok = parse_hex32(&s, &regno) && *s++ == '=' && strlen(s) == 8 &&
                  parse_reg_value(s, &v) && known_reg(r, regno) &&
                  r->t.write_reg(r->t.ctx, hart_of(r, r->g_thread), regno, v);
        reply(r, ok ? "OK" : "E01");
        return ORT_RSP_NONE;
    }
    case 'm': handle_read_mem(r, p + 1); return ORT_RSP_NONE;
    case 'M': handle_write_mem(r, p + 1, n - 1, false); return ORT_RSP_NONE;
    case 'X': handle_write_mem(r, p + 1, n - 1, true); return ORT_RSP_NONE;
    case 'Z': handle_point(r, p + 1, true); return ORT_RSP_NONE;
    case 'z': handle_point(r, p + 1, false); return ORT_RSP_NONE;
    case 'H': {
        const char *s = p + 2;
        int tid;
        if ((p[1] != 'g' && p[1] != 'c') || !parse_thread(r, &s, &tid) || *s) {
            reply(r, "E01");
            return ORT_RSP_NONE;
        }
        if (p[1] == 'g')
            r->g_thread = tid;
        else
            r->c_thread = tid;
        reply(r, "OK");
        return ORT_RSP_NONE;
    }
    case 'T': {
        const char *s = p + 1;
        int tid;
        reply(r, parse_thread(r, &s, &tid) && tid > 0 && !*s ? "OK" : "E01");
        return ORT_RSP_NONE;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S':
        if (!resume_args_ok(p + 1, p[0] == 'C' || p[0] == 'S')) {
            reply(r, "E01");
            return ORT_RSP_NONE;
        }
        legacy_resume(r, p[0] == 's' || p[0] == 'S');
        r->running = true;
        return ORT_RSP_RESUME;
    case 'k': return ORT_RSP_KILL;
    case 'D': reply(r, "OK"); return ORT_RSP_DETACH;
    case 'v':
        if (strcmp(p, "vCont?") == 0) {
            reply(r, "vCont;c;C;s;S;t");
            return ORT_RSP_NONE;
        }
        if (strncmp(p, "vCont", 5) == 0) {
            if (!parse_vcont(r, p + 5)) {
                log_msg(r, "malformed vCont packet refused", p, n);
                reply(r, "E01");
                return ORT_RSP_NONE;
            }
            r->running = true;
            return ORT_RSP_RESUME;
        }
        if (strncmp(p, "vKill", 5) == 0) {
            reply(r, "OK");
            return ORT_RSP_KILL;
        }
        reply(r, ""); /* vMustReplyEmpty, vFile, vRun ...: not supported */
        return ORT_RSP_NONE;
    case 'q':
        if (strncmp(p, "qSupported", 10) == 0) {
            char s[200];
            snprintf(s, sizeof s,
                     "PacketSize=%x;qXfer:features:read+;qXfer:threads:read+;"
                     "QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+",
                     ORT_RSP_PACKET_SIZE);
            reply(r, s);
        } else if (strncmp(p, "qXfer:", 6) == 0) {
            handle_xfer(r, p + 6);
        } else if (strcmp(p, "qfThreadInfo") == 0) {
            handle_thread_info(r);
        } else if (strcmp(p, "qsThreadInfo") == 0) {
            reply(r, "l");
        } else if (strcmp(p, "qC") == 0) {
            char s[16];
            snprintf(s, sizeof s, "QC%x", r->stopped_thread + 1);
            reply(r, s);
        } else if (strcmp(p, "qAttached") == 0) {
            reply(r, "1");
        } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0) {
            handle_extra_info(r, p + 17);
        } else if (strncmp(p, "qRcmd,", 6) == 0) {
            handle_monitor(r, p + 6);
        } else if (strncmp(p, "qSymbol", 7) == 0) {
            reply(r, "OK");
        } else {
            reply(r, "");
        }
        return ORT_RSP_NONE;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            reply(r, "OK");
            r->no_ack = true;
        } else {
            reply(r, "");
        }
        return ORT_RSP_NONE;
    default:
        reply(r, ""); /* an unknown packet: the empty reply says so */
        return ORT_RSP_NONE;
    }
}

/* Undo the '}' escapes of a binary payload in place; false when the
   payload ends in an escape. */
static bool unescape(char *p, size_t *n)
{
    size_t w = 0;
    for (size_t i = 0; i < *n; i++) {
        if (p[i] == '}') {
            if (++i == *n)
                return false;
            p[w++] = (char)(p[i] ^ 0x20);
        } else {
            p[w++] = p[i];
        }
    }
    *n = w;
    return true;
}

/* A whole packet arrived with checksum `ck`: acknowledge and handle it. */
static enum ort_rsp_event complete_packet(struct ort_rsp *r)
{
    int hi = hexval(r->ck[0]), lo = hexval(r->ck[1]);
    if (r->overflow) {
        if (!r->no_ack)
            r->t.send(r->t.ctx, "+", 1); /* resending would not help */
        log_msg(r, "packet longer than PacketSize (16384 bytes) refused", r->in, r->len);
        reply(r, "E01");
        return ORT_RSP_NONE;
    }
    if (hi < 0 || lo < 0 || (uint8_t)(hi * 16 + lo) != r->sum) {
        if (r->no_ack) {
            log_msg(r, "packet with a bad checksum ignored", r->in, r->len);
            return ORT_RSP_NONE;
        }
        log_msg(r, "packet with a bad checksum: asked again", r->in, r->len);
        r->t.send(r->t.ctx, "-", 1);
        return ORT_RSP_NONE;
    }
    if (!r->no_ack)
        r->t.send(r->t.ctx, "+", 1);
    if (r->running) {
        log_msg(r, "packet refused while the target runs (all-stop: interrupt it first)", r->in,
                r->len);
        reply(r, "E01");
        return ORT_RSP_NONE;
    }
    size_t n = r->len;
    if (r->in[0] == 'X' && !unescape(r->in, &n)) {
        reply(r, "E01");
        return ORT_RSP_NONE;
    }
    return handle_packet(r, r->in, n);
}

enum ort_rsp_event ort_rsp_feed(struct ort_rsp *r, const uint8_t *bytes, size_t n, size_t *used)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = bytes[i];
        enum ort_rsp_event ev = ORT_RSP_NONE;
        switch (r->state) {
        case IDLE:
            if (b == '$') {
                r->state = DATA;
                r->len = 0;
                r->sum = 0;
                r->overflow = false;
            } else if (b == 0x03) {
                if (r->running)
                    ev = ORT_RSP_INTERRUPT;
            } else if (b == '-' && !r->no_ack && r->last_len) {
                r->t.send(r->t.ctx, r->last, r->last_len);
            }
            /* '+' and noise between packets: nothing to do */
            break;
        case DATA:
            if (b == '#') {
                r->state = CHECKSUM1;
            } else if (b == '$') {
                /* A packet started inside one: the first was cut short. */
                log_msg(r, "incomplete packet discarded", r->in, r->len);
                r->len = 0;
                r->sum = 0;
                r->overflow = false;
            } else {
                r->sum = (uint8_t)(r->sum + b);
                if (r->len < ORT_RSP_PACKET_SIZE)
                    r->in[r->len++] = (char)b;
                else
                    r->overflow = true;
            }
            break;
        case CHECKSUM1:
            r->ck[0] = (char)b;
            r->state = CHECKSUM2;
            break;
        case CHECKSUM2:
            r->ck[1] = (char)b;
            r->state = IDLE;
            ev = complete_packet(r);
            break;
        }
        if (ev != ORT_RSP_NONE) {
            *used = i + 1;
            return ev;
        }
    }
    *used = n;
    return ORT_RSP_NONE;
}
