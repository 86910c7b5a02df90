"""SQS scenarios: protocol sanity, queue lifecycle, queue attributes, tags, accounts
and regions. Part of the scenario list in sqs_scenarios.py (run under both boto3
generations), plus the Query wire itself through signed hand-built requests."""
import json
import urllib.parse
import xml.etree.ElementTree as ET

from sqs_support import (
    DEFAULT_ACCOUNT,
    PROTOCOL,
    REGION,
    TRACE_HEADER,
    SqsCase,
    advance,
    clock_ms,
    make_client,
    md5_of_attributes,
    server,
    signed_query,
    strip_namespaces,
    unique,
)


# ---------------------------------------------------------------------------------------
# Protocol sanity


class TestProtocol(SqsCase):
    def test_client_speaks_expected_protocol(self):
        seen = []
        self.sqs.meta.events.register(
            "before-send.sqs", lambda request, **kw: seen.append(dict(request.headers))
        )
        self.sqs.list_queues()
        self.assertTrue(seen, "no request was sent")
        ctype = seen[0].get("Content-Type", b"")
        ctype = ctype.decode() if isinstance(ctype, bytes) else ctype
        if PROTOCOL == "json":
            self.assertTrue(ctype.startswith("application/x-amz-json-1.0"), ctype)
            target = seen[0].get("X-Amz-Target")
            target = target.decode() if isinstance(target, bytes) else target
            self.assertEqual("AmazonSQS.ListQueues", target)
        else:
            self.assertTrue(ctype.startswith("application/x-www-form-urlencoded"), ctype)

    def test_md5_helper_matches_values_recorded_from_aws(self):
        # Digests published from recordings against real SQS (LocalStack snapshots):
        # they pin the helper the scenarios below use to check Sluice.
        self.assertEqual(
            "ae7155c6026991b6d54b11589678bf9c",
            md5_of_attributes({"Foo": {"DataType": "String", "StringValue": "Bar"}}),
        )
        self.assertEqual(
            "4c360f3fdafd970e05fae2f149d997f5",
            md5_of_attributes(
                {
                    "General": {"DataType": "String", "StringValue": "Kenobi"},
                    "Hello": {"DataType": "String", "StringValue": "There"},
                    "Help.Me": {"DataType": "String", "StringValue": "Me"},
                }
            ),
        )
        self.assertEqual(
            "5ae4d5d7636402d80f4eb6d213245a88",
            md5_of_attributes({"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}),
        )


# ---------------------------------------------------------------------------------------
# Queue lifecycle


class TestQueues(SqsCase):
    def test_create_returns_url_from_request_host_with_account_and_name(self):
        name = unique("create")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(f"127.0.0.1:{server().port}", parts.netloc)
        self.assertEqual(f"/{DEFAULT_ACCOUNT}/{name}", parts.path)

    def test_queue_url_follows_the_host_the_client_used(self):
        name = unique("host")
        self.sqs.create_queue(QueueName=name)
        other = make_client(endpoint=f"http://localhost:{server().port}")
        url = other.get_queue_url(QueueName=name)["QueueUrl"]
        self.assertEqual(f"localhost:{server().port}", urllib.parse.urlsplit(url).netloc)
        self.assertEqual(f"/{DEFAULT_ACCOUNT}/{name}", urllib.parse.urlsplit(url).path)
        # The URL handed to one client addresses the same queue through the other.
        other.send_message(QueueUrl=url, MessageBody="via localhost")
        first_url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        self.assertEqual(["via localhost"], [m["Body"] for m in self.receive(first_url)])

    def test_create_is_idempotent_with_identical_attributes(self):
        name = unique("idem")
        a = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})
        b = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})
        self.assertEqual(a["QueueUrl"], b["QueueUrl"])

    def test_create_existing_name_with_different_attributes_fails(self):
        # AWS: "If you attempt to create a queue with a name that already exists but
        # with different attribute names or values, the CreateQueue action will return
        # an error" (QueueNameExists; Query code QueueAlreadyExists).
        name = unique("exists")
        self.sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "1"})
        self.assertError(
            "QueueAlreadyExists",
            self.sqs.create_queue,
            QueueName=name,
            Attributes={"DelaySeconds": "2"},
            status=400,
        )

    def test_create_existing_queue_compares_only_the_attributes_given(self):
        # Recorded against AWS: without attributes, or with a subset that matches, the
        # existing URL comes back; values are compared with the CURRENT attributes.
        name = unique("subset")
        url = self.sqs.create_queue(
            QueueName=name, Attributes={"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "1"}
        )["QueueUrl"]
        self.assertEqual(url, self.sqs.create_queue(QueueName=name)["QueueUrl"])
        self.assertEqual(url, self.sqs.create_queue(
            QueueName=name, Attributes={"DelaySeconds": "1"})["QueueUrl"])
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
        self.assertEqual(url, self.sqs.create_queue(
            QueueName=name, Attributes={"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "2"}
        )["QueueUrl"])
        self.assertError("QueueAlreadyExists", self.sqs.create_queue, QueueName=name,
                         Attributes={"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "1"})
        # Messages in the queue (changing its computed attributes) do not matter.
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        self.assertEqual(url, self.sqs.create_queue(QueueName=name)["QueueUrl"])

    def test_create_existing_fifo_queue(self):
        name = unique("fifoexists") + ".fifo"
        attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self.assertTrue(url.endswith("/" + name))
        self.assertEqual(url, self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"])
        self.assertError("QueueAlreadyExists", self.sqs.create_queue, QueueName=name,
                         Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"})

    def test_get_queue_url(self):
        url = self.create("geturl")
        name = url.rsplit("/", 1)[1]
        self.assertEqual(url, self.sqs.get_queue_url(QueueName=name)["QueueUrl"])
        same = self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=DEFAULT_ACCOUNT)
        self.assertEqual(url, same["QueueUrl"])

    def test_get_queue_url_of_missing_queue(self):
        self.assertError(
            "AWS.SimpleQueueService.NonExistentQueue",
            self.sqs.get_queue_url,
            QueueName=unique("missing"),
            status=400,
        )

    def test_list_queues_with_prefix(self):
        prefix = unique("lst")
        urls = sorted(self.create(prefix + "-a").rsplit("/", 1)[1] for _ in range(3))
        self.create(unique("other"))
        listed = self.sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
        self.assertEqual(urls, sorted(u.rsplit("/", 1)[1] for u in listed))
        self.assertNotIn("NextToken", self.sqs.list_queues(QueueNamePrefix=prefix))
        self.assertEqual([], self.sqs.list_queues(QueueNamePrefix=unique("none")).get("QueueUrls", []))

    def test_list_queues_pagination(self):
        prefix = unique("page")
        created = sorted(self.create(prefix) for _ in range(5))
        pages, token = [], None
        while True:
            params = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                params["NextToken"] = token
            resp = self.sqs.list_queues(**params)
            pages.append(resp.get("QueueUrls", []))
            token = resp.get("NextToken")
            if not token:
                break
            self.assertLess(len(pages), 10, "pagination does not end")
        self.assertEqual([2, 2, 1], [len(p) for p in pages])
        self.assertEqual(created, sorted(u for p in pages for u in p))

    def test_delete_queue(self):
        url = self.create("del")
        name = url.rsplit("/", 1)[1]
        self.sqs.delete_queue(QueueUrl=url)
        self.assertError(
            "AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name
        )
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        self.assertError(
            "AWS.SimpleQueueService.NonExistentQueue", self.sqs.delete_queue, QueueUrl=url
        )

    def test_recreate_after_delete_waits_sixty_seconds(self):
        # AWS: "You must wait 60 seconds after deleting a queue before you can create
        # another queue with the same name" (QueueDeletedRecently).
        url = self.create("recreate")
        name = url.rsplit("/", 1)[1]
        self.sqs.delete_queue(QueueUrl=url)
        self.assertError(
            "AWS.SimpleQueueService.QueueDeletedRecently", self.sqs.create_queue, QueueName=name
        )
        advance(61)
        self.assertEqual(url, self.sqs.create_queue(QueueName=name)["QueueUrl"])

    def test_invalid_queue_names(self):
        for bad in ["has space", "bad!char", "x" * 81]:
            with self.subTest(name=bad):
                self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName=bad)
        ok = "a-Z_0" + "x" * 75
        self.assertTrue(self.sqs.create_queue(QueueName=ok)["QueueUrl"].endswith("/" + ok))
        self.sqs.delete_queue(QueueUrl=self.sqs.get_queue_url(QueueName=ok)["QueueUrl"])

    def test_fifo_name_and_attribute_must_agree(self):
        # A FIFO queue's name must end in .fifo; a standard queue's name may not
        # contain a dot.
        self.assertError(
            "InvalidParameterValue",
            self.sqs.create_queue,
            QueueName=unique("nofifosuffix"),
            Attributes={"FifoQueue": "true"},
        )
        self.assertError(
            "InvalidParameterValue", self.sqs.create_queue, QueueName=unique("std") + ".fifo"
        )


# ---------------------------------------------------------------------------------------
# Queue attributes

STANDARD_ATTRIBUTES = {
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
}
FIFO_ATTRIBUTES = STANDARD_ATTRIBUTES | {
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
}


class TestQueueAttributes(SqsCase):
    def test_defaults_of_a_standard_queue(self):
        url = self.create("defaults")
        a = self.attrs(url)
        self.assertEqual(STANDARD_ATTRIBUTES, set(a))
        name = url.rsplit("/", 1)[1]
        self.assertEqual(f"arn:aws:sqs:{REGION}:{DEFAULT_ACCOUNT}:{name}", a["QueueArn"])
        self.assertEqual("30", a["VisibilityTimeout"])
        self.assertEqual("1048576", a["MaximumMessageSize"])  # 1 MiB since Aug 2025
        self.assertEqual("345600", a["MessageRetentionPeriod"])
        self.assertEqual("0", a["DelaySeconds"])
        self.assertEqual("0", a["ReceiveMessageWaitTimeSeconds"])
        self.assertEqual("true", a["SqsManagedSseEnabled"])
        for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                  "ApproximateNumberOfMessagesDelayed"):
            self.assertEqual("0", a[k], k)
        created, modified = int(a["CreatedTimestamp"]), int(a["LastModifiedTimestamp"])
        # Epoch seconds, at the server's (virtual) clock.
        self.assertAlmostEqual(clock_ms() // 1000, created, delta=2)
        self.assertLessEqual(created, modified)

    def test_defaults_of_a_fifo_queue(self):
        a = self.attrs(self.create("fifodefaults", fifo=True))
        self.assertEqual(FIFO_ATTRIBUTES, set(a))
        self.assertEqual("true", a["FifoQueue"])
        self.assertEqual("false", a["ContentBasedDeduplication"])
        self.assertEqual("queue", a["DeduplicationScope"])
        self.assertEqual("perQueue", a["FifoThroughputLimit"])

    def test_selected_attribute_names_only(self):
        url = self.create("select")
        a = self.attrs(url, "VisibilityTimeout", "QueueArn")
        self.assertEqual({"VisibilityTimeout", "QueueArn"}, set(a))

    def test_create_with_attributes_and_set_then_get(self):
        url = self.create(
            "setget",
            attributes={"VisibilityTimeout": "20", "ReceiveMessageWaitTimeSeconds": "10",
                        "MessageRetentionPeriod": "604800"},
        )
        a = self.attrs(url)
        self.assertEqual(("20", "10", "604800"),
                         (a["VisibilityTimeout"], a["ReceiveMessageWaitTimeSeconds"],
                          a["MessageRetentionPeriod"]))
        before = int(a["LastModifiedTimestamp"])
        advance(5)
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                           "Resource": a["QueueArn"]}],
        }
        self.sqs.set_queue_attributes(
            QueueUrl=url,
            Attributes={"VisibilityTimeout": "69", "MaximumMessageSize": "2048",
                        "DelaySeconds": "420", "Policy": json.dumps(policy)},
        )
        b = self.attrs(url)
        self.assertEqual(("69", "2048", "420", "10"),
                         (b["VisibilityTimeout"], b["MaximumMessageSize"], b["DelaySeconds"],
                          b["ReceiveMessageWaitTimeSeconds"]))
        self.assertEqual(policy, json.loads(b["Policy"]))
        self.assertGreater(int(b["LastModifiedTimestamp"]), before)
        self.assertEqual(a["CreatedTimestamp"], b["CreatedTimestamp"])

    def test_empty_policy_removes_the_policy(self):
        url = self.create("nopolicy")
        arn = self.arn(url)
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage",
             "Resource": arn}]}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.assertEqual(policy, json.loads(self.attrs(url, "Policy")["Policy"]))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        self.assertNotIn("Policy", self.attrs(url))
        self.assertEqual({}, self.attrs(url, "Policy"))

    def test_computed_message_counts(self):
        url = self.create("counts")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        self.assertEqual((3, 0, 1), self.counts(url))
        self.assertEqual(1, len(self.receive(url, MaxNumberOfMessages=1)))
        self.assertEqual((2, 1, 1), self.counts(url))
        advance(61)  # the delayed message becomes visible, the received one too
        self.assertEqual((4, 0, 0), self.counts(url))

    def test_unknown_attribute_name(self):
        url = self.create("unknownattr")
        self.assertError(
            "InvalidAttributeName",
            self.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["NoSuchAttribute"],
        )
        self.assertError(
            "InvalidAttributeName",
            self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"NoSuchAttribute": "1"},
        )
        self.assertError(
            "InvalidAttributeName",
            self.sqs.create_queue, QueueName=unique("unknownattr"),
            Attributes={"NoSuchAttribute": "1"},
        )

    def test_invalid_attribute_values(self):
        url = self.create("badvalue")
        bad = [
            ("VisibilityTimeout", "43201"),
            ("VisibilityTimeout", "-1"),
            ("VisibilityTimeout", "abc"),
            ("DelaySeconds", "901"),
            ("MaximumMessageSize", "1023"),
            ("MaximumMessageSize", "1048577"),
            ("MessageRetentionPeriod", "59"),
            ("MessageRetentionPeriod", "1209601"),
            ("ReceiveMessageWaitTimeSeconds", "21"),
        ]
        for name, value in bad:
            with self.subTest(attribute=name, value=value):
                self.assertError(
                    "InvalidAttributeValue",
                    self.sqs.set_queue_attributes, QueueUrl=url, Attributes={name: value},
                )
        # Nothing changed.
        self.assertEqual("30", self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"])
        self.assertError(
            "InvalidAttributeValue",
            self.sqs.create_queue, QueueName=unique("badvalue"),
            Attributes={"DelaySeconds": "1000"},
        )

    def test_queue_type_cannot_change(self):
        # Recorded against AWS: FifoQueue is not a settable attribute of a standard
        # queue (InvalidAttributeName); a FIFO queue accepts "true" but not "false".
        std = self.create("settype")
        self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes,
                         QueueUrl=std, Attributes={"FifoQueue": "true"})
        fifo = self.create("settype", fifo=True)
        self.sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})
        self.assertError("InvalidAttributeValue", self.sqs.set_queue_attributes,
                         QueueUrl=fifo, Attributes={"FifoQueue": "false"})

    def test_server_side_encryption_attributes(self):
        url = self.create("sse")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "KmsMasterKeyId": "testKeyId", "KmsDataKeyReusePeriodSeconds": "6000",
            "SqsManagedSseEnabled": "false"})
        names = ("KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")
        self.assertEqual({"KmsMasterKeyId": "testKeyId", "KmsDataKeyReusePeriodSeconds": "6000",
                          "SqsManagedSseEnabled": "false"}, self.attrs(url, *names))
        other = self.create("sse")
        self.sqs.set_queue_attributes(QueueUrl=other, Attributes={"SqsManagedSseEnabled": "true"})
        self.assertEqual({"SqsManagedSseEnabled": "true"}, self.attrs(other, *names))
        # Recorded against AWS: KMS and SQS-managed SSE together are refused.
        self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=other,
                         Attributes={"KmsMasterKeyId": "testKeyId", "SqsManagedSseEnabled": "true"})

    def test_redrive_policy_validation(self):
        dlq = self.create("rpvalid-dead")
        arn = self.arn(dlq)
        url = self.create("rpvalid")
        bad = [
            {"deadLetterTargetArn": arn},
            {"maxReceiveCount": "42"},
            {"deadLetterTargetArn": arn, "maxReceiveCount": "invalid"},
            {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42},
        ]
        for policy in bad:
            with self.subTest(policy=policy):
                self.assertError("InvalidParameterValue", self.sqs.set_queue_attributes,
                                 QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy)})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": "42"})})
        got = json.loads(self.attrs(url, "RedrivePolicy")["RedrivePolicy"])
        self.assertEqual(arn, got["deadLetterTargetArn"])
        self.assertEqual(42, int(got["maxReceiveCount"]))

    def test_attributes_of_missing_queue(self):
        url = self.create("gone")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertError(
            "AWS.SimpleQueueService.NonExistentQueue",
            self.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["All"],
        )
        self.assertError(
            "AWS.SimpleQueueService.NonExistentQueue",
            self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "1"},
        )


# ---------------------------------------------------------------------------------------
# Tags


class TestTags(SqsCase):
    def test_tags_lifecycle(self):
        url = self.create("tags", tags={"team": "core", "env": "test"})
        self.assertEqual({"team": "core", "env": "test"},
                         self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "42"})
        self.assertEqual({"team": "core", "env": "prod", "cost": "42"},
                         self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost", "not-there"])
        self.assertEqual({"env": "prod"}, self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertEqual({}, self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))

    def test_tag_values_may_be_empty_and_keys_are_case_sensitive(self):
        url = self.create("tagcase")
        tags = {"MyTag": "value1", "mytag": "value2", "empty": ""}
        self.sqs.tag_queue(QueueUrl=url, Tags=tags)
        self.assertEqual(tags, self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))

    def test_tags_of_missing_queue(self):
        url = self.create("tagsgone")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertError("AWS.SimpleQueueService.NonExistentQueue",
                         self.sqs.list_queue_tags, QueueUrl=url)
        self.assertError("AWS.SimpleQueueService.NonExistentQueue",
                         self.sqs.tag_queue, QueueUrl=url, Tags={"a": "b"})
        self.assertError("AWS.SimpleQueueService.NonExistentQueue",
                         self.sqs.untag_queue, QueueUrl=url, TagKeys=["a"])


# ---------------------------------------------------------------------------------------
# Accounts and regions


class TestAccounts(SqsCase):
    def test_twelve_digit_access_key_is_the_account(self):
        alice = make_client(access_key="111111111111")
        bob = make_client(access_key="222222222222")
        name = unique("acct")
        a_url = alice.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(f"/111111111111/{name}", urllib.parse.urlsplit(a_url).path)
        arn = alice.get_queue_attributes(QueueUrl=a_url, AttributeNames=["QueueArn"])
        self.assertEqual(f"arn:aws:sqs:{REGION}:111111111111:{name}", arn["Attributes"]["QueueArn"])
        # Bob does not see Alice's queue, and can own one of the same name.
        self.assertEqual([], bob.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", bob.get_queue_url,
                         QueueName=name)
        b_url = bob.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(f"/222222222222/{name}", urllib.parse.urlsplit(b_url).path)
        alice.send_message(QueueUrl=a_url, MessageBody="for alice")
        self.assertEqual([], bob.receive_message(QueueUrl=b_url).get("Messages", []))
        self.assertEqual([a_url], alice.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        # The default account does not see either.
        self.assertEqual([], self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))

    def test_regions_are_isolated(self):
        west = make_client(region="eu-west-1")
        name = unique("region")
        url = west.create_queue(QueueName=name)["QueueUrl"]
        arn = west.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        self.assertEqual(f"arn:aws:sqs:eu-west-1:{DEFAULT_ACCOUNT}:{name}",
                         arn["Attributes"]["QueueArn"])
        self.assertEqual([], self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url,
                         QueueName=name)


# ---------------------------------------------------------------------------------------
# Permissions (AddPermission / RemovePermission edit the queue Policy)


class TestPermissions(SqsCase):
    def statements(self, url):
        policy = self.attrs(url, "Policy").get("Policy")
        return json.loads(policy)["Statement"] if policy else []

    def test_permission_lifecycle(self):
        url = self.create("perm")
        arn = self.arn(url)
        self.sqs.add_permission(QueueUrl=url, Label="crossaccountpermission",
                                AWSAccountIds=[DEFAULT_ACCOUNT, "668614515564"],
                                Actions=["ReceiveMessage"])
        [stmt] = self.statements(url)
        self.assertEqual("crossaccountpermission", stmt["Sid"])
        self.assertEqual("Allow", stmt["Effect"])
        self.assertEqual("SQS:ReceiveMessage", stmt["Action"])
        self.assertEqual(arn, stmt["Resource"])
        principals = stmt["Principal"]["AWS"]
        principals = [principals] if isinstance(principals, str) else principals
        self.assertEqual({f"arn:aws:iam::{DEFAULT_ACCOUNT}:root", "arn:aws:iam::668614515564:root"},
                         set(principals))
        # Recorded against AWS: a label is unique within the policy.
        err = self.assertError("InvalidParameterValue", self.sqs.add_permission, QueueUrl=url,
                               Label="crossaccountpermission", AWSAccountIds=["668614515564"],
                               Actions=["ReceiveMessage"])
        self.assertEqual("Value crossaccountpermission for parameter Label is invalid. "
                         "Reason: Already exists.", err.response["Error"]["Message"])
        self.sqs.add_permission(QueueUrl=url, Label="second", AWSAccountIds=[DEFAULT_ACCOUNT],
                                Actions=["SendMessage"])
        self.assertEqual(["crossaccountpermission", "second"],
                         [st["Sid"] for st in self.statements(url)])
        self.sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission")
        self.assertEqual(["second"], [st["Sid"] for st in self.statements(url)])
        self.sqs.remove_permission(QueueUrl=url, Label="second")
        self.assertEqual({}, self.attrs(url, "Policy"))
        err = self.assertError("InvalidParameterValue", self.sqs.remove_permission,
                               QueueUrl=url, Label="second")
        self.assertEqual("Value second for parameter Label is invalid. Reason: can't find label.",
                         err.response["Error"]["Message"])


# ---------------------------------------------------------------------------------------
# The Query wire itself (signed by hand, same in both runs): requests addressed to the
# queue URL, GET as well as POST, and the protocol-level errors. Recorded against AWS.


class TestQueryWire(SqsCase):
    def test_get_on_the_queue_url_addresses_the_queue(self):
        url = self.create("wireget")
        status, body = signed_query({"Action": "GetQueueAttributes", "AttributeName.1": "All"},
                                    url=url, method="GET")
        self.assertEqual(200, status, body)
        text = body.decode()
        self.assertIn("<GetQueueAttributesResponse", text)
        self.assertIn("<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>", text)
        self.assertIn(f"<Value>{self.arn(url)}</Value>", text)

    def test_send_and_receive_through_the_queue_url(self):
        url = self.create("wiresend")
        other = self.create("wireother")
        status, body = signed_query({"Action": "SendMessage", "MessageBody": "foobar"}, url=url)
        self.assertEqual(200, status, body)
        status, body = signed_query({"Action": "ReceiveMessage"}, url=other)
        self.assertEqual(200, status, body)
        result = strip_namespaces(ET.fromstring(body)).find("ReceiveMessageResult")
        self.assertIsNotNone(result, body)
        self.assertEqual([], list(result), "an empty receive has an empty result element")
        status, body = signed_query({"Action": "ReceiveMessage"}, url=url, method="GET")
        self.assertEqual(200, status, body)
        self.assertIn("<Body>foobar</Body>", body.decode())

    def test_protocol_errors(self):
        url = self.create("wireerr")
        cases = [
            ({"Action": "FooBar"}, 400, "InvalidAction",
             "The action FooBar is not valid for this endpoint."),
            ({"Action": "SendMessage"}, 400, "MissingParameter",
             "The request must contain the parameter MessageBody."),
            ({"Action": "GetQueueAttributes", "AttributeName.1": "Foobar"}, 400,
             "InvalidAttributeName", "Unknown Attribute Foobar."),
        ]
        for params, status, code, message in cases:
            with self.subTest(action=params["Action"]):
                got_status, body = signed_query(params, url=url)
                root = strip_namespaces(ET.fromstring(body))
                self.assertEqual(status, got_status, body)
                self.assertEqual("Sender", root.findtext("Error/Type"))
                self.assertEqual(code, root.findtext("Error/Code"))
                self.assertEqual(message, root.findtext("Error/Message"))

    def test_deleted_queue_url(self):
        url = self.create("wiregone")
        self.sqs.delete_queue(QueueUrl=url)
        status, body = signed_query({"Action": "GetQueueAttributes", "AttributeName.1": "QueueArn"},
                                    url=url, method="GET")
        self.assertEqual(400, status)
        root = strip_namespaces(ET.fromstring(body))
        self.assertEqual("AWS.SimpleQueueService.NonExistentQueue", root.findtext("Error/Code"))
