"""Service work in the admin: scoped like the staff site (outside the scope a row does not exist). Activities,
participations and hours are written on the staff pages through their actions, so the admin only shows them;
activity categories are reference data kept by 组织部."""

from django.contrib import admin

from branches.admin import ReadOnlyScopedAdmin
from services import actions
from services.models import Activity, ActivityCategory, HoursEntry, Participation
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
