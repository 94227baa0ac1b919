"""Staff tools in the Django admin: member profiles, applications (approve/reject as actions), campaigns."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .forms import https_urls
from .models import (
    ApplicationState,
    Campaign,
    ContactMessage,
    FeedEntry,
    MemberFeed,
    MemberProfile,
    MembershipApplication,
    ScoutGroup,
    ScoutProfile,
    SitePage,
)
from .services.member_feeds import feed_confirm, feed_entry_hide
from .services.membership import MembershipError, application_approve, application_reject
from .services.profiles import profile_save
from .services.scout_groups import GroupError, rhythm_check
from .services.scouts import scout_save


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ["actor", "city", "state", "listed"]
    list_filter = ["state", "listed", "fields_of_work"]
    search_fields = ["search_text", "actor__username"]
    raw_id_fields = ["actor"]
    filter_horizontal = ["fields_of_work"]

    def save_model(self, request, obj, form, change):
        profile_save(profile=obj)  # keeps the directory's search text in step


class FeedEntryInline(admin.TabularInline):
    model = FeedEntry
    fields = ("title", "link", "post", "hidden", "created_at")
    readonly_fields = ("title", "link", "post", "hidden", "created_at")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MemberFeed)
class MemberFeedAdmin(admin.ModelAdmin):
    """Members' website feeds: staff confirm a feed as the organisation's own (when its website cannot link back)."""

    list_display = ["url", "profile", "verified", "enabled", "daily_limit", "gone", "last_polled_at", "failures"]
    list_editable = ["daily_limit"]
    list_filter = ["verified", "enabled", "gone"]
    search_fields = ["url", "profile__actor__username"]
    raw_id_fields = ["profile"]
    readonly_fields = ["etag", "last_modified", "last_polled_at", "failures", "error_said", "created_at"]
    exclude = ["last_error"]  # shown as said in the staff member's language (error_said)
    inlines = [FeedEntryInline]
    actions = ["confirm"]

    @admin.action(description=_("Ausgewählte Feeds als Feeds der Organisation bestätigen"))
    def confirm(self, request, queryset):
        for feed in queryset:
            feed_confirm(feed=feed)


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "feed", "post", "hidden", "created_at"]
    list_filter = ["hidden"]
    raw_id_fields = ["feed", "post"]
    actions = ["hide"]

    @admin.action(description=_("Ausgewählte Einträge ausblenden (ihr Beitrag wird gelöscht)"))
    def hide(self, request, queryset):
        for entry in queryset.filter(hidden=False):
            feed_entry_hide(entry=entry)


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation_name", "username", "email", "city", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["organisation_name", "username", "email"]
    readonly_fields = ["status", "decided_by", "decided_at", "actor"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Ausgewählte Anträge annehmen"))
    def approve(self, request, queryset):
        for application in queryset.filter(status=ApplicationState.PENDING):
            try:
                application_approve(application=application, staff_user=request.user)
            except MembershipError as error:
                self.message_user(request, f"{application}: {error}", messages.ERROR)

    @admin.action(description=_("Ausgewählte Anträge ablehnen"))
    def reject(self, request, queryset):
        for application in queryset.filter(status=ApplicationState.PENDING):
            application_reject(application=application, staff_user=request.user)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "hashtag", "starts_on", "ends_on"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ScoutProfile)
class ScoutProfileAdmin(admin.ModelAdmin):
    list_display = ["actor", "organisation", "listed", "created_at"]
    list_filter = ["listed"]
    search_fields = ["search_text", "actor__username"]
    raw_id_fields = ["actor", "organisation"]

    def save_model(self, request, obj, form, change):
        scout_save(scout=obj)  # keeps the search columns in step


class ScoutGroupForm(forms.ModelForm):
    class Meta:
        model = ScoutGroup
        fields = "__all__"
        formfield_callback = https_urls

    def clean(self):
        super().clean()
        data = self.cleaned_data
        try:
            rhythm_check(weekday=data.get("meeting_weekday"), at=data.get("meeting_time"),
                         minutes=data.get("meeting_minutes") or 0)
        except GroupError as error:
            raise forms.ValidationError(str(error)) from None
        return data


@admin.register(ScoutGroup)
class ScoutGroupAdmin(admin.ModelAdmin):
    form = ScoutGroupForm
    list_display = ["actor", "topic", "meeting_weekday", "meeting_time"]
    raw_id_fields = ["actor"]
    filter_horizontal = ["moderators"]


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    """Impressum, Datenschutzerklärung and Erklärung zur Barrierefreiheit: staff keep them current here."""

    list_display = ["title", "slug", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name", "email", "handled"]
    list_filter = ["handled"]
    search_fields = ["name", "email", "message"]
    readonly_fields = ["name", "email", "message", "language", "created_at"]
