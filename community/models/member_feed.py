"""A member organisation's own website feed (RSS, Atom or JSON Feed) and the entries it brought in as posts."""

from django.db import models

from fediverse_node.errors import error_said


class FeedVerification(models.TextChoices):
    NONE = "", "not verified"
    REL_ME = "rel_me", 'the website links back with rel="me"'
    STAFF = "staff", "confirmed by staff"


class MemberFeed(models.Model):
    """One feed of a member's website. Polled only when verified and switched on; each new entry becomes a post by
    the organisation's actor (community/services/member_feeds.py)."""

    profile = models.ForeignKey("community.MemberProfile", on_delete=models.CASCADE, related_name="feeds", db_index=False)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=200, blank=True)
    site_url = models.URLField(max_length=500, blank=True, help_text="the website the feed names as its own")
    verified = models.CharField(max_length=10, choices=FeedVerification.choices, default="", blank=True)
    enabled = models.BooleanField(default=True, help_text="switched off by the organisation: not polled")
    daily_limit = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="at most this many posts from this feed in 24 hours (set by staff); empty: the node's default, "
        "FEDINODE_MEMBER_FEED_DAILY_LIMIT",
    )
    # conditional GET: the validators of the last answer
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="failed polls in a row (the back-off grows with it)")
    gone = models.BooleanField(default=False, help_text="the website answered 410 Gone: no longer polled")
    # why the last poll or check failed, as fediverse_node.errors.error_record stores it (said by error_said)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "url"], name="member_feed_unique_url")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_verified(self) -> bool:
        return bool(self.verified)

    @property
    def error_said(self) -> str:
        """Why the last poll or check failed, in the active language."""
        return error_said(self.last_error)


class FeedEntry(models.Model):
    """One entry of a feed, keyed by its id (guid) so that no restart posts it twice; `digest` is what was posted
    (a changed entry is sent as an Update), `hidden` an entry the organisation took off (never posted again)."""

    feed = models.ForeignKey(MemberFeed, on_delete=models.CASCADE, related_name="entries", db_index=False)
    key = models.CharField(max_length=64, help_text="SHA-256 of the entry's id in its feed")
    post = models.OneToOneField(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_entry"
    )
    link = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)
    digest = models.CharField(max_length=64, blank=True)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feed_entry_unique_key")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.link or self.key
