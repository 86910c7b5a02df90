#!/usr/bin/env python3
"""Make the captured SQS calls with boto3 (whichever python runs this script).

    drive_boto3.py PORT

/usr/bin/python3 (Debian boto3 1.26) speaks AWS Query, pyenv python3 (boto3 1.43)
speaks AWS JSON 1.0; the calls and their order are the same (see capture.sh).
"""
import sys

import boto3
from botocore.config import Config

port = int(sys.argv[1])
endpoint = "http://127.0.0.1:%d" % port
queue_url = endpoint + "/000000000000/sluice-bench"
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
                   config=Config(retries={"max_attempts": 1}))
sqs.send_message(QueueUrl=queue_url, MessageBody="BODYMARKER0")
sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)
sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
sqs.delete_message(QueueUrl=queue_url, ReceiptHandle="RHMARKER0")
sqs.send_message_batch(QueueUrl=queue_url, Entries=[
    {"Id": "m%d" % i, "MessageBody": "BODYMARKER%d" % i} for i in range(10)])
for k in range(1, 11):
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": "m%d" % i, "ReceiptHandle": "RHMARKER%d" % i} for i in range(k)])
try:
    sqs.get_queue_url(QueueName="ZZStop")
except Exception:
    pass
print("protocol:", sqs.meta.service_model.protocol, "boto3", boto3.__version__)
