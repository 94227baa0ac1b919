"""Rendering local posts as ActivityStreams 2.0: the Note/Article/Event and the activities that carry them."""

import uuid

from django.conf import settings

from actors.activities import iso, with_context
from fediverse_node.activitystreams import PUBLIC
from fediverse_node.protocol.links import http_url

from .models import Post, PostType, Visibility


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


def _attachment(att) -> dict:
    return {
        "type": "Image" if att.media_type.startswith("image/") else "Document",
        "mediaType": att.media_type,
        "url": http_url(att.remote_url) or f"{settings.FEDINODE_BASE_URL}{att.file.url}",
        "name": att.description or None,
        "blurhash": att.blurhash or None,
        "focalPoint": [att.focus_x, att.focus_y],
        "width": att.width,
        "height": att.height,
    }


def post_object(post: Post) -> dict:
    """The Note/Article/Event of a local post, as its id dereferences."""
    to, cc = post_audience(post)
    tags = [
        {"type": "Mention", "href": a.uri, "name": f"@{a.handle}"} for a in post.mentions.all()
    ] + [
        {"type": "Hashtag", "href": f"{post.author.uri.rsplit('/actors/', 1)[0]}/tags/{t.name}", "name": f"#{t.name}"}
        for t in post.tags.all()
    ]
    obj = {
        "id": post.uri,
        "type": post.type,
        "attributedTo": post.author.uri,
        "content": post.content,
        "published": iso(post.published),
        "url": post.url or post.uri,
        "to": to,
        "cc": cc,
        "sensitive": post.sensitive,
        "summary": post.summary or None,
        "inReplyTo": post.in_reply_to.uri if post.in_reply_to_id else (post.in_reply_to_uri or None),
        "tag": tags,
        "attachment": [_attachment(a) for a in post.attachments.all()],
        "replies": f"{post.uri}/replies",
    }
    if post.language:
        obj["contentMap"] = {post.language: post.content}
    if post.edited_at:
        obj["updated"] = iso(post.edited_at)
    if post.name:
        obj["name"] = post.name
    if post.type == PostType.ARTICLE and post.source:
        obj["source"] = {"content": post.source, "mediaType": "text/markdown"}
    if post.starts_at:
        obj["startTime"] = iso(post.starts_at)
    if post.ends_at:
        obj["endTime"] = iso(post.ends_at)
    for key in ("location", "timezone", "audience"):
        if key in post.extra:
            obj[key] = post.extra[key]
    # links to the slides and the recording, added after an event (Mobilizon shows Link attachments the same way)
    obj["attachment"] += [
        {"type": "Link", "href": item["url"], "name": item.get("name") or item["url"], "mediaType": "text/html"}
        for item in post.extra.get("material", [])
    ]
    return obj


def create_activity(post: Post) -> dict:
    obj = post_object(post)
    return with_context(
        {
            "id": f"{post.uri}/activity",
            "type": "Create",
            "actor": post.author.uri,
            "published": obj["published"],
            "to": obj["to"],
            "cc": obj["cc"],
            "object": obj,
        }
    )


def update_activity(post: Post) -> dict:
    obj = post_object(post)
    return with_context(
        {
            "id": f"{post.uri}#updates/{int(post.edited_at.timestamp() * 1000) if post.edited_at else uuid.uuid4()}",
            "type": "Update",
            "actor": post.author.uri,
            "to": obj["to"],
            "cc": obj["cc"],
            "object": obj,
        }
    )


def delete_activity(post: Post, to: list[str], cc: list[str]) -> dict:
    return with_context(
        {
            "id": f"{post.uri}#delete",
            "type": "Delete",
            "actor": post.author.uri,
            "to": to,
            "cc": cc,
            "object": {"id": post.uri, "type": "Tombstone"},
        }
    )


def announce_activity(boost: Post) -> dict:
    return with_context(
        {
            "id": boost.uri,
            "type": "Announce",
            "actor": boost.author.uri,
            "published": iso(boost.published),
            "to": [PUBLIC],
            "cc": [boost.boost_of.author.uri, boost.author.followers_url],
            "object": boost.boost_of.uri,
        }
    )
