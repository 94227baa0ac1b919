"""Editing a local actor's profile; followers' servers hear an Update with the new document."""

import html
import re

from django.db import transaction

from fediverse_node.activitystreams import PUBLIC
from outbox.services import activity_publish

from .. import activities as render
from ..documents import ACTOR_CONTEXT, actor_document
from ..models import Actor
from ..selectors import follower_inboxes

URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
MAX_FIELDS = 4


def note_html(text: str) -> str:
    """Plain text to the HTML of a profile note: escaped, paragraphs, line breaks, links."""

    def paragraph(block: str) -> str:
        escaped = html.escape(block.strip())
        linked = URL_RE.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow noopener noreferrer">{m.group(0)}</a>', escaped)
        return "<p>" + linked.replace("\n", "<br>") + "</p>"

    return "".join(paragraph(b) for b in re.split(r"\n\s*\n", text or "") if b.strip())


def _field_value_html(value: str) -> str:
    value = value.strip()
    if URL_RE.fullmatch(value):
        escaped = html.escape(value)
        return f'<a href="{escaped}" rel="nofollow noopener noreferrer me" target="_blank">{escaped}</a>'
    return html.escape(value)


def actor_profile_update(
    *,
    actor: Actor,
    display_name: str | None = None,
    note: str | None = None,
    fields: list[tuple[str, str]] | None = None,
    locked: bool | None = None,
    discoverable: bool | None = None,
    icon_url: str | None = None,
    image_url: str | None = None,
) -> Actor:
    """Change what was given (None keeps a value) and send Update(actor) to the followers' servers."""
    if display_name is not None:
        if len(display_name) > 100:
            raise ValueError("A display name has at most 100 characters.")
        actor.display_name = display_name.strip()
    if note is not None:
        if len(note) > 2000:
            raise ValueError("A profile note has at most 2000 characters.")
        actor.summary_source, actor.summary = note, note_html(note)
    if fields is not None:
        fields = [(n.strip(), v.strip()) for n, v in fields if n.strip() or v.strip()]
        if len(fields) > MAX_FIELDS:
            raise ValueError(f"A profile has at most {MAX_FIELDS} fields.")
        if any(len(n) > 255 or len(v) > 255 for n, v in fields):
            raise ValueError("A profile field's name and value have at most 255 characters each.")
        actor.fields = [{"name": html.escape(n), "value": _field_value_html(v)} for n, v in fields]
    if locked is not None:
        actor.manually_approves_followers = locked
    if discoverable is not None:
        actor.discoverable = discoverable
    if icon_url is not None:
        actor.icon_url = icon_url
    if image_url is not None:
        actor.image_url = image_url
    with transaction.atomic():
        actor.save()
        actor_update_publish(actor=actor)
    return actor


def actor_update_publish(*, actor: Actor) -> None:
    """Tell the servers of the actor's followers that its document changed (Update), so they fetch it again."""
    document = actor_document(actor)
    document.pop("@context", None)
    activity = render.simple_activity(
        id=render.activity_id(actor, "updates"), type="Update", actor=actor, object=document, to=[PUBLIC]
    )
    activity["@context"] = ACTOR_CONTEXT  # the terms of the document it carries (its Multikey)
    activity_publish(actor=actor, activity=activity, inboxes=follower_inboxes(actor=actor), public=True)
