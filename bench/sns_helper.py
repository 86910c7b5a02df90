#!/usr/bin/env python3
"""Setup and polling calls of bench/sns.sh (standard library only; not timed).

    sns_helper.py setup TARGET NAME N QUEUE_LIST   create topic NAME and N standard queues
                                                   NAME-q0..; subscribe each (protocol sqs,
                                                   raw delivery off: the default); write the
                                                   queue URLs to QUEUE_LIST; print the topic ARN
    sns_helper.py depth TARGET QUEUE_LIST          print visible, in-flight and their sum over
                                                   the queues (ApproximateNumberOfMessages[NotVisible])
    sns_helper.py wait TARGET QUEUE_LIST EXPECTED TIMEOUT_S
                                                   poll the sum until it reaches EXPECTED or stops
                                                   moving for 3 s; print "reached=0|1 total=T seconds=S"
    sns_helper.py sample TARGET QUEUE_URL          one message of the queue left visible
                                                   (VisibilityTimeout 0): its envelope's keys and Type
SNS calls are AWS Query (form bodies, XML answers), SQS calls AWS JSON 1.0: both servers
speak these.
"""
import http.client
import json
import re
import sys
import time
import urllib.parse


class Client:
    def __init__(self, target):
        host, port = target.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)

    def _post(self, headers, body):
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", body=body.encode(), headers=headers)
                r = self.conn.getresponse()
                data = r.read().decode()
                if r.status != 200:
                    sys.exit("HTTP %d: %s" % (r.status, data[:500]))
                return data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise

    def sqs(self, action, req):
        return json.loads(self._post({"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": "AmazonSQS." + action}, json.dumps(req)))

    def sns(self, action, params):
        params = dict(params, Action=action, Version="2010-03-31")
        return self._post({"Content-Type": "application/x-www-form-urlencoded"},
                          urllib.parse.urlencode(params))


def xml_value(xml, name):
    m = re.search(r"<%s>([^<]*)</%s>" % (name, name), xml)
    if not m:
        sys.exit("no <%s> in %s" % (name, xml[:500]))
    return m.group(1)


def read_list(path):
    return [line.strip() for line in open(path) if line.strip()]


def depth(c, queues):
    visible = inflight = 0
    for q in queues:
        a = c.sqs("GetQueueAttributes", {"QueueUrl": q, "AttributeNames": [
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]})["Attributes"]
        visible += int(a["ApproximateNumberOfMessages"])
        inflight += int(a.get("ApproximateNumberOfMessagesNotVisible", 0))
    return visible, inflight


def main():
    cmd, target = sys.argv[1], sys.argv[2]
    c = Client(target)
    if cmd == "setup":
        name, n, out = sys.argv[3], int(sys.argv[4]), sys.argv[5]
        topic = xml_value(c.sns("CreateTopic", {"Name": name}), "TopicArn")
        urls = []
        for i in range(n):
            url = c.sqs("CreateQueue", {"QueueName": "%s-q%d" % (name, i)})["QueueUrl"]
            arn = c.sqs("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["QueueArn"]})[
                "Attributes"]["QueueArn"]
            c.sns("Subscribe", {"TopicArn": topic, "Protocol": "sqs", "Endpoint": arn})
            urls.append(url)
        subs = c.sns("ListSubscriptionsByTopic", {"TopicArn": topic}).count("<SubscriptionArn>")
        if subs != n:
            sys.exit("topic has %d subscriptions, expected %d" % (subs, n))
        with open(out, "w") as f:
            f.write("".join(u + "\n" for u in urls))
        print(topic)
    elif cmd == "depth":
        v, i = depth(c, read_list(sys.argv[3]))
        print("visible=%d inflight=%d total=%d" % (v, i, v + i))
    elif cmd == "wait":
        queues, expected, timeout = read_list(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
        t0 = time.time()
        last, last_change = -1, t0
        while True:
            v, i = depth(c, queues)
            total, now = v + i, time.time()
            if total != last:
                last, last_change = total, now
            if total >= expected or now - last_change > 3 or now - t0 > timeout:
                break
            time.sleep(0.05)
        # seconds: when the sum last changed (or reached the expected count), from the start
        print("reached=%d total=%d seconds=%.3f" % (int(total >= expected), total, last_change - t0))
    elif cmd == "sample":
        msgs = c.sqs("ReceiveMessage", {"QueueUrl": sys.argv[3], "MaxNumberOfMessages": 1,
                                        "VisibilityTimeout": 0}).get("Messages", [])
        if not msgs:
            print("sample: queue empty")
            return
        body = msgs[0]["Body"]
        try:
            env = json.loads(body)
            print("sample envelope: Type=%s keys=%s Message=%d bytes" % (
                env.get("Type"), ",".join(sorted(env)), len(env.get("Message", ""))))
        except ValueError:
            print("sample: not JSON (raw delivery?): %d bytes" % len(body))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
