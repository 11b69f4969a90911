"""Forms for pairing help: validate and convert, never persist. Choices follow the user's scope; whether a photo
is really an image is the action's check (it decodes the bytes), the form only collects the files."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonChoiceField
from branches.models import MEMBER_STATUSES, Grid, Organisation, Person
from branches.selectors import organisation_choices_for_user, organisation_default_for_user, person_list_for_user
from portal.lib.choices import NameChoiceFilter
from portal.models import User
from services.forms.activities import DateInput
from services.models import Household, Pairing
from services.selectors.pairing import household_choices_for_user, missed_recently_q, unvisited_this_month_q

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["organisation", "grid", "head_name", "address", "phone", "situation", "size", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user).filter(kind__in=Organisation.BRANCH_KINDS)
        self.fields["organisation"].queryset = organisations.order_by("path")
        self.fields["organisation"].help_text = _("帮扶对象登记在负责帮扶的党支部。")
        self.fields["grid"].queryset = Grid.objects.filter(organisation__in=organisation_choices_for_user(user=user))
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["size"].widget.attrs.update({"min": 1, "max": 30, "inputmode": "numeric"})
        default = None if self.is_bound else organisation_default_for_user(user=user, choices=organisations)
        if default is not None:
            self.initial.setdefault("organisation", default.pk)


class HouseholdChoiceField(forms.ModelChoiceField):
    """Households are named by kind and number in the choice list: the list is no place to spell out names."""

    def label_from_instance(self, obj: Household) -> str:
        return f"{obj}（{obj.organisation.name}）"


class PairingCreateForm(forms.Form):
    helper = PersonChoiceField(label=_("帮扶党员"), queryset=Person.objects.none())
    household = HouseholdChoiceField(label=_("帮扶对象"), queryset=Household.objects.none())
    started_on = forms.DateField(label=_("结对日期"), widget=DateInput())
    content = forms.CharField(label=_("帮扶内容"), max_length=200, help_text=_("如：代购生活用品、辅导功课、陪同就医"))
    help_plan = forms.CharField(label=_("帮扶计划"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = (
            person_list_for_user(user=user)
            .filter(is_active_member=True, political_status__in=MEMBER_STATUSES)
            .order_by("organisation__path", "name")
        )
        self.fields["household"].queryset = household_choices_for_user(user=user)
        if not self.is_bound:
            self.initial.setdefault("started_on", timezone.localdate())


class PlanForm(forms.Form):
    content = forms.CharField(label=_("帮扶内容"), max_length=200)
    help_plan = forms.CharField(label=_("帮扶计划"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("结束原因"), max_length=200, help_text=_("如：已脱困、搬离本社区、帮扶人调离"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("ended_on", timezone.localdate())


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files from one input; returns a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class VisitForm(forms.Form):
    date = forms.DateField(label=_("走访日期"), widget=DateInput())
    notes = forms.CharField(
        label=_("走访记录"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("走访了解的情况、帮办的事情、下一步打算"),
    )
    photos = MultiplePhotoField(
        label=_("照片"), help_text=_("可选，最多 5 张，JPEG/PNG/WebP，每张不超过 5 MB；上传后自动去除拍摄位置等信息。")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


MISSED = "missed"
THIS_MONTH = "this_month"


class PairingFilter(django_filters.FilterSet):
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    situation = django_filters.ChoiceFilter(
        label=_("困难类型"), field_name="household__situation", choices=Household.Situation.choices
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[("open", _("进行中")), ("ended", _("已结束"))], method="in_state"
    )
    missed = django_filters.ChoiceFilter(
        label=_("缺访"),
        choices=[(MISSED, _("近三个月有缺访")), (THIS_MONTH, _("本月尚未走访"))],
        method="with_missed",
        empty_label=_("全部"),
    )

    class Meta:
        model = Pairing
        fields = ["organisation", "situation", "state", "missed"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def in_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(ended_on__isnull=(value == "open"))

    def with_missed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == THIS_MONTH:
            return queryset.filter(unvisited_this_month_q())
        return queryset.filter(missed_recently_q())
