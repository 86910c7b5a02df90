# Step Functions end to end: boto3 (both generations speak AWS JSON 1.0 to Step
# Functions) and the JS SDK v3.
sluice_py_test(NAME sfn_boto3_json SCRIPT sfn_boto3.py PYTHON json LABELS sfn)
sluice_py_test(NAME sfn_boto3_legacy SCRIPT sfn_boto3.py PYTHON query LABELS sfn)
sluice_node_test(NAME sfn_js_v3 SCRIPT sfn.test.js LABELS sfn)
