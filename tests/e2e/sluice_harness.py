"""Start and stop a real sluice binary for end-to-end tests.

Used by every tests/e2e/*.py script, under Debian's /usr/bin/python3 (boto3 1.26,
AWS Query for SQS) and the image's pyenv python3 (boto3 1.43, AWS JSON for SQS).
The binary is $SLUICE_BIN; it binds 127.0.0.1 on a free port (--port 0) and the test
reads the port from its first log line. Every server started is stopped (SIGTERM) by
the test that started it.
"""
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

LISTEN_RE = re.compile(r"listening on http://(\[[^\]]+\]|[^:\s]+):(\d+)")


def sluice_bin():
    path = os.environ.get("SLUICE_BIN")
    if not path:
        raise RuntimeError("SLUICE_BIN is not set (ctest sets it)")
    return path


class Server:
    """A running sluice. Use as a context manager or call stop().

    With SLUICE_EXTERNAL_ENDPOINT set (the container test runs suites against the image
    this way), no process is started: the object points at that server, whose settings
    must be what the suite asks for (e.g. SLUICE_CLOCK=virtual), and stop() leaves it
    running."""

    def __init__(self, *args, env=None, timeout=10.0):
        external = os.environ.get("SLUICE_EXTERNAL_ENDPOINT")
        if external:
            self.proc = None
            self.log_file = None
            self.endpoint = external.rstrip("/")
            self.port = int(self.endpoint.rsplit(":", 1)[1])
            return
        self.args = [sluice_bin(), "--port", "0", "--host", "127.0.0.1", *args]
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.log_file = tempfile.NamedTemporaryFile(prefix="sluice-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            self.args, stdout=self.log_file, stderr=subprocess.STDOUT, env=full_env
        )
        self.port = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.log()
            m = LISTEN_RE.search(text)
            if m:
                self.port = int(m.group(2))
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"sluice exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.005)
        if self.port is None:
            self.proc.kill()
            raise RuntimeError(f"sluice did not report its port in {timeout}s:\n{self.log()}")
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def log(self):
        if self.proc is None:
            return ""
        with open(self.log_file.name, "r", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc is None or self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.log_file.name)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def raw_request(port, data, timeout=5.0, read=True):
    """Send raw bytes on a new connection; return everything the server sends back
    until it closes the connection or the timeout passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        with contextlib.suppress(socket.timeout, ConnectionResetError):
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)


def boto3_client(service, endpoint, region="us-east-1", **kwargs):
    """A boto3 client pointed at sluice with dummy credentials."""
    import boto3
    from botocore.config import Config

    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, **kwargs)
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=cfg,
    )


def sqs_protocol():
    """'query' for botocore < 1.31.81 (Debian's), 'json' after."""
    import botocore

    major, minor, patch = (int(x) for x in botocore.__version__.split(".")[:3])
    return "json" if (major, minor, patch) >= (1, 31, 81) else "query"


def main():
    """Run the unittest cases of the calling module with verbose output."""
    unittest.main(module="__main__", verbosity=2, argv=[sys.argv[0]])
