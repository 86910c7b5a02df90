"""Limits that protect the process, and the admin surface's switches.

- 10,000 idle connections are held open while other clients keep being served;
- --max-long-polls: receives beyond it get OverLimit (ReceiveMessage's own limit error)
  at once, and parking works again when the waiting ones finish;
- --admin-token: admin routes want the token (the sluice client sends
  SLUICE_ADMIN_TOKEN), health stays open; --admin off leaves only health.
(--max-connections is in foundation_http.py.)
"""
import json
import os
import resource
import socket
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from sluice_harness import Server, boto3_client, main, sluice_bin


def status_of(url, method="GET", headers=None):
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Limits(unittest.TestCase):
    def test_ten_thousand_idle_connections_and_the_server_still_answers(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard < 10_300:
            self.skipTest(f"the file descriptor limit ({hard}) is below 10,300")
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        with Server("--max-connections", "12000", "--idle-timeout", "5m") as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.create_queue(QueueName="busy")["QueueUrl"]
            idle = []
            try:
                for i in range(10_000):
                    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                    idle.append(s)
                    if i % 2500 == 2499:
                        # Served throughout, not only once every connection is open.
                        sqs.send_message(QueueUrl=url, MessageBody=f"at {i + 1}")
                time.sleep(0.5)
                started = time.time()
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
                self.assertEqual(sorted(m["Body"] for m in got),
                                 sorted(f"at {n}" for n in (2500, 5000, 7500, 10000)))
                self.assertLess(time.time() - started, 2.0)
                health = json.loads(urllib.request.urlopen(srv.endpoint + "/_sluice/health",
                                                           timeout=5).read())
                self.assertEqual(health["status"], "ok")
                # The idle ones are still open: one of them can make a request now.
                s = idle[1234]
                s.sendall(b"GET /_sluice/health HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(64).startswith(b"HTTP/1.1 200"))
            finally:
                for s in idle:
                    s.close()
            self.assertTrue(srv.alive())

    def test_long_polls_beyond_the_limit_get_over_limit(self):
        with Server("--max-long-polls", "2") as srv:
            sqs = boto3_client("sqs", srv.endpoint, read_timeout=30)
            url = sqs.create_queue(QueueName="polled")["QueueUrl"]
            results = []

            def park():
                c = boto3_client("sqs", srv.endpoint, read_timeout=30)
                results.append(c.receive_message(QueueUrl=url, WaitTimeSeconds=3).get("Messages"))

            waiting = [threading.Thread(target=park) for _ in range(2)]
            for t in waiting:
                t.start()
            time.sleep(0.5)  # both parked
            started = time.time()
            with self.assertRaises(ClientError) as e:
                sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)
            self.assertLess(time.time() - started, 1.0)
            self.assertEqual(e.exception.response["Error"]["Code"], "OverLimit")
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
            self.assertIn("--max-long-polls", e.exception.response["Error"]["Message"])
            # Short polls are never limited, and a message wakes a parked one.
            self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url))
            sqs.send_message(QueueUrl=url, MessageBody="wake")
            for t in waiting:
                t.join(timeout=10)
            self.assertEqual(sorted(str(r) for r in results).count("None"), 1, results)
            # Room again: a long poll parks and returns at its wait's end.
            started = time.time()
            self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
            self.assertGreater(time.time() - started, 0.9)


    def test_running_executions_beyond_the_limit_get_execution_limit_exceeded(self):
        with Server("--max-running-executions", "2") as srv:
            sfn = boto3_client("stepfunctions", srv.endpoint)
            waiting = json.dumps({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 600, "End": True}}})
            arn = sfn.create_state_machine(
                name="held", definition=waiting,
                roleArn="arn:aws:iam::000000000000:role/sfn")["stateMachineArn"]
            first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
            sfn.start_execution(stateMachineArn=arn)
            with self.assertRaises(ClientError) as e:
                sfn.start_execution(stateMachineArn=arn)
            self.assertEqual(e.exception.response["Error"]["Code"], "ExecutionLimitExceeded")
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertIn("--max-running-executions", e.exception.response["Error"]["Message"])
            # Express executions are not limited; stopping one frees a place.
            express = sfn.create_state_machine(
                name="quick", type="EXPRESS",
                definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
                roleArn="arn:aws:iam::000000000000:role/sfn")["stateMachineArn"]
            sfn.start_execution(stateMachineArn=express)
            sfn.stop_execution(executionArn=first)
            sfn.start_execution(stateMachineArn=arn)


class AdminSwitches(unittest.TestCase):
    def client(self, port, *args, token=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_")}
        if token:
            env["SLUICE_ADMIN_TOKEN"] = token
        return subprocess.run([sluice_bin(), "--port", str(port), *args], capture_output=True,
                              text=True, timeout=30, env=env)

    def test_admin_token(self):
        with Server("--admin-token", "let-me-in") as srv:
            self.assertEqual(status_of(srv.endpoint + "/_sluice/health"), 200)
            self.assertEqual(status_of(srv.endpoint + "/_localstack/health"), 200)
            self.assertEqual(status_of(srv.endpoint + "/_sluice/reset", "POST"), 401)
            self.assertEqual(status_of(srv.endpoint + "/moto-api/reset", "POST"), 401)
            self.assertEqual(status_of(srv.endpoint + "/_sluice/reset", "POST",
                                       {"Authorization": "Bearer let-me-in"}), 200)
            # The AWS APIs are not affected.
            sqs = boto3_client("sqs", srv.endpoint)
            sqs.create_queue(QueueName="q")
            # The client commands send SLUICE_ADMIN_TOKEN.
            self.assertEqual(self.client(srv.port, "health").returncode, 0)
            r = self.client(srv.port, "reset")
            self.assertEqual(r.returncode, 1)
            self.assertIn("Unauthorized", r.stdout)
            self.assertEqual(self.client(srv.port, "reset", token="let-me-in").returncode, 0)
            self.assertNotIn("QueueUrls", sqs.list_queues())

    def test_admin_off(self):
        with Server("--admin", "off") as srv:
            self.assertEqual(status_of(srv.endpoint + "/_sluice/health"), 200)
            for path in ("/_sluice/reset", "/moto-api/reset", "/_sluice/clock"):
                self.assertEqual(status_of(srv.endpoint + path, "POST"), 404, path)
            self.assertEqual(status_of(srv.endpoint + "/_aws/sqs/messages?QueueUrl=x"), 404)


if __name__ == "__main__":
    main()
