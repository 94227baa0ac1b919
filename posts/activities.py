"""Rendering local posts as ActivityStreams 2.0: the Note/Article/Event and the activities that carry them."""

import uuid

from django.conf import settings
from django.utils import timezone

from actors.activities import with_context
from fediverse_node.activitystreams import PUBLIC
from fediverse_node.protocol import vocab
from fediverse_node.protocol.links import http_url

from .models import Poll, PollVote, Post, PostType, Visibility


def post_audience(post: Post) -> tuple[list[str], list[str]]:
    """(to, cc) of a post by its visibility (Mastodon's addressing)."""
    followers = post.author.followers_url
    mentions = [a.uri for a in post.mentions.all()]
    if post.extra.get("audience"):  # FEP-1b12: a post meant for a group names it
        mentions.append(post.extra["audience"])
    if post.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentions]
    if post.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentions]
    if post.visibility == Visibility.PRIVATE:
        return [followers], mentions
    return mentions, []


def _attachment(att) -> vocab.Attachment:
    return vocab.Attachment(
        type="Image" if att.media_type.startswith("image/") else "Document",
        media_type=att.media_type,
        url=http_url(att.remote_url) or f"{settings.FEDINODE_BASE_URL}{att.file.url}",
        name=att.description,
        blurhash=att.blurhash,
        focal_point=(att.focus_x, att.focus_y),
        width=att.width,
        height=att.height,
    )


def _place(location: dict) -> vocab.Place:
    """The stored place of an event (posts.services.events writes type, name and url)."""
    return vocab.Place(type=location.get("type", "Place"), name=location.get("name", ""), url=location.get("url", ""))


def _poll(post: Post) -> Poll | None:
    try:
        return post.poll
    except Poll.DoesNotExist:
        return None


def _poll_fields(poll: Poll | None) -> dict:
    """A Question's answers as Mastodon sends them: oneOf or anyOf, each count in replies.totalItems; endTime, and
    closed once it ended."""
    if poll is None:
        return {}
    options = tuple(vocab.PollOption(name=o["title"], votes=int(o.get("votes") or 0)) for o in poll.options)
    ended = poll.expires_at is not None and poll.expires_at <= timezone.now()
    return {
        "any_of" if poll.multiple else "one_of": options, "voters_count": poll.voters_count or 0,
        "end_time": poll.expires_at, "closed": poll.expires_at if ended else None,
    }


def post_model(post: Post) -> vocab.PostObject:
    """The typed Note/Article/Event/Question of a local post."""
    to, cc = post_audience(post)
    tags: list[vocab.Mention | vocab.Hashtag] = [
        vocab.Mention(href=a.uri, name=f"@{a.handle}") for a in post.mentions.all()
    ]
    tags += [
        vocab.Hashtag(href=f"{post.author.uri.rsplit('/actors/', 1)[0]}/tags/{t.name}", name=f"#{t.name}")
        for t in post.tags.all()
    ]
    # links to the slides and the recording, added after an event (Mobilizon shows Link attachments the same way)
    poll = _poll_fields(_poll(post) if post.type == PostType.QUESTION else None)
    material = [vocab.Link(href=item["url"], name=item.get("name") or "") for item in post.extra.get("material", [])]
    return vocab.PostObject(
        id=post.uri,
        type=post.type,
        attributed_to=post.author.uri,
        content=post.content,
        language=post.language,
        name=post.name,
        summary=post.summary,
        sensitive=post.sensitive,
        url=post.url or post.uri,
        in_reply_to=post.in_reply_to.uri if post.in_reply_to is not None else post.in_reply_to_uri,
        published=post.published,
        updated=post.edited_at,
        to=tuple(to),
        cc=tuple(cc),
        audience=(post.extra["audience"],) if post.extra.get("audience") else (),
        tags=tuple(tags),
        attachments=(*(_attachment(a) for a in post.attachments.all()), *material),
        start_time=post.starts_at,
        end_time=poll.pop("end_time", post.ends_at),
        location=_place(post.extra["location"]) if isinstance(post.extra.get("location"), dict) else None,
        timezone=post.extra.get("timezone", ""),
        replies=f"{post.uri}/replies",
        source_markdown=(post.source or "") if post.type == PostType.ARTICLE else "",
        **poll,
    )


def post_object(post: Post) -> dict:
    """The Note/Article/Event of a local post, as its id dereferences."""
    return post_model(post).render()


def post_document(post: Post) -> dict:
    """What a local post's id answers as ActivityStreams: its object, or the Announce when it is a boost."""
    return announce_activity(post) if post.boost_of_id else with_context(post_object(post))


def create_activity(post: Post) -> dict:
    obj = post_object(post)
    return with_context(vocab.Activity(
        id=f"{post.uri}/activity", type="Create", actor=post.author.uri, published=post.published,
        to=tuple(obj["to"]), cc=tuple(obj["cc"]), object=obj,
    ).render())


def update_activity(post: Post, *, fresh_id: bool = False) -> dict:
    """An Update of the post; `fresh_id` for one that is no edit (a poll's counts), whose id must not repeat."""
    obj = post_object(post)
    stamp = int(post.edited_at.timestamp() * 1000) if post.edited_at and not fresh_id else uuid.uuid4()
    return with_context(vocab.Activity(
        id=f"{post.uri}#updates/{stamp}",
        type="Update", actor=post.author.uri, to=tuple(obj["to"]), cc=tuple(obj["cc"]), object=obj,
    ).render())


def vote_activity(*, vote: PollVote, post: Post, title: str) -> dict:
    """One choice of a vote on a remote poll, as Mastodon sends it: a Create of a Note whose name is the option,
    in reply to the Question, to its author only."""
    voter, to = vote.voter.uri, (post.author.uri,)
    note = {"id": vote.uri, "type": "Note", "name": title, "attributedTo": voter, "inReplyTo": post.uri, "to": list(to)}
    return with_context(vocab.Activity(
        id=f"{vote.uri}/activity", type="Create", actor=voter, to=to, object=note,
    ).render())


def delete_activity(post: Post, to: list[str], cc: list[str]) -> dict:
    return with_context(vocab.Activity(
        id=f"{post.uri}#delete", type="Delete", actor=post.author.uri, to=tuple(to), cc=tuple(cc),
        object={"id": post.uri, "type": "Tombstone"},
    ).render())


def announce_activity(boost: Post) -> dict:
    if boost.boost_of is None:
        raise ValueError(f"{boost.uri} is not a boost")
    return with_context(vocab.Activity(
        id=boost.uri, type="Announce", actor=boost.author.uri, published=boost.published, to=(PUBLIC,),
        cc=(boost.boost_of.author.uri, boost.author.followers_url), object_id=boost.boost_of.uri,
    ).render())
