"""Forms for the branch assessment (评星晋级): validate and convert, never persist."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from evaluations.actions.assessment import FIRST_YEAR, MAX_EVIDENCE
from evaluations.selectors.assessment import CHECKLIST, assessable_branches, checklist_label
from portal.models import User


def year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("年度"),
        min_value=FIRST_YEAR,
        max_value=timezone.localdate().year,
        error_messages={
            "invalid": _("请填写年份，例如 2025。"),
            "min_value": _("年度不能早于 %(limit_value)s 年。"),
            "max_value": _("年度不能晚于今年。"),
        },
        **kwargs,
    )


class YearForm(forms.Form):
    """The year filter of the list and the comparison page."""

    year = year_field(required=False)

    def selected_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None


class AssessmentForm(forms.Form):
    """The branch, the year and the 六有 checklist: each item a tick and its evidence (needed when ticked)."""

    organisation = forms.ModelChoiceField(label=_("党支部"), queryset=Organisation.objects.none())
    year = year_field()

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = assessable_branches(user=user)
        for key in CHECKLIST:
            self.fields[f"has_{key}"] = forms.BooleanField(label=checklist_label(key), required=False)
            self.fields[f"{key}_evidence"] = forms.CharField(
                label=_("佐证材料"),
                required=False,
                max_length=MAX_EVIDENCE,
                help_text=_("勾选时必填：如会议记录、制度文件、场所名称、服务台账等。"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def checklist_fields() -> list[str]:
        return [name for key in CHECKLIST for name in (f"has_{key}", f"{key}_evidence")]

    def items(self) -> list[tuple]:
        """(tick field, evidence field) per 六有 item, for the template."""
        return [(self[f"has_{key}"], self[f"{key}_evidence"]) for key in CHECKLIST]

    def clean(self) -> dict:
        data = super().clean()
        for key in CHECKLIST:
            if data.get(f"has_{key}") and not (data.get(f"{key}_evidence") or "").strip():
                self.add_error(f"{key}_evidence", _("已勾选此项，请填写佐证材料。"))
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "year": data["year"],
            "checklist": {key: (data[f"has_{key}"], data[f"{key}_evidence"]) for key in CHECKLIST},
        }
