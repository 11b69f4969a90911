from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.text import printable


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("用户名或手机号")
        self.fields["login"].widget.attrs.update({"placeholder": _("用户名或手机号"), "autocomplete": "username"})


class PlainTextField(forms.CharField):
    """A text field of a public form: control characters are dropped before the length and other checks (Django's
    own CharField refuses only NUL, with an English-sounding error)."""

    def to_python(self, value):
        return super().to_python(printable(value) if isinstance(value, str) else value)


class DateInput(forms.DateInput):
    """A date as the browser's date picker (YYYY-MM-DD): every app's date fields use it."""

    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
