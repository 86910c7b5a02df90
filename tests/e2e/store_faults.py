"""SQLite faults under --data-dir: a locked database, a full disk, a read-only disk and a
corrupt file at startup.

A write that cannot be made durable is answered with ServiceUnavailable (503) and a log
line, never acknowledged; the server keeps serving and recovers when the fault goes; a
corrupt database is refused at startup with a message saying what to do. The disk
cases mount a small tmpfs and need root (skipped otherwise).
"""
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

from sluice_harness import Server, boto3_client, main, sluice_bin


def error_code(e):
    return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]


def can_mount():
    if os.geteuid() != 0:
        return False
    d = tempfile.mkdtemp(prefix="sluice-mnt-")
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", d],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", d])
    os.rmdir(d)
    return ok


class StoreFaults(unittest.TestCase):
    def test_a_database_locked_by_another_process(self):
        data = tempfile.mkdtemp(prefix="sluice-locked-")
        with Server("--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint, read_timeout=30)
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="before")
            # Another process takes the write lock and keeps it past sluice's 5 s wait.
            other = sqlite3.connect(os.path.join(data, "sluice.db"), timeout=1,
                                    isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")
            started = time.time()
            with self.assertRaises(ClientError) as e:
                sqs.send_message(QueueUrl=url, MessageBody="while locked")
            self.assertEqual(error_code(e.exception), ("ServiceUnavailable", 503))
            self.assertGreater(time.time() - started, 4)
            self.assertRegex(srv.log(), r"error \[store\] commit to .* failed: database is locked")
            other.execute("ROLLBACK")
            other.close()
            # The lock gone, writes are durable again, and the server never stopped.
            sqs.send_message(QueueUrl=url, MessageBody="after")
            self.assertTrue(srv.alive())
        with Server("--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            bodies = {m["Body"] for m in got}
            self.assertLessEqual({"before", "after"}, bodies)

    def test_a_corrupt_database_is_refused_at_startup(self):
        data = tempfile.mkdtemp(prefix="sluice-corrupt-")
        with Server("--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            sqs.create_queue(QueueName="q")
        db = os.path.join(data, "sluice.db")
        size = os.path.getsize(db)
        with open(db, "r+b") as f:  # keep the header, scramble the pages after it
            f.seek(100)
            f.write(os.urandom(max(size - 100, 8192)))
        r = subprocess.run([sluice_bin(), "--port", "0", "--data-dir", data],
                           capture_output=True, text=True, timeout=30)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        self.assertIn("cannot open the data directory", out)
        self.assertIn("move it aside", out)
        self.assertNotIn("listening on", out)
        # Not a database at all.
        with open(db, "wb") as f:
            f.write(b"this is not an SQLite database" * 100)
        r = subprocess.run([sluice_bin(), "--port", "0", "--data-dir", data],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("move it aside", r.stdout + r.stderr)

    @unittest.skipUnless(can_mount(), "needs root to mount a tmpfs")
    def test_a_full_disk_then_a_read_only_one(self):
        # (A disk turning read-only under a running server cannot be staged here: Linux
        # refuses to remount a file system read-only while sluice holds files open for
        # writing. Its writes fail in SQLite the same way as on a full disk.)
        mnt = tempfile.mkdtemp(prefix="sluice-tmpfs-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], check=True)
        self.addCleanup(os.rmdir, mnt)
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        data = os.path.join(mnt, "data")
        acknowledged = []
        with Server("--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            body = "x" * 200_000
            refused = None
            for i in range(40):  # 8 MB into 2 MB
                try:
                    sqs.send_message(QueueUrl=url, MessageBody=f"{i}:{body}")
                    acknowledged.append(i)
                except ClientError as e:
                    refused = error_code(e)
                    break
            self.assertEqual(refused, ("ServiceUnavailable", 503))
            self.assertRegex(srv.log(), r"error \[store\] commit to .* failed: database or disk is full")
            # Still serving: reads work, and the full disk keeps refusing writes.
            self.assertEqual(sqs.get_queue_url(QueueName="q")["QueueUrl"], url)
            with self.assertRaises(ClientError) as e:
                sqs.send_message(QueueUrl=url, MessageBody=f"again:{body}")
            self.assertEqual(error_code(e.exception), ("ServiceUnavailable", 503))
            self.assertTrue(srv.alive())
        # Every acknowledged message is there after a restart (with room made again).
        subprocess.run(["mount", "-o", "remount,size=16m", mnt], check=True)
        with Server("--data-dir", data) as srv:
            sqs = boto3_client("sqs", srv.endpoint)
            url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
            seen = set()
            for _ in range(10):
                for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             VisibilityTimeout=300).get("Messages", []):
                    seen.add(int(m["Body"].split(":", 1)[0]))
            self.assertLessEqual(set(acknowledged), seen)
        # A read-only data dir at startup is refused with a clear message.
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        r = subprocess.run([sluice_bin(), "--port", "0", "--data-dir", data],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("cannot open the data directory", r.stdout + r.stderr)


if __name__ == "__main__":
    main()
