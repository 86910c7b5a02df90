# --auth sigv4 end to end (label auth): boto3 1.26 (SQS over AWS Query) and 1.43 (SQS over
# AWS JSON) against SQS, SNS and Step Functions, the AWS CLI, a botocore presigned URL and
# raw HTTP; the JS SDK v3.
sluice_py_test(NAME auth_sigv4_boto3_query SCRIPT auth_sigv4.py PYTHON query LABELS auth)
sluice_py_test(NAME auth_sigv4_boto3_json SCRIPT auth_sigv4.py PYTHON json LABELS auth)
sluice_node_test(NAME auth_sigv4_js SCRIPT auth.test.js LABELS auth)
