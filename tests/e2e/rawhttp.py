"""Raw HTTP/1.1 over sockets, for tests that must send what well-behaved clients never
send (malformed, truncated, pipelined requests) and see exactly what comes back."""
import json
import re
import socket
import xml.etree.ElementTree as ET


class Closed(Exception):
    """The server closed the connection before a complete response arrived."""

    def __init__(self, partial=b""):
        super().__init__(f"connection closed ({len(partial)} bytes of a response)")
        self.partial = partial


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case name -> value (last one wins)
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def aws_error(self):
        """('xml'|'json', code) when the body is an AWS error of either protocol, else None.

        Query: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
        JSON: {"__type": "...#Code", "message": "..."}.
        """
        ctype = self.header("content-type", "")
        if "xml" in ctype:
            try:
                root = ET.fromstring(self.body)
            except ET.ParseError:
                return None
            ns = re.match(r"\{[^}]*\}", root.tag)
            ns = ns.group(0) if ns else ""
            if root.tag != ns + "ErrorResponse":
                return None
            code = root.find(f"{ns}Error/{ns}Code")
            kind = root.find(f"{ns}Error/{ns}Type")
            rid = root.find(f"{ns}RequestId")
            if code is None or kind is None or rid is None or not rid.text:
                return None
            return ("xml", code.text)
        if "json" in ctype:
            try:
                doc = json.loads(self.body)
            except ValueError:
                return None
            if not isinstance(doc, dict) or "__type" not in doc or "message" not in doc:
                return None
            return ("json", doc["__type"].split("#")[-1])
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.headers.get('content-type')} {self.body[:120]!r}>"


class Reader:
    """Reads consecutive responses from one socket (pipelining, keep-alive)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed(self.buf)
        self.buf += chunk

    def read(self, head=False):
        """The next complete response; `head` when it answers a HEAD request."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head_end = self.buf.index(b"\r\n\r\n")
        lines = self.buf[:head_end].decode("latin-1").split("\r\n")
        self.buf = self.buf[head_end + 4 :]
        m = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0])
        if not m:
            raise AssertionError(f"not an HTTP status line: {lines[0]!r}")
        status = int(m.group(1))
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200 or status in (204, 304) or head:
            return Response(status, m.group(2), headers, b"")
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                self._fill()
            body, self.buf = self.buf[:n], self.buf[n:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:  # delimited by close
            try:
                while True:
                    self._fill()
            except Closed:
                pass
            body, self.buf = self.buf, b""
        return Response(status, m.group(2), headers, body)

    def _read_chunked(self):
        body = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            line, self.buf = self.buf.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            while len(self.buf) < size + 2:
                self._fill()
            body += self.buf[:size]
            self.buf = self.buf[size + 2 :]
            if size == 0:
                return body

    def at_eof(self, timeout=5.0):
        """True when the server closed the connection with nothing more to send."""
        self.sock.settimeout(timeout)
        if self.buf:
            return False
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request(method, target, body=b"", headers=None, version="1.1"):
    """Bytes of one request; Host and Content-Length added unless given."""
    if isinstance(body, str):
        body = body.encode()
    hdrs = {"Host": "127.0.0.1"}
    if body or method in ("POST", "PUT"):
        hdrs["Content-Length"] = str(len(body))
    hdrs.update(headers or {})
    head = f"{method} {target} HTTP/{version}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in hdrs.items() if v is not None
    )
    return head.encode("latin-1") + b"\r\n" + body


def query(form, path="/"):
    return request(
        "POST", path, form, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )


def json_call(target, body):
    return request(
        "POST", "/", body, {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
    )


def roundtrip(port, data, head=False, timeout=10.0):
    """One request on a new connection; returns its response."""
    with connect(port, timeout) as s:
        s.sendall(data)
        return Reader(s).read(head=head)
