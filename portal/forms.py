from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("用户名或手机号")
        self.fields["login"].widget.attrs.update({"placeholder": _("用户名或手机号"), "autocomplete": "username"})


class DateInput(forms.DateInput):
    """A date as the browser's date picker (YYYY-MM-DD): every app's date fields use it."""

    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
