"""Builds the Docker image with podman (docker/Dockerfile), runs it, and talks to it.

Labelled `container` in ctest. Needs root, podman, buildah, runc and debootstrap (the
setup script installs them when SLUICE_SETUP_CONTAINER=1, as CI does). Without podman
the test is skipped (exit 77). The recipe follows ../shared/CONTAINERS.md: runc as the
runtime, and a debian:bookworm-slim base image made with debootstrap when none exists.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMAGE = "localhost/sluice:test"
BASE = "docker.io/library/debian:bookworm-slim"
SKIP = 77


def run(cmd, check=True, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=check, text=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_podman_env():
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    conf.write(
        '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n'
        '[engine]\nruntime = "runc"\n'
    )
    conf.close()
    os.environ["CONTAINERS_CONF"] = conf.name


def ensure_base_image():
    if run(["podman", "image", "exists", BASE], check=False).returncode == 0:
        return
    rootfs = tempfile.mkdtemp(prefix="sluice-rootfs-")
    try:
        run(["debootstrap", "--variant=minbase", "bookworm", rootfs], stdout=subprocess.DEVNULL)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        run(["podman", "import", "-", "localhost/debian-bookworm-minbase:local"], stdin=tar.stdout)
        tar.wait()
        run(["podman", "tag", "localhost/debian-bookworm-minbase:local", BASE])
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def http_get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


class ContainerImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        setup_podman_env()
        ensure_base_image()
        start = time.time()
        run(["podman", "build", "-q", "--format", "docker", "-f", "docker/Dockerfile", "-t", IMAGE, "."], cwd=REPO)
        print(f"image built in {time.time() - start:.0f} s", flush=True)

    def test_image_is_small_nonroot_with_healthcheck(self):
        out = run(["podman", "image", "inspect", IMAGE], capture_output=True).stdout
        info = json.loads(out)[0]
        size_mb = info["Size"] / 1e6
        print(f"IMAGE SIZE: {size_mb:.1f} MB", flush=True)
        self.assertLess(size_mb, 40.0)
        cfg = info["Config"]
        self.assertEqual(cfg.get("User"), "10001:10001")
        self.assertIn("4566/tcp", cfg.get("ExposedPorts", {}))
        self.assertIn("/data", cfg.get("Volumes", {}))
        self.assertIn("SLUICE_HOST=0.0.0.0", cfg.get("Env", []))
        # podman reports it as "Healthcheck" at the top level; Docker under Config.
        health = (info.get("Healthcheck") or info.get("HealthCheck") or cfg.get("Healthcheck")
                  or {})
        self.assertIn("health", " ".join(health.get("Test", [])))

    def test_runs_and_serves_sqs(self):
        port = free_port()
        name = f"sluice-test-{port}"
        run(["podman", "run", "-d", "--rm", "--name", name, "--network=host",
             "-e", f"SLUICE_PORT={port}", IMAGE], capture_output=True)
        try:
            deadline = time.time() + 20
            body = None
            while time.time() < deadline:
                try:
                    status, body = http_get(f"http://127.0.0.1:{port}/_sluice/health")
                    if status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            self.assertIsNotNone(body, "the container never answered /_sluice/health")
            self.assertEqual(json.loads(body)["status"], "ok")
            # The image's own health check command works inside the container.
            hc = run(["podman", "exec", name, "/usr/local/bin/sluice", "health"],
                     capture_output=True, check=False)
            self.assertEqual(hc.returncode, 0, hc.stderr)
            # A real client: Debian's boto3 over AWS Query.
            client = subprocess.run(
                ["/usr/bin/python3", "-c", f"""
import boto3
sqs = boto3.client('sqs', endpoint_url='http://127.0.0.1:{port}', region_name='us-east-1',
                   aws_access_key_id='test', aws_secret_access_key='test')
url = sqs.create_queue(QueueName='container-q')['QueueUrl']
sqs.send_message(QueueUrl=url, MessageBody='hello from the host')
msgs = sqs.receive_message(QueueUrl=url).get('Messages', [])
assert msgs and msgs[0]['Body'] == 'hello from the host', msgs
print('queue url', url)
"""], capture_output=True, text=True)
            self.assertEqual(client.returncode, 0, client.stderr)
            self.assertIn(f"127.0.0.1:{port}/000000000000/container-q", client.stdout)
        finally:
            run(["podman", "stop", "-t", "5", name], check=False, capture_output=True)

    def start(self, *env, volumes=()):
        """A detached container on the host network; returns (name, port)."""
        port = free_port()
        name = f"sluice-test-{port}"
        cmd = ["podman", "run", "-d", "--rm", "--name", name, "--network=host",
               "-e", f"SLUICE_PORT={port}"]
        for e in env:
            cmd += ["-e", e]
        for v in volumes:
            cmd += ["-v", v]
        run(cmd + [IMAGE], capture_output=True)
        self.addCleanup(run, ["podman", "stop", "-t", "5", name], check=False,
                        capture_output=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if http_get(f"http://127.0.0.1:{port}/_sluice/health")[0] == 200:
                    return name, port
            except OSError:
                time.sleep(0.1)
        logs = run(["podman", "logs", name], check=False, capture_output=True)
        self.fail(f"the container never answered:\n{logs.stdout}{logs.stderr}")

    def test_e2e_suites_against_the_container(self):
        """The SQS scenario suite over both protocols, run against the image instead of a
        local binary (the harness's SLUICE_EXTERNAL_ENDPOINT)."""
        _, port = self.start("SLUICE_CLOCK=virtual")
        suites = [("/usr/bin/python3", "sqs_boto3_query.py")]
        py_json = os.environ.get("SLUICE_PYTHON_JSON", "")
        if os.path.exists(py_json):
            suites.append((py_json, "sqs_boto3_json.py"))
        e2e = os.path.join(REPO, "tests", "e2e")
        for python, script in suites:
            with self.subTest(script):
                env = dict(os.environ, SLUICE_EXTERNAL_ENDPOINT=f"http://127.0.0.1:{port}",
                           SLUICE_BIN="/nonexistent", PYTHONPATH=e2e)
                r = subprocess.run([python, os.path.join(e2e, script)], capture_output=True,
                                   text=True, env=env, cwd=e2e, timeout=600)
                tail = "\n".join(r.stderr.splitlines()[-5:])
                print(f"{script} against the container: {tail}", flush=True)
                self.assertEqual(r.returncode, 0, r.stderr[-4000:])

    def test_readme_examples_and_the_compose_layout(self):
        """docker/compose.yaml's setup: examples/ mounted as /init, SLUICE_INIT, a data
        volume; the README's examples run against it from the host, and an application
        container reaches it by service name and uses the queue URL it is given."""
        sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
        import docs_examples
        data = tempfile.mkdtemp(prefix="sluice-data-")
        os.chmod(data, 0o777)
        self.addCleanup(shutil.rmtree, data, True)
        name, port = self.start("SLUICE_INIT=/init/init.json", "SLUICE_DATA_DIR=/data",
                                volumes=[f"{REPO}/examples:/init:ro", f"{data}:/data"])
        ran = docs_examples.run_examples(self, f"http://127.0.0.1:{port}")
        print("examples run against the container:", ", ".join(ran), flush=True)
        # The "app" container: resolves `sluice` by name (as a compose network would) and
        # reads the queue through the URL the server hands to a client on that side.
        app = ["podman", "run", "--rm", "--network=host", "--add-host", "sluice:127.0.0.1",
               IMAGE, "--host", "sluice", "--port", str(port)]
        r = run(app + ["wait", "10s"], capture_output=True, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"sluice at sluice:{port} is ready", r.stderr)
        url = subprocess.run(
            ["/usr/bin/python3", "-c", f"""
import urllib.request, re
req = urllib.request.Request('http://127.0.0.1:{port}/',
    data=b'Action=GetQueueUrl&QueueName=orders&Version=2012-11-05',
    headers={{'Host': 'sluice:{port}'}})
body = urllib.request.urlopen(req, timeout=5).read().decode()
print(re.search('<QueueUrl>(.*)</QueueUrl>', body).group(1))
"""], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(url, f"http://sluice:{port}/000000000000/orders")
        r = run(app + ["peek", url], capture_output=True, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Messages", json.loads(r.stdout))
        # The compose file describes this layout.
        with open(os.path.join(REPO, "docker", "compose.yaml")) as f:
            compose = f.read()
        for needle in ("SLUICE_INIT: /init/init.json", "../examples:/init:ro",
                       "AWS_ENDPOINT_URL: http://sluice:4566", "condition: service_healthy"):
            self.assertIn(needle, compose)


if __name__ == "__main__":
    if os.geteuid() != 0 or not shutil.which("podman") or not shutil.which("debootstrap"):
        print("SKIP: needs root, podman and debootstrap (SLUICE_SETUP_CONTAINER=1 scripts/setup.sh)")
        sys.exit(SKIP)
    unittest.main(verbosity=2)
