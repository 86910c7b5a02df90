# SQS end-to-end suites (label sqs). One scenario list (sqs_scenarios.py) through both
# boto3 generations so AWS Query and AWS JSON must behave identically; the AWS CLI;
# the JS SDK v3; the sqs-consumer library.
sluice_py_test(NAME e2e_sqs_boto3_query SCRIPT sqs_boto3_query.py PYTHON query LABELS sqs)
sluice_py_test(NAME e2e_sqs_boto3_json SCRIPT sqs_boto3_json.py PYTHON json LABELS sqs)
sluice_py_test(NAME e2e_sqs_awscli SCRIPT sqs_awscli.py PYTHON any LABELS sqs)
sluice_node_test(NAME e2e_sqs_js_sdk SCRIPT sqs.test.js LABELS sqs)
sluice_node_test(NAME e2e_sqs_consumer SCRIPT sqs_consumer.test.js LABELS sqs)
