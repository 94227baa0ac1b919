"""Real node processes for the federation and interop tests: `fediverse-node run` on a loopback address.

Sized for tests (tests/conftest.py sets one web and one Celery worker process unless a test asks for more), started
on a copy of a migrated database (tests/node_templates.py), and read through one long-lived probe process per node
(tests/node_probe.py) instead of a Django start-up per `query` or `cli`.
"""

import contextlib
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from operations.forking import ChildProcess
from tests import node_templates
from tests.node_templates import POSTGRES_URL, REDIS_URL, _postgres

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent  # on the nodes' PYTHONPATH: the suite's read tests/node_settings.py
NODE_SETTINGS_VARIABLE = "FEDINODE_TEST_NODE_SETTINGS"
PROBE = Path(__file__).resolve().parent / "node_probe.py"
ZYGOTE = Path(__file__).resolve().parent / "node_zygote.py"
# FEDINODE_TEST_ZYGOTE=0 starts each node process as a fresh interpreter instead (tests/node_zygote.py)
ZYGOTE_VARIABLE = "FEDINODE_TEST_ZYGOTE"
CLI_TIMEOUT = 120
# Commands that always run as a real `fediverse-node` process: they replace the data or run the node itself.
REAL_PROCESS_COMMANDS = {"run", "backup", "restore"}
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


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Node:
    """One node: its own data directory, domain (host:port) and processes."""

    def __init__(self, name: str = "node", *, env: dict | None = None):
        self.name = name
        self.host, self.port = free_loopback_address()
        self.domain = f"{self.host}:{self.port}"
        self.base = f"http://{self.domain}"
        self.streaming_port = _free_port(self.host)  # the streaming process (granian ASGI) listens beside the web
        self.streaming_base = f"http://{self.host}:{self.streaming_port}"
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"fedinode-{name}-"))
        self.env = {
            **os.environ,
            "FEDINODE_DOMAIN": self.domain,
            "FEDINODE_DATA_DIR": str(self.data_dir),
            "FEDINODE_INSECURE_HTTP": "1",
            "FEDINODE_STREAMING_BIND": f"{self.host}:{self.streaming_port}",
            "FEDINODE_STREAMING_URL": f"ws://{self.host}:{self.streaming_port}",
            "FEDINODE_DELIVERY_FIRST_RETRY": "1",
            # documents rendered per request: tests look right after a change (test_discovery_cache.py turns it on)
            "FEDINODE_DOCUMENT_CACHE_SECONDS": "0",
            # the suite's nodes read tests/node_settings.py (tests/conftest.py); benchmarks' nodes, the node's own
            "DJANGO_SETTINGS_MODULE": os.environ.get(NODE_SETTINGS_VARIABLE, "fediverse_node.settings"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.database: str | None = None
        # "empty" until a command or a start uses the database: a start then puts the migrated template in its place
        self._database_state = "empty"
        if os.environ.get("FEDINODE_TEST_BACKEND") == "postgres":
            self._use_postgres_and_redis()
        self.process: subprocess.Popen | ForkedProcess | None = None
        self.log_path = self.data_dir / "node.log"
        self._probe: subprocess.Popen | ForkedProcess | None = None
        self._probe_env: dict | None = None
        self._probe_lock = threading.Lock()

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run a real `fediverse-node` process against this node's data (exit code and output as a user sees them)."""
        self._database_state = "used"
        return command_run([str(BIN / "fediverse-node"), *args], env=self.env)

    def cli(self, *args: str) -> str:
        """Run a `fediverse-node` command (in the node's probe) and return its output; fail on a non-zero exit."""
        if args and args[0] in REAL_PROCESS_COMMANDS:
            result = self.run_cli(*args)
        else:
            result = self._probe_run(list(args))
        if result.returncode != 0:
            raise RuntimeError(f"fediverse-node {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout.strip()

    def query(self, code: str):
        """Evaluate Python in the node's Django (its models), printing JSON: for assertions on stored state."""
        out = self.cli("shell", "-c", f"import json\n{code}")
        return json.loads(out.splitlines()[-1])

    def start(self, *, demo: bool = False, run_options: tuple[str, ...] = ()) -> "Node":
        """`fediverse-node run` on this node's address; run_options are passed on (`--no-worker`, …)."""
        if self._database_state == "empty":
            self.database_from_template()
        args = [str(BIN / "fediverse-node"), "run", "--bind", self.domain, *run_options]
        if not demo:
            args.append("--no-demo")
        self.log = open(self.log_path, "wb")
        self.process = process_start("cli", args, env=self.env, stdout=self.log.fileno(), stderr=self.log.fileno())
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited:\n{self.log_text()}")
            try:
                if requests.get(f"{self.base}/.well-known/nodeinfo", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"node {self.name} did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        text = self.log_path.read_text(errors="replace")[-20000:] if self.log_path.exists() else ""
        probe_log = self.data_dir / "probe.log"
        if probe_log.exists() and probe_log.stat().st_size:
            text += "\n--- probe ---\n" + probe_log.read_text(errors="replace")[-5000:]
        return text

    def stop(self, *, wait: bool = True) -> None:
        """SIGTERM to the node's supervisor, and (with wait) its end; stop(wait=False) on several nodes first lets
        them wind down side by side."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            if not wait:
                return
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()

    def kill(self) -> None:
        """End the node and what it started at once (SIGKILL), for a test's end when its data is thrown away next:
        a graceful stop waits for each Celery worker's poll of the broker (up to 2 s) and for work in flight.
        `run`'s children lead process groups of their own (granian's workers are in the web server's group)."""
        if self.process and self.process.poll() is None:
            tree = process_tree()
            groups = tree.get(self.process.pid, [])
            self.process.kill()
            for group in groups:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, signal.SIGKILL)
            self.process.wait()
            if isinstance(self.process, ForkedProcess):
                orphans_reap(descendants(tree, self.process.pid))
        if getattr(self, "log", None):
            self.log.close()

    def _use_postgres_and_redis(self) -> None:
        """The scale-out back-end: a database of this node's own, and a Redis broker and cache under its prefix."""
        self.database = f"fedinode_{self.name.replace('-', '_')}_{uuid.uuid4().hex[:12]}"
        node_templates.postgres_database_create(self.database, from_template=False)
        self.env.update({
            "DATABASE_URL": f"{POSTGRES_URL}/{self.database}",
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "FEDINODE_REDIS_PREFIX": self.database,
        })

    def database_from_template(self) -> None:
        """A copy of the migrated template in place of the empty database the node was made with, so that `run`
        finds nothing to migrate. Only while nothing used the database: a restore or a test of the migrations
        themselves keeps what it made."""
        self._database_state = "used"
        # Asked of the database itself: a test may have run a command of its own in the node's environment (a seed,
        # a createorg through subprocess) that the node object never saw.
        if self.database:
            if node_templates.postgres_database_is_empty(self.database):
                node_templates.postgres_database_create(self.database, from_template=True, replace=True)
        elif not (self.data_dir / "db.sqlite3").exists():
            node_templates.sqlite_files_copy(self.data_dir)
        if not (self.data_dir / node_templates.STATIC / "staticfiles.json").exists():
            node_templates.static_files_copy(self.data_dir)

    def _probe_run(self, argv: list[str]) -> subprocess.CompletedProcess:
        """One command in the node's probe (started on first use, and again when the node's environment changed)."""
        with self._probe_lock:
            if self._probe is None or self._probe.poll() is not None or self._probe_env != self.env:
                self._probe_start()
            assert self._probe.stdin and self._probe.stdout
            self._probe.stdin.write(json.dumps(argv) + "\n")
            self._probe.stdin.flush()
            answer = self._probe_answer()
        return subprocess.CompletedProcess(["fediverse-node", *argv], answer["returncode"], answer["stdout"], answer["stderr"])

    def _probe_start(self) -> None:
        self._probe_stop()
        self._database_state = "used"
        self._probe_env = dict(self.env)
        with open(self.data_dir / "probe.log", "ab") as log:
            self._probe = process_start("probe", [sys.executable, str(PROBE)], env=self._probe_env, stderr=log.fileno(),
                                        pipes=True)
        self._probe_answer()  # {"ready": true} once Django is set up

    def _probe_answer(self) -> dict:
        """The probe's next answer line; a probe that hangs or dies is ended and reported."""
        assert self._probe and self._probe.stdout
        ready, _, _ = select.select([self._probe.stdout], [], [], CLI_TIMEOUT)
        line = self._probe.stdout.readline() if ready else ""
        if not line:
            self._probe_stop()
            raise RuntimeError(f"the probe of node {self.name} did not answer:\n{self.log_text()}")
        return json.loads(line)

    def _probe_stop(self) -> None:
        probe, self._probe = self._probe, None
        if probe is None:
            return
        if probe.poll() is None:
            probe.stdin.close()
            try:
                probe.wait(timeout=10)
            except subprocess.TimeoutExpired:
                probe.kill()
                probe.wait()
        probe.stdout.close()

    def cleanup(self) -> None:
        with self._probe_lock:
            self._probe_stop()
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


class ForkedProcess(ChildProcess):
    """A node process started by the zygote and handed to this test process (a subreaper), which waits for it; with
    what the harness also asks of subprocess.Popen: kill(), and the probe's stdin and stdout."""

    def __init__(self, pid: int, args: list[str], stdin=None, stdout=None):
        self.pid, self.args, self.stdin, self.stdout = pid, args, stdin, stdout

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class _Zygote:
    """This test process's zygote (tests/node_zygote.py), started on first use."""

    PR_SET_CHILD_SUBREAPER = 36

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.channel: socket.socket | None = None

    def start(self, main: str, argv: list[str], env: dict, fds: list[int]) -> int:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self._begin()
            assert self.channel is not None
            request = json.dumps({"main": main, "argv": argv, "env": env, "cwd": os.getcwd()}).encode()
            socket.send_fds(self.channel, [request], fds)
            ready, _, _ = select.select([self.channel], [], [], CLI_TIMEOUT)
            answer = self.channel.recv(4096) if ready else b""
        if not answer:
            raise RuntimeError("the node zygote did not answer (tests/node_zygote.py)")
        return json.loads(answer)["pid"]

    def _begin(self) -> None:
        import ctypes

        # the zygote's children are handed to this process when their middle process ends: it waits for them
        if ctypes.CDLL(None, use_errno=True).prctl(self.PR_SET_CHILD_SUBREAPER, 1) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               "PYTHONUNBUFFERED": "1"}
        env.pop("DJANGO_SETTINGS_MODULE", None)  # each child sets its node's own
        self.process = subprocess.Popen([sys.executable, str(ZYGOTE), str(theirs.fileno())], env=env,
                                        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.channel = ours


_zygote = _Zygote()


def process_start(main: str, args: list[str], *, env: dict, stdout: int | None = None, stderr: int | None = None,
                  pipes: bool = False) -> "subprocess.Popen | ForkedProcess":
    """A node process: `fediverse-node …` (main "cli") or the probe (main "probe", pipes=True for its stdin and
    stdout), forked by the zygote, or a fresh interpreter when FEDINODE_TEST_ZYGOTE=0 or off Linux."""
    if not _zygote_wanted():
        if pipes:
            return subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                    text=True, bufsize=1)
        return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
    opened: list[int] = []
    try:
        if pipes:
            stdin_read, stdin_write = os.pipe()
            stdout_read, stdout_write = os.pipe()
            opened += [stdin_read, stdin_write, stdout_read, stdout_write]
            child_fds = [stdin_read, stdout_write, stderr if stderr is not None else 2]
        else:
            null = os.open(os.devnull, os.O_RDWR)
            opened.append(null)
            child_fds = [null, stdout if stdout is not None else 1, stderr if stderr is not None else 2]
        pid = _zygote.start(main, args, env, child_fds)
    except BaseException:
        for fd in opened:
            os.close(fd)
        raise
    if not pipes:
        os.close(null)
        return ForkedProcess(pid, args)
    os.close(stdin_read)
    os.close(stdout_write)
    return ForkedProcess(pid, args, stdin=os.fdopen(stdin_write, "w", buffering=1),
                         stdout=os.fdopen(stdout_read, "r"))


def command_run(args: list[str], *, env: dict, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
    """A one-off `fediverse-node …` (args[0] its path) with its exit code and output as the command line gives them,
    forked by the zygote like the node's own processes (a fresh interpreter when FEDINODE_TEST_ZYGOTE=0)."""
    if not _zygote_wanted():
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = process_start("cli", args, env=env, stdout=out.fileno(), stderr=err.fileno())
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(args, process.returncode, out.read().decode(errors="replace"),
                                           err.read().decode(errors="replace"))


def _zygote_wanted() -> bool:
    return os.environ.get(ZYGOTE_VARIABLE, "1") != "0" and sys.platform == "linux"


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


def descendants(tree: dict[int, list[int]], pid: int) -> list[int]:
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += tree.get(child, [])
    return found


def orphans_reap(pids: list[int], *, timeout: float = 5) -> None:
    """Wait for killed processes that were handed to this process (a subreaper, see _Zygote) when their parent died
    first, so that no zombie of theirs is left in its process table."""
    deadline = time.monotonic() + timeout
    left = set(pids)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    left.discard(pid)
            except ChildProcessError:  # not (yet) handed to this process: its parent may still be dying
                if process_stat(pid) is None:  # gone, reaped by its own parent
                    left.discard(pid)
        if left:
            time.sleep(0.02)


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


def process_title(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def node_children(node, *titles: bytes) -> list[int]:
    """The processes `run` forked whose title starts with one of titles. Each is named fedinode-<role> when forked
    (web, stream, work0, beat); Celery then names its own: "[celeryd: worker0@host:MainProcess] …", "[celery beat]"."""
    return [pid for pid in process_tree().get(node.process.pid, []) if process_title(pid).startswith(titles)]


def streaming_processes(node) -> list[int]:
    """The granian ASGI processes of a node (the main one and its workers)."""
    tree, found = process_tree(), []
    pending = [node.process.pid]
    while pending:
        pid = pending.pop()
        pending += tree.get(pid, [])
        if process_title(pid).startswith(b"fedinode-stream"):
            found.append(pid)
    return found


def streaming_healthy(node) -> bool:
    try:
        return requests.get(f"{node.streaming_base}/api/v1/streaming/health", timeout=2).text == "OK"
    except requests.RequestException:
        return False


def streaming_wait(node) -> None:
    wait_until(lambda: streaming_healthy(node), message="the streaming process")
