"""Forms for follow-ups and the satisfaction page: validate and convert, never persist."""

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_choices_for_user
from evaluations.models import FollowUp
from evaluations.selectors.follow_ups import overdue_q
from portal.lib.choices import NameChoiceFilter
from portal.lib.search import TextSearchFilter
from portal.models import User
from services.forms.activities import DateInput


class _Today(forms.Form):
    """A form whose date field starts at today."""

    date_field = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault(self.date_field, timezone.localdate())


class CallBackForm(_Today):
    date_field = "callback_on"

    callback_on = forms.DateField(label=_("回访日期"), widget=DateInput())
    note = forms.CharField(
        label=_("回访情况"),
        max_length=500,
        help_text=_("与评价人联系的方式、对方反映的问题和意见；联系不上也请如实记录。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RectifyForm(_Today):
    date_field = "rectified_on"

    rectification = forms.CharField(label=_("整改措施"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    rectified_on = forms.DateField(label=_("整改日期"), widget=DateInput())
    upheld = forms.TypedChoiceField(
        label=_("差评是否属实"),
        choices=[("yes", _("属实")), ("no", _("不属实"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("属实的差评将按积分规则扣减活动组织者积分。"),
    )


class CloseForm(_Today):
    date_field = "closed_on"

    closing_note = forms.CharField(label=_("办结说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput())


class FollowUpFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("rating__activity__title",), placeholder=_("活动名称"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=FollowUp.State.choices)
    overdue = django_filters.BooleanFilter(label=_("只看逾期"), method="only_overdue", widget=forms.CheckboxInput)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    # A follow-up opens with its 差评: these filter by the (local) date of the rating.
    opened_from = django_filters.DateFilter(
        label=_("差评日期从"), field_name="rating__created_at", lookup_expr="date__gte", widget=DateInput()
    )
    opened_to = django_filters.DateFilter(
        label=_("差评日期至"), field_name="rating__created_at", lookup_expr="date__lte", widget=DateInput()
    )
    open = django_filters.BooleanFilter(label=_("只看未办结"), method="only_open", widget=forms.CheckboxInput)

    class Meta:
        model = FollowUp
        fields = ["q", "state", "overdue", "organisation", "opened_from", "opened_to", "open"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def only_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.open() if value else queryset


class PeriodForm(forms.Form):
    """The satisfaction page's period (this year by default) and optional organisation (its subtree)."""

    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())
    organisation = forms.ModelChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    @staticmethod
    def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        today = today or timezone.localdate()
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data

    def period(self) -> tuple[datetime.date, datetime.date, Organisation | None]:
        """The valid period (missing ends filled from this year), or this year when the form is invalid."""
        default_start, default_end = self.default_period()
        if not self.is_valid():
            return default_start, default_end, None
        start = self.cleaned_data.get("start") or default_start
        end = self.cleaned_data.get("end") or default_end
        if start > end:  # one end given, beyond this year's other end
            return default_start, default_end, self.cleaned_data.get("organisation")
        return start, end, self.cleaned_data.get("organisation")
