# Server foundation end to end: the binary's command line, HTTP/1.1 behaviour (keep-alive,
# pipelining, 100-continue, HEAD, limits, timeouts, connection limit, graceful shutdown),
# a storm of malformed requests, and real clients' view of unknown operations.
sluice_py_test(NAME foundation_cli SCRIPT foundation_cli.py PYTHON any LABELS foundation)
sluice_py_test(NAME foundation_http SCRIPT foundation_http.py PYTHON any LABELS foundation)
sluice_py_test(NAME foundation_storm SCRIPT foundation_storm.py PYTHON any LABELS foundation
  TIMEOUT 180)
sluice_py_test(NAME foundation_unknown_ops_boto3 SCRIPT foundation_unknown_ops.py PYTHON query
  LABELS foundation)
sluice_node_test(NAME foundation_unknown_ops_js SCRIPT foundation_unknown_ops.test.js
  LABELS foundation)
sluice_py_test(NAME foundation_init SCRIPT foundation_init.py PYTHON query LABELS foundation)
sluice_py_test(NAME foundation_localstack SCRIPT foundation_localstack.py PYTHON query LABELS foundation)
sluice_py_test(NAME docs_examples SCRIPT docs_examples.py PYTHON query LABELS foundation docs)
sluice_py_test(NAME limits SCRIPT limits.py PYTHON query LABELS foundation TIMEOUT 300)
