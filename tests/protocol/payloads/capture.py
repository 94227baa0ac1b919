"""Capture real payloads into the *-captured/ folders here; run by hand (README.md), never by the test suite.

One node of ours runs on loopback next to two independent ActivityPub implementations:
- a @fedify/fedify actor (tests/interop/fedify_peer/capture.mjs) sends one of each activity to our org;
- an actor built and signed with PyPI bovine's factories does the same;
- our node answers and sends to the bovine actor.
What arrives at our inbox is read back from the inbox spool, where it is stored as sent; what each side serves is
fetched from its URLs. Documents are written re-indented, otherwise untouched (ids, dates and keys as captured).

    .venv/bin/python tests/protocol/payloads/capture.py
"""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from tests.interop.bovine_peer import BovinePeer  # noqa: E402
from tests.interop.fedify_peer import FOLDER as FEDIFY_FOLDER  # noqa: E402
from tests.nodes import AS_JSON, Node, free_loopback_address, wait_until  # noqa: E402

PASSWORD = "capture-pass-1"


def write(folder: str, name: str, document: dict) -> None:
    path = HERE / folder / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


def fetch(url: str) -> dict:
    response = requests.get(url, headers={"Accept": AS_JSON}, timeout=20)
    response.raise_for_status()
    return response.json()


def inbox_payloads(node: Node, actor: str, count: int) -> list[dict]:
    """The payloads from actor in our inbox spool, as sent and in arrival order, once count of them are there."""
    code = (
        "from inbox.models import InboxItem\n"
        f"print(json.dumps([i.payload for i in InboxItem.objects.filter(actor_uri={actor!r}).order_by('id')]))"
    )
    return wait_until(lambda: (found := node.query(code)) and len(found) >= count and found,
                      message=f"{count} activities from {actor} in our inbox")


def by_id(payloads: list[dict]) -> dict[str, dict]:
    return {p["id"]: p for p in payloads}


def our_follow(node: Node, target: str) -> None:
    node.query(
        "from actors.models import Actor\nfrom actors.services.remote import actor_fetch\n"
        "from actors.services.follow import follow_request\n"
        f"f = follow_request(follower=Actor.objects.get(username='praxis'), target=actor_fetch({target!r}))\n"
        "print(json.dumps(f.uri))"
    )


def capture_fedify(node: Node, org: str, post: str) -> None:
    host, port = free_loopback_address()
    process = subprocess.Popen(
        ["node", "capture.mjs", "--host", host, "--port", str(port), "--name", "emil"],
        cwd=FEDIFY_FOLDER, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready = process.stdout.readline()
        if not ready.startswith("READY"):
            raise RuntimeError(f"the Fedify capture peer did not start: {ready}{process.stderr.read()}")
        actor = f"http://{host}:{port}/users/emil"
        write("fedify-captured", "actor", fetch(actor))
        our_follow(node, actor)  # Fedify answers with an Accept
        response = requests.post(f"http://{host}:{port}/_control/send", json={"target": org, "post": post}, timeout=120)
        response.raise_for_status()
        sent = response.json()
        write("fedify-captured", "note", fetch(sent["note"]))  # the edited note, still served
        write("fedify-captured", "question", fetch(sent["question"]))
        payloads = inbox_payloads(node, actor, len(sent) - 2 + 1)  # every activity sent, and the Accept
        received = by_id(payloads)
        for name, activity_id in sent.items():
            if name not in ("note", "question"):
                write("fedify-captured", name, received[activity_id])
        write("fedify-captured", "accept_follow", next(p for p in payloads if p["type"] == "Accept"))
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        if errors.strip():
            print(f"--- Fedify capture peer stderr ---\n{errors[-3000:]}")


def bovine_profile(peer: BovinePeer) -> dict:
    """The peer's actor document built by bovine's Actor (legacy publicKey and a FEP-521a Multikey)."""
    from bovine.activitystreams import Actor
    from bovine.activitystreams.controller import Multikey
    from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key

    did = private_key_to_did_key(generate_ed25519_private_key())
    return Actor(
        id=peer.actor_id, type="Person", name="Bovi Bovine", preferred_username="bovi",
        inbox=f"{peer.base}/inbox", outbox=f"{peer.base}/outbox", followers=f"{peer.base}/followers",
        following=f"{peer.base}/following", summary="<p>Ein Konto aus bovine</p>", url=f"{peer.base}/@bovi",
        icon={"type": "Image", "mediaType": "image/png", "url": f"{peer.base}/media/bovi.png"},
        public_key=peer.public_pem, public_key_name="main-key",
        assertion_method=[Multikey(
            id=f"{peer.actor_id}#ed25519-key", controller=peer.actor_id, multibase=did.removeprefix("did:key:"),
        )],
    ).build()


def png_file(folder: Path) -> Path:
    from PIL import Image

    path = folder / "plakat.png"
    Image.new("RGB", (120, 80), (200, 60, 40)).save(path)
    return path


def capture_bovine(node: Node, peer: BovinePeer, org: str, post: str) -> tuple[str, object]:
    """Send bovine-built activities to our org; returns the id of its note (deleted later) and a function that
    sends the Delete and writes every activity as our inbox received it."""
    from bovine.activitystreams import factories_for_actor_object
    from bovine.activitystreams.activity_factory import Activity
    from bovine.activitystreams.media import create_image

    peer.documents["/actor"] = bovine_profile(peer)
    write("bovine-captured", "actor", fetch(peer.actor_id))
    activities, objects = factories_for_actor_object(peer.profile, id_generator=lambda: f"{peer.base}/{uuid.uuid4()}")
    sent: dict[str, dict] = {}

    def send(name: str, activity: dict) -> None:
        status, text = peer.post(f"{org}/inbox", activity)
        if status >= 300:
            raise RuntimeError(f"our inbox refused bovine's {name}: {status} {text}")
        sent[name] = activity

    send("follow", activities.follow(org).build())
    image = create_image(str(png_file(node.data_dir)), f"{peer.base}/media/plakat.png", "Ein Plakat").build()
    note = objects.note(
        content=f'<p><a href="{org}">@praxis</a> Neues Plakat <a href="{peer.base}/tags/Ehrenamt">#Ehrenamt</a></p>',
        in_reply_to=post, tag=[{"type": "Mention", "href": org, "name": "@praxis"},
                               {"type": "Hashtag", "href": f"{peer.base}/tags/Ehrenamt", "name": "#Ehrenamt"}],
        attachment=[{k: v for k, v in image.items() if k != "@context"}],
    ).as_public().build()
    note["cc"] = [*note.get("cc", []), org]
    peer.serve(note)
    write("bovine-captured", "note", fetch(note["id"]))
    send("create", activities.create(note).build())
    edited = {**note, "content": note["content"].replace("Neues Plakat", "Das neue Plakat")}
    peer.serve(edited)
    send("update", activities.update(edited).build())
    like = activities.like(post).build()
    send("like", like)
    send("announce", activities.announce(post).as_public().build())
    # bovine has no Undo factory: its Activity dataclass with the type and the inner activity
    send("undo_like", Activity(type="Undo", actor=peer.actor_id, id=f"{peer.base}/{uuid.uuid4()}", object=like).build())

    def finish() -> None:
        del peer.documents[note["id"].removeprefix(peer.base)]
        send("delete", activities.delete(note["id"]).as_public().build())
        received = by_id(inbox_payloads(node, peer.actor_id, len(sent)))
        for name, activity in sent.items():
            write("bovine-captured", name, received[activity["id"]])

    return note["id"], finish


def capture_ours(node: Node, peer: BovinePeer, org: str, bovine_note: str) -> None:
    """What our node serves (its actor, a Note, an Article, an Event) and sends (Accept, Create, Follow, Undo, Like,
    Announce) to the bovine peer, which records each POST body as it arrives."""
    from tests.api_session import log_in

    write("fediverse-node-captured", "actor", fetch(org))
    accept = wait_until(lambda: next((a for a in peer.received if a.get("type") == "Accept"), None),
                        message="our Accept at the bovine peer")
    write("fediverse-node-captured", "accept_follow", accept)

    api = log_in(node.base, username="praxis", password=PASSWORD)
    with png_file(node.data_dir).open("rb") as picture:
        media = api.ok("POST", "/api/v2/media", files={"file": ("plakat.png", picture, "image/png")},
                       data={"description": "Ein Plakat zum Aktionstag", "focus": "0.0,0.5"})
    status = api.ok("POST", "/api/v1/statuses", data={
        "status": "@kita Neues Plakat zum Aktionstag #Ehrenamt", "media_ids[]": [media["id"]], "language": "de",
    })
    article, event = node.query(
        "from datetime import datetime, timedelta, UTC\nfrom actors.models import Actor\n"
        "from posts.services.publishing import post_create\n"
        "praxis = Actor.objects.get(username='praxis')\n"
        "a = post_create(author=praxis, type='Article', name='Digitale Sprechstunde',"
        " summary='Seit März beraten wir online', text='Seit März beraten wir **online**.')\n"
        "start = datetime(2026, 12, 1, 15, tzinfo=UTC)\n"
        "e = post_create(author=praxis, type='Event', name='Offene Sprechstunde', text='Kommt vorbei!',"
        " starts_at=start, ends_at=start + timedelta(hours=2))\n"
        "print(json.dumps([a.uri, e.uri]))"
    )
    for name, uri in (("note", status["uri"]), ("article", article), ("event", event)):
        write("fediverse-node-captured", name, fetch(uri))
        create = wait_until(lambda uri=uri: next(
            (a for a in peer.received if a.get("type") == "Create" and a["object"].get("id") == uri), None,
        ), message=f"our Create of {uri} at the bovine peer")
        write("fediverse-node-captured", f"create_{name}", create)

    our_follow(node, peer.actor_id)
    node.query(
        "from actors.models import Actor\nfrom posts.models import Post\n"
        "from actors.services.follow import follow_undo\nfrom actors.services.remote import actor_fetch\n"
        "from posts.services.publishing import like_create, boost_create\n"
        "praxis = Actor.objects.get(username='praxis')\n"
        f"post = Post.objects.get(uri={bovine_note!r})\n"
        "like_create(actor=praxis, post=post)\nboost_create(actor=praxis, post=post)\n"
        f"follow_undo(follower=praxis, target=actor_fetch({peer.actor_id!r}))\nprint('null')"
    )
    for kind, name in (("Follow", "follow"), ("Like", "like"), ("Announce", "announce"), ("Undo", "undo_follow")):
        found = wait_until(lambda kind=kind: next((a for a in peer.received if a.get("type") == kind), None),
                           message=f"our {kind} at the bovine peer")
        write("fediverse-node-captured", name, found)


def main() -> None:
    node = Node("capture")
    try:
        node.start()
        for name in ("praxis", "kita"):
            node.cli("createorg", name, "--email", f"{name}@example.org", "--password", PASSWORD)
        org = node.actor_url("praxis")
        post = node.query(
            "from actors.models import Actor\nfrom posts.services.publishing import post_create\n"
            "print(json.dumps(post_create(author=Actor.objects.get(username='praxis'), text='Aktionstag am Samstag').uri))"
        )
        if not (FEDIFY_FOLDER / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FEDIFY_FOLDER, check=True, timeout=300)
        capture_fedify(node, org, post)
        with BovinePeer("bovi") as peer:
            bovine_note, finish_bovine = capture_bovine(node, peer, org, post)
            capture_ours(node, peer, org, bovine_note)
            finish_bovine()
    except Exception:
        print(node.log_text()[-5000:])
        raise
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
