"""Importing a domain blocklist in Mastodon's CSV export format (`#domain,#severity,#reject_media,…`, or one domain
per line), as servers share them (e.g. the lists of Oliphant or IFTAS): suspend, silence and reject_media apply."""

import csv
import io
import re

from ..models import DomainSeverity
from .domains import domain_block_merge

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TRUE = {"true", "1", "yes", "t"}
# What each line asks for: (severity, reject_media). Mastodon writes noop for a media-only block; some shared
# lists write the flag's name as the severity instead.
SEVERITIES = {
    "": (DomainSeverity.SUSPEND, False),
    "suspend": (DomainSeverity.SUSPEND, False),
    "silence": (DomainSeverity.SILENCE, False),
    "limit": (DomainSeverity.SILENCE, False),  # Mastodon's interface calls silence "limit"
    "noop": (DomainSeverity.NOOP, False),
    "reject_media": (DomainSeverity.NOOP, True),
}


def blocklist_import(*, text: str) -> dict[str, list[str]]:
    """Apply a blocklist, never weakening a block set before. The servers whose block changed, by what now
    applies to them: {"suspend"|"silence"|"reject_media": […], "unchanged": […], "skipped": ["line N: why", …]}."""
    result: dict[str, list[str]] = {"suspend": [], "silence": [], "reject_media": [], "unchanged": [], "skipped": []}
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lstrip("#").lower() for cell in rows[0]] if rows else []
    has_header = "domain" in header

    def cell(row: list[str], name: str, default: str = "") -> str:
        column = header.index(name) if has_header and name in header else (0 if name == "domain" else None)
        return row[column].strip().lower() if column is not None and len(row) > column else default

    for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        domain, severity = cell(row, "domain").rstrip("."), cell(row, "severity")
        if not DOMAIN.match(domain):
            result["skipped"].append(f"line {number}: {domain!r} is not a domain name")
            continue
        if severity not in SEVERITIES:
            result["skipped"].append(f"line {number}: {domain} has the unknown severity {severity!r}")
            continue
        level, reject_media = SEVERITIES[severity]
        reject_media = reject_media or cell(row, "reject_media") in TRUE
        if level == DomainSeverity.NOOP and not reject_media:
            result["skipped"].append(f"line {number}: {domain} has severity noop and keeps its media: nothing to apply")
            continue
        domain_row, changed = domain_block_merge(name=domain, severity=level, reject_media=reject_media)
        if not changed:
            result["unchanged"].append(domain)
            continue
        if domain_row.severity != DomainSeverity.NOOP:
            result[domain_row.severity].append(domain)
        if domain_row.reject_media and domain_row.severity != DomainSeverity.SUSPEND:
            result["reject_media"].append(domain)  # a suspended server sends nothing at all: no need to say it
    return result
