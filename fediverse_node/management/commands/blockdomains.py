"""`fediverse-node blockdomains FILE.csv`: import a domain blocklist (Mastodon's CSV export, or one domain a line)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actors.services.blocklist import blocklist_import


class Command(BaseCommand):
    help = "Block every server in a blocklist CSV (Mastodon's #domain,#severity,… export, or one domain per line)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        result = blocklist_import(text)
        for line in result["skipped"]:
            self.stderr.write(f"skipped {line}")
        self.stdout.write(f"{len(result['blocked'])} servers blocked, {len(result['skipped'])} lines skipped")
