#!/usr/bin/env python3
"""A resolver that can be switched off and on, for the resolver-health tests,
on 127.0.0.0/8 only (UDP, and TCP on the same port for answers too large for UDP).

  flaky_resolver.py ADDR CONTROL_FILE QUERY_LOG [UPSTREAM_PORT]

Listens on ADDR, a free port (printed as "ready PORT" once listening). What it
does with each query is the first line of CONTROL_FILE, read again for every
query so a test can switch modes while it runs:

  forward      relay to 127.0.0.1:UPSTREAM_PORT (e.g. the lab's NSD), answers back
  forward N    relay the first N queries counted from when this line was written,
               then stay silent (a resolver that dies mid-scan)
  silent       read queries, never answer
  refused      answer every query REFUSED
  probe-only   answer SOA queries NOERROR (no records), stay silent on the rest

Every query is appended to QUERY_LOG as "TYPE NAME" (TYPE numeric, NAME "." for
the root), so a test sees what was asked.
"""
import os
import select
import socket
import struct
import sys
import threading


def question(query):
    """(name, qtype, end offset of the question) of a query."""
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qtype = struct.unpack("!H", query[pos + 1:pos + 3])[0] if pos + 3 <= len(query) else 0
    return (".".join(labels) or "."), qtype, pos + 5


def reply(query, rcode):
    qid, flags = struct.unpack("!HH", query[:4])
    _, _, end = question(query)
    return struct.pack("!HHHHHH", qid, 0x8080 | (flags & 0x0100) | rcode, 1, 0, 0, 0) + query[12:end]


class Modes:
    """The control file's verdict for each query, shared by the UDP loop and the
    TCP connections (a truncated answer's retry over TCP counts as a query)."""

    def __init__(self, control, log_path):
        self.control = control
        self.log = open(log_path, "a", buffering=1)
        self.lock = threading.Lock()
        self.stamp, self.relayed = None, 0

    def action(self, name, qtype):
        """One of "refused", "empty" (NOERROR, no records), "forward", "drop"."""
        with self.lock:
            self.log.write(f"{qtype} {name}\n")
            stat = os.stat(self.control)
            words = open(self.control).read().split()
            mode = words[0] if words else "silent"
            if (stat.st_mtime_ns, stat.st_ino) != self.stamp:
                self.stamp, self.relayed = (stat.st_mtime_ns, stat.st_ino), 0
            if mode == "refused":
                return "refused"
            if mode == "probe-only":
                return "empty" if qtype == 6 else "drop"
            if mode == "forward":
                if len(words) > 1 and self.relayed >= int(words[1]):
                    return "drop"
                self.relayed += 1
                return "forward"
            return "drop"


def read_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_tcp(conn, modes, upstream):
    """Length-prefixed queries on one connection (RFC 1035 4.2.2); a dropped query
    gets no answer, as over UDP, and the client's own timeout ends it."""
    with conn:
        while True:
            head = read_exactly(conn, 2)
            if head is None:
                return
            data = read_exactly(conn, struct.unpack("!H", head)[0])
            if data is None or len(data) < 12:
                return
            name, qtype, _ = question(data)
            action = modes.action(name, qtype)
            answer = None
            if action == "refused":
                answer = reply(data, 5)
            elif action == "empty":
                answer = reply(data, 0)
            elif action == "forward" and upstream is not None:
                with socket.create_connection(upstream, timeout=10) as up:
                    up.sendall(head + data)
                    size = read_exactly(up, 2)
                    body = read_exactly(up, struct.unpack("!H", size)[0]) if size else None
                    answer = body
            if answer is not None:
                conn.sendall(struct.pack("!H", len(answer)) + answer)


def accept_tcp(listener, modes, upstream):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_tcp, args=(conn, modes, upstream), daemon=True).start()


def main():
    addr, control, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
    upstream = ("127.0.0.1", int(sys.argv[4])) if len(sys.argv) > 4 else None
    if not addr.startswith("127."):
        sys.exit("flaky_resolver: loopback addresses only")
    for _ in range(50):  # a free UDP port whose TCP twin is free too
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((addr, 0))
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((addr, sock.getsockname()[1]))
            break
        except OSError:
            sock.close()
            listener.close()
    else:
        sys.exit("flaky_resolver: no port free for both UDP and TCP")
    listener.listen(64)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.bind(("127.0.0.1", 0))
    modes = Modes(control, log_path)
    threading.Thread(target=accept_tcp, args=(listener, modes, upstream), daemon=True).start()
    pending = {}  # relayed id -> (client, original id)
    next_id = 1
    print(f"ready {sock.getsockname()[1]}", flush=True)
    while True:
        ready, _, _ = select.select([sock, up], [], [])
        if up in ready:
            data, _ = up.recvfrom(65535)
            if len(data) >= 12:
                rid = struct.unpack("!H", data[:2])[0]
                if rid in pending:
                    client, qid = pending.pop(rid)
                    sock.sendto(struct.pack("!H", qid) + data[2:], client)
        if sock not in ready:
            continue
        data, client = sock.recvfrom(65535)
        if len(data) < 12:
            continue
        name, qtype, _ = question(data)
        action = modes.action(name, qtype)
        if action == "refused":
            sock.sendto(reply(data, 5), client)
        elif action == "empty":
            sock.sendto(reply(data, 0), client)
        elif action == "forward" and upstream is not None:
            rid = next_id
            next_id = next_id % 65535 + 1
            pending[rid] = (client, struct.unpack("!H", data[:2])[0])
            up.sendto(struct.pack("!H", rid) + data[2:], upstream)


if __name__ == "__main__":
    main()
