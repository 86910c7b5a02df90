"""The sluice binary: starting on a free port, health endpoints, --version/--help, bad
flags, and the virtual clock's admin endpoint."""
import json
import os
import re
import subprocess
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


if __name__ == "__main__":
    sluice_harness.main()
