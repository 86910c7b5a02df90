"""HTTP/1.1 behaviour of the server, over raw sockets: keep-alive, pipelining,
Expect: 100-continue, HEAD, body/header limits, timeouts, the connection limit, and a
fast graceful shutdown with idle keep-alive connections open."""
import socket
import time
import unittest

import sluice_harness
from rawhttp import Closed, Reader, connect, json_call, query, request, roundtrip
from sluice_harness import Server

HEALTH = request("GET", "/_sluice/health")


class KeepAliveAndPipelining(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_many_requests_on_one_connection(self):
        with connect(self.port) as s:
            reader = Reader(s)
            ids = set()
            for _ in range(50):
                s.sendall(HEALTH)
                r = reader.read()
                self.assertEqual(r.status, 200)
                self.assertNotEqual(r.header("connection", "").lower(), "close")
                ids.add(r.header("x-amzn-requestid"))
            self.assertEqual(len(ids), 50)

    def test_pipelined_requests_are_answered_in_order(self):
        with connect(self.port) as s:
            s.sendall(
                HEALTH
                + query("Action=NoSuchAction&Version=2012-11-05")
                + json_call("Nowhere.Nothing", "{}")
                + request("GET", "/_localstack/health")
                + query("Action=AlsoMissing")
            )
            reader = Reader(s)
            first = reader.read()
            self.assertEqual(first.status, 200)
            self.assertEqual(first.json()["status"], "ok")
            self.assertEqual(reader.read().aws_error(), ("xml", "InvalidAction"))
            self.assertEqual(reader.read().aws_error(), ("json", "UnknownOperationException"))
            self.assertIn("edition", reader.read().json())
            self.assertEqual(reader.read().aws_error(), ("xml", "InvalidAction"))
            # ...and the connection is still usable afterwards.
            s.sendall(HEALTH)
            self.assertEqual(reader.read().status, 200)

    def test_connection_close_is_honoured_even_with_more_pipelined(self):
        with connect(self.port) as s:
            s.sendall(request("GET", "/_sluice/health", headers={"Connection": "close"}) + HEALTH)
            reader = Reader(s)
            r = reader.read()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("connection"), "close")
            self.assertTrue(reader.at_eof())

    def test_http_1_0_closes_unless_asked_to_keep_alive(self):
        with connect(self.port) as s:
            s.sendall(request("GET", "/_sluice/health", version="1.0"))
            reader = Reader(s)
            self.assertEqual(reader.read().status, 200)
            self.assertTrue(reader.at_eof())
        with connect(self.port) as s:
            reader = Reader(s)
            for _ in range(3):
                s.sendall(request("GET", "/_sluice/health", version="1.0",
                                  headers={"Connection": "keep-alive"}))
                self.assertEqual(reader.read().status, 200)

    def test_head_has_gets_headers_and_no_body(self):
        get = roundtrip(self.port, HEALTH)
        with connect(self.port) as s:
            s.sendall(request("HEAD", "/_sluice/health") + HEALTH)
            reader = Reader(s)
            head = reader.read(head=True)
            self.assertEqual(head.status, 200)
            self.assertEqual(head.header("content-length"), str(len(get.body)))
            self.assertEqual(head.header("content-type"), "application/json")
            # The next response starts right after the HEAD's headers: no body was sent.
            self.assertEqual(reader.read().status, 200)

    def test_answer_layout_and_a_204_without_content_length(self):
        # The server formats answers itself: the status line, Server, the fields, then
        # Content-Length, as Beast's serializer did; a 204 has neither a body nor a
        # Content-Length (RFC 9110 8.6), and the next answer follows right after it.
        with connect(self.port) as s:
            s.sendall(request("DELETE", "/_aws/sns/sms-messages") + HEALTH)
            raw = b""
            while raw.count(b"\r\n\r\n") < 2:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed early")
                raw += chunk
            first, _, rest = raw.partition(b"\r\n\r\n")
            lines = first.decode("latin-1").split("\r\n")
            self.assertEqual(lines[0], "HTTP/1.1 204 No Content")
            self.assertEqual(lines[1], "Server: Sluice")
            self.assertNotIn("content-length", {l.split(":")[0].lower() for l in lines[1:]})
            self.assertTrue(rest.startswith(b"HTTP/1.1 200 OK\r\nServer: Sluice\r\n"), rest[:80])
            head = rest.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
            names = [l.split(":")[0] for l in head[1:]]
            self.assertEqual(names[-1], "Content-Length")
            self.assertEqual(names.count("Content-Length"), 1)

    def test_expect_100_continue(self):
        body = b"Action=NoSuchAction&Version=2012-11-05"
        with connect(self.port) as s:
            s.sendall(request("POST", "/", b"", {"Content-Length": str(len(body)),
                                                  "Expect": "100-continue",
                                                  "Content-Type": "application/x-www-form-urlencoded"}))
            reader = Reader(s)
            interim = reader.read()
            self.assertEqual(interim.status, 100)
            s.sendall(body)
            final = reader.read()
            self.assertEqual(final.status, 400)
            self.assertEqual(final.aws_error(), ("xml", "InvalidAction"))

    def test_expect_100_continue_with_an_oversized_body_gets_413_without_continue(self):
        with connect(self.port) as s:
            s.sendall(request("POST", "/", b"", {"Content-Length": str(64 * 1024 * 1024),
                                                  "Expect": "100-continue",
                                                  "X-Amz-Target": "AmazonSQS.SendMessage",
                                                  "Content-Type": "application/x-amz-json-1.0"}))
            r = Reader(s).read()
            self.assertEqual(r.status, 413)
            # The request spoke AWS JSON, so the error does too.
            self.assertEqual(r.aws_error(), ("json", "RequestEntityTooLarge"))
            self.assertEqual(r.header("connection"), "close")

    def test_chunked_request_bodies(self):
        form = b"Action=NoSuchAction"
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(form), form)
        r = roundtrip(self.port, request("POST", "/", chunked, {
            "Transfer-Encoding": "chunked", "Content-Length": None,
            "Content-Type": "application/x-www-form-urlencoded"}))
        self.assertEqual(r.aws_error(), ("xml", "InvalidAction"))


class Limits(unittest.TestCase):
    def test_oversized_body_is_rejected_before_it_is_read(self):
        with Server("--max-body-bytes", "4096") as srv:
            with connect(srv.port) as s:
                # Only the header: the answer must come without waiting for the body.
                s.sendall(request("POST", "/", b"", {"Content-Length": "5000",
                                                      "Content-Type": "application/x-www-form-urlencoded"}))
                s.settimeout(5)
                r = Reader(s).read()
                self.assertEqual(r.status, 413)
                self.assertEqual(r.aws_error(), ("xml", "RequestEntityTooLarge"))
            # A client already uploading still sees the 413 rather than a reset.
            with connect(srv.port) as s:
                s.sendall(request("POST", "/", b"x" * 200_000, {"Content-Type": "text/plain"}))
                r = Reader(s).read()
                self.assertEqual(r.status, 413)
            self.assertEqual(roundtrip(srv.port, query("Action=X" + "&a=b" * 900)).status, 400)

    def test_oversized_headers_get_431(self):
        with Server() as srv:
            r = roundtrip(srv.port, request("GET", "/_sluice/health", headers={"X-Big": "a" * 40_000}))
            self.assertEqual(r.status, 431)
            self.assertEqual(r.aws_error(), ("xml", "RequestHeaderFieldsTooLarge"))

    def test_connection_limit_answers_503_and_recovers(self):
        with Server("--max-connections", "4") as srv:
            held = [connect(srv.port) for _ in range(4)]
            try:
                readers = [Reader(s) for s in held]
                for s, reader in zip(held, readers):
                    s.sendall(HEALTH)
                    self.assertEqual(reader.read().status, 200)
                over = roundtrip(srv.port, HEALTH)
                self.assertEqual(over.status, 503)
                self.assertEqual(over.aws_error(), ("xml", "ServiceUnavailable"))
                self.assertEqual(over.header("connection"), "close")
                held.pop().close()
                deadline = time.time() + 5
                while True:  # the server notices the close asynchronously
                    r = roundtrip(srv.port, HEALTH)
                    if r.status == 200 or time.time() > deadline:
                        break
                    time.sleep(0.02)
                self.assertEqual(r.status, 200)
                # The held connections were never disturbed.
                for s, reader in zip(held, readers):
                    s.sendall(HEALTH)
                    self.assertEqual(reader.read().status, 200)
            finally:
                for s in held:
                    s.close()


class Timeouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--idle-timeout", "600ms", "--header-timeout", "600ms",
                            "--request-timeout", "600ms")
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assert_closed_after(self, sock, least, most):
        started = time.monotonic()
        reader = Reader(sock)
        sock.settimeout(most + 2)
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            data = b""
        elapsed = time.monotonic() - started
        self.assertEqual(data, b"", "a timed-out connection is closed, not answered")
        self.assertGreaterEqual(elapsed, least)
        self.assertLess(elapsed, most)
        return reader

    def test_idle_keep_alive_connection_is_closed(self):
        with connect(self.port) as s:
            s.sendall(HEALTH)
            self.assertEqual(Reader(s).read().status, 200)
            self.assert_closed_after(s, 0.3, 3.0)

    def test_a_never_used_connection_is_closed(self):
        with connect(self.port) as s:
            self.assert_closed_after(s, 0.3, 3.0)

    def test_a_header_that_never_completes_is_closed(self):
        with connect(self.port) as s:
            s.sendall(b"GET /_sluice/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            self.assert_closed_after(s, 0.3, 3.0)

    def test_a_body_that_never_completes_is_closed(self):
        with connect(self.port) as s:
            s.sendall(request("POST", "/", b"Action=", {"Content-Length": "100"}))
            self.assert_closed_after(s, 0.3, 3.0)

    def test_a_slow_but_steady_client_is_still_cut_off(self):
        # The header timeout bounds the whole header, not the gap between bytes.
        with connect(self.port) as s:
            started = time.monotonic()
            closed = False
            for ch in b"GET /_sluice/health HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 40:
                try:
                    s.send(bytes([ch]))
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                time.sleep(0.01)
                if time.monotonic() - started > 4:
                    break
            if not closed:
                s.settimeout(3)
                try:
                    closed = s.recv(1) == b""
                except ConnectionResetError:
                    closed = True
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - started, 4)


class Shutdown(unittest.TestCase):
    def test_sigterm_with_idle_keep_alive_connections_exits_0_in_under_a_second(self):
        srv = Server()
        conns = []
        try:
            for _ in range(20):
                s = connect(srv.port)
                s.sendall(HEALTH)
                self.assertEqual(Reader(s).read().status, 200)
                conns.append(s)
            conns += [connect(srv.port) for _ in range(5)]  # connected, never sent anything
            time.sleep(0.1)
            started = time.monotonic()
            srv.proc.send_signal(15)
            code = srv.proc.wait(timeout=10)
            elapsed = time.monotonic() - started
            self.assertEqual(code, 0, srv.log())
            self.assertLess(elapsed, 1.0)
            for s in conns:
                self.assertTrue(Reader(s).at_eof(timeout=2))
        finally:
            for s in conns:
                s.close()
            srv.stop()

    def test_a_request_in_flight_at_sigterm_still_gets_its_answer(self):
        srv = Server()
        try:
            with connect(srv.port) as s:
                # Half a request: the server is reading it when the signal arrives.
                full = query("Action=NoSuchAction&Version=2012-11-05")
                s.sendall(full[:-5])
                time.sleep(0.1)
                srv.proc.send_signal(15)
                time.sleep(0.1)
                s.sendall(full[-5:])
                r = Reader(s).read()
                self.assertEqual(r.aws_error(), ("xml", "InvalidAction"))
                self.assertEqual(r.header("connection"), "close")
            self.assertEqual(srv.proc.wait(timeout=10), 0)
        finally:
            srv.stop()


if __name__ == "__main__":
    sluice_harness.main()
