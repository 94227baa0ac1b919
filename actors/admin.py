"""Staff tools in the Django admin: reports about accounts, suspending accounts (as actions), blocking servers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Actor, Domain, DomainSeverity, Report, ReportState
from .services.domains import domain_block, domain_unblock
from .services.reports import report_resolve
from .services.suspension import actor_suspend, actor_unsuspend


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["handle", "display_name", "type", "local", "suspended", "suspended_at"]
    list_filter = ["local", "suspended", "type"]
    search_fields = ["username", "domain", "display_name", "uri"]
    # Staff look and decide here; what an account says about itself is edited by its owner or comes from its server.
    readonly_fields = ["uri", "username", "domain", "type", "display_name", "summary", "local", "suspended",
                       "suspended_at", "suspended_by", "deleted", "created_at"]
    fields = tuple(readonly_fields)
    actions = ["suspend", "unsuspend"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Ausgewählte Konten sperren"))
    def suspend(self, request, queryset):
        done = [actor_suspend(actor=actor, by=request.user).handle for actor in queryset.filter(suspended=False)]
        self.message_user(request, _("Gesperrt: %(handles)s") % {"handles": ", ".join(done) or "–"})

    @admin.action(description=_("Sperre der ausgewählten Konten aufheben"))
    def unsuspend(self, request, queryset):
        done = [actor_unsuspend(actor=actor, by=request.user).handle for actor in queryset.filter(suspended=True)]
        self.message_user(request, _("Entsperrt: %(handles)s") % {"handles": ", ".join(done) or "–"})


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "severity", "reject_media", "signature_scheme", "unreachable_since"]
    list_filter = ["severity", "reject_media"]
    search_fields = ["name"]
    fields = ["name", "severity", "reject_media"]

    def get_queryset(self, request):
        # every server we ever delivered to has a row: those staff restricted come first
        return super().get_queryset(request).order_by("-severity", "name")  # suspend, silence, noop

    def get_readonly_fields(self, request, obj=None):
        return ["name"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # through the services: they refresh the caches, stop queued deliveries and drop media
        if obj.severity != DomainSeverity.NOOP or obj.reject_media:
            obj.pk = domain_block(name=obj.name, severity=obj.severity, reject_media=obj.reject_media).pk
        elif change:
            domain_unblock(name=obj.name)
        else:
            obj.save()


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
