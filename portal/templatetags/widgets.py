"""Template helpers for form widgets (templates/django/forms/widgets/)."""

from html import escape

from django import template
from django.utils.safestring import SafeString

register = template.Library()


def _option(option: dict) -> str:
    selected = " selected" if option["selected"] else ""
    return f'<option value="{escape(str(option["value"]))}"{selected}>{escape(str(option["label"]))}</option>'


@register.filter
def select_options(widget: dict) -> SafeString:
    """The <option>s (and <optgroup>s) of a select widget's context, written in plain Python. A district's
    organisation, grid and team lists have thousands of options: Django's one template per option cost most of a
    second a page. The escaping is Django's own (`django.utils.html.escape` is `html.escape` of the text)."""
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        options = "".join(_option(option) for option in group_choices)
        parts.append(f'<optgroup label="{escape(str(group_name))}">{options}</optgroup>' if group_name else options)
    return SafeString("".join(parts))


@register.filter
def filtered_besides(query, names: str) -> bool:
    """Whether the query string (request.GET) sets a filter other than the comma-separated `names` (e.g. "q,page"):
    a list opens its 筛选 panel then, and not for a plain search."""
    skipped = set(names.split(","))
    return any(value for key, values in query.lists() if key not in skipped for value in values)
