"""Crash safety with --data-dir: SIGKILL under load, restart, check every acknowledged effect.

Each cycle starts sluice on the same data directory, drives concurrent load for a random
0.3-1.5 s (SQS sends, receives, deletes and visibility changes; SNS publishes fanned out
to a queue; Step Functions executions), kills the server with SIGKILL at that random
moment, restarts it, and checks against the workers' own ledger:

- every acknowledged SendMessage is still there, unless a delete of it was sent;
- no acknowledged DeleteMessage comes back;
- a message whose visibility was extended by 10 minutes (acknowledged) is still invisible;
- FIFO: each acknowledged message is there once at the first check after its send (that
  check then consumes the queue), and a consumed one does not come back for 5 minutes
  (bounding what a long run keeps); deduplication ids and sequence numbers survive;
- every acknowledged Publish reaches the subscribed queue (pending deliveries resume);
- every acknowledged StartExecution exists after the restart and, its 1 s Wait done,
  SUCCEEDS (running executions resume).

An effect whose request got no answer (the kill came first) may or may not have
happened; the checks allow both. SLUICE_CRASH_CYCLES sets the number of cycles (CI: 50;
the long run in the README: 1000). Labelled `crash`.
"""
import collections
import http.client
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

from sluice_harness import Server, main

CYCLES = int(os.environ.get("SLUICE_CRASH_CYCLES", "50"))
WORKERS = 4
ACCOUNT = "000000000000"
REGION = "us-east-1"
# Long enough to outlast several cycles (the check wants it held 60 s beyond now), short
# enough that hidden messages do not pile up in the work queue for a whole long run.
HIDE_SECONDS = 600


class Client:
    """Keep-alive HTTP client speaking SQS/SFN JSON and SNS Query."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def close(self):
        self.conn.close()

    def json(self, target, body):
        self.conn.request("POST", "/", json.dumps(body), {
            "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        r = self.conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else {}

    def sqs(self, op, **body):
        return self.json("AmazonSQS." + op, body)

    def sfn(self, op, **body):
        return self.json("AWSStepFunctions." + op, body)

    def sns(self, action, **params):
        params = dict(params, Action=action, Version="2010-03-31")
        self.conn.request("POST", "/", urllib.parse.urlencode(params),
                          {"Content-Type": "application/x-www-form-urlencoded"})
        r = self.conn.getresponse()
        return r.status, r.read().decode()


class Ledger:
    """What the workers saw acknowledged, and what they tried without an answer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = set()            # acknowledged SendMessage bodies
        self.delete_tried = set()    # DeleteMessage sent (acknowledged or not)
        self.deleted = set()         # acknowledged DeleteMessage
        self.hidden = {}             # body -> deadline (s) of an acknowledged 10-minute hide
        self.published = set()       # acknowledged Publish messages
        self.executions = {}         # acknowledged execution ARN -> start time (s)
        self.delayed = {}            # acknowledged sends with a 15-minute delay -> time (s)
        self.fifo = {}               # dedup id -> (MessageId, SequenceNumber, time, group)
        self.fifo_drained = {}       # the same, once checked and consumed
        self.fifo_top = 0            # highest acknowledged sequence number
        self.counts = {"send": 0, "fifo send": 0, "delayed send": 0, "delete": 0, "hide": 0, "publish": 0, "execution": 0,
                       "unanswered": 0}


class Worker(threading.Thread):
    def __init__(self, wid, cycle, port, env, ledger, stop):
        super().__init__(daemon=True)
        self.wid, self.cycle, self.port, self.env, self.ledger, self.stop = (
            wid, cycle, port, env, ledger, stop)
        self.rng = random.Random(cycle * 100 + wid)
        self.n = 0

    def run(self):
        client = Client(self.port)
        try:
            while not self.stop.is_set():
                self.one(client)
        except (OSError, http.client.HTTPException, ValueError):
            # The server was killed mid-request: whatever that request did is unknown.
            with self.ledger.lock:
                self.ledger.counts["unanswered"] += 1
        finally:
            client.close()

    def one(self, c):
        L = self.ledger
        r = self.rng.random()
        self.n += 1
        tag = f"c{self.cycle}-w{self.wid}-{self.n}"
        if r < 0.05:
            body = "fifo-" + tag
            status, out = c.sqs("SendMessage", QueueUrl=self.env["fifo"], MessageBody=body,
                                MessageGroupId=f"g{self.wid}", MessageDeduplicationId=tag)
            if status == 200:
                with L.lock:
                    L.fifo[tag] = (out["MessageId"], int(out["SequenceNumber"]), time.time(),
                                   f"g{self.wid}")
                    L.counts["fifo send"] += 1
        elif r < 0.07:
            body = "delayed-" + tag
            status, _ = c.sqs("SendMessage", QueueUrl=self.env["work"], MessageBody=body,
                              DelaySeconds=900)
            if status == 200:
                with L.lock:
                    L.delayed[body] = time.time()
                    L.counts["delayed send"] += 1
        elif r < 0.40:
            body = "msg-" + tag
            status, _ = c.sqs("SendMessage", QueueUrl=self.env["work"], MessageBody=body)
            if status == 200:
                with L.lock:
                    L.sent.add(body)
                    L.counts["send"] += 1
        elif r < 0.84:
            status, out = c.sqs("ReceiveMessage", QueueUrl=self.env["work"],
                                MaxNumberOfMessages=5, VisibilityTimeout=30)
            for m in out.get("Messages", []) if status == 200 else []:
                if self.rng.random() < 0.8:
                    with L.lock:
                        L.delete_tried.add(m["Body"])
                    s, _ = c.sqs("DeleteMessage", QueueUrl=self.env["work"],
                                 ReceiptHandle=m["ReceiptHandle"])
                    if s == 200:
                        with L.lock:
                            L.deleted.add(m["Body"])
                            L.counts["delete"] += 1
                else:
                    s, _ = c.sqs("ChangeMessageVisibility", QueueUrl=self.env["work"],
                                 ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=HIDE_SECONDS)
                    if s == 200:
                        with L.lock:
                            L.hidden[m["Body"]] = time.time() + HIDE_SECONDS
                            L.counts["hide"] += 1
        elif r < 0.99:
            text = "pub-" + tag
            status, _ = c.sns("Publish", TopicArn=self.env["topic"], Message=text)
            if status == 200:
                with L.lock:
                    L.published.add(text)
                    L.counts["publish"] += 1
        else:
            # 1%: finished STANDARD executions are kept with their history, so their
            # share sets how fast a 1,000-cycle run's data dir (and each restore) grows.
            status, out = c.sfn("StartExecution", stateMachineArn=self.env["machine"],
                                name="x-" + tag, input="{}")
            if status == 200:
                with L.lock:
                    L.executions[out["executionArn"]] = time.time()
                    L.counts["execution"] += 1


def ledger_delayed(ledger):
    """Delayed sends whose 15 minutes have not passed (a long run outlasts the first ones)."""
    with ledger.lock:
        return {body for body, t0 in ledger.delayed.items() if time.time() - t0 < 900 - 30}


def peek(port, url):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/_sluice/sqs/messages?QueueUrl=" + urllib.parse.quote(url, safe=""))
    r = c.getresponse()
    data = json.loads(r.read())
    c.close()
    return data["Messages"]


class CrashSafety(unittest.TestCase):
    def test_sigkill_under_load_loses_no_acknowledged_effect(self):
        started = time.time()
        data = tempfile.mkdtemp(prefix="sluice-crash-")
        ledger = Ledger()
        violations = self.run_cycles(CYCLES, ledger, ["--data-dir", data])
        counts = ledger.counts
        print(f"CRASH HARNESS: {CYCLES} SIGKILL cycles in {time.time() - started:.0f} s; "
              f"acknowledged: {counts['send']} sends, {counts['fifo send']} FIFO sends, "
              f"{counts['delayed send']} delayed sends, {counts['delete']} deletes, "
              f"{counts['hide']} visibility changes, {counts['publish']} publishes, "
              f"{counts['execution']} executions; {counts['unanswered']} requests cut off "
              f"by the kill; violations: {len(violations)}", flush=True)
        self.assertEqual(violations, [], "\n".join(violations[:20]))
        self.assertGreater(counts["send"], 0)
        self.assertGreater(counts["delete"], 0)
        self.assertGreater(counts["publish"], 0)
        self.assertGreater(counts["execution"], 0)

    def test_the_checker_sees_losses(self):
        """The same cycles against a server that keeps nothing (no --data-dir) must be
        reported: otherwise a pass above would mean nothing."""
        ledger = Ledger()
        violations = self.run_cycles(2, ledger, [])
        self.assertTrue(any("acknowledged send lost" in v for v in violations), violations[:5])

    def run_cycles(self, cycles, ledger, args):
        rng = random.Random(20261125)
        env = None
        violations = []
        checked_executions = set()
        started = time.time()
        for cycle in range(cycles):
            if cycle and cycle % 50 == 0 and args:
                # Long runs (SLUICE_CRASH_CYCLES=1000) say how far they are.
                with ledger.lock:
                    counts = dict(ledger.counts)
                print(f"crash harness: cycle {cycle}/{cycles}, {time.time() - started:.0f} s, "
                      f"{counts['send']} sends, {counts['execution']} executions, "
                      f"{len(violations)} violations",
                      file=sys.stderr, flush=True)
            srv = Server(*args, timeout=120)
            try:
                c = Client(srv.port)
                if env is None or not args:
                    env = self.setup_resources(c)
                # Checks of the previous cycle's kill, on the restarted server.
                if cycle > 0:
                    violations += self.check(srv.port, c, env, ledger, checked_executions,
                                             final=False)
                    if violations:
                        c.close()
                        return violations
                c.close()
                stop = threading.Event()
                workers = [Worker(w, cycle, srv.port, env, ledger, stop) for w in range(WORKERS)]
                for w in workers:
                    w.start()
                time.sleep(rng.uniform(0.3, 1.5))
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait()
                stop.set()
                for w in workers:
                    w.join(timeout=15)
                # A server that logged an error (a failed commit...) is a finding too.
                violations += [f"cycle {cycle}: server logged: {line}"
                               for line in srv.log().splitlines() if " error [" in line]
            finally:
                srv.stop()
        if args:
            with Server(*args, timeout=120) as srv:
                c = Client(srv.port)
                violations += self.check(srv.port, c, env, ledger, checked_executions, final=True)
                c.close()
        return violations

    def setup_resources(self, c):
        s, out = c.sqs("CreateQueue", QueueName="crash-work")
        self.assertEqual(s, 200, out)
        work = out["QueueUrl"]
        s, out = c.sqs("CreateQueue", QueueName="crash.fifo", Attributes={"FifoQueue": "true"})
        self.assertEqual(s, 200, out)
        fifo = out["QueueUrl"]
        s, out = c.sqs("CreateQueue", QueueName="crash-fanout")
        self.assertEqual(s, 200, out)
        fanout = out["QueueUrl"]
        s, text = c.sns("CreateTopic", Name="crash-topic")
        self.assertEqual(s, 200, text)
        topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:crash-topic"
        s, text = c.sns("Subscribe", TopicArn=topic, Protocol="sqs",
                        Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:crash-fanout",
                        **{"Attributes.entry.1.key": "RawMessageDelivery",
                           "Attributes.entry.1.value": "true"})
        self.assertEqual(s, 200, text)
        definition = {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Succeed"}}}
        s, out = c.sfn("CreateStateMachine", name="crash-machine",
                       definition=json.dumps(definition),
                       roleArn=f"arn:aws:iam::{ACCOUNT}:role/crash")
        self.assertEqual(s, 200, out)
        return {"work": work, "fifo": fifo, "fanout": fanout, "topic": topic,
                "machine": out["stateMachineArn"]}

    def drain(self, c, url):
        while True:
            s, out = c.sqs("ReceiveMessage", QueueUrl=url, MaxNumberOfMessages=10,
                           VisibilityTimeout=600)
            # A failed receive is not an empty queue: what it did not consume must not be
            # counted as deleted.
            self.assertEqual(s, 200, out)
            messages = out.get("Messages", [])
            if not messages:
                return
            s, out = c.sqs("DeleteMessageBatch", QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
            self.assertEqual((s, out.get("Failed", [])), (200, []), out)

    def check(self, port, c, env, ledger, checked_executions, final):
        v = []
        with ledger.lock:
            sent, delete_tried, deleted = set(ledger.sent), set(ledger.delete_tried), set(ledger.deleted)
            hidden, published = dict(ledger.hidden), set(ledger.published)
            executions = dict(ledger.executions)
        present = {m["Body"]: m["State"] for m in peek(port, env["work"])}
        for body in sent - delete_tried:
            if body not in present:
                v.append(f"acknowledged send lost: {body}")
        for body in deleted:
            if body in present:
                v.append(f"acknowledged delete came back: {body}")
        now = time.time()
        for body, deadline in hidden.items():
            if body in present and body not in delete_tried and deadline > now + 60 and \
                    present[body] != "inflight":
                v.append(f"a message hidden for 10 minutes is {present[body]}: {body}")
        for body in ledger_delayed(ledger):
            if present.get(body) != "delayed":
                v.append(f"a message delayed 15 minutes is {present.get(body, 'gone')}: {body}")
        # FIFO: every acknowledged message is there once, and none that an earlier check
        # consumed (acknowledged deletes) came back; within the 5-minute window a resend
        # with the same deduplication id is a duplicate (same MessageId, nothing added); a
        # new message's sequence number is above every acknowledged one.
        with ledger.lock:
            fifo = dict(ledger.fifo)
            drained = dict(ledger.fifo_drained)
        fifo_bodies = collections.Counter(m["Body"] for m in peek(port, env["fifo"]))
        for tag in fifo:
            if fifo_bodies["fifo-" + tag] != 1:
                v.append(f"FIFO message fifo-{tag} is there {fifo_bodies['fifo-' + tag]} times")
        for tag in drained:
            if fifo_bodies["fifo-" + tag]:
                v.append(f"FIFO message fifo-{tag}, deleted by a check, came back")
        known = {**drained, **fifo}
        recent = [t for t, (_, _, t0, _) in known.items() if time.time() - t0 < 240]
        for tag in random.Random(len(known)).sample(recent, min(10, len(recent))):
            s, out = c.sqs("SendMessage", QueueUrl=env["fifo"], MessageBody="fifo-" + tag,
                           MessageGroupId=known[tag][3], MessageDeduplicationId=tag)
            if s != 200 or out.get("MessageId") != known[tag][0]:
                v.append(f"FIFO dedup id {tag} forgotten: {out} (was {known[tag][0]})")
        if fifo:
            s, out = c.sqs("SendMessage", QueueUrl=env["fifo"], MessageBody="probe",
                           MessageGroupId="probe", MessageDeduplicationId=f"probe-{time.time()}")
            with ledger.lock:
                top = max([ledger.fifo_top] + [seq for _, seq, _, _ in fifo.values()])
            if s != 200 or int(out["SequenceNumber"]) <= top:
                v.append(f"FIFO sequence number went back: {out} after {top}")
            else:
                with ledger.lock:
                    ledger.fifo_top = int(out["SequenceNumber"])
        # Checked: consume the FIFO queue so that long runs do not peek ever more; what was
        # consumed is watched for coming back, and kept 5 minutes for the resend check.
        if not v:
            self.drain(c, env["fifo"])
            with ledger.lock:
                for tag in fifo:
                    ledger.fifo_drained[tag] = ledger.fifo.pop(tag)
                for tag in [t for t, (_, _, t0, _) in ledger.fifo_drained.items()
                            if time.time() - t0 > 300]:
                    del ledger.fifo_drained[tag]
        # Publishes: pending deliveries resume after the restart; give them a moment.
        deadline = time.time() + 10
        while True:
            fanned = {m["Body"] for m in peek(port, env["fanout"])}
            missing = [p for p in published if p not in fanned]
            if not missing or time.time() > deadline:
                break
            time.sleep(0.1)
        v += [f"acknowledged publish never delivered: {p}" for p in missing]
        # Checked: empty the fan-out queue, so that long runs do not peek ever more.
        self.drain(c, env["fanout"])
        with ledger.lock:
            ledger.published -= published
        # Executions: each acknowledged one exists; those started more than 5 s ago (the
        # Wait is 1 s) have succeeded, on the final check all of them.
        pending = {a: t for a, t in executions.items() if a not in checked_executions}
        deadline = time.time() + (15 if final else 0)
        while pending:
            for arn, t0 in list(pending.items()):
                s, out = c.sfn("DescribeExecution", executionArn=arn)
                if s != 200:
                    v.append(f"acknowledged execution missing: {arn}: {out}")
                    del pending[arn]
                elif out["status"] == "SUCCEEDED":
                    checked_executions.add(arn)
                    del pending[arn]
                elif out["status"] != "RUNNING":
                    v.append(f"execution {arn} is {out['status']}")
                    del pending[arn]
                elif not final and time.time() - t0 < 5:
                    del pending[arn]  # young: checked again after the next kill
            if not pending or time.time() > deadline:
                break
            time.sleep(0.2)
        if final:
            v += [f"execution never finished after restarts: {a}" for a in pending]
        return v


if __name__ == "__main__":
    main()
