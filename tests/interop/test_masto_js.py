"""masto.js (npm `masto`) against a running node: the scenario in masto_client/scenario.mjs registers an app,
logs in through the node's pages with PKCE, uploads an image with alt text, posts with a content warning,
replies, pages the home timeline, favourites, edits and deletes; here we check what it saw and what was stored."""

import json
import subprocess
from pathlib import Path

from PIL import Image

SCENARIO = Path(__file__).parent / "masto_client" / "scenario.mjs"


def test_masto_js_session(start_node, nodejs_available, tmp_path):
    node = start_node("masto")
    node.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    image = tmp_path / "bild.png"
    Image.new("RGB", (40, 30), (0, 160, 0)).save(image)
    result = subprocess.run(
        ["node", str(SCENARIO), node.base, "kita", "kita-pass-123", str(image)],
        capture_output=True, text=True, timeout=180, cwd=SCENARIO.parent,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    steps = {line["step"]: line for line in map(json.loads, result.stdout.splitlines())}

    assert steps["instance"]["version"].startswith("4.2.0 (compatible; fediverse-node")
    assert steps["token"] == {"step": "token", "scope": "read write follow push", "stateKept": True}
    assert steps["me"]["username"] == "kita"
    assert steps["media"]["url"].startswith(f"{node.base}/media/") and steps["media"]["description"] == "Ein grünes Bild"
    assert steps["status"]["spoilerText"] == "Ein Bild" and steps["status"]["media"] == ["Ein grünes Bild"]
    assert steps["reply"]["inReplyToId"] == steps["status"]["id"]

    first, second = steps["pages"]["pages"]
    assert len(first) == 20 and len(second) == 7 and not set(first) & set(second)
    assert first + second == sorted(first + second, key=int, reverse=True)
    assert steps["status"]["id"] in second

    assert steps["favourite"] == {"step": "favourite", "favourited": True, "count": 1}
    assert steps["edit"]["editedAt"] and steps["edit"]["versions"][-1] == "<p>Aus der Praxis, bearbeitet</p>"
    assert steps["delete"]["text"] == "Eine Antwort" and steps["gone"]["status"] == 404

    stored = node.query(
        "from posts.models import Post\n"
        f"p = Post.objects.get(id={steps['status']['id']})\n"
        "print(json.dumps([p.summary, p.source, [a.description for a in p.attachments.all()], p.likes.count()]))"
    )
    assert stored == ["Ein Bild", "Aus der Praxis, bearbeitet", ["Ein grünes Bild"], 1]
