"""Forms validate and convert; the actions persist. Choices of organisations are limited to the user's scope."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import (
    Grid,
    HostUnit,
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    Role,
)
from branches.resources import roster_upload_read
from branches.selectors import (
    mobile_due_q,
    mobile_overdue_q,
    organisation_choices_for_user,
    organisation_default_for_user,
)
from portal.lib import idnumbers
from portal.lib.choices import NameChoiceFilter
from portal.models import User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopedFormMixin:
    """Limits every organisation field to the organisations the user may write into."""

    organisation_fields: tuple[str, ...] = ("organisation",)

    def limit_to_scope(self, user: User) -> None:
        choices = organisation_choices_for_user(user=user)
        for name in self.organisation_fields:
            if name in self.fields:
                self.fields[name].queryset = choices


class PersonForm(ScopedFormMixin, forms.ModelForm):
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False, help_text=_("只保存脱敏号码；留空则不修改。")
    )

    class Meta:
        model = Person
        fields = ["name", "gender", "birth_date", "phone", "education", "organisation", "host", "grid"]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_to_scope(user)
        scope_orgs = self.fields["organisation"].queryset
        self.fields["grid"].queryset = Grid.objects.filter(
            Q(organisation__in=scope_orgs) | Q(organisation__isnull=True)
        )
        self.fields["host"].queryset = HostUnit.objects.filter(
            Q(organisation__in=scope_orgs) | Q(organisation__isnull=True)
        )

    def clean_id_number(self) -> str:
        value = idnumbers.normalise(self.cleaned_data["id_number"])
        if value and not idnumbers.is_valid(value):
            raise forms.ValidationError(_("身份证号码无效（应为 18 位且校验位正确）。"))
        return value

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            raise forms.ValidationError(_("请输入 11 位手机号码。"))
        return phone


class PersonCreateForm(PersonForm):
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=PoliticalStatus.choices)
    status_date = forms.DateField(label=_("取得日期"), required=False, widget=DateInput())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("political_status") not in (None, PoliticalStatus.MASSES) and not data.get("status_date"):
            self.add_error("status_date", _("请填写取得该政治面貌的日期。"))
        return data


class StatusStepForm(forms.Form):
    status = forms.ChoiceField(label=_("新的政治面貌"), choices=PoliticalStatus.choices[1:])
    date = forms.DateField(label=_("日期"), widget=DateInput())
    publicity_start = forms.DateField(label=_("公示开始"), required=False, widget=DateInput())
    publicity_end = forms.DateField(label=_("公示结束"), required=False, widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class MembershipEventForm(ScopedFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("事件"), choices=MembershipEvent.Kind.choices)
    date = forms.DateField(label=_("日期"), widget=DateInput())
    organisation = forms.ModelChoiceField(
        label=_("接收党组织"), queryset=Organisation.objects.none(), required=False, help_text=_("仅转入时填写")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_to_scope(user)


class RoleAssignForm(ScopedFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label=_("党组织"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("职务"), choices=Role.choices)
    start_date = forms.DateField(label=_("任职日期"), widget=DateInput())
    liaison = forms.CharField(label=_("联系工作"), max_length=80, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_to_scope(user)


class MobileDepartureForm(forms.ModelForm):
    class Meta:
        model = MobileMember
        fields = [
            "destination",
            "leave_date",
            "expected_return",
            "contact_address",
            "host_organisation",
            "certificate_number",
        ]
        widgets = {"leave_date": DateInput(), "expected_return": DateInput()}


class MobileReportForm(forms.ModelForm):
    class Meta:
        model = MobileReport
        fields = ["kind", "date", "content"]
        widgets = {"date": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class MobileReturnForm(forms.Form):
    date = forms.DateField(label=_("返回日期"), widget=DateInput())


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    political_status = django_filters.ChoiceFilter(label=_("政治面貌"), choices=PoliticalStatus.choices)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    grid = NameChoiceFilter(label=_("网格"), queryset=Grid.objects.none())
    is_active_member = django_filters.BooleanFilter(label=_("在册"))

    class Meta:
        model = Person
        fields = ["q", "political_status", "organisation", "grid", "is_active_member"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user)
        self.filters["organisation"].queryset = organisations
        self.filters["grid"].queryset = Grid.objects.filter(organisation__in=organisations)

    def search(self, queryset, name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(phone__startswith=value))

    def in_subtree(self, queryset, name: str, value: Organisation):
        return queryset.filter(organisation__path__startswith=value.path)


class MobileMemberFilter(django_filters.FilterSet):
    """The mobile members list: by organisation (subtree) and by reporting status — away and reporting on time,
    away and overdue (past the due date and the grace period, as `MobileMember.is_overdue`), or returned."""

    AWAY, ON_TIME, DUE, OVERDUE, RETURNED = "away", "on_time", "due", "overdue", "returned"

    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[
            (AWAY, _("在外")),
            (ON_TIME, _("在外·按时汇报")),
            (DUE, _("在外·本月应汇报或已逾期")),
            (OVERDUE, _("在外·汇报逾期")),
            (RETURNED, _("已返回")),
        ],
        method="in_status",
    )

    class Meta:
        model = MobileMember
        fields = ["organisation", "status"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def in_subtree(self, queryset, name: str, value: Organisation):
        return queryset.filter(person__organisation__path__startswith=value.path)

    def in_status(self, queryset, name: str, value: str):
        if value == self.RETURNED:
            return queryset.filter(returned_on__isnull=False)
        away = queryset.filter(returned_on__isnull=True)
        if value == self.OVERDUE:
            return away.filter(mobile_overdue_q())
        if value == self.ON_TIME:
            return away.exclude(mobile_overdue_q())
        if value == self.DUE:
            return away.filter(mobile_due_q())
        return away


class RosterImportForm(forms.Form):
    """A roster file and the organisation that receives rows whose 党组织 cell is blank.

    Cleaning reads and parses the file (size first, then type and content), so `dataset` and `content` are
    ready for the import's dry run."""

    file = forms.FileField(label=_("名册文件"), help_text=_("Excel（.xlsx）或 CSV 文件，第 1 行为表头。"))
    organisation = forms.ModelChoiceField(
        label=_("导入到"),
        queryset=Organisation.objects.none(),
        help_text=_("“党组织”一列留空的人员导入到这里。"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user)
        self.fields["organisation"].queryset = organisations
        default = None if self.is_bound else organisation_default_for_user(user=user, choices=organisations)
        if default is not None:
            self.initial.setdefault("organisation", default.pk)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["content"], self.cleaned_data["dataset"] = roster_upload_read(upload)
        return upload
