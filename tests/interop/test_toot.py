"""The toot CLI (PyPI toot) against a running node: password and browser log-in, media with alt text, a content
warning, a reply, the home timeline over two pages (by Link header and by max_id), favourite, delete."""

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.api_session import ApiSession
from tests.interop.oauth_login import authorization_code

TOOT = str(Path(sys.executable).parent / "toot")
PASSWORD = "kita-pass-123"


@pytest.fixture
def node(start_node):
    node = start_node("toot")
    node.cli("createorg", "kita", "--email", "kita@example.org", "--password", PASSWORD)
    return node


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "COLUMNS": "100"}


def toot(env, *args: str, input: str | None = None) -> str:
    result = subprocess.run([TOOT, *args], env=env, input=input, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"toot {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def toot_json(env, *args: str):
    return json.loads(toot(env, *args, "--json"))


def token_of(env) -> str:
    config = json.loads((Path(env["XDG_CONFIG_HOME"]) / "toot" / "config.json").read_text())
    return next(iter(config["users"].values()))["access_token"]


def run_in_terminal(env, *args: str, answers: list[str], timeout: float = 60) -> str:
    """Run toot on a pseudo-terminal (it pages only on a TTY), answering each `Continue?` prompt in turn."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(TOOT, [TOOT, *args], env)
    output, deadline = b"", time.monotonic() + timeout
    answers = list(answers)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if output.rstrip().endswith(b"[Y/n]") and answers:
            os.write(fd, answers.pop(0).encode() + b"\n")
            output += b"\n"
    os.waitpid(pid, 0)
    return output.decode(errors="replace")


def test_toot_cli_session(node, env, tmp_path):
    out = toot(env, "login_cli", "-i", node.base, "-e", "kita@example.org", "-p", PASSWORD)
    assert "Successfully logged in" in out
    api = ApiSession(node.base, token_of(env))

    image = tmp_path / "garten.png"
    Image.new("RGB", (90, 60), (30, 160, 60)).save(image)
    posted = toot_json(env, "post", "--media", str(image), "--description", "Beete im Hof",
                       "--spoiler-text", "Gartenbilder", "Frühling im Hof #Praxis")
    assert posted["spoiler_text"] == "Gartenbilder"
    assert posted["media_attachments"][0]["description"] == "Beete im Hof"
    assert posted["tags"][0]["name"] == "praxis"
    reply = toot_json(env, "post", "--reply-to", posted["id"], "Mit Tomaten!")
    assert reply["in_reply_to_id"] == posted["id"]

    for number in range(8):
        toot(env, "post", f"Eintrag {number}")
    first = toot_json(env, "timelines", "home", "--limit", "5", "--no-pager")
    second = toot_json(env, "timelines", "home", "--limit", "5", "--max-id", first[-1]["id"], "--no-pager")
    ids = [s["id"] for s in first + second]
    assert len(ids) == 10 and len(set(ids)) == 10 and ids == sorted(ids, key=int, reverse=True)

    # the older `toot timeline` follows the Link header from page to page on a terminal
    paged = run_in_terminal(env, "timeline", "--count", "4", answers=["y", "n"])
    assert "Eintrag 7" in paged and "Eintrag 0" in paged and "Mit Tomaten" not in paged, paged

    toot(env, "favourite", posted["id"])
    assert api.ok("GET", f"/api/v1/statuses/{posted['id']}")["favourited"] is True
    toot(env, "delete", reply["id"])
    assert api.get(f"/api/v1/statuses/{reply['id']}").status_code == 404


def test_toot_browser_login_with_the_code_from_the_page(node, env):
    process = subprocess.Popen([TOOT, "login", "-i", node.base], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    while True:
        line = process.stdout.readline()
        lines.append(line)
        if "/oauth/authorize" in line or not line:
            break
    url = re.search(r"https?://\S+/oauth/authorize\S*", "".join(lines)).group(0)
    code = authorization_code(authorize_url=url, username="kita@example.org", password=PASSWORD)
    out, _ = process.communicate(f"n\n{code}\n", timeout=60)
    assert process.returncode == 0 and "Successfully logged in" in out, out
    assert ApiSession(node.base, token_of(env)).ok("GET", "/api/v1/accounts/verify_credentials")["username"] == "kita"
