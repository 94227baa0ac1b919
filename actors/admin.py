"""Staff tools in the Django admin: reports about accounts, resolved one by one or in bulk."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Report, ReportState
from .services.reports import report_resolve


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["target", "reporter", "origin_domain", "category", "forwarded", "state", "created_at"]
    list_filter = ["state", "category", "forwarded"]
    search_fields = ["target__username", "target__domain", "reporter__username", "origin_domain", "comment"]
    readonly_fields = [
        "reporter", "origin_domain", "target", "posts", "comment", "category", "forwarded", "uri", "state",
        "resolved_by", "resolved_at", "created_at",
    ]
    actions = ["resolve"]

    def has_add_permission(self, request) -> bool:
        return False  # reports come from members and other servers, never from the admin

    @admin.action(description=_("Ausgewählte Meldungen als erledigt markieren"))
    def resolve(self, request, queryset):
        for report in queryset.filter(state=ReportState.OPEN):
            report_resolve(report=report, by=request.user)
