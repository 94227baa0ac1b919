"""`fediverse-node doctor`: checks a deployment as it runs and says what to fix.

Each check returns findings: ok, or a problem with the fix in one sentence. The public checks fetch the node's own
address (FEDINODE_DOMAIN, or --url) as a peer or browser would, through the proxy in front of it.
"""

import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from actors.models import Actor, ActorType
from actors.services.local import INSTANCE_ACTOR_USERNAME
from fediverse_node.site_address import host_is_local, host_of

TIMEOUT = 10


@dataclass
class Finding:
    check: str
    ok: bool
    message: str  # what was found; for a problem, also what to do


def ok(check: str, message: str) -> Finding:
    return Finding(check, True, message)


def problem(check: str, message: str) -> Finding:
    return Finding(check, False, message)


def check_address() -> list[Finding]:
    """The ids' scheme and domain: https on a public domain, no port a proxy would not show."""
    findings = []
    base, host = settings.FEDINODE_BASE_URL, host_of(settings.FEDINODE_DOMAIN)
    if settings.FEDINODE_SCHEME == "http" and not host_is_local(host):
        findings.append(problem("address", f"ids are {base}/…, plain http on a public domain: behind a TLS proxy set "
                                           "FEDINODE_SCHEME=https (ids cannot change once peers stored them)"))
    else:
        findings.append(ok("address", f"ids are {base}/…"))
    if settings.FEDINODE_INSECURE_HTTP and not host_is_local(host):
        findings.append(problem("address", "FEDINODE_INSECURE_HTTP=1 lets peers on private addresses and plain http "
                                           "in: unset it in production (the TLS proxy does not need it)"))
    if settings.DEBUG:
        findings.append(problem("settings", "DEBUG is on: unset DEBUG in production (error pages would show settings)"))
    return findings


def check_database() -> list[Finding]:
    findings = []
    for alias in settings.DATABASES:
        connection = connections[alias]
        try:
            connection.ensure_connection()
        except Exception as error:
            findings.append(problem("database", f"{alias}: cannot connect ({_first_line(error)}): check DATABASE_URL "
                                                "and that the server runs"))
            continue
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            findings.append(problem("database", f"{alias}: {len(pending)} migrations not applied: run "
                                                "`fediverse-node migrate` (or restart `fediverse-node run`)"))
        else:
            findings.append(ok("database", f"{alias}: {connection.vendor}, reachable, migrated"))
    return findings


FIRST_PING_SECONDS = 1.0


def check_broker(*, ping_timeout: float = 10.0) -> list[Finding]:
    from fediverse_node.celery import app

    url = settings.CELERY_BROKER_URL
    shown = re.sub(r"//[^@/]*@", "//…@", url)  # no password in the output
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as error:
        return [problem("broker", f"cannot reach {shown} ({_first_line(error)}): check CELERY_BROKER_URL and that the "
                                  "broker runs")]
    findings = [ok("broker", f"{shown} reachable")]
    # A ping collects answers until its timeout ends. Running workers answer within milliseconds, so a short ping
    # comes first and the long one only when nobody answered it (a worker busy with a long task, a slow broker).
    replies, detail = [], ""
    for timeout in (min(FIRST_PING_SECONDS, ping_timeout), ping_timeout - FIRST_PING_SECONDS):
        if timeout <= 0:
            break
        try:
            replies = app.control.ping(timeout=timeout) or []
        except Exception as error:
            replies, detail = [], f" ({_first_line(error)})"
        if replies:
            break
    if replies:
        names = sorted(name for reply in replies for name in reply)
        findings.append(ok("workers", f"{len(names)} answered: {', '.join(names)}"))
    else:
        findings.append(problem("workers", f"no Celery worker answered{detail}: nothing is delivered or received "
                                           "until one runs: `fediverse-node run` starts them, or "
                                           "`celery -A fediverse_node worker` with the same settings"))
    return findings


def check_keys() -> list[Finding]:
    local = Actor.objects.filter(local=True, deleted=False)
    without_private = list(local.filter(private_key_pem="").values_list("username", flat=True)[:5])
    without_public = list(local.filter(public_keys__isnull=True).values_list("username", flat=True)[:5])
    if without_private or without_public:
        names = ", ".join(dict.fromkeys(without_private + without_public))
        return [problem("keys", f"local actors without their key pair: {names}: restore them from a backup "
                                "(`fediverse-node restore`); peers cannot verify what they send")]
    return [ok("keys", f"{local.count()} local actors, each with its key pair")]


def _mode_problem(path: Path, *, private: bool) -> str | None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & stat.S_IWOTH:
        return f"{path} is writable by everyone: chmod o-w {path}"
    if private and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path} is readable by others (mode {mode:o}): chmod 600 {path} (it holds secrets)"
    return None


def check_files() -> list[Finding]:
    data = Path(settings.DATA_DIR)
    findings = []
    private = [data / "secret_key", data / "vapid_private_key.pem"] + [
        Path(db["NAME"]) for db in settings.DATABASES.values() if "sqlite" in db["ENGINE"]
    ]
    problems = [p for p in [_mode_problem(data, private=False)] +
                [_mode_problem(path, private=True) for path in private if path.exists()] if p]
    findings += [problem("files", text) for text in problems] or [ok("files", f"{data}: modes keep secrets private")]
    media = Path(settings.MEDIA_ROOT)
    try:
        media.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=media, prefix=".doctor-"):
            pass
    except OSError as error:
        findings.append(problem("media", f"{media} is not writable ({error.strerror}): uploads fail; give the node's "
                                         "user write access or set FEDINODE_MEDIA_DIR"))
    else:
        findings.append(ok("media", f"{media} writable"))
    return findings


def check_public(*, url: str = "") -> list[Finding]:
    """The well-known endpoints and an actor as the public sees them (through the proxy, if there is one)."""
    base = settings.FEDINODE_BASE_URL
    public = (url or base).rstrip("/")
    findings = []
    session = requests.Session()
    session.headers["User-Agent"] = f"fediverse-node-doctor/{settings.FEDINODE_VERSION}"

    def get(path: str, **kwargs) -> requests.Response | None:
        try:
            return session.get(f"{public}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            findings.append(problem("public", f"{public}{path} does not answer ({_first_line(error)}): is the node "
                                              "running, and does the proxy forward to it? (--url to test another "
                                              "address)"))
            return None

    response = get("/.well-known/nodeinfo")
    if response is None:
        return findings
    links = response.json().get("links", []) if response.status_code == 200 and _is_json(response) else None
    if links is None:
        findings.append(problem("public", f"{public}/.well-known/nodeinfo answers {response.status_code}, not NodeInfo: "
                                          "the proxy must pass /.well-known/ to the node"))
    elif not all(link.get("href", "").startswith(f"{base}/") for link in links):
        findings.append(problem("public", f"NodeInfo links point elsewhere than {base}: set FEDINODE_DOMAIN and "
                                          "FEDINODE_SCHEME to the public address"))
    else:
        findings.append(ok("public", f"{public}/.well-known/nodeinfo answers with links to {base}"))
    host_meta = get("/.well-known/host-meta")
    if host_meta is not None:
        if host_meta.status_code == 200 and f"{base}/.well-known/webfinger" in host_meta.text:
            findings.append(ok("public", "host-meta points to WebFinger"))
        else:
            findings.append(problem("public", f"/.well-known/host-meta answers {host_meta.status_code} without "
                                              f"{base}/.well-known/webfinger: the proxy must pass /.well-known/"))
    actor = Actor.objects.filter(local=True, deleted=False, suspended=False).exclude(
        username=INSTANCE_ACTOR_USERNAME).exclude(type=ActorType.APPLICATION).order_by("id").first()
    if actor is not None:
        finger = get("/.well-known/webfinger", params={"resource": f"acct:{actor.username}@{settings.FEDINODE_DOMAIN}"})
        if finger is not None:
            hrefs = [link.get("href") for link in finger.json().get("links", [])] if _is_json(finger) else []
            if finger.status_code == 200 and actor.uri in hrefs:
                findings.append(ok("public", f"WebFinger finds {actor.handle}"))
            else:
                findings.append(problem("public", f"WebFinger for {actor.username} answers {finger.status_code} "
                                                  f"without {actor.uri}: check FEDINODE_DOMAIN and the proxy"))
    return findings


def _is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "")


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def doctor_run(*, url: str = "", public: bool = True) -> list[Finding]:
    """Every check, in the order an operator fixes things."""
    findings = check_address() + check_database()
    if all(f.ok for f in findings if f.check == "database"):
        findings += check_keys()
    findings += check_broker() + check_files()
    if public:
        findings += check_public(url=url)
    return findings
