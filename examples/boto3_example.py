# boto3 against Sluice started with: sluice --init examples/init.json
import json
import os
import time

import boto3
from botocore.config import Config

endpoint = os.environ.get("AWS_ENDPOINT_URL", "http://localhost:4566")
session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                        region_name="us-east-1")
sqs = session.client("sqs", endpoint_url=endpoint)
sns = session.client("sns", endpoint_url=endpoint)
# StartSyncExecution and TestState go to "sync-<host>"; keep the host as given.
sfn = session.client("stepfunctions", endpoint_url=endpoint,
                     config=Config(inject_host_prefix=False))

queue = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
sns.publish(TopicArn="arn:aws:sns:us-east-1:000000000000:order-events", Message="order 7",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "created"}})
message = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"][0]
print(message["Body"])
sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

machine = "arn:aws:states:us-east-1:000000000000:stateMachine:ship-order"
run = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"express": True}))
while (done := sfn.describe_execution(executionArn=run["executionArn"]))["status"] == "RUNNING":
    time.sleep(0.05)
print(json.loads(done["output"])["delivery"])
