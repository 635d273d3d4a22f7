from django import forms
from django.contrib import admin

from northstar.notifications.models import (
    WEBHOOK_KINDS,
    Delivery,
    Preference,
    RoundSent,
    WebhookTarget,
)


class WebhookTargetForm(forms.ModelForm):
    # Checkboxes rather than raw JSON: only the kinds a shared channel may receive.
    kinds = forms.MultipleChoiceField(
        choices=[(kind.value, kind.label) for kind in WEBHOOK_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookTarget
        fields = ["name", "url", "format", "kinds", "secret", "active"]


@admin.register(WebhookTarget)
class WebhookTargetAdmin(admin.ModelAdmin):
    form = WebhookTargetForm
    list_display = ["name", "format", "url", "kinds", "active"]
    list_filter = ["format", "active"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
    raw_id_fields = ["person"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: shown, never written by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created", "kind", "channel", "addressee", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["recipient", "target"]
    search_fields = ["recipient__email", "target__name", "last_error"]


@admin.register(RoundSent)
class RoundSentAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "person"]
    list_filter = ["kind", "day"]
