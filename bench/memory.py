"""Memory of the whole embedded node, as an operator runs it: `python -m bench.memory [--backend embedded|postgres]
[--idle 60] [--load 20] [--web-only]`.

Starts `fediverse-node run` (demo data, every process as deployed: no test sizing), waits until it has been idle
for --idle seconds, and prints the proportional set size (PSS, shared pages divided among the processes that share
them) of every process and their sum. Then it sends --load seconds of mixed requests (pages, actor documents,
WebFinger, timelines) and prints the same after the load has ended. `--web-only` runs the web side of a scale-out
deployment (`run --no-worker`, as docker-compose.yml's `web` service: the workers and beat run elsewhere)."""

import argparse
import os
import sys
import time

from tests.nodes import AS_JSON, Node

from .load import raw_request, send_requests
from .procs import node_processes


def memory_print(node: Node, when: str) -> float:
    processes = node_processes(node.process.pid)
    total = sum(process["pss_mb"] or 0 for process in processes)
    print(f"{when}: {total:.0f} MB PSS in {len(processes)} processes")
    for process in processes:
        print(f"  {process['role']:<18} pid {process['pid']:<7} PSS {process['pss_mb']:6.1f} MB   RSS {process['rss_mb']:6.1f} MB")
    sys.stdout.flush()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds to wait after the start")
    parser.add_argument("--load", type=float, default=20.0, help="seconds of requests")
    parser.add_argument("--web-only", action="store_true", help="run --no-worker: the web side of a scale-out")
    arguments = parser.parse_args()
    os.environ["FEDINODE_TEST_BACKEND"] = arguments.backend
    print(f"cores: {os.cpu_count()}, back-end: {arguments.backend}" + (", web only" if arguments.web_only else ""))
    node = Node("memory")
    node.start(demo=True, run_options=("--no-worker",) if arguments.web_only else ())
    try:
        time.sleep(arguments.idle)
        memory_print(node, f"idle {arguments.idle:.0f} s after the start")
        actor_path = "/" + node.actor_url("kita_sonnenschein").split("/", 3)[3]
        html = [raw_request("GET", node.domain, path, {"Accept": "text/html"}) for path in
                ("/", "/feed/", "/members/", "/members/kita_sonnenschein/", "/blog/", "/events/", "/map/")]
        federation = [raw_request("GET", node.domain, actor_path, {"Accept": AS_JSON}),
                      raw_request("GET", node.domain, f"/.well-known/webfinger?resource=acct:kita_sonnenschein@{node.domain}", {})]
        deadline, sent = time.monotonic() + arguments.load, 0
        while time.monotonic() < deadline:
            batch = html * 20 + federation * 200
            _seconds, statuses, _latencies = send_requests(node.host, node.port, batch, concurrency=16)
            sent += sum(statuses.values())
        print(f"load: {sent} requests in {arguments.load:.0f} s")
        time.sleep(5)
        memory_print(node, "after the load")
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
