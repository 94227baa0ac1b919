"""Reading for the website: the directory, the community feed, profiles, the blog."""

from django.db.models import QuerySet

from actors.models import Actor, ActorType, FollowState
from actors.services.domains import author_hidden_from_public
from posts.models import Post, PostType, Visibility

from .models import Campaign, MemberProfile

FEATURED_HASHTAG = "gleichimnetz"
# What a post card or a directory entry never shows of an actor: not read for a page of 20 (the stored actor
# document can be large, and each JSON column is parsed per row)
ACTOR_UNUSED = ("private_key_pem", "document", "summary_source", "fields")


def directory_search(*, text: str = "", field: str = "", state: str = "", city: str = "") -> QuerySet:
    """Listed member profiles matching every given filter, by name."""
    profiles = MemberProfile.objects.filter(listed=True, actor__deleted=False, actor__suspended=False)
    for word in text.lower().split()[:8]:
        profiles = profiles.filter(search_text__contains=word)
    if field:
        profiles = profiles.filter(fields_of_work__slug=field)
    if state:
        profiles = profiles.filter(state=state)
    if city:
        profiles = profiles.filter(city__iexact=city.strip())
    return (
        profiles.select_related("actor")
        .defer("search_text", *(f"actor__{name}" for name in ACTOR_UNUSED))
        .prefetch_related("fields_of_work")
        .order_by("actor__display_name", "id")
    )


def profile_by_handle(handle: str) -> MemberProfile | None:
    """A listed member by its user name here, or user@domain for a linked account elsewhere."""
    username, _, domain = handle.lstrip("@").partition("@")
    actors = Actor.objects.filter(username__iexact=username, deleted=False, suspended=False)
    actors = actors.filter(domain__iexact=domain) if domain else actors.filter(local=True)
    return (
        MemberProfile.objects.filter(actor__in=actors, listed=True)
        .select_related("actor")
        .prefetch_related("fields_of_work")
        .first()
    )


def member_posts() -> QuerySet:
    """Public posts (not boosts, not replies) of listed members, local and linked, newest first."""
    return (
        Post.objects.filter(
            visibility=Visibility.PUBLIC,
            boost_of__isnull=True,
            in_reply_to_uri="",
            hidden_from_feed=False,
            author__member_profile__listed=True,
            author__deleted=False,
            author__suspended=False,
        )
        .select_related("author")
        .defer(*(f"author__{name}" for name in ACTOR_UNUSED))
        .prefetch_related("attachments")
        .order_by("-published", "-id")
    )


def public_member_posts() -> QuerySet:
    """member_posts for the shared pages (feed, hashtags, blog, campaigns): without silenced or suspended servers.
    A member's own profile still lists its posts."""
    return member_posts().filter(~author_hidden_from_public())


def feed_posts(*, hashtag: str = "", field: str = "", state: str = "") -> QuerySet:
    posts = public_member_posts().exclude(type=PostType.ARTICLE)
    if hashtag:
        posts = posts.filter(tags__name=hashtag.lower().lstrip("#"))
    if field:
        posts = posts.filter(author__member_profile__fields_of_work__slug=field)
    if state:
        posts = posts.filter(author__member_profile__state=state)
    return posts


def blog_articles() -> QuerySet:
    return public_member_posts().filter(type=PostType.ARTICLE)


def article_replies(article: Post) -> QuerySet:
    """Public replies to an article, from anywhere on the Fediverse (but silenced or suspended), oldest first."""
    return (
        Post.objects.filter(in_reply_to=article, visibility__in=(Visibility.PUBLIC, Visibility.UNLISTED))
        .filter(~author_hidden_from_public())
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("published", "id")
    )


def campaign_posts(campaign: Campaign) -> QuerySet:
    return public_member_posts().filter(
        tags__name=campaign.hashtag.lower(),
        published__date__gte=campaign.starts_on,
        published__date__lte=campaign.ends_on,
    )


def campaign_participants(campaign: Campaign) -> int:
    return campaign_posts(campaign).values("author").distinct().count()


def groups_listed() -> QuerySet:
    """The local Fediverse groups (scout groups), by name."""
    return Actor.objects.filter(local=True, type=ActorType.GROUP, deleted=False, suspended=False).order_by("display_name")


def group_members(group: Actor) -> QuerySet:
    return Actor.objects.filter(
        following_set__target=group, following_set__state=FollowState.ACCEPTED, deleted=False, suspended=False
    ).order_by("display_name")


def group_posts(group: Actor) -> QuerySet:
    """The members' posts the group shared (its boosts), newest first."""
    return (
        Post.objects.filter(boosts__author=group, visibility=Visibility.PUBLIC)
        .filter(~author_hidden_from_public())
        .select_related("author").prefetch_related("attachments", "tags").order_by("-published", "-id")
    )
