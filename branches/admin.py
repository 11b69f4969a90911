"""The Django admin obeys the same scope as the staff site, and writes through the same actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path

from branches import actions, selectors
from branches.forms import PersonChoiceField, person_choice_label
from branches.models import (
    CalendarDay,
    Grid,
    HostUnit,
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    RoleAssignment,
    RuleSettings,
    StatusStep,
)


class ScopedAdmin(admin.ModelAdmin):
    """Base for every admin of domain rows: scoped queryset, 404 outside scope, no hard delete.

    `scope_field` is the path from the model to its organisation ("" for Organisation itself).
    """

    scope_field = "organisation__"

    def get_queryset(self, request):
        scope = selectors.scope_for(request.user)
        return super().get_queryset(request).filter(scope.organisation_q(self.scope_field))

    def _object_or_404(self, request, object_id):
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404("记录不存在。")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError:
            # An action refused (save_model put its Chinese message up); the admin's transaction rolled back.
            # Back to the form with the message instead of a server error.
            return HttpResponseRedirect(request.get_full_path())

    def history_view(self, request, object_id, extra_context=None):
        self._object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing a user made is hard-deleted: states (archived, ended) instead

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation:
            kwargs["queryset"] = selectors.organisation_choices_for_user(user=request.user)
        elif db_field.related_model in (Grid, HostUnit):
            # As on the staff site: grids and hosts served by an organisation in scope, or by none yet.
            in_scope = selectors.organisation_list_for_user(user=request.user)
            kwargs["queryset"] = db_field.related_model.objects.filter(
                Q(organisation__in=in_scope) | Q(organisation__isnull=True)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            self.save_through_action(request, obj, form, change)
        except ValidationError as error:
            # The admin has no hook to re-show the form at this point; the transaction rolled back.
            messages.error(request, "；".join(error.messages))
            raise

    def save_through_action(self, request, obj, form, change) -> None:
        raise NotImplementedError


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Rows written only by their own actions on the staff site; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrganisationAdminForm(forms.ModelForm):
    parent = forms.ModelChoiceField(label="上级党组织", queryset=Organisation.objects.none(), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "code", "founded_on", "phone", "address", "is_archived"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    scope_field = ""
    form = OrganisationAdminForm
    list_display = ["indented_name", "kind", "code", "is_archived"]
    list_filter = ["kind", "is_archived"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    @admin.display(description="名称")
    def indented_name(self, obj: Organisation) -> str:
        return "　" * (obj.depth - 1) + obj.name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["parent"].queryset = selectors.organisation_choices_for_user(user=request.user)
        if obj is not None:
            form.base_fields["parent"].initial = Organisation.objects.get_parent(obj)
        return form

    def save_through_action(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in OrganisationAdminForm.Meta.fields}
        parent = form.cleaned_data.get("parent")
        if not change:
            created = actions.organisation_create(actor=request.user, parent=parent, **data)
            obj.pk = created.pk
            return
        current = Organisation.objects.get(pk=obj.pk)
        actions.organisation_update(actor=request.user, organisation=current, **data)
        if parent is not None and parent != Organisation.objects.get_parent(current):
            actions.organisation_move(actor=request.user, organisation=current, new_parent=parent)


class PersonAutocompleteView(AutocompleteJsonView):
    """The admin's search for a person (e.g. a host's 党建指导员) answers with person_choice_label, so namesakes
    can be told apart; the organisation comes in the same query. Scope and permission as PersonAdmin's."""

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": person_choice_label(obj)}


class PersonAutocompleteSelect(AutocompleteSelect):
    url_name = "%s:branches_person_autocomplete"


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """People. Rosters are imported on the staff site (导入数据 → 人员名册), the one import pipeline."""

    list_display = ["name", "gender", "political_status", "organisation", "phone_masked", "is_active_member"]
    list_filter = ["political_status", "is_active_member", "gender"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    fields = ["name", "gender", "birth_date", "phone", "education", "organisation", "host", "grid"]
    readonly_fields: list[str] = []
    # The login account: 组织部 link one here (the accounts admin, and with it the autocomplete, is theirs);
    # secretaries link or open accounts on the person's page.
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "user"] if selectors.scope_for(request.user).everything else self.fields

    def get_urls(self):
        search = self.admin_site.admin_view(PersonAutocompleteView.as_view(admin_site=self.admin_site))
        return [path("autocomplete/", search, name="branches_person_autocomplete"), *super().get_urls()]

    def save_through_action(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            person = actions.person_update(actor=request.user, person=Person.objects.get(pk=obj.pk), **data)
        else:
            person = actions.person_create(actor=request.user, **data)
            obj.pk = person.pk
        if "user" in form.cleaned_data and form.cleaned_data["user"] != person.user:
            actions.person_account_link(actor=request.user, person=person, user=form.cleaned_data["user"])


@admin.register(StatusStep)
class StatusStepAdmin(ReadOnlyScopedAdmin):
    scope_field = "person__organisation__"
    list_display = ["person", "status", "date", "publicity_start", "publicity_end"]
    list_select_related = ["person"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["person", "kind", "organisation", "date"]
    list_filter = ["kind"]
    list_select_related = ["person", "organisation"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["person", "role", "organisation", "start_date", "end_date"]
    list_filter = ["role"]
    list_select_related = ["person", "organisation"]


@admin.register(MobileMember)
class MobileMemberAdmin(ReadOnlyScopedAdmin):
    scope_field = "person__organisation__"
    list_display = ["person", "destination", "leave_date", "returned_on"]
    list_select_related = ["person"]


@admin.register(MobileReport)
class MobileReportAdmin(ReadOnlyScopedAdmin):
    scope_field = "mobile_member__person__organisation__"
    list_display = ["mobile_member", "kind", "date"]
    list_select_related = ["mobile_member__person"]


class OrgDepartmentOnlyAdmin(ScopedAdmin):
    """Reference rows kept by 组织部; others see those within their subtree but only 组织部 edits them."""

    def has_add_permission(self, request) -> bool:
        return selectors.scope_for(request.user).everything and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return selectors.scope_for(request.user).everything and super().has_change_permission(request, obj)

    def save_through_action(self, request, obj, form, change) -> None:
        actions.reference_row_save(actor=request.user, instance=obj, changed=form.changed_data)


class HostSubtreeFilter(admin.SimpleListFilter):
    """Hosts whose organisation lies in a subtree (the dashboards' coverage figures link here with ?subtree=)."""

    title = "所属党组织（含下级）"
    parameter_name = "subtree"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in selectors.organisation_list_for_user(user=request.user).values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        organisation = selectors.organisation_list_for_user(user=request.user).filter(pk=int(self.value())).first()
        if organisation is None:
            return queryset.none()
        return queryset.filter(organisation__path__startswith=organisation.path)


class HostCoveredFilter(admin.SimpleListFilter):
    """Covered by any of the four formation modes, or not (DOMAIN §2: coverage = covered hosts / all hosts)."""

    title = "是否覆盖"
    parameter_name = "covered"

    def lookups(self, request, model_admin):
        return [("1", "已覆盖"), ("0", "未覆盖")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.exclude(formation=HostUnit.Formation.NONE)
        if self.value() == "0":
            return queryset.filter(formation=HostUnit.Formation.NONE)
        return queryset


class HostUnitAdminForm(forms.ModelForm):
    class Meta:
        model = HostUnit
        fields = [
            "name",
            "sector",
            "formation",
            "organisation",
            "instructor",
            "grid",
            "staff_count",
            "has_trade_union",
            "has_youth_league",
            "has_womens_federation",
        ]

    def _post_clean(self):
        super()._post_clean()  # the instance now carries the form's values: check the coverage rules on it
        for name, problems in actions.host_unit_problems(self.instance).items():
            for message in problems:
                self.add_error(name if name in self.fields else None, message)


@admin.register(HostUnit)
class HostUnitAdmin(OrgDepartmentOnlyAdmin):
    form = HostUnitAdminForm
    list_display = ["name", "sector", "formation", "organisation", "staff_count"]
    list_filter = ["sector", "formation", HostCoveredFilter, HostSubtreeFilter]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["instructor"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "instructor":  # the search and the chosen person both labelled to tell namesakes apart
            kwargs["widget"] = PersonAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs["form_class"] = PersonChoiceField
            kwargs["queryset"] = selectors.person_list_for_user(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Grid)
class GridAdmin(OrgDepartmentOnlyAdmin):
    list_display = ["name", "level", "parent", "organisation"]
    list_filter = ["level"]
    search_fields = ["name"]
    list_select_related = ["parent", "organisation"]

    def get_queryset(self, request):
        # Grids without a serving organisation are the gaps 组织部 must see; they belong to nobody's subtree.
        queryset = admin.ModelAdmin.get_queryset(self, request)
        scope = selectors.scope_for(request.user)
        return queryset if scope.everything else queryset.filter(scope.organisation_q("organisation__"))


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def has_module_permission(self, request) -> bool:
        return selectors.scope_for(request.user).everything

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)  # a calendar entry made in error may be removed

    def save_model(self, request, obj, form, change) -> None:
        actions.reference_row_save(actor=request.user, instance=obj, changed=form.changed_data)


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mobile_report_interval_months", "mobile_report_grace_days"]

    def has_module_permission(self, request) -> bool:
        return selectors.scope_for(request.user).everything

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request) and not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        actions.rule_settings_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
        )
