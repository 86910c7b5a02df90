"""The sluice binary: starting on a free port, health endpoints, --version/--help, bad
flags, and the virtual clock's admin endpoint."""
import json
import os
import re
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import sluice_harness
from sluice_harness import Server


def get_json(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read()), resp.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


def run_binary(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_") or k == "SLUICE_BIN"}
    full_env.update(env or {})
    return subprocess.run(
        [sluice_harness.sluice_bin(), *args], capture_output=True, text=True, timeout=30, env=full_env
    )


class StartupAndHealth(unittest.TestCase):
    def test_port_zero_reports_the_bound_port_and_health_answers(self):
        with Server() as s:
            self.assertGreater(s.port, 0)
            self.assertRegex(s.log(), r"Sluice \S+ listening on http://127\.0\.0\.1:%d " % s.port)
            status, body, headers = get_json(s.endpoint + "/_sluice/health")
            self.assertEqual(status, 200)
            self.assertEqual(body["status"], "ok")
            self.assertEqual(body["clock"], "real")
            self.assertIs(body["persistence"], False)
            self.assertIsInstance(body["services"], dict)
            self.assertTrue(headers["x-amzn-RequestId"])
            status, ls, _ = get_json(s.endpoint + "/_localstack/health")
            self.assertEqual(status, 200)
            self.assertEqual(set(ls), {"services", "edition", "version"})
            self.assertEqual(ls["services"], body["services"])
            self.assertEqual(ls["version"], body["version"])

    def test_two_servers_get_different_ports(self):
        with Server() as a, Server() as b:
            self.assertNotEqual(a.port, b.port)

    def test_sigterm_exits_zero(self):
        s = Server()
        self.assertEqual(s.stop(), 0)


class CommandLine(unittest.TestCase):
    def test_version(self):
        r = run_binary("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^sluice \d+\.\d+\.\d+\n$")

    def test_help(self):
        r = run_binary("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("Usage: sluice", r.stdout)
        for flag in ("--port", "--data-dir", "--clock", "--max-body-bytes", "--max-connections"):
            self.assertIn(flag, r.stdout)

    def test_unknown_flag_exits_2_with_a_message(self):
        r = run_binary("--frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option '--frobnicate'", r.stderr)
        self.assertIn("sluice --help", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_bad_values_exit_2_naming_the_source(self):
        r = run_binary("--port", "99999")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--port", r.stderr)
        r = run_binary("--port", "0", env={"SLUICE_CLOCK": "sideways"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("SLUICE_CLOCK", r.stderr)

    def test_a_port_in_use_is_reported(self):
        with Server() as s:
            r = run_binary("--port", str(s.port), "--host", "127.0.0.1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot listen on 127.0.0.1:%d" % s.port, r.stderr)


class VirtualClock(unittest.TestCase):
    def test_advance_moves_now_by_exactly_the_duration(self):
        with Server("--clock", "virtual") as s:
            status, before, _ = get_json(s.endpoint + "/_sluice/clock")
            self.assertEqual(status, 200)
            self.assertEqual(before["mode"], "manual")
            status, after, _ = get_json(s.endpoint + "/_sluice/clock", "POST", {"advance": "1h"})
            self.assertEqual(status, 200)
            self.assertEqual(after["now_ms"] - before["now_ms"], 3_600_000)
            _, again, _ = get_json(s.endpoint + "/_sluice/clock")
            self.assertEqual(again["now_ms"], after["now_ms"])  # virtual time stands still
            self.assertRegex(again["now"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            _, health, _ = get_json(s.endpoint + "/_sluice/health")
            self.assertEqual(health["clock"], "virtual")

    def test_bad_moves_are_refused(self):
        with Server("--clock", "virtual") as s:
            _, before, _ = get_json(s.endpoint + "/_sluice/clock")
            for body in ({"advance": "soon"}, {"set": 0}, {"mode": "fast"}):
                status, err, _ = get_json(s.endpoint + "/_sluice/clock", "POST", body)
                self.assertEqual(status, 400, body)
                self.assertEqual(err["error"], "InvalidRequest")
            _, after, _ = get_json(s.endpoint + "/_sluice/clock")
            self.assertEqual(after["now_ms"], before["now_ms"])

    def test_a_real_clock_cannot_be_moved(self):
        with Server() as s:
            status, err, _ = get_json(s.endpoint + "/_sluice/clock", "POST", {"advance": "1h"})
            self.assertEqual(status, 409)
            self.assertEqual(err["error"], "ClockNotVirtual")


class ClientCommands(unittest.TestCase):
    """`sluice health|wait|reset|clock|peek`: the binary as a client of the admin routes."""

    def cli(self, server_port, *args):
        return run_binary("--port", str(server_port), *args)

    def test_health_reset_peek(self):
        with Server() as s:
            r = self.cli(s.port, "health")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["status"], "ok")
            # A queue with a message, made over the wire (AWS Query, no SDK needed).
            url = s.endpoint + "/000000000000/cli-q"
            urllib.request.urlopen(urllib.request.Request(
                s.endpoint + "/", data=b"Action=CreateQueue&QueueName=cli-q&Version=2012-11-05"),
                timeout=5).read()
            urllib.request.urlopen(urllib.request.Request(
                url, data=b"Action=SendMessage&MessageBody=peek-me&Version=2012-11-05"),
                timeout=5).read()
            r = self.cli(s.port, "peek", url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([m["Body"] for m in json.loads(r.stdout)["Messages"]], ["peek-me"])
            r = self.cli(s.port, "reset", "sqs")
            self.assertEqual(r.returncode, 0, r.stderr)
            r = self.cli(s.port, "peek", url)
            self.assertEqual(r.returncode, 1)
            self.assertIn("QueueDoesNotExist", r.stdout)

    def test_wait_reports_progress_until_the_server_answers(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # Nothing listens yet: wait gives up after its timeout with progress lines.
        r = self.cli(port, "wait", "1500ms")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"waiting for sluice at 127.0.0.1:{port} ... 1s", r.stderr)
        self.assertIn("no server answered", r.stderr)
        # A server that starts while we wait is found.
        waiter = subprocess.Popen([sluice_harness.sluice_bin(), "--port", str(port), "wait", "20s"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.2)
        with Server("--port", str(port)):
            out, err = waiter.communicate(timeout=20)
        self.assertEqual(waiter.returncode, 0, err)
        self.assertIn("waiting for sluice", err)
        self.assertRegex(err, r"is ready after \d")
        self.assertEqual(json.loads(out)["status"], "ok")

    def test_clock_commands_and_stepped_advance(self):
        with Server("--clock", "virtual") as s:
            before = json.loads(self.cli(s.port, "clock").stdout)["now_ms"]
            r = self.cli(s.port, "clock", "advance", "90s")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["now_ms"], before + 90_000)
            r = self.cli(s.port, "clock", "advance", "2d", "--step", "12h")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["now_ms"], before + 90_000 + 2 * 86_400_000)
            self.assertEqual(r.stderr.splitlines(), [
                "clock: advanced 12h of 2d (25%)", "clock: advanced 1d of 2d (50%)",
                "clock: advanced 1d 12h of 2d (75%)", "clock: advanced 2d of 2d (100%)"])
            r = self.cli(s.port, "clock", "mode", "auto")
            self.assertEqual(json.loads(r.stdout)["mode"], "auto")
            r = self.cli(s.port, "clock", "advance", "soon")
            self.assertEqual(r.returncode, 1)
            self.assertIn("InvalidRequest", r.stdout)


if __name__ == "__main__":
    sluice_harness.main()
