#!/usr/bin/env python3
"""The GDB server of `ortigia run --gdb` against a client that misbehaves:
malformed and oversized packets, a second client, a client that vanishes.
Also times single steps (the issue asks for under 1 ms each).

    raw_client.py ORTIGIA ELF
"""
import re
import socket
import subprocess
import sys
import time


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) & 0xFF)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def packet(self):
        """The next framed packet's payload (acks skipped)."""
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1)
            data = self.s.recv(65536)
            if not data:
                raise EOFError("server closed the connection")
            self.buf += data

    def ask(self, payload: bytes, raw=False):
        self.s.sendall(payload if raw else frame(payload))
        return self.packet()


def main():
    ort, elf = sys.argv[1], sys.argv[2]
    proc = subprocess.Popen([ort, "run", "--gdb", "0", elf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.search(r"waiting for GDB on 127\.0\.0\.1:(\d+)", line)
    assert m, "no address announced: " + line
    port = int(m.group(1))
    c = Client(port)
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, expected {want!r}")

    check("?", c.ask(b"?"), b"T05thread:1;")
    check("oversized", c.ask(b"M1000," + b"0" * 20000), b"E01")
    check("bad hex", c.ask(b"m1c00zz,4"), b"E01")
    check("unknown", c.ask(b"Jxyz"), b"")
    check("bad thread", c.ask(b"Hg99"), b"E01")
    check("binary garbage", c.ask(bytes(range(1, 35))), b"")
    check("no-ack mode", c.ask(b"QStartNoAckMode"), b"OK")
    check("still answering", c.ask(b"qC"), b"QC1")

    # A second client is turned away; the first one goes on.
    second = socket.create_connection(("127.0.0.1", port), timeout=10)
    second.sendall(frame(b"?"))
    data = b""
    try:
        while True:
            more = second.recv(100)
            if not more:
                break
            data += more
    except OSError:
        pass
    check("second client", b"E01" in data, True)
    check("first still answering", c.ask(b"qC"), b"QC1")

    # Single steps of core 0: one round trip each.
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        reply = c.ask(b"vCont;s:1")
        if not reply.startswith(b"T05thread:1;"):
            failures.append(f"step reply {reply!r}")
            break
    per_step = (time.perf_counter() - t0) / n
    print(f"single step: {per_step * 1e6:.0f} us per step (round trip)")
    if per_step > 1e-3:
        failures.append(f"a step takes {per_step * 1e3:.2f} ms (more than 1 ms)")

    # Vanish in the middle: the simulation must end cleanly.
    c.s.close()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        failures.append("ortigia did not end after the client left")
        err = ""
    print(line + err)
    check("exit status", proc.returncode, 137)
    if "client disconnected" not in err or "refused a second client" not in err:
        failures.append("stderr lacks the messages about the clients")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("PASS: misbehaving clients")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
