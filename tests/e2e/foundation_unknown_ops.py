"""Real clients (Debian's boto3 1.26) get well-formed AWS errors, parsed into the right
error code, for operations nothing in Sluice implements: over AWS Query (SNS, SQS,
CloudFormation) InvalidAction, over AWS JSON (Step Functions, DynamoDB)
UnknownOperationException.

Services land over time, so the SNS/SQS/Step Functions calls are renamed on their way
out (same request, an operation name no service has) with a botocore event hook; the
client still parses the answer as the real operation's. Services Sluice never serves
(CloudFormation, DynamoDB) are called as they are."""
import json
import unittest
import urllib.request

import botocore.exceptions

import sluice_harness
from sluice_harness import Server, boto3_client


def rename_operation(client, operation, new_name):
    """Send `operation` under `new_name` (Query: the Action parameter; JSON: the
    X-Amz-Target header). Signatures are computed after, so the request stays valid."""

    def before_call(params, **kwargs):
        if isinstance(params.get("body"), dict) and "Action" in params["body"]:
            params["body"]["Action"] = new_name
        target = params["headers"].get("X-Amz-Target")
        if target:
            params["headers"]["X-Amz-Target"] = target.rsplit(".", 1)[0] + "." + new_name

    client.meta.events.register(
        f"before-call.{client.meta.service_model.service_name}.{operation}", before_call
    )


class UnknownOperations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        with urllib.request.urlopen(cls.server.endpoint + "/_sluice/health", timeout=10) as r:
            cls.services = json.loads(r.read())["services"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, service, **config):
        client = boto3_client(service, self.server.endpoint, **config)
        self.addCleanup(client.close)
        return client

    def assert_error(self, call, code, status=400):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertTrue(err["Error"].get("Message"), err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        self.assertTrue(err["ResponseMetadata"].get("RequestId"), err)
        return err

    def test_sns_over_query_unknown_action(self):
        sns = self.client("sns")
        if "sns" not in self.services:
            err = self.assert_error(sns.list_topics, "InvalidAction")
            self.assertIn("ListTopics", err["Error"]["Message"])
        rename_operation(sns, "ListTopics", "ListTopicz")
        err = self.assert_error(sns.list_topics, "InvalidAction")
        self.assertIn("ListTopicz", err["Error"]["Message"])
        self.assertEqual(err["Error"]["Type"], "Sender")

    def test_sqs_over_query_unknown_action(self):
        sqs = self.client("sqs")
        rename_operation(sqs, "ListQueues", "ListQueuez")
        err = self.assert_error(sqs.list_queues, "InvalidAction")
        self.assertIn("ListQueuez", err["Error"]["Message"])

    def test_cloudformation_is_not_served(self):
        cfn = self.client("cloudformation")
        err = self.assert_error(cfn.list_stacks, "InvalidAction")
        self.assertIn("ListStacks", err["Error"]["Message"])

    def test_step_functions_over_json_unknown_operation(self):
        sfn = self.client("stepfunctions")
        if "states" not in self.services and "stepfunctions" not in self.services:
            self.assert_error(sfn.list_state_machines, "UnknownOperationException")
        rename_operation(sfn, "ListStateMachines", "ListStateMachinez")
        self.assert_error(sfn.list_state_machines, "UnknownOperationException")

    def test_dynamodb_is_not_served(self):
        ddb = self.client("dynamodb")
        self.assert_error(ddb.list_tables, "UnknownOperationException")

    def test_missing_required_parameter_is_caught_by_the_client_first(self):
        # botocore validates before sending; a bypassed validation reaches the server,
        # which answers MissingParameter rather than failing the handler.
        sqs = self.client("sqs", parameter_validation=False)
        if "sqs" not in self.services:
            self.skipTest("SQS is not served by this build")
        self.assert_error(lambda: sqs.get_queue_url(), "MissingParameter")


if __name__ == "__main__":
    sluice_harness.main()
