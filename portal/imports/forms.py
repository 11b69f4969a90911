from django import forms
from django.utils.translation import gettext_lazy as _

from portal.imports.base import Importer
from portal.imports.files import upload_read
from portal.models import User


class ImportUploadForm(forms.Form):
    """A file and, for the kinds that have one, the organisation that receives rows whose organisation cell is
    blank. Cleaning reads the file (size first, then type and content), so `sheet` and `content` are ready."""

    file = forms.FileField(label=_("文件"), help_text=_("Excel（.xlsx）或 CSV 文件，第 1 行为表头。"))
    organisation = forms.ModelChoiceField(label=_("导入到"), queryset=None, required=True)

    def __init__(self, *args, user: User, importer: type[Importer], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = importer.organisation_choices(user)
        if choices is None:
            del self.fields["organisation"]
        else:
            field = self.fields["organisation"]
            field.queryset = choices
            field.label = importer.organisation_label
            field.help_text = importer.organisation_help
            default = None if self.is_bound else importer.organisation_default(user, choices)
            if default is not None:  # the only sensible choice is made for the user
                field.initial = default.pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["content"], self.cleaned_data["sheet"] = upload_read(upload)
        return upload
