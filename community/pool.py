"""Reading for the Online-Scouts pages and the knowledge pool: scouts by topic, events, and one page per topic."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actors.models import Actor, ActorType, FollowState
from posts.models import Participation, Post, PostType, Visibility

from .models import ScoutGroup, ScoutProfile


def scouts_search(*, topic: str = "", offer: str = "", language: str = "", text: str = "") -> QuerySet:
    scouts = ScoutProfile.objects.filter(listed=True, actor__deleted=False, actor__suspended=False)
    for prefix, value in (("t", topic.lstrip("#").lower()), ("o", offer), ("l", language)):
        if value:
            scouts = scouts.filter(facets__contains=f" {prefix}:{value} ")
    for word in text.lower().split()[:8]:
        scouts = scouts.filter(search_text__contains=word)
    return scouts.select_related("actor", "organisation").order_by("actor__display_name", "id")


def scout_by_username(username: str) -> ScoutProfile | None:
    return scouts_search().filter(actor__local=True, actor__username__iexact=username).first()


def events_public() -> QuerySet:
    """Public events known here, by local and remote organisers, soonest first."""
    return (
        Post.objects.filter(type=PostType.EVENT, visibility=Visibility.PUBLIC, starts_at__isnull=False,
                            author__deleted=False, author__suspended=False, hidden_from_feed=False)
        .select_related("author").prefetch_related("tags")
        .annotate(participant_count=participant_count())
        .order_by("starts_at", "id")
    )


def participant_count() -> Coalesce:
    """An annotation: how many have joined an event. One subquery, no join: a join and its GROUP BY made SQLite read
    every post of every author for the home page's three events (125 ms with 50,000 posts), and miscounted once a
    topic or group filter joined more rows."""
    joined = (Participation.objects.filter(event=OuterRef("pk")).order_by().values("event")
              .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(joined, output_field=IntegerField()), 0)


def events_upcoming(*, topic: str = "", group: Actor | None = None) -> QuerySet:
    events = events_public().filter(ends_at__gte=timezone.now())
    return _narrow(events, topic=topic, group=group)


def events_past(*, topic: str = "", group: Actor | None = None) -> QuerySet:
    events = events_public().filter(ends_at__lt=timezone.now())
    return _narrow(events, topic=topic, group=group).order_by("-starts_at", "-id")


def _narrow(events: QuerySet, *, topic: str, group: Actor | None) -> QuerySet:
    if topic:
        events = events.filter(tags__name=topic.lower())
    if group is not None:
        events = events.filter(Q(boosts__author=group) | Q(extra__audience=group.uri))
    return events.distinct() if topic or group is not None else events  # the joins above may repeat an event


def groups_of_member(actor: Actor) -> QuerySet:
    """The local groups an actor is an accepted member of, by name."""
    return Actor.objects.filter(
        type=ActorType.GROUP, local=True, deleted=False, follower_set__follower=actor,
        follower_set__state=FollowState.ACCEPTED,
    ).order_by("display_name")


def groups_by_topic(topic: str) -> QuerySet:
    return ScoutGroup.objects.filter(
        topic=topic.lower(), actor__deleted=False, actor__suspended=False).select_related("actor")


def group_posts_by_topic(topic: str) -> QuerySet:
    """Posts with the topic's hashtag that a scout group shared, newest first."""
    return (
        Post.objects.filter(boosts__author__scout_group__isnull=False, tags__name=topic.lower(),
                            visibility=Visibility.PUBLIC)
        .exclude(type=PostType.EVENT).select_related("author").prefetch_related("attachments", "tags")
        .order_by("-published", "-id").distinct()
    )


def topics_all() -> list[tuple[str, int]]:
    """Every topic of a scout or a group, with how many scouts know it, most first."""
    counts: dict[str, int] = {}
    for topics in ScoutProfile.objects.filter(listed=True, actor__suspended=False).values_list("topics", flat=True):
        for topic in topics:
            counts[topic] = counts.get(topic, 0) + 1
    for topic in ScoutGroup.objects.exclude(topic="").values_list("topic", flat=True):
        counts.setdefault(topic, 0)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
