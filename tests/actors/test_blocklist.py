"""A blocklist in Mastodon's CSV format blocks its servers (and their subdomains) at the inbox."""

import pytest
from django.core.management import call_command

from actors.services.domains import domain_is_blocked

pytestmark = pytest.mark.django_db

MASTODON_EXPORT = """#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
spam.example,suspend,true,true,Spam,false
laut.example,silence,false,false,,false
not a domain,suspend,false,false,,false
"""


def test_mastodon_export_blocks_suspended_servers_and_reports_the_rest(tmp_path, capsys):
    path = tmp_path / "blocklist.csv"
    path.write_text(MASTODON_EXPORT)
    call_command("blockdomains", str(path))
    out, err = capsys.readouterr()
    assert "1 servers blocked, 2 lines skipped" in out
    assert "only suspend is applied" in err and "is not a domain name" in err
    assert domain_is_blocked("https://spam.example/users/x")
    assert domain_is_blocked("https://social.spam.example/inbox")  # subdomains too
    assert not domain_is_blocked("https://laut.example/users/x")


def test_plain_list_of_domains(tmp_path, capsys):
    path = tmp_path / "list.txt"
    path.write_text("# our list\nbad.example\n\nWorse.Example.\n")
    call_command("blockdomains", str(path))
    assert "2 servers blocked" in capsys.readouterr().out
    assert domain_is_blocked("https://worse.example/x") and domain_is_blocked("https://bad.example/x")
