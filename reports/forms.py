from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_list_for_user, scope_for
from portal.models import User


class ReportExportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    organisation = forms.ModelChoiceField(
        label=_("范围"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部党组织")
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, f"{year} 年") for year in range(this_year, this_year - 6, -1)]
        # Last year by default: the report is made in January for the year that has just ended.
        self.fields["year"].initial = this_year - 1
        self.fields["organisation"].queryset = organisation_list_for_user(user=user)
        if not scope_for(user).everything:
            # Only 组织部 may ask for the whole tree: everyone else picks one of their subtrees.
            self.fields["organisation"].required = True
            self.fields["organisation"].empty_label = None
