"""A warm interpreter per test process that starts the test nodes' processes (`fediverse-node run` and the node
probes) by fork, so that each skips importing Django, Celery and the other libraries again.

Importing those cost about half a second of CPU per process (docs/benchmarks.md, the suite's CPU), and the suite
starts several hundred. Only libraries that need no settings are loaded here: each child sets the node's
environment and then starts as its own process would (Django set up with the node's settings, the node's code
imported, the command run), so what a test sees is the real command, only started warm. The release check
(tests/release/) still starts the installed wheel's command line.

Protocol, over a SOCK_SEQPACKET socket inherited as descriptor `argv[1]`: a request is one JSON message
{"main": "cli" | "probe", "argv", "env", "cwd"} carrying the child's stdin, stdout and stderr descriptors; the answer
is {"pid"}. The child is started through a middle process that ends at once, so that the kernel hands the child to
the nearest subreaper, the test process (tests/nodes.py makes it one), which waits for it like a child of its own.
The zygote ends when the socket closes (its test process ended).
"""

import contextlib
import importlib
import json
import os
import socket
import sys

import setproctitle

from operations.forking import child_exit

# Libraries the node's processes import, loadable without settings (anything that needs them is left to the child).
PRELOADED = """
django.db.models django.db.backends.sqlite3.base django.db.backends.postgresql.base django.db.migrations.loader
django.http django.forms django.template.defaulttags django.template.loader_tags django.urls django.views.generic
django.core.management django.core.serializers.json django.core.cache.backends.redis
django.core.cache.backends.locmem django.contrib.staticfiles.storage django.contrib.staticfiles.handlers
django.contrib.messages.storage.fallback django.contrib.humanize.templatetags.humanize django.middleware.csrf
django.core.handlers.wsgi django.views.decorators.csrf
celery celery.app.base celery.apps.worker celery.apps.beat celery.beat celery.worker.consumer
celery.concurrency.thread celery.concurrency.prefork kombu.transport.filesystem kombu.transport.redis redis
requests urllib3 cryptography.hazmat.primitives.asymmetric.rsa cryptography.hazmat.primitives.asymmetric.ed25519
cryptography.hazmat.primitives.serialization cryptography.x509 nh3 PIL.Image PIL.ImageOps orjson feedparser
icalendar oauthlib.oauth2 jwcrypto.jwk markdown yaml dateutil.parser granian.server whitenoise.middleware
whitenoise.storage psycopg sqlparse blurhash
""".split()
MAX_REQUEST = 1 << 20


def preload() -> None:
    for name in PRELOADED:
        with contextlib.suppress(ImportError):  # an optional driver missing here is imported (or not) by the child
            importlib.import_module(name)


def serve(channel: socket.socket) -> None:
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(channel, MAX_REQUEST, 3)
        except ConnectionResetError:
            return
        if not message:
            return
        try:
            pid = _start(channel, json.loads(message), fds)
        finally:
            for fd in fds:
                os.close(fd)
        channel.send(json.dumps({"pid": pid}).encode())


def _start(channel: socket.socket, request: dict, fds: list[int]) -> int:
    """Fork the child through a middle process; the child's pid."""
    pid_read, pid_write = os.pipe()
    middle = os.fork()
    if middle == 0:
        code = 1
        try:
            os.close(pid_read)
            child = os.fork()
            if child == 0:
                os.close(pid_write)
                _child_main(channel, request, fds)
            os.write(pid_write, str(child).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(pid_write)
    with os.fdopen(pid_read, "rb") as answer:
        child_pid = int(answer.read() or b"0")
    os.waitpid(middle, 0)
    if not child_pid:
        raise RuntimeError("the zygote could not start the process")
    return child_pid


def _child_main(channel: socket.socket, request: dict, fds: list[int]) -> None:
    """In the child: the node's stdio, environment, working directory and command line, then its main. Never
    returns."""

    def start_and_run() -> int:
        channel.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = list(request["argv"])
        setproctitle.setproctitle(" ".join(sys.argv))  # as `ps` would show the process started fresh
        return _run(request["main"])

    child_exit(start_and_run)


def _run(main: str) -> int:
    if main == "probe":
        from tests import node_probe

        node_probe.serve()
        return 0
    if main == "cli":
        from operations.cli import main as cli_main

        cli_main()
        return 0
    raise ValueError(f"unknown main {main!r}")


if __name__ == "__main__":
    sys.path.pop(0)  # run by path: tests/ itself must not shadow the project's modules
    # setproctitle finds the memory it writes titles into on its first call, next to the environment's strings:
    # here, before a child replaces the environment (after that it would find nothing, and every title stays this)
    setproctitle.setproctitle(setproctitle.getproctitle())
    preload()
    serve(socket.socket(fileno=int(sys.argv[1])))
