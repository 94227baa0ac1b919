"""Polls: the `poll` parameters of a new status, reading a poll and voting in it."""

from django.http import HttpRequest

from posts.models import Poll
from posts.selectors import post_visible
from posts.services.polls import PollError, PollSpec, poll_vote

from ..entities.statuses import status_entities_by_id
from ..http import OPTIONAL, USER, ApiError, Params, endpoint, not_found


def poll_spec(params: Params) -> PollSpec | None:
    """The poll of a new status: JSON `{"poll": {"options": […], "expires_in": …}}` or the form's
    `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`; None when none was sent."""
    nested = params.raw("poll")
    if isinstance(nested, dict):
        options, expires_in = nested.get("options"), nested.get("expires_in")
        multiple, hide_totals = nested.get("multiple"), nested.get("hide_totals")
    elif nested not in (None, ""):
        raise ApiError(422, "Validation failed: poll must be an object with options and expires_in")
    else:
        options = params.list("poll[options]")
        if not options:
            return None
        expires_in = params.raw("poll[expires_in]")
        multiple, hide_totals = params.raw("poll[multiple]"), params.raw("poll[hide_totals]")
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise ApiError(422, "Validation failed: poll options must be a list of strings")
    try:
        seconds = int(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(422, "Validation failed: poll expires_in must be a number of seconds") from None
    return PollSpec(options=tuple(options), expires_in=seconds, multiple=_flag(multiple), hide_totals=_flag(hide_totals))


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value or "").strip().lower() in ("1", "true", "on", "yes")


def _visible_poll(poll_id: str, caller) -> Poll:
    post = post_visible(post_id=poll_id, viewer=caller.actor)
    poll = Poll.objects.filter(pk=post.id).first() if post is not None else None
    if poll is None:
        raise not_found()
    return poll


def _render(poll: Poll, caller) -> dict:
    rendered = status_entities_by_id([poll.post_id], caller.actor)
    if not rendered or not rendered[0].get("poll"):
        raise not_found()
    return rendered[0]["poll"]


@endpoint(auth=OPTIONAL, scope="read:statuses")
def poll_get(request: HttpRequest, caller, params, id: str) -> dict:
    return _render(_visible_poll(id, caller), caller)


@endpoint(auth=USER, scope="write:statuses")
def poll_votes(request: HttpRequest, caller, params, id: str) -> dict:
    poll = _visible_poll(id, caller)
    raw = params.list("choices")
    try:
        choices = [int(choice) for choice in raw]
    except (TypeError, ValueError):
        raise ApiError(422, "Validation failed: choices must be option indexes") from None
    try:
        poll_vote(poll=poll, voter=caller.actor, choices=choices)
    except PollError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return _render(poll, caller)
