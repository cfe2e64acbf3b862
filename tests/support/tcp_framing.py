"""DNS over TCP framing (RFC 1035, 4.2.2): a two-byte length before each message.
Shared by the test responders (responder.py, hostile.py)."""
import socket
import struct


def _recv_exact(conn: socket.socket, n: int):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_message(conn: socket.socket):
    """The next message on conn, or None once the peer has closed (even mid-message)."""
    head = _recv_exact(conn, 2)
    if head is None:
        return None
    (n,) = struct.unpack("!H", head)
    return _recv_exact(conn, n)


def send_message(conn: socket.socket, message: bytes) -> None:
    conn.sendall(struct.pack("!H", len(message)) + message)
