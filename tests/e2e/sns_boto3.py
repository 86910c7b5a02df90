"""SNS end to end with Debian's boto3 (AWS Query): topics and errors, fan-out to SQS
queues, filter policies, raw delivery, FIFO order, HTTP subscriptions against a
listener in the test, DeliveryPolicy retries and dead-letter queues on the virtual
clock, recorded SMS/email/mobile deliveries, persistence across a restart."""
import http.server
import json
import queue
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

from botocore.exceptions import ClientError

from sluice_harness import Server, boto3_client


class Listener:
    """An HTTP endpoint for SNS to post to; answers with `status`."""

    def __init__(self, status=200, tls_dir=None):
        self.status = status
        self.requests = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                headers = dict((k.lower(), v) for k, v in self.headers.items())
                headers[":path"] = self.path
                outer.requests.put((headers, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls_dir:
            # A self-signed endpoint, as developers run locally.
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=localhost", "-keyout", f"{tls_dir}/key.pem",
                 "-out", f"{tls_dir}/cert.pem"],
                check=True, capture_output=True,
            )
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(f"{tls_dir}/cert.pem", f"{tls_dir}/key.pem")
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout=5):
        headers, body = self.requests.get(timeout=timeout)
        return headers, json.loads(body) if body.startswith("{") else body

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def receive_all(sqs, url, expected, timeout=5):
    out = []
    deadline = time.time() + timeout
    while len(out) < expected and time.time() < deadline:
        r = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        for m in r.get("Messages", []):
            out.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def admin(endpoint, path, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(endpoint + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"{}")


class SnsBase(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.server = Server(*self.server_args)
        self.sns = boto3_client("sns", self.server.endpoint)
        self.sqs = boto3_client("sqs", self.server.endpoint)

    def tearDown(self):
        self.server.stop()

    def error_of(self, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        return cm.exception.response["Error"]

    def new_queue(self, name, **attrs):
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        return url, queue_arn(self.sqs, url)

    def confirm_http(self, listener, topic_arn, **subscribe_args):
        arn = self.sns.subscribe(
            TopicArn=topic_arn, Protocol="http", Endpoint=listener.url, **subscribe_args
        )["SubscriptionArn"]
        headers, body = listener.next()
        self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(body["Type"], "SubscriptionConfirmation")
        # Confirm the way a real endpoint does: GET the SubscribeURL.
        with urllib.request.urlopen(body["SubscribeURL"], timeout=5) as r:
            xml = r.read().decode()
        self.assertIn("<ConfirmSubscriptionResult><SubscriptionArn>", xml)
        self.assertEqual(arn, "pending confirmation")
        return xml.split("<SubscriptionArn>")[1].split("</SubscriptionArn>")[0]


class TopicsTest(SnsBase):
    def test_topic_attributes_tags_and_listing(self):
        arn = self.sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "a"}])[
            "TopicArn"
        ]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:000000000000:orders")
        self.assertEqual(self.sns.create_topic(Name="orders")["TopicArn"], arn)
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["SubscriptionsConfirmed"], "0")
        self.assertIn("EffectiveDeliveryPolicy", attrs)
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="O")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "O")
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        tags = self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(sorted(t["Key"] for t in tags), ["env", "team"])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(len(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]), 1)
        self.sns.add_permission(
            TopicArn=arn, Label="p1", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
        self.assertIn("p1", [s["Sid"] for s in policy["Statement"]])
        self.sns.remove_permission(TopicArn=arn, Label="p1")
        for i in range(105):
            self.sns.create_topic(Name=f"t{i:03d}")
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        second = self.sns.list_topics(NextToken=first["NextToken"])
        self.assertEqual(len(second["Topics"]), 6)
        self.assertNotIn("NextToken", second)
        self.sns.delete_topic(TopicArn=arn)
        self.sns.delete_topic(TopicArn=arn)  # idempotent

    def test_errors_carry_aws_codes_and_messages(self):
        e = self.error_of(
            self.sns.get_topic_attributes, TopicArn="arn:aws:sns:us-east-1:000000000000:none"
        )
        self.assertEqual((e["Code"], e["Message"]), ("NotFound", "Topic does not exist"))
        e = self.error_of(self.sns.get_topic_attributes, TopicArn="bad")
        self.assertEqual((e["Code"], e["Message"]), ("InvalidParameter", "Invalid parameter: TopicArn"))
        e = self.error_of(self.sns.create_topic, Name="bad name")
        self.assertEqual(e["Message"], "Invalid parameter: Topic Name")
        arn = self.sns.create_topic(Name="t")["TopicArn"]
        e = self.error_of(self.sns.subscribe, TopicArn=arn, Protocol="carrier-pigeon", Endpoint="x")
        self.assertEqual(
            e["Message"], "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"
        )
        e = self.error_of(
            self.sns.subscribe,
            TopicArn=arn,
            Protocol="sqs",
            Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
            Attributes={"FilterPolicy": '{"a": []}'},
        )
        self.assertEqual(
            e["Message"],
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed",
        )
        e = self.error_of(self.sns.publish, TopicArn=arn, Message="m", MessageDeduplicationId="d")
        self.assertEqual(e["Code"], "InvalidParameter")
        e = self.error_of(
            self.sns.get_subscription_attributes, SubscriptionArn=arn + ":0000-1111"
        )
        self.assertEqual((e["Code"], e["Message"]), ("NotFound", "Subscription does not exist"))
        e = self.error_of(
            self.sns.publish,
            TopicArn=arn,
            Message="m",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}},
        )
        self.assertEqual(e["Code"], "ParameterValueInvalid")


class DeliveryTest(SnsBase):
    def test_fan_out_to_several_queues(self):
        topic = self.sns.create_topic(Name="fan")["TopicArn"]
        queues = [self.new_queue(f"fan{i}") for i in range(3)]
        for _, arn in queues:
            self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        mid = self.sns.publish(
            TopicArn=topic,
            Message="hello",
            Subject="hi",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        )["MessageId"]
        for url, _ in queues:
            msgs = receive_all(self.sqs, url, 1)
            self.assertEqual(len(msgs), 1)
            env = json.loads(msgs[0]["Body"])
            self.assertEqual(env["MessageId"], mid)
            self.assertEqual(env["Message"], "hello")
            self.assertEqual(env["Subject"], "hi")
            self.assertEqual(env["TopicArn"], topic)
            self.assertEqual(env["MessageAttributes"], {"k": {"Type": "String", "Value": "v"}})
            self.assertIn("UnsubscribeURL", env)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(len(subs), 3)

    def test_filter_policies(self):
        topic = self.sns.create_topic(Name="filtered")["TopicArn"]
        red_url, red = self.new_queue("red")
        big_url, big = self.new_queue("big")
        self.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=red,
            Attributes={"FilterPolicy": json.dumps({"color": ["red", {"prefix": "dark-"}]})},
        )
        self.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=big,
            Attributes={
                "FilterPolicy": json.dumps({"order": {"total": [{"numeric": [">=", 100]}]}}),
                "FilterPolicyScope": "MessageBody",
            },
        )
        def pub(body, color):
            self.sns.publish(
                TopicArn=topic,
                Message=json.dumps(body),
                MessageAttributes={"color": {"DataType": "String", "StringValue": color}},
            )
        pub({"order": {"total": 10}}, "red")
        pub({"order": {"total": 500}}, "blue")
        pub({"order": {"total": 5}}, "dark-green")
        red_msgs = receive_all(self.sqs, red_url, 2)
        self.assertEqual(
            sorted(json.loads(json.loads(m["Body"])["Message"])["order"]["total"] for m in red_msgs),
            [5, 10],
        )
        big_msgs = receive_all(self.sqs, big_url, 1)
        self.assertEqual(len(big_msgs), 1)
        self.assertEqual(json.loads(json.loads(big_msgs[0]["Body"])["Message"])["order"]["total"], 500)

    def test_raw_delivery_keeps_body_and_attributes(self):
        topic = self.sns.create_topic(Name="raw")["TopicArn"]
        url, arn = self.new_queue("rawq")
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
        self.sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true"
        )
        self.sns.publish(
            TopicArn=topic,
            Message="plain text",
            MessageAttributes={
                "n": {"DataType": "Number", "StringValue": "7"},
                "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
        )
        msgs = receive_all(self.sqs, url, 1)
        self.assertEqual(msgs[0]["Body"], "plain text")
        self.assertEqual(msgs[0]["MessageAttributes"]["n"], {"StringValue": "7", "DataType": "Number"})
        self.assertEqual(msgs[0]["MessageAttributes"]["b"]["BinaryValue"], b"\x00\x01")

    def test_fifo_fan_out_keeps_group_order(self):
        topic = self.sns.create_topic(
            Name="orders.fifo",
            Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"},
        )["TopicArn"]
        queues = [self.new_queue(f"o{i}.fifo", FifoQueue="true") for i in range(2)]
        for _, arn in queues:
            self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        seqs = []
        for i in range(12):
            r = self.sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="g")
            seqs.append(int(r["SequenceNumber"]))
        self.assertEqual(seqs, sorted(seqs))
        dup = self.sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g")
        self.assertEqual(int(dup["SequenceNumber"]), seqs[0])
        batch = self.sns.publish_batch(
            TopicArn=topic,
            PublishBatchRequestEntries=[
                {"Id": f"e{i}", "Message": f"b{i}", "MessageGroupId": "g"} for i in range(3)
            ],
        )
        self.assertEqual(len(batch["Successful"]), 3)
        for url, _ in queues:
            got = []
            for _ in range(20):
                r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                for m in r.get("Messages", []):
                    got.append(json.loads(m["Body"])["Message"])
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                if len(got) >= 15:
                    break
            self.assertEqual(got, [f"m{i}" for i in range(12)] + ["b0", "b1", "b2"])

    def test_fifo_topic_feeds_a_standard_queue_and_standard_topics_pass_group_ids(self):
        fifo = self.sns.create_topic(Name="mixed.fifo", Attributes={"FifoTopic": "true"})[
            "TopicArn"
        ]
        std_url, std_arn = self.new_queue("plain")
        self.sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=std_arn,
                           Attributes={"RawMessageDelivery": "true"})
        self.sns.publish(TopicArn=fifo, Message="from fifo", MessageGroupId="g1",
                         MessageDeduplicationId="d1")
        topic = self.sns.create_topic(Name="fair")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=std_arn,
                           Attributes={"RawMessageDelivery": "true"})
        self.sns.publish(TopicArn=topic, Message="grouped", MessageGroupId="tenant-7")
        got = {}
        for _ in range(10):
            r = self.sqs.receive_message(QueueUrl=std_url, MaxNumberOfMessages=10,
                                         AttributeNames=["All"], WaitTimeSeconds=1)
            for m in r.get("Messages", []):
                got[m["Body"]] = m["Attributes"].get("MessageGroupId")
            if len(got) == 2:
                break
        self.assertEqual(got, {"from fifo": "g1", "grouped": "tenant-7"})

    def test_a_failed_platform_delivery_goes_to_the_dead_letter_queue(self):
        topic = self.sns.create_topic(Name="pushes")["TopicArn"]
        dlq_url, dlq_arn = self.new_queue("push-dlq")
        app = self.sns.create_platform_application(
            Name="app", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        ep = self.sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=ep,
                           Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
        self.sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"Enabled": "false"})
        self.sns.publish(TopicArn=topic, Message="nobody home")
        r = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=2)
        self.assertEqual(json.loads(r["Messages"][0]["Body"])["Message"], "nobody home")

    def test_platform_applications_come_in_pages_of_15(self):
        for i in range(17):
            self.sns.create_platform_application(
                Name=f"app{i}", Platform="GCM", Attributes={"PlatformCredential": "k"})
        first = self.sns.list_platform_applications()
        self.assertEqual(len(first["PlatformApplications"]), 15)
        second = self.sns.list_platform_applications(NextToken=first["NextToken"])
        self.assertEqual(len(second["PlatformApplications"]), 2)
        self.assertNotIn("NextToken", second)

    def test_http_subscription_confirmation_and_notification(self):
        listener = Listener()
        try:
            topic = self.sns.create_topic(Name="hooks")["TopicArn"]
            self.confirm_http(listener, topic)
            subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertTrue(subs[0]["SubscriptionArn"].startswith(topic + ":"))
            mid = self.sns.publish(TopicArn=topic, Message="ping", Subject="s")["MessageId"]
            headers, body = listener.next()
            self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(headers["x-amz-sns-message-id"], mid)
            self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
            self.assertEqual(headers["x-amz-sns-subscription-arn"], subs[0]["SubscriptionArn"])
            self.assertTrue(headers["content-type"].startswith("text/plain"))
            self.assertEqual(body["Message"], "ping")
            # The certificate the envelope names is served.
            with urllib.request.urlopen(body["SigningCertURL"], timeout=5) as r:
                self.assertIn(b"BEGIN CERTIFICATE", r.read())
            # Unsubscribing through the UnsubscribeURL.
            with urllib.request.urlopen(body["UnsubscribeURL"], timeout=5) as r:
                r.read()
            self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"], [])
        finally:
            listener.close()

    def test_https_endpoint(self):
        with tempfile.TemporaryDirectory() as tls_dir:
            listener = Listener(tls_dir=tls_dir)
            try:
                topic = self.sns.create_topic(Name="secure")["TopicArn"]
                arn = self.sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=listener.url)[
                    "SubscriptionArn"
                ]
                self.assertEqual(arn, "pending confirmation")
                _, body = listener.next()
                self.assertEqual(body["Type"], "SubscriptionConfirmation")
                self.sns.confirm_subscription(TopicArn=topic, Token=body["Token"])
                self.sns.publish(TopicArn=topic, Message="over tls")
                _, body = listener.next()
                self.assertEqual(body["Message"], "over tls")
            finally:
                listener.close()

    def test_recorded_sms_email_and_mobile_deliveries(self):
        topic = self.sns.create_topic(Name="people")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
        self.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
        app = self.sns.create_platform_application(
            Name="app", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        ep = self.sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok")["EndpointArn"]
        self.sns.publish(TopicArn=topic, Message="to everyone")
        self.sns.publish(PhoneNumber="+15555550101", Message="direct sms")
        self.sns.publish(TargetArn=ep, Message="push")
        sms = admin(self.server.endpoint, "/_aws/sns/sms-messages")["sms_messages"]
        self.assertEqual(sms["+15555550100"][0]["Message"], "to everyone")
        self.assertEqual(sms["+15555550101"][0]["Message"], "direct sms")
        pushes = admin(self.server.endpoint, "/_aws/sns/platform-endpoint-messages")
        self.assertEqual(pushes["platform_endpoint_messages"][ep][0]["Message"], "push")
        emails = admin(self.server.endpoint, "/_sluice/sns/messages?kind=email")["messages"]
        self.assertEqual([m["Message"] for m in emails if "Subscription" not in m.get("Subject", "")],
                         [])  # email stays pending until confirmed
        tokens = admin(self.server.endpoint, "/_sluice/sns/subscription-tokens")["subscription_tokens"]
        self.assertEqual(len(tokens), 1)
        self.sns.confirm_subscription(TopicArn=topic, Token=tokens[0]["subscription_token"])
        self.sns.publish(TopicArn=topic, Message="second")
        emails = admin(self.server.endpoint, "/_sluice/sns/messages?kind=email")["messages"]
        self.assertEqual(emails[-1]["Message"], "second")
        self.sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"Enabled": "false"})
        e = self.error_of(self.sns.publish, TargetArn=ep, Message="x")
        self.assertEqual(e["Code"], "EndpointDisabled")


class VirtualClockTest(SnsBase):
    server_args = ("--clock", "virtual")

    def test_http_retries_then_dead_letter_queue(self):
        listener = Listener()
        try:
            topic = self.sns.create_topic(Name="flaky")["TopicArn"]
            dlq_url, dlq = self.new_queue("flaky-dlq")
            policy = {
                "healthyRetryPolicy": {
                    "numRetries": 5,
                    "numNoDelayRetries": 1,
                    "minDelayTarget": 10,
                    "maxDelayTarget": 300,
                    "backoffFunction": "exponential",
                }
            }
            sub = self.confirm_http(
                listener,
                topic,
                Attributes={
                    "DeliveryPolicy": json.dumps(policy),
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq}),
                },
            )
            listener.status = 500
            mid = self.sns.publish(TopicArn=topic, Message="fragile")["MessageId"]
            listener.next()  # first attempt
            listener.next()  # the immediate retry
            self.assertEqual(self.sqs.receive_message(QueueUrl=dlq_url).get("Messages"), None)
            admin(self.server.endpoint, "/_sluice/clock", "POST", {"advance": "1h"})
            for _ in range(4):
                listener.next()
            msgs = receive_all(self.sqs, dlq_url, 1)
            self.assertEqual(len(msgs), 1)
            self.assertEqual(json.loads(msgs[0]["Body"])["MessageId"], mid)
            record = admin(self.server.endpoint, "/_sluice/sns/messages?kind=http")["messages"][-1]
            self.assertEqual((record["Status"], record["Attempts"]), ("dead-lettered", 6))
            self.assertEqual(record["SubscriptionArn"], sub)
        finally:
            listener.close()


class LambdaTest(unittest.TestCase):
    def test_lambda_subscription_gets_the_sns_event_through_invoke(self):
        lam = Listener(status=202)
        try:
            with Server("--lambda-endpoint", lam.url.rsplit("/", 1)[0]) as s:
                sns = boto3_client("sns", s.endpoint)
                topic = sns.create_topic(Name="fn")["TopicArn"]
                fn = "arn:aws:lambda:us-east-1:000000000000:function:handler"
                sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)[
                    "SubscriptionArn"
                ]
                mid = sns.publish(
                    TopicArn=topic,
                    Message="event",
                    MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}},
                )["MessageId"]
                headers, event = lam.next()
                self.assertEqual(headers["x-amz-invocation-type"], "Event")
                # by name: local runtimes (sam local start-lambda) know functions by name
                self.assertEqual(headers[":path"], "/2015-03-31/functions/handler/invocations")
                record = event["Records"][0]
                self.assertEqual(record["EventSource"], "aws:sns")
                self.assertEqual(record["EventSubscriptionArn"], sub)
                self.assertEqual(record["Sns"]["MessageId"], mid)
                self.assertEqual(record["Sns"]["Message"], "event")
                self.assertIsNone(record["Sns"]["Subject"])
                self.assertEqual(record["Sns"]["MessageAttributes"], {"a": {"Type": "String", "Value": "b"}})
                self.assertIn("SigningCertUrl", record["Sns"])
        finally:
            lam.close()


class PersistenceTest(unittest.TestCase):
    def test_topics_and_subscriptions_survive_a_restart(self):
        with tempfile.TemporaryDirectory() as data:
            with Server("--data-dir", data) as s:
                sns = boto3_client("sns", s.endpoint)
                topic = sns.create_topic(Name="kept", Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
                sub = sns.subscribe(
                    TopicArn=topic,
                    Protocol="sqs",
                    Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                    Attributes={"RawMessageDelivery": "true"},
                )["SubscriptionArn"]
                pending = sns.subscribe(
                    TopicArn=topic, Protocol="email", Endpoint="b@example.com",
                    ReturnSubscriptionArn=True,
                )["SubscriptionArn"]
                with urllib.request.urlopen(s.endpoint + "/_sluice/sns/signing-cert.pem") as r:
                    cert = r.read()
            with Server("--data-dir", data) as s:
                sns = boto3_client("sns", s.endpoint)
                self.assertEqual(sns.list_topics()["Topics"], [{"TopicArn": topic}])
                attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
                self.assertEqual(attrs["RawMessageDelivery"], "true")
                attrs = sns.get_subscription_attributes(SubscriptionArn=pending)["Attributes"]
                self.assertEqual(attrs["PendingConfirmation"], "true")
                self.assertEqual(sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
                                 [{"Key": "k", "Value": "v"}])
                tokens = admin(s.endpoint, "/_sluice/sns/subscription-tokens")["subscription_tokens"]
                self.assertEqual(len(tokens), 1)
                with urllib.request.urlopen(s.endpoint + "/_sluice/sns/signing-cert.pem") as r:
                    self.assertEqual(r.read(), cert)


if __name__ == "__main__":
    unittest.main()
