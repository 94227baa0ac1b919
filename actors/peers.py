"""The remote servers as delivery sees them (outbox.peers.PeerDirectory), kept in `Domain` rows."""

from .models import Domain
from .services.domains import domain_is_blocked


class DomainDirectory:
    def is_suspended(self, url: str) -> bool:
        return domain_is_blocked(url)

    def signature_schemes(self, hosts: set[str]) -> dict[str, str]:
        """One read; a host without a row (never learned) is "" and gets its row when its scheme is learned."""
        known = dict(Domain.objects.filter(name__in=hosts).values_list("name", "signature_scheme"))
        return {host: known.get(host, "") for host in hosts}

    def signature_schemes_learned(self, learned: dict[str, str]) -> None:
        """One statement for the whole lot, new servers and known ones: a first fan-out learns the schemes of a
        thousand servers at once. Making each new server's row when it was first asked about, and setting its
        scheme later, wrote twice per batch of deliveries (a tenth of the first fan-out on SQLite)."""
        if not learned:
            return
        Domain.objects.bulk_create(
            [Domain(name=name, signature_scheme=scheme) for name, scheme in sorted(learned.items())],
            update_conflicts=True, unique_fields=["name"], update_fields=["signature_scheme"],
        )
