"""Forms for review rounds: validate and convert, never persist (the actions check every rule again)."""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_choices_for_user
from evaluations.models import ReviewRound, ReviewSheet
from portal.lib.choices import NameChoiceFilter
from portal.models import User
from services.forms.activities import DateInput


def score_field(label, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100", "inputmode": "decimal"}),
    )


def _weight(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class ReviewRoundForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("党支部"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=ReviewRound.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("半年"),
        required=False,
        choices=[("", _("（年度评议不填）")), (1, _("上半年")), (2, _("下半年"))],
        coerce=int,
        empty_value=None,
    )
    opens_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    closes_on = forms.DateField(label=_("截止日期"), widget=DateInput())
    weight_self = _weight(_("自评权重%"))
    weight_mutual = _weight(_("互评权重%"))
    weight_mass = _weight(_("群众评价权重%"))
    weight_organisation = _weight(_("组织评价权重%"))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["organisation"].queryset = (
            organisation_choices_for_user(user=user).filter(kind__in=Organisation.BRANCH_KINDS).order_by("path")
        )
        self.initial.setdefault("kind", ReviewRound.Kind.YEARLY)
        self.initial.setdefault("year", today.year)
        self.initial.setdefault("opens_on", today)
        self.initial.setdefault("closes_on", today + datetime.timedelta(days=30))
        for name, default in (("self", 10), ("mutual", 30), ("mass", 40), ("organisation", 20)):
            self.initial.setdefault(f"weight_{name}", default)

    def clean(self) -> dict:
        data = super().clean()
        weights = [data.get(f"weight_{name}") for name in ("self", "mutual", "mass", "organisation")]
        if None not in weights and sum(weights) != 100:
            raise forms.ValidationError(_("四项权重之和须为 100。"))
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "kind": data["kind"],
            "year": data["year"],
            "half": data["half"],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "weights": {name: data[f"weight_{name}"] for name in ("self", "mutual", "mass", "organisation")},
        }


class SelfEvaluationForm(forms.Form):
    text = forms.CharField(
        label=_("自我评价"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("对照党员标准，从思想、学习、工作、作风、发挥作用等方面进行自我评价。"),
    )
    score = score_field(_("自评分（0–100）"))


class PeerScoresForm(forms.Form):
    """One score field per peer, filled with the score already given; only changed scores are submitted."""

    def __init__(self, *args, peers: list[ReviewSheet], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.peers = {f"peer_{sheet.person_id}": sheet for sheet in peers}
        for name, sheet in self.peers.items():
            self.fields[name] = score_field(sheet.person.name, required=False)
            self.initial[name] = sheet.my_score

    def changed_scores(self) -> dict:
        """ratee person → new score, for the peers whose score was given or changed."""
        return {
            sheet.person: self.cleaned_data[name]
            for name, sheet in self.peers.items()
            if self.cleaned_data.get(name) is not None and self.cleaned_data[name] != sheet.my_score
        }


class OrganisationScoreForm(forms.Form):
    score = score_field(_("组织评价分"))


class ReviewFollowUpForm(forms.Form):
    note = forms.CharField(label=_("批评教育情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewRoundFilter(django_filters.FilterSet):
    """The rounds list's filters. With a grade, the rounds with at least one sheet of that grade, each with
    `grade_count` (how many): the dashboards' review-grade figures link here."""

    year = django_filters.NumberFilter(label=_("年度"))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ReviewRound.Kind.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ReviewRound.State.choices)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    grade = django_filters.ChoiceFilter(label=_("评定等次"), choices=ReviewSheet.Grade.choices, method="with_grade")

    class Meta:
        model = ReviewRound
        fields = ["year", "kind", "state", "organisation", "grade"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def with_grade(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        sheets = ReviewSheet.objects.filter(round=OuterRef("pk"), grade=value)
        counted = sheets.order_by().values("round").annotate(n=Count("pk")).values("n")
        return queryset.filter(Exists(sheets)).annotate(grade_count=Subquery(counted, output_field=IntegerField()))
