"""`fediverse-node blockdomains FILE.csv`: import a domain blocklist (Mastodon's CSV export, or one domain a line)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actors.services.blocklist import blocklist_import


class Command(BaseCommand):
    help = (
        "Apply a blocklist CSV (Mastodon's #domain,#severity,#reject_media,… export, or one domain per line, "
        "meaning suspend): suspend, silence and reject_media; a block set before is never weakened."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        result = blocklist_import(text=text)
        for line in result["skipped"]:
            self.stderr.write(f"skipped {line}")
        for label, key in (("suspended", "suspend"), ("silenced", "silence"), ("media rejected", "reject_media")):
            if result[key]:
                self.stdout.write(f"{label}: {', '.join(result[key])}")
        self.stdout.write(
            f"{len(result['suspend'])} servers suspended, {len(result['silence'])} silenced, "
            f"{len(result['reject_media'])} with media rejected, {len(result['unchanged'])} unchanged, "
            f"{len(result['skipped'])} lines skipped"
        )
