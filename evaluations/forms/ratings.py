"""The public rating form: five levels and an optional comment. Converts and validates; the action stores."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.actions.ratings import COMMENT_MAX
from evaluations.models import Rating
from portal.forms import PlainTextField


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("您对本次服务满意吗？"),
        choices=Rating.Level.choices,  # 非常满意 5 … 非常不满意 1
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择您的评价。"), "invalid_choice": _("请选择五个评价等级之一。")},
    )
    comment = PlainTextField(
        label=_("意见建议（选填）"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX, "class": "form-control form-control-lg"}),
        error_messages={"max_length": _("意见建议不能超过 %(limit_value)d 字（现有 %(show_value)d 字）。")},
    )
