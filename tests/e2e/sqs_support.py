"""Shared helpers for the SQS end-to-end scenarios (sqs_scenarios.py).

One sluice per run, started with --clock virtual: time moves only when a scenario calls
advance() (POST /_sluice/clock), so visibility timeouts, delays, long-poll expiries,
dedup windows and the PurgeQueue cool-down are checked in milliseconds. Every scenario
uses queues with fresh names, so moving the shared clock cannot disturb another one.

Expected values come from the AWS documentation and the botocore models, never from
Sluice. Where real AWS differs between protocols only in key presence (an empty list is
omitted from Query XML but may come back as [] in JSON), scenarios read with .get().
"""
import atexit
import hashlib
import json
import struct
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

from botocore.exceptions import ClientError

from sluice_harness import Server, sqs_protocol

PROTOCOL = sqs_protocol()
DEFAULT_ACCOUNT = "000000000000"  # sluice's --account-id default, used for non-numeric keys
REGION = "us-east-1"

# Message system attribute value in the X-Ray format AWS documents for AWSTraceHeader.
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


_server = None


def server():
    """The one sluice every scenario module shares, started on first use with the
    virtual clock and stopped when the interpreter exits."""
    global _server
    if _server is None:
        _server = Server("--clock", "virtual")
        atexit.register(_server.stop)
    return _server


# ---------------------------------------------------------------------------------------
# Helpers


def make_client(access_key="test", region=REGION, endpoint=None):
    """A boto3 SQS client pointed at the module's server with the given access key."""
    import boto3
    from botocore.config import Config

    cfg = Config(
        retries={"max_attempts": 1, "mode": "standard"},
        read_timeout=60,
        connect_timeout=5,
    )
    return boto3.client(
        "sqs",
        endpoint_url=endpoint or server().endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
        config=cfg,
    )


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def admin(path, body=None):
    """Call a /_sluice admin route; returns the decoded JSON body."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        server().endpoint + path,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"{}")


def advance(seconds):
    """Move the server's virtual clock forward."""
    admin("/_sluice/clock", {"advance": f"{seconds}s"})


def clock_ms():
    return int(admin("/_sluice/clock")["now_ms"])


def md5_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def _length_prefixed(b):
    return struct.pack(">I", len(b)) + b


def md5_of_attributes(attrs):
    """MD5OfMessageAttributes (and MD5OfMessageSystemAttributes) as AWS documents it
    ("Calculating the MD5 message digest for message attributes"): attributes sorted by
    name; for each, the 4-byte big-endian length and UTF-8 bytes of the name, then of
    the full data type (custom suffix included), then one transport byte (1 for String
    and Number, 2 for Binary), then the length and bytes of the value."""
    buf = bytearray()
    for name in sorted(attrs):
        attr = attrs[name]
        data_type = attr["DataType"]
        buf += _length_prefixed(name.encode("utf-8"))
        buf += _length_prefixed(data_type.encode("utf-8"))
        if data_type.split(".", 1)[0] == "Binary":
            buf += b"\x02" + _length_prefixed(bytes(attr["BinaryValue"]))
        else:
            buf += b"\x01" + _length_prefixed(attr["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(buf)).hexdigest()


class MoveTasks:
    """StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask.

    boto3 1.26 predates these operations (June 2023), so under the Query client they
    are sent as signed AWS Query requests by hand (the form the last Query model,
    botocore 1.31.80, defines) and the XML answer is read back into the shape boto3
    returns; errors are raised as the same ClientError boto3 raises."""

    def __init__(self, client, access_key="test"):
        self.client = client
        self.access_key = access_key
        self.native = hasattr(client, "start_message_move_task")

    def start(self, **params):
        if self.native:
            return self.client.start_message_move_task(**params)
        out = self._query("StartMessageMoveTask", params)
        return {"TaskHandle": out.findtext("TaskHandle")}

    def list(self, **params):
        if self.native:
            return self.client.list_message_move_tasks(**params)
        out = self._query("ListMessageMoveTasks", params)
        results = []
        for entry in out.findall("ListMessageMoveTasksResultEntry"):
            item = {}
            for child in entry:
                text = child.text or ""
                if child.tag in (
                    "ApproximateNumberOfMessagesMoved",
                    "ApproximateNumberOfMessagesToMove",
                    "MaxNumberOfMessagesPerSecond",
                    "StartedTimestamp",
                ):
                    item[child.tag] = int(text)
                else:
                    item[child.tag] = text
            results.append(item)
        return {"Results": results}

    def cancel(self, **params):
        if self.native:
            return self.client.cancel_message_move_task(**params)
        out = self._query("CancelMessageMoveTask", params)
        return {"ApproximateNumberOfMessagesMoved": int(out.findtext("ApproximateNumberOfMessagesMoved"))}

    def _query(self, action, params):
        status, body = signed_query({"Action": action, **params}, access_key=self.access_key)
        root = _parse_xml(body)
        if status != 200:
            err = root.find("Error") if root is not None else None
            if err is not None:
                error = {
                    "Code": err.findtext("Code"),
                    "Message": err.findtext("Message"),
                    "Type": err.findtext("Type"),
                }
            else:
                # Not an AWS Query error document: report the status, as botocore does.
                error = {"Code": str(status), "Message": body[:200].decode(errors="replace")}
            raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, action)
        result = root.find(f"{action}Result") if root is not None else None
        if result is None:
            raise AssertionError(f"{action}: no <{action}Result> in the Query response: {body[:300]}")
        return result


def signed_query(params, url=None, method="POST", access_key="test"):
    """Send one AWS Query request, SigV4-signed like an SDK would, to `url` (default
    the endpoint root; a queue URL addresses that queue) as a form body (POST) or a
    query string (GET). Returns (HTTP status, body bytes)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    form = {"Version": "2012-11-05"}
    form.update({k: str(v) for k, v in params.items()})
    encoded = urllib.parse.urlencode(form)
    url = url or server().endpoint + "/"
    if method == "GET":
        url = f"{url}?{encoded}"
        data, headers = None, {}
    else:
        data = encoded
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(Credentials(access_key, "secret"), "sqs", REGION).add_auth(request)
    http_req = urllib.request.Request(
        url,
        data=None if data is None else data.encode(),
        headers=dict(request.headers.items()),
        method=method,
    )
    try:
        with urllib.request.urlopen(http_req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _parse_xml(body):
    try:
        return strip_namespaces(ET.fromstring(body))
    except ET.ParseError:
        return None


def strip_namespaces(elem):
    for e in elem.iter():
        if "}" in e.tag:
            e.tag = e.tag.split("}", 1)[1]
    return elem


class SqsCase(unittest.TestCase):
    """Base: a client per test and small assertion helpers."""

    maxDiff = None

    def setUp(self):
        self.sqs = make_client()

    # -- queues
    def create(self, prefix="q", attributes=None, fifo=False, client=None, **kwargs):
        name = unique(prefix) + (".fifo" if fifo else "")
        attrs = dict(attributes or {})
        if fifo:
            attrs.setdefault("FifoQueue", "true")
        params = {"QueueName": name}
        if attrs:
            params["Attributes"] = attrs
        params.update(kwargs)
        url = (client or self.sqs).create_queue(**params)["QueueUrl"]
        return url

    def attrs(self, url, *names, client=None):
        names = list(names) or ["All"]
        return (client or self.sqs).get_queue_attributes(QueueUrl=url, AttributeNames=names).get(
            "Attributes", {}
        )

    def arn(self, url):
        return self.attrs(url, "QueueArn")["QueueArn"]

    # -- messages
    def receive(self, url, client=None, **kwargs):
        kwargs.setdefault("MaxNumberOfMessages", 10)
        return (client or self.sqs).receive_message(QueueUrl=url, **kwargs).get("Messages", [])

    def receive_all(self, url, expected, **kwargs):
        """Receive until `expected` messages came back (AWS short polls may return a
        subset) or a receive returns nothing; returns them in arrival order."""
        got = []
        for _ in range(expected + 3):
            batch = self.receive(url, **kwargs)
            if not batch:
                break
            got.extend(batch)
            if len(got) >= expected:
                break
        return got

    def counts(self, url):
        a = self.attrs(
            url,
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
        return (
            int(a["ApproximateNumberOfMessages"]),
            int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]),
        )

    # -- errors
    def assertError(self, code, fn, *args, status=None, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(*args, **kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual(code, err.get("Code"), f"error code; full error: {ctx.exception.response}")
        if status is not None:
            self.assertEqual(
                status,
                ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"],
                f"HTTP status of {code}",
            )
        return ctx.exception
