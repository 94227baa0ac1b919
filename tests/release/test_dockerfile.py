"""The image cannot drift from what is tested: no Docker daemon exists here, so the Dockerfile's own build command
made the release's wheel, its own install command made the release's venv (tests/release/installed.py), and here
its own start command (CMD, with its ENV and WORKDIR) serves from that venv."""

import requests

from tests.release.dockerfile import commands_of, dockerfile_stages
from tests.release.installed import InstalledNode


def test_the_image_installs_the_built_wheel_and_nothing_of_the_source_tree():
    build, final = dockerfile_stages()[0], dockerfile_stages()[-1]
    assert commands_of(build, "python") == [["python", "-m", "build", "--outdir", "/dist", "."]]
    copies = [args for keyword, args in final.instructions if keyword in ("COPY", "ADD")]
    assert copies == [f"--from={build.name} /dist/ /dist/"]  # the wheel only, no source folder
    assert commands_of(final, "pip") == [["pip", "install", "/dist/fediverse_node-*.whl"]]  # no extras
    assert final.cmd()[0] == "fediverse-node"


def test_the_image_start_command_serves_from_the_installed_wheel(release):
    final = dockerfile_stages()[-1]
    env = final.env()
    node = InstalledNode(release, "image")
    env["FEDINODE_DATA_DIR"] = str(node.data_dir)  # the image's /data volume
    env.pop("PIP_NO_CACHE_DIR")
    node.env.update(env)
    workdir = [args for keyword, args in final.instructions if keyword == "WORKDIR"][-1]
    assert workdir == "/data"  # the working directory is the data volume: nothing of the source tree
    command = [release.program(part) if index == 0 else part.replace("0.0.0.0:8000", node.domain)
               for index, part in enumerate(final.cmd())]
    try:
        node.data_dir.mkdir()
        node.cwd = node.data_dir
        node.start(command=command)
        nodeinfo = requests.get(requests.get(f"{node.base}/.well-known/nodeinfo", timeout=30).json()["links"][0]["href"]
                                .replace(f"http://{node.domain}", node.base), timeout=30).json()
        assert nodeinfo["software"] == {"name": "fediverse-node", "version": "0.2.0"}
        node.cli("createorg", "bild", "--email", "bild@example.org", "--password", "bild-pass-12", "--city", "Bonn")
        assert requests.get(f"{node.base}/members/bild/", timeout=30).status_code == 200
    except BaseException:
        print(f"--- log of the image's command ---\n{node.log_text()}")
        raise
    finally:
        node.cleanup()
