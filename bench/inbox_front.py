"""The inbox front in one process, without HTTP: `python -m bench.inbox_front [--posts 5000] [--rounds 5]`.

Drives fediverse_node/rsgi.py's application with scopes and protocols shaped like granian's, 16 requests at a time
on a uvloop event loop, with signed Create(Note) POSTs of one peer whose key is already in the process's cache, to
the shared inbox and to a member's personal inbox. Prints the CPU time per accepted POST (every thread of the
process: checks, the spool writer, the task batcher), best of the rounds, and the rate. It isolates what the web
process spends on a POST besides granian's HTTP (about 55 µs a request on its own) from the load generator, the
workers and the machine's other processes, which share the CPU in `bench.federation`. Uses a fresh data directory on
the embedded default, or DATABASE_URL when it is set.
"""

import argparse
import asyncio
import atexit
import json
import math
import os
import shutil
import tempfile
import time
import uuid

CONCURRENCY = 16


class _Scope:
    proto, method, scheme, query_string = "http", "POST", "http", ""
    server, client = "127.0.0.1:8000", "127.0.0.1:5555"

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        self.path, self.headers = path, headers


class _Proto:
    __slots__ = ("body", "status")

    def __init__(self, body: bytes) -> None:
        self.body, self.status = body, 0

    async def __call__(self) -> bytes:
        return self.body

    def response_bytes(self, status, headers, body) -> None:
        self.status = status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000, help="POSTs per round and inbox")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if "FEDINODE_DATA_DIR" not in os.environ:
        os.environ["FEDINODE_DATA_DIR"] = data_dir = tempfile.mkdtemp(prefix="bench-inbox-front-")
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
    os.environ.update(FEDINODE_INSECURE_HTTP="1", FEDINODE_RATE_LIMITS="0", LOG_LEVEL="WARNING")
    import django

    django.setup()
    import uvloop
    from django.conf import settings
    from django.core.management import call_command

    for database in settings.DATABASES:
        call_command("migrate", database=database, verbosity=0)
    from actors.services.local import organization_create
    from fediverse_node.protocol.keys import generate_rsa_keypair, load_private_key, load_public_key
    from fediverse_node.protocol.signatures import sign_cavage
    from fediverse_node.rsgi import application
    from inbox import services
    from tests.factories import remote_actor

    run = uuid.uuid4().hex[:6]
    target = organization_create(username=f"ziel_{run}", email="z@example.org", password="bench-pass-123")
    private_pem, public_pem = generate_rsa_keypair()
    peer = remote_actor(host=f"peer-{run}.example")
    services._keys.entries[peer.key_id] = (math.inf, peer.uri, load_public_key(public_pem), False)
    key = load_private_key(private_pem)

    def signed(path: str, count: int) -> list[tuple[dict[str, str], bytes]]:
        requests = []
        for _ in range(count):
            note = f"{peer.uri}/notes/{uuid.uuid4()}"
            body = json.dumps({
                "@context": "https://www.w3.org/ns/activitystreams", "id": f"{note}/activity", "type": "Create",
                "actor": peer.uri, "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [target.uri],
                "object": {"id": note, "type": "Note", "attributedTo": peer.uri, "content": "<p>Benchmark</p>",
                           "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [target.uri],
                           "tag": [{"type": "Mention", "href": target.uri}]},
            }).encode()
            headers = sign_cavage(method="POST", url=f"http://{_Scope.server}{path}", body=body, key_id=peer.key_id,
                                  private_key=key)
            headers |= {"Content-Type": "application/activity+json", "Content-Length": str(len(body))}
            requests.append(({name.lower(): value for name, value in headers.items()}, body))
        return requests

    async def drive(path: str, requests: list[tuple[dict[str, str], bytes]]) -> dict[int, int]:
        pending, statuses = iter(requests), {}

        async def connection() -> None:
            for headers, body in pending:
                proto = _Proto(body)
                await application.__rsgi__(_Scope(path, headers), proto)
                statuses[proto.status] = statuses.get(proto.status, 0) + 1

        await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
        return statuses

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    for label, path in (("shared inbox", "/inbox"), ("personal inbox", f"/actors/{target.username}/inbox")):
        loop.run_until_complete(drive(path, signed(path, 200)))  # warm: connections, caches
        best_cpu, best_rate, statuses = math.inf, 0.0, {}
        for _ in range(args.rounds):
            requests = signed(path, args.posts)
            cpu, wall = time.process_time(), time.perf_counter()
            statuses = loop.run_until_complete(drive(path, requests))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best_cpu, best_rate = min(best_cpu, cpu / args.posts), max(best_rate, args.posts / wall)
        print(f"{label}: {best_cpu * 1e6:.0f} µs CPU per POST, {best_rate:.0f} POSTs/s (best of {args.rounds} rounds "
              f"of {args.posts}, {CONCURRENCY} at a time), statuses of the last round {statuses}", flush=True)


if __name__ == "__main__":
    main()
