"""A minimal WebSocket client (RFC 6455) on the standard library, enough to open a monitor
channel through nginx and read what the guest's VNC server sends first."""
import base64
import hashlib
import os
import socket
import ssl
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Refused(Exception):
    """The server answered the upgrade with something else than 101."""

    def __init__(self, status, headers, body):
        super().__init__("upgrade refused: HTTP %s %r" % (status, body[:200]))
        self.status, self.headers, self.body = status, headers, body


def _read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def _read_exact(sock, n, buf):
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf[:n], buf[n:]


class WebSocket:
    def __init__(self, host, port, path, timeout=15, protocols=("binary",)):
        raw = socket.create_connection((host, port), timeout=timeout)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        key = base64.b64encode(os.urandom(16)).decode()
        request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n" % (path, host, port, key))
        if protocols:
            request += "Sec-WebSocket-Protocol: %s\r\n" % ", ".join(protocols)
        self.sock.sendall((request + "\r\n").encode())
        status, headers, rest = _read_head(self.sock)
        if status != 101:
            body = rest
            length = int(headers.get("content-length", "0") or 0)
            try:
                while len(body) < length:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        break
                    body += chunk
            finally:
                self.sock.close()
            raise Refused(status, headers, body)
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            self.sock.close()
            raise ConnectionError("bad Sec-WebSocket-Accept %r" % headers.get("sec-websocket-accept"))
        self.headers = headers
        self.buf = rest

    def recv_frame(self):
        """(opcode, payload) of the next frame from the server (unmasked, unfragmented)."""
        head, self.buf = _read_exact(self.sock, 2, self.buf)
        opcode, n = head[0] & 0x0F, head[1] & 0x7F
        if n == 126:
            ext, self.buf = _read_exact(self.sock, 2, self.buf)
            n = struct.unpack("!H", ext)[0]
        elif n == 127:
            ext, self.buf = _read_exact(self.sock, 8, self.buf)
            n = struct.unpack("!Q", ext)[0]
        if head[1] & 0x80:
            _, self.buf = _read_exact(self.sock, 4, self.buf)  # servers do not mask; tolerate
        payload, self.buf = _read_exact(self.sock, n, self.buf)
        return opcode, payload

    def close(self):
        try:
            mask = os.urandom(4)
            payload = struct.pack("!H", 1000)
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self.sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask + masked)
        except OSError:
            pass
        self.sock.close()
