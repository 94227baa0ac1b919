"""Reading posts: who may see one, and the timelines (home, public, tag, an account's)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from actors.models import Actor, Follow, FollowState
from actors.services.domains import author_hidden_from_public

from .models import REPLIES, ConversationMute, FeedEntry, Post, Tag, Visibility

PUBLIC_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)


def _follows(viewer: Actor, author_field: str = "author") -> Exists:
    return Exists(
        Follow.objects.filter(follower=viewer, target=OuterRef(author_field), state=FollowState.ACCEPTED)
    )


def _mentions(viewer: Actor) -> Exists:
    return Exists(Post.mentions.through.objects.filter(post=OuterRef("pk"), actor=viewer))


def visible_to(queryset: QuerySet, viewer: Actor | None) -> QuerySet:
    """Only the posts the viewer may see: public ones, followers-only ones of followed authors, own, mentioned;
    never a suspended author's (nor boosts of them)."""
    queryset = queryset.filter(author__suspended=False).exclude(boost_of__author__suspended=True)
    if viewer is None:
        return queryset.filter(visibility__in=PUBLIC_VISIBILITIES)
    return queryset.filter(
        Q(visibility__in=PUBLIC_VISIBILITIES)
        | Q(author=viewer)
        | (Q(visibility=Visibility.PRIVATE) & _follows(viewer))
        | _mentions(viewer)
    )


def post_visible(*, post_id, viewer: Actor | None) -> Post | None:
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        return None
    return visible_to(Post.objects.filter(id=post_id), viewer).first()


def timeline_home(*, viewer: Actor) -> QuerySet:
    """The viewer's home feed (own posts and boosts, followed accounts', direct posts to it): feed entries,
    paged by post_id."""
    return FeedEntry.objects.filter(owner=viewer)


def timeline_public(*, local: bool = False, remote: bool = False) -> QuerySet:
    """Public posts, except those of suspended authors and of silenced or suspended servers."""
    queryset = Post.objects.filter(visibility=Visibility.PUBLIC, boost_of__isnull=True).filter(
        ~author_hidden_from_public()
    )
    if local:
        queryset = queryset.filter(local=True)
    elif remote:
        queryset = queryset.filter(local=False)
    return queryset


def public_listed_among(post_ids: list[int]) -> dict[int, bool]:
    """Of these posts, those the public timeline lists (timeline_public's rule), as {id: local}. Read by primary key,
    with the visibility and boost conditions checked here: given `visibility = ?` in the query, SQLite's planner (no
    statistics) took the visibility index for any list of ids and read every public post, once per new batch."""
    rows = Post.objects.filter(id__in=post_ids).filter(~author_hidden_from_public()).order_by().values_list(
        "id", "local", "visibility", "boost_of_id")
    return {pk: local for pk, local, visibility, boost_of in rows if visibility == Visibility.PUBLIC and boost_of is None}


def replies_waiting_for(uris: list[str]) -> list[Post]:
    """Replies to these URIs that arrived before their parent (they have no parent yet). Read through the index of
    every reply by its parent's URI, with the missing parent checked here: given `in_reply_to_id IS NULL`, SQLite's
    planner (no statistics) took that column's index for a batch of more than a few URIs and read every post that
    is not a reply."""
    return [reply for reply in Post.objects.filter(REPLIES, in_reply_to_uri__in=uris).order_by()
            if reply.in_reply_to_id is None]


def timeline_tag(*, names: list[str], local: bool = False) -> QuerySet:
    queryset = timeline_public(local=local).filter(tags__name__in=[n.lower() for n in names]).distinct()
    return queryset


def account_posts(*, author: Actor, viewer: Actor | None) -> QuerySet:
    return visible_to(Post.objects.filter(author=author), viewer)


def thread_of(*, post: Post, viewer: Actor | None, limit: int = 200) -> tuple[list[Post], list[Post]]:
    """Ancestors (oldest first) and descendants (level by level, oldest first) the viewer may see."""
    ancestors: list[Post] = []
    current, seen = post, {post.id}
    while current.in_reply_to_id and current.in_reply_to_id not in seen and len(ancestors) < 40:
        parent = post_visible(post_id=current.in_reply_to_id, viewer=viewer)
        if parent is None:
            break
        ancestors.insert(0, parent)
        seen.add(parent.id)
        current = parent
    descendants: list[Post] = []
    frontier = [post.id]
    while frontier and len(descendants) < limit:
        children = list(
            visible_to(Post.objects.filter(in_reply_to_id__in=frontier), viewer).order_by("published", "id")
        )
        children = [c for c in children if c.id not in seen]
        seen.update(c.id for c in children)
        descendants.extend(children)
        frontier = [c.id for c in children]
    return ancestors, descendants[:limit]


def tags_listed() -> QuerySet:
    """Hashtags anyone may find: used in at least one public or unlisted post of an unsuspended author (a tag used
    only in followers-only or direct posts says something about them, so it is not listed)."""
    used_openly = Post.tags.through.objects.filter(
        tag=OuterRef("pk"), post__visibility__in=PUBLIC_VISIBILITIES, post__author__suspended=False
    )
    return Tag.objects.filter(Exists(used_openly))


def local_posts_count() -> int:
    """Local public and unlisted posts (no boosts), as NodeInfo's localPosts tells the world."""
    return Post.objects.filter(local=True, boost_of__isnull=True, visibility__in=PUBLIC_VISIBILITIES).count()


THREAD_DEPTH = 40
MUTED_THREAD_LIMIT = 5000


def thread_root(*, post: Post) -> Post:
    """The oldest known post of the thread `post` belongs to (its ancestors followed up to THREAD_DEPTH hops)."""
    current, seen = post, {post.id}
    while current.in_reply_to_id and current.in_reply_to_id not in seen and len(seen) <= THREAD_DEPTH:
        parent = Post.objects.filter(id=current.in_reply_to_id).first()
        if parent is None:
            break
        seen.add(parent.id)
        current = parent
    return current


def conversation_muted_ids(*, actor: Actor) -> set[int]:
    """Ids of every post in the conversations the actor muted: the roots and their replies, level by level."""
    frontier = list(ConversationMute.objects.filter(actor=actor).values_list("root_id", flat=True))
    muted = set(frontier)
    while frontier and len(muted) < MUTED_THREAD_LIMIT:
        frontier = [
            i for i in Post.objects.filter(in_reply_to_id__in=frontier).values_list("id", flat=True) if i not in muted
        ]
        muted.update(frontier)
    return muted


def local_public_post(username: str, post_id: int) -> Post | None:
    """A local post that anyone may see (followers-only and direct posts are never served by their ids)."""
    post = (
        Post.objects.filter(id=post_id, local=True, author__username__iexact=username, author__suspended=False)
        .exclude(boost_of__author__suspended=True)
        .select_related("author", "boost_of__author", "in_reply_to")
        .first()
    )
    if post is None or not post.is_public:
        return None
    return post
