"""SQS through the AWS CLI: Debian's awscli 2.9 (/usr/bin/aws), which sends AWS Query.

A short create / send / receive / delete flow plus one error, driven through
subprocess with dummy credentials in the environment and no user configuration.
Expected values come from the AWS documentation, not from Sluice.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import uuid

import sluice_harness
from sluice_harness import Server


def find_aws():
    # Debian's awscli first: a `python3 -m awscli` on PATH may be a newer, JSON-speaking one.
    if os.path.exists("/usr/bin/aws"):
        return "/usr/bin/aws"
    return shutil.which("aws")


AWS = find_aws()


@unittest.skipIf(AWS is None, "no aws CLI installed (apt-get install awscli)")
class TestAwsCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.home = tempfile.TemporaryDirectory(prefix="sluice-awscli-")
        cls.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": cls.home.name,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.path.join(cls.home.name, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.home.name, "credentials"),
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        }

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.home.cleanup()

    def aws(self, *args, check=True):
        cmd = [AWS, "--endpoint-url", self.server.endpoint, "--output", "json", "sqs", *args]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            self.fail(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        return proc

    def aws_json(self, *args):
        out = self.aws(*args).stdout.strip()
        return json.loads(out) if out else {}

    def test_create_send_receive_delete(self):
        name = f"cli-{uuid.uuid4().hex[:10]}"
        url = self.aws_json("create-queue", "--queue-name", name,
                            "--attributes", "VisibilityTimeout=45")["QueueUrl"]
        self.assertEqual(f"/000000000000/{name}", urllib.parse.urlsplit(url).path)
        self.assertEqual(url, self.aws_json("get-queue-url", "--queue-name", name)["QueueUrl"])
        listed = self.aws_json("list-queues", "--queue-name-prefix", name)
        self.assertEqual([url], listed.get("QueueUrls", []))
        attrs = self.aws_json("get-queue-attributes", "--queue-url", url,
                              "--attribute-names", "VisibilityTimeout")["Attributes"]
        self.assertEqual({"VisibilityTimeout": "45"}, attrs)

        body = 'hello from the CLI <&> "quoted" \u00e9'
        msg_attrs = {"color": {"DataType": "String", "StringValue": "blue"}}
        sent = self.aws_json("send-message", "--queue-url", url, "--message-body", body,
                             "--message-attributes", json.dumps(msg_attrs))
        self.assertEqual(hashlib.md5(body.encode()).hexdigest(), sent["MD5OfMessageBody"])
        self.assertTrue(sent["MD5OfMessageAttributes"])

        got = self.aws_json("receive-message", "--queue-url", url,
                            "--message-attribute-names", "All", "--attribute-names", "All")
        self.assertEqual(1, len(got["Messages"]))
        m = got["Messages"][0]
        self.assertEqual(sent["MessageId"], m["MessageId"])
        self.assertEqual(body, m["Body"])
        self.assertEqual(msg_attrs, m["MessageAttributes"])
        self.assertEqual(sent["MD5OfMessageAttributes"], m["MD5OfMessageAttributes"])
        self.assertEqual("1", m["Attributes"]["ApproximateReceiveCount"])

        self.aws("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        counts = self.aws_json("get-queue-attributes", "--queue-url", url, "--attribute-names",
                               "ApproximateNumberOfMessages",
                               "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        self.assertEqual({"ApproximateNumberOfMessages": "0",
                          "ApproximateNumberOfMessagesNotVisible": "0"}, counts)

        batch = self.aws_json("send-message-batch", "--queue-url", url, "--entries",
                              json.dumps([{"Id": "a", "MessageBody": "one"},
                                          {"Id": "b", "MessageBody": "two"}]))
        self.assertEqual({"a", "b"}, {e["Id"] for e in batch["Successful"]})
        self.aws("purge-queue", "--queue-url", url)
        self.aws("delete-queue", "--queue-url", url)
        proc = self.aws("get-queue-url", "--queue-name", name, check=False)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", proc.stderr)

    def test_missing_queue_error(self):
        proc = self.aws("send-message", "--queue-url",
                        f"{self.server.endpoint}/000000000000/nope-{uuid.uuid4().hex[:8]}",
                        "--message-body", "x", check=False)
        self.assertNotEqual(0, proc.returncode)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", proc.stderr)

    def test_fifo_send_with_group(self):
        name = f"cli-{uuid.uuid4().hex[:10]}.fifo"
        url = self.aws_json("create-queue", "--queue-name", name, "--attributes",
                            "FifoQueue=true,ContentBasedDeduplication=true")["QueueUrl"]
        first = self.aws_json("send-message", "--queue-url", url, "--message-body", "f1",
                              "--message-group-id", "g")
        second = self.aws_json("send-message", "--queue-url", url, "--message-body", "f2",
                               "--message-group-id", "g")
        self.assertLess(int(first["SequenceNumber"]), int(second["SequenceNumber"]))
        got = self.aws_json("receive-message", "--queue-url", url, "--max-number-of-messages", "10")
        self.assertEqual(["f1", "f2"], [m["Body"] for m in got["Messages"]])


if __name__ == "__main__":
    sluice_harness.main()
