"""Teams in the admin: scoped like the staff site (outside the scope a row does not exist), written through
the same actions. Memberships, proposals and skills held are written on the team pages only (read-only here).

Admin permissions: secretaries' group carries only the branches models, so these admins grant viewing to any
staff user who manages an organisation (the queryset narrows it to their subtree) instead of model permissions.
"""

from django import forms
from django.contrib import admin

from branches.admin import ReadOnlyScopedAdmin, ScopedAdmin
from branches.selectors import scope_for
from volunteers import actions, selectors
from volunteers.models import ReviewProposal, Skill, StarLevel, Team, TeamMembership


class ManagersMayView:
    """Staff who manage an organisation see these rows (scoped by the queryset); 组织部 as superuser anyway."""

    def has_module_permission(self, request) -> bool:
        return scope_for(request.user).manages_anything

    def has_view_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).manages_anything


class OrgDepartmentReferenceAdmin(ManagersMayView, ScopedAdmin):
    """Reference data without an organisation: every manager reads it, only 组织部 changes it (through an
    action; a refusal comes back as a message, as in every scoped admin)."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)  # not owned by an organisation: nothing to narrow

    def has_add_permission(self, request) -> bool:
        return scope_for(request.user).everything

    def has_change_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).everything

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TeamAdminForm(forms.ModelForm):
    parent = forms.ModelChoiceField(label="上级服务队", queryset=Team.objects.none(), required=False)

    class Meta:
        model = Team
        fields = ["name", "level", "organisation", "description"]


@admin.register(Team)
class TeamAdmin(ManagersMayView, ScopedAdmin):
    form = TeamAdminForm
    list_display = ["indented_name", "level", "organisation", "is_archived"]
    list_filter = ["level", "is_archived"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    ordering = ["path"]

    @admin.display(description="名称")
    def indented_name(self, obj: Team) -> str:
        return "　" * (obj.depth - 1) + obj.name

    def has_add_permission(self, request) -> bool:
        return scope_for(request.user).manages_anything

    def has_change_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).manages_anything

    def get_readonly_fields(self, request, obj=None):
        # level, organisation and place in the tree are fixed once created (the action has no move)
        return ["level", "organisation"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "parent" in form.base_fields:
            form.base_fields["parent"].queryset = selectors.team_choices_for_user(user=request.user)
        return form

    def get_fields(self, request, obj=None):
        fields = ["name", "level", "organisation", "description"]
        return fields if obj is not None else [*fields, "parent"]

    def save_through_action(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            actions.team_update(
                actor=request.user, team=Team.objects.get(pk=obj.pk), name=data["name"], description=data["description"]
            )
            return
        created = actions.team_create(
            actor=request.user,
            name=data["name"],
            level=data["level"],
            organisation=data["organisation"],
            parent=data.get("parent"),
            description=data["description"],
        )
        obj.pk = created.pk


@admin.register(TeamMembership)
class TeamMembershipAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "team__organisation__"
    list_display = ["person", "team", "role", "state", "joined_on", "left_on", "leave_reason"]
    list_filter = ["state", "role", "leave_reason"]
    search_fields = ["person__name", "team__name"]
    list_select_related = ["person", "team"]


@admin.register(ReviewProposal)
class ReviewProposalAdmin(ManagersMayView, ReadOnlyScopedAdmin):
    scope_field = "team__organisation__"
    list_display = ["year", "team", "membership", "kind", "reason", "state", "decided_by", "decided_at"]
    list_filter = ["year", "kind", "reason", "state"]
    list_select_related = ["team", "membership__person", "decided_by"]


@admin.register(Skill)
class SkillAdmin(OrgDepartmentReferenceAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    fields = ["name"]

    def save_through_action(self, request, obj, form, change) -> None:
        skill = Skill.objects.get(pk=obj.pk) if change else Skill()
        saved = actions.skill_save(actor=request.user, skill=skill, name=form.cleaned_data["name"])
        obj.pk = saved.pk


@admin.register(StarLevel)
class StarLevelAdmin(OrgDepartmentReferenceAdmin):
    """One threshold at a time, through star_levels_update (which checks 1–5 stars, positive, increasing)."""

    list_display = ["stars", "min_hours"]
    fields = ["stars", "min_hours"]
    readonly_fields = ["stars"]

    def has_add_permission(self, request) -> bool:
        return False  # the five levels exist (data migration); only their hours change

    def save_through_action(self, request, obj, form, change) -> None:
        hours = {level.stars: level.min_hours for level in StarLevel.objects.all()}
        hours[obj.stars] = form.cleaned_data["min_hours"]
        actions.star_levels_update(actor=request.user, hours_by_stars=hours)
