"""Member map speed: `python -m bench.map [--members 5000] [--requests 2000]`.

Starts `fediverse-node run` on loopback, stores 5,000 member organisations with positions and fields of work
(written straight to the database), then prints the cold time and the warm p50/p99 latency of `GET /map.geojson`
for a few filter combinations, on one keep-alive connection.
"""

import argparse
import http.client
import time

from tests.nodes import Node

SEED = """
import random
from actors.models import Actor
from community.models import FieldOfWork, FederalState, MemberProfile
random.seed(7)
states = FederalState.values
fields = list(FieldOfWork.objects.all())
actors = Actor.objects.bulk_create([
    Actor(uri=f'https://members.example/users/org{{i}}', username=f'org{{i}}', domain='members.example', local=False,
          type='Organization', display_name=f'Organisation {{i}} e.V.', inbox_url=f'https://members.example/i/{{i}}')
    for i in range({members})
], batch_size=1000)
profiles = MemberProfile.objects.bulk_create([
    MemberProfile(actor=a, state=random.choice(states), city=f'Ort {{i % 400}}', search_text=f'organisation {{i}} e.v.',
                  latitude=random.uniform(47.5, 54.8), longitude=random.uniform(6.0, 14.8))
    for i, a in enumerate(actors)
], batch_size=1000)
Through = MemberProfile.fields_of_work.through
Through.objects.bulk_create([Through(memberprofile_id=p.id, fieldofwork_id=f.id)
                             for p in profiles for f in random.sample(fields, 2)], batch_size=2000)
print(MemberProfile.objects.count())
"""

QUERIES = ["", "?field=kinder-jugend", "?state=BY", "?q=organisation+12", "?field=migration&state=NW"]


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    node = Node("bench-map")
    try:
        node.cli("migrate", "--verbosity", "0")
        print("members stored:", node.cli("shell", "-c", SEED.format(members=args.members)).splitlines()[-1])
        node.start()
        conn = http.client.HTTPConnection(node.host, node.port, timeout=30)
        print(f"{'query':<28} {'features KiB':>12} {'cold ms':>8} {'warm p50 ms':>11} {'warm p99 ms':>11} {'req/s':>7}")
        for query in QUERIES:
            cold, status, size = timed_get(conn, "/map.geojson" + query)
            assert status == 200, status
            for _ in range(20):  # every web worker process fills its own cache
                timed_get(conn, "/map.geojson" + query)
            times = sorted(timed_get(conn, "/map.geojson" + query)[0] for _ in range(args.requests))
            p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
            print(f"{query or '(all)':<28} {size / 1024:>12.0f} {cold * 1000:>8.1f} {p50 * 1000:>11.2f} "
                  f"{p99 * 1000:>11.2f} {len(times) / sum(times):>7.0f}")
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
