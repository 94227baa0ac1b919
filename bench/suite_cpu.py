"""Where a test run's CPU goes: `python -m bench.suite_cpu [--interval S] -- <command>`.

Runs the command (by default one pass of the suite as `dev.py test` runs it, on the embedded default) and samples
/proc while it runs. Every process seen is given a role by its title (xdist worker, Chromium, a node's supervisor,
web or Celery worker, a probe, PostgreSQL…); at the end it prints the CPU seconds of each role, the wall time, and
the whole tree's CPU as the kernel counted it (what the sampler missed: processes that lived shorter than one
interval, and each process's last interval). Run it on a quiet machine: it measures everything on it.
"""

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.nodes import process_stat

from .procs import _cmdline

TICK = os.sysconf("SC_CLK_TCK")
DEFAULT_COMMAND = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadscope", "--no-loadscope-reorder", "-q"]
# (role, a piece of the command line), the first that matches wins
ROLES = [
    ("node supervisor", "fedinode-run"), ("node web", "fedinode-web"), ("node streaming", "fedinode-stream"),
    ("node celery", "[celeryd"), ("node beat", "[celery beat]"), ("node probe", "node_probe.py"), ("node zygote", "node_zygote.py"),
    ("one-off fediverse-node", "fediverse-node"), ("chromium", "chrom"), ("playwright driver", "playwright"),
    ("java (Nu validator)", "java"), ("xdist worker", "pytest-xdist"), ("xdist worker", "exec(eval("),
    ("pytest controller", "pytest"), ("postgres", "postgres"), ("redis", "redis-server"), ("node.js", "node"),
]


def _role(pid: str) -> str:
    command = _cmdline(int(pid))
    if not command:  # a zombie: its title is gone, its role was read before
        return ""
    for role, piece in ROLES:
        if piece in command:
            return role
    return "other python" if "python" in command else "other"


DETAILED = ("other python", "one-off fediverse-node", "other")  # roles whose commands are listed by shape


def _shape(command: str) -> str:
    """A command line without its paths' folders and numbers, cut short: processes of one kind share it."""
    words = [Path(word).name if "/" in word else word for word in command.split()[:4]]
    return " ".join("".join("#" if c.isdigit() else c for c in word)[:40] for word in words)


def sample(seen: dict[tuple[str, str], list], stop: threading.Event, interval: float) -> None:
    """Record, per (pid, start time), the role and the CPU seconds so far (a pid may be reused)."""
    while not stop.is_set():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = process_stat(entry.name)
            if not fields:
                continue
            key = (entry.name, fields[19])  # field 22: start time
            cpu = (int(fields[11]) + int(fields[12])) / TICK
            # read again each time: a process names itself after its start (setproctitle), a fork inherits a title
            role = _role(entry.name)
            if key in seen:
                seen[key][1] = cpu
                seen[key][0] = role or seen[key][0]
            else:
                seen[key] = [role, cpu, cpu, ""]  # role, now, first seen (CPU before our start), its shape
            if role in DETAILED:
                seen[key][3] = _shape(_cmdline(int(entry.name)))
        stop.wait(interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("command", nargs="*")
    options = parser.parse_args()
    command = options.command or DEFAULT_COMMAND
    seen: dict[tuple[str, str], list] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(seen, stop, options.interval), daemon=True)
    sampler.start()
    time.sleep(options.interval * 2)  # the processes running before the command: their CPU so far is not ours
    started = time.monotonic()
    result = subprocess.run(command)
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    totals: dict[str, float] = {}
    shapes: dict[str, float] = {}
    for role, now, first, shape in seen.values():
        totals[role] = totals.get(role, 0.0) + now - first
        if shape:
            shapes[f"{role}: {shape}"] = shapes.get(f"{role}: {shape}", 0.0) + now - first
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"\nexit {result.returncode}; wall {wall:.0f} s")
    print(f"{'role':<28}{'CPU s':>10}")
    for role, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        if seconds >= 0.5:
            print(f"{role or '(gone before read)':<28}{seconds:>10.1f}")
    print(f"{'sampled, all roles':<28}{sum(totals.values()):>10.1f}")
    print(f"{'the command tree (kernel)':<28}{usage.ru_utime + usage.ru_stime:>10.1f}")
    print(f"CPU busy: {sum(totals.values()) / wall / os.cpu_count() * 100:.0f} % of {os.cpu_count()} cores")
    print(f"\nthe largest commands of {', '.join(DETAILED)}:")
    for shape, seconds in sorted(shapes.items(), key=lambda item: -item[1])[:15]:
        if seconds >= 0.5:
            print(f"{seconds:>8.1f}  {shape}")


if __name__ == "__main__":
    main()
