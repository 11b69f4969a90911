"""Forms for points: validate and convert, never persist."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonChoiceField
from evaluations.actions.points import MAX_ADJUSTMENT, MAX_REASON
from evaluations.models import PointsRule, PointsRuleSet


class AdjustmentRequestForm(forms.Form):
    person = PersonChoiceField(label=_("党员"), queryset=None)
    points = forms.IntegerField(
        label=_("调整分值"),
        min_value=-MAX_ADJUSTMENT,
        max_value=MAX_ADJUSTMENT,
        help_text=_("加分填正数，减分填负数；须经上级党组织审批后记入。"),
    )
    reason = forms.CharField(label=_("理由"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("调整分值不能为 0。"))
        return points


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("冲销理由"), max_length=MAX_REASON)


class RuleSetVersionForm(forms.Form):
    """One points field and one cap field per rule of the current version; returns the changed rules."""

    note = forms.CharField(label=_("修订说明"), max_length=200)

    def __init__(self, *args, rule_set: PointsRuleSet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rules = [rule for rule in rule_set.rules.all() if rule.code != PointsRule.Code.MANUAL]
        for rule in self.rules:
            label = rule.get_code_display()
            self.fields[f"points_{rule.code}"] = forms.IntegerField(
                label=_("%(rule)s · 分值") % {"rule": label}, min_value=-100, max_value=100, initial=rule.points
            )
            self.fields[f"cap_{rule.code}"] = forms.IntegerField(
                label=_("%(rule)s · 每月上限") % {"rule": label},
                min_value=1,
                max_value=1000,
                required=False,
                initial=rule.monthly_cap,
            )

    def changes(self) -> dict[str, tuple[int, int | None]]:
        data = self.cleaned_data
        return {
            rule.code: (data[f"points_{rule.code}"], data[f"cap_{rule.code}"])
            for rule in self.rules
            if (data[f"points_{rule.code}"], data[f"cap_{rule.code}"]) != (rule.points, rule.monthly_cap)
        }
