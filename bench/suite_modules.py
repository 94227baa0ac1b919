"""The CPU of each test module: a pytest plugin and its report.

    CI=true FEDINODE_SUITE_CPU=/tmp/suite-cpu python3 dev.py test -p bench.suite_modules
    python -m bench.suite_modules /tmp/suite-cpu

Around each test, the plugin adds up the CPU time of the test process and of every process below it (the nodes it
started, their workers, Chromium, peers): each one's counters in /proc/<pid>/stat, its reaped children's included,
and what the test process itself reaped. A module-scoped fixture counts in the test that set it up or tore it
down. What it cannot see: the database servers, Redis and the kernel's own threads. Each test process appends
one JSON line per test to <dir>/<back-end>-<worker>.jsonl; the report sums them by module and by folder.
"""

import collections
import json
import os
import resource
import sys
import time
from pathlib import Path

import pytest

TICK = os.sysconf("SC_CLK_TCK")
OUTPUT = os.environ.get("FEDINODE_SUITE_CPU", "suite-cpu")


def _tree_cpu() -> float:
    """CPU seconds of this process, its reaped children and every live process below it."""
    parents: dict[int, list[int]] = collections.defaultdict(list)
    cpu: dict[int, float] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2:].split()
        parents[int(fields[1])].append(int(name))
        cpu[int(name)] = sum(int(value) for value in fields[11:15]) / TICK  # utime stime cutime cstime
    total, stack = 0.0, list(parents[os.getpid()])
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack.extend(parents[pid])
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started, cpu = time.monotonic(), _tree_cpu()
    yield
    record = {"id": item.nodeid, "wall": round(time.monotonic() - started, 3), "cpu": round(_tree_cpu() - cpu, 3)}
    backend = os.environ.get("FEDINODE_TEST_BACKEND", "embedded")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(OUTPUT).mkdir(parents=True, exist_ok=True)
    with open(Path(OUTPUT) / f"{backend}-{worker}.jsonl", "a") as out:
        out.write(json.dumps(record) + "\n")


def report(folder: Path, top: int = 40) -> None:
    modules: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    folders: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    backends: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")):
        backend = path.name.split("-")[0]
        backends.add(backend)
        for line in path.read_text().splitlines():
            record = json.loads(line)
            module = record["id"].split("::")[0]
            modules[module][backend] += record["cpu"]
            folders[str(Path(module).parent)][backend] += record["cpu"]
    columns = sorted(backends)
    for title, table in (("folder", folders), ("module", modules)):
        print(f"{'CPU s by ' + title:70}" + "".join(f"{column:>12}" for column in columns))
        for name, row in sorted(table.items(), key=lambda item: -sum(item[1].values()))[:top]:
            print(f"{name[:70]:70}" + "".join(f"{row.get(column, 0.0):12.1f}" for column in columns))
        print()
    print(f"{'all tests':70}" + "".join(f"{sum(row.get(c, 0.0) for row in modules.values()):12.1f}" for c in columns))


if __name__ == "__main__":
    report(Path(sys.argv[1] if len(sys.argv) > 1 else OUTPUT))
