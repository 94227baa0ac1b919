"""Reports: a member tells staff about an account and, if it lives elsewhere, may tell its server too."""

from django.http import HttpRequest

from actors.models import Report, ReportCategory
from actors.services.reports import ReportError, report_create
from posts.models import Post
from posts.selectors import visible_to

from ..entities.reports import report_entity
from ..http import USER, ApiError, endpoint
from .accounts import actor_by_id


@endpoint(auth=USER, scope="write:reports")
def report_post(request: HttpRequest, caller, params) -> dict:
    account_id = params.str("account_id")
    if not account_id:
        raise ApiError(422, "Validation failed: account_id is missing")
    target = actor_by_id(account_id)
    status_ids = {str(i) for i in params.list("status_ids") if str(i)}
    found = visible_to(Post.objects.filter(id__in=[i for i in status_ids if i.isdigit()]), caller.actor)
    posts = list(found)
    if len(posts) != len(status_ids):
        # an unknown status and one the caller may not see answer alike: the answer must not reveal it exists
        raise ApiError(404, "Record not found: a status in status_ids is unknown")
    # rule_ids[] is accepted and ignored: this server has no instance rules yet.
    try:
        report = report_create(
            reporter=caller.actor, target=target, posts=posts, comment=params.str("comment"),
            category=params.str("category") or ReportCategory.OTHER, forward=params.bool("forward"),
        )
    except ReportError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return report_entity(Report.objects.select_related("target").get(id=report.id))
