#!/usr/bin/env python3
"""Turn one client's captured requests into loadgen templates.

    make_templates.py CAPTURE_DIR PORT OUT_DIR [sqs|sfn|sns]

The drivers make their calls in a fixed order (capture.sh); each capture becomes
OUT_DIR/<name>.http with the values the load generator fills in replaced by
placeholders: {{HOST}}, {{QUEUE_URL}} (form-encoded in Query bodies: the load
generator encodes per protocol), {{BODY}} (one per message), {{RH0}}..{{RH9}} (receipt
handles), {{STATE_MACHINE_ARN}} and {{INPUT}} (Step Functions; JSON-escaped by the load
generator), {{TOPIC_ARN}} (SNS; form-encoded like {{QUEUE_URL}}) and {{CONTENT_LENGTH}}.
Everything else (header order and case, User-Agent, X-Amz-Date, Authorization,
invocation ids) stays exactly as the SDK sent it.
"""
import os
import re
import sys
import urllib.parse

NAMES = (["SendMessage", "ReceiveMessage-1", "ReceiveMessage-10", "DeleteMessage",
          "SendMessageBatch-10"] + ["DeleteMessageBatch-%d" % k for k in range(1, 11)])

SFN_NAMES = ["StartExecution", "StartSyncExecution"]

SNS_NAMES = ["Publish"]

cap_dir, port, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
if len(sys.argv) > 4 and sys.argv[4] == "sfn":
    NAMES = SFN_NAMES
if len(sys.argv) > 4 and sys.argv[4] == "sns":
    NAMES = SNS_NAMES
files = sorted(f for f in os.listdir(cap_dir) if f.endswith(".http"))
if len(files) != len(NAMES):
    sys.exit("expected %d captured requests, found %d" % (len(NAMES), len(files)))
os.makedirs(out_dir, exist_ok=True)
host = "127.0.0.1:%s" % port
queue_url = "http://%s/000000000000/sluice-bench" % host
for name, fname in zip(NAMES, files):
    action = name.split("-")[0]
    if not fname.endswith("-%s.http" % action):
        sys.exit("capture %s is not %s" % (fname, action))
    raw = open(os.path.join(cap_dir, fname), "rb").read().decode("latin-1")
    head, body = raw.split("\r\n\r\n", 1)
    for url in (queue_url, urllib.parse.quote(queue_url, safe="")):
        body = body.replace(url, "{{QUEUE_URL}}")
    body = re.sub(r"BODYMARKER\d", "{{BODY}}", body)
    body = re.sub(r"RHMARKER(\d)", r"{{RH\1}}", body)
    body = re.sub(r"arn:aws:states:[^\"]*:stateMachine:SMARNMARKER\w+", "{{STATE_MACHINE_ARN}}",
                  body)
    body = body.replace("INPUTMARKER", "{{INPUT}}")
    body = re.sub(r"arn(?::|%3A)aws(?::|%3A)sns(?::|%3A)[^&]*TOPICARNMARKER", "{{TOPIC_ARN}}", body)
    head = head.replace(host, "{{HOST}}")
    head, n = re.subn(r"(?im)^(content-length:[ \t]*)\d+", r"\1{{CONTENT_LENGTH}}", head)
    if n != 1:
        sys.exit("no Content-Length in " + fname)
    with open(os.path.join(out_dir, name + ".http"), "wb") as f:
        f.write((head + "\r\n\r\n" + body).encode("latin-1"))
print("wrote %d templates to %s" % (len(NAMES), out_dir))
