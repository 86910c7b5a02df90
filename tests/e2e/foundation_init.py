"""Declarative init files (--init FILE|DIR, docs/init.md), checked with boto3.

Queues (attributes, tags, dead-letter queues declared in any order), topics with
subscriptions (filter policies, raw delivery), activities and state machines (inline and
from a file) exist before the port opens; a directory of files is applied in name order;
a bad file stops the server before it listens, with a message naming the file and the
place; re-applying to a data dir brings resources to the file's state.
"""
import json
import os
import subprocess
import tempfile
import time
import unittest

from sluice_harness import Server, boto3_client, main, sluice_bin

FULL = {
    "queues": [
        # The source queue comes first: its dead-letter queue must still be made before it.
        {"name": "orders", "attributes": {"VisibilityTimeout": 45, "DelaySeconds": "0"},
         "tags": {"team": "shop"}, "dead_letter_queue": "orders-dlq", "max_receive_count": 3},
        {"name": "orders-dlq", "attributes": {"MessageRetentionPeriod": 1209600}},
        {"name": "events.fifo", "attributes": {"FifoQueue": True,
                                               "ContentBasedDeduplication": True}},
    ],
    "topics": [
        {"name": "order-events", "tags": {"team": "shop"},
         "subscriptions": [
             {"protocol": "sqs", "queue": "orders", "raw_message_delivery": True,
              "filter_policy": {"kind": ["created"]}},
         ]},
    ],
    "activities": [{"name": "approve", "tags": {"team": "shop"}}],
    "state_machines": [
        {"name": "inline", "type": "EXPRESS",
         "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 7,
                                                          "End": True}}}},
        {"name": "from-file", "definition_file": "flow.asl.json", "tags": {"team": "shop"}},
    ],
}

FLOW = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "hi", "End": True}}}


def write(path, doc):
    with open(path, "w") as f:
        if isinstance(doc, str):
            f.write(doc)
        else:
            json.dump(doc, f)


def run_failing(*args, timeout=10):
    """Start sluice expecting it to refuse; return (exit code, output)."""
    proc = subprocess.run([sluice_bin(), "--port", "0", *args], capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


class InitFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="sluice-init-")
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_everything_exists_before_the_port_opens(self):
        write(self.path("flow.asl.json"), FLOW)
        write(self.path("init.json"), FULL)
        with Server("--init", self.path("init.json")) as srv:
            self.assertRegex(srv.log(), r"init: 1 file\(s\): 3 queue\(s\), 1 topic\(s\), "
                                        r"1 subscription\(s\), 1 activity, 2 state machine\(s\)")
            sqs = boto3_client("sqs", srv.endpoint)
            sns = boto3_client("sns", srv.endpoint)
            sfn = boto3_client("stepfunctions", srv.endpoint, inject_host_prefix=False)
            url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "45")
            self.assertEqual(json.loads(attrs["RedrivePolicy"]),
                             {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq",
                              "maxReceiveCount": 3})
            self.assertEqual(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "shop"})
            dlq = sqs.get_queue_url(QueueName="orders-dlq")["QueueUrl"]
            self.assertEqual(sqs.get_queue_attributes(
                QueueUrl=dlq, AttributeNames=["MessageRetentionPeriod"])["Attributes"],
                {"MessageRetentionPeriod": "1209600"})
            fifo = sqs.get_queue_url(QueueName="events.fifo")["QueueUrl"]
            self.assertEqual(sqs.get_queue_attributes(
                QueueUrl=fifo, AttributeNames=["ContentBasedDeduplication"])["Attributes"],
                {"ContentBasedDeduplication": "true"})

            topic = "arn:aws:sns:us-east-1:000000000000:order-events"
            subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertEqual(len(subs), 1)
            self.assertEqual(subs[0]["Endpoint"], "arn:aws:sqs:us-east-1:000000000000:orders")
            sub_attrs = sns.get_subscription_attributes(
                SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]
            self.assertEqual(sub_attrs["RawMessageDelivery"], "true")
            self.assertEqual(json.loads(sub_attrs["FilterPolicy"]), {"kind": ["created"]})
            self.assertEqual(sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
                             [{"Key": "team", "Value": "shop"}])
            # The subscription works: the filter drops one message, raw delivery keeps the body.
            for kind in ("deleted", "created"):
                sns.publish(TopicArn=topic, Message=f"order {kind}", MessageAttributes={
                    "kind": {"DataType": "String", "StringValue": kind}})
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
            self.assertEqual([m["Body"] for m in got["Messages"]], ["order created"])

            acts = sfn.list_activities()["activities"]
            self.assertEqual([a["name"] for a in acts], ["approve"])
            machines = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
            self.assertEqual(set(machines), {"inline", "from-file"})
            self.assertEqual(machines["inline"]["type"], "EXPRESS")
            out = sfn.start_sync_execution(stateMachineArn=machines["inline"]["stateMachineArn"])
            self.assertEqual(out["status"], "SUCCEEDED")
            self.assertEqual(out["output"], "7")
            desc = sfn.describe_state_machine(stateMachineArn=machines["from-file"]["stateMachineArn"])
            self.assertEqual(json.loads(desc["definition"]), FLOW)
            self.assertEqual(desc["roleArn"], "arn:aws:iam::000000000000:role/sluice-init")

    def test_directory_in_name_order_and_its_own_region_and_account(self):
        d = self.path("init.d")
        os.mkdir(d)
        # 10-... names a dead-letter queue that 00-... made; other files are ignored.
        write(os.path.join(d, "00-dlq.json"), {"queues": [{"name": "dlq"}]})
        write(os.path.join(d, "10-work.json"),
              {"queues": [{"name": "work", "dead_letter_queue": "dlq"}]})
        write(os.path.join(d, "20-eu.json"), {"region": "eu-west-1", "account_id": "123456789012",
                                              "queues": [{"name": "eu-only"}]})
        write(os.path.join(d, "README.txt"), "not an init file")
        with Server("--init", d) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
            policy = json.loads(sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
            self.assertEqual(policy["maxReceiveCount"], 10)
            names = [u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", [])]
            self.assertEqual(sorted(names), ["dlq", "work"])
            # The third file's queue lives in its own region and account.
            eu = boto3_client("sqs", srv.endpoint, region="eu-west-1")
            eu_url = eu.get_queue_url(QueueName="eu-only",
                                      QueueOwnerAWSAccountId="123456789012")["QueueUrl"]
            self.assertTrue(eu_url.endswith("/123456789012/eu-only"), eu_url)

    def test_bad_files_stop_the_server_before_it_listens(self):
        cases = [
            ("not json", "{", "not valid JSON"),
            ("unknown key", {"queues": [{"name": "a", "nmae": "b"}]},
             "queues[0] (a): unknown key 'nmae'"),
            ("no name", {"topics": [{}]}, "topics[0]: 'name' is required"),
            ("cycle", {"queues": [{"name": "a", "dead_letter_queue": "b"},
                                  {"name": "b", "dead_letter_queue": "a"}]},
             "dead-letter queues form a cycle"),
            ("AWS validation", {"queues": [{"name": "a", "attributes": {"VisibilityTimeout": 50000}}]},
             "queues[0] (a): CreateQueue failed: InvalidAttributeValue"),
            ("bad queue name", {"queues": [{"name": "no spaces allowed"}]},
             "CreateQueue failed: InvalidParameterValue"),
            ("bad definition", {"state_machines": [{"name": "m", "definition": {"StartAt": "X",
                                                                                "States": {}}}]},
             "state_machines[0] (m): CreateStateMachine failed: InvalidDefinition"),
            ("missing file", {"state_machines": [{"name": "m", "definition_file": "nope.json"}]},
             "cannot read definition_file"),
            ("bad filter policy", {"topics": [{"name": "t", "subscriptions": [
                {"protocol": "sqs", "queue": "q", "filter_policy": {"a": [{"bogus": 1}]}}]}]},
             "Subscribe failed: InvalidParameter"),
            ("bad region", {"region": "mars", "queues": []}, "region: 'mars' is not a region"),
        ]
        for label, doc, expected in cases:
            with self.subTest(label):
                write(self.path("bad.json"), doc)
                code, out = run_failing("--init", self.path("bad.json"))
                self.assertEqual(code, 2, out)
                self.assertIn("init file " + self.path("bad.json"), out)
                self.assertIn(expected, out)
                self.assertNotIn("listening on", out)
        code, out = run_failing("--init", self.path("missing.json"))
        self.assertEqual(code, 2, out)
        self.assertIn("does not exist", out)

    def test_reapplied_to_a_data_dir_the_file_decides(self):
        data = self.path("data")
        init = self.path("init.json")
        write(init, {"queues": [{"name": "q", "attributes": {"VisibilityTimeout": 30}}],
                     "topics": [{"name": "t", "subscriptions": [
                         {"protocol": "sqs", "queue": "q", "raw_message_delivery": False}]}],
                     "state_machines": [{"name": "m", "definition": FLOW}]})
        with Server("--init", init, "--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="kept")
        # The same file again, with changes: new attributes apply, nothing is duplicated,
        # and the queue's message is still there.
        changed = {"Type": "Pass", "Result": "changed", "End": True}
        write(init, {"queues": [{"name": "q", "attributes": {"VisibilityTimeout": 60}}],
                     "topics": [{"name": "t", "subscriptions": [
                         {"protocol": "sqs", "queue": "q", "raw_message_delivery": True}]}],
                     "state_machines": [{"name": "m", "definition": {"StartAt": "Hello",
                                                                     "States": {"Hello": changed}}}]})
        with Server("--init", init, "--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            sns = boto3_client("sns", srv.endpoint)
            sfn = boto3_client("stepfunctions", srv.endpoint, inject_host_prefix=False)
            url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "60")
            self.assertEqual(attrs["ApproximateNumberOfMessages"], "1")
            subs = sns.list_subscriptions()["Subscriptions"]
            self.assertEqual(len(subs), 1)
            self.assertEqual(sns.get_subscription_attributes(
                SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]["RawMessageDelivery"],
                "true")
            arn = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
            self.assertIn("changed", sfn.describe_state_machine(stateMachineArn=arn)["definition"])

    def test_init_from_the_environment_and_config_file(self):
        write(self.path("init.json"), {"queues": [{"name": "from-env"}]})
        with Server(env={"SLUICE_INIT": self.path("init.json")}) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            self.assertTrue(sqs.get_queue_url(QueueName="from-env")["QueueUrl"].endswith("/from-env"))
        write(self.path("other.json"), {"queues": [{"name": "from-config"}]})
        write(self.path("sluice.json"), {"init": self.path("init.json") + "," + self.path("other.json")})
        with Server("--config", self.path("sluice.json")) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            names = sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"])
            self.assertEqual(names, ["from-config", "from-env"])


if __name__ == "__main__":
    main()
