"""Read a running node's state through its own Django settings, on either back-end, cheaply enough to poll.

`Node.query` starts a fresh `fediverse-node shell` per call (a Django start-up, ~1 s of CPU): polled during a
measurement it would take a core away from the node. A `Probe` starts one Python process in the node's environment
once, keeps its database connection, and runs each snippet there: a poll costs one query. The ORM picks the right
database (SQLite files with the inbox spool, or PostgreSQL), so the benchmarks never open a database themselves.
"""

import json
import subprocess
import sys
import time
from pathlib import Path


class Probe:
    """One long-lived Django process for a node; `probe.run(code)` execs code and returns its `result` as JSON."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.run("result = 1")  # waits for django.setup()

    def run(self, code: str, **names):
        """Exec `code` in the node's Django with `names` bound (JSON values); returns the value it left in `result`."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"code": code, "names": names}) + "\n")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"probe exited with {self.process.wait()}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"probe: {answer['error']}")
        return answer["result"]

    def wait_until(self, code: str, *, timeout: float, interval: float = 0.25, **names):
        """Run `code` every `interval` seconds until its result is truthy; returns it (or raises after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(code, **names)
            if value or time.monotonic() > deadline:
                break
            time.sleep(interval)
        if not value:
            raise TimeoutError(f"probe: no result after {timeout} s from {code!r} (last: {value!r})")
        return value

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> "Probe":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve() -> None:
    """The probe process: Django set up once, then one JSON request per line on stdin, one answer on stdout."""
    out = sys.stdout
    sys.stdout = sys.stderr  # anything the code prints must not mix with the answers
    import traceback

    import django

    django.setup()
    for line in sys.stdin:
        request = json.loads(line)
        namespace = dict(request["names"])
        try:
            exec(request["code"], namespace)
            answer = {"result": namespace.get("result")}
        except Exception:
            answer = {"error": traceback.format_exc()}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    sys.path.pop(0)  # run by path: bench/ itself (bench/streaming.py) must not shadow the project's modules
    _serve()
