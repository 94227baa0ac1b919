"""Reading for the website: the directory, the community feed, profiles, the blog."""

import functools
from datetime import UTC, datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower

from actors.models import Actor, ActorType
from actors.services.domains import author_hidden_from_public
from fediverse_node.prepared import PreparedQuery, db_datetime
from posts.models import Attachment, Post, PostType, Visibility

from .models import Campaign, FeedEntry, FieldOfWork, MemberProfile, SitePage
from .places import centre_of, distance_km, postal_code_point, profile_point
from .site_page_defaults import DEFAULT_PAGES

FEATURED_HASHTAG = "gleichimnetz"
# What a post card or a directory entry never shows of an actor: not read for a page of 20 (the stored actor
# document can be large, and each JSON column is parsed per row)
ACTOR_UNUSED = ("private_key_pem", "proof_key_pem", "document", "summary_source", "fields")
# What a post card never shows of the post, and of its author's member profile (only `listed`, for the link)
POST_UNUSED = ("source", "extra")
PROFILE_UNUSED = (
    "description", "street", "postal_code", "city", "state", "latitude", "longitude", "position_manual",
    "location_public", "website", "links", "contact_email", "contact_phone", "search_text", "created_at", "updated_at",
)


def place_filter(place: str) -> Q:
    """A visitor's place: a postal code (or its first digits) or the start of a town's name ("Halle" finds
    "Halle (Saale)", "Frankfurt" both Frankfurts)."""
    place = place.strip()
    if place.isdigit():
        return Q(postal_code__startswith=place)
    return Q(city__istartswith=place)


def directory_search(
    *, text: str = "", field: str = "", state: str = "", city: str = "", near: tuple[float, float] | None = None,
    km: int = 0,
) -> QuerySet:
    """Listed member profiles matching every given filter: by name, or nearest first within `km` of `near`."""
    profiles = MemberProfile.objects.filter(listed=True, actor__deleted=False, actor__suspended=False)
    for word in text.lower().split()[:8]:
        matches = Q(search_text__contains=word)
        if word.isdigit():
            matches |= Q(postal_code__startswith=word)
        profiles = profiles.filter(matches)
    if field:
        profiles = profiles.filter(fields_of_work__slug=field)
    if state:
        profiles = profiles.filter(state=state)
    order: list[str | Case] = ["actor__display_name", "id"]
    if near is not None and km:
        nearest = _within(profiles, near, km)
        profiles = profiles.filter(id__in=nearest)
        order = [Case(*(When(id=pk, then=rank) for rank, pk in enumerate(nearest)), default=len(nearest)), "id"]
    elif city:
        profiles = profiles.filter(place_filter(city))
    return (
        profiles.select_related("actor")
        .defer("search_text", *(f"actor__{name}" for name in ACTOR_UNUSED))
        .prefetch_related("fields_of_work")
        .order_by(*order)
    )


# What a directory entry shows (community/templatetags/member_entries.py), read for a page in one lean query; the
# slugs of the fields of work come from a second (entry_fields).
ENTRY_COLUMNS = (
    "id", "listed", "postal_code", "city", "state", "description", "actor_id", "actor__local", "actor__type",
    "actor__username", "actor__domain", "actor__display_name", "actor__icon_url", "actor__url", "actor__uri",
)
ENTRY_FIELDS_MAX = 50


def _directory_filtered(values: dict, *, field: bool, state: bool) -> QuerySet:
    return directory_search(field=values["field"] if field else "", state=values["state"] if state else "")


@functools.cache
def _directory_count_query(*, field: bool, state: bool) -> PreparedQuery:
    def build(**values) -> QuerySet:
        profiles = _directory_filtered(values, field=field, state=state).prefetch_related(None).order_by()
        return profiles.annotate(total=Window(Count("id"))).values_list("total")[:1]

    return PreparedQuery(build, names=[name for name, used in (("field", field), ("state", state)) if used])


@functools.lru_cache(maxsize=256)
def _directory_entries_query(*, field: bool, state: bool, offset: int, limit: int) -> PreparedQuery:
    def build(**values) -> QuerySet:
        profiles = _directory_filtered(values, field=field, state=state).prefetch_related(None)
        return profiles.values_list(*ENTRY_COLUMNS)[offset:offset + limit]

    return PreparedQuery(build, names=[name for name, used in (("field", field), ("state", state)) if used])


class DirectoryRows:
    """directory_search(field=, state=) for a Paginator, as ENTRY_COLUMNS rows: its count and its slices each one
    query of a kept shape (fediverse_node/prepared.py)."""

    def __init__(self, *, field: str = "", state: str = ""):
        self.values = {name: value for name, value in (("field", field), ("state", state)) if value}
        self.shape = {"field": bool(field), "state": bool(state)}

    def count(self) -> int:
        rows = _directory_count_query(**self.shape).rows(**self.values)
        return rows[0][0] if rows else 0

    def __getitem__(self, window: slice) -> list[tuple]:
        offset, stop = window.start or 0, window.stop
        if window.step is not None or stop is None:
            raise ValueError("a DirectoryRows slice is [start:stop]")
        if stop <= offset:
            return []  # the empty first page of an empty directory
        return _directory_entries_query(**self.shape, offset=offset, limit=stop - offset).rows(**self.values)


_entry_fields = PreparedQuery(
    lambda ids: MemberProfile.fields_of_work.through.objects.filter(memberprofile_id__in=ids)
    .order_by("memberprofile_id", "fieldofwork_id").values_list("memberprofile_id", "fieldofwork__slug"),
    lists={"ids": ENTRY_FIELDS_MAX},
)


def entry_fields(profile_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The slugs of the profiles' fields of work, in their entries' order (as profile.fields_of_work.all())."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(profile_ids), ENTRY_FIELDS_MAX):
        for profile_id, slug in _entry_fields.rows(ids=profile_ids[start:start + ENTRY_FIELDS_MAX]):
            found.setdefault(profile_id, []).append(slug)
    return {profile_id: tuple(slugs) for profile_id, slugs in found.items()}


def profiles_for_entries(profile_ids: list[int]) -> dict[int, MemberProfile]:
    """Profiles with what their directory entries show, by id (the entries this process has not kept yet)."""
    profiles = MemberProfile.objects.filter(id__in=profile_ids).select_related("actor")
    return {profile.id: profile for profile in profiles.defer(
        "search_text", *(f"actor__{name}" for name in ACTOR_UNUSED)).prefetch_related("fields_of_work")}


def _within(profiles: QuerySet, near: tuple[float, float], km: int) -> list[int]:
    """Ids of the profiles within km of near, nearest first (a few thousand rows at most: read once, in Python)."""
    found = []
    for pk, postal_code, lat, lon, public in profiles.values_list(
        "id", "postal_code", "latitude", "longitude", "location_public"
    ):
        point = profile_point(postal_code, lat, lon, public)
        if point is not None and (distance := distance_km(near, point)) <= km:
            found.append((distance, pk))
    return [pk for _, pk in sorted(found)]


def place_centre(place: str) -> tuple[float, float] | None:
    """Where a postal code or a town is: the postal code's centre, or the centre of the members in that town."""
    place = place.strip()
    if place.isdigit():
        return postal_code_point(place)
    rows = MemberProfile.objects.filter(listed=True).filter(place_filter(place)).values_list(
        "postal_code", "latitude", "longitude", "location_public"
    )[:200]
    return centre_of([p for p in (profile_point(*row) for row in rows) if p is not None])


def profile_by_handle(handle: str) -> MemberProfile | None:
    """A listed member by its user name here, or user@domain for a linked account elsewhere."""
    username, _, domain = handle.lstrip("@").partition("@")
    profiles = _listed_profiles().filter(actor__username__iexact=username)
    profiles = profiles.filter(actor__domain__iexact=domain) if domain else profiles.filter(actor__local=True)
    return profiles.first()


_PROFILE_FIELDS = [field.attname for field in MemberProfile._meta.concrete_fields]
_ACTOR_FIELDS = [field.attname for field in Actor._meta.concrete_fields]


@functools.cache
def _profile_page_query(*, local: bool) -> PreparedQuery:
    """profile_by_handle's query, all columns of the profile and its actor: for its page, read on every visit."""
    def build(**values) -> QuerySet:
        # as iexact (SQLite's LIKE and LOWER fold ASCII letters only), with the value passed as it is
        profiles = _listed_profiles().alias(lower_username=Lower("actor__username")).filter(
            lower_username=Lower(Value(values["username"], output_field=CharField())))
        if local:
            profiles = profiles.filter(actor__local=True)
        else:
            profiles = profiles.alias(lower_domain=Lower("actor__domain")).filter(
                lower_domain=Lower(Value(values["domain"], output_field=CharField())))
        columns = [*_PROFILE_FIELDS, *(f"actor__{name}" for name in _ACTOR_FIELDS)]
        return profiles.prefetch_related(None).order_by("id").values_list(*columns)[:1]

    return PreparedQuery(build, names=["username"] if local else ["username", "domain"])


_profile_fields = PreparedQuery(
    lambda profile: MemberProfile.fields_of_work.through.objects.filter(memberprofile_id=profile)
    .order_by("fieldofwork_id").values_list("fieldofwork_id", "fieldofwork__slug"),
    names=["profile"],
)


def profile_for_page(handle: str) -> tuple[MemberProfile, list[FieldOfWork]] | None:
    """profile_by_handle for the profile's page, with its fields of work: two queries of a kept shape."""
    username, _, domain = handle.lstrip("@").partition("@")
    query = _profile_page_query(local=not domain)
    rows = query.rows(username=username, domain=domain) if domain else query.rows(username=username)
    if not rows:
        return None
    using = query.using
    member = MemberProfile.from_db(using, _PROFILE_FIELDS, rows[0][:len(_PROFILE_FIELDS)])
    member.actor = Actor.from_db(using, _ACTOR_FIELDS, rows[0][len(_PROFILE_FIELDS):])
    fields = [FieldOfWork.from_db(using, ["id", "slug"], row) for row in _profile_fields.rows(profile=member.id)]
    return member, fields


@functools.cache
def _listed_profiles() -> QuerySet:
    """Listed profiles of visible actors, with what a profile page shows: built once per process (see below)."""
    return (
        MemberProfile.objects.filter(listed=True, actor__deleted=False, actor__suspended=False)
        .select_related("actor")
        .prefetch_related("fields_of_work")
    )


SHOWN = (Visibility.PUBLIC, Visibility.UNLISTED)


def website_link() -> Subquery:
    """An annotation: the original on the member's website of a post its website feed brought (one subquery)."""
    return Subquery(FeedEntry.objects.filter(post=OuterRef("pk")).values("link")[:1])


def reply_count() -> Coalesce:
    """An annotation: how many public replies from servers not silenced a post has (one subquery, no join)."""
    replies = (
        Post.objects.filter(in_reply_to=OuterRef("pk"), visibility__in=SHOWN)
        .filter(~author_hidden_from_public())
        .order_by().values("in_reply_to").annotate(n=Count("id")).values("n")
    )
    return Coalesce(Subquery(replies, output_field=IntegerField()), 0)


def organisation_without_profile(username: str) -> Actor | None:
    """A local organisation that has no member profile yet (made on the command line): its page is still its `url`."""
    return Actor.objects.visible().filter(
        local=True, type=ActorType.ORGANIZATION, username__iexact=username, member_profile__isnull=True
    ).first()


def actor_public_posts(actor: Actor) -> QuerySet:
    """An actor's own public posts (not boosts, not replies), newest first."""
    return (
        Post.objects.filter(author=actor, visibility=Visibility.PUBLIC, boost_of__isnull=True, in_reply_to_uri="")
        .select_related("author", "author__member_profile", "poll")
        .prefetch_related("attachments", "tags")
        .annotate(reply_count=reply_count(), website_link=website_link())
        .order_by("-published", "-id")
    )


def member_posts() -> QuerySet:
    """Public posts (not boosts, not replies) of listed members, local and linked, newest first."""
    return _member_posts().all()


# The post lists' queries are built once per process, each caller gets a fresh copy (`.all()`): building one (the
# filters, the reply-count and hidden-server subqueries) cost a fifth of a feed page's CPU. Nothing here depends on
# data or settings read at build time, and a kept QuerySet is never evaluated itself.
@functools.cache
def _member_posts() -> QuerySet:
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
        .select_related("author", "author__member_profile", "poll")
        .defer(*POST_UNUSED, *(f"author__{name}" for name in ACTOR_UNUSED),
               *(f"author__member_profile__{name}" for name in PROFILE_UNUSED))
        .prefetch_related("attachments")  # no tags: a card does not show them (the article page reads its own)
        .annotate(reply_count=reply_count(), website_link=website_link())
        .order_by("-published", "-id")
    )


def public_member_posts() -> QuerySet:
    """member_posts for the shared pages (feed, hashtags, blog, campaigns): without silenced or suspended servers.
    A member's own profile still lists its posts."""
    return _public_member_posts().all()


@functools.cache
def _public_member_posts() -> QuerySet:
    return _member_posts().filter(~author_hidden_from_public())


@functools.cache
def _feed_posts() -> QuerySet:
    return _public_member_posts().exclude(type=PostType.ARTICLE)


def feed_posts(*, hashtag: str = "", field: str = "", state: str = "") -> QuerySet:
    return _feed_narrowed(tag=hashtag.lower().lstrip("#") or None, field=field or None, state=state or None)


def _feed_narrowed(*, tag=None, field=None, state=None) -> QuerySet:
    """The feed's posts with a hashtag, a field of work, a federal state (each: when not None)."""
    posts = _feed_posts().all()
    if tag is not None:
        posts = posts.filter(tags__name=tag)
    if field is not None:
        posts = posts.filter(author__member_profile__fields_of_work__slug=field)
    if state is not None:
        posts = posts.filter(author__member_profile__state=state)
    return posts


# What a post card's key is made of (community/cards.py), read for a page of cards in one lean query: the card
# itself is rendered only when this process has not kept it yet.
CARD_COLUMNS = (
    "id", "updated_at", "author_id", "author__updated_at", "type", "reply_count",
    "poll__post_id", "poll__options", "poll__voters_count", "poll__expires_at", "poll__hide_totals",
)


# The post lists are ordered by date, then id, and a page goes on below the last post of the one before. A post's id
# is when it was made or arrived here, not its date: a member's website feed read for the first time or a remote
# post fetched late brings old dates with new ids. So a page starts below the boundary post's place in the list's
# order (its date, then its id), one range of the date index, never below its id alone (that left such posts on
# no page and read every newer post first).
_post_date = PreparedQuery(lambda post: Post.objects.filter(id=post).values_list("published"), names=["post"])


def date_of_post(post_id: int) -> datetime:
    """The date of the post a page goes on below; for a post gone since the link was made, the moment in its id."""
    found = _post_date.rows(post=post_id)
    return found[0][0] if found else datetime.fromtimestamp((post_id >> 16) / 1000, tz=UTC)


def _marked_date(post_id: int):
    """date_of_post as the database holds it, for the `published` marker of the card queries below."""
    return db_datetime(date_of_post(post_id))


def below(published, before: int | Value) -> Q:
    """The posts after (published, before) in the lists' order, newest first: a bounded range of the date."""
    return Q(published__lte=published) & (Q(published__lt=published) | Q(id__lt=before))


def older_than(posts: QuerySet, before: int) -> QuerySet:
    """A list ordered by (-published, -id) from below the post `before` on."""
    return posts.filter(below(date_of_post(before), before))


@functools.cache
def _feed_card_query(*, hashtag: bool, field: bool, state: bool, before: bool, limit: int) -> PreparedQuery:
    def build(**values) -> QuerySet:
        posts = _feed_narrowed(tag=values.get("hashtag"), field=values.get("field"), state=values.get("state"))
        if before:
            posts = posts.filter(below(Value(values["published"]), values["before"]))
        return posts.prefetch_related(None).values_list(*CARD_COLUMNS)[:limit]

    names = [name for name, used in (("hashtag", hashtag), ("field", field), ("state", state)) if used]
    return PreparedQuery(build, names=[*names, *(["published", "before"] if before else [])])


def feed_card_rows(*, hashtag: str = "", field: str = "", state: str = "", before: int | None = None,
                   limit: int) -> list[tuple]:
    """The CARD_COLUMNS of feed_posts(), newest first, at most `limit`, below the post `before` if given."""
    hashtag = hashtag.lower().lstrip("#")
    query = _feed_card_query(hashtag=bool(hashtag), field=bool(field), state=bool(state), before=before is not None,
                             limit=limit)
    values = {"hashtag": hashtag, "field": field, "state": state, "before": before}
    if before is not None:
        values["published"] = _marked_date(before)
    return query.rows(**{name: values[name] for name in query.names})


@functools.cache
def _member_card_query(*, before: bool, limit: int) -> PreparedQuery:
    def build(**values) -> QuerySet:
        posts = _member_posts().filter(author_id=values["author"])
        if before:
            posts = posts.filter(below(Value(values["published"]), values["before"]))
        return posts.prefetch_related(None).values_list(*CARD_COLUMNS)[:limit]

    return PreparedQuery(build, names=["author", "published", "before"] if before else ["author"])


def member_card_rows(*, author: Actor, before: int | None = None, limit: int) -> list[tuple]:
    """The CARD_COLUMNS of member_posts() of one author, as feed_card_rows."""
    query = _member_card_query(before=before is not None, limit=limit)
    if before is None:
        return query.rows(author=author.id)
    return query.rows(author=author.id, published=_marked_date(before), before=before)


CARD_ATTACHMENTS_MAX = 50
_card_attachments = PreparedQuery(
    lambda ids: Attachment.objects.filter(post_id__in=ids).order_by("post_id", "position", "id")
    .values_list("post_id", "id", "description", "file", "remote_url"),
    lists={"ids": CARD_ATTACHMENTS_MAX},
)


def card_attachments(post_ids: list[int]) -> dict[int, tuple]:
    """What a card shows of its posts' attachments, by post id, in the card's order (as post.attachments.all())."""
    found: dict[int, list] = {}
    for start in range(0, len(post_ids), CARD_ATTACHMENTS_MAX):
        for post_id, *shown in _card_attachments.rows(ids=post_ids[start:start + CARD_ATTACHMENTS_MAX]):
            found.setdefault(post_id, []).append(tuple(shown))
    return {post_id: tuple(shown) for post_id, shown in found.items()}


def posts_for_cards(post_ids: list[int]) -> dict[int, Post]:
    """Posts of member_posts() with what their cards show, by id (the cards this process has not kept yet)."""
    return {post.id: post for post in _member_posts().filter(id__in=post_ids).order_by()}


def blog_articles() -> QuerySet:
    return public_member_posts().filter(type=PostType.ARTICLE)


def post_replies(post: Post) -> QuerySet:
    """Public replies to a post, from anywhere on the Fediverse (but silenced or suspended servers), oldest first."""
    return (
        Post.objects.filter(in_reply_to=post, visibility__in=SHOWN, author__deleted=False, author__suspended=False)
        .filter(~author_hidden_from_public())
        .select_related("author", "author__member_profile", "poll")
        .prefetch_related("attachments", "tags")
        .annotate(reply_count=reply_count())
        .order_by("published", "id")
    )


article_replies = post_replies


def post_for_page(post_id: int) -> Post | None:
    """A post anyone may see on its own page: public or unlisted, its author neither gone nor hidden."""
    return (
        Post.objects.filter(id=post_id, visibility__in=SHOWN, author__deleted=False, author__suspended=False)
        .filter(~author_hidden_from_public())
        .select_related("author", "author__member_profile", "in_reply_to__author", "boost_of")
        .prefetch_related("attachments", "tags")
        .annotate(website_link=website_link())
        .first()
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
    return Actor.objects.visible().filter(local=True, type=ActorType.GROUP).order_by("display_name")


def group_members(group: Actor) -> QuerySet:
    return Actor.objects.followers_of(group).visible().order_by("display_name")


def group_posts(group: Actor) -> QuerySet:
    """The members' posts the group shared (its boosts), newest first."""
    return (
        Post.objects.filter(boosts__author=group, visibility=Visibility.PUBLIC)
        .filter(~author_hidden_from_public())
        .select_related("author").prefetch_related("attachments", "tags").order_by("-published", "-id")
    )


def campaign_featured(*, today) -> Campaign | None:
    """The campaign running today (the one that started last), else the one that starts next."""
    running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
    return running or Campaign.objects.filter(starts_on__gt=today).order_by("starts_on").first()


def network_figures() -> dict:
    """The numbers the home page shows: listed members, the states and fields of work they cover."""
    members = directory_search()
    return {
        "members": members.count(),
        "states": members.exclude(state="").values("state").distinct().count(),
        "fields": members.values("fields_of_work").exclude(fields_of_work=None).distinct().count(),
    }


def map_positions() -> list[tuple[float, float]]:
    """Public positions of listed members (latitude, longitude), for the home page's small map."""
    return [
        (latitude, longitude)
        for latitude, longitude in MemberProfile.objects.filter(
            listed=True, location_public=True, actor__deleted=False, actor__suspended=False,
            latitude__isnull=False, longitude__isnull=False,
        ).values_list("latitude", "longitude")
        if latitude is not None and longitude is not None  # the filter's promise, spelt out for mypy
    ]


def site_page_get(slug: str) -> SitePage | None:
    """A legal page as staff last saved it, or its German draft if the row is gone."""
    page = SitePage.objects.filter(slug=slug).first()
    if page is None and slug in DEFAULT_PAGES:
        title, body = DEFAULT_PAGES[slug]
        page = SitePage(slug=slug, title=title, body=body)
    return page
