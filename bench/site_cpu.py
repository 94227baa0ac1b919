"""CPU per website page, in-process: `python -m bench.site_cpu [--data DIR] [--renders N] [--save DIR | --compare DIR]`.

Seeds a data directory once (bench/site.py's 500 organisations and 50,000 posts; kept for the next run), then
calls the node's WSGI application (all middleware, as granian does) N times per page with the page cache off and
prints the median and 90th percentile of `time.process_time` per request: what a request costs the server's CPU,
which a busy machine disturbs far less than requests/s. `--save DIR` writes each page's body, `--compare DIR`
checks the bodies are byte-identical to the saved ones (CSRF tokens and nonces masked): a speed change must not
change a page. `--profile PATH` prints a pyinstrument profile of the renders of one page.
"""

import argparse
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from .site import SEED

PATHS = ["/feed/", "/members/", "/members/org7/", "/members/?field=gesundheit&state=BY", "/"]
DOMAIN = "127.0.0.1:8000"
MASKED = [re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), re.compile(rb'nonce="[^"]*"')]


def setup(data: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "fediverse_node.settings", "FEDINODE_DATA_DIR": str(data),
        "FEDINODE_DOMAIN": DOMAIN, "FEDINODE_INSECURE_HTTP": "1", "FEDINODE_PAGE_CACHE_SECONDS": "0",
        "FEDINODE_RATE_LIMITS": "0", "LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()


def seed(data: Path, *, orgs: int, posts: int) -> None:
    from django.core.management import call_command

    if (data / "seeded").exists():
        return
    call_command("migrate", verbosity=0)
    exec(SEED.format(orgs=orgs, posts=posts), {"json": json})  # noqa: S102 - our own seeding code
    (data / "seeded").write_text(f"{orgs} {posts}\n")


def environ(path: str) -> dict:
    route, _, query = path.partition("?")
    host, port = DOMAIN.split(":")
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": host, "SERVER_PORT": port, "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": DOMAIN,
        "HTTP_ACCEPT": "text/html", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }


def request(app, path: str) -> tuple[str, bytes]:
    """One GET through the WSGI application, the body read and the response closed, as a server does."""
    answer: list[str] = []
    body = app(environ(path), lambda status, headers, exc_info=None: answer.append(status))
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return answer[0], content


def masked(content: bytes) -> bytes:
    for pattern in MASKED:
        content = pattern.sub(b"MASKED", content)
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/fedinode-bench-site-cpu"))
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--paths", nargs="+", default=PATHS)
    parser.add_argument("--save", type=Path, help="write each page's body here")
    parser.add_argument("--compare", type=Path, help="check each page's body against the ones saved here")
    parser.add_argument("--profile", help="print a pyinstrument profile of this page's renders")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    setup(args.data)
    seed(args.data, orgs=args.orgs, posts=args.posts)
    from fediverse_node.staticstorage import static_collect

    static_collect()  # hashed static names from the manifest, as `fediverse-node run` serves them
    from fediverse_node.wsgi import application

    different = []
    for path in args.paths:
        status, content = request(application, path)  # warm: templates compiled, connection open, cards kept
        assert status.startswith("200"), (path, status)
        name = re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "root"
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.html").write_bytes(masked(content))
        if args.compare and (args.compare / f"{name}.html").read_bytes() != masked(content):
            (args.compare / f"{name}.new.html").write_bytes(masked(content))
            different.append(path)
        profiler = None
        if args.profile == path:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        costs = []
        for _ in range(args.renders):
            started = time.process_time()
            request(application, path)
            costs.append((time.process_time() - started) * 1000)
        if profiler:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        costs.sort()
        print(f"{path:40} {len(content):7} bytes  CPU median {statistics.median(costs):6.2f} ms"
              f"  p90 {costs[int(len(costs) * 0.9)]:6.2f} ms", flush=True)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.compare:
        print("pages identical" if not different else f"pages DIFFER: {different} (see *.new.html)")
        sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
