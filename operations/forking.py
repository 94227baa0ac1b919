"""Children of `fediverse-node run` forked from the supervisor after it has loaded Django and the node's code, so
that the web server, the Celery workers, beat and the streaming server start without importing anything again and
share the loaded code's memory pages with the supervisor (copy-on-write) instead of each holding a copy."""

import contextlib
import ctypes
import gc
import multiprocessing.util
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import NoReturn

PR_SET_PDEATHSIG = 1


def imports_before_fork(*, with_streaming: bool) -> None:
    """Import what the children run, once, here: each child then finds it loaded (and shares its pages)."""
    import celery.apps.beat  # noqa: F401
    import celery.apps.worker  # noqa: F401
    import granian.server  # noqa: F401

    import fediverse_node.rsgi  # noqa: F401  (and fediverse_node.wsgi, which it serves)
    from fediverse_node.celery import app

    app.loader.import_default_modules()  # the tasks of every app; Celery runs Django's system checks here
    os.environ["CELERY_SKIP_CHECKS"] = "1"  # ... once: each worker and beat would run them again
    import celery.beat  # noqa: F401
    import celery.concurrency.thread  # noqa: F401
    import celery.worker.consumer  # noqa: F401

    # made on first use: here, once for every child; the broker's transport module is loaded without connecting
    _made_once = (app.amqp, app.backend, app.events, app.log, app.connection_for_write().transport)
    if with_streaming:
        import streaming.asgi  # noqa: F401


def state_release_before_fork() -> None:
    """No connection of the supervisor may be shared with a child: close the databases' and the caches'."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()
    sys.stdout.flush()
    sys.stderr.flush()


class ChildProcess:
    """A process this one waits for (its child, or one handed to it as a subreaper), answering like subprocess.Popen
    for what a supervisor asks of it: pid, poll(), wait(), send_signal(), returncode, args."""

    pid: int
    args: list[str]
    returncode: int | None = None

    def _reap(self, flags: int) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL  # reaped elsewhere: gone, how is unknown
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self._reap(os.WNOHANG)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if timeout is not None and deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return code

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


class ForkedChild(ChildProcess):
    """A child process forked from this one, in a process group of its own (stopping it reaches its own children:
    granian's workers), sent SIGTERM if the supervisor dies without stopping it."""

    def __init__(self, name: str, run: Callable[[], int | None], *, niceness: int = 0):
        self.name = name
        self.args = ["fediverse-node", "run", name]  # how the supervisor names it in its messages
        self.returncode: int | None = None
        state_release_before_fork()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            self._child_main(run, parent=parent, niceness=niceness)

    def _child_main(self, run: Callable[[], int | None], *, parent: int, niceness: int) -> None:
        def start_and_run() -> int | None:
            os.setpgid(0, 0)
            if sys.platform == "linux":
                ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # the supervisor died before the line above: nobody would stop this child
                os._exit(1)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            if niceness:
                os.nice(niceness)
            process_title_set(f"fedinode-{self.name}")
            sys.argv = [f"fedinode-{self.name}"]  # Celery writes the command line into the titles it sets
            # what multiprocessing runs in its own children: Celery and kombu drop the broker connections they
            # pooled in the supervisor (the demo data may have sent tasks), so no two processes share a socket
            multiprocessing.util._run_after_forkers()  # type: ignore[attr-defined]
            return run()

        child_exit(start_and_run)


def child_exit(main: Callable[[], int | None]) -> NoReturn:
    """End a forked child with what main() ended in, as an interpreter would: its return value (or 0), the code of
    a SystemExit, or 1 with the traceback on stderr; the standard streams flushed first."""
    code = 1
    try:
        result = main()
        code = result if isinstance(result, int) else 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def process_title_set(title: str) -> None:
    """Name the process as `ps` and /proc/<pid>/cmdline show it: forked children would all read `fediverse-node run`."""
    import setproctitle

    setproctitle.setproctitle(title)


def shared_pages_freeze() -> None:
    """Move what is loaded out of the garbage collector's reach before forking: its passes would write to every
    object's header and so copy each shared page into every child."""
    gc.collect()
    gc.freeze()
