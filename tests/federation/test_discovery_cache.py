"""WebFinger and actor documents from the discovery fast path (actors/fastpath.py) of a running node: the same
documents as the Django views, an ETag honoured with 304, changes and suspensions visible once the few seconds of
caching have passed, and everything it does not know handed to Django."""

import requests

from tests.nodes import wait_until

ACTIVITY = {"Accept": "application/activity+json"}
# what Django's middleware adds to every answer (fediverse_node/security_headers.py): the fronts' cached answers too
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                    "X-Content-Type-Options")


def security_headers_as_django_sends_them(node, *answers) -> None:
    """Each answer carries the security headers exactly as a document that Django's views answer (the outbox)."""
    django_answer = requests.get(f"{node.actor_url('verein')}/outbox", headers=ACTIVITY, timeout=10)
    assert django_answer.status_code == 200
    expected = {name: django_answer.headers[name] for name in SECURITY_HEADERS}
    assert expected["Content-Security-Policy"].startswith("default-src 'self'")
    for answer in answers:
        assert {name: answer.headers.get(name) for name in SECURITY_HEADERS} == expected, answer.url


def test_discovery_documents_are_cached_bytes_with_etags(start_node):
    node = start_node("disco", env={"FEDINODE_DOCUMENT_CACHE_SECONDS": "2"})
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1",
             "--display-name", "Verein A")
    actor_url = node.actor_url("verein")
    finger_url = f"{node.base}/.well-known/webfinger?resource=acct:verein@{node.domain}"

    finger = requests.get(finger_url, timeout=10)
    assert finger.status_code == 200 and finger.headers["Content-Type"] == "application/jrd+json"
    assert finger.json()["links"][0]["href"] == actor_url and finger.headers["Access-Control-Allow-Origin"] == "*"
    actor = requests.get(actor_url, headers=ACTIVITY, timeout=10)
    assert actor.status_code == 200 and actor.headers["Content-Type"] == "application/activity+json"
    assert actor.json()["name"] == "Verein A" and actor.json()["publicKey"]["owner"] == actor_url
    etag = actor.headers["ETag"]
    again = requests.get(actor_url, headers={**ACTIVITY, "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and not again.content
    head = requests.head(actor_url, headers=ACTIVITY, timeout=10)
    assert head.status_code == 200 and not head.content and head.headers["ETag"] == etag
    security_headers_as_django_sends_them(
        node, finger, actor, again, head, requests.get(finger_url, timeout=10), requests.get(actor_url, headers=ACTIVITY, timeout=10)
    )

    # what the fast path does not serve goes to Django: unknown names, the HTML profile, a bad query
    assert requests.get(node.actor_url("gibtsnicht"), headers=ACTIVITY, timeout=10).status_code == 404
    assert requests.get(f"{node.base}/.well-known/webfinger?resource=acct:nobody@{node.domain}",
                        timeout=10).status_code == 404
    assert requests.get(f"{node.base}/.well-known/webfinger", timeout=10).status_code == 400
    for malformed in (f"verein@{node.domain}", f"=acct:verein@{node.domain}"):  # not URIs: RFC 7033 §4.2
        assert requests.get(f"{node.base}/.well-known/webfinger?resource={malformed}", timeout=10).status_code == 400
    assert "text/html" in requests.get(actor_url, headers={"Accept": "text/html"}, timeout=10).headers["Content-Type"]

    node.query(
        "from actors.models import Actor\nfrom actors.services.profile import actor_profile_update\n"
        "actor_profile_update(actor=Actor.objects.get(username='verein'), display_name='Verein B')\nprint(json.dumps(1))"
    )

    def changed_everywhere() -> bool:  # each web process keeps its own copy: ask several times
        answers = [requests.get(actor_url, headers={**ACTIVITY, "If-None-Match": etag}, timeout=10) for _ in range(6)]
        return all(a.status_code == 200 and a.headers["ETag"] != etag and a.json()["name"] == "Verein B"
                   for a in answers)

    wait_until(changed_everywhere, timeout=10, message="the changed name, with a new ETag, after the cache's seconds")

    node.cli("suspend", "verein")
    wait_until(lambda: requests.get(finger_url, timeout=10).status_code == 404, timeout=10,
               message="WebFinger forgets a suspended account")
    wait_until(lambda: requests.get(actor_url, headers=ACTIVITY, timeout=10).json().get("suspended") is True,
               timeout=10, message="the suspended actor's minimal document in every web process")
