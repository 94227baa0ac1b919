"""The Report entity a member gets back after reporting an account."""

from actors.models import Report, ReportState

from .accounts import account_entity
from .common import timestamp


def report_entity(report: Report) -> dict:
    status_ids = [str(i) for i in report.posts.order_by("id").values_list("id", flat=True)]
    return {
        "id": str(report.id),
        "action_taken": report.state == ReportState.RESOLVED,
        "action_taken_at": timestamp(report.resolved_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": timestamp(report.created_at),
        "status_ids": status_ids or None,
        "rule_ids": None,  # this server has no instance rules to cite
        "target_account": account_entity(report.target),
    }
