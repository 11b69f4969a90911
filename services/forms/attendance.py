"""Forms for the attendance sheet and hours: they validate and convert; services.actions persists."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonMultipleChoiceField
from branches.models import Person
from services.models import Activity, Participation

MAX_HOURS = Decimal(24)
ATTENDED, ABSENT = "1", "0"


def hours_field(label: str = "", required: bool = False) -> forms.DecimalField:
    """0 < h ≤ 24 with at most one decimal; the range is checked in clean_hours (the message names the rule)."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=3,
        decimal_places=1,
        error_messages={
            "invalid": _("请输入数字，如 2 或 2.5。"),
            "max_decimal_places": _("最多保留一位小数。"),
            "max_digits": _("服务时长应大于 0 且不超过 24 小时。"),
            "max_whole_digits": _("服务时长应大于 0 且不超过 24 小时。"),
            "required": _("请填写服务时长。"),
        },
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "max": "24", "inputmode": "decimal"}),
    )


def clean_hours(value: Decimal | None) -> Decimal | None:
    if value is not None and not (0 < value <= MAX_HOURS):
        raise forms.ValidationError(_("服务时长应大于 0 且不超过 24 小时。"))
    return value


def _initial_hours(participation: Participation, default: Decimal) -> Decimal:
    """What the sheet shows: approved hours (read only), else the pending entry, else the activity's length."""
    hours = participation.approved_hours or participation.pending_hours or default
    return Decimal(hours).quantize(Decimal("0.1"))  # SQLite sums come back as 2 rather than 2.0


class AttendanceSheetForm(forms.Form):
    """One attended/absent choice and one hours field per participation, named by its id.

    A row left without a choice is not sent to the action (the person stays 已报名). The 「全部出勤」 button posts
    `all_attended`, which marks every row attended with the hours typed on the sheet.
    """

    def __init__(self, *args, participations: list[Participation], activity: Activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.participations = participations
        for p in participations:
            initial = {Participation.State.ATTENDED: ATTENDED, Participation.State.NO_SHOW: ABSENT}.get(p.state)
            self.fields[f"attended_{p.pk}"] = forms.ChoiceField(
                label=p.person.name,
                choices=[(ATTENDED, _("出勤")), (ABSENT, _("缺席"))],
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )
            self.fields[f"hours_{p.pk}"] = hours_field(label=p.person.name)
            self.fields[f"hours_{p.pk}"].initial = _initial_hours(p, activity.duration_hours)

    @property
    def all_attended(self) -> bool:
        return bool(self.data.get("all_attended"))

    def clean(self) -> dict:
        data = super().clean()
        for p in self.participations:
            name = f"hours_{p.pk}"
            if name in data:
                try:
                    clean_hours(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if not self.all_attended and not any(data.get(f"attended_{p.pk}") for p in self.participations):
            raise forms.ValidationError(_("请至少为一人选择“出勤”或“缺席”。"))
        return data

    def rows(self) -> list[dict]:
        """For the template: each participation with its two bound fields."""
        return [
            {"participation": p, "attended": self[f"attended_{p.pk}"], "hours": self[f"hours_{p.pk}"]}
            for p in self.participations
        ]

    def marks(self) -> dict[int, tuple[bool, Decimal | None]]:
        """{participation id: (attended, hours)} for actions.attendance_record; unmarked rows are left out."""
        marks = {}
        for p in self.participations:
            choice = ATTENDED if self.all_attended else self.cleaned_data.get(f"attended_{p.pk}")
            if choice in (ATTENDED, ABSENT):
                marks[p.pk] = (choice == ATTENDED, self.cleaned_data.get(f"hours_{p.pk}"))
        return marks


class WalkInForm(forms.Form):
    """People picked from the roster (checkboxes, several at once), added as attended with the same role and hours
    (blank: the activity's length)."""

    people = PersonMultipleChoiceField(
        label=_("人员"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一人。"),
            "invalid_choice": _("请选择名单中的人员。"),
            "invalid_pk_value": _("请选择名单中的人员。"),
        },
    )
    role = forms.ChoiceField(label=_("角色"), choices=Participation.Role.choices, initial=Participation.Role.VOLUNTEER)
    hours = hours_field(label=_("服务时长（小时）"))

    def __init__(self, *args, people: QuerySet[Person], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["hours"].help_text = _("留空为活动时长。")

    def clean_hours(self) -> Decimal | None:
        return clean_hours(self.cleaned_data["hours"])


class HoursCorrectForm(forms.Form):
    corrected_total = hours_field(label=_("更正后的总时长（小时）"), required=True)
    note = forms.CharField(label=_("更正原因"), max_length=200)

    def clean_corrected_total(self) -> Decimal | None:
        return clean_hours(self.cleaned_data["corrected_total"])
