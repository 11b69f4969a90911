"""Forms validate and convert; the actions persist. Choices of organisations are limited to the user's scope."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.actions import person_new_problems
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
from branches.selectors import (
    account_link_choices_for_user,
    mobile_due_q,
    mobile_overdue_q,
    organisation_choices_for_user,
)
from portal.forms import DateInput
from portal.lib import idnumbers
from portal.lib.choices import NameChoiceFilter
from portal.models import User

# Person pickers -----------------------------------------------------------------------------------------------

# A number shorter than this is no mobile or landline; its last four digits would be most of it.
PHONE_TAIL_MIN_DIGITS = 7


def person_choice_label(person: Person) -> str:
    """How a form's list of people names one person: enough to tell namesakes apart, nothing more —
    「张伟（党支部A · 1985 年生 · 尾号 1234）」. Never more than the last 4 phone digits, never the ID number.
    The organisation must be loaded with the person (select_related), or every option costs a query."""
    parts = [person.organisation.name]
    if person.birth_date:
        parts.append(f"{person.birth_date.year} 年生")
    digits = "".join(char for char in person.phone if char.isdigit())
    if len(digits) >= PHONE_TAIL_MIN_DIGITS:
        parts.append(f"尾号 {digits[-4:]}")
    return f"{person.name}（{' · '.join(parts)}）"


class PersonChoiceField(forms.ModelChoiceField):
    """One person from a list, labelled by person_choice_label."""

    def label_from_instance(self, obj: Person) -> str:
        return person_choice_label(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several people from a list, labelled by person_choice_label."""

    def label_from_instance(self, obj: Person) -> str:
        return person_choice_label(obj)


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
        problems = person_new_problems(
            name=data.get("name") or "",
            id_number=data.get("id_number") or "",
            birth_date=data.get("birth_date"),
            political_status=data.get("political_status") or PoliticalStatus.MASSES,
            status_date=data.get("status_date"),
        )
        for name, messages in problems.items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
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


class AccountLinkForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("已有账号"),
        queryset=User.objects.none(),
        help_text=_("只列出尚未关联人员的有效账号。"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = account_link_choices_for_user(user=user)
        self.fields["user"].label_from_instance = lambda account: (
            f"{account.username}（{account.first_name}）" if account.first_name else account.username
        )


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
