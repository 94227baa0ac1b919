"""A post (Note, Article, Event, Question, Page) or a boost (an Announce wrapping another post)."""

from django.db import models
from django.db.models import Q


class Visibility(models.TextChoices):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"  # followers only
    DIRECT = "direct"  # mentioned actors only


class PostType(models.TextChoices):
    NOTE = "Note"
    ARTICLE = "Article"
    EVENT = "Event"
    QUESTION = "Question"
    PAGE = "Page"
    ANNOUNCE = "Announce"


# A reply (its in_reply_to_uri names its parent, held here or not). Queries spell this condition as it is, so that
# SQLite's planner can match it to the partial index below.
REPLIES = ~Q(in_reply_to_uri="")


class Post(models.Model):
    uri = models.URLField(max_length=500, unique=True)
    url = models.URLField(max_length=500, blank=True, help_text="HTML page of the post")
    author = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="posts", db_index=False)
    local = models.BooleanField(default=False, db_index=True)
    type = models.CharField(max_length=10, choices=PostType.choices, default=PostType.NOTE)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)

    name = models.CharField(max_length=500, blank=True, help_text="title of an Article or Event")
    content = models.TextField(blank=True, help_text="HTML, sanitised")
    source = models.TextField(blank=True, help_text="the text the author typed (local posts)")
    summary = models.CharField(max_length=1000, blank=True, help_text="content warning")
    sensitive = models.BooleanField(default=False)
    language = models.CharField(max_length=16, blank=True)

    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_uri = models.URLField(max_length=500, blank=True)
    boost_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="boosts")
    mentions = models.ManyToManyField("actors.Actor", blank=True, related_name="mentioned_in")
    tags = models.ManyToManyField("posts.Tag", blank=True, related_name="posts")
    extra = models.JSONField(default=dict, blank=True, help_text="type-specific fields (Event timezone, location…)")
    # an Event's times, as columns so that "upcoming" and "past" are index ranges on both back-ends
    starts_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    published = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # changes on every save: rendered copies of the post (client API caches) are keyed on it
    updated_at = models.DateTimeField(auto_now=True)
    hidden_from_feed = models.BooleanField(default=False, help_text="staff moderation of the community feed")

    class Meta:
        indexes = [
            models.Index(fields=["author", "-published"]),
            models.Index(fields=["visibility", "-published"]),
            # events by start: without it the upcoming events (the home page) read every public post
            models.Index(fields=["type", "starts_at", "id"], name="posts_post_type_starts"),
            # replies by their parent's URI, which each new remote post looks for (replies that came first): without
            # it, a read of every post that is not a reply, once per received batch. Not narrowed to replies
            # without a parent: SQLite's planner (no statistics) then took in_reply_to_id's index for `IS NULL`
            # whenever the batch held more than a few posts.
            models.Index(fields=["in_reply_to_uri"], condition=REPLIES, name="posts_post_replies_by_parent"),
        ]
        ordering = ["-published", "-id"]

    def __str__(self) -> str:
        return self.uri

    @property
    def is_public(self) -> bool:
        return self.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
