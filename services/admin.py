"""Service work in the admin: scoped like the staff site (outside the scope a row does not exist). Activities,
participations and hours are written on the staff pages through their actions, so the admin only shows them;
activity categories are reference data kept by 组织部."""

from django.contrib import admin

import services.models.community as pairing_models
import services.selectors.pairing as pairing_selectors
from branches.admin import ReadOnlyScopedAdmin
from services import actions
from services.actions.demands import demand_category_save
from services.models import Activity, ActivityCategory, Demand, DemandCategory, HoursEntry, Participation
from services.models.community import Pledge, Post
from volunteers.admin import ManagersMayView, OrgDepartmentReferenceAdmin


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(OrgDepartmentReferenceAdmin):
    list_display = ["name", "code", "order", "is_active"]
    fields = ["name", "code", "order", "is_active"]

    def save_through_action(self, request, obj, form, change) -> None:
        actions.activity_category_save(actor=request.user, category=obj, changed=form.changed_data)


@admin.register(Activity)
class ActivityAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    list_display = ["title", "organisation", "team", "category", "starts_at", "state"]
    list_filter = ["state", "category"]
    search_fields = ["title"]
    list_select_related = ["organisation", "team", "category"]
    date_hierarchy = "starts_at"


@admin.register(Participation)
class ParticipationAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "activity__organisation__"
    list_display = ["person", "activity", "role", "state", "walk_in"]
    list_filter = ["state", "role"]
    search_fields = ["person__name", "activity__title"]
    list_select_related = ["person", "activity"]


@admin.register(HoursEntry)
class HoursEntryAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "participation__activity__organisation__"
    list_display = ["participation", "hours", "state", "corrects", "approved_by", "approved_at"]
    list_filter = ["state"]
    list_select_related = ["participation__person", "participation__activity", "approved_by", "corrects"]


@admin.register(DemandCategory)
class DemandCategoryAdmin(OrgDepartmentReferenceAdmin):
    list_display = ["name", "code", "deadline_working_days", "skill", "order"]
    fields = ["name", "code", "deadline_working_days", "skill", "order"]
    list_select_related = ["skill"]

    def save_through_action(self, request, obj, form, change) -> None:
        demand_category_save(actor=request.user, category=obj, changed=form.changed_data)


@admin.register(Demand)
class DemandAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    """Demands are received, assigned, done and called back on the staff pages; the admin only shows them."""

    list_display = ["pk", "organisation", "category", "channel", "received_on", "deadline", "state"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["content"]
    list_select_related = ["organisation", "category"]
    date_hierarchy = "received_on"


@admin.register(Pledge)
class PledgeAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "organisation__"
    list_display = ["title", "year", "organisation", "person", "result", "is_withdrawn"]
    list_filter = ["year", "result", "is_withdrawn"]
    search_fields = ["title", "person__name"]
    list_select_related = ["organisation", "person"]


@admin.register(Post)
class PostAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "organisation__"
    list_display = ["title", "kind", "organisation", "person", "last_checked_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "person__name"]
    list_select_related = ["organisation", "person"]


# Pairing help: shown, never changed here (households, pairings and visits are written on the staff pages). The
# household's name and address are masked for everyone in the admin: the pairing pages show them in full to those
# with the right (the helper, the household's own branch committee).


@admin.register(pairing_models.Household)
class HouseholdAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    list_display = ["pk", "masked_name", "masked_address", "situation", "size", "organisation"]
    list_filter = ["situation"]
    list_select_related = ["organisation"]
    fields = ["organisation", "grid", "masked_name", "masked_address", "situation", "size"]
    readonly_fields = ["masked_name", "masked_address"]

    @admin.display(description="户主")
    def masked_name(self, obj: pairing_models.Household) -> str:
        return pairing_selectors.mask_name(obj.head_name)

    @admin.display(description="住址")
    def masked_address(self, obj: pairing_models.Household) -> str:
        return pairing_selectors.mask_address(obj.address)


@admin.register(pairing_models.Pairing)
class PairingAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    list_display = ["pk", "helper", "household", "masked_household_name", "organisation", "started_on", "ended_on"]
    list_filter = ["ended_on"]
    search_fields = ["helper__name"]
    list_select_related = ["helper", "household", "organisation"]
    fields = ["helper", "household", "organisation", "started_on", "ended_on", "content", "help_plan"]

    @admin.display(description="户主")
    def masked_household_name(self, obj: pairing_models.Pairing) -> str:
        return pairing_selectors.mask_name(obj.household.head_name)


@admin.register(pairing_models.PairingVisit)
class PairingVisitAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "pairing__organisation__"
    list_display = ["pk", "pairing", "date", "recorded_by"]
    list_select_related = ["pairing__helper", "pairing__household", "recorded_by"]
    date_hierarchy = "date"
    fields = ["pairing", "date", "notes", "recorded_by"]
