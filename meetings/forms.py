"""Forms for organisational life: validate and convert, never persist. Choices follow the user's scope."""

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonChoiceField
from branches.models import MEMBER_STATUSES, Organisation, Person
from branches.selectors import organisation_choices_for_user, organisation_default_for_user, person_list_for_user
from meetings.models import Meeting, MeetingAttendance
from portal.lib.choices import NameChoiceFilter
from portal.lib.search import TextSearchFilter
from portal.models import User
from services.forms.activities import DateTimeLocalInput
from services.forms.pairing import MultiplePhotoField, MultiplePhotoInput
from services.models import Activity

ACTIVITY_CHOICES = 200  # the latest activities of the organisation a 主题党日 may be linked to
Status = MeetingAttendance.Status


def _people(user: User, organisation: Organisation | None) -> QuerySet[Person]:
    """Hosts, recorders and lecturers: members on the roll in the organisation's subtree (else the user's scope)."""
    people = person_list_for_user(user=user).filter(is_active_member=True, political_status__in=MEMBER_STATUSES)
    if organisation is not None:
        people = people.filter(organisation__path__startswith=organisation.path)
    return people.order_by("name", "pk")


def _activities(organisation: Organisation | None, meeting: Meeting | None) -> QuerySet[Activity]:
    if organisation is None:
        return Activity.objects.none()
    free = Activity.objects.filter(organisation__path__startswith=organisation.path, meeting__isnull=True)
    if meeting is not None and meeting.activity_id:
        free = free | Activity.objects.filter(pk=meeting.activity_id)
    ids = list(free.order_by("-starts_at").values_list("pk", flat=True)[:ACTIVITY_CHOICES])
    return Activity.objects.filter(pk__in=ids).order_by("-starts_at")


class MeetingForm(forms.ModelForm):
    """Edits a meeting (the fields meetings.actions.meeting_update accepts). Validates a copy, never saves."""

    host = PersonChoiceField(label=_("主持人"), queryset=Person.objects.none(), required=False)
    recorder = PersonChoiceField(label=_("记录人"), queryset=Person.objects.none(), required=False)
    lecturer = PersonChoiceField(
        label=_("授课人"), queryset=Person.objects.none(), required=False, help_text=_("党课必填")
    )

    class Meta:
        model = Meeting
        fields = ["topic", "starts_at", "place", "host", "recorder", "lecturer", "activity", "minutes", "decisions"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"activity": _("主题党日同时是一次服务活动时选择：一条记录，两处都计入。")}

    def __init__(self, *args, user: User, organisation: Organisation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        meeting = self.instance if self.instance.pk else None
        organisation = meeting.organisation if meeting else organisation
        people = _people(user, organisation)
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].queryset = people
        self.fields["activity"].queryset = _activities(organisation, meeting)
        self.fields["activity"].required = False
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MeetingPlanForm(MeetingForm):
    """A new meeting also names its organisation and kind (neither changes afterwards: they decide who attends)."""

    organisation = forms.ModelChoiceField(label=_("党组织"), queryset=Organisation.objects.none())

    class Meta(MeetingForm.Meta):
        fields = ["organisation", "kind", "topic", "starts_at", "place", "host", "recorder", "lecturer", "activity"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        choices = organisation_choices_for_user(user=user).order_by("path")
        default = organisation_default_for_user(user=user, choices=choices)
        super().__init__(*args, user=user, organisation=default, **kwargs)
        self.fields["organisation"].queryset = choices
        if not self.is_bound:
            if default is not None:
                self.initial.setdefault("organisation", default.pk)
            local = timezone.localtime()
            self.initial.setdefault(
                "starts_at", local.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
            )


class HoldForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = forms.CharField(
        label=_("决定事项"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(label=_("请假事由"), max_length=200)


class LeaveDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("批准")), ("0", _("不批准"))], coerce=lambda value: value == "1"
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("更正说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    # The visit photos' several-files field, accepting PDF too; meetings.actions checks every file's bytes.
    files = MultiplePhotoField(
        label=_("照片或文件"),
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        help_text=_("照片（JPEG/PNG/WebP，每张不超过 5 MB，自动去除拍摄位置等信息）或 PDF 文件（不超过 10 MB）"),
    )


class AttendanceSheetForm(forms.Form):
    """One 出席/请假/缺席 choice per expected attendee, named by the person's id. A row left untouched stays 未登记.
    「全部出席」 (`all_present`) marks everyone not on leave 出席."""

    def __init__(self, *args, attendances: list[MeetingAttendance], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for row in attendances:
            self.fields[f"status_{row.person_id}"] = forms.ChoiceField(
                label=row.person.name,
                choices=[(Status.PRESENT, _("出席")), (Status.LEAVE, _("请假")), (Status.ABSENT, _("缺席"))],
                required=False,
                initial=row.status if row.status != Status.UNMARKED else None,
                widget=forms.RadioSelect,
            )

    def marks(self) -> list[tuple[int, str]]:
        """(person id, status) for each row given a status; with 「全部出席」, every row not on leave is 出席."""
        data = self.cleaned_data
        result = []
        for row in self.attendances:
            status = data.get(f"status_{row.person_id}")
            if self.data.get("all_present") and status != Status.LEAVE and row.status != Status.LEAVE:
                status = Status.PRESENT
            if status:
                result.append((row.person_id, status))
        return result

    def clean(self) -> dict:
        data = super().clean()
        if not self.data.get("all_present") and not any(data.get(f"status_{r.person_id}") for r in self.attendances):
            raise forms.ValidationError(_("请至少为一人选择出席、请假或缺席。"))
        return data

    def rows(self) -> list[dict]:
        return [{"attendance": row, "status": self[f"status_{row.person_id}"]} for row in self.attendances]


class MeetingFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("topic", "place"), placeholder=_("会议主题或地点"))
    kind = django_filters.ChoiceFilter(label=_("会议类型"), choices=Meeting.Kind.choices)
    year = django_filters.TypedChoiceFilter(
        label=_("年度"), field_name="starts_at", lookup_expr="year", coerce=int, choices=[]
    )
    state = django_filters.ChoiceFilter(label=_("状态"), choices=Meeting.State.choices)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")

    class Meta:
        model = Meeting
        fields = ["q", "kind", "year", "state", "organisation"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")
        # A list of years, not a free number: a year past 9999 would break the date lookup.
        this_year = timezone.localdate().year
        self.filters["year"].extra["choices"] = [(y, f"{y}年") for y in range(this_year + 1, this_year - 10, -1)]

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)
