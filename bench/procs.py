"""Resident memory of a node's processes: the web server and its workers, the Celery workers (and beat)."""

import os
from pathlib import Path


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (psutil is not a dependency)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name in parentheses may hold spaces: the fields after its closing parenthesis are fixed
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def node_processes(root_pid: int) -> list[dict]:
    """Every process under `fediverse-node run` (root_pid) with its role and VmRSS in MB.

    Roles: `supervisor` (the run command), `web` (granian's main process), `web worker` (its worker processes),
    `worker` (a Celery worker process), `worker child` (a process a Celery worker started, e.g. embedded beat).
    """
    tree = _children()
    found = [{"pid": root_pid, "role": "supervisor", "rss_mb": _rss_mb(root_pid)}]

    def walk(pid: int, role: str) -> None:
        for child in tree.get(pid, []):
            found.append({"pid": child, "role": role, "rss_mb": _rss_mb(child)})
            walk(child, role if role.endswith("child") else f"{role} child")

    for child in tree.get(root_pid, []):
        command = _cmdline(child)
        role = "web" if "granian" in command else "worker" if "celery" in command else "other"
        found.append({"pid": child, "role": role, "rss_mb": _rss_mb(child)})
        walk(child, "web worker" if role == "web" else f"{role} child")
    return [p for p in found if p["rss_mb"] is not None]


def memory_summary(processes: list[dict]) -> dict[str, tuple[float, int]]:
    """Role -> (largest RSS in MB, number of processes)."""
    summary: dict[str, tuple[float, int]] = {}
    for process in processes:
        largest, count = summary.get(process["role"], (0.0, 0))
        summary[process["role"]] = (max(largest, process["rss_mb"]), count + 1)
    return summary


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(node_processes(int(sys.argv[1]) if len(sys.argv) > 1 else os.getpid()), indent=1))
