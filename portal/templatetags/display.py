"""Display filters every page uses for figures and dates: `{% load display %}`, then `{{ sheet.total|num }}`
(at most two decimals; `|num:1` for one) and `{{ demand.deadline|short_date }}` (`|short_date:"time"` adds the
time). The rules live in portal/lib/display.py."""

from django import template

from portal.lib.display import plain_number
from portal.lib.display import short_date as _short_date

register = template.Library()


@register.filter
def num(value: object, places: int = 2) -> str:
    return plain_number(value, int(places))


@register.filter
def short_date(value, arg: str = "") -> str:
    return _short_date(value, with_time=arg == "time")


@register.simple_tag
def portal_version() -> str:
    """The release, for the page footer (so a user reporting a problem can say which one)."""
    import portal

    return portal.__version__
