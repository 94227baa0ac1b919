"""Real node processes for the federation and interop tests: `fediverse-node run` on a loopback address."""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("FEDINODE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("FEDINODE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _postgres():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True)
AS_JSON = "application/activity+json"


def free_loopback_address() -> tuple[str, int]:
    """A random 127.0.0.x address and a free port on it (distinct hosts make distinct domains)."""
    for _ in range(100):
        host = f"127.0.0.{random.randint(2, 250)}"
        with socket.socket() as probe:
            try:
                probe.bind((host, 0))
            except OSError:
                continue
            return host, probe.getsockname()[1]
    raise RuntimeError("no free loopback address")


class Node:
    """One node: its own data directory, domain (host:port) and processes."""

    def __init__(self, name: str = "node", *, env: dict | None = None):
        self.name = name
        self.host, self.port = free_loopback_address()
        self.domain = f"{self.host}:{self.port}"
        self.base = f"http://{self.domain}"
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"fedinode-{name}-"))
        self.env = {
            **os.environ,
            "FEDINODE_DOMAIN": self.domain,
            "FEDINODE_DATA_DIR": str(self.data_dir),
            "FEDINODE_INSECURE_HTTP": "1",
            "FEDINODE_DELIVERY_FIRST_RETRY": "1",
            # documents rendered per request: tests look right after a change (test_discovery_cache.py turns it on)
            "FEDINODE_DOCUMENT_CACHE_SECONDS": "0",
            "DJANGO_SETTINGS_MODULE": "fediverse_node.settings",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.database: str | None = None
        if os.environ.get("FEDINODE_TEST_BACKEND") == "postgres":
            self._use_postgres_and_redis()
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir / "node.log"

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run a `fediverse-node` command against this node's data."""
        return subprocess.run(
            [str(BIN / "fediverse-node"), *args], env=self.env, capture_output=True, text=True, timeout=120
        )

    def cli(self, *args: str) -> str:
        """Run a `fediverse-node` command and return its output; fail on a non-zero exit."""
        result = self.run_cli(*args)
        if result.returncode != 0:
            raise RuntimeError(f"fediverse-node {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout.strip()

    def query(self, code: str):
        """Evaluate Python in the node's Django (its models), printing JSON: for assertions on stored state."""
        out = self.cli("shell", "-c", f"import json\n{code}")
        return json.loads(out.splitlines()[-1])

    def start(self, *, demo: bool = False) -> "Node":
        args = [str(BIN / "fediverse-node"), "run", "--bind", self.domain]
        if not demo:
            args.append("--no-demo")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited:\n{self.log_text()}")
            try:
                if requests.get(f"{self.base}/.well-known/nodeinfo", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"node {self.name} did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()

    def _use_postgres_and_redis(self) -> None:
        """The scale-out back-end: a database of this node's own, and a Redis broker and cache under its prefix."""
        self.database = f"fedinode_{self.name.replace('-', '_')}_{uuid.uuid4().hex[:12]}"
        with _postgres() as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.env.update({
            "DATABASE_URL": f"{POSTGRES_URL}/{self.database}",
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "FEDINODE_REDIS_PREFIX": self.database,
        })

    def cleanup(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.database:
            with _postgres() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = None

    def actor_url(self, username: str) -> str:
        return f"{self.base}/actors/{username}"

    def get_json(self, url: str) -> dict:
        response = requests.get(url, headers={"Accept": AS_JSON}, timeout=10)
        response.raise_for_status()
        return response.json()


def process_stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def process_tree() -> dict[int, list[int]]:
    """Parent pid -> child pids of every living process, from /proc (psutil is not a dependency)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := process_stat(entry.name)) and fields[0] != "Z":
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def process_alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    fields = process_stat(pid)
    return fields is not None and fields[0] != "Z"


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.3, message: str = "condition"):
    """Poll predicate() until it returns something truthy; fail with message after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last value: {last!r})")
