"""What a test node costs, before and after issue #19: `python -m bench.suite [--backend embedded|postgres]`.

The federation, interop and browser tests spend their CPU on three things: starting nodes, keeping them running
while the test waits, and reading their state (`Node.query` / `Node.cli`). This measures each of the three in CPU
seconds (from /proc: the node's whole process tree, or the query processes), the way tests/nodes.py did it before
(one web and one Celery worker per core, a fresh migration on each start, one `fediverse-node shell` per query) and
the way it does now (one web and one Celery worker, a copy of a migrated template, one long-lived probe per node).
CPU seconds, not wall time: on a machine that others load too, wall time measures them, CPU time measures us.
"""

import argparse
import os
import resource
import time

from tests.nodes import Node, process_stat, process_tree

TICK = os.sysconf("SC_CLK_TCK")
QUERY = "from actors.models import Actor\nprint(json.dumps(Actor.objects.filter(local=True).count()))"
WAYS = {
    "before": {"FEDINODE_WEB_WORKERS": "2", "FEDINODE_WORKER_PROCESSES": "2"},  # min(cores, 4) on 2 cores
    "after": {"FEDINODE_WEB_WORKERS": "1", "FEDINODE_WORKER_PROCESSES": "1"},
}


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, living or already reaped by their parents."""
    tree, total, todo = process_tree(), 0, [pid]
    while todo:
        current = todo.pop()
        fields = process_stat(current)
        if fields:
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        todo.extend(tree.get(current, []))
    return total / TICK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(way: str, *, queries: int, idle: float) -> dict:
    node = Node(f"suite-{way}", env=WAYS[way])
    figures = {}
    try:
        if way == "before":  # no template: `run` migrates the empty database, as every start did
            node._database_state = "used"
        else:
            started = time.monotonic()
            node.database_from_template()  # the template itself is made once per test process
            figures["template, once per test process (wall s)"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        node.start()
        figures["start to ready (wall s)"] = round(time.monotonic() - started, 1)
        figures["start to ready (CPU s)"] = round(tree_cpu(node.process.pid), 2)
        before_idle = tree_cpu(node.process.pid)
        time.sleep(idle)
        figures[f"idle {idle:.0f} s (CPU s)"] = round(tree_cpu(node.process.pid) - before_idle, 2)

        node.cli("createorg", "probe", "--email", "p@example.org", "--password", "probe-pass-1")
        if way == "before":
            cpu, started = children_cpu(), time.monotonic()
            for _ in range(queries):
                result = node.run_cli("shell", "-c", f"import json\n{QUERY}")
                assert result.returncode == 0, result.stderr
            figures["one query (CPU s)"] = round((children_cpu() - cpu) / queries, 3)
        else:
            probe_cpu = tree_cpu(node._probe.pid)
            started = time.monotonic()
            for _ in range(queries):
                assert node.query(QUERY) == 1
            figures["probe start, once per node (CPU s)"] = round(probe_cpu, 2)
            figures["one query (CPU s)"] = round((tree_cpu(node._probe.pid) - probe_cpu) / queries, 3)
        figures["one query (wall s)"] = round((time.monotonic() - started) / queries, 3)
    finally:
        node.stop()
        node.cleanup()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    os.environ["FEDINODE_TEST_BACKEND"] = args.backend
    with open("/proc/loadavg") as load:
        print(f"back-end {args.backend}; load average at start: {load.read().split()[0]}")
    results = {way: measure(way, queries=args.queries, idle=args.idle) for way in WAYS}
    rows = dict.fromkeys(key for figures in results.values() for key in figures)
    print(f"| {'':45} | {'before':>8} | {'after':>8} |\n| {'-' * 45} | {'-' * 8}: | {'-' * 8}: |")
    for row in rows:
        print(f"| {row:45} | {results['before'].get(row, ''):>8} | {results['after'].get(row, ''):>8} |")


if __name__ == "__main__":
    main()
