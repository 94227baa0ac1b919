"""A poll (a Question) and the votes cast on it."""

from django.db import models
from django.utils import timezone


class Poll(models.Model):
    """The answers of a Question post and their counts. A local poll's counts are its votes; a remote poll's are
    what its server last sent (plus our members' own votes until it sends again)."""

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, primary_key=True, related_name="poll")
    # [{"title": str, "votes": int}, …] in the author's order
    options = models.JSONField(default=list)
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    voters_count = models.PositiveIntegerField(null=True, blank=True)
    # local polls: when the changed counts go out as an Update (votes arriving within the delay share one), and
    # whether the Update that closes the poll went out
    federate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closing_sent = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"poll of {self.post_id}"

    @property
    def votes_count(self) -> int:
        return sum(int(option.get("votes") or 0) for option in self.options)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def totals_shown(self) -> bool:
        return not self.hide_totals or self.expired

    def results(self) -> list[dict]:
        """Each option with its votes and share in whole percent (of the voters in a multiple-choice poll, as
        Mastodon counts), for the website."""
        total = (self.voters_count or 0) if self.multiple else self.votes_count
        return [
            {"title": o["title"], "votes": int(o.get("votes") or 0),
             "percent": round(100 * int(o.get("votes") or 0) / total) if total else 0}
            for o in self.options
        ]


class PollVote(models.Model):
    """One choice of one voter: a multiple-choice vote is several rows. `uri` is the vote's Note id."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes", db_index=False)
    voter = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="poll_votes")
    choice = models.PositiveSmallIntegerField()
    uri = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter", "choice"], name="poll_vote_once")]
