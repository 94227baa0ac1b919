"""Fediverse groups (FEP-1b12, as Lemmy, Friendica and Guppe do them): anyone joins a local Group actor by
following it; a public post by a member that mentions or addresses the group is shared by the group with every
member, as the group's Announce of the post (which Mastodon and the others show as the group's boost)."""

from collections.abc import Iterable

from actors.models import Actor, ActorType, Follow, FollowState

from ..models import Post
from .boosts import boost_create


def groups_addressed(*, post: Post, addressed: Iterable[str] = ()) -> list[Actor]:
    """The local groups a post mentions or addresses (to, cc, audience)."""
    mentioned = post.mentions.filter(local=True, type=ActorType.GROUP)
    named = Actor.objects.filter(local=True, type=ActorType.GROUP, uri__in=list(addressed))
    return [g for g in {*mentioned, *named} if not (g.deleted or g.suspended)]


def group_share(*, post: Post, addressed: Iterable[str] = ()) -> list[Post]:
    """Announce a member's public post to the members of each local group it is meant for; the group's boosts.
    Posts of non-members are not shared: joining (following) is the one way in, which keeps spam out."""
    if not post.is_public or post.boost_of_id is not None:
        return []
    shared = []
    for group in groups_addressed(post=post, addressed=addressed):
        member = Follow.objects.filter(follower=post.author, target=group, state=FollowState.ACCEPTED).exists()
        if member and post.author != group:
            shared.append(boost_create(actor=group, post=post))
    return shared
