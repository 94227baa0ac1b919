"""Directory entries (community/_member_entry.html): their keys, and pages of entries read key first.

An entry is rendered once per process and kept (community/fragments.py) under everything it shows, read with the
page: the profile's and actor's shown columns and the slugs of its fields of work (a field added changes no
`updated_at`, so the key holds the values themselves, not a timestamp). The directory reads a page's keys in one
lean query of a kept shape (selectors.DirectoryRows) and the slugs in a second; only the profiles whose entries
this process does not hold yet are read in full and rendered.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

from .fragments import member_entries
from .models import MemberProfile
from .selectors import entry_fields, profiles_for_entries


def entry_key(member: MemberProfile) -> tuple:
    """Everything the entry of a profile read in full shows (the order of selectors.ENTRY_COLUMNS, the slugs after
    the profile's own columns)."""
    actor = member.actor
    return (
        get_language(), member.id, member.listed, member.postal_code, member.city, member.state, member.description,
        tuple(field.slug for field in member.fields_of_work.all()),
        actor.id, actor.local, actor.type, actor.username, actor.domain, actor.display_name, actor.icon_url,
        actor.url, actor.uri,
    )


@dataclass
class Entry:
    """A member on a page of the directory: its id, and either its kept HTML or the profile to render it from."""

    id: int
    html: str | None = None
    profile: MemberProfile | None = None


def entries_from_rows(rows: list[tuple]) -> list[Entry]:
    """Entries for rows of selectors.ENTRY_COLUMNS: kept HTML where this process has it, else the profile read."""
    slugs = entry_fields([row[0] for row in rows]) if rows else {}
    language = get_language()
    entries = [Entry(id=row[0], html=member_entries.get((language, *row[:6], slugs.get(row[0], ()), *row[6:])))
               for row in rows]
    missing = [entry.id for entry in entries if entry.html is None]
    if missing:
        profiles = profiles_for_entries(missing)
        for entry in entries:
            if entry.html is None:
                entry.profile = profiles.get(entry.id)
        # a profile gone between the two reads is left out
        entries = [entry for entry in entries if entry.html is not None or entry.profile is not None]
    return entries
