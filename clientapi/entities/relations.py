"""Relationship, Notification, Tag, Marker and Context-related entities."""

from actors.models import Actor, Block, Follow, FollowState, Mute
from posts.models import Notification, Tag

from .accounts import AccountStats, account_entity
from .common import absolute, timestamp


def relationship_entities(viewer: Actor, targets: list[Actor]) -> list[dict]:
    """The viewer's relationship with each target, in two queries."""
    ids = [t.id for t in targets]
    outgoing = {f.target_id: f.state for f in Follow.objects.filter(follower=viewer, target_id__in=ids)}
    incoming = {f.follower_id: f.state for f in Follow.objects.filter(target=viewer, follower_id__in=ids)}
    blocked = set(Block.objects.filter(actor=viewer, target_id__in=ids).values_list("target_id", flat=True))
    blocked_by = set(Block.objects.filter(target=viewer, actor_id__in=ids).values_list("actor_id", flat=True))
    muted = set(Mute.objects.filter(actor=viewer, target_id__in=ids).values_list("target_id", flat=True))
    result = []
    for target in targets:
        following = outgoing.get(target.id) == FollowState.ACCEPTED
        result.append(
            {
                "id": str(target.id),
                "following": following,
                "showing_reblogs": following,
                "notifying": False,
                "languages": None,
                "followed_by": incoming.get(target.id) == FollowState.ACCEPTED,
                "blocking": target.id in blocked,
                "blocked_by": target.id in blocked_by,
                "muting": target.id in muted,
                "muting_notifications": target.id in muted,
                "requested": outgoing.get(target.id) == FollowState.PENDING,
                "requested_by": incoming.get(target.id) == FollowState.PENDING,
                "domain_blocking": False,
                "endorsed": False,
                "note": "",
            }
        )
    return result


def notification_entities(notifications: list[Notification], viewer: Actor) -> list[dict]:
    """The viewer's notifications; one about a post the viewer may not see (a direct or followers-only post that
    answers theirs, say) is left out, never shown with the post."""
    from .statuses import StatusPage

    page = StatusPage([n.post_id for n in notifications if n.post_id], viewer)
    stats = AccountStats(n.from_actor_id for n in notifications)
    result = []
    for n in notifications:
        status = page.render(n.post_id) if n.post_id else None
        if n.post_id and status is None:
            continue
        result.append({
            "id": str(n.id),
            "type": n.type,
            "created_at": timestamp(n.created_at),
            "account": account_entity(n.from_actor, stats),
            "status": status,
        })
    return result


def tag_entity(tag: Tag | str, *, following: bool | None = None) -> dict:
    name = tag.name if isinstance(tag, Tag) else tag
    data: dict[str, object] = {"name": name, "url": absolute(f"/tags/{name}"), "history": []}
    if isinstance(tag, Tag):
        data["id"] = str(tag.id)
    if following is not None:
        data["following"] = following
    return data
