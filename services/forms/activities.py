"""Forms for activities: validate and convert, never persist. Organisation and team choices follow the user's scope."""

import datetime

import django_filters
from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_choices_for_user, organisation_default_for_user
from portal.lib.choices import NameChoiceFilter
from portal.lib.search import TextSearchFilter
from portal.models import User
from services.models import Activity, ActivityCategory
from services.selectors.activities import sign_up_open_q
from volunteers.models import Team
from volunteers.selectors import team_choices_for_user

OPEN = "open"  # 可报名: published and not yet over (services.selectors.activities.sign_up_open_q)
RUNNING = "running"  # 进行中 is derived (published and between start and end), so it filters by time, not by a state
HELD = "held"  # 已开展: ended or closed (Activity.objects.held()), what the dashboards count


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date-and-time picker; Django's DateTimeField reads the ISO value it sends."""

    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def default_times(now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """Today's next full hour, two hours long: what most activities are, so a phone user rarely edits it."""
    local = timezone.localtime(now or timezone.now())
    starts = local.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    return starts, starts + datetime.timedelta(hours=2)


class ActivityForm(forms.ModelForm):
    """Edits an activity (the fields `actions.activity_update` accepts). Validates a copy, never saves."""

    class Meta:
        model = Activity
        fields = ["title", "category", "target_group", "place", "starts_at", "ends_at", "capacity", "description"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ActivityCategory.objects.filter(is_active=True)
        # 0 places would be a sign-up nobody can use: at least 1, or blank for no limit.
        self.fields["capacity"].validators.append(MinValueValidator(1, message=_("名额至少为 1；不限名额请留空。")))
        self.fields["capacity"].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self) -> dict:
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            # An error on the field keeps it out of the model's own check constraint (a cryptic message).
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        return data


def initial_copied_from(activity: Activity) -> dict:
    """「复制为新活动」: what the next activity of a series usually shares with this one — category, organiser,
    place, target group, capacity and length — starting at the usual default time. The title is typed anew."""
    starts, _ends = default_times()
    return {
        "category": activity.category_id,
        "organisation": activity.organisation_id,
        "team": activity.team_id,
        "place": activity.place,
        "target_group": activity.target_group,
        "capacity": activity.capacity,
        "starts_at": starts,
        "ends_at": starts + (activity.ends_at - activity.starts_at),
    }


class ActivityCreateForm(ActivityForm):
    """A new activity also names its organiser: an organisation in scope, or a team the user may run."""

    organisation = forms.ModelChoiceField(label=_("组织单位"), queryset=Organisation.objects.none(), required=False)
    team = forms.ModelChoiceField(
        label=_("服务队"), queryset=Team.objects.none(), required=False, help_text=_("由服务队组织时选择")
    )

    class Meta(ActivityForm.Meta):
        fields = [
            "title",
            "category",
            "organisation",
            "team",
            "target_group",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "description",
        ]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        organisations = organisation_choices_for_user(user=user).order_by("path")
        teams = team_choices_for_user(user=user).select_related("organisation").order_by("path")
        self.fields["organisation"].queryset = organisations
        self.fields["team"].queryset = teams
        if not self.is_bound:
            starts, ends = default_times()
            self.initial.setdefault("starts_at", starts)
            self.initial.setdefault("ends_at", ends)
            # A phone user should not have to pick what has only one sensible answer (their branch, their team).
            default = organisation_default_for_user(user=user, choices=organisations)
            if default is not None:
                self.initial.setdefault("organisation", default.pk)
            else:
                only_teams = list(teams[:2])
                if len(only_teams) == 1:  # a team leader who manages no organisation: their team
                    self.initial.setdefault("team", only_teams[0].pk)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("organisation") and not data.get("team") and "organisation" not in self.errors:
            self.add_error("organisation", _("请选择组织单位或服务队。"))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class CloseForm(forms.Form):
    """服务成效, entered when the activity is closed."""

    served_people = forms.IntegerField(label=_("服务群众（人次）"), min_value=0)
    served_households = forms.IntegerField(label=_("服务户数（户次）"), min_value=0, required=False)
    money_raised = forms.DecimalField(
        label=_("筹集资金（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    money_lent = forms.DecimalField(
        label=_("借出资金（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    money_donated = forms.DecimalField(
        label=_("捐赠资金（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    goods = forms.CharField(label=_("物资"), max_length=200, required=False)


class ActivityFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("title", "place"), placeholder=_("活动名称或地点"))
    start = django_filters.DateFilter(
        label=_("开始日期"), field_name="starts_at", lookup_expr="date__gte", widget=DateInput()
    )
    end = django_filters.DateFilter(
        label=_("结束日期"), field_name="starts_at", lookup_expr="date__lte", widget=DateInput()
    )
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=ActivityCategory.objects.all())
    organisation = NameChoiceFilter(label=_("组织单位"), queryset=Organisation.objects.none(), method="in_subtree")
    team = NameChoiceFilter(label=_("服务队"), queryset=Team.objects.none())
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[
            (OPEN, _("可报名")),
            (RUNNING, _("进行中")),
            *Activity.State.choices,
            (HELD, _("已开展（已结束或已关闭）")),
        ],
        method="in_state",
    )

    class Meta:
        model = Activity
        fields = ["q", "start", "end", "category", "organisation", "team", "state"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")
        self.filters["team"].queryset = team_choices_for_user(user=user).order_by("path")

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def in_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        running = Q(state=Activity.State.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
        if value == RUNNING:
            return queryset.filter(running)
        if value == OPEN:
            return queryset.filter(sign_up_open_q(now))
        if value == HELD:
            return queryset.held()
        if value == Activity.State.PUBLISHED:  # 已发布 as listed: published and not (yet) running
            return queryset.filter(state=value).exclude(running)
        return queryset.filter(state=value)
