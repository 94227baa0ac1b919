"""A blocklist in Mastodon's CSV format applies its severities (suspend, silence, reject_media) to its servers and
their subdomains, and never weakens a block set before."""

import pytest
from django.core.management import call_command

from actors.models import Domain, DomainSeverity
from actors.services.domains import _policies, domain_block, domain_is_blocked, domain_rejects_media

pytestmark = pytest.mark.django_db

MASTODON_EXPORT = """#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
spam.example,suspend,true,true,Spam,false
laut.example,silence,false,false,,false
bilder.example,noop,true,false,,false
harmlos.example,noop,false,false,,false
streng.example,silence,false,false,,false
not a domain,suspend,false,false,,false
odd.example,banish,false,false,,false
"""


@pytest.fixture(autouse=True)
def fresh_policies():
    _policies.forget()


def severities() -> dict[str, tuple[str, bool]]:
    return {d.name: (d.severity, d.reject_media) for d in Domain.objects.all()}


def test_mastodon_export_applies_each_severity_and_says_what_it_did(tmp_path, capsys):
    domain_block(name="streng.example")  # suspended by staff before: the list's silence does not lift that
    path = tmp_path / "blocklist.csv"
    path.write_text(MASTODON_EXPORT)
    call_command("blockdomains", str(path))
    out, err = capsys.readouterr()
    assert "suspended: spam.example" in out and "silenced: laut.example" in out
    assert "media rejected: bilder.example" in out
    assert "1 servers suspended, 1 silenced, 1 with media rejected, 1 unchanged, 3 lines skipped" in out
    assert "harmlos.example has severity noop" in err and "is not a domain name" in err
    assert "unknown severity 'banish'" in err
    assert severities() == {
        "spam.example": (DomainSeverity.SUSPEND, True),
        "laut.example": (DomainSeverity.SILENCE, False),
        "bilder.example": (DomainSeverity.NOOP, True),
        "streng.example": (DomainSeverity.SUSPEND, False),
    }
    assert domain_is_blocked("https://spam.example/users/x")
    assert domain_is_blocked("https://social.spam.example/inbox")  # subdomains too
    assert not domain_is_blocked("https://laut.example/users/x")
    assert domain_rejects_media("https://cdn.bilder.example/a.png") and not domain_rejects_media("https://laut.example/")

    call_command("blockdomains", str(path))  # a second run changes nothing
    assert "0 servers suspended, 0 silenced, 0 with media rejected, 4 unchanged" in capsys.readouterr().out


def test_plain_list_of_domains_suspends_them(tmp_path, capsys):
    path = tmp_path / "list.txt"
    path.write_text("# our list\nbad.example\n\nWorse.Example.\n")
    call_command("blockdomains", str(path))
    assert "2 servers suspended" in capsys.readouterr().out
    assert domain_is_blocked("https://worse.example/x") and domain_is_blocked("https://bad.example/x")
