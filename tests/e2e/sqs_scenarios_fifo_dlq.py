"""SQS scenarios: FIFO queues (group order, group locking, deduplication, sequence
numbers), dead-letter queues and message move tasks. Part of the scenario list in
sqs_scenarios.py (run under both boto3 generations)."""
import hashlib
import json
import time

from sqs_support import (
    DEFAULT_ACCOUNT,
    REGION,
    MoveTasks,
    SqsCase,
    advance,
    md5_of_attributes,
    unique,
)


# ---------------------------------------------------------------------------------------
# FIFO


class TestFifo(SqsCase):
    def send(self, url, body, group, dedup=None, **kwargs):
        params = {"QueueUrl": url, "MessageBody": body, "MessageGroupId": group}
        if dedup is not None:
            params["MessageDeduplicationId"] = dedup
        params.update(kwargs)
        return self.sqs.send_message(**params)

    def test_order_within_group_and_sequence_numbers(self):
        url = self.create("order", fifo=True)
        sent = [self.send(url, f"m{i}", "g", dedup=f"d{i}") for i in range(5)]
        seqs = [int(s["SequenceNumber"]) for s in sent]
        self.assertEqual(sorted(seqs), seqs)
        self.assertEqual(len(set(seqs)), len(seqs))
        got = self.receive_all(url, 5, AttributeNames=["All"])
        self.assertEqual([f"m{i}" for i in range(5)], [m["Body"] for m in got])
        for s, m in zip(sent, got):
            self.assertEqual(s["MessageId"], m["MessageId"])
            self.assertEqual(s["SequenceNumber"], m["Attributes"]["SequenceNumber"])
            self.assertEqual("g", m["Attributes"]["MessageGroupId"])
        self.assertEqual("d0", got[0]["Attributes"]["MessageDeduplicationId"])

    def test_group_is_locked_while_a_message_is_in_flight(self):
        url = self.create("lock", fifo=True)
        for i in range(3):
            self.send(url, f"a{i}", "A", dedup=f"a{i}")
        self.send(url, "b0", "B", dedup="b0")
        first = self.receive(url, MaxNumberOfMessages=1, AttributeNames=["MessageGroupId"])[0]
        group = first["Attributes"]["MessageGroupId"]
        other = "B" if group == "A" else "A"
        self.assertEqual(f"{group.lower()}0", first["Body"])
        more = self.receive_all(url, 3, AttributeNames=["MessageGroupId"])
        groups = [m["Attributes"]["MessageGroupId"] for m in more]
        self.assertNotIn(group, groups, "a message of the in-flight group was delivered")
        self.assertIn(f"{other.lower()}0", [m["Body"] for m in more])
        # When the visibility timeout expires, the same head message comes back first.
        advance(31)
        again = self.receive_all(url, 4, AttributeNames=["MessageGroupId"])
        bodies_of_group = [m["Body"] for m in again if m["Attributes"]["MessageGroupId"] == group]
        self.assertTrue(bodies_of_group, "the group did not unlock after the timeout")
        self.assertEqual(first["Body"], bodies_of_group[0])

    def test_receive_returns_a_group_together_in_order(self):
        # Recorded against AWS: even with another group's message sent in between, a
        # receive returns the first group's messages in order, then the next group.
        url = self.create("together", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        for body, group in [("g1-m1", "g1"), ("g2-m1", "g2"), ("g1-m2", "g1"), ("g1-m3", "g1")]:
            self.send(url, body, group)
        msgs = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(["g1-m1", "g1-m2", "g1-m3", "g2-m1"], [m["Body"] for m in msgs])

    def test_whole_group_is_in_flight_after_a_partial_receive(self):
        # Recorded against AWS: receiving 2 of a group's 4 messages locks the group;
        # the next receive serves another group.
        url = self.create("partial", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        for i in range(1, 5):
            self.send(url, f"g1-m{i}", "g1")
        self.send(url, "g2-m1", "g2")
        self.send(url, "g3-m1", "g3")
        first = self.receive(url, MaxNumberOfMessages=2)
        self.assertEqual(["g1-m1", "g1-m2"], [m["Body"] for m in first])
        self.assertEqual(["g2-m1"], [m["Body"] for m in self.receive(url, MaxNumberOfMessages=1)])
        # Deleting only one of the two in-flight messages keeps group 1 locked.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
        self.assertEqual(["g3-m1"], [m["Body"] for m in self.receive(url)])
        # The approximate counts see the in-flight ones as not visible.
        self.assertEqual((2, 3, 0), self.counts(url))

    def test_head_made_visible_again_is_served_while_the_rest_is_in_flight(self):
        # Recorded against AWS: ending the visibility of the group's first message
        # makes it receivable although the second is still in flight.
        url = self.create("headvisible", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        self.send(url, "g1-m1", "g1")
        self.send(url, "g1-m2", "g1")
        self.send(url, "g2-m1", "g2")
        got = self.receive(url, MaxNumberOfMessages=2)
        self.assertEqual(["g1-m1", "g1-m2"], [m["Body"] for m in got])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        again = self.receive(url, MaxNumberOfMessages=3)
        self.assertEqual({"g1-m1", "g2-m1"}, {m["Body"] for m in again})
        self.assertEqual(2, len(again))

    def test_queue_delay_applies_to_fifo_and_keeps_order(self):
        url = self.create("fifodelay", fifo=True,
                          attributes={"ContentBasedDeduplication": "true", "DelaySeconds": "2"})
        for i in range(3):
            self.send(url, f"m{i}", "g")
        # A per-message DelaySeconds of 0 is accepted on a FIFO queue.
        self.send(url, "m3", "g", DelaySeconds=0)
        self.assertEqual([], self.receive(url))
        advance(3)
        self.assertEqual(["m0", "m1", "m2", "m3"], [m["Body"] for m in self.receive_all(url, 4)])

    def test_deleting_the_head_unlocks_the_group(self):
        url = self.create("unlock", fifo=True)
        for i in range(3):
            self.send(url, f"m{i}", "g", dedup=f"d{i}")
        seen = []
        for _ in range(3):
            msgs = self.receive(url, MaxNumberOfMessages=1)
            self.assertEqual(1, len(msgs))
            self.assertEqual([], self.receive(url), "group must stay locked until delete")
            seen.append(msgs[0]["Body"])
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
        self.assertEqual(["m0", "m1", "m2"], seen)

    def test_deduplication_id_window(self):
        # AWS: a message sent with a deduplication id already used in the last 5
        # minutes is accepted but not delivered, even after the first one is deleted.
        url = self.create("dedup", fifo=True)
        first = self.send(url, "one", "g", dedup="same")
        second = self.send(url, "two", "g", dedup="same")
        self.assertTrue(second["MessageId"])
        msgs = self.receive_all(url, 2)
        self.assertEqual(["one"], [m["Body"] for m in msgs])
        self.assertEqual(first["MessageId"], msgs[0]["MessageId"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
        self.send(url, "three", "g", dedup="same")
        self.assertEqual([], self.receive(url))
        advance(299)
        self.assertEqual([], self.receive(url))
        advance(2)
        self.send(url, "four", "g", dedup="same")
        self.assertEqual(["four"], [m["Body"] for m in self.receive(url)])

    def test_dedup_is_per_queue_not_per_group(self):
        url = self.create("dedupgroups", fifo=True)
        self.send(url, "x", "g1", dedup="d")
        self.send(url, "y", "g2", dedup="d")
        self.assertEqual(["x"], [m["Body"] for m in self.receive_all(url, 2)])

    def test_content_based_deduplication(self):
        url = self.create("cbd", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        self.send(url, "body", "g")
        self.send(url, "body", "g")
        self.send(url, "other body", "g")
        msgs = self.receive_all(url, 3)
        self.assertEqual(["body", "other body"], [m["Body"] for m in msgs])
        for m in msgs:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # An explicit id overrides the content hash.
        self.send(url, "body", "g", dedup="explicit")
        self.assertEqual(["body"], [m["Body"] for m in self.receive_all(url, 1)])

    def test_content_based_id_is_the_sha256_of_the_body(self):
        # AWS: with ContentBasedDeduplication the generated MessageDeduplicationId is a
        # SHA-256 of the body; an explicit id equal to it is a duplicate, and the id is
        # available to the consumer.
        url = self.create("cbdhash", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        digest = hashlib.sha256(b"payload").hexdigest()
        self.send(url, "payload", "g")
        self.send(url, "different body", "g", dedup=digest)
        msgs = self.receive_all(url, 2, AttributeNames=["MessageDeduplicationId"])
        self.assertEqual(["payload"], [m["Body"] for m in msgs])
        self.assertEqual(digest, msgs[0]["Attributes"]["MessageDeduplicationId"])

    def test_deduplication_scope_message_group(self):
        # High-throughput FIFO: with DeduplicationScope=messageGroup the same
        # deduplication id in two groups is two messages.
        url = self.create("dedupscope", fifo=True, attributes={
            "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
        a = self.attrs(url, "DeduplicationScope", "FifoThroughputLimit")
        self.assertEqual({"DeduplicationScope": "messageGroup",
                          "FifoThroughputLimit": "perMessageGroupId"}, a)
        self.send(url, "x", "g1", dedup="d")
        self.send(url, "y", "g2", dedup="d")
        self.send(url, "z", "g2", dedup="d")
        self.assertEqual({"x", "y"}, {m["Body"] for m in self.receive_all(url, 3)})

    def test_receive_request_attempt_id_returns_the_same_messages(self):
        # AWS: "During a visibility timeout, subsequent calls with the same
        # ReceiveRequestAttemptId return the same messages and receipt handles."
        url = self.create("attempt", fifo=True)
        for i in range(2):
            self.send(url, f"m{i}", "g", dedup=f"d{i}")
        first = self.receive(url, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual(["m0", "m1"], [m["Body"] for m in first])
        retry = self.receive(url, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual([(m["MessageId"], m["ReceiptHandle"]) for m in first],
                         [(m["MessageId"], m["ReceiptHandle"]) for m in retry])
        self.assertEqual([], self.receive(url, ReceiveRequestAttemptId="attempt-2"))

    def test_group_and_deduplication_id_syntax(self):
        url = self.create("fifoids", fifo=True)
        # Model docs: a-z, A-Z, 0-9 and ASCII punctuation, up to 128 characters.
        punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        self.send(url, "ok", "G-1" + punct, dedup=punct + "x" * (128 - len(punct)))
        for group, dedup in [("has space", "d1"), ("g" * 129, "d2"), ("g", "has space"),
                             ("g", "d" * 129), ("g", "\u00e9t\u00e9")]:
            with self.subTest(group=group[:20], dedup=dedup[:20]):
                self.assertError("InvalidParameterValue", self.send, url, "x", group, dedup=dedup)

    def test_fifo_batch_needs_group_and_deduplication(self):
        url = self.create("fifobatcherr", fifo=True)
        valid = {"Id": "ok", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d0"}
        # Recorded against AWS: an entry without MessageGroupId, or without a
        # deduplication id on a queue without content-based deduplication, fails the
        # whole request (InvalidParameterValue), valid entries included.
        self.assertError("InvalidParameterValue", self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[valid, {"Id": "1", "MessageBody": "x",
                                          "MessageDeduplicationId": "d1"}])
        self.assertError("InvalidParameterValue", self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[valid, {"Id": "1", "MessageBody": "x", "MessageGroupId": "g"}])
        self.assertEqual((0, 0, 0), self.counts(url))

    def test_fifo_dead_letter_queue_keeps_order(self):
        dlq = self.create("fifodlq-dead", fifo=True)
        src = self.create("fifodlq-src", fifo=True, attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 1})})
        for i in range(3):
            self.send(src, f"m{i}", "g", dedup=f"d{i}")
        self.assertEqual(["m0", "m1", "m2"], [m["Body"] for m in self.receive_all(src, 3)])
        advance(31)
        self.assertEqual([], self.receive_all(src, 3))
        dead = self.receive_all(dlq, 3, AttributeNames=["MessageGroupId"])
        self.assertEqual(["m0", "m1", "m2"], [m["Body"] for m in dead])
        self.assertEqual({"g"}, {m["Attributes"]["MessageGroupId"] for m in dead})

    def test_fifo_send_errors(self):
        url = self.create("fifoerr", fifo=True)
        self.assertError("MissingParameter", self.sqs.send_message,
                         QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
        self.assertError("InvalidParameterValue", self.sqs.send_message,
                         QueueUrl=url, MessageBody="x", MessageGroupId="g")
        self.assertError("InvalidParameterValue", self.sqs.send_message,
                         QueueUrl=url, MessageBody="x", MessageGroupId="g",
                         MessageDeduplicationId="d", DelaySeconds=2)
        self.assertEqual((0, 0, 0), self.counts(url))

    def test_fifo_batch_keeps_order(self):
        url = self.create("fifobatch", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        resp = self.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"b{i}", "MessageGroupId": "g"} for i in range(5)],
        )
        self.assertEqual([], resp.get("Failed", []))
        seqs = {e["Id"]: int(e["SequenceNumber"]) for e in resp["Successful"]}
        self.assertEqual(sorted(seqs.values()), [seqs[str(i)] for i in range(5)])
        self.assertEqual([f"b{i}" for i in range(5)], [m["Body"] for m in self.receive_all(url, 5)])

    def test_expired_receipt_handle_cannot_delete(self):
        # Recorded against AWS: on a FIFO queue a receipt handle whose visibility
        # timeout expired is refused (InvalidParameterValue, "The receipt handle has
        # expired").
        url = self.create("fifoexpired", fifo=True)
        self.send(url, "m", "g", dedup="d")
        m = self.receive(url)[0]
        advance(31)
        self.assertError("InvalidParameterValue", self.sqs.delete_message,
                         QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


# ---------------------------------------------------------------------------------------
# Dead-letter queues and message move tasks


class TestDeadLetter(SqsCase):
    def make_pair(self, max_receive=2, prefix="dlq"):
        dlq = self.create(prefix + "-dead")
        dlq_arn = self.arn(dlq)
        src = self.create(
            prefix + "-src",
            attributes={"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})},
        )
        return src, dlq, dlq_arn

    def test_redrive_after_max_receive_count(self):
        src, dlq, dlq_arn = self.make_pair(max_receive=2)
        policy = json.loads(self.attrs(src, "RedrivePolicy")["RedrivePolicy"])
        self.assertEqual(dlq_arn, policy["deadLetterTargetArn"])
        self.assertEqual(2, policy["maxReceiveCount"])  # a JSON number, as AWS returns it
        attrs = {"k": {"DataType": "String", "StringValue": "v"}}
        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison", MessageAttributes=attrs)
        sent_ts = None
        for _ in range(2):
            got = self.receive(src, AttributeNames=["SentTimestamp"])
            self.assertEqual(1, len(got))
            sent_ts = got[0]["Attributes"]["SentTimestamp"]
            advance(31)
        self.assertEqual([], self.receive(src))
        self.assertEqual((0, 0, 0), self.counts(src))
        dead = self.receive(dlq, MessageAttributeNames=["All"], AttributeNames=["SentTimestamp"])
        self.assertEqual(1, len(dead))
        self.assertEqual(sent["MessageId"], dead[0]["MessageId"])
        self.assertEqual("poison", dead[0]["Body"])
        self.assertEqual(md5_of_attributes(attrs), dead[0]["MD5OfMessageAttributes"])
        # AWS: for standard queues the enqueue timestamp is unchanged by the move.
        self.assertEqual(sent_ts, dead[0]["Attributes"]["SentTimestamp"])

    def test_list_dead_letter_source_queues(self):
        src, dlq, dlq_arn = self.make_pair(prefix="lds")
        src2 = self.create("lds-src2")
        self.sqs.set_queue_attributes(QueueUrl=src2, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
        self.create("lds-unrelated")
        resp = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)
        self.assertEqual(sorted([src, src2]), sorted(resp.get("queueUrls", [])))
        page = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
        self.assertEqual(1, len(page["queueUrls"]))
        self.assertIn("NextToken", page)
        rest = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1,
                                                       NextToken=page["NextToken"])
        self.assertEqual(sorted([src, src2]), sorted(page["queueUrls"] + rest["queueUrls"]))
        self.assertEqual([], self.sqs.list_dead_letter_source_queues(QueueUrl=src).get("queueUrls", []))

    def test_redrive_allow_policy(self):
        dlq = self.create("allow-dead")
        src = self.create("allow-src")
        policy = {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn(src)]}
        self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(policy)})
        got = json.loads(self.attrs(dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"])
        self.assertEqual(policy, got)

    def test_invalid_redrive_policy(self):
        self.assertError(
            "InvalidParameterValue", self.sqs.create_queue, QueueName=unique("badredrive"),
            Attributes={"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42})},
        )


class TestMoveTasks(SqsCase):
    def setUp(self):
        super().setUp()
        self.tasks = MoveTasks(self.sqs)

    def _fill_dlq(self, n, prefix="move"):
        dlq = self.create(prefix + "-dead")
        dlq_arn = self.arn(dlq)
        src = self.create(prefix + "-src", attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})
        for i in range(n):
            self.sqs.send_message(QueueUrl=src, MessageBody=f"m{i}")
        self.assertEqual(n, len(self.receive_all(src, n)))
        advance(31)
        self.assertEqual([], self.receive(src))  # this receive moves them to the DLQ
        self.assertEqual(n, self.counts(dlq)[0])
        return src, dlq, dlq_arn

    def _wait_status(self, source_arn, status, rounds=60):
        for _ in range(rounds):
            results = self.tasks.list(SourceArn=source_arn).get("Results", [])
            if results and results[0]["Status"] == status:
                return results[0]
            advance(1)
            time.sleep(0.01)
        self.fail(f"move task did not reach {status}: {results}")

    def test_redrive_back_to_the_original_source(self):
        src, dlq, dlq_arn = self._fill_dlq(2)
        handle = self.tasks.start(SourceArn=dlq_arn)["TaskHandle"]
        self.assertTrue(handle)
        done = self._wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(dlq_arn, done["SourceArn"])
        self.assertEqual(2, done["ApproximateNumberOfMessagesMoved"])
        self.assertEqual(2, done["ApproximateNumberOfMessagesToMove"])
        self.assertNotIn("TaskHandle", done)  # only running tasks carry a handle
        self.assertEqual({"m0", "m1"}, {m["Body"] for m in self.receive_all(src, 2)})
        self.assertEqual((0, 0, 0), self.counts(dlq))

    def test_redrive_to_explicit_destination(self):
        src, dlq, dlq_arn = self._fill_dlq(2, prefix="movedest")
        dest = self.create("movedest-target")
        dest_arn = self.arn(dest)
        self.tasks.start(SourceArn=dlq_arn, DestinationArn=dest_arn)
        done = self._wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(dest_arn, done["DestinationArn"])
        self.assertEqual({"m0", "m1"}, {m["Body"] for m in self.receive_all(dest, 2)})
        self.assertEqual([], self.receive(src))

    def test_running_task_blocks_a_second_one_and_can_be_cancelled(self):
        src, dlq, dlq_arn = self._fill_dlq(5, prefix="movecancel")
        handle = self.tasks.start(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        running = self.tasks.list(SourceArn=dlq_arn)["Results"][0]
        self.assertEqual("RUNNING", running["Status"])
        self.assertEqual(handle, running["TaskHandle"])
        self.assertEqual(1, running["MaxNumberOfMessagesPerSecond"])
        self.assertError("InvalidParameterValue", self.tasks.start, SourceArn=dlq_arn)
        moved = self.tasks.cancel(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
        self.assertLess(moved, 5)
        status = self.tasks.list(SourceArn=dlq_arn)["Results"][0]["Status"]
        self.assertIn(status, ("CANCELLING", "CANCELLED"))

    def test_move_task_errors(self):
        plain = self.create("moveplain")
        self.assertError("InvalidParameterValue", self.tasks.start, SourceArn=self.arn(plain))
        src, dlq, dlq_arn = self._fill_dlq(1, prefix="moveerr")
        missing = f"arn:aws:sqs:{REGION}:{DEFAULT_ACCOUNT}:{unique('nope')}"
        self.assertError("ResourceNotFoundException", self.tasks.start,
                         SourceArn=dlq_arn, DestinationArn=missing, status=404)
        self.assertError("InvalidParameterValue", self.tasks.cancel, TaskHandle="garbage")
