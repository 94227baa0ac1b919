"""The Poll entity: its stable part lives in the cached status fragment; `expired`, hidden totals and the viewer's
own votes are filled in per request (`poll_for_viewer`)."""

from django.utils import timezone

from posts.models import Poll

from .common import timestamp


def poll_base(poll: Poll) -> dict:
    return {
        "id": str(poll.post_id),
        "expires_at": timestamp(poll.expires_at),
        "expired": False,
        "multiple": poll.multiple,
        "votes_count": poll.votes_count,
        "voters_count": poll.voters_count,
        "options": [{"title": o["title"], "votes_count": int(o.get("votes") or 0)} for o in poll.options],
        "emojis": [],
        "hide_totals": poll.hide_totals,  # ours, read by poll_for_viewer; not part of Mastodon's entity
    }


def poll_for_viewer(base: dict, *, own_votes: list[int] | None, is_author: bool) -> dict:
    """The entity for one reader: `voted`/`own_votes` only for a signed-in reader (Mastodon leaves them out
    otherwise); with hide_totals, counts are null until the poll ends, except for its author."""
    poll = {k: v for k, v in base.items() if k != "hide_totals"}
    expires_at = base["expires_at"]
    poll["expired"] = bool(expires_at) and expires_at <= timestamp(timezone.now())
    if base.get("hide_totals") and not poll["expired"] and not is_author:
        poll["options"] = [{**option, "votes_count": None} for option in poll["options"]]
    if own_votes is not None:
        poll["voted"] = bool(own_votes) or is_author
        poll["own_votes"] = own_votes
    return poll
