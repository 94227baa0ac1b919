"""The remote servers as delivery sees them (outbox.peers.PeerDirectory), kept in `Domain` rows."""

from .models import Domain
from .services.domains import domain_is_blocked


class DomainDirectory:
    def is_suspended(self, url: str) -> bool:
        return domain_is_blocked(url)

    def signature_schemes(self, hosts: set[str]) -> dict[str, str]:
        """Creates the rows of hosts seen for the first time, in one statement."""
        known = dict(Domain.objects.filter(name__in=hosts).values_list("name", "signature_scheme"))
        if len(known) < len(hosts):
            Domain.objects.bulk_create([Domain(name=h) for h in hosts - known.keys()], ignore_conflicts=True)
            known = dict(Domain.objects.filter(name__in=hosts).values_list("name", "signature_scheme"))
        return known

    def signature_schemes_learned(self, learned: dict[str, str]) -> None:
        """One UPDATE per scheme: a first fan-out learns the schemes of a thousand servers at once."""
        by_scheme: dict[str, list[str]] = {}
        for name, scheme in learned.items():
            by_scheme.setdefault(scheme, []).append(name)
        for scheme, names in by_scheme.items():
            Domain.objects.filter(name__in=names).update(signature_scheme=scheme)
