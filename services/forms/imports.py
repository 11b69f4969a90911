"""The register import's form: it validates and converts, the action writes. (The export takes the activity
list's ActivityFilter.)"""

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.resources import roster_upload_read
from branches.selectors import organisation_choices_for_user, organisation_default_for_user
from portal.models import User


class ActivityImportForm(forms.Form):
    """A register file and the organisation whose activities the rows with a blank 党组织 cell are.

    Cleaning reads and parses the file with the roster's helpers (size first, then type and content), so
    `dataset` and `content` are ready for the import's dry run."""

    file = forms.FileField(label=_("活动登记表"), help_text=_("Excel（.xlsx）或 CSV 文件，第 1 行为表头。"))
    organisation = forms.ModelChoiceField(
        label=_("组织单位"),
        queryset=Organisation.objects.none(),
        help_text=_("“党组织”一列留空的活动记在这里。"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user)
        self.fields["organisation"].queryset = organisations
        default = None if self.is_bound else organisation_default_for_user(user=user, choices=organisations)
        if default is not None:
            self.initial.setdefault("organisation", default.pk)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["content"], self.cleaned_data["dataset"] = roster_upload_read(upload)
        return upload
