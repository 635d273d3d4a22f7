from django.contrib import admin

from northstar.okrs.models import CheckIn, Cycle, Initiative, KeyResult, Objective


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "start", "end", "parent"]


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    fields = ["title", "owner", "kind", "start", "target", "unit", "weight", "state"]
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "level", "owner", "state", "progress"]
    list_filter = ["cycle", "level", "state"]
    search_fields = ["title", "external_ref"]
    raw_id_fields = ["owner", "parent_objective", "parent_key_result"]
    inlines = [KeyResultInline]


@admin.register(KeyResult)
class KeyResultAdmin(admin.ModelAdmin):
    list_display = ["title", "objective", "kind", "progress", "needs_review"]
    list_filter = ["kind", "needs_review"]
    search_fields = ["title", "external_ref"]
    raw_id_fields = ["objective", "owner", "current_check_in"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Check-ins are append-only: the admin can read them, not change or delete them."""

    list_display = ["key_result", "measured_on", "value", "level", "done", "confidence"]
    raw_id_fields = ["key_result", "author"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "key_result", "owner", "status"]
    raw_id_fields = ["key_result", "owner"]
