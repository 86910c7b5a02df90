"""SQS scenarios: send/receive/delete, message and system attributes, visibility,
delays, long polling, batches and PurgeQueue. Part of the scenario list in
sqs_scenarios.py (run under both boto3 generations)."""
import json
import threading
import time
import uuid

from sqs_support import (
    TRACE_HEADER,
    SqsCase,
    advance,
    clock_ms,
    make_client,
    md5_hex,
    md5_of_attributes,
)


# ---------------------------------------------------------------------------------------
# Messages


class TestMessages(SqsCase):
    def test_send_receive_delete(self):
        url = self.create("basic")
        body = "hello sluice"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(md5_hex(body), sent["MD5OfMessageBody"])
        self.assertNotIn("MD5OfMessageAttributes", sent)
        self.assertNotIn("MD5OfMessageSystemAttributes", sent)
        self.assertNotIn("SequenceNumber", sent)  # FIFO queues only
        uuid.UUID(sent["MessageId"])  # a UUID, as AWS hands out
        msgs = self.receive(url)
        self.assertEqual(1, len(msgs))
        m = msgs[0]
        self.assertEqual(sent["MessageId"], m["MessageId"])
        self.assertEqual(body, m["Body"])
        self.assertEqual(md5_hex(body), m["MD5OfBody"])
        self.assertTrue(m["ReceiptHandle"])
        self.assertNotIn("MD5OfMessageAttributes", m)
        self.assertEqual({}, m.get("Attributes", {}))
        self.assertEqual({}, m.get("MessageAttributes", {}))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        advance(31)
        self.assertEqual([], self.receive(url))
        self.assertEqual((0, 0, 0), self.counts(url))

    def test_bodies_round_trip_exactly(self):
        url = self.create("bodies")
        bodies = [
            "<xml attr=\"1\">&amp; 'quoted' </xml>",
            "line1\r\nline2\rline3\n\ttabbed",
            "unicode: h\u00e9llo \u2713 \u4e2d\u6587 \U0001d11e \U0001f600",
            "  leading and trailing spaces  ",
            "cdata terminator ]]> and <![CDATA[ opener",
            "next line \x85, line separator \u2028, paragraph \u2029",
            "private use \ue000 and last allowed \ufffd",
            json.dumps({"k": [1, 2, {"n": None}]}),
            "x" * 70000,
        ]
        for body in bodies:
            with self.subTest(body=body[:30]):
                sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
                self.assertEqual(md5_hex(body), sent["MD5OfMessageBody"])
                m = self.receive(url, MaxNumberOfMessages=1)[0]
                self.assertEqual(body, m["Body"])
                self.assertEqual(md5_hex(body), m["MD5OfBody"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def test_messages_expire_after_the_retention_period(self):
        url = self.create("retention", attributes={"MessageRetentionPeriod": "60"})
        self.sqs.send_message(QueueUrl=url, MessageBody="short-lived")
        self.sqs.send_message(QueueUrl=url, MessageBody="in flight")
        self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=300)
        advance(59)
        self.assertEqual(1, self.counts(url)[0])
        advance(2)
        self.assertEqual((0, 0, 0), self.counts(url))
        advance(300)
        self.assertEqual([], self.receive(url))

    def test_message_group_id_on_a_standard_queue(self):
        # Fair queues (2025): standard queues accept MessageGroupId.
        url = self.create("fair")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="tenant", MessageGroupId="t1")
        self.assertNotIn("SequenceNumber", sent)
        self.assertEqual(["tenant"], [m["Body"] for m in self.receive(url)])

    def test_receive_at_most_max_number_of_messages(self):
        url = self.create("maxn")
        for i in range(15):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        self.assertEqual(1, len(self.receive(url, MaxNumberOfMessages=1)))
        self.assertLessEqual(len(self.receive(url, MaxNumberOfMessages=10)), 10)
        # Without MaxNumberOfMessages AWS returns at most one message.
        self.assertLessEqual(len(self.sqs.receive_message(QueueUrl=url).get("Messages", [])), 1)

    def test_receive_from_empty_queue(self):
        url = self.create("empty")
        resp = self.sqs.receive_message(QueueUrl=url)
        self.assertEqual([], resp.get("Messages", []))

    def test_system_attribute_filters(self):
        url = self.create("sysattrs")
        before = clock_ms()
        self.sqs.send_message(QueueUrl=url, MessageBody="msg")
        after = clock_ms()
        m = self.receive(url, AttributeNames=["All"])[0]
        a = m["Attributes"]
        self.assertEqual(
            {"SenderId", "ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount",
             "SentTimestamp"},
            set(a),
        )
        self.assertEqual("1", a["ApproximateReceiveCount"])
        sent_ts = int(a["SentTimestamp"])
        self.assertTrue(before <= sent_ts <= after, (before, sent_ts, after))
        first = int(a["ApproximateFirstReceiveTimestamp"])
        self.assertGreaterEqual(first, sent_ts)
        advance(31)
        m = self.receive(url, AttributeNames=["SentTimestamp", "ApproximateReceiveCount",
                                              "ApproximateFirstReceiveTimestamp"])[0]
        self.assertEqual(
            {"SentTimestamp": str(sent_ts), "ApproximateReceiveCount": "2",
             "ApproximateFirstReceiveTimestamp": str(first)},
            m["Attributes"],
        )
        advance(31)
        m = self.receive(url, AttributeNames=["SenderId"])[0]
        self.assertEqual({"SenderId"}, set(m["Attributes"]))
        advance(31)
        m = self.receive(url)[0]
        self.assertEqual({}, m.get("Attributes", {}))

    def test_aws_trace_header_system_attribute(self):
        url = self.create("trace")
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="traced",
                                     MessageSystemAttributes=system)
        self.assertEqual(md5_of_attributes(system), sent["MD5OfMessageSystemAttributes"])
        self.assertNotIn("MD5OfMessageAttributes", sent)
        m = self.receive(url, AttributeNames=["AWSTraceHeader"])[0]
        self.assertEqual({"AWSTraceHeader": TRACE_HEADER}, m["Attributes"])
        advance(31)
        m = self.receive(url, AttributeNames=["All"])[0]
        self.assertEqual(TRACE_HEADER, m["Attributes"]["AWSTraceHeader"])
        self.assertIn("SentTimestamp", m["Attributes"])

    def test_system_attributes_do_not_change_the_attributes_md5(self):
        url = self.create("sysmd5")
        attrs = {"timestamp": {"DataType": "Number", "StringValue": "1493147359900"}}
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}
        plain = self.sqs.send_message(QueueUrl=url, MessageBody="t", MessageAttributes=attrs)
        traced = self.sqs.send_message(QueueUrl=url, MessageBody="t", MessageAttributes=attrs,
                                       MessageSystemAttributes=system)
        self.assertEqual(plain["MD5OfMessageAttributes"], traced["MD5OfMessageAttributes"])
        self.assertNotIn("MD5OfMessageSystemAttributes", plain)
        self.assertEqual("5ae4d5d7636402d80f4eb6d213245a88", traced["MD5OfMessageSystemAttributes"])

    def test_invalid_characters_in_body(self):
        url = self.create("badchars")
        for body in ["nul \x00 here", "bell \x07", "noncharacter \uffff", "\ufffe"]:
            with self.subTest(body=repr(body)):
                self.assertError("InvalidMessageContents", self.sqs.send_message,
                                 QueueUrl=url, MessageBody=body)
        # The allowed set includes tab, LF, CR and everything from #x20 up (but for
        # surrogates and U+FFFE/U+FFFF).
        self.sqs.send_message(QueueUrl=url, MessageBody="\t\n\r \ud7ff\ue000\ufffd\U0010ffff")
        self.assertEqual(0, self.counts(url)[1])

    def test_message_too_large(self):
        url = self.create("large")
        # The default MaximumMessageSize is 1 MiB: 256 KiB + 1 passes, 1 MiB + 1 fails.
        self.sqs.send_message(QueueUrl=url, MessageBody="a" * (262144 + 1))
        self.sqs.send_message(QueueUrl=url, MessageBody="a" * 1048576)
        self.assertError("InvalidParameterValue", self.sqs.send_message,
                         QueueUrl=url, MessageBody="a" * (1048576 + 1))
        small = self.create("small", attributes={"MaximumMessageSize": "1024"})
        self.sqs.send_message(QueueUrl=small, MessageBody="b" * 1024)
        self.assertError("InvalidParameterValue", self.sqs.send_message,
                         QueueUrl=small, MessageBody="b" * 1025)
        # Attribute names, types and values count towards the size.
        self.assertError(
            "InvalidParameterValue", self.sqs.send_message, QueueUrl=small,
            MessageBody="b" * 1000,
            MessageAttributes={"attr": {"DataType": "String", "StringValue": "v" * 100}},
        )

    def test_messages_of_missing_queue(self):
        url = self.create("msgsgone")
        self.sqs.delete_queue(QueueUrl=url)
        code = "AWS.SimpleQueueService.NonExistentQueue"
        self.assertError(code, self.sqs.send_message, QueueUrl=url, MessageBody="x", status=400)
        self.assertError(code, self.sqs.receive_message, QueueUrl=url, status=400)
        self.assertError(code, self.sqs.purge_queue, QueueUrl=url, status=400)

    def test_invalid_receipt_handle(self):
        url = self.create("badhandle")
        self.assertError("ReceiptHandleIsInvalid", self.sqs.delete_message,
                         QueueUrl=url, ReceiptHandle="not-a-receipt-handle")
        self.assertError("ReceiptHandleIsInvalid", self.sqs.change_message_visibility,
                         QueueUrl=url, ReceiptHandle="not-a-receipt-handle", VisibilityTimeout=5)

    def test_receive_parameter_limits(self):
        url = self.create("limits")
        for n in (0, 11):
            with self.subTest(MaxNumberOfMessages=n):
                self.assertError("InvalidParameterValue", self.sqs.receive_message,
                                 QueueUrl=url, MaxNumberOfMessages=n)
        self.assertError("InvalidParameterValue", self.sqs.receive_message,
                         QueueUrl=url, WaitTimeSeconds=21)
        self.assertError("InvalidParameterValue", self.sqs.receive_message,
                         QueueUrl=url, VisibilityTimeout=43201)
        self.assertError("InvalidParameterValue", self.sqs.send_message,
                         QueueUrl=url, MessageBody="x", DelaySeconds=901)


# ---------------------------------------------------------------------------------------
# Message attributes


# Ten attributes, the most one message may carry: every type, custom type suffixes,
# XML-special and non-ASCII values.
ALL_TYPES = {
    "str": {"DataType": "String", "StringValue": "hello"},
    "uni": {"DataType": "String", "StringValue": "\u00fcn\u00efc\u00f8d\u00e9 \u2713"},
    "num": {"DataType": "Number", "StringValue": "-12.5"},
    "int": {"DataType": "Number", "StringValue": "42"},
    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02\xfe\xff"},
    "str.custom": {"DataType": "String.custom-label", "StringValue": "labelled"},
    "num.float": {"DataType": "Number.float", "StringValue": "3.25"},
    "bin.png": {"DataType": "Binary.png", "BinaryValue": bytes(range(256))},
    "xml": {"DataType": "String", "StringValue": "<a>&b;\"c\"</a>"},
    "Upper_Case-1": {"DataType": "String", "StringValue": "case matters"},
}


class TestMessageAttributes(SqsCase):
    def _expect(self, attrs, names):
        return {k: v for k, v in attrs.items() if k in names}

    def _normalise(self, attrs):
        out = {}
        for k, v in attrs.items():
            item = {"DataType": v["DataType"]}
            if "StringValue" in v:
                item["StringValue"] = v["StringValue"]
            if "BinaryValue" in v:
                item["BinaryValue"] = bytes(v["BinaryValue"])
            out[k] = item
        return out

    def test_every_type_and_custom_suffix_round_trips_with_md5(self):
        url = self.create("alltypes")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="typed", MessageAttributes=ALL_TYPES)
        self.assertEqual(md5_of_attributes(ALL_TYPES), sent["MD5OfMessageAttributes"])
        self.assertEqual(md5_hex("typed"), sent["MD5OfMessageBody"])
        m = self.receive(url, MessageAttributeNames=["All"])[0]
        self.assertEqual(self._normalise(ALL_TYPES), self._normalise(m["MessageAttributes"]))
        self.assertEqual(md5_of_attributes(ALL_TYPES), m["MD5OfMessageAttributes"])

    def test_unicode_letters_in_attribute_names(self):
        # Recorded against AWS: "alphanumeric" in attribute names includes non-ASCII
        # letters (the name attr.1\u00f8\u00df\u00e4 is accepted).
        url = self.create("uniname")
        attrs = {"attr.1\u00f8\u00df\u00e4": {"DataType": "String", "StringValue": "Valida"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="test", MessageAttributes=attrs)
        self.assertEqual(md5_of_attributes(attrs), sent["MD5OfMessageAttributes"])
        m = self.receive(url, MessageAttributeNames=["All"])[0]
        self.assertEqual(attrs, m["MessageAttributes"])

    def test_message_attribute_name_filters(self):
        attrs = {
            "General": {"DataType": "String", "StringValue": "Kenobi"},
            "Hello": {"DataType": "String", "StringValue": "There"},
            "Help.Me": {"DataType": "String", "StringValue": "Me"},
        }
        url = self.create("filters", attributes={"VisibilityTimeout": "0"})
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=attrs)
        self.assertEqual(md5_of_attributes(attrs), sent["MD5OfMessageAttributes"])
        cases = [
            ([], {}),
            (["All"], attrs),
            ([".*"], attrs),
            (["*"], attrs),
            (["Foo", "Help"], {}),  # exact names only: "Help" does not match "Help.Me"
            (["Hello", "General"], self._expect(attrs, {"Hello", "General"})),
            (["Foo", "Hello"], self._expect(attrs, {"Hello"})),
            (["Hel.*"], self._expect(attrs, {"Hello", "Help.Me"})),
            (["hello"], {}),  # names are case-sensitive
            (["AWS."], {}),  # illegal names select nothing, without an error
            (["..foo"], {}),
        ]
        for names, expected in cases:
            with self.subTest(filter=names):
                kwargs = {"MessageAttributeNames": names} if names else {}
                msgs = self.receive(url, **kwargs)
                self.assertEqual(1, len(msgs))
                m = msgs[0]
                self.assertEqual(self._normalise(expected),
                                 self._normalise(m.get("MessageAttributes", {})))
                if expected:
                    self.assertEqual(md5_of_attributes(expected), m["MD5OfMessageAttributes"])
                else:
                    self.assertNotIn("MD5OfMessageAttributes", m)

    def test_invalid_message_attributes(self):
        url = self.create("badattrs")
        cases = {
            "empty string value": {"a": {"DataType": "String", "StringValue": ""}},
            "not a number": {"a": {"DataType": "Number", "StringValue": "twelve"}},
            "unknown type": {"a": {"DataType": "Date", "StringValue": "2024-01-01"}},
            "reserved AWS. prefix": {"AWS.x": {"DataType": "String", "StringValue": "v"}},
            "reserved Amazon. prefix": {"Amazon.x": {"DataType": "String", "StringValue": "v"}},
            "starts with dot": {".a": {"DataType": "String", "StringValue": "v"}},
            "consecutive dots": {"a..b": {"DataType": "String", "StringValue": "v"}},
            "invalid character in name": {"a!b": {"DataType": "String", "StringValue": "v"}},
            "ends with dot": {"a.": {"DataType": "String", "StringValue": "v"}},
            "name longer than 256": {"n" * 257: {"DataType": "String", "StringValue": "v"}},
            "type longer than 256": {"a": {"DataType": "Number." + "L" * 256, "StringValue": "1"}},
            "control characters in a string value": {
                "a": {"DataType": "String", "StringValue": "bad \x08 and \x0b"}},
            "binary type with string value": {"a": {"DataType": "Binary", "StringValue": "v"}},
            "eleven attributes": {
                f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)
            },
        }
        for label, attrs in cases.items():
            with self.subTest(case=label):
                self.assertError("InvalidParameterValue", self.sqs.send_message,
                                 QueueUrl=url, MessageBody="x", MessageAttributes=attrs)
        self.assertEqual((0, 0, 0), self.counts(url))
        ten = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(10)}
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ten)


# ---------------------------------------------------------------------------------------
# Visibility timeout


class TestVisibility(SqsCase):
    def test_received_message_is_hidden_for_the_visibility_timeout(self):
        url = self.create("vis")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        first = self.receive(url)[0]
        self.assertEqual([], self.receive(url))
        advance(29)
        self.assertEqual([], self.receive(url))
        advance(2)
        again = self.receive(url, AttributeNames=["ApproximateReceiveCount"])[0]
        self.assertEqual(first["MessageId"], again["MessageId"])
        self.assertNotEqual(first["ReceiptHandle"], again["ReceiptHandle"])
        self.assertEqual("2", again["Attributes"]["ApproximateReceiveCount"])

    def test_queue_visibility_timeout_and_receive_override(self):
        url = self.create("visq", attributes={"VisibilityTimeout": "100"})
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        self.receive(url)
        advance(31)
        self.assertEqual([], self.receive(url))
        advance(70)
        self.assertEqual(1, len(self.receive(url, VisibilityTimeout=5)))
        advance(4)
        self.assertEqual([], self.receive(url))
        advance(2)
        self.assertEqual(1, len(self.receive(url)))

    def test_change_message_visibility(self):
        url = self.create("cmv")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url)[0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=100)
        advance(31)
        self.assertEqual([], self.receive(url))
        self.assertEqual((0, 1, 0), self.counts(url))
        advance(70)
        m = self.receive(url)[0]
        # Visibility 0 makes the message visible again at once.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual((1, 0, 0), self.counts(url))
        self.assertEqual(1, len(self.receive(url)))

    def test_change_message_visibility_limits(self):
        url = self.create("cmvlimits")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url)[0]
        self.assertError("InvalidParameterValue", self.sqs.change_message_visibility,
                         QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=43201)

    def test_visibility_cannot_extend_past_twelve_hours_from_receipt(self):
        # AWS: "If you attempt to set the VisibilityTimeout to a value greater than the
        # maximum time left, Amazon SQS returns an error" (12 hours from the receive).
        url = self.create("cmv12h")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url, VisibilityTimeout=43200)[0]
        advance(43000)
        self.assertError("InvalidParameterValue", self.sqs.change_message_visibility,
                         QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=300)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=100)

    def test_old_receipt_handle_still_deletes_after_the_timeout(self):
        # Recorded against AWS (standard queue): a handle whose visibility timeout
        # expired, the message not received again, still deletes it.
        url = self.create("oldhandle")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url, VisibilityTimeout=1)[0]
        advance(2)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual((0, 0, 0), self.counts(url))

    def test_stale_receipt_handle_can_still_change_visibility(self):
        # Recorded against AWS (standard queue): after a second receive, the first
        # receipt handle can still end the message's visibility timeout.
        url = self.create("stalehandle")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        first = self.receive(url, VisibilityTimeout=0)[0]
        self.assertEqual(1, len(self.receive(url, VisibilityTimeout=300)))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual(["m"], [m["Body"] for m in self.receive(url)])

    def test_change_visibility_of_a_deleted_message(self):
        url = self.create("cmvdeleted")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        handle = self.receive(url)[0]["ReceiptHandle"]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=42)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        err = self.assertError("InvalidParameterValue", self.sqs.change_message_visibility,
                               QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=42)
        self.assertEqual(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
            "exist or is not available for visibility timeout change.",
            err.response["Error"]["Message"],
        )

    def test_delete_with_receipt_handle_of_in_flight_message(self):
        url = self.create("delinflight")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url)[0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual((0, 0, 0), self.counts(url))
        # Deleting an already deleted message with a well-formed handle succeeds.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


# ---------------------------------------------------------------------------------------
# Delays


class TestDelay(SqsCase):
    def test_queue_delay(self):
        url = self.create("qdelay", attributes={"DelaySeconds": "10"})
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        self.assertEqual([], self.receive(url))
        self.assertEqual((0, 0, 1), self.counts(url))
        advance(9)
        self.assertEqual([], self.receive(url))
        advance(2)
        self.assertEqual(["later"], [m["Body"] for m in self.receive(url)])

    def test_message_delay_overrides_queue_delay(self):
        url = self.create("mdelay", attributes={"DelaySeconds": "10"})
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        self.sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=3)
        self.assertEqual(["now"], [m["Body"] for m in self.receive(url)])
        advance(4)
        self.assertEqual(["soon"], [m["Body"] for m in self.receive(url)])


# ---------------------------------------------------------------------------------------
# Long polling


class _Receiver(threading.Thread):
    """Runs one ReceiveMessage on its own client and records the outcome."""

    def __init__(self, url, **kwargs):
        super().__init__(daemon=True)
        self.client = make_client()
        self.url = url
        self.kwargs = kwargs
        self.messages = None
        self.error = None
        self.finished_at = None
        # Set when botocore hands the request to the socket, so a test knows the
        # receive has left before it moves the clock.
        self.sent = threading.Event()
        self.client.meta.events.register(
            "before-send.sqs.ReceiveMessage", lambda **kw: self.sent.set()
        )

    def run(self):
        try:
            resp = self.client.receive_message(QueueUrl=self.url, **self.kwargs)
            self.messages = resp.get("Messages", [])
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
        self.finished_at = time.monotonic()


class TestLongPolling(SqsCase):
    def _park(self, url, **kwargs):
        r = _Receiver(url, **kwargs)
        r.start()
        self.assertTrue(r.sent.wait(10), "the receive was never sent")
        time.sleep(0.2)  # let the server take it and park it
        self.assertTrue(r.is_alive(), "the receive should be parked waiting for messages")
        return r

    def _joined(self, r, timeout=5.0):
        r.join(timeout)
        self.assertFalse(r.is_alive(), "the parked receive did not return")
        if r.error:
            raise r.error
        return r.messages

    def test_parked_receive_returns_when_a_message_is_sent(self):
        url = self.create("lp")
        r = self._park(url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        sent_at = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        msgs = self._joined(r)
        self.assertEqual(["wake up"], [m["Body"] for m in msgs])
        self.assertLess(r.finished_at - sent_at, 2.0)

    def test_receive_with_nothing_returns_empty_after_the_wait(self):
        url = self.create("lpempty")
        r = self._park(url, WaitTimeSeconds=20)
        advance(19)
        time.sleep(0.2)
        self.assertTrue(r.is_alive(), "returned before WaitTimeSeconds elapsed")
        advance(2)
        self.assertEqual([], self._joined(r))

    def test_queue_receive_wait_time_is_the_default_wait(self):
        url = self.create("lpqueue", attributes={"ReceiveMessageWaitTimeSeconds": "20"})
        r = self._park(url)
        advance(21)
        self.assertEqual([], self._joined(r))

    def test_wait_time_zero_overrides_queue_wait(self):
        url = self.create("lpzero", attributes={"ReceiveMessageWaitTimeSeconds": "20"})
        r = _Receiver(url, WaitTimeSeconds=0)
        r.start()
        self.assertEqual([], self._joined(r, timeout=3.0))

    def test_delayed_message_wakes_a_parked_receive(self):
        url = self.create("lpdelay")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=5)
        r = self._park(url, WaitTimeSeconds=20)
        advance(6)
        self.assertEqual(["delayed"], [m["Body"] for m in self._joined(r)])

    def test_visibility_expiry_wakes_a_parked_receive(self):
        url = self.create("lpvis")
        self.sqs.send_message(QueueUrl=url, MessageBody="retry me")
        self.receive(url, VisibilityTimeout=5)
        r = self._park(url, WaitTimeSeconds=20)
        advance(6)  # visible again long before the 20 s wait ends
        self.assertEqual(["retry me"], [m["Body"] for m in self._joined(r)])


# ---------------------------------------------------------------------------------------
# Batches


class TestBatches(SqsCase):
    def test_send_batch(self):
        url = self.create("batch")
        attrs = {"k": {"DataType": "String", "StringValue": "v"}}
        entries = [
            {"Id": "a", "MessageBody": "one", "MessageAttributes": attrs},
            {"Id": "b", "MessageBody": "two"},
            {"Id": "c_3", "MessageBody": "three", "DelaySeconds": 5},
        ]
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual([], resp.get("Failed", []))
        ok = {e["Id"]: e for e in resp["Successful"]}
        self.assertEqual({"a", "b", "c_3"}, set(ok))
        self.assertEqual(md5_hex("one"), ok["a"]["MD5OfMessageBody"])
        self.assertEqual(md5_of_attributes(attrs), ok["a"]["MD5OfMessageAttributes"])
        self.assertNotIn("MD5OfMessageAttributes", ok["b"])
        got = self.receive_all(url, 2, MessageAttributeNames=["All"])
        self.assertEqual({"one", "two"}, {m["Body"] for m in got})
        self.assertEqual({ok["a"]["MessageId"], ok["b"]["MessageId"]}, {m["MessageId"] for m in got})
        advance(6)
        self.assertEqual(["three"], [m["Body"] for m in self.receive(url)])

    def test_send_batch_partial_failure(self):
        url = self.create("batchpartial")
        resp = self.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "good1", "MessageBody": "fine"},
                {"Id": "bad", "MessageBody": "control \x01 character"},
                {"Id": "good2", "MessageBody": "also fine"},
            ],
        )
        self.assertEqual({"good1", "good2"}, {e["Id"] for e in resp["Successful"]})
        failed = resp.get("Failed", [])
        self.assertEqual(1, len(failed))
        self.assertEqual("bad", failed[0]["Id"])
        self.assertEqual("InvalidMessageContents", failed[0]["Code"])
        self.assertTrue(failed[0]["SenderFault"])
        self.assertEqual(2, self.counts(url)[0])

    def test_batch_level_errors(self):
        url = self.create("batcherr")
        e = lambda i, body="x": {"Id": str(i), "MessageBody": body}  # noqa: E731
        self.assertError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                         self.sqs.send_message_batch, QueueUrl=url, Entries=[e(1), e(1)])
        self.assertError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                         self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[e(i) for i in range(11)])
        self.assertError("AWS.SimpleQueueService.EmptyBatchRequest",
                         self.sqs.send_message_batch, QueueUrl=url, Entries=[])
        for bad_id in ["bad:id", "x" * 81, "has space"]:
            with self.subTest(id=bad_id):
                self.assertError("AWS.SimpleQueueService.InvalidBatchEntryId",
                                 self.sqs.send_message_batch, QueueUrl=url,
                                 Entries=[{"Id": bad_id, "MessageBody": "x"}])
        # Each message is under 1 MiB but together they exceed it.
        big = "y" * (600 * 1024)
        self.assertError("AWS.SimpleQueueService.BatchRequestTooLong",
                         self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[e(1, big), e(2, big)])
        self.assertEqual((0, 0, 0), self.counts(url))
        self.assertError("AWS.SimpleQueueService.EmptyBatchRequest",
                         self.sqs.delete_message_batch, QueueUrl=url, Entries=[])
        self.assertError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                         self.sqs.delete_message_batch, QueueUrl=url,
                         Entries=[{"Id": str(i), "ReceiptHandle": f"h{i}"} for i in range(11)])
        self.assertError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                         self.sqs.change_message_visibility_batch, QueueUrl=url,
                         Entries=[{"Id": "1", "ReceiptHandle": "h1", "VisibilityTimeout": 1},
                                  {"Id": "1", "ReceiptHandle": "h2", "VisibilityTimeout": 1}])

    def test_delete_batch_with_partial_failure(self):
        url = self.create("delbatch")
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        msgs = self.receive_all(url, 2)
        self.assertEqual(2, len(msgs))
        resp = self.sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)]
            + [{"Id": "junk", "ReceiptHandle": "not-a-receipt-handle"}],
        )
        self.assertEqual({"m0", "m1"}, {e["Id"] for e in resp["Successful"]})
        failed = resp.get("Failed", [])
        self.assertEqual(["junk"], [f["Id"] for f in failed])
        self.assertEqual("ReceiptHandleIsInvalid", failed[0]["Code"])
        self.assertTrue(failed[0]["SenderFault"])
        self.assertEqual((0, 0, 0), self.counts(url))

    def test_change_visibility_batch(self):
        url = self.create("cmvbatch")
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        msgs = self.receive_all(url, 2)
        resp = self.sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "zero", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
                {"Id": "long", "ReceiptHandle": msgs[1]["ReceiptHandle"], "VisibilityTimeout": 300},
                {"Id": "junk", "ReceiptHandle": "not-a-receipt-handle", "VisibilityTimeout": 0},
            ],
        )
        self.assertEqual({"zero", "long"}, {e["Id"] for e in resp["Successful"]})
        failed = resp.get("Failed", [])
        self.assertEqual(["junk"], [f["Id"] for f in failed])
        self.assertEqual("ReceiptHandleIsInvalid", failed[0]["Code"])
        visible = self.receive(url)
        self.assertEqual([msgs[0]["Body"]], [m["Body"] for m in visible])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=visible[0]["ReceiptHandle"])
        advance(31)
        self.assertEqual([], self.receive(url))
        advance(300)
        self.assertEqual([msgs[1]["Body"]], [m["Body"] for m in self.receive(url)])


# ---------------------------------------------------------------------------------------
# PurgeQueue


class TestPurge(SqsCase):
    def test_purge_removes_visible_and_in_flight_messages(self):
        url = self.create("purge")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        self.receive(url, MaxNumberOfMessages=1)
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual((0, 0, 0), self.counts(url))
        advance(31)
        self.assertEqual([], self.receive(url))

    def test_purge_removes_delayed_messages_and_keeps_later_sends(self):
        url = self.create("purgedelay")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"old-{i}", DelaySeconds=2)
        self.sqs.purge_queue(QueueUrl=url)
        advance(3)
        self.assertEqual([], self.receive(url))
        # Recorded against AWS: messages sent right after the purge are delivered.
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"new-{i}")
        self.assertEqual({"new-0", "new-1", "new-2"}, {m["Body"] for m in self.receive_all(url, 3)})

    def test_purge_clears_the_fifo_deduplication_window(self):
        url = self.create("purgefifo", fifo=True)
        self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g",
                              MessageDeduplicationId="same")
        self.sqs.purge_queue(QueueUrl=url)
        self.sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g",
                              MessageDeduplicationId="same")
        self.assertEqual(["two"], [m["Body"] for m in self.receive(url)])

    def test_one_purge_per_sixty_seconds(self):
        url = self.create("purgetwice")
        self.sqs.purge_queue(QueueUrl=url)
        self.assertError("AWS.SimpleQueueService.PurgeQueueInProgress", self.sqs.purge_queue,
                         QueueUrl=url, status=403)
        advance(61)
        self.sqs.purge_queue(QueueUrl=url)
