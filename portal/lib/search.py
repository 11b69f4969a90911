"""The text search box (`q`) of the lists: one filter class, so every list searches the same way."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

MAX_QUERY = 50  # longer input is cut: a search box, not a document


class TextSearchFilter(django_filters.CharFilter):
    """Rows where any of `fields` contains the (trimmed) text; blank: no filter. The fields are forward paths
    (`title`, `person__name`), so a row never appears twice."""

    def __init__(self, *, fields: tuple[str, ...], placeholder: str = "", **kwargs) -> None:
        attrs = {"type": "search", "maxlength": MAX_QUERY, "placeholder": placeholder or _("输入关键字")}
        kwargs.setdefault("label", _("搜索"))
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)
        self.search_fields = fields

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()[:MAX_QUERY]
        if not value:
            return qs
        return qs.filter(reduce(or_, (Q(**{f"{field}__contains": value}) for field in self.search_fields)))
