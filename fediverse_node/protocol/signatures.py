"""HTTP message signatures: draft-cavage-http-signatures-12 (what most of the Fediverse speaks) and RFC 9421.

Pure functions: keys come in as `cryptography` objects, headers as a case-insensitive mapping, the URL as the peer
addressed it (scheme://host[:port]/path?query).
"""

import base64
import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from types import MappingProxyType
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from .digests import content_digest_header, digest_header
from .errors import SignatureError

__all__ = ["SignatureError", "sign_cavage", "sign_rfc9421", "signature_key_id", "verify_request"]

# A bare (unquoted) value cannot hold a quote: `keyId=x"` is malformed, not a keyId ending in a quote.
PARAM_RE = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([^,\s"]+))\s*(?:,|$)')
RFC9421_ALGORITHMS = {"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"}


# ---------------------------------------------------------------- shared pieces

def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _target(url: str) -> tuple[str, str, str, str]:
    """(scheme, authority, path, query) of a URL; the authority without a default port (RFC 9421 §2.2.3)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    authority = parts.netloc.lower()
    if (scheme, authority.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        authority = authority.rsplit(":", 1)[0]
    return scheme, authority, parts.path or "/", parts.query


def _b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (ValueError, TypeError):
        raise SignatureError("the signature is not valid base64") from None


def _sign_bytes(private_key, message: bytes, algorithm: str = "") -> bytes:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(message)
    if algorithm == "rsa-pss-sha512":
        return private_key.sign(message, padding.PSS(padding.MGF1(hashes.SHA512()), 64), hashes.SHA512())
    return private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def _verify_bytes(public_key, signature: bytes, message: bytes, algorithms: list[str]) -> None:
    """Verify with the first of the candidate algorithms that fits the key; SignatureError if none verifies."""
    for algorithm in algorithms:
        try:
            if isinstance(public_key, ed25519.Ed25519PublicKey):
                if algorithm == "ed25519":
                    public_key.verify(signature, message)
                    return
            elif isinstance(public_key, rsa.RSAPublicKey):
                if algorithm == "rsa-v1_5-sha256":
                    public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
                    return
                if algorithm == "rsa-pss-sha512":
                    public_key.verify(
                        signature, message, padding.PSS(padding.MGF1(hashes.SHA512()), 64), hashes.SHA512()
                    )
                    return
        except InvalidSignature:
            continue
    raise SignatureError("the signature does not verify with the actor's key")


def _check_time(when: datetime, max_skew: int, now: datetime, what: str) -> None:
    if abs((now - when).total_seconds()) > max_skew:
        raise SignatureError(f"{what} is outside the accepted window of {max_skew} seconds (replayed or clock skew)")


@functools.lru_cache(maxsize=64)
def _http_date(value: str) -> datetime:
    """A Date header's moment, in UTC when it names no zone. Cached: a busy peer's POSTs of one second carry the
    same value, and the email module's parser costs 3 µs of the inbox's ~200 per POST (a value that fails is not
    cached: it raises each time)."""
    when = parsedate_to_datetime(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return None if value is None else str(value).strip()


# ---------------------------------------------------------------- draft-cavage-12

@functools.lru_cache(maxsize=256)
def _cavage_params(header: str) -> Mapping[str, str]:
    """The Signature header's parameters, read-only: the inbox reads the keyId before it verifies, and the second
    call is answered from the cache (a header that fails is not cached: it raises each time it is read)."""
    params: dict[str, str] = {}
    position = 0
    while position < len(header):
        match = PARAM_RE.match(header, position)
        if not match:
            raise SignatureError("the Signature header cannot be parsed")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    for required in ("keyId", "signature"):
        if not params.get(required):
            raise SignatureError(f"the Signature header has no {required}")
    return MappingProxyType(params)


def _cavage_string(
    names: list[str], *, method: str, url: str, headers: Mapping[str, str], params: Mapping[str, str]
) -> bytes:
    _, _, path, query = _target(url)
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}{'?' + query if query else ''}")
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1])
            if not value:
                raise SignatureError(f"{name} is signed but the {name[1:-1]} parameter is missing")
            lines.append(f"{name}: {value}")
        else:
            value = _header(headers, name)
            if value is None:
                raise SignatureError(f"the signed header {name!r} is missing")
            lines.append(f"{name}: {value}")
    return "\n".join(lines).encode()


def sign_cavage(
    *, method: str, url: str, body: bytes | None, key_id: str, private_key, now: datetime | None = None
) -> dict[str, str]:
    """Headers that sign a request the way Mastodon does: rsa-sha256 over (request-target) host date [digest]."""
    _, authority, _, _ = _target(url)
    headers = {"Host": authority, "Date": format_datetime(_now(now).astimezone(UTC), usegmt=True)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = digest_header(body)
        names.append("digest")
    lowered = {k.lower(): v for k, v in headers.items()}
    message = _cavage_string(names, method=method, url=url, headers=lowered, params={})
    signature = base64.b64encode(_sign_bytes(private_key, message)).decode()
    algorithm = "hs2019" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "rsa-sha256"
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(names)}",signature="{signature}"'
    )
    return headers


def _verify_cavage(*, method, url, headers, body, public_key, now, max_skew) -> str:
    params = _cavage_params(headers["Signature"])
    names = params.get("headers", "date").lower().split()
    if "(request-target)" not in names:
        # Without it a signature made for one path (or method) is valid for any other one on this server.
        raise SignatureError("the signature does not cover (request-target)")
    if body and not {"digest", "content-digest"} & set(names):
        raise SignatureError("a request with a body must sign its digest")
    if "date" in names:
        try:
            when = _http_date(_header(headers, "date") or "")
        except (TypeError, ValueError):
            raise SignatureError("the Date header cannot be parsed") from None
        _check_time(when, max_skew, now, "the Date header")
    elif "(created)" in names and params.get("created", "").isdigit():
        _check_time(datetime.fromtimestamp(int(params["created"]), UTC), max_skew, now, "the signature's created time")
    else:
        raise SignatureError("the signature covers neither date nor (created), so it could be replayed")
    if params.get("expires", "").isdigit() and int(params["expires"]) < now.timestamp():
        raise SignatureError("the signature has expired")
    if "host" in names and (_header(headers, "host") or "").lower() != _target(url)[1]:
        raise SignatureError("the signed Host is not this server (a signature meant for another server)")
    message = _cavage_string(names, method=method, url=url, headers=headers, params=params)
    algorithm = params.get("algorithm", "hs2019").lower()
    candidates = {
        "rsa-sha256": ["rsa-v1_5-sha256"],
        "hs2019": ["rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"],
        "ed25519": ["ed25519"],
    }.get(algorithm)
    if candidates is None:
        raise SignatureError(f"the algorithm {algorithm!r} is not supported")
    _verify_bytes(public_key, _b64decode(params["signature"]), message, candidates)
    return params["keyId"]


# ---------------------------------------------------------------- RFC 9421

def _split_members(header: str) -> list[tuple[str, str]]:
    """Top-level members of a structured-field dictionary as (label, raw value); commas inside () or "" stay."""
    members, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(header + ","):
        if char == '"' and (index == 0 or header[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            label, sep, value = header[start:index].strip().partition("=")
            if sep:
                members.append((label.strip(), value.strip()))
            start = index + 1
    return members


def _parse_input(raw: str) -> tuple[list[str], dict[str, str]]:
    """("@method" "content-digest");created=…;keyid="…" → (component names, params)."""
    match = re.fullmatch(r"\(([^)]*)\)((?:;.*)?)", raw.strip())
    if not match:
        raise SignatureError("the Signature-Input header cannot be parsed")
    components = re.findall(r'"([^"]+)"(?:;[a-z]+(?:=[^\s)]+)?)*', match.group(1))
    if len(components) != len(re.findall(r'"', match.group(1))) // 2:
        raise SignatureError("the Signature-Input lists components that cannot be parsed")
    params = {}
    for name, quoted, bare in re.findall(r';\s*([a-z][a-z0-9_-]*)=(?:"([^"]*)"|([^;\s]+))', match.group(2)):
        params[name] = quoted if quoted or not bare else bare
    return [c.lower() for c in components], params


def _component(name: str, *, method: str, url: str, headers: Mapping[str, str]) -> str:
    scheme, authority, path, query = _target(url)
    derived = {
        "@method": method.upper(),
        "@target-uri": url,
        "@authority": authority,
        "@scheme": scheme,
        "@path": path,
        "@query": f"?{query}",
        "@request-target": f"{path}?{query}" if query else path,
    }
    if name.startswith("@"):
        if name not in derived:
            raise SignatureError(f"the component {name!r} is not supported")
        return derived[name]
    value = _header(headers, name)
    if value is None:
        raise SignatureError(f"the signed header {name!r} is missing")
    return value


def _signature_base(components: list[str], params_raw: str, *, method, url, headers) -> bytes:
    lines = [f'"{name}": {_component(name, method=method, url=url, headers=headers)}' for name in components]
    lines.append(f'"@signature-params": {params_raw}')
    return "\n".join(lines).encode()


def sign_rfc9421(
    *, method: str, url: str, body: bytes | None, key_id: str, private_key, now: datetime | None = None
) -> dict[str, str]:
    """Headers that sign a request per RFC 9421 (label sig1, created, keyid, alg)."""
    moment = _now(now)
    headers = {"Date": format_datetime(moment.astimezone(UTC), usegmt=True)}
    components = ["@method", "@target-uri", "@authority", "date"]
    if body is not None:
        headers["Content-Digest"] = content_digest_header(body)
        components.append("content-digest")
    algorithm = "ed25519" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "rsa-v1_5-sha256"
    params_raw = (
        "(" + " ".join(f'"{c}"' for c in components) + ")"
        + f';created={int(moment.timestamp())};keyid="{key_id}";alg="{algorithm}"'
    )
    lowered = {k.lower(): v for k, v in headers.items()}
    base = _signature_base(components, params_raw, method=method, url=url, headers=lowered)
    signature = base64.b64encode(_sign_bytes(private_key, base, algorithm)).decode()
    headers["Signature-Input"] = f"sig1={params_raw}"
    headers["Signature"] = f"sig1=:{signature}:"
    return headers


def _rfc9421_first(headers: Mapping[str, str]) -> tuple[str, str, list[str], dict[str, str], str]:
    inputs = _split_members(_header(headers, "Signature-Input") or "")
    if not inputs:
        raise SignatureError("the Signature-Input header cannot be parsed")
    label, params_raw = inputs[0]
    components, params = _parse_input(params_raw)
    signatures = dict(_split_members(_header(headers, "Signature") or ""))
    value = signatures.get(label, "")
    if not (value.startswith(":") and value.endswith(":") and len(value) > 2):
        raise SignatureError(f"the Signature header has no value for {label!r}")
    return label, params_raw, components, params, value[1:-1]


def _verify_rfc9421(*, method, url, headers, body, public_key, now, max_skew) -> str:
    _, params_raw, components, params, signature = _rfc9421_first(headers)
    if not params.get("keyid"):
        raise SignatureError("the signature has no keyid")
    if "@method" not in components or not {"@target-uri", "@request-target", "@path"} & set(components):
        # RFC 9421 §7.2.1: a signature that covers neither method nor target can be replayed to any endpoint.
        raise SignatureError("the signature does not cover @method and the target URI")
    if body and not {"content-digest", "digest"} & set(components):
        raise SignatureError("a request with a body must sign its content-digest")
    if params.get("created", "").lstrip("-").isdigit():
        _check_time(datetime.fromtimestamp(int(params["created"]), UTC), max_skew, now, "the signature's created time")
    elif "date" in components:
        try:
            _check_time(_http_date(_header(headers, "date") or ""), max_skew, now, "the Date header")
        except (TypeError, ValueError):
            raise SignatureError("the Date header cannot be parsed") from None
    else:
        raise SignatureError("the signature has no created time, so it could be replayed")
    if params.get("expires", "").isdigit() and int(params["expires"]) < now.timestamp():
        raise SignatureError("the signature has expired")
    algorithm = params.get("alg")
    if algorithm and algorithm not in RFC9421_ALGORITHMS:
        raise SignatureError(f"the algorithm {algorithm!r} is not supported")
    candidates = [algorithm] if algorithm else ["rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"]
    base = _signature_base(components, params_raw, method=method, url=url, headers=headers)
    _verify_bytes(public_key, _b64decode(signature), base, candidates)
    return params["keyid"]


# ---------------------------------------------------------------- entry points

def signature_key_id(headers: Mapping[str, str]) -> str:
    """The keyId of the request's signature (RFC 9421's first label, else draft-cavage)."""
    if _header(headers, "Signature-Input"):
        _, _, _, params, _ = _rfc9421_first(headers)
        if not params.get("keyid"):
            raise SignatureError("the signature has no keyid")
        return params["keyid"]
    if _header(headers, "Signature"):
        return _cavage_params(headers["Signature"])["keyId"]
    raise SignatureError("the request is not signed (no Signature header)")


def verify_request(
    *, method: str, url: str, headers: Mapping[str, str], body: bytes, public_key,
    now: datetime | None = None, max_skew: int = 3600,
) -> str:
    """Verify the request's signature (either scheme) and return its keyId; SignatureError says why not."""
    moment = _now(now)
    try:
        if _header(headers, "Signature-Input"):
            return _verify_rfc9421(
                method=method, url=url, headers=headers, body=body, public_key=public_key, now=moment, max_skew=max_skew
            )
        if _header(headers, "Signature"):
            return _verify_cavage(
                method=method, url=url, headers=headers, body=body, public_key=public_key, now=moment, max_skew=max_skew
            )
    except SignatureError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise SignatureError(f"the signature cannot be checked: {error}") from None
    raise SignatureError("the request is not signed (no Signature header)")
