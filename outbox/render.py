"""Rendering local objects as ActivityStreams 2.0: posts, and the activities that carry them."""

import uuid

from django.conf import settings

from actors.models import Actor
from fediverse_node.activitystreams import AS_CONTEXT, PUBLIC
from fediverse_node.protocol import vocab
from fediverse_node.protocol.links import http_url
from posts.models import Post, PostType, Visibility

TOOT_CONTEXT = {
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "blurhash": "toot:blurhash",
    "discoverable": "toot:discoverable",
    "suspended": "toot:suspended",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}
CONTEXT = [AS_CONTEXT, "https://w3id.org/security/v1", TOOT_CONTEXT]


def activity_id(actor: Actor, kind: str) -> str:
    """A fresh id for an activity that has no page of its own (Follow, Like, Undo…), under the actor's id."""
    return f"{actor.uri}#{kind}/{uuid.uuid4()}"


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


def post_model(post: Post) -> vocab.PostObject:
    """The typed Note/Article/Event of a local post."""
    to, cc = post_audience(post)
    tags: list[vocab.Mention | vocab.Hashtag] = [
        vocab.Mention(href=a.uri, name=f"@{a.handle}") for a in post.mentions.all()
    ]
    tags += [
        vocab.Hashtag(href=f"{post.author.uri.rsplit('/actors/', 1)[0]}/tags/{t.name}", name=f"#{t.name}")
        for t in post.tags.all()
    ]
    # links to the slides and the recording, added after an event (Mobilizon shows Link attachments the same way)
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
        end_time=post.ends_at,
        location=_place(post.extra["location"]) if isinstance(post.extra.get("location"), dict) else None,
        timezone=post.extra.get("timezone", ""),
        replies=f"{post.uri}/replies",
        source_markdown=(post.source or "") if post.type == PostType.ARTICLE else "",
    )


def post_object(post: Post) -> dict:
    """The Note/Article/Event of a local post, as its id dereferences."""
    return post_model(post).render()


def with_context(document: dict) -> dict:
    return {"@context": CONTEXT, **document}


def create_activity(post: Post) -> dict:
    obj = post_object(post)
    return with_context(vocab.Activity(
        id=f"{post.uri}/activity", type="Create", actor=post.author.uri, published=post.published,
        to=tuple(obj["to"]), cc=tuple(obj["cc"]), object=obj,
    ).render())


def update_activity(post: Post) -> dict:
    obj = post_object(post)
    return with_context(vocab.Activity(
        id=f"{post.uri}#updates/{int(post.edited_at.timestamp() * 1000) if post.edited_at else uuid.uuid4()}",
        type="Update", actor=post.author.uri, to=tuple(obj["to"]), cc=tuple(obj["cc"]), object=obj,
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


def simple_activity(
    *, id: str, type: str, actor: Actor, object: str | dict | list[str], to: list[str] | None = None
) -> dict:
    """Follow, Accept, Reject, Like, Undo…: an activity that only points at its object (an id, or the activity
    it answers or undoes, already rendered)."""
    document = vocab.Activity(
        id=id, type=type, actor=actor.uri, to=tuple(to or ()),
        object=object if isinstance(object, dict) else None,
        object_id=object if isinstance(object, str) else "",
        object_ids=tuple(object) if isinstance(object, list) else (),
    ).render()
    # these name their one recipient in `to` or nobody: no empty `cc` (peers have always seen them without one)
    if not document.get("cc"):
        document.pop("cc", None)
    return with_context(document)
