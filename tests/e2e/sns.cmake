# SNS end-to-end tests: boto3 (AWS Query, SNS's only protocol) and the JS SDK v3 with
# sns-validator checking message signatures.
sluice_py_test(NAME e2e_sns_boto3 SCRIPT sns_boto3.py PYTHON query LABELS sns)
sluice_node_test(NAME e2e_sns_js SCRIPT sns.test.js LABELS sns)
