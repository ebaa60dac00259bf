#include "gdb_server.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform.h"
#include "session.h"

extern "C" {
#include "gdb_rsp.h"
#include "isa.h"
}

namespace {

/* The CSRs GDB sees (core.h), by the names GDB knows where it has one. */
const ort_rsp_csr kCsrs[] = {
    {"mstatus", RV_CSR_MSTATUS},   {"misa", RV_CSR_MISA},       {"mie", RV_CSR_MIE},
    {"mtvec", RV_CSR_MTVEC},       {"mscratch", RV_CSR_MSCRATCH}, {"mepc", RV_CSR_MEPC},
    {"mcause", RV_CSR_MCAUSE},     {"mtval", RV_CSR_MTVAL},     {"mip", RV_CSR_MIP},
    {"mcycle", RV_CSR_MCYCLE},     {"minstret", RV_CSR_MINSTRET}, {"mcycleh", RV_CSR_MCYCLEH},
    {"minstreth", RV_CSR_MINSTRETH}, {"mvendorid", RV_CSR_MVENDORID},
    {"marchid", RV_CSR_MARCHID},   {"mimpid", RV_CSR_MIMPID},   {"mhartid", RV_CSR_MHARTID},
    {"mhpmcounter3", RV_CSR_MHPM_LOAD_USE}, {"mhpmcounter4", RV_CSR_MHPM_TCDM},
    {"mhpmcounter5", RV_CSR_MHPM_BRANCH}, {"mhpmcounter6", RV_CSR_MHPM_HWLOOP},
    {"mhpmcounter7", RV_CSR_MHPM_SLEEP}, {"mhpmcounter8", RV_CSR_MHPM_MEMORY},
    {"mhpmcounter9", RV_CSR_MHPM_MULDIV}, {"mhpmcounter10", RV_CSR_MHPM_LOADS},
    {"mhpmcounter11", RV_CSR_MHPM_STORES}, {"mcountinhibit", RV_CSR_MCOUNTINHIBIT},
    /* the trigger module (one trigger, CV32E40P) */
    {"tselect", RV_CSR_TSELECT},   {"tdata1", RV_CSR_TDATA1},   {"tdata2", RV_CSR_TDATA2},
    {"tdata3", RV_CSR_TDATA3},     {"tinfo", RV_CSR_TINFO},
    /* Xpulpv2 hardware loops */
    {"lpstart0", RV_CSR_LPSTART0}, {"lpend0", RV_CSR_LPEND0},   {"lpcount0", RV_CSR_LPCOUNT0},
    {"lpstart1", RV_CSR_LPSTART1}, {"lpend1", RV_CSR_LPEND1},   {"lpcount1", RV_CSR_LPCOUNT1},
};

/* How many boundaries pass between two looks for a Ctrl-C from GDB: a
   poll() costs about a microsecond, a boundary a few nanoseconds. */
constexpr unsigned kPollEvery = 4096;

struct Point {
    ort_rsp_point type;
    uint32_t addr, len;
};

/* What one core's next instruction accesses in memory. */
struct Access {
    bool any = false, write = false, read = false;
    uint32_t addr = 0, size = 0;
};

} // namespace

struct OrtGdbServer::Impl {
    int listen_fd = -1, fd = -1;
    std::string address;
    OrtSession *session = nullptr;
    ort_cluster *cl = nullptr;
    ort_rsp *rsp = nullptr;
    std::vector<uint8_t> pending; /* bytes received, not yet fed */
    std::vector<Point> points;
    bool watching = false; /* some point is a watchpoint */
    bool devices = false;  /* monitor devices on: m/M reach the devices too */
    bool hooked = false, gone = false;
    bool finished = false; /* the program ended: leaving is normal now */
    /* Per core: steps left before it stops (0: not stepping), and the last
       boundary seen (the hook may be called twice at one). */
    unsigned step_left[ORT_CLUSTER_MAX_CORES] = {};
    struct Seen {
        bool valid;
        uint32_t pc;
        uint64_t cycle, instret;
    } seen[ORT_CLUSTER_MAX_CORES] = {};
    bool report_all = true; /* false while GDB steps one thread alone */
    unsigned polls = 0;
    std::string out; /* bytes to send, flushed at once (one write per reply) */

    ~Impl()
    {
        unhook();
        if (rsp)
            ort_rsp_free(rsp);
        if (fd >= 0)
            close(fd);
        if (listen_fd >= 0)
            close(listen_fd);
    }

    void unhook()
    {
        if (!hooked || !cl)
            return;
        for (unsigned i = 0; i < cl->cores; i++)
            rv_core_set_debug(&cl->core[i], nullptr, nullptr);
        hooked = false;
    }

    /* ---- the socket ---------------------------------------------------- */

    void send(const char *bytes, size_t n)
    {
        while (n > 0 && fd >= 0) {
            ssize_t w = ::send(fd, bytes, n, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                lost("sending failed: " + std::string(strerror(errno)));
                return;
            }
            bytes += w;
            n -= (size_t)w;
        }
    }

    /* The client left (or broke the connection): the run ends cleanly. */
    void lost(const std::string &why)
    {
        if (gone)
            return;
        if (finished)
            fprintf(stderr, "ortigia: gdb: %s\n", why.c_str());
        else
            fprintf(stderr, "ortigia: gdb: %s; ending the simulation\n", why.c_str());
        gone = true;
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
        unhook();
        if (session)
            session->request_end();
    }

    /* Someone else knocks while a debugger is attached: turn them away. */
    void refuse_second()
    {
        sockaddr_storage sa{};
        socklen_t len = sizeof sa;
        int other = accept(listen_fd, (sockaddr *)&sa, &len);
        if (other < 0)
            return;
        fprintf(stderr, "ortigia: gdb: refused a second client (one debugger at a time)\n");
        /* An error reply to whatever it asks first, then the door. */
        const char *e = "$E01#a6";
        (void)::send(other, e, strlen(e), MSG_NOSIGNAL);
        close(other);
    }

    /* Wait for bytes from the client (timeout_ms -1: forever, 0: just
       look). False when the client is gone or nothing came. */
    bool receive(int timeout_ms)
    {
        if (fd < 0)
            return false;
        pollfd p[2] = {{fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
        for (;;) {
            int n = poll(p, 2, timeout_ms);
            if (n < 0 && errno == EINTR) {
                if (timeout_ms == 0)
                    return false;
                continue;
            }
            if (n <= 0)
                return false;
            if (p[1].revents & POLLIN)
                refuse_second();
            if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
                break;
            if (timeout_ms == 0)
                return false;
        }
        uint8_t buf[4096];
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
            lost(got == 0 ? "the client disconnected" : "receiving failed: " + std::string(strerror(errno)));
            return false;
        }
        pending.insert(pending.end(), buf, buf + got);
        return true;
    }

    /* Feed what was received; the first event, if any. */
    ort_rsp_event feed()
    {
        size_t used = 0;
        ort_rsp_event ev = ort_rsp_feed(rsp, pending.data(), pending.size(), &used);
        pending.erase(pending.begin(), pending.begin() + (long)used);
        return ev;
    }

    /* Answer GDB while the target is stopped, until it resumes, kills or
       detaches the target, or leaves. */
    ort_rsp_event serve()
    {
        for (;;) {
            ort_rsp_event ev = feed();
            if (ev == ORT_RSP_INTERRUPT)
                continue; /* a late Ctrl-C: already stopped */
            if (ev != ORT_RSP_NONE)
                return ev;
            if (!receive(-1))
                return ORT_RSP_KILL;
        }
    }

    /* After a resume: what each core does until the next stop. `here` is
       the core inside the hook (the one that stopped), or -1. */
    void start_resume(int here)
    {
        report_all = false;
        for (unsigned i = 0; i < cl->cores; i++) {
            ort_rsp_action a = ort_rsp_resume_action(rsp, i);
            /* A core in the hook runs its instruction as soon as the hook
               returns; any other one is before its next instruction. */
            step_left[i] = a == ORT_RSP_STEP ? ((int)i == here ? 1 : 2) : 0;
            if (a == ORT_RSP_CONTINUE)
                report_all = true;
        }
    }

    /* Act on the event that ended serve(); true while the debugger stays. */
    bool after(ort_rsp_event ev, int here)
    {
        switch (ev) {
        case ORT_RSP_RESUME:
            start_resume(here);
            return true;
        case ORT_RSP_DETACH:
            fprintf(stderr, "ortigia: gdb: detached; the run goes on without the debugger\n");
            unhook();
            if (fd >= 0) {
                close(fd);
                fd = -1;
            }
            gone = true;
            return false;
        case ORT_RSP_KILL:
        default:
            if (!gone) {
                if (!finished)
                    fprintf(stderr, "ortigia: gdb: killed by the debugger; ending the simulation\n");
                gone = true;
                unhook();
                if (fd >= 0) {
                    close(fd);
                    fd = -1;
                }
                if (!finished)
                    session->request_end();
            }
            return false;
        }
    }

    /* ---- stopping at a boundary ------------------------------------------ */

    void stop_here(rv_core *c, const ort_rsp_stop &why)
    {
        ort_rsp_report_stop(rsp, &why);
        after(serve(), (int)c->hartid);
    }

    /* Software breakpoints from the table; a hardware one is the core's
       trigger (tdata1/tdata2, models/core/core.h), as on CV32E40P. */
    bool breakpoint_at(const rv_core *c, ort_rsp_why *why) const
    {
        if (rv_core_trigger_hit(c)) {
            *why = ORT_RSP_STOP_HWBREAK;
            return true;
        }
        for (const Point &p : points)
            if (p.type == ORT_RSP_SW_BREAK && p.addr == c->pc) {
                *why = ORT_RSP_STOP_SWBREAK;
                return true;
            }
        return false;
    }

    /* The memory access the instruction at c->pc is about to make (decoded
       from memory: the hook runs before it executes). */
    Access next_access(rv_core *c)
    {
        Access a;
        uint8_t bytes[4] = {};
        if (read_memory(c->pc, bytes, 2) != 2)
            return a;
        uint32_t raw = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8;
        if ((raw & 3) == 3) {
            if (read_memory(c->pc + 2, bytes + 2, 2) != 2)
                return a;
            raw |= ((uint32_t)bytes[2] | (uint32_t)bytes[3] << 8) << 16;
        }
        rv_insn d;
        rv_decode(raw, &d);
        enum rv_insn_class k = rv_op_class((enum rv_op)d.op);
        if (k != RV_CLASS_LOAD && k != RV_CLASS_STORE && k != RV_CLASS_AMO)
            return a;
        const rv_insn_desc *desc = rv_insn_desc_of((enum rv_op)d.op);
        if (!desc)
            return a;
        const uint32_t *x = c->x;
        uint32_t rs3 = d.rd == RV_REG_SINK ? 0 : x[d.rd];
        switch (desc->format) {
        case RV_FMT_LOAD:
        case RV_FMT_S: a.addr = x[d.rs1] + (uint32_t)d.imm; break;
        case RV_FMT_LOAD_RR: a.addr = x[d.rs1] + x[d.rs2]; break;
        case RV_FMT_STORE_RR: a.addr = x[d.rs1] + rs3; break;
        default: a.addr = x[d.rs1]; break; /* lr, amo, post-increment */
        }
        /* The width from the mnemonic: [p.|c.]lb/sb/lbu: 1, lh/sh/lhu: 2. */
        const char *n = desc->name;
        if ((n[0] == 'p' || n[0] == 'c') && n[1] == '.')
            n += 2;
        if (n[0] == 'e')
            n++; /* p.elw */
        a.size = (n[0] == 'l' || n[0] == 's') && n[1] == 'b' ? 1
                 : (n[0] == 'l' || n[0] == 's') && n[1] == 'h' ? 2
                                                             : 4;
        a.any = true;
        a.read = k != RV_CLASS_STORE;
        a.write = k != RV_CLASS_LOAD;
        return a;
    }

    bool watch_hit(rv_core *c, ort_rsp_stop *st)
    {
        Access a = next_access(c);
        if (!a.any)
            return false;
        for (const Point &p : points) {
            if (p.type < ORT_RSP_WATCH_WRITE)
                continue;
            bool wants = p.type == ORT_RSP_WATCH_WRITE  ? a.write
                         : p.type == ORT_RSP_WATCH_READ ? a.read
                                                        : true;
            uint64_t lo = a.addr > p.addr ? a.addr : p.addr;
            uint64_t hi = std::min<uint64_t>((uint64_t)a.addr + a.size, (uint64_t)p.addr + p.len);
            if (wants && lo < hi) {
                st->why = p.type == ORT_RSP_WATCH_WRITE  ? ORT_RSP_STOP_WATCH
                          : p.type == ORT_RSP_WATCH_READ ? ORT_RSP_STOP_RWATCH
                                                         : ORT_RSP_STOP_AWATCH;
                st->addr = p.addr;
                return true;
            }
        }
        return false;
    }

    void boundary(rv_core *c)
    {
        unsigned i = c->hartid;
        Seen &s = seen[i];
        if (s.valid && s.pc == c->pc && s.cycle == c->cycle && s.instret == c->instret)
            return; /* the same boundary again (core.h) */
        s = {true, c->pc, c->cycle, c->instret};
        ort_rsp_stop st{i, 5, ORT_RSP_STOP_SIGNAL, 0};
        if (step_left[i] && --step_left[i] == 0)
            return stop_here(c, st);
        if ((report_all || step_left[i]) && (!points.empty() || c->trigger_execute)) {
            if (breakpoint_at(c, &st.why) || (watching && watch_hit(c, &st)))
                return stop_here(c, st);
        }
        if (++polls >= kPollEvery) {
            polls = 0;
            if (receive(0) && feed() == ORT_RSP_INTERRUPT) {
                st.signal = 2; /* SIGINT */
                return stop_here(c, st);
            }
        }
    }

    static void hook(void *ctx, rv_core *c) { static_cast<Impl *>(ctx)->boundary(c); }

    /* ---- the target's state -------------------------------------------- */

    size_t read_memory(uint32_t addr, uint8_t *buf, size_t n)
    {
        size_t done = 0;
        while (done < n) {
            uint32_t a = addr + (uint32_t)done;
            ort_mem *m = session->platform().memory_at(a);
            if (m) {
                size_t k = std::min<size_t>(n - done, (size_t)m->base + m->size - a);
                memcpy(buf + done, m->data + (a - m->base), k);
                done += k;
                continue;
            }
            uint32_t v;
            if (!devices || (a & 3) || n - done < 4 || !device_access(a, false, &v))
                break;
            memcpy(buf + done, &v, 4);
            done += 4;
        }
        return done;
    }

    size_t write_memory(uint32_t addr, const uint8_t *buf, size_t n)
    {
        size_t done = 0;
        while (done < n) {
            uint32_t a = addr + (uint32_t)done;
            ort_mem *m = session->platform().memory_at(a);
            if (m) {
                size_t k = std::min<size_t>(n - done, (size_t)m->base + m->size - a);
                /* Not through ort_mem_write: a debugger's write is not the
                   chip's activity. Decoded instructions are dropped. */
                memcpy(m->data + (a - m->base), buf + done, k);
                if (m->on_write)
                    m->on_write(m->on_write_ctx, a, (uint32_t)k);
                done += k;
                continue;
            }
            uint32_t v;
            memcpy(&v, buf + done, std::min<size_t>(4, n - done));
            if (!devices || (a & 3) || n - done < 4 || !device_access(a, true, &v))
                break;
            done += 4;
        }
        return done;
    }

    /* A word of a device, as core 0 would access it (monitor devices on:
       reads may have side effects, which is why they are off by default). */
    bool device_access(uint32_t addr, bool write, uint32_t *v)
    {
        rv_core *c = &cl->core[0];
        uint32_t extra = 0;
        return c->bus && c->bus(c->bus_ctx, c, addr, 4, write, v, &extra) == RV_BUS_OK;
    }

    bool read_reg(unsigned h, unsigned regno, uint32_t *v)
    {
        if (h >= cl->cores)
            return false;
        rv_core *c = &cl->core[h];
        if (regno < 32) {
            *v = c->x[regno];
            return true;
        }
        if (regno == ORT_RSP_REG_PC) {
            *v = c->pc;
            return true;
        }
        return regno >= ORT_RSP_REG_CSR0 && rv_csr_read(c, regno - ORT_RSP_REG_CSR0, v);
    }

    bool write_reg(unsigned h, unsigned regno, uint32_t v)
    {
        if (h >= cl->cores)
            return false;
        rv_core *c = &cl->core[h];
        if (regno == 0)
            return true; /* x0 stays 0 */
        if (regno < 32) {
            c->x[regno] = v;
            return true;
        }
        if (regno == ORT_RSP_REG_PC) {
            c->pc = v & ~1u;
            return true;
        }
        return regno >= ORT_RSP_REG_CSR0 && rv_csr_write(c, regno - ORT_RSP_REG_CSR0, v);
    }

    bool point(ort_rsp_point type, uint32_t addr, uint32_t len, bool insert)
    {
        if (type >= ORT_RSP_WATCH_WRITE && (len == 0 || len > 4096))
            return false;
        if (type == ORT_RSP_HW_BREAK) {
            /* CV32E40P has one trigger: a second hardware breakpoint is
               refused (GDB then says it cannot insert it). The debugger
               arms every core's, as GDB's breakpoints are for all threads. */
            const rv_core &c0 = cl->core[0];
            if (insert && c0.trigger_execute && c0.trigger_addr != addr)
                return false;
            if (!insert && (!c0.trigger_execute || c0.trigger_addr != addr))
                return false;
            for (unsigned i = 0; i < cl->cores; i++)
                rv_core_debug_set_trigger(&cl->core[i], insert, insert ? addr : 0);
            return true;
        }
        if (insert) {
            points.push_back({type, addr, len});
        } else {
            bool found = false;
            for (size_t k = 0; k < points.size(); k++)
                if (points[k].type == type && points[k].addr == addr &&
                    (type < ORT_RSP_WATCH_WRITE || points[k].len == len)) {
                    points.erase(points.begin() + (long)k);
                    found = true;
                    break;
                }
            if (!found)
                return false;
        }
        watching = false;
        for (const Point &p : points)
            watching = watching || p.type >= ORT_RSP_WATCH_WRITE;
        return true;
    }

    bool monitor(const std::string &cmd, std::string *out)
    {
        char line[256];
        if (cmd == "cycles") {
            snprintf(line, sizeof line, "cycle %" PRIu64 "\n", ort_cluster_cycles(cl));
            *out += line;
            for (unsigned i = 0; i < cl->cores; i++) {
                const rv_core &c = cl->core[i];
                snprintf(line, sizeof line, "core %u: %" PRIu64 " cycles, %" PRIu64
                         " instructions, pc 0x%08x, %s\n", i, c.cycle, c.instret, c.pc,
                         c.state == RV_RUNNING ? "running" : c.state == RV_SLEEPING ? "sleeping" : "halted");
                *out += line;
            }
            return true;
        }
        if (cmd == "stats") {
            for (unsigned i = 0; i < cl->cores; i++) {
                const rv_core &c = cl->core[i];
                snprintf(line, sizeof line, "core %u: cycles %" PRIu64 ", instructions %" PRIu64,
                         i, c.cycle, c.instret);
                *out += line;
                for (unsigned k = 0; k < rv_core_counter_count; k++) {
                    snprintf(line, sizeof line, ", %s %" PRIu64, rv_core_counters[k].name,
                             ort_counter_value(&rv_core_counters[k], &c));
                    *out += line;
                }
                *out += "\n";
            }
            return true;
        }
        if (cmd == "reset") {
            std::string err;
            if (!session->restart(&err)) {
                *out += "reset failed: " + err + "\n";
                return false;
            }
            for (Seen &s : seen)
                s.valid = false;
            *out += "cores restart at the program's entry, the program reloaded; the clock, the "
                    "counters and the devices go on ('maintenance flush register-cache' shows the new registers)\n";
            return true;
        }
        if (cmd == "devices on" || cmd == "devices off") {
            devices = cmd == "devices on";
            *out += devices ? "memory commands reach the devices too (reads may have side effects)\n"
                            : "memory commands reach the memories only\n";
            return true;
        }
        *out += "unknown monitor command '" + cmd +
                "'; known: cycles, stats, reset, devices on|off\n";
        return false;
    }
};

OrtGdbServer::OrtGdbServer() : impl_(std::make_unique<Impl>()) {}
OrtGdbServer::~OrtGdbServer() = default;

const std::string &OrtGdbServer::address() const { return impl_->address; }

std::unique_ptr<OrtGdbServer> OrtGdbServer::listen(const std::string &spec, std::string *err)
{
    std::string host = "127.0.0.1", port = spec;
    size_t colon = spec.rfind(':');
    if (colon != std::string::npos) {
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
    }
    char *end = nullptr;
    unsigned long p = port.empty() ? 70000 : strtoul(port.c_str(), &end, 10);
    if (host.empty() || p > 65535 || (end && *end)) {
        *err = "--gdb '" + spec + "': expected [HOST:]PORT with PORT 0..65535 (0: any free port)";
        return nullptr;
    }
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
        *err = "--gdb '" + spec + "': " + gai_strerror(rc);
        return nullptr;
    }
    std::unique_ptr<OrtGdbServer> s(new OrtGdbServer());
    Impl &m = *s->impl_;
    std::string why = "no address";
    for (addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            why = strerror(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
            m.listen_fd = fd;
            break;
        }
        why = strerror(errno);
        close(fd);
    }
    freeaddrinfo(res);
    if (m.listen_fd < 0) {
        *err = "--gdb '" + spec + "': cannot listen: " + why;
        return nullptr;
    }
    sockaddr_storage sa{};
    socklen_t len = sizeof sa;
    getsockname(m.listen_fd, (sockaddr *)&sa, &len);
    char name[INET6_ADDRSTRLEN] = "?";
    unsigned bound = 0;
    if (sa.ss_family == AF_INET) {
        auto *in = (sockaddr_in *)&sa;
        inet_ntop(AF_INET, &in->sin_addr, name, sizeof name);
        bound = ntohs(in->sin_port);
        m.address = std::string(name) + ":" + std::to_string(bound);
    } else {
        auto *in6 = (sockaddr_in6 *)&sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, name, sizeof name);
        bound = ntohs(in6->sin6_port);
        m.address = "[" + std::string(name) + "]:" + std::to_string(bound);
    }
    return s;
}

bool OrtGdbServer::attach(OrtSession &session, std::string *err)
{
    Impl &m = *impl_;
    m.session = &session;
    m.cl = &session.platform().cluster().engine();
    for (;;) {
        sockaddr_storage sa{};
        socklen_t len = sizeof sa;
        m.fd = accept(m.listen_fd, (sockaddr *)&sa, &len);
        if (m.fd >= 0)
            break;
        if (errno != EINTR) {
            *err = std::string("--gdb: accepting a connection failed: ") + strerror(errno);
            return false;
        }
    }
    int one = 1;
    /* Replies are small and awaited one by one: do not batch them. */
    setsockopt(m.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fprintf(stderr, "ortigia: gdb: client connected\n");
    ort_rsp_target t{};
    t.ctx = &m;
    t.threads = m.cl->cores;
    t.csrs = kCsrs;
    t.n_csrs = sizeof kCsrs / sizeof kCsrs[0];
    t.send = [](void *ctx, const char *b, size_t n) { static_cast<Impl *>(ctx)->send(b, n); };
    t.read_reg = [](void *ctx, unsigned h, unsigned r, uint32_t *v) {
        return static_cast<Impl *>(ctx)->read_reg(h, r, v);
    };
    t.write_reg = [](void *ctx, unsigned h, unsigned r, uint32_t v) {
        return static_cast<Impl *>(ctx)->write_reg(h, r, v);
    };
    t.read_mem = [](void *ctx, uint32_t a, uint8_t *b, size_t n) {
        return static_cast<Impl *>(ctx)->read_memory(a, b, n);
    };
    t.write_mem = [](void *ctx, uint32_t a, const uint8_t *b, size_t n) {
        return static_cast<Impl *>(ctx)->write_memory(a, b, n);
    };
    t.point = [](void *ctx, ort_rsp_point type, uint32_t a, uint32_t len, bool insert) {
        return static_cast<Impl *>(ctx)->point(type, a, len, insert);
    };
    t.monitor = [](void *ctx, const char *cmd, char *out, size_t outlen) {
        std::string text;
        bool ok = static_cast<Impl *>(ctx)->monitor(cmd, &text);
        snprintf(out, outlen, "%s", text.c_str());
        return ok;
    };
    t.log = [](void *, const char *msg) { fprintf(stderr, "ortigia: gdb: %s\n", msg); };
    m.rsp = ort_rsp_new(&t);
    if (!m.rsp) {
        *err = "--gdb: out of memory";
        return false;
    }
    for (unsigned i = 0; i < m.cl->cores; i++)
        rv_core_set_debug(&m.cl->core[i], &Impl::hook, &m);
    m.hooked = true;
    /* Stopped before the first instruction, on core 0. */
    m.after(m.serve(), -1);
    return true;
}

void OrtGdbServer::finish(const OrtRunResult &r)
{
    Impl &m = *impl_;
    m.unhook();
    m.finished = true;
    if (m.gone || m.fd < 0 || !m.rsp)
        return;
    ort_rsp_report_exit(m.rsp, r.status);
    for (;;) {
        ort_rsp_event ev = m.serve();
        if (ev == ORT_RSP_KILL || ev == ORT_RSP_DETACH || m.fd < 0)
            break;
        if (ev == ORT_RSP_RESUME)
            ort_rsp_report_exit(m.rsp, r.status); /* nothing left to run */
    }
    if (m.fd >= 0) {
        close(m.fd);
        m.fd = -1;
    }
    fprintf(stderr, "ortigia: gdb: session over\n");
}
