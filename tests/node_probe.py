"""One long-lived Django process per test node, serving `Node.cli` and `Node.query` (tests/nodes.py).

A fresh `fediverse-node shell` per query costs a Django start-up (about a second of CPU); tests poll queries every
0.3 s while nodes work, so the start-ups took the CPU away from the nodes under test. The probe starts once, in the
node's environment (its settings, its database, its broker), and runs each management command in-process.

What a fresh process gave for free, the probe does after every command: it closes every database connection (the
next command sees what the node's processes committed meanwhile, and a restored or restarted database is opened
anew) and empties the per-process memory caches (a read is never served from what an earlier command cached).

Protocol: one JSON list of command-line arguments per line on stdin; one JSON object per line on the answers
descriptor, {"returncode", "stdout", "stderr"}. The probe ends when stdin closes (its test process ended).
"""

import contextlib
import io
import json
import os
import sys
import traceback


def _answers_channel() -> io.TextIOWrapper:
    """The original stdout, kept for answers only; anything else written to descriptor 1 goes to stderr (the log)."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return channel


def _forget_process_state() -> None:
    """What a new process would not have: open connections (with their snapshots) and memory caches."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.db import connections

    connections.close_all()
    for alias in caches:
        cache = caches[alias]
        if isinstance(cache, LocMemCache):  # never clear a shared cache (Redis): the node's own entries live there
            cache.clear()


def _run(argv: list[str]) -> dict:
    """One `fediverse-node <argv>` in this process, as the command line would answer it."""
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            call_command(*argv, stdout=out, stderr=err)
        except CommandError as error:
            err.write(f"CommandError: {error}\n")
            returncode = error.returncode
        except SystemExit as exit_:
            returncode = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:  # noqa: BLE001 - the real command line prints the traceback and exits 1
            traceback.print_exc(file=err)
            returncode = 1
        finally:
            _forget_process_state()
    return {"returncode": returncode, "stdout": out.getvalue(), "stderr": err.getvalue()}


def serve() -> None:
    answers = _answers_channel()
    import django

    django.setup()
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin:
        answers.write(json.dumps(_run(json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    sys.path.pop(0)  # run by path: tests/ itself must not shadow the project's modules
    serve()
