#!/usr/bin/env python3
"""A resolver that can be switched off and on, for the resolver-health tests,
on 127.0.0.0/8 only (UDP).

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


def main():
    addr, control, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
    upstream = ("127.0.0.1", int(sys.argv[4])) if len(sys.argv) > 4 else None
    if not addr.startswith("127."):
        sys.exit("flaky_resolver: loopback addresses only")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((addr, 0))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.bind(("127.0.0.1", 0))
    pending = {}  # relayed id -> (client, original id)
    next_id = 1
    mode_stamp, relayed = None, 0
    log = open(log_path, "a", buffering=1)
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
        log.write(f"{qtype} {name}\n")
        stat = os.stat(control)
        words = open(control).read().split()
        mode = words[0] if words else "silent"
        if (stat.st_mtime_ns, stat.st_ino) != mode_stamp:
            mode_stamp, relayed = (stat.st_mtime_ns, stat.st_ino), 0
        if mode == "refused":
            sock.sendto(reply(data, 5), client)
        elif mode == "probe-only":
            if qtype == 6:
                sock.sendto(reply(data, 0), client)
        elif mode == "forward" and upstream is not None:
            if len(words) > 1 and relayed >= int(words[1]):
                continue
            relayed += 1
            rid = next_id
            next_id = next_id % 65535 + 1
            pending[rid] = (client, struct.unpack("!H", data[:2])[0])
            up.sendto(struct.pack("!H", rid) + data[2:], upstream)


if __name__ == "__main__":
    main()
