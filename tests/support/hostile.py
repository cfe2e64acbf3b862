#!/usr/bin/env python3
"""A hostile DNS server for tests, on 127.0.0.0/8 only (UDP and TCP).

  hostile.py ADDR PORT DECOY_ADDR LOGFILE

Serves the zone h.test; the first label of the question picks the misbehaviour
(MX questions unless said otherwise). Every query is appended to LOGFILE as
"udp|tcp QTYPE QNAME" so tests can count how often a name was asked.

  wrongid         a reply with another ID (exchange evil.h.test) first, then the real one
  wrongid-only    only the reply with another ID
  wrongport       the same reply from another port and from DECOY_ADDR first, then the real one
  wrongport-only  only the replies from the wrong port and address
  tcloop          TC set over UDP, and TC set (no records) over TCP too
  tcclose         TC over UDP; over TCP the connection is closed without an answer
  tcsilent        TC over UDP; over TCP nothing is ever sent
  mx500           TC over UDP; over TCP 500 MX records x000..x499.h.test,
                  preference 1000 - i (the lowest preferences come last)
  cnameself       CNAME to itself
  cnameloop       CNAME to cnameloop2.h.test, which CNAMEs back (two separate answers)
  chainN          CNAME to chainN+1.h.test, for ever (one hop per answer)
  localhost       MX 10 localhost. (and A localhost. -> 127.0.0.1)
  lit127          MX 10 127.0.0.1. (an address literal as exchange)
  lit6            MX 10 "::1" (one label with colons)
  x253 / x254     MX 10 to an exchange of 253 / 254 characters (255 / 256 octets on the wire)
  label63         MX 10 to an exchange whose first label has 63 octets
  label64         MX 10 to an exchange whose first label has 64 octets (length byte 0x40)
  slowNNN         the answer (MX 10 mx.h.test) after NNN milliseconds
  sfx             MX 10 sf.h.test, whose A lookups get SERVFAIL
Other MX questions: NXDOMAIN. A questions: mx, evil -> 127.0.3.1/.9, x253 and
label63 exchanges -> 127.0.3.2/.3, xNNN -> 127.0.4.(NNN % 250 + 1),
localhost -> 127.0.0.1, sf -> SERVFAIL, others NXDOMAIN.
Writes "ready" to stdout once listening.
"""
import re
import socket
import struct
import sys
import threading
import time

from tcp_framing import read_message, send_message

MX, A, CNAME = 15, 1, 5
X253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 54, "h", "test"])
X254 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 55, "h", "test"])
LABEL63 = "e" * 63 + ".h.test"
assert len(X253) == 253 and len(X254) == 254


def encode(name: str) -> bytes:
    out = b""
    for label in name.split(".") if name else []:
        raw = label.encode()
        out += bytes([len(raw)]) + raw  # no limit check: hostile on purpose
    return out + b"\x00"


def parse_question(query: bytes):
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode(errors="replace").lower())
        pos += 1 + n
    qtype = struct.unpack("!H", query[pos + 1:pos + 3])[0] if pos + 3 <= len(query) else 0
    return ".".join(labels), qtype, query[12:pos + 5]


def rr(owner: str, rtype: int, rdata: bytes) -> bytes:
    return encode(owner) + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata


def mx_rdata(pref: int, exchange: str) -> bytes:
    return struct.pack("!H", pref) + encode(exchange)


def message(qid: int, flags_in: int, question: bytes, rcode: int = 0, answers=(), tc=False):
    flags = 0x8400 | (flags_in & 0x0100) | 0x0080 | rcode | (0x0200 if tc else 0)
    return struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0) + question + b"".join(answers)


def answer_a(qname: str):
    """(rcode, records) for an A question."""
    first = qname.split(".")[0]
    fixed = {"mx.h.test": "127.0.3.1", "evil.h.test": "127.0.3.9", X253: "127.0.3.2",
             LABEL63: "127.0.3.3", "localhost": "127.0.0.1"}
    if qname in fixed:
        return 0, [rr(qname, A, socket.inet_aton(fixed[qname]))]
    m = re.fullmatch(r"x(\d{3})\.h\.test", qname)
    if m:
        return 0, [rr(qname, A, socket.inet_aton(f"127.0.4.{int(m.group(1)) % 250 + 1}"))]
    if first == "sf":
        return 2, []
    return 3, []


def answer_mx(qname: str, first: str):
    """(rcode, records) for an MX question answered normally."""
    simple = {"wrongid": "mx.h.test", "wrongid-only": "mx.h.test", "wrongport": "mx.h.test",
              "wrongport-only": "mx.h.test", "localhost": "localhost", "lit127": "127.0.0.1",
              "lit6": "::1", "x253": X253, "x254": X254, "label63": LABEL63,
              "label64": "f" * 64 + ".h.test", "sfx": "sf.h.test"}
    if first in simple:
        return 0, [rr(qname, MX, mx_rdata(10, simple[first]))]
    if first.startswith("slow"):
        return 0, [rr(qname, MX, mx_rdata(10, "mx.h.test"))]
    if first == "mx500":
        return 0, [rr(qname, MX, mx_rdata(1000 - i, f"x{i:03d}.h.test")) for i in range(500)]
    if first == "cnameself":
        return 0, [rr(qname, CNAME, encode(qname))]
    if first == "cnameloop":
        return 0, [rr(qname, CNAME, encode("cnameloop2.h.test"))]
    if first == "cnameloop2":
        return 0, [rr(qname, CNAME, encode("cnameloop.h.test"))]
    m = re.fullmatch(r"chain(\d+)", first)
    if m:
        return 0, [rr(qname, CNAME, encode(f"chain{int(m.group(1)) + 1}.h.test"))]
    return 3, []


def build(query: bytes, tcp: bool):
    """The reply to send (None: send nothing) and its delay in seconds."""
    if len(query) < 12:
        return None, 0
    qid, flags_in = struct.unpack("!HH", query[:4])
    qname, qtype, question = parse_question(query)
    first = qname.split(".")[0]
    if qtype == A:
        rcode, recs = answer_a(qname)
        return message(qid, flags_in, question, rcode, recs), 0
    if qtype != MX:
        return message(qid, flags_in, question), 0
    if first in ("tcloop", "tcclose", "tcsilent", "mx500") and not tcp:
        return message(qid, flags_in, question, tc=True), 0
    if first == "tcloop":
        return message(qid, flags_in, question, tc=True), 0
    if first in ("tcclose", "tcsilent"):
        return None, 0
    rcode, recs = answer_mx(qname, first)
    delay = 0.0
    m = re.fullmatch(r"slow(\d+)", first)
    if m:
        delay = int(m.group(1)) / 1000.0
    return message(qid, flags_in, question, rcode, recs), delay


def evil(query: bytes, other_id: bool) -> bytes:
    qid, flags_in = struct.unpack("!HH", query[:4])
    qname, _, question = parse_question(query)
    if other_id:
        qid ^= 0x5A5A
    return message(qid, flags_in, question, 0, [rr(qname, MX, mx_rdata(10, "evil.h.test"))])


def main() -> None:
    addr, port, decoy_addr, logfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if not addr.startswith("127.") or not decoy_addr.startswith("127."):
        sys.exit("hostile: loopback addresses only")
    log = open(logfile, "a", buffering=1)
    log_lock = threading.Lock()

    def note(proto: str, query: bytes) -> None:
        qname, qtype, _ = parse_question(query) if len(query) >= 12 else ("?", 0, b"")
        with log_lock:
            log.write(f"{proto} {qtype} {qname}\n")

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind((addr, port))
    other_port = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other_port.bind((addr, 0))
    other_addr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other_addr.bind((decoy_addr, 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(64)

    def serve_conn(conn: socket.socket) -> None:
        try:
            while True:
                data = read_message(conn)
                if data is None:
                    break
                note("tcp", data)
                first = parse_question(data)[0].split(".")[0]
                if first == "tcclose":
                    return
                out, _ = build(data, True)
                if out:
                    send_message(conn, out)
        except OSError:
            pass
        finally:
            conn.close()

    def serve_tcp() -> None:
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=serve_conn, args=(conn,), daemon=True).start()

    threading.Thread(target=serve_tcp, daemon=True).start()
    print("ready", flush=True)
    while True:
        data, peer = udp.recvfrom(65535)
        note("udp", data)
        if len(data) < 12:
            continue
        first = parse_question(data)[0].split(".")[0]
        if first in ("wrongid", "wrongid-only"):
            udp.sendto(evil(data, True), peer)
            if first == "wrongid-only":
                continue
        if first in ("wrongport", "wrongport-only"):
            other_port.sendto(evil(data, False), peer)
            other_addr.sendto(evil(data, False), peer)
            if first == "wrongport-only":
                continue
        out, delay = build(data, False)
        if out is None:
            continue
        if delay > 0:
            threading.Timer(delay, udp.sendto, args=(out, peer)).start()
        else:
            udp.sendto(out, peer)


if __name__ == "__main__":
    main()
