"""The dashboard's filter: a year and an organisation (its subtree) among the user's own."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_choices_for_user
from portal.models import User

YEARS_SHOWN = 8  # this year and the seven before


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        # Indented by depth: the select reads as the tree it is (a full-width space per level).
        return "\u3000" * (obj.depth - 1) + obj.name


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    organisation = OrganisationChoiceField(
        label=_("党组织（含下级）"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部（我管理的范围）"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, f"{year}年") for year in range(this_year, this_year - YEARS_SHOWN, -1)]
        self.fields["year"].initial = this_year
        self.fields["organisation"].queryset = organisation_choices_for_user(user=user).order_by("path")

    def chosen_year(self) -> int:
        """The year asked for; this year when none was."""
        if self.is_bound and self.is_valid_field("year") and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year

    def is_valid_field(self, name: str) -> bool:
        self.is_valid()  # cleans every field; the valid ones are in cleaned_data
        return name in self.cleaned_data
