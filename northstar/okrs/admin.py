from django.contrib import admin

from northstar.okrs import actions
from northstar.okrs.access import person_for
from northstar.okrs.models import CheckIn, Cycle, Initiative, KeyResult, Objective

# Saves go through okrs.actions, as from every other door, so that the roll-ups stay right
# and the audit trail records who changed what.

# Figures the actions derive from check-ins and alignment. Shown, never typed: a current
# check-in picked by hand could be another key result's (wrong figures) or a milestone's
# (a crash), and a typed progress would be overwritten by the next roll-up anyway.
DERIVED_OBJECTIVE_FIELDS = ["level", "progress", "last_check_in_on"]
DERIVED_KEY_RESULT_FIELDS = ["current_check_in", "progress", "progress_raw", "last_check_in_on"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "start", "end", "parent"]

    def save_model(self, request, obj, form, change) -> None:
        actions.save_cycle(obj, actor=person_for(request.user))


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
    readonly_fields = DERIVED_OBJECTIVE_FIELDS
    inlines = [KeyResultInline]

    def save_model(self, request, obj, form, change) -> None:
        actions.save_objective(obj, actor=person_for(request.user))

    def save_formset(self, request, form, formset, change) -> None:
        for key_result in formset.save(commit=False):
            actions.save_key_result(key_result, actor=person_for(request.user))
        for key_result in formset.deleted_objects:
            key_result.delete()
        formset.save_m2m()


@admin.register(KeyResult)
class KeyResultAdmin(admin.ModelAdmin):
    list_display = ["title", "objective", "kind", "progress", "needs_review"]
    list_filter = ["kind", "needs_review"]
    search_fields = ["title", "external_ref"]
    raw_id_fields = ["objective", "owner", "contributors"]
    readonly_fields = DERIVED_KEY_RESULT_FIELDS

    def save_model(self, request, obj, form, change) -> None:
        actions.save_key_result(obj, actor=person_for(request.user))

    def save_related(self, request, form, formsets, change) -> None:
        contributors = form.cleaned_data.pop("contributors", None)
        super().save_related(request, form, formsets, change)
        if contributors is not None:
            actions.set_contributors(
                form.instance, list(contributors), actor=person_for(request.user)
            )


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
