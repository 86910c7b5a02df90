"""Step Functions end to end through boto3 (AWS JSON 1.0 in every boto3 generation).

Runs under the image's boto3 1.43 and Debian's boto3 1.26; operations an older botocore
does not know are skipped there.
"""
import http.server
import json
import os
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

from botocore.exceptions import ClientError

from sluice_harness import Server, boto3_client, main

ROLE = "arn:aws:iam::000000000000:role/sfn"


class FakeLambda:
    """The Lambda Invoke API as `sam local start-lambda` serves it: `echo` answers its
    payload, `boom` fails as a function (X-Amz-Function-Error), others do not exist."""

    def __init__(self):
        self.calls = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = self.path.split("?")[0].split("/")  # /2015-03-31/functions/<name>/invocations
                name = urllib.parse.unquote(parts[3]) if len(parts) > 4 else ""
                outer.calls.append((self.path, body))
                headers = {"Content-Type": "application/json"}
                if name == "echo":
                    status, out = 200, {"got": json.loads(body or b"null")}
                elif name == "boom":
                    status, out = 200, {"errorType": "ValueError", "errorMessage": "bad input"}
                    headers["X-Amz-Function-Error"] = "Unhandled"
                else:
                    status = 404
                    out = {"Type": "User", "Message": f"Function not found: {name}"}
                    headers["x-amzn-ErrorType"] = "ResourceNotFoundException"
                data = json.dumps(out).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pass_machine(result=None):
    state = {"Type": "Pass", "End": True}
    if result is not None:
        state["Result"] = result
    return json.dumps({"StartAt": "P", "States": {"P": state}})


class SfnTest(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.mock_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(
            {
                "StateMachines": {
                    "mocked": {"TestCases": {"HappyPath": {"Call": "CallOk"},
                                             "RetryPath": {"Call": "FlakyThenOk"}}}
                },
                "MockedResponses": {
                    "CallOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}},
                    "FlakyThenOk": {
                        "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "flaky"}},
                        "2": {"Return": {"StatusCode": 200, "Payload": {"ok": "late"}}},
                    },
                },
            },
            cls.mock_file,
        )
        cls.mock_file.close()
        cls.lambda_ = FakeLambda()
        cls.server = Server("--clock", "virtual", "--sfn-mock-config", cls.mock_file.name,
                            "--lambda-endpoint", cls.lambda_.url)
        cls.sfn = boto3_client("stepfunctions", cls.server.endpoint)
        cls.sync_sfn = boto3_client("stepfunctions", cls.server.endpoint, inject_host_prefix=False)
        cls.sqs = boto3_client("sqs", cls.server.endpoint)
        cls.sns = boto3_client("sns", cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.lambda_.close()
        os.unlink(cls.mock_file.name)

    # ---- helpers ----

    def create(self, name, definition, **kwargs):
        return self.sfn.create_state_machine(
            name=name, definition=definition, roleArn=ROLE, **kwargs
        )["stateMachineArn"]

    def advance(self, seconds):
        req = urllib.request.Request(
            self.server.endpoint + "/_sluice/clock",
            data=json.dumps({"advance_ms": int(seconds * 1000)}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())

    def wait_done(self, arn, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            d = self.sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
            time.sleep(0.02)
        self.fail(f"execution {arn} still running")

    def advance_until_done(self, arn, step=1.0, limit=100):
        for _ in range(limit):
            d = self.sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
            self.advance(step)
            time.sleep(0.02)
        self.fail(f"execution {arn} still running")

    def error_code(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]["Code"], ctx.exception.response["Error"]["Message"]

    # ---- state machines ----

    def test_create_describe_list_and_idempotent_create(self):
        definition = pass_machine({"a": 1})
        arn = self.create("machine-basic", definition)
        self.assertEqual(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:machine-basic")
        again = self.create("machine-basic", definition)
        self.assertEqual(again, arn)
        d = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(d["name"], "machine-basic")
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(d["type"], "STANDARD")
        self.assertEqual(d["definition"], definition)
        self.assertEqual(d["roleArn"], ROLE)
        names = [m["name"] for m in self.sfn.list_state_machines()["stateMachines"]]
        self.assertIn("machine-basic", names)
        code, _ = self.error_code(
            self.sfn.create_state_machine, name="machine-basic", definition=pass_machine(2),
            roleArn=ROLE)
        self.assertEqual(code, "StateMachineAlreadyExists")

    def test_definition_errors_are_aws_shaped(self):
        code, msg = self.error_code(
            self.sfn.create_state_machine, name="bad",
            definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}),
            roleArn=ROLE)
        self.assertEqual(code, "InvalidDefinition")
        self.assertIn("MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next", msg)
        self.assertTrue(msg.startswith("Invalid State Machine Definition: '"))
        code, msg = self.error_code(self.sfn.create_state_machine, name="a b",
                                    definition=pass_machine(), roleArn=ROLE)
        self.assertEqual((code, msg), ("InvalidName", "Invalid Name: 'a b'"))
        code, msg = self.error_code(self.sfn.create_state_machine, name="x" * 81,
                                    definition=pass_machine(), roleArn=ROLE)
        self.assertEqual(code, "ValidationException")
        self.assertIn("Member must have length less than or equal to 80", msg)
        code, msg = self.error_code(self.sfn.describe_state_machine, stateMachineArn="not-an-arn")
        self.assertEqual((code, msg), ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"))
        missing = "arn:aws:states:us-east-1:000000000000:stateMachine:nope"
        code, msg = self.error_code(self.sfn.describe_state_machine, stateMachineArn=missing)
        self.assertEqual(code, "StateMachineDoesNotExist")
        self.assertEqual(msg, f"State Machine Does Not Exist: '{missing}'")

    def test_update_publish_versions_and_aliases(self):
        if "list_state_machine_versions" not in dir(self.sfn):
            self.skipTest("botocore too old")  # versions arrived in botocore 1.31
        arn = self.create("machine-versions", pass_machine(1), publish=True)
        v = self.sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
        self.assertEqual(len(v), 1)
        self.assertTrue(v[0]["stateMachineVersionArn"].endswith(":1"))
        up = self.sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2),
                                           publish=True, versionDescription="two")
        self.assertTrue(up["stateMachineVersionArn"].endswith(":2"))
        alias = self.sfn.create_state_machine_alias(
            name="live", routingConfiguration=[
                {"stateMachineVersionArn": arn + ":1", "weight": 100}])["stateMachineAliasArn"]
        self.assertEqual(alias, arn + ":live")
        ex = self.sfn.start_execution(stateMachineArn=alias)["executionArn"]
        d = self.wait_done(ex)
        self.assertEqual(d["output"], "1")
        self.assertEqual(d["stateMachineAliasArn"], alias)
        self.assertEqual(d["stateMachineVersionArn"], arn + ":1")
        ex2 = self.sfn.start_execution(stateMachineArn=arn + ":2")["executionArn"]
        self.assertEqual(self.wait_done(ex2)["output"], "2")
        code, _ = self.error_code(self.sfn.delete_state_machine_version,
                                  stateMachineVersionArn=arn + ":1")
        self.assertEqual(code, "ConflictException")
        self.sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
            {"stateMachineVersionArn": arn + ":2", "weight": 100}])
        self.sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":1")
        desc = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(desc["routingConfiguration"][0]["stateMachineVersionArn"], arn + ":2")
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(self.sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"], [])

    def test_tags(self):
        arn = self.create("machine-tags", pass_machine(), tags=[{"key": "a", "value": "1"}])
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "b", "value": "2"}])

    # ---- executions ----

    def test_execution_runs_and_history_is_numbered_like_aws(self):
        arn = self.create("machine-run", pass_machine({"Arg1": "argument1"}))
        started = self.sfn.start_execution(stateMachineArn=arn, name="run-1", input='{"a": 1}')
        self.assertEqual(started["executionArn"],
                         "arn:aws:states:us-east-1:000000000000:execution:machine-run:run-1")
        d = self.wait_done(started["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(d["input"], '{"a": 1}')
        self.assertEqual(d["output"], '{"Arg1":"argument1"}')
        self.assertGreaterEqual(d["stopDate"], d["startDate"])
        events = self.sfn.get_execution_history(executionArn=started["executionArn"])["events"]
        self.assertEqual([(e["id"], e["previousEventId"], e["type"]) for e in events],
                         [(1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"),
                          (3, 2, "PassStateExited"), (4, 3, "ExecutionSucceeded")])
        self.assertEqual(events[1]["stateEnteredEventDetails"]["name"], "P")
        rev = self.sfn.get_execution_history(executionArn=started["executionArn"],
                                             reverseOrder=True, maxResults=2)
        self.assertEqual([e["id"] for e in rev["events"]], [4, 3])
        self.assertIn("nextToken", rev)
        rest = self.sfn.get_execution_history(executionArn=started["executionArn"],
                                              reverseOrder=True, nextToken=rev["nextToken"])
        self.assertEqual([e["id"] for e in rest["events"]], [2, 1])
        lean = self.sfn.get_execution_history(executionArn=started["executionArn"],
                                              includeExecutionData=False)["events"]
        self.assertNotIn("input", lean[0]["executionStartedEventDetails"])
        listed = self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")
        self.assertEqual([e["name"] for e in listed["executions"]], ["run-1"])
        forexec = self.sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
        self.assertEqual(forexec["stateMachineArn"], arn)

    def test_execution_name_idempotency(self):
        arn = self.create("machine-idem", json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}))
        first = self.sfn.start_execution(stateMachineArn=arn, name="same", input="{}")
        again = self.sfn.start_execution(stateMachineArn=arn, name="same", input="{}")
        self.assertEqual(first["executionArn"], again["executionArn"])
        self.assertEqual(first["startDate"], again["startDate"])
        code, msg = self.error_code(self.sfn.start_execution, stateMachineArn=arn, name="same",
                                    input='{"x": 1}')
        self.assertEqual(code, "ExecutionAlreadyExists")
        self.assertEqual(msg, f"Execution Already Exists: '{first['executionArn']}'")
        code, _ = self.error_code(self.sfn.start_execution, stateMachineArn=arn, input="{")
        self.assertEqual(code, "InvalidExecutionInput")
        self.sfn.stop_execution(executionArn=first["executionArn"], error="E", cause="C")
        d = self.sfn.describe_execution(executionArn=first["executionArn"])
        self.assertEqual((d["status"], d["error"], d["cause"]), ("ABORTED", "E", "C"))

    def test_a_year_long_wait_finishes_when_virtual_time_moves(self):
        arn = self.create("machine-wait", json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31536000, "End": True}}}))
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        time.sleep(0.05)
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        self.advance(31536000)
        d = self.wait_done(ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        elapsed = (d["stopDate"] - d["startDate"]).total_seconds()
        self.assertAlmostEqual(elapsed, 31536000, delta=1)

    def test_callback_through_sqs_with_send_task_success(self):
        queue = self.sqs.create_queue(QueueName="sfn-callbacks")["QueueUrl"]
        arn = self.create("machine-callback", json.dumps({
            "StartAt": "Ask",
            "States": {"Ask": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue,
                               "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
                "ResultPath": "$.answer", "End": True}}}))
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"n": 5}')["executionArn"]
        msgs = self.sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
        body = json.loads(msgs[0]["Body"])
        self.assertEqual(body["n"], 5)
        self.sfn.send_task_success(taskToken=body["token"], output='{"ok": true}')
        d = self.wait_done(ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"n": 5, "answer": {"ok": True}})
        types = [e["type"] for e in self.sfn.get_execution_history(executionArn=ex)["events"]]
        self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                 "TaskStarted", "TaskSubmitted", "TaskSucceeded",
                                 "TaskStateExited", "ExecutionSucceeded"])
        code, _ = self.error_code(self.sfn.send_task_success, taskToken=body["token"],
                                  output="{}")
        self.assertEqual(code, "TaskTimedOut")
        code, _ = self.error_code(self.sfn.send_task_failure, taskToken="x" * 20)
        self.assertEqual(code, "InvalidToken")

    def test_sns_publish_task_reaches_a_subscribed_queue(self):
        topic = self.sns.create_topic(Name="sfn-topic")["TopicArn"]
        queue = self.sqs.create_queue(QueueName="sfn-topic-sink")["QueueUrl"]
        qarn = self.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn,
                           Attributes={"RawMessageDelivery": "true"})
        arn = self.create("machine-sns", json.dumps({
            "StartAt": "Publish",
            "States": {"Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                                   "Parameters": {"TopicArn": topic, "Message.$": "$"},
                                   "End": True}}}))
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"hello": "world"}')["executionArn"]
        d = self.wait_done(ex)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertIn("MessageId", json.loads(d["output"]))
        msgs = self.sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
        self.assertEqual(json.loads(msgs[0]["Body"]), {"hello": "world"})

    def test_sqs_error_is_reported_like_the_optimized_integration(self):
        arn = self.create("machine-sqs-error", json.dumps({
            "StartAt": "Send",
            "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                "Parameters": {"QueueUrl": "http://localhost/000000000000/nope",
                                               "MessageBody": "x"},
                                "End": True}}}))
        d = self.wait_done(self.sfn.start_execution(stateMachineArn=arn)["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "SQS.AmazonSQSException")
        self.assertIn("(Service: AmazonSQS; Status Code: 400; Error Code: "
                      "AWS.SimpleQueueService.NonExistentQueue;", d["cause"])

    def test_activity_worker_gets_and_completes_the_task(self):
        activity = self.sfn.create_activity(name="worker-activity")["activityArn"]
        self.assertEqual(self.sfn.describe_activity(activityArn=activity)["name"], "worker-activity")
        arn = self.create("machine-activity", json.dumps({
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 300,
                                "End": True}}}))
        # A worker polls first; the task answers the parked poll.
        result = {}

        def poll():
            result["task"] = self.sfn.get_activity_task(activityArn=activity, workerName="w1")

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.1)
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"job": 7}')["executionArn"]
        t.join(10)
        task = result["task"]
        self.assertEqual(json.loads(task["input"]), {"job": 7})
        self.sfn.send_task_heartbeat(taskToken=task["taskToken"])
        self.sfn.send_task_success(taskToken=task["taskToken"], output='{"done": 7}')
        d = self.wait_done(ex)
        self.assertEqual(d["output"], '{"done":7}')
        events = self.sfn.get_execution_history(executionArn=ex)["events"]
        started = [e for e in events if e["type"] == "ActivityStarted"][0]
        self.assertEqual(started["activityStartedEventDetails"]["workerName"], "w1")

    def test_express_start_sync_execution(self):
        arn = self.create("machine-express", pass_machine({"fast": True}), type="EXPRESS")
        r = self.sync_sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(r["output"], '{"fast":true}')
        self.assertIn(":express:machine-express:", r["executionArn"])
        # an EXPRESS execution cannot be read back, as on AWS
        code, _ = self.error_code(self.sfn.describe_execution, executionArn=r["executionArn"])
        self.assertEqual(code, "InvalidArn")
        code, _ = self.error_code(self.sync_sfn.start_sync_execution,
                                  stateMachineArn=self.create("machine-std", pass_machine()))
        self.assertEqual(code, "StateMachineTypeNotSupported")

    def test_the_host_header_does_not_matter(self):
        arn = self.create("machine-host", pass_machine({"h": 1}), type="EXPRESS")
        body = json.dumps({"stateMachineArn": arn}).encode()
        req = urllib.request.Request(self.server.endpoint + "/", data=body, method="POST", headers={
            "Host": "sync-states.us-east-1.amazonaws.com",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions.StartSyncExecution"})
        with urllib.request.urlopen(req) as r:
            out = json.loads(r.read())
        self.assertEqual(out["status"], "SUCCEEDED")
        self.assertEqual(out["output"], '{"h":1}')

    def test_mock_config_answers_tasks_by_test_case(self):
        arn = self.create("mocked", json.dumps({
            "StartAt": "Call",
            "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                "Parameters": {"FunctionName": "f"},
                                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"],
                                           "IntervalSeconds": 1, "MaxAttempts": 3}],
                                "OutputPath": "$.Payload", "End": True}}}))
        ex = self.sfn.start_execution(stateMachineArn=arn + "#HappyPath")["executionArn"]
        self.assertEqual(self.wait_done(ex)["output"], '{"ok":true}')
        ex = self.sfn.start_execution(stateMachineArn=arn + "#RetryPath")["executionArn"]
        self.assertEqual(self.advance_until_done(ex)["output"], '{"ok":"late"}')
        types = [e["type"] for e in self.sfn.get_execution_history(executionArn=ex)["events"]]
        self.assertEqual(types.count("TaskFailed"), 2)

    def test_mock_config_from_the_sfn_mock_config_environment_variable(self):
        with Server(env={"SFN_MOCK_CONFIG": self.mock_file.name}) as other:
            sfn = boto3_client("stepfunctions", other.endpoint)
            arn = sfn.create_state_machine(name="mocked", roleArn=ROLE, definition=json.dumps({
                "StartAt": "Call",
                "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                    "Parameters": {"FunctionName": "f"}, "End": True}}}))[
                "stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn + "#HappyPath")["executionArn"]
            for _ in range(500):
                d = sfn.describe_execution(executionArn=ex)
                if d["status"] != "RUNNING":
                    break
                time.sleep(0.01)
            self.assertEqual(d["status"], "SUCCEEDED")
            self.assertEqual(json.loads(d["output"])["Payload"], {"ok": True})

    def test_lambda_tasks_reach_the_configured_lambda_endpoint(self):
        def machine(name, resource, params=None):
            state = {"Type": "Task", "Resource": resource, "End": True}
            if params is not None:
                state["Parameters"] = params
            return self.create(name, json.dumps({"StartAt": "L", "States": {"L": state}}))

        # the optimized integration: AWS's Payload/StatusCode shape
        arn = machine("lambda-invoke", "arn:aws:states:::lambda:invoke",
                      {"FunctionName": "echo", "Payload": {"n.$": "$.n"}})
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"n": 7}')["executionArn"]
        out = json.loads(self.wait_done(ex)["output"])
        self.assertEqual(out["Payload"], {"got": {"n": 7}})
        self.assertEqual(out["StatusCode"], 200)
        self.assertEqual(out["ExecutedVersion"], "$LATEST")
        path, body = self.lambda_.calls[-1]
        self.assertEqual(path, "/2015-03-31/functions/echo/invocations")
        self.assertEqual(json.loads(body), {"n": 7})
        # a plain function ARN: the output is the function's answer itself
        fn = "arn:aws:lambda:us-east-1:000000000000:function:echo:live"
        arn = machine("lambda-plain", fn)
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"m": 1}')["executionArn"]
        self.assertEqual(json.loads(self.wait_done(ex)["output"]), {"got": {"m": 1}})
        # sent by name and qualifier, as local Lambda runtimes know functions by name
        self.assertEqual(self.lambda_.calls[-1][0],
                         "/2015-03-31/functions/echo/invocations?Qualifier=live")
        # a function error: the errorType becomes the error, the payload the cause
        arn = machine("lambda-boom", "arn:aws:states:::lambda:invoke", {"FunctionName": "boom"})
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        d = self.wait_done(ex)
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "ValueError")
        self.assertEqual(json.loads(d["cause"])["errorMessage"], "bad input")
        # a missing function: Lambda's own error, named as Step Functions names it
        arn = machine("lambda-missing", "arn:aws:states:::lambda:invoke", {"FunctionName": "nope"})
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        d = self.wait_done(ex)
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Lambda.ResourceNotFoundException")

    def test_validate_state_machine_definition(self):
        if "validate_state_machine_definition" not in dir(self.sfn):
            self.skipTest("botocore too old")
        ok = self.sfn.validate_state_machine_definition(definition=pass_machine())
        self.assertEqual(ok["result"], "OK")
        bad = self.sfn.validate_state_machine_definition(
            definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Nope"}}}))
        self.assertEqual(bad["result"], "FAIL")
        self.assertEqual(bad["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED")
        self.assertEqual(bad["diagnostics"][0]["location"], "/States/A/Type")

    def test_test_state_runs_one_state(self):
        if "test_state" not in dir(self.sfn):
            self.skipTest("botocore too old")
        r = self.sync_sfn.test_state(
            definition=json.dumps({"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Next": "N"}),
            roleArn=ROLE, input='{"x": 3}', inspectionLevel="DEBUG")
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(r["output"], '{"v":3}')
        self.assertEqual(r["nextState"], "N")
        self.assertEqual(r["inspectionData"]["afterParameters"], '{"v":3}')
        caught = self.sync_sfn.test_state(
            definition=json.dumps({
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}], "End": True}),
            roleArn=ROLE, mock={"errorOutput": {"error": "Boom", "cause": "why"}})
        self.assertEqual(caught["status"], "CAUGHT_ERROR")
        self.assertEqual(caught["nextState"], "Handler")

    def test_test_state_configuration(self):
        # stateConfiguration beyond retrierRetryCount needs a botocore that knows it.
        if "test_state" not in dir(self.sfn) or "mapItemReaderData" not in (
                self.sfn.meta.service_model.shape_for("TestStateConfiguration").members):
            self.skipTest("botocore too old for TestState's stateConfiguration")
        threshold_map = json.dumps({
            "Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
            "ToleratedFailureCount": 1,
            "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "TooMany"}],
            "End": True})
        ok = self.sync_sfn.test_state(
            definition=threshold_map, input='{"items": [1, 2, 3]}', mock={"result": "[1, 1, 1]"},
            stateConfiguration={"mapIterationFailureCount": 1})
        self.assertEqual(ok["status"], "SUCCEEDED")
        over = self.sync_sfn.test_state(
            definition=threshold_map, input='{"items": [1, 2, 3]}', mock={"result": "[1, 1, 1]"},
            inspectionLevel="DEBUG", stateConfiguration={"mapIterationFailureCount": 2})
        self.assertEqual(over["status"], "CAUGHT_ERROR")
        self.assertEqual(over["error"], "States.ExceedToleratedFailureThreshold")
        self.assertEqual(over["nextState"], "TooMany")
        self.assertEqual(over["inspectionData"]["toleratedFailureCount"], 1)
        failed = self.sync_sfn.test_state(
            definition=threshold_map, input='{"items": [1]}',
            mock={"errorOutput": {"error": "Boom", "cause": "inner"}},
            stateConfiguration={"errorCausedByState": "Work"})
        self.assertEqual((failed["status"], failed["error"]), ("FAILED", "Boom"))
        code, _ = self.error_code(
            self.sync_sfn.test_state, definition=threshold_map, input='{"items": [1]}',
            mock={"errorOutput": {"error": "Boom"}},
            stateConfiguration={"errorCausedByState": "Elsewhere"})
        self.assertEqual(code, "ValidationException")
        reader_map = json.dumps({
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "b", "Key": "k.csv"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                              "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
            "End": True})
        read = self.sync_sfn.test_state(
            definition=reader_map, input="{}",
            stateConfiguration={"mapItemReaderData": "id,name\n1,a\n2,b\n"})
        self.assertEqual(read["status"], "SUCCEEDED")
        self.assertEqual(json.loads(read["output"]),
                         [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}])

    def test_reset_drops_state_machines(self):
        arn = self.create("machine-reset", pass_machine())
        req = urllib.request.Request(self.server.endpoint + "/_sluice/reset?service=stepfunctions",
                                     method="POST")
        with urllib.request.urlopen(req) as r:
            self.assertIn("stepfunctions", json.loads(r.read())["reset"])
        code, _ = self.error_code(self.sfn.describe_state_machine, stateMachineArn=arn)
        self.assertEqual(code, "StateMachineDoesNotExist")


if __name__ == "__main__":
    main()
