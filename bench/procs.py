"""Resident memory of a node's processes: the web server and its workers, the Celery workers (and beat)."""

import os
import time
from pathlib import Path

from tests.nodes import process_stat, process_tree


def _kib_field_mb(path: str, field: str) -> float | None:
    """A "Field:   N kB" line of a /proc file, in MB; None when the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _rss_mb(pid: int) -> float | None:
    return _kib_field_mb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float | None:
    """Proportional set size: the process's private pages plus its share of pages it shares (with the processes
    forked from the same parent). Summed over a node's processes it is what the node holds, unlike RSS."""
    return _kib_field_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def node_processes(root_pid: int) -> list[dict]:
    """Every process under `fediverse-node run` (root_pid) with its role and VmRSS in MB.

    Roles: `supervisor` (the run command), `web` (granian's main process), `web worker` (its worker processes),
    `streaming` and `streaming worker` (the same for the streaming server), `worker` (a Celery worker process),
    `beat`; a process one of them started is `<role> child`. Each also has its proportional set size (pss_mb).
    """
    tree = process_tree()
    found = [{"pid": root_pid, "role": "supervisor", "rss_mb": _rss_mb(root_pid), "pss_mb": pss_mb(root_pid)}]

    def walk(pid: int, role: str) -> None:
        for child in tree.get(pid, []):
            found.append({"pid": child, "role": role, "rss_mb": _rss_mb(child), "pss_mb": pss_mb(child)})
            walk(child, role if role.endswith("child") else f"{role} child")

    for child in tree.get(root_pid, []):
        command = _cmdline(child)
        role = ("web" if command.startswith("fedinode-web") else "streaming" if command.startswith("fedinode-stream")
                else "beat" if "beat" in command else "worker" if "celery" in command or "fedinode-work" in command
                else "other")
        found.append({"pid": child, "role": role, "rss_mb": _rss_mb(child), "pss_mb": pss_mb(child)})
        walk(child, f"{role} worker" if role in ("web", "streaming") else f"{role} child")
    return [p for p in found if p["rss_mb"] is not None]


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = process_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def cpu_snapshot(root_pid: int) -> dict[str, float]:
    """CPU seconds so far per role: the node's processes (roles as in node_processes, children folded into their
    parent's role), and the servers it uses on this machine, `postgres` and `redis` (every process of each)."""
    totals: dict[str, float] = {}
    for process in node_processes(root_pid):
        role = process["role"].removesuffix(" child")
        totals[role] = totals.get(role, 0.0) + _cpu_seconds(process["pid"])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            command = _cmdline(int(entry.name))
            server = "postgres" if command.startswith("postgres") or "/bin/postgres " in command else "redis" if "redis-server" in command else None
            if server:
                totals[server] = totals.get(server, 0.0) + _cpu_seconds(int(entry.name))
    return totals


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per role between two snapshots."""
    return {role: round(after[role] - before.get(role, 0.0), 2) for role in after if after[role] - before.get(role, 0.0) > 0.005}


def memory_summary(processes: list[dict]) -> dict[str, tuple[float, int]]:
    """Role -> (largest RSS in MB, number of processes)."""
    summary: dict[str, tuple[float, int]] = {}
    for process in processes:
        largest, count = summary.get(process["role"], (0.0, 0))
        summary[process["role"]] = (max(largest, process["rss_mb"]), count + 1)
    return summary


def machine_gauge() -> float:
    """CPU ms this process spends on a fixed piece of Python work. CPU time, not wall time: the load on the cores
    hardly moves it, a slower host (a virtual machine whose neighbours got busy) does. Printed per window, it tells
    a node that slowed down from a machine that did (this one's RSA signing ran 0.26 to 0.36 ms within an hour)."""
    started = time.process_time()
    total = 0
    for number in range(1_000_000):
        total += number * number % 7
    return (time.process_time() - started) * 1000


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(node_processes(int(sys.argv[1]) if len(sys.argv) > 1 else os.getpid()), indent=1))
