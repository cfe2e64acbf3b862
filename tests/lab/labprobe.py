"""Small clients the lab test uses to check that each part of the lab answers as declared.

Nothing here is part of the scanner: a minimal DNS query over UDP (RFC 1035 wire format)
and plain-socket SMTP/TLS probes, all restricted to 127.0.0.0/8.
"""
import ipaddress
import socket
import ssl
import struct
import time

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "AAAA": 28}


def loopback(addr):
    if not ipaddress.ip_address(addr) in ipaddress.ip_network("127.0.0.0/8"):
        raise ValueError(f"{addr} is not in 127.0.0.0/8: the lab never leaves loopback")
    return addr


def _name(msg, off):
    labels, jumped, end = [], False, off
    while True:
        n = msg[off]
        if n >= 0xC0:
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels).lower(), (end if jumped else off)


def dns_query(server, port, qname, qtype="MX", timeout=2.0):
    """Returns (rcode name, [(type, data)]) where data is text (MX: 'PREF EXCHANGE')."""
    loopback(server)
    qid = int(time.time() * 1000) & 0xFFFF
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in qname.rstrip(".").split("."):
        if label:
            raw = label.encode("ascii")
            q += bytes([len(raw)]) + raw
    q += b"\0" + struct.pack(">HH", TYPES[qtype], 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, (server, port))
        msg, _ = s.recvfrom(65535)
    finally:
        s.close()
    _, flags, qd, an, _, _ = struct.unpack(">HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        _, off = _name(msg, off)
        off += 4
    answers = []
    for _ in range(an):
        _, off = _name(msg, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        if rtype == 15:
            pref = struct.unpack(">H", rdata[:2])[0]
            exch, _ = _name(msg, off + 2)
            answers.append(("MX", f"{pref} {exch or '.'}"))
        elif rtype == 1:
            answers.append(("A", socket.inet_ntoa(rdata)))
        elif rtype == 5:
            answers.append(("CNAME", _name(msg, off)[0]))
        else:
            answers.append((str(rtype), rdata.hex()))
        off += rdlen
    return RCODES.get(flags & 0xF, str(flags & 0xF)), answers


class Smtp:
    """A deliberately plain SMTP client: every reply is returned raw for the test to judge."""

    def __init__(self, addr, port, timeout=3.0):
        self.sock = socket.create_connection((loopback(addr), port), timeout=timeout)
        self.buf = b""

    def read_reply(self, limit=1 << 16):
        """Reads one (possibly multi-line) reply; returns raw bytes read (maybe partial)."""
        while True:
            lines = self.buf.split(b"\n")
            for i, line in enumerate(lines[:-1]):
                if len(line) >= 4 and line[3:4] == b" ":
                    out = b"\n".join(lines[:i + 1]) + b"\n"
                    self.buf = b"\n".join(lines[i + 1:])
                    return out
                if len(line) == 3:
                    out = b"\n".join(lines[:i + 1]) + b"\n"
                    self.buf = b"\n".join(lines[i + 1:])
                    return out
            if len(self.buf) > limit:
                out, self.buf = self.buf, b""
                return out
            chunk = self.sock.recv(65536)
            if not chunk:
                out, self.buf = self.buf, b""
                return out
            self.buf += chunk

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def starttls(self, cafile):
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.check_hostname = False
        self.sock = ctx.wrap_socket(self.sock)
        return self.sock

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
