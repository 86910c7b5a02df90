"""--auth sigv4: SigV4 signatures verified against configured access keys.

Runs under both boto3 generations (1.26: SQS over AWS Query; 1.43: SQS over AWS JSON),
plus the AWS CLI and raw HTTP. SQS, SNS and Step Functions calls signed with a
configured key pass and act in that key's account; a wrong secret, an unknown key, a
date more than 15 minutes off and a missing signature fail with the codes AWS returns
for each protocol (Query and SQS's awsQueryCompatible JSON: 403 SignatureDoesNotMatch /
InvalidClientTokenId / MissingAuthenticationToken; Step Functions' AWS JSON: 400
InvalidSignatureException / UnrecognizedClientException /
MissingAuthenticationTokenException). Admin routes stay open.
"""
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.config import Config

import sluice_harness
from sluice_harness import Server

ALPHA = ("AKIDALPHA0000000001", "alpha/secret+key", "111111111111")  # from the key file
BETA = ("AKIDBETA00000000002", "beta-secret", "222222222222")  # from SLUICE_ACCESS_KEYS
ROLE = "arn:aws:iam::111111111111:role/sfn"
PROTOCOL = sluice_harness.sqs_protocol()
AWS = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")


@contextlib.contextmanager
def client_clock(when):
    """Make botocore sign as if its clock said `when` (naive UTC)."""
    if hasattr(botocore.auth, "get_current_datetime"):
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
            yield
        return

    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

    with mock.patch.object(botocore.auth.datetime, "datetime", Fixed):
        yield


class AuthSigV4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="sluice-auth-")
        keys = os.path.join(cls.tmp.name, "keys.json")
        with open(keys, "w") as f:
            json.dump(
                [{"access_key_id": ALPHA[0], "secret_access_key": ALPHA[1], "account_id": ALPHA[2]}],
                f,
            )
        cls.server = Server(
            "--auth",
            "sigv4",
            "--access-keys",
            keys,
            env={"SLUICE_ACCESS_KEYS": f"{BETA[0]}:{BETA[1]}:{BETA[2]}"},
        )

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def client(self, service, key=ALPHA, secret=None, region="us-east-1"):
        return boto3.client(
            service,
            endpoint_url=self.server.endpoint,
            region_name=region,
            aws_access_key_id=key[0],
            aws_secret_access_key=secret if secret is not None else key[1],
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    def assert_error(self, call, code, status):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call()
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        return err

    # --- the right key -----------------------------------------------------------------

    def test_sqs_with_the_right_key_acts_in_the_keys_account(self):
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=f"auth-{PROTOCOL}")["QueueUrl"]
        self.assertIn("/111111111111/", url)
        sqs.send_message(QueueUrl=url, MessageBody="signed")
        msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["signed"])
        # Beta's key (from SLUICE_ACCESS_KEYS) is another account: it sees none of alpha's.
        beta = self.client("sqs", key=BETA)
        beta_url = beta.create_queue(QueueName=f"auth-beta-{PROTOCOL}")["QueueUrl"]
        self.assertIn("/222222222222/", beta_url)
        self.assertNotIn(url, beta.list_queues().get("QueueUrls", []))
        self.assertIn(url, sqs.list_queues().get("QueueUrls", []))

    def test_sns_with_the_right_key(self):
        sns = self.client("sns")
        arn = sns.create_topic(Name=f"auth-{PROTOCOL}")["TopicArn"]
        self.assertEqual(arn.split(":")[4], "111111111111")
        sns.publish(TopicArn=arn, Message="signed")
        self.assertIn(arn, [t["TopicArn"] for t in sns.list_topics()["Topics"]])

    def test_step_functions_with_the_right_key(self):
        sfn = self.client("stepfunctions")
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        arn = sfn.create_state_machine(
            name=f"auth-{PROTOCOL}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        self.assertEqual(arn.split(":")[4], "111111111111")
        sfn.start_execution(stateMachineArn=arn, input="{}")
        self.assertIn(arn, [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]])

    def test_other_regions_sign_too(self):
        sqs = self.client("sqs", region="eu-west-1")
        url = sqs.create_queue(QueueName=f"auth-eu-{PROTOCOL}")["QueueUrl"]
        self.assertIn("/111111111111/", url)

    # --- failures ----------------------------------------------------------------------

    def test_wrong_secret(self):
        self.assert_error(self.client("sqs", secret="wrong").list_queues, "SignatureDoesNotMatch", 403)
        err = self.assert_error(
            self.client("sns", secret="wrong").list_topics, "SignatureDoesNotMatch", 403
        )
        self.assertIn("Check your AWS Secret Access Key", err["Error"]["Message"])
        self.assert_error(
            self.client("stepfunctions", secret="wrong").list_state_machines,
            "InvalidSignatureException",
            400,
        )

    def test_unknown_access_key(self):
        nobody = ("AKIDNOBODY000000000", "whatever")
        err = self.assert_error(
            self.client("sqs", key=nobody).list_queues, "InvalidClientTokenId", 403
        )
        self.assertEqual(
            err["Error"]["Message"], "The security token included in the request is invalid."
        )
        self.assert_error(self.client("sns", key=nobody).list_topics, "InvalidClientTokenId", 403)
        self.assert_error(
            self.client("stepfunctions", key=nobody).list_state_machines,
            "UnrecognizedClientException",
            400,
        )

    def test_date_more_than_15_minutes_off(self):
        now = datetime.datetime.utcnow()
        for when, words in ((now - datetime.timedelta(minutes=20), "Signature expired"),
                            (now + datetime.timedelta(minutes=20), "Signature not yet current")):
            with client_clock(when):
                err = self.assert_error(self.client("sqs").list_queues, "SignatureDoesNotMatch", 403)
                self.assertIn(words, err["Error"]["Message"])
                self.assert_error(self.client("sns").list_topics, "SignatureDoesNotMatch", 403)
                err = self.assert_error(
                    self.client("stepfunctions").list_state_machines,
                    "InvalidSignatureException",
                    400,
                )
                self.assertIn(words, err["Error"]["Message"])
        # Ten minutes off is within AWS's window.
        with client_clock(now - datetime.timedelta(minutes=10)):
            self.client("sqs").list_queues()

    def raw(self, path, body=None, headers=None, method=None):
        req = urllib.request.Request(
            self.server.endpoint + path,
            data=body,
            headers=headers or {},
            method=method or ("POST" if body else "GET"),
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def test_missing_authentication(self):
        status, _, body = self.raw(
            "/", b"Action=ListTopics&Version=2010-03-31",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual(status, 403)
        self.assertIn("<Code>MissingAuthenticationToken</Code>", body)
        self.assertIn('xmlns="http://sns.amazonaws.com/doc/2010-03-31/"', body)
        status, headers, body = self.raw(
            "/", b"{}",
            {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListActivities"},
        )
        self.assertEqual(status, 400)
        self.assertEqual(
            json.loads(body)["__type"], "com.amazon.coral.service#MissingAuthenticationTokenException"
        )
        status, headers, body = self.raw(
            "/", b"{}",
            {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"},
        )
        self.assertEqual(status, 403)
        self.assertEqual(headers.get("x-amzn-query-error"), "MissingAuthenticationToken;Sender")

    def test_admin_routes_are_not_checked(self):
        status, _, body = self.raw("/_sluice/health")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        status, _, _ = self.raw("/_localstack/health")
        self.assertEqual(status, 200)

    @unittest.skipUnless(PROTOCOL == "query", "botocore presigns SQS Query requests only")
    def test_presigned_url(self):
        sqs = self.client("sqs")
        url = sqs.generate_presigned_url("list_queues", Params={}, ExpiresIn=300)
        self.assertIn("X-Amz-Signature=", url)
        # botocore signs the operation's own method: POST for SQS Query (with no body).
        status, _, body = self.raw(url[len(self.server.endpoint):], b"", method="POST")
        self.assertEqual(status, 200, body)
        self.assertIn("<ListQueuesResponse", body)
        tampered = url.replace("Action=ListQueues", "Action=ListQueues&QueueNamePrefix=x")
        status, _, body = self.raw(tampered[len(self.server.endpoint):], b"", method="POST")
        self.assertEqual(status, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", body)
        with client_clock(datetime.datetime.utcnow() - datetime.timedelta(minutes=10)):
            old = sqs.generate_presigned_url("list_queues", Params={}, ExpiresIn=60)
        status, _, body = self.raw(old[len(self.server.endpoint):], b"", method="POST")
        self.assertEqual(status, 400)
        self.assertIn("<Code>RequestExpired</Code>", body)

    @unittest.skipUnless(AWS and PROTOCOL == "query", "the AWS CLI runs once, with Debian's python")
    def test_aws_cli(self):
        home = tempfile.TemporaryDirectory(prefix="sluice-auth-cli-")
        self.addCleanup(home.cleanup)

        def aws(secret, *args):
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home.name,
                "AWS_ACCESS_KEY_ID": ALPHA[0],
                "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": os.path.join(home.name, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home.name, "credentials"),
                "AWS_PAGER": "",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_MAX_ATTEMPTS": "1",
            }
            cmd = [AWS, "--endpoint-url", self.server.endpoint, "--output", "json", *args]
            return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

        for args in (["sqs", "create-queue", "--queue-name", "auth-cli"],
                     ["sns", "list-topics"],
                     ["stepfunctions", "list-state-machines"]):
            proc = aws(ALPHA[1], *args)
            self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("/111111111111/auth-cli", aws(ALPHA[1], "sqs", "create-queue", "--queue-name", "auth-cli").stdout)
        proc = aws("wrong", "sqs", "list-queues")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", proc.stderr)


class AuthOffByDefault(unittest.TestCase):
    def test_without_auth_any_signature_is_accepted(self):
        with Server() as server:
            sqs = sluice_harness.boto3_client("sqs", server.endpoint)
            sqs.list_queues()
            wrong = boto3.client(
                "sqs",
                endpoint_url=server.endpoint,
                region_name="us-east-1",
                aws_access_key_id="anything",
                aws_secret_access_key="at all",
            )
            wrong.list_queues()


if __name__ == "__main__":
    sluice_harness.main()
