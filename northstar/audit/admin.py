from django.contrib import admin

from northstar.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Readable by admins; nobody can add, change or delete rows here."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
