"""LocalStack migration: its environment variables and developer paths, with boto3.

SQS_ENDPOINT_STRATEGY (off, path, standard, domain) decides the queue URL form and every
form is accepted back; LOCALSTACK_HOST fixes the URL host; GATEWAY_LISTEN binds; DEBUG=1
logs at debug level; /_aws/sqs/messages answers by QueueUrl and by path. SFN_MOCK_CONFIG
is covered by sfn_boto3.py, /_localstack/health and /moto-api/reset by foundation_cli.py.
"""
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from sluice_harness import LISTEN_RE, Server, boto3_client, main, sluice_bin


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


class LocalStackCompat(unittest.TestCase):
    def test_sqs_endpoint_strategies(self):
        expected = {
            "off": "http://127.0.0.1:{port}/000000000000/jobs",
            "dynamic": "http://127.0.0.1:{port}/000000000000/jobs",
            "path": "http://127.0.0.1:{port}/queue/us-east-1/000000000000/jobs",
            "standard": "http://sqs.us-east-1.localhost.localstack.cloud:{port}/000000000000/jobs",
            "domain": "http://us-east-1.queue.localhost.localstack.cloud:{port}/000000000000/jobs",
        }
        for strategy, form in expected.items():
            with self.subTest(strategy), Server(env={"SQS_ENDPOINT_STRATEGY": strategy}) as srv:
                sqs = boto3_client("sqs", srv.endpoint)
                url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
                self.assertEqual(url, form.format(port=srv.port))
                self.assertEqual(sqs.get_queue_url(QueueName="jobs")["QueueUrl"], url)
                self.assertIn(url, sqs.list_queues()["QueueUrls"])
                # The URL handed out works as a QueueUrl, whatever its host form.
                sqs.send_message(QueueUrl=url, MessageBody=strategy)
                got = sqs.receive_message(QueueUrl=url)["Messages"]
                self.assertEqual(got[0]["Body"], strategy)

    def test_region_of_a_localstack_host_url_is_honoured(self):
        with Server() as srv:
            eu = boto3_client("sqs", srv.endpoint, region="eu-west-1")
            eu.create_queue(QueueName="eu-jobs")
            us = boto3_client("sqs", srv.endpoint)
            url = f"http://sqs.eu-west-1.localhost.localstack.cloud:{srv.port}/000000000000/eu-jobs"
            us.send_message(QueueUrl=url, MessageBody="to europe")
            self.assertEqual(eu.receive_message(QueueUrl=url)["Messages"][0]["Body"], "to europe")

    def test_localstack_host_sets_the_url_host_and_sluice_wins(self):
        with Server(env={"LOCALSTACK_HOST": "localstack:4566"}) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            self.assertEqual(sqs.create_queue(QueueName="q")["QueueUrl"],
                             "http://localstack:4566/000000000000/q")
        with Server(env={"LOCALSTACK_HOST": "localstack:4566",
                         "SLUICE_URL_HOST": "sluice:4566"}) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            self.assertEqual(sqs.create_queue(QueueName="q")["QueueUrl"],
                             "http://sluice:4566/000000000000/q")

    def test_gateway_listen_and_debug(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, GATEWAY_LISTEN=f"127.0.0.1:{port}", DEBUG="1")
        env.pop("SLUICE_PORT", None)
        log = tempfile.NamedTemporaryFile(prefix="sluice-", suffix=".log", delete=False)
        proc = subprocess.Popen([sluice_bin()], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.time() + 10
            text = ""
            while time.time() < deadline and not LISTEN_RE.search(text):
                time.sleep(0.02)
                with open(log.name) as f:
                    text = f.read()
            m = LISTEN_RE.search(text)
            self.assertIsNotNone(m, text)
            self.assertEqual(int(m.group(2)), port)
            self.assertRegex(text, r"debug \[main\] settings: host 127\.0\.0\.1, port %d" % port)
            self.assertEqual(get_json(f"http://127.0.0.1:{port}/_localstack/health")["services"]
                             ["sqs"], "running")
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)
            os.unlink(log.name)
        bad = subprocess.run([sluice_bin()], env=dict(env, GATEWAY_LISTEN="nonsense"),
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("GATEWAY_LISTEN", bad.stderr)

    def test_developer_endpoint_by_url_and_by_path(self):
        with Server() as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.create_queue(QueueName="peeked")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="look, don't touch")
            by_url = get_json(srv.endpoint + "/_aws/sqs/messages?QueueUrl=" +
                              urllib.request.quote(url, safe=""))
            by_path = get_json(srv.endpoint + "/_aws/sqs/messages/us-east-1/000000000000/peeked")
            self.assertEqual(by_url, by_path)
            self.assertEqual([m["Body"] for m in by_path["Messages"]], ["look, don't touch"])
            # Peeking changes nothing: the message is still there to receive.
            self.assertEqual(len(sqs.receive_message(QueueUrl=url)["Messages"]), 1)
            with self.assertRaises(urllib.error.HTTPError) as e:
                get_json(srv.endpoint + "/_aws/sqs/messages/us-east-1/000000000000/nope")
            self.assertEqual(e.exception.code, 404)


if __name__ == "__main__":
    main()
