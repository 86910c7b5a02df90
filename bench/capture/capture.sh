#!/usr/bin/env bash
# Re-capture the SDK request templates in bench/requests/ (see make_templates.py).
#   bench/capture/capture.sh
# Each SDK talks to capture_server.py on a loopback port; nothing leaves the machine.
#   boto3-1.26-query: /usr/bin/python3 (Debian boto3 1.26, AWS Query)
#   boto3-1.43-json:  pyenv python3 (boto3 1.43, AWS JSON 1.0)
#   js-v3-json:       @aws-sdk/client-sqs pinned in bench/fauxqs/package.json (AWS JSON 1.0),
#                     and @aws-sdk/client-sfn from tests/e2e/js/node_modules (Step Functions)
#   js-v3-query-sns:  @aws-sdk/client-sns from tests/e2e/js/node_modules (SNS Publish, AWS Query)
#   bench/capture/capture.sh sfn    only the Step Functions templates
#   bench/capture/capture.sh sns    only the SNS template
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../requests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
capture() {  # name kind(sqs|sfn|sns) port command...
  local name=$1 kind=$2 port=$3
  shift 3
  rm -rf "${tmp:?}/$name"
  /usr/bin/python3 "$here/capture_server.py" "$port" "$tmp/$name" >/dev/null &
  local srv=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
  "$@" "$port"
  wait "$srv"
  /usr/bin/python3 "$here/make_templates.py" "$tmp/$name" "$port" "$out/$name" "$kind"
}
base=$((30000 + RANDOM % 20000))
if [ -z "${1:-}" ]; then
  [ -d "$here/../fauxqs/node_modules/@aws-sdk/client-sqs" ] || (cd "$here/../fauxqs" && npm ci --no-audit --no-fund)
  capture boto3-1.26-query sqs $base /usr/bin/python3 "$here/drive_boto3.py"
  capture boto3-1.43-json sqs $((base + 1)) "${PYENV_PYTHON:-$HOME/.pyenv/shims/python3}" "$here/drive_boto3.py"
  capture js-v3-json sqs $((base + 2)) node --no-warnings "$here/drive_js.mjs"
fi
[ "${1:-}" = sns ] || capture js-v3-json sfn $((base + 3)) node --no-warnings "$here/drive_sfn_js.mjs"
[ "${1:-}" = sfn ] || capture js-v3-query-sns sns $((base + 4)) node --no-warnings "$here/drive_sns_js.mjs"
