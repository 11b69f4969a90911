"""Forms for demands: validate and convert, never persist. The public form carries its own spam resistance: a
honeypot field that must stay empty and a signed render time that must be neither too fresh nor too old."""

import time

import django_filters
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonChoiceField
from branches.models import Organisation, Person
from branches.selectors import organisation_choices_for_user, organisation_default_for_user
from portal.forms import PlainTextField
from portal.lib.choices import NameChoiceFilter
from portal.lib.search import TextSearchFilter
from portal.models import User
from services.actions.demands import phone_check
from services.forms.activities import DateInput
from services.models import Demand, DemandCategory
from services.selectors.demands import on_time_q, overdue_q
from volunteers.models import Team

TIMESTAMP_SALT = "services.public_demand.rendered"
MAX_FORM_AGE = 2 * 60 * 60  # seconds: a form older than two hours is refused (reload it)
DEFAULT_MIN_SECONDS = 3  # a person takes longer than this to fill the form in; a script does not


def _clean_phone(value: str) -> str:
    try:
        return phone_check(value)
    except ValidationError as error:
        raise forms.ValidationError(error.messages[0]) from error


class DemandForm(forms.ModelForm):
    """A secretary enters a demand received through any channel (received_on may be in the past)."""

    organisation = forms.ModelChoiceField(label=_("承办党组织"), queryset=Organisation.objects.none())

    class Meta:
        model = Demand
        fields = [
            "organisation",
            "channel",
            "category",
            "content",
            "requester_name",
            "requester_phone",
            "requester_address",
            "received_on",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 4}), "received_on": DateInput()}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user).order_by("path")
        self.fields["organisation"].queryset = organisations
        self.fields["requester_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())
            default = organisation_default_for_user(user=user, choices=organisations)
            if default is not None:  # a branch secretary: their own branch, preselected
                self.initial.setdefault("organisation", default.pk)

    def clean_requester_phone(self) -> str:
        return _clean_phone(self.cleaned_data["requester_phone"])

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on and received_on > timezone.localdate():
            raise forms.ValidationError(_("受理日期不能晚于今天。"))
        return received_on


class AssigneeChoiceField(PersonChoiceField):
    """People with the category's skill (annotated by the selector) say so."""

    def label_from_instance(self, obj: Person) -> str:
        return super().label_from_instance(obj) + (_("·具备所需技能") if getattr(obj, "has_skill", False) else "")


class AssignForm(forms.Form):
    """One member (those with the category's skill listed first) or one team."""

    person = AssigneeChoiceField(label=_("承办人"), queryset=Person.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("或承办服务队"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, people: QuerySet, teams: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["team"].queryset = teams

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and bool(data.get("person")) == bool(data.get("team")):
            raise forms.ValidationError(_("请选择一名承办人或一支服务队（二选一）。"))
        return data


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    done_on = forms.DateField(label=_("办结日期"), widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("done_on", timezone.localdate())


class CallBackForm(forms.Form):
    callback_on = forms.DateField(label=_("回访日期"), widget=DateInput())
    satisfaction = forms.ChoiceField(
        label=_("群众满意度"), choices=Demand.Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("回访记录"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("callback_on", timezone.localdate())


# 办理情况: open (any open state), open and not yet past its deadline, done by its deadline. With `overdue` these
# cover what the dashboards count (the overdue open ones are progress=open plus overdue).
OPEN, OPEN_IN_TIME, ON_TIME = "open", "open_in_time", "on_time"
PROGRESS_CHOICES = [(OPEN, _("未办结")), (OPEN_IN_TIME, _("办理中（未逾期）")), (ON_TIME, _("按期办结"))]


class DemandFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("content", "requester_name"), placeholder=_("需求内容或群众姓名"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=Demand.State.choices)
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=DemandCategory.objects.all())
    channel = django_filters.ChoiceFilter(label=_("来源渠道"), choices=Demand.Channel.choices)
    overdue = django_filters.BooleanFilter(label=_("只看逾期"), method="only_overdue", widget=forms.CheckboxInput)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    received_from = django_filters.DateFilter(
        label=_("受理日期从"), field_name="received_on", lookup_expr="gte", widget=DateInput()
    )
    received_to = django_filters.DateFilter(
        label=_("受理日期至"), field_name="received_on", lookup_expr="lte", widget=DateInput()
    )
    progress = django_filters.ChoiceFilter(label=_("办理情况"), choices=PROGRESS_CHOICES, method="in_progress")

    class Meta:
        model = Demand
        fields = [
            "q",
            "state",
            "category",
            "channel",
            "overdue",
            "organisation",
            "received_from",
            "received_to",
            "progress",
        ]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def in_progress(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.open()
        if value == OPEN_IN_TIME:
            return queryset.open().exclude(overdue_q(timezone.localdate()))
        return queryset.filter(on_time_q())


def public_form_stamp(organisation_id: int, at: float | None = None) -> str:
    """The signed render time (and organisation) the public form carries in a hidden field."""
    return signing.dumps({"o": organisation_id, "t": time.time() if at is None else at}, salt=TIMESTAMP_SALT)


class PublicDemandForm(forms.Form):
    """The public's form: no login. Anonymous is allowed; a phone number, if given, must be one.

    The signed render time travels in a plain hidden input named "stamp" (see `public_form_stamp` and
    `stamp_to_render`)."""

    BIG = {"class": "form-control-lg"}

    category = forms.ModelChoiceField(
        label=_("需求类别"),
        queryset=DemandCategory.objects.all(),
        empty_label=_("请选择"),
        widget=forms.Select(attrs={"class": "form-select-lg"}),
    )
    content = PlainTextField(
        label=_("需求内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, **BIG, "placeholder": _("请写明需要帮助的事情、时间和地点")}),
    )
    requester_name = PlainTextField(
        label=_("您的称呼"), max_length=40, required=False, help_text=_("可不填（匿名）"), widget=forms.TextInput(BIG)
    )
    requester_phone = PlainTextField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("便于回访，可不填"),
        widget=forms.TextInput({**BIG, "inputmode": "tel", "autocomplete": "tel"}),
    )
    requester_address = PlainTextField(label=_("地址"), max_length=120, required=False, widget=forms.TextInput(BIG))
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling scripts.
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_requester_phone(self) -> str:
        return _clean_phone(self.cleaned_data["requester_phone"])

    def _stamp_time(self) -> float | None:
        """When the posted form was rendered, if its stamp is genuine and for this organisation; else None."""
        try:
            payload = signing.loads(self.data.get("stamp") or "", salt=TIMESTAMP_SALT)
            rendered, organisation_id = float(payload["t"]), int(payload["o"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        return rendered if organisation_id == self.organisation.pk else None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("提交未被接受：请不要填写隐藏的“请勿填写此项”一栏。"), code="honeypot")
        rendered = self._stamp_time()
        if rendered is None:
            raise forms.ValidationError(_("表单已失效或来源无法验证，请刷新页面后重新填写。"), code="stamp")
        if self.errors:
            # The clock only matters for an otherwise acceptable form: a resident with a field to correct sees that
            # field's message, not 「提交过快」 beside it (the form is refused either way, nothing is stored).
            return data
        age = time.time() - rendered
        minimum = getattr(settings, "PUBLIC_FORM_MIN_SECONDS", DEFAULT_MIN_SECONDS)
        if age > MAX_FORM_AGE:
            raise forms.ValidationError(_("表单已打开超过 2 小时，请刷新页面后重新填写。"), code="expired")
        if age < minimum:
            raise forms.ValidationError(_("提交过快，请确认填写内容后再提交。"), code="too_fast")
        return data

    def stamp_to_render(self) -> str:
        """The stamp for the page: a refused form shown again keeps the clock of its genuine, unexpired stamp (the
        resident has been at it since then, so correcting one field is not 「提交过快」); otherwise a new one."""
        rendered = self._stamp_time() if self.is_bound else None
        if rendered is not None and time.time() - rendered <= MAX_FORM_AGE:
            return public_form_stamp(self.organisation.pk, at=rendered)
        return public_form_stamp(self.organisation.pk)
