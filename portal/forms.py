from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.text import printable


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("用户名或手机号")
        self.fields["login"].widget.attrs.update({"placeholder": _("用户名或手机号"), "autocomplete": "username"})


class NotificationChannelsForm(forms.Form):
    """提醒方式: 站内 always; 邮件 and 短信 can be ticked only when the account has an address or a number."""

    email = forms.BooleanField(label=_("邮件"), required=False)
    sms = forms.BooleanField(label=_("短信"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        kwargs.setdefault("initial", {"email": user.notify_email and bool(user.email), "sms": user.notify_sms})
        super().__init__(*args, **kwargs)
        if user.email:
            self.fields["email"].help_text = _("发送到 %(email)s") % {"email": user.email}
        else:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("账号没有登记电子邮箱。")
        if user.phone:
            self.fields["sms"].help_text = _("发送到尾号 %(tail)s 的手机") % {"tail": user.phone[-4:]}
        else:
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = _("账号没有登记手机号，请联系支部书记在人员信息中登记。")


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
