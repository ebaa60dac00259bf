// `ortigia run --gdb [HOST:]PORT`: a GDB remote-protocol server (the
// protocol itself is the plain-C engine of gdb_rsp.h) over a TCP socket,
// joined to a simulation session.
//
//   auto gdb = OrtGdbServer::listen("1234", &err);   // 127.0.0.1 unless a host is given
//   gdb->attach(*session);   // waits for GDB, answers it until it resumes
//   session->run();          // stops (all cores) at breakpoints, steps ...
//   gdb->finish(session->result());   // reports the exit, waits for GDB to leave
//
// How the simulation stops. Each core calls the server between
// instructions (rv_core_set_debug: only the traced variant of the run loop
// does, so a run without --gdb executes exactly what it did before). When
// one core has to stop (breakpoint, watchpoint, step, Ctrl-C), the server
// answers GDB from inside that call: the simulation thread waits there,
// and every other core is between instructions too, since the cores of a
// slice run one after another. Resuming returns from the call, so the
// scheduler goes on as if nothing had happened and the cycle counts are
// those of a run without GDB.
//
// All-stop with one limit: a thread GDB leaves stopped while it steps
// another (vCont;s:2) cannot be held back without changing the schedule,
// so it runs on, silently (its breakpoints are not reported then).
#ifndef ORTIGIA_GDB_SERVER_H
#define ORTIGIA_GDB_SERVER_H

#include <memory>
#include <string>

class OrtSession;
struct OrtRunResult;

class OrtGdbServer {
public:
    /* Bind and listen on "[HOST:]PORT" (HOST defaults to 127.0.0.1; PORT 0
       picks a free port). Null with a message on a bad spec or a socket
       error. */
    static std::unique_ptr<OrtGdbServer> listen(const std::string &spec, std::string *err);
    ~OrtGdbServer();

    /* "127.0.0.1:1234", the address bound. */
    const std::string &address() const;

    /* Wait for a client, hook the session's cores and serve GDB until it
       resumes the target (or kills or detaches it: then the run ends at
       once, or runs without the debugger). False with a message when
       accepting failed. */
    bool attach(OrtSession &session, std::string *err);

    /* The run ended: tell GDB (exit status) and serve it until it leaves. */
    void finish(const OrtRunResult &result);

    struct Impl;

private:
    OrtGdbServer();
    std::unique_ptr<Impl> impl_;
};

#endif
