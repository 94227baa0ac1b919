"""What delivery learns of the servers' signature schemes is written in one statement per scheme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Domain, DomainSeverity
from actors.peers import DomainDirectory


@pytest.mark.django_db
def test_schemes_learned_from_many_servers_are_one_statement_and_asking_writes_nothing():
    directory = DomainDirectory()
    Domain.objects.create(name="peer0.example", severity=DomainSeverity.SILENCE, signature_scheme="cavage")
    hosts = {f"peer{n}.example" for n in range(50)}
    with CaptureQueriesContext(connection) as queries:
        asked = directory.signature_schemes(hosts)
    assert len(queries) == 1 and Domain.objects.count() == 1  # asking made no row
    assert asked == {host: ("cavage" if host == "peer0.example" else "") for host in hosts}
    learned = {host: ("rfc9421" if n % 2 else "cavage") for n, host in enumerate(sorted(hosts))}
    with CaptureQueriesContext(connection) as queries:
        directory.signature_schemes_learned(learned)
    assert len(queries) == 1
    assert dict(Domain.objects.filter(name__in=hosts).values_list("name", "signature_scheme")) == learned
    assert directory.signature_schemes(hosts) == learned
    assert Domain.objects.get(name="peer0.example").severity == DomainSeverity.SILENCE  # only the scheme changed
