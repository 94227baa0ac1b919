"""The node's public address (scheme and domain of every id it mints), from FEDINODE_DOMAIN and FEDINODE_SCHEME.

Behind a TLS proxy the node itself speaks plain http, and operators set FEDINODE_INSECURE_HTTP=1 to "allow http":
that must not turn the ids of a public domain into http:// ones (peers would store them for ever). So the scheme is
https unless FEDINODE_SCHEME says http, or the node is a local one (loopback, private address or a name without a
dot such as localhost) with FEDINODE_INSECURE_HTTP on: tests and demos.
"""

import ipaddress


class SiteAddressError(ValueError):
    """FEDINODE_DOMAIN or FEDINODE_SCHEME cannot make an address."""


def host_of(domain: str) -> str:
    """The host part of host[:port] (an IPv6 literal keeps its brackets)."""
    if domain.startswith("["):
        return domain[: domain.index("]") + 1]
    return domain.rsplit(":", 1)[0]


def host_is_local(host: str) -> bool:
    """A host no public peer could reach: loopback or private address, `localhost`, a name without a dot."""
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "." not in bare or bare.endswith(".localhost")
    return address.is_loopback or address.is_private or address.is_link_local


def site_address(*, domain: str, scheme: str = "", insecure_http: bool = False) -> tuple[str, str]:
    """(scheme, domain) of the node's ids: a scheme written into the domain is taken out of it, a trailing slash and
    the scheme's default port (:443, :80) dropped, since https://host:443/x and https://host/x are different ids."""
    domain = domain.strip()
    if "://" in domain:
        written, domain = domain.split("://", 1)
        scheme = scheme or written
    domain = domain.rstrip("/")
    if not domain or "/" in domain or "@" in domain or " " in domain:
        raise SiteAddressError(f"FEDINODE_DOMAIN must be host or host:port (e.g. social.example.org), not {domain!r}")
    scheme = scheme.strip().lower()
    if not scheme:
        scheme = "http" if insecure_http and host_is_local(host_of(domain)) else "https"
    if scheme not in ("http", "https"):
        raise SiteAddressError(f"FEDINODE_SCHEME must be https or http, not {scheme!r}")
    default_port = {"https": ":443", "http": ":80"}[scheme]
    if domain.endswith(default_port):
        domain = domain[: -len(default_port)]
    return scheme, domain
