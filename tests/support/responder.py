#!/usr/bin/env python3
"""A misbehaving DNS server for tests, on 127.0.0.0/8 only (UDP and TCP).

  responder.py MODE ADDR PORT [LOGFILE]

MODE: silent   - reads queries, never answers (clients time out)
      servfail - answers every query with SERVFAIL
      nxdomain - answers every query with NXDOMAIN and appends the arrival time
                 (monotonic seconds) of each query to LOGFILE (rate tests)
      garbage  - answers with a response whose answer count points past its end
Writes "ready" to stdout once listening.
"""
import socket
import struct
import sys
import threading
import time

from tcp_framing import read_message, send_message


def reply(query: bytes, mode: str) -> bytes:
    if len(query) < 12:
        return b""
    qid, flags = struct.unpack("!HH", query[:4])
    # Question section: copy it through (name + type + class).
    pos = 12
    while pos < len(query) and query[pos] != 0:
        pos += 1 + query[pos]
    question = query[12:pos + 5]
    rd = flags & 0x0100
    if mode == "servfail":
        return struct.pack("!HHHHHH", qid, 0x8080 | rd | 2, 1, 0, 0, 0) + question
    if mode == "nxdomain":
        return struct.pack("!HHHHHH", qid, 0x8080 | rd | 3, 1, 0, 0, 0) + question
    if mode == "garbage":
        return struct.pack("!HHHHHH", qid, 0x8080 | rd, 1, 3, 0, 0) + question + b"\xc0\x0c\x00"
    return b""


def main() -> None:
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    log = open(sys.argv[4], "a", buffering=1) if len(sys.argv) > 4 else None
    if not addr.startswith("127."):
        sys.exit("responder: loopback addresses only")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind((addr, port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(64)

    def serve_tcp() -> None:
        while True:
            conn, _ = tcp.accept()
            try:
                while True:
                    data = read_message(conn)
                    if data is None:
                        break
                    out = reply(data, mode)
                    if out:
                        send_message(conn, out)
            finally:
                if mode != "silent":
                    conn.close()

    threading.Thread(target=serve_tcp, daemon=True).start()
    print("ready", flush=True)
    while True:
        data, peer = udp.recvfrom(65535)
        if log is not None:
            log.write(f"{time.monotonic():.6f}\n")
        out = reply(data, mode)
        if out:
            udp.sendto(out, peer)


if __name__ == "__main__":
    main()
