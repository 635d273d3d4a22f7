from django.contrib import admin

from northstar.people.models import Organisation, Person, Unit


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "fiscal_year_start_month", "check_in_cadence_days"]

    def has_add_permission(self, request) -> bool:
        # One database holds one organisation.
        return not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["leads"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "unit", "manager", "is_active"]
    list_filter = ["is_active", "unit"]
    search_fields = ["name", "email"]
    raw_id_fields = ["manager", "user"]
