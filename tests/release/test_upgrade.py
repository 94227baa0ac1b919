"""Upgrades: `fediverse-node run` of the new release on a copy of each earlier release's data directory
(tests/release/fixtures/<version>.tar.gz, made by tests/release/fixture_make.py) migrates it and keeps every actor,
key, post, follower and log-in."""

import hashlib
import json
import tarfile
from pathlib import Path

import pytest
import requests

from tests.release.installed import InstalledNode

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VERSIONS = sorted(path.name.removesuffix(".tar.gz") for path in FIXTURES.glob("*.tar.gz"))
AS_JSON = {"Accept": "application/activity+json"}

CHECK = """
import hashlib, json
from django.contrib.auth import authenticate
from actors.models import Actor
digest = lambda text: hashlib.sha256(text.encode()).hexdigest()
keys = {a.username: digest(a.private_key_pem) for a in Actor.objects.filter(local=True)}
logins = {name: authenticate(username=name, password=password) is not None for name, password in PASSWORDS.items()}
print(json.dumps({"private_keys": keys, "logins": logins}))
"""


def test_there_is_a_fixture_of_the_last_release():
    assert "0.1.0" in VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_the_new_release_runs_on_an_earlier_release_data_dir_and_loses_nothing(release, version):
    manifest = json.loads((FIXTURES / f"{version}.json").read_text())
    node = InstalledNode(release, f"upgrade-{version}", env={"FEDINODE_DOMAIN": manifest["domain"]})
    with tarfile.open(FIXTURES / f"{version}.tar.gz") as archive:
        archive.extractall(node.data_dir, filter="data")
    secret = (node.data_dir / "secret_key").read_text()
    base = manifest["domain"]

    def local(uri: str) -> str:  # the fixture's ids, fetched from where this node listens
        return uri.replace(f"http://{base}", node.base)

    try:
        node.start()
        for username, facts in manifest["actors"].items():
            if username == "instance.actor":
                continue
            document = requests.get(local(facts["uri"]), headers=AS_JSON, timeout=30).json()
            assert document["id"] == facts["uri"]
            assert hashlib.sha256(document["publicKey"]["publicKeyPem"].encode()).hexdigest() in facts["public_keys"]
            followers = requests.get(local(document["followers"]) + "?page=1", headers=AS_JSON, timeout=30).json()
            assert sorted(followers.get("orderedItems", [])) == manifest["followers"][username]
        for uri in manifest["posts"]:
            post = requests.get(local(uri), headers=AS_JSON, timeout=30)
            assert post.status_code == 200 and post.json()["id"] == uri
        assert requests.get(f"{node.base}/members/praxis/", timeout=30).status_code == 200

        code = f"PASSWORDS = {manifest['passwords']!r}\n{CHECK}"
        facts = json.loads(node.cli("shell", "-c", code).splitlines()[-1])
        assert facts["private_keys"] == {name: a["private_key"] for name, a in manifest["actors"].items()}
        assert all(facts["logins"].values()), facts["logins"]
        assert (node.data_dir / "secret_key").read_text() == secret
        assert "[ ]" not in node.cli("showmigrations")  # every migration of the new release applied
    except BaseException:
        print(f"--- log of the upgraded node ({version}) ---\n{node.log_text()}")
        raise
    finally:
        node.cleanup()
