"""SQS scenarios (sqs_scenarios.py) through boto3 >= 1.31.81: AWS JSON 1.0.

Run by ctest under the image's pyenv python3 (boto3 1.43); refuses to run under a
botocore that speaks AWS Query to SQS, so the two ctest entries really cover both
protocols.
"""
import sys

import sluice_harness

if sluice_harness.sqs_protocol() != "json":
    sys.exit("sqs_boto3_json.py needs a botocore that sends AWS JSON to SQS (>= 1.31.81)")

from sqs_scenarios import *  # noqa: E402,F401,F403

if __name__ == "__main__":
    sluice_harness.main()
