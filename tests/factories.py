"""Small factories for tests: remote actors and follows without any network."""

import itertools

from django.utils import timezone

from actors.models import Actor, ActorType, Follow, FollowState

_counter = itertools.count(1)


def remote_actor(*, host: str = "remote.example", username: str | None = None, shared_inbox: bool = True) -> Actor:
    """A remote actor as if fetched from host (no key: nothing here verifies its signatures)."""
    username = username or f"user{next(_counter)}"
    uri = f"https://{host}/users/{username}"
    return Actor.objects.create(
        uri=uri, username=username, domain=host, local=False, type=ActorType.PERSON, url=uri,
        inbox_url=f"{uri}/inbox", shared_inbox_url=f"https://{host}/inbox" if shared_inbox else "",
        followers_url=f"{uri}/followers", outbox_url=f"{uri}/outbox",
        fetched_at=timezone.now(),  # fresh: nothing tries to refetch it over the network
    )


def accepted_follow(*, follower: Actor, target: Actor) -> Follow:
    return Follow.objects.create(
        follower=follower, target=target, uri=f"{follower.uri}#follows/{next(_counter)}", state=FollowState.ACCEPTED
    )
