"""The SQS end-to-end scenario list, shared by both boto3 generations.

Run twice by ctest (tests/e2e/sqs.cmake):
  - sqs_boto3_query.py under Debian's /usr/bin/python3 (boto3 1.26: AWS Query),
  - sqs_boto3_json.py under the pyenv python3 (boto3 1.43: AWS JSON 1.0).
Both runs assert the SAME outcomes, including the error codes boto3 surfaces in
e.response['Error']['Code'] (the JSON client reads them from x-amzn-query-error), so
the two protocol generations must behave identically. Expected values come from the
AWS documentation and the botocore models, never from Sluice.

The scenarios live in three modules by concept; helpers in sqs_support.py.
"""
from sqs_scenarios_fifo_dlq import *  # noqa: F401,F403
from sqs_scenarios_messages import *  # noqa: F401,F403
from sqs_scenarios_queues import *  # noqa: F401,F403
