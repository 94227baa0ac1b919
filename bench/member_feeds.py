"""What reading a member's website feed costs: `feed_parse` of a 100-entry feed (RSS 2.0 and Atom through
feedparser, JSON Feed through orjson), each entry with a paragraph of HTML, a picture and three categories.

    .venv/bin/python -m bench.member_feeds [--entries 100] [--rounds 30]

Prints the median milliseconds per document and per entry. An unchanged feed costs only its conditional GET (304);
a changed one is parsed in full, so this is the CPU of one poll that finds something new."""

import argparse
import statistics
import time

import orjson

from community.feed_reading import feed_parse

PARAGRAPH = "<p>Unser Familienzentrum lädt ein: <b>Frühstück</b>, Beratung und <a href='https://example.org/x'>mehr</a>.</p>"


def rss(n: int) -> bytes:
    items = "".join(
        f"<item><guid>https://verein.example/{i}</guid><title>Eintrag {i}</title>"
        f"<link>https://verein.example/{i}</link><description><![CDATA[{PARAGRAPH * 3}"
        f"<img src='/bild{i}.jpg' alt='Bild {i}'>]]></description>"
        "<category>Familie</category><category>Beratung</category><category>Kiel</category></item>"
        for i in range(n)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Verein</title><link>https://verein.example/'
            f"</link>{items}</channel></rss>").encode()


def atom(n: int) -> bytes:
    entries = "".join(
        f"<entry><id>urn:e:{i}</id><title>Eintrag {i}</title><link href='https://verein.example/{i}'/>"
        f"<updated>2026-12-01T10:00:00Z</updated><category term='Familie'/><category term='Beratung'/>"
        f"<content type='html'>{(PARAGRAPH * 3).replace('<', '&lt;')}</content></entry>"
        for i in range(n)
    )
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Verein</title>'
            f"<link href='https://verein.example/'/><id>urn:f</id><updated>2026-12-01T10:00:00Z</updated>"
            f"{entries}</feed>").encode()


def json_feed(n: int) -> bytes:
    return orjson.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Verein", "home_page_url": "https://verein.example/",
        "items": [{"id": str(i), "url": f"https://verein.example/{i}", "title": f"Eintrag {i}",
                   "content_html": PARAGRAPH * 3, "image": f"https://verein.example/bild{i}.jpg",
                   "tags": ["Familie", "Beratung", "Kiel"]} for i in range(n)],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"| format | bytes | ms per feed ({args.entries} entries, median of {args.rounds}) | µs per entry |")
    print("| --- | --- | --- | --- |")
    for name, make in (("RSS 2.0", rss), ("Atom", atom), ("JSON Feed", json_feed)):
        body = make(args.entries)
        assert len(feed_parse(body=body, url="https://verein.example/feed").items) == args.entries
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            feed_parse(body=body, url="https://verein.example/feed")
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(f"| {name} | {len(body):,} | {median * 1000:.1f} | {median * 1e6 / args.entries:.0f} |")


if __name__ == "__main__":
    main()
