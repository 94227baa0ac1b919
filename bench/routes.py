"""URL resolution in-process: `python -m bench.routes [--runs N]`.

Resolves the paths apps call most, and a website page, through the node's URL map (`django.urls.resolve`) N times
each, and prints the best of five rounds in µs per resolve: the cost every request pays before its view runs,
which the order and nesting of the routes decide (clientapi/urls.py). Uses a fresh data directory.
"""

import argparse
import os
import tempfile
import timeit

PATHS = (
    "/api/v1/timelines/home",
    "/api/v1/notifications",
    "/api/v1/markers",
    "/api/v1/statuses/123/context",
    "/api/v1/accounts/verify_credentials",
    "/feed/",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("FEDINODE_DATA_DIR", tempfile.mkdtemp(prefix="bench-routes-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
    import django

    django.setup()
    from django.urls import resolve

    for path in PATHS:
        resolve(path)  # the URL map is loaded on first use
        best = min(timeit.repeat(lambda path=path: resolve(path), number=args.runs, repeat=5))
        print(f"{path:<40} {best / args.runs * 1e6:6.1f} µs")


if __name__ == "__main__":
    main()
