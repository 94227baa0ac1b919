"""Importing a domain blocklist in Mastodon's CSV export format (`#domain,#severity,…`, or one domain per line),
as servers share them (e.g. the lists of Oliphant or IFTAS). Suspensions become domain blocks; this node has no
"silence" yet, so those lines are reported back, not applied."""

import csv
import io
import re

from .domains import domain_block

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def blocklist_import(text: str) -> dict[str, list[str]]:
    """Apply a blocklist; {"blocked": […], "skipped": ["line N: why", …]}."""
    result: dict[str, list[str]] = {"blocked": [], "skipped": []}
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lstrip("#").lower() for cell in rows[0]] if rows else []
    has_header = "domain" in header
    domain_column = header.index("domain") if has_header else 0
    severity_column = header.index("severity") if has_header and "severity" in header else None
    for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        domain = row[domain_column].strip().lower().rstrip(".") if len(row) > domain_column else ""
        severity = row[severity_column].strip().lower() if severity_column is not None and len(row) > severity_column else "suspend"
        if not DOMAIN.match(domain):
            result["skipped"].append(f"line {number}: {domain!r} is not a domain name")
        elif severity not in ("suspend", ""):
            result["skipped"].append(f"line {number}: {domain} has severity {severity!r}; only suspend is applied here")
        else:
            domain_block(name=domain)
            result["blocked"].append(domain)
    return result
