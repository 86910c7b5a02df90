#!/usr/bin/env python3
"""Loopback listener that records the exact bytes an SQS, SNS or Step Functions SDK sends.

    capture_server.py PORT OUT_DIR

Accepts keep-alive HTTP/1.1 connections on 127.0.0.1:PORT, writes every request,
byte for byte (request line, headers in the order and case the SDK used, body), to
OUT_DIR/NNN-<Action>.http, and answers with a minimal but valid response for the
action so the SDK call succeeds (SDKs check MD5OfMessageBody, so the digests here are
real). AWS JSON 1.0 is recognised by X-Amz-Target, AWS Query by the form body.
Stops after 60 s or at the first GetQueueUrl, ListStateMachines or ListTopics (the
drivers' last call, not recorded). Standard library only: runs under /usr/bin/python3 and pyenv python3 alike.
"""
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

QUERY_NS = "http://queue.amazonaws.com/doc/2012-11-05/"
RECEIVED_BODY = "captured-body"
STOP_ACTIONS = ("GetQueueUrl", "ListStateMachines", "ListTopics")


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def parse_request(raw_head):
    lines = raw_head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], headers


def json_reply(action, body):
    req = json.loads(body or b"{}")
    if action == "SendMessage":
        out = {"MessageId": "00000000-0000-0000-0000-000000000001",
               "MD5OfMessageBody": md5(req["MessageBody"])}
    elif action == "SendMessageBatch":
        out = {"Successful": [{"Id": e["Id"], "MessageId": "00000000-0000-0000-0000-%012d" % i,
                               "MD5OfMessageBody": md5(e["MessageBody"])}
                              for i, e in enumerate(req["Entries"])], "Failed": []}
    elif action == "ReceiveMessage":
        n = int(req.get("MaxNumberOfMessages", 1))
        out = {"Messages": [{"MessageId": "00000000-0000-0000-0000-%012d" % i,
                             "ReceiptHandle": "RH%d" % i, "Body": RECEIVED_BODY,
                             "MD5OfBody": md5(RECEIVED_BODY)} for i in range(n)]}
    elif action == "DeleteMessageBatch":
        out = {"Successful": [{"Id": e["Id"]} for e in req["Entries"]], "Failed": []}
    elif action == "GetQueueUrl":
        out = {"QueueUrl": "http://127.0.0.1/000000000000/" + req["QueueName"]}
    elif action in ("StartExecution", "StartSyncExecution"):
        arn = req["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":captured"
        out = {"executionArn": arn, "startDate": 1.8e9}
        if action == "StartSyncExecution":
            out.update({"stateMachineArn": req["stateMachineArn"], "name": "captured",
                        "stopDate": 1.8e9, "status": "SUCCEEDED", "input": req.get("input"),
                        "output": req.get("input")})
    else:
        out = {}
    return "application/x-amz-json-1.0", json.dumps(out)


def query_reply(action, form):
    def result(inner):
        return ('<?xml version="1.0"?><{a}Response xmlns="{ns}"><{a}Result>{inner}</{a}Result>'
                '<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>'
                '</ResponseMetadata></{a}Response>').format(a=action, ns=QUERY_NS, inner=inner)

    if action == "SendMessage":
        inner = ("<MessageId>00000000-0000-0000-0000-000000000001</MessageId>"
                 "<MD5OfMessageBody>%s</MD5OfMessageBody>" % md5(form["MessageBody"][0]))
    elif action == "SendMessageBatch":
        inner, i = "", 1
        while "SendMessageBatchRequestEntry.%d.Id" % i in form:
            inner += ("<SendMessageBatchResultEntry><Id>%s</Id><MessageId>%s</MessageId>"
                      "<MD5OfMessageBody>%s</MD5OfMessageBody></SendMessageBatchResultEntry>" % (
                          form["SendMessageBatchRequestEntry.%d.Id" % i][0], "m%d" % i,
                          md5(form["SendMessageBatchRequestEntry.%d.MessageBody" % i][0])))
            i += 1
    elif action == "ReceiveMessage":
        n = int(form.get("MaxNumberOfMessages", ["1"])[0])
        inner = "".join("<Message><MessageId>m%d</MessageId><ReceiptHandle>RH%d</ReceiptHandle>"
                        "<MD5OfBody>%s</MD5OfBody><Body>%s</Body></Message>" % (
                            i, i, md5(RECEIVED_BODY), RECEIVED_BODY) for i in range(n))
    elif action == "DeleteMessageBatch":
        inner, i = "", 1
        while "DeleteMessageBatchRequestEntry.%d.Id" % i in form:
            inner += "<DeleteMessageBatchResultEntry><Id>%s</Id></DeleteMessageBatchResultEntry>" % (
                form["DeleteMessageBatchRequestEntry.%d.Id" % i][0])
            i += 1
    elif action == "Publish":  # SNS: only the MessageId matters to the SDK
        inner = "<MessageId>00000000-0000-0000-0000-000000000001</MessageId>"
    elif action == "GetQueueUrl":
        inner = "<QueueUrl>http://127.0.0.1/000000000000/%s</QueueUrl>" % form["QueueName"][0]
    else:
        inner = ""
    return "text/xml", result(inner)


def serve_connection(conn, out_dir, counter, stop):
    buf = b""
    with conn:
        while not stop.is_set():
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, rest = buf.split(b"\r\n\r\n", 1)
            _, headers = parse_request(head)
            length = int(headers.get("content-length", "0"))
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                rest += chunk
            body, buf = rest[:length], rest[length:]
            target = headers.get("x-amz-target")
            if target:
                action = target.split(".", 1)[1]
                ctype, reply = json_reply(action, body)
            else:
                form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
                action = form.get("Action", ["Unknown"])[0]
                ctype, reply = query_reply(action, form)
            if action in STOP_ACTIONS:
                stop.set()
            else:
                with counter["lock"]:
                    counter["n"] += 1
                    n = counter["n"]
                with open(os.path.join(out_dir, "%03d-%s.http" % (n, action)), "wb") as f:
                    f.write(head + b"\r\n\r\n" + body)
            data = reply.encode()
            conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                          "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n\r\n" % (
                              ctype, len(data))).encode() + data)


def main():
    port, out_dir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    stop = threading.Event()
    counter = {"n": 0, "lock": threading.Lock()}
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    srv.settimeout(0.2)
    print("ready", flush=True)
    deadline = time.time() + 60
    while not stop.is_set() and time.time() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve_connection, args=(conn, out_dir, counter, stop),
                         daemon=True).start()
    srv.close()


if __name__ == "__main__":
    main()
