"""The README's examples, run as a user would run them.

examples/ holds the AWS CLI, boto3 and JS SDK v3 examples and the init file they rely
on; the README shows each file verbatim (checked here, so the two cannot drift). Each
example runs against a sluice started with `--init examples/init.json`: the CLI script
with Debian's awscli, the boto3 script with both boto3 generations (SQS Query and SQS
JSON), the JS script with the pinned SDK v3. The container test runs the same examples
against the image (run_examples).
"""
import os
import subprocess
import unittest

from sluice_harness import Server, main

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples")
NODE_MODULES = os.path.join(ROOT, "tests", "e2e", "js", "node_modules")

# file -> what it prints
EXPECTED = {
    "cli.sh": "order 42\n",
    "boto3_example.py": "order 7\nnext day\n",
    "js_example.js": "order 9\nin a week\n",
}


def commands():
    """(label, argv, file) for every example and client that runs it."""
    out = [("aws cli", ["/bin/sh", os.path.join(EXAMPLES, "cli.sh")], "cli.sh"),
           ("boto3 1.26 (SQS Query)", ["/usr/bin/python3", os.path.join(EXAMPLES, "boto3_example.py")],
            "boto3_example.py")]
    py_json = os.environ.get("SLUICE_PYTHON_JSON", "")
    if os.path.exists(py_json):
        out.append(("boto3 >= 1.31.81 (SQS JSON)", [py_json, os.path.join(EXAMPLES, "boto3_example.py")],
                    "boto3_example.py"))
    node = os.environ.get("SLUICE_NODE", "")
    if os.path.exists(node) and os.path.isdir(NODE_MODULES):
        out.append(("JS SDK v3", [node, os.path.join(EXAMPLES, "js_example.js")], "js_example.js"))
    return out


def run_examples(test, endpoint, reset=None):
    """Run every example against `endpoint` (a server started with examples/init.json);
    `reset` is called between examples when the server's state is shared."""
    ran = []
    for label, argv, name in commands():
        with test.subTest(label):
            env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, NODE_PATH=NODE_MODULES,
                       PATH="/usr/bin:/bin:" + os.environ.get("PATH", ""))
            r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env,
                               cwd=ROOT)
            test.assertEqual(r.returncode, 0, f"{label}: {r.stderr}")
            test.assertEqual(r.stdout, EXPECTED[name], f"{label}: {r.stderr}")
            ran.append(label)
    return ran


class ReadmeExamples(unittest.TestCase):
    def test_the_readme_shows_each_example_verbatim(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        for name in ["init.json", "cli.sh", "boto3_example.py", "js_example.js"]:
            with open(os.path.join(EXAMPLES, name)) as f:
                text = f.read()
            self.assertTrue("\n" + text.rstrip("\n") + "\n```" in readme,
                            f"README.md does not show examples/{name} as it is")
        with open(os.path.join(ROOT, "docs", "init.md")) as f:
            schema_doc = f.read()
        with open(os.path.join(EXAMPLES, "init.json")) as f:
            self.assertTrue(f.read() + "```" in schema_doc,
                            "docs/init.md does not show examples/init.json as it is")

    def test_every_client_runs_its_example(self):
        for label, argv, _ in commands():
            with self.subTest(label), Server("--init", os.path.join(EXAMPLES, "init.json")) as srv:
                env = dict(os.environ, AWS_ENDPOINT_URL=srv.endpoint, NODE_PATH=NODE_MODULES)
                r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env,
                                   cwd=ROOT)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout, EXPECTED[os.path.basename(argv[-1])], r.stderr)
        labels = [c[0] for c in commands()]
        # CI has every client; a machine without the pyenv python or node runs fewer.
        if os.environ.get("CI"):
            self.assertEqual(len(labels), 4, labels)


if __name__ == "__main__":
    main()
