"""Staff tools in the Django admin: blocking servers."""

from django.contrib import admin

from .models import Domain, DomainSeverity
from .services.domains import domain_block, domain_unblock


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
