"""What delivery learns of the servers' signature schemes is written in one statement per scheme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Domain
from actors.peers import DomainDirectory


@pytest.mark.django_db
def test_schemes_learned_from_many_servers_are_one_update_per_scheme():
    directory = DomainDirectory()
    hosts = {f"peer{n}.example" for n in range(50)}
    directory.signature_schemes(hosts)
    learned = {host: ("rfc9421" if n % 2 else "cavage") for n, host in enumerate(sorted(hosts))}
    with CaptureQueriesContext(connection) as queries:
        directory.signature_schemes_learned(learned)
    assert len(queries) == 2
    assert dict(Domain.objects.filter(name__in=hosts).values_list("name", "signature_scheme")) == learned
