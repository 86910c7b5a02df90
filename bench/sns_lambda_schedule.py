#!/usr/bin/python3
"""How long AWS's Lambda retry schedule for SNS takes on the virtual clock.

AWS retries a Lambda delivery that fails on the server side 100,015 times over 23 days
(3 at once, 2 a second apart, 10 backing off, 100,000 every 20 s), then moves the message
to the subscription's dead-letter queue. Sluice makes every one of those attempts as a
real call to --lambda-endpoint; on the virtual clock the delays cost nothing, so the
whole schedule takes as long as the endpoint needs to fail 100,015 times.

This starts sluice with --clock virtual and a Lambda endpoint that refuses connections
(port 9 on 127.0.0.1), subscribes a function with a dead-letter queue, publishes once,
advances the clock 24 days and reports the seconds until the message is in the DLQ.

    /usr/bin/python3 bench/sns_lambda_schedule.py [path/to/sluice]   # default build/release/sluice
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import boto3

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/release/sluice")
proc = subprocess.Popen([binary, "--port", "0", "--clock", "virtual", "--log-level", "info",
                         "--lambda-endpoint", "http://127.0.0.1:9"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    port = None
    while port is None:
        line = proc.stderr.readline()
        if not line:
            sys.exit("sluice exited before listening")
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        port = m.group(1) if m else None
    endpoint = f"http://127.0.0.1:{port}"
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
              aws_secret_access_key="x")
    sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
    dlq = sqs.create_queue(QueueName="lambda-dlq")["QueueUrl"]
    topic = sns.create_topic(Name="lambda-schedule")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda",
                  Endpoint="arn:aws:lambda:us-east-1:000000000000:function:f",
                  Attributes={"RedrivePolicy": json.dumps(
                      {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:lambda-dlq"})})
    sns.publish(TopicArn=topic, Message="hello")
    started = time.time()
    urllib.request.urlopen(urllib.request.Request(
        endpoint + "/_sluice/clock", data=b'{"advance":"24d"}', method="POST",
        headers={"Content-Type": "application/json"})).read()
    while not sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0).get("Messages"):
        if time.time() - started > 600:
            sys.exit("no message in the dead-letter queue after 600 s")
        time.sleep(0.1)
    elapsed = time.time() - started
    deliveries = json.loads(urllib.request.urlopen(
        endpoint + "/_sluice/sns/messages?kind=lambda").read())
    print(f"lambda schedule: DLQ reached {elapsed:.1f} s after a 24-day clock advance; "
          f"recorded: {json.dumps(deliveries)[:300]}")
finally:
    proc.terminate()
    proc.wait()
