"""SQS scenarios (sqs_scenarios.py) through boto3 1.26 / botocore 1.29: AWS Query.

Run by ctest under Debian's /usr/bin/python3; refuses to run under a botocore that
speaks AWS JSON to SQS, so the two ctest entries really cover both protocols.
"""
import sys

import sluice_harness

if sluice_harness.sqs_protocol() != "query":
    sys.exit("sqs_boto3_query.py needs a botocore that sends AWS Query to SQS (< 1.31.81)")

from sqs_scenarios import *  # noqa: E402,F401,F403

if __name__ == "__main__":
    sluice_harness.main()
