"""A storm of 10,000 malformed requests over raw sockets, several connections in
parallel. Every request that gets an answer gets an AWS-shaped error (Query XML
ErrorResponse or JSON __type) of the expected code; the rest see a clean close, as HTTP
allows for a request that never completed. The server stays up and still answers valid
requests afterwards. The test asserts the count of each outcome per kind of request."""
import collections
import random
import socket
import threading
import time
import unittest

import sluice_harness
from rawhttp import Closed, Reader, connect, json_call, query, request
from sluice_harness import Server

TOTAL = 10_000
WORKERS = 8
MAX_BODY = 4096
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

# Each kind: how to send it, and the outcome expected for each request of that kind.
# Outcomes: ("xml", Code) / ("json", Code) for AWS errors, "close" for a clean close,
# "ok" for a successful answer (pipelined health checks).
KEEP_ALIVE_KINDS = {
    # bytes on a keep-alive connection -> expected outcome
    "bad_json": (json_call("AmazonSQS.ListQueues", b'{"QueueNamePrefix": '), None),
    "json_not_object": (json_call("AmazonSQS.ListQueues", b"[1, 2, 3]"), None),
    "bad_form_escape": (query("Action=ListQueues&QueueNamePrefix=%zz"), ("xml", "MalformedQueryString")),
    "unknown_target": (json_call("NoSuchService_20991231.DoThings", b"{}"), ("json", "UnknownOperationException")),
    "target_without_dot": (json_call("ListQueues", b"{}"), ("json", "UnknownOperationException")),
    "json_without_target": (
        request("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.0"}),
        ("json", "UnknownOperationException"),
    ),
    "unknown_action": (query("Action=NoSuchAction&Version=2012-11-05"), ("xml", "InvalidAction")),
    "unknown_action_get": (request("GET", "/?Action=DescribeEverything"), ("xml", "InvalidAction")),
    "missing_action": (query("Version=2012-11-05&QueueName=q"), ("xml", "MissingAction")),
    "invalid_utf8_form": (query(b"Action=ListQueues&QueueNamePrefix=%FF%FE"), ("xml", "MalformedQueryString")),
    "invalid_utf8_raw_form": (query(b"Action=ListQueues&QueueNamePrefix=\xc3\x28"), ("xml", "MalformedQueryString")),
    "invalid_utf8_json": (json_call("AmazonSQS.ListQueues", b'{"QueueNamePrefix": "\xff\xfe"}'), None),
}

# Kinds that end the connection: one request per connection.
CLOSING_KINDS = {
    "oversized_body": ("xml", "RequestEntityTooLarge"),
    "oversized_json_body": ("json", "RequestEntityTooLarge"),
    "garbage_request_line": ("xml", "BadRequest"),
    "tls_handshake": ("xml", "BadRequest"),
    "bad_version": ("xml", "BadRequest"),
    "huge_headers": ("xml", "RequestHeaderFieldsTooLarge"),
    "bad_chunked": ("xml", "BadRequest"),
    "bad_content_length": ("xml", "BadRequest"),
    "truncated_body": "close",
    "truncated_header": "close",
}

PIPELINE = (
    request("GET", "/_sluice/health")
    + query("Action=NoSuchAction")
    + json_call("Nope.Nope", b"{}")
    + query("Action=X&Bad=%")
)
PIPELINE_EXPECTED = ["ok", ("xml", "InvalidAction"), ("json", "UnknownOperationException"),
                     ("xml", "MalformedQueryString")]


def closing_request(kind, rng):
    if kind == "oversized_body":
        # Declared length over --max-body-bytes; only the header (and a little) is sent.
        return request("POST", "/", b"x" * rng.randint(0, 100), {
            **FORM, "Content-Length": str(MAX_BODY + 1 + rng.randint(0, 10**9))}), False
    if kind == "oversized_json_body":
        return request("POST", "/", b"{", {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage",
            "Content-Length": str(MAX_BODY * 4)}), False
    if kind == "garbage_request_line":
        return bytes(rng.choice(b"\x00\x01\x7f\xff{}<>") for _ in range(20)) + b"\r\n\r\n", False
    if kind == "tls_handshake":
        return b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40), False
    if kind == "bad_version":
        return b"GET / HTTP/9.7\r\nHost: x\r\n\r\n", False
    if kind == "huge_headers":
        return request("GET", "/", headers={"X-Huge": "h" * (20_000 + rng.randint(0, 5000))}), False
    if kind == "bad_chunked":
        return (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nAction\r\n0\r\n\r\n"), False
    if kind == "bad_content_length":
        return b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\nAction=X", False
    if kind == "truncated_body":
        full = query("Action=ListQueues&QueueNamePrefix=abcdefgh")
        return full[: len(full) - rng.randint(1, 20)], True
    if kind == "truncated_header":
        full = query("Action=ListQueues")
        return full[: rng.randint(1, full.index(b"\r\n\r\n") + 2)], True
    raise AssertionError(kind)


class Storm:
    def __init__(self, port, seed):
        self.port = port
        self.rng = random.Random(seed)
        self.outcomes = collections.Counter()  # (kind, outcome) -> count
        self.unexpected = []
        self.sent = 0

    def record(self, kind, outcome, expected, response=None):
        self.outcomes[(kind, outcome if outcome in ("ok", "close") else str(outcome))] += 1
        if expected is not None and outcome != expected and len(self.unexpected) < 20:
            self.unexpected.append((kind, outcome, expected, repr(response)))

    def classify(self, response):
        if response.status == 200:
            return "ok"
        err = response.aws_error()
        if err is None:
            return ("not-aws", response.status)
        if response.status < 400:
            return ("error-with-status", response.status)
        return err

    def keep_alive_batch(self, n):
        """n requests of random keep-alive kinds on one connection."""
        kinds = [self.rng.choice(list(KEEP_ALIVE_KINDS)) for _ in range(n)]
        with connect(self.port) as s:
            reader = Reader(s)
            for kind in kinds:
                data, expected = KEEP_ALIVE_KINDS[kind]
                s.sendall(data)
                self.sent += 1
                r = reader.read()
                outcome = self.classify(r)
                if expected is None:  # JSON parse errors: SerializationException once SQS
                    # is served, UnknownOperationException before; JSON-shaped either way.
                    expected = outcome if outcome in (
                        ("json", "SerializationException"),
                        ("json", "UnknownOperationException")) else ("json", "SerializationException")
                self.record(kind, outcome, expected, r)

    def pipelined(self):
        with connect(self.port) as s:
            s.sendall(PIPELINE)
            self.sent += len(PIPELINE_EXPECTED)
            reader = Reader(s)
            for expected in PIPELINE_EXPECTED:
                r = reader.read()
                self.record("pipelined", self.classify(r), expected, r)

    def closing(self, kind):
        data, half_close = closing_request(kind, self.rng)
        expected = CLOSING_KINDS[kind]
        self.sent += 1
        with connect(self.port) as s:
            try:
                s.sendall(data)
                if half_close:
                    s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass
            reader = Reader(s)
            try:
                r = reader.read()
            except (Closed, ConnectionResetError) as e:
                partial = getattr(e, "partial", b"")
                self.record(kind, "close" if not partial else ("partial", len(partial)), expected)
                return
            outcome = self.classify(r)
            if outcome != "ok" and not reader.at_eof(timeout=5):
                outcome = ("left-open", outcome)
            self.record(kind, outcome, expected, r)

    def run(self, budget):
        while self.sent < budget:
            roll = self.rng.random()
            if roll < 0.30:
                self.keep_alive_batch(min(10, budget - self.sent))
            elif roll < 0.35:
                self.pipelined()
            else:
                self.closing(self.rng.choice(list(CLOSING_KINDS)))


class MalformedStorm(unittest.TestCase):
    def test_ten_thousand_malformed_requests(self):
        srv = Server("--max-body-bytes", str(MAX_BODY))
        try:
            storms = [Storm(srv.port, seed) for seed in range(WORKERS)]
            errors = []

            def work(storm):
                try:
                    storm.run(TOTAL // WORKERS)
                except Exception as e:  # reported below; a thread must not die silently
                    errors.append(repr(e))

            started = time.monotonic()
            threads = [threading.Thread(target=work, args=(st,)) for st in storms]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started

            self.assertEqual(errors, [])
            totals = collections.Counter()
            for st in storms:
                totals.update(st.outcomes)
            unexpected = [u for st in storms for u in st.unexpected]
            report = "\n".join(f"  {k:24} {o:48} {n}" for (k, o), n in sorted(totals.items()))
            print(f"\n{sum(totals.values())} requests in {elapsed:.1f} s:\n{report}")
            self.assertEqual(unexpected, [], report)
            self.assertGreaterEqual(sum(totals.values()), TOTAL)

            # Every kind was exercised, and each produced only its expected outcome.
            by_kind = collections.defaultdict(collections.Counter)
            for (kind, outcome), n in totals.items():
                by_kind[kind][outcome] += n
            for kind, (_, expected) in KEEP_ALIVE_KINDS.items():
                self.assertIn(kind, by_kind)
                if expected is not None:
                    self.assertEqual(set(by_kind[kind]), {str(expected)}, kind)
                else:
                    self.assertEqual(len(by_kind[kind]), 1, (kind, by_kind[kind]))
            for kind, expected in CLOSING_KINDS.items():
                self.assertEqual(set(by_kind[kind]), {expected if expected == "close" else str(expected)},
                                 kind)
            self.assertEqual(by_kind["pipelined"]["ok"] * 3,
                             sum(n for o, n in by_kind["pipelined"].items() if o != "ok"))
            # Answers vs clean closes add up to everything sent.
            answered = sum(n for (k, o), n in totals.items() if o != "close")
            closed = sum(n for (k, o), n in totals.items() if o == "close")
            self.assertEqual(answered + closed, sum(st.sent for st in storms))
            self.assertGreater(closed, 0)

            # Still up, still serving.
            self.assertTrue(srv.alive(), srv.log())
            with connect(srv.port) as s:
                s.sendall(request("GET", "/_sluice/health"))
                r = Reader(s).read()
                self.assertEqual(r.status, 200)
                services = r.json()["services"]
                if "sqs" in services:
                    s.sendall(query("Action=ListQueues&Version=2012-11-05"))
                    self.assertEqual(Reader(s).read().status, 200)
            self.assertLess(elapsed, 60)
        finally:
            self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    sluice_harness.main()
