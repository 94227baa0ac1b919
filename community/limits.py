"""How long free text may be on the website, wherever it comes in (forms, services, remote input): one 240 KB
application once made the moderation page unusable."""

DESCRIPTION = 5_000  # an organisation's description (profile, application)
MESSAGE = 5_000  # an applicant's message to staff, a rejection's reason
LINKS = 5_000  # the text of a links field (one address per line)
TAGS = 1_000  # the text of a tags field
SHOWN = 2_000  # what the moderation page shows of one text (older rows may be longer)


class TextTooLong(ValueError):
    """Input that did not come through a form and is longer than its limit."""


def text_limits_check(**texts: tuple[str, int]) -> None:
    """Raise TextTooLong naming the first text longer than its limit: name=(text, limit)."""
    for name, (text, limit) in texts.items():
        if len(text or "") > limit:
            raise TextTooLong(f"{name} has at most {limit} characters.")
