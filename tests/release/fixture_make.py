"""Make the upgrade fixture of a release: a small data directory (SQLite, keys, secret key) and a manifest of what it
holds, for tests/release/test_upgrade.py. Run it once per release, with that release's code:

    git archive v0.2.0 | tar -x -C /tmp/release-0.2.0
    .venv/bin/python tests/release/fixture_make.py --source /tmp/release-0.2.0 --version 0.2.0

It only uses what every release has had since 0.1.0 (createorg, post, the shell), and a remote follower on a loopback
address where nothing listens, so a node started on the fixture never sends traffic off this machine. Its keys and
secret key are made for the fixture and used nowhere else.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOMAIN = "release-fixture.localhost"
REMOTE_FOLLOWER = "http://127.0.0.1:9/users/anna"  # port 9 (discard): nothing answers, nothing leaves loopback

SEED = """
from actors.models import Actor, Follow
from community.services.profiles import profile_create
from outbox.models import Delivery
from posts.services.publishing import post_create
praxis = Actor.objects.get(local=True, username="praxis")
nachbar = Actor.objects.get(local=True, username="nachbar")
profile_create(actor=praxis, city="Leipzig", postal_code="04109", state="SN", fields_of_work=["migration"])
profile_create(actor=nachbar, city="Kassel", postal_code="34117", state="HE")
post_create(author=praxis, text="Unser Sprachcafé öffnet jeden Dienstag. #GleichImNetz")
post_create(author=praxis, text="Rückblick auf den Fachtag", summary="lang")
post_create(author=nachbar, text="Neue Beratungszeiten ab März")
anna = Actor.objects.create(
    uri=REMOTE, username="anna", domain="127.0.0.1:9", local=False, type="Person", display_name="Anna",
    inbox_url=REMOTE + "/inbox", shared_inbox_url="http://127.0.0.1:9/inbox", url=REMOTE,
    followers_url=REMOTE + "/followers", following_url=REMOTE + "/following", outbox_url=REMOTE + "/outbox",
)
anna.public_keys.create(key_id=REMOTE + "#main-key", pem=praxis.public_keys.get().pem)
Follow.objects.create(follower=anna, target=praxis, uri=REMOTE + "/follows/1", state="accepted")
Delivery.objects.all().delete()  # nothing waits to be sent from the fixture
print("seeded")
"""

MANIFEST = """
import hashlib
from django.contrib.auth import get_user_model
from actors.models import Actor, Follow
from posts.models import Post
digest = lambda text: hashlib.sha256(text.encode()).hexdigest()
actors = {a.username: {"uri": a.uri, "private_key": digest(a.private_key_pem),
                       "public_keys": sorted(digest(k.pem) for k in a.public_keys.all())}
          for a in Actor.objects.filter(local=True)}
posts = sorted(Post.objects.filter(local=True).values_list("uri", flat=True))
followers = {a.username: sorted(f.follower.uri for f in Follow.objects.filter(target=a, state="accepted"))
             for a in Actor.objects.filter(local=True)}
users = sorted(get_user_model().objects.values_list("username", flat=True))
print(json.dumps({"actors": actors, "posts": posts, "followers": followers, "users": users}))
"""

PASSWORDS = {"praxis": "praxis-pass-1", "nachbar": "nachbar-pass-1"}


def fixture_make(*, source: Path, version: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix="fedinode-fixture-"))
    data = work / "data"
    env = {**os.environ, "PYTHONPATH": str(source), "FEDINODE_DATA_DIR": str(data), "FEDINODE_DOMAIN": DOMAIN,
           "FEDINODE_INSECURE_HTTP": "1", "DJANGO_SETTINGS_MODULE": "fediverse_node.settings"}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY"):
        env.pop(name, None)

    def node(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "operations.cli", *args], cwd=work, env=env,
                                capture_output=True, text=True, check=True)
        return result.stdout.strip()

    node("migrate", "--no-input")
    node("migrate", "--no-input", "--database", "inbox")
    for username, password in PASSWORDS.items():
        node("createorg", username, "--email", f"{username}@example.org", "--password", password)
    node("shell", "-c", f"REMOTE = {REMOTE_FOLLOWER!r}\n{SEED}")
    manifest = json.loads(node("shell", "-c", f"import json\n{MANIFEST}").splitlines()[-1])
    manifest.update(version=version, domain=DOMAIN, passwords=PASSWORDS)
    FIXTURES.mkdir(exist_ok=True)
    archive = FIXTURES / f"{version}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(data.iterdir()):
            if path.name in ("secret_key", "media") or path.name.startswith(("db.sqlite3", "inbox.sqlite3")):
                tar.add(path, arcname=path.name)
    (FIXTURES / f"{version}.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return archive


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a checkout of the release")
    parser.add_argument("--version", required=True)
    arguments = parser.parse_args()
    print(fixture_make(source=arguments.source.resolve(), version=arguments.version))
