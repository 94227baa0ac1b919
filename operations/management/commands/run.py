"""`fediverse-node run`: migrate, seed demo data once, then serve (granian, WSGI) beside an embedded Celery worker."""

import contextlib
import functools
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from fediverse_node.environment import env_int
from fediverse_node.staticstorage import static_collect
from operations.demo import demo_data_create
from operations.forking import ForkedChild, imports_before_fork, process_title_set, shared_pages_freeze
from streaming.process import STREAMING_WORKERS, streaming_bind_default, streaming_serve

QUEUES = "inbox,deliveries,housekeeping,celery"
WORKER_NICENESS = 10
STOP_GRACE_SECONDS = 15  # a child still running this long after SIGTERM is killed, with its own children


def _kill_group(child: ForkedChild) -> None:
    """SIGKILL to the child's process group: the child and whatever it started (granian's workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def migrations_pending(database: str) -> bool:
    """Whether `migrate` has anything to apply. A start with nothing to apply skips it: its checks and the
    rendering of every model's state for post_migrate cost more than the rest of the supervisor's own work."""
    executor = MigrationExecutor(connections[database])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Run the node: web server, embedded workers and beat, on the embedded default unless configured."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("FEDINODE_BIND", "127.0.0.1:8000"), help="HOST:PORT")
        parser.add_argument("--streaming-bind", default="", help="HOST:PORT of the streaming API (default: port + 1)")
        parser.add_argument("--no-demo", action="store_true", help="do not create demo data on first start")
        parser.add_argument(
            "--web-workers", type=int, default=env_int("FEDINODE_WEB_WORKERS", min(os.cpu_count() or 1, 4), minimum=1)
        )
        parser.add_argument(
            "--worker-processes", type=int,
            default=env_int("FEDINODE_WORKER_PROCESSES", min(os.cpu_count() or 1, 4), minimum=1),
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="serve only; workers run elsewhere (celery -A fediverse_node)"
        )

    def handle(
        self, *args, bind: str, streaming_bind: str, no_demo: bool, web_workers: int, worker_processes: int, no_worker: bool, **options
    ):
        host, sep, port = bind.rpartition(":")
        if not sep or not port.isdigit():
            raise CommandError(f"--bind takes HOST:PORT, not {bind!r}.")
        for database in settings.DATABASES:  # the embedded default keeps the inbox spool in a file of its own
            if migrations_pending(database):
                call_command("migrate", database=database, interactive=False, verbosity=0)
        static_collect()  # hashed, pre-compressed static files that browsers may keep for a year
        marker = settings.DATA_DIR / "demo-created"
        if not no_demo and not marker.exists():
            demo_data_create()
            marker.write_text("demo data created\n")
            self.stdout.write("Demo data created (run with --no-demo to skip).")
        streaming_bind = streaming_bind or streaming_bind_default(host=host, port=port)
        # Everything the children run is loaded here, once: each child is forked from this process, starts at once
        # and shares these pages instead of importing Django again (four interpreters' worth on a small machine).
        imports_before_fork(with_streaming=bool(STREAMING_WORKERS))
        shared_pages_freeze()
        process_title_set("fedinode-run")
        starters: list[Callable[[], ForkedChild]] = [lambda: self._web(host.strip("[]"), port, web_workers)]
        if STREAMING_WORKERS:  # 0: the streaming API is served elsewhere, or not at all
            starters.append(lambda: ForkedChild(
                "stream", functools.partial(streaming_serve, bind=streaming_bind, kill_timeout=STOP_GRACE_SECONDS - 5)
            ))
        if not no_worker:
            # One worker process per core (threads inside each wait on the network), and beat on its own: embedded
            # in a worker, a killed worker orphaned it and the restarted one raced it for the schedule file.
            for index in range(worker_processes):
                starters.append(functools.partial(self._worker, index))
            starters.append(self._beat)
        self.stdout.write(f"fediverse-node serving {settings.FEDINODE_BASE_URL} on http://{bind}", ending="\n")
        self.stdout.flush()
        self._supervise(starters)

    def _web(self, host: str, port: str, workers: int) -> ForkedChild:
        def serve() -> None:
            from granian.constants import Interfaces
            from granian.log import LogLevels
            from granian.server import Server

            # RSGI: the inbox waits for its commits on the event loop; the rest is Django on a pool of threads
            # (fediverse_node/rsgi.py, FEDINODE_WEB_THREADS)
            Server(
                "fediverse_node.rsgi:application", address=host, port=int(port), interface=Interfaces.RSGI,
                workers=workers,
                # a worker stuck in a request is killed by granian itself, before the supervisor loses patience
                workers_kill_timeout=STOP_GRACE_SECONDS - 5,
                websockets=False, log_level=LogLevels.warning, process_name="fedinode-web",
            ).serve()

        return ForkedChild("web", serve)

    def _worker(self, index: int) -> ForkedChild:
        def serve() -> int:
            from fediverse_node.celery import app

            # the worker program without Celery's command line (click and its REPL's prompt_toolkit: 19 MB a process)
            worker = app.Worker(
                hostname=f"worker{index}@{socket.gethostname()}", pool_cls="threads",
                concurrency=env_int("FEDINODE_WORKER_CONCURRENCY", 8, minimum=1), queues=QUEUES.split(","),
                without_mingle=True, without_gossip=True, without_heartbeat=True, loglevel="WARNING", quiet=True,
            )
            worker.start()
            return worker.exitcode or 0

        # Background work yields the CPU to requests: a burst of POSTs is answered first, processed just after.
        return ForkedChild(f"work{index}", serve, niceness=WORKER_NICENESS)

    def _beat(self) -> ForkedChild:
        """The periodic sweeps (CELERY_BEAT_SCHEDULER keeps their schedule in memory)."""

        def serve() -> None:
            from fediverse_node.celery import app

            app.Beat(loglevel="WARNING", quiet=True).run()

        return ForkedChild("beat", serve, niceness=WORKER_NICENESS)

    def _supervise(self, starters: list) -> None:
        """Run every child until a signal; a child that dies is restarted (work in flight is safe in the database
        and picked up by the sweeps), unless it keeps dying, which stops the node."""
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        children = [start() for start in starters]
        restarts: list[float] = []
        while not stopping:
            time.sleep(0.2)
            for index, child in enumerate(children):
                if child.poll() is None or stopping:
                    continue
                restarts = [t for t in restarts if t > time.monotonic() - 60] + [time.monotonic()]
                if len(restarts) > 10:
                    self._stop_all(children)
                    raise CommandError("A child process keeps stopping; the node is shut down.")
                self.stderr.write(f"child {child.name} exited with {child.returncode}; restarting it")
                _kill_group(child)  # what it left behind (granian's workers) goes too
                children[index] = starters[index]()
        self._stop_all(children)

    @staticmethod
    def _stop_all(children: list[ForkedChild], grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to each child, then SIGKILL to the process group of any still running: killing only granian's
        main process left its workers serving the port with nobody to stop them."""
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(child)
                child.wait()
