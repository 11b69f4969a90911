"""Choice filters for long lists: a district's 组织部 picks among thousands of organisations, grids and teams."""

import django_filters
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField


class NameChoiceIterator(ModelChoiceIterator):
    """Options as (pk, name) read with values_list: no model instance for each of thousands of options, which cost
    more than the page's own queries. The chosen value is still validated against the queryset as usual."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.queryset.values_list("pk", "name")


class NameChoiceField(ModelChoiceField):
    iterator = NameChoiceIterator


class NameChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter over a model labelled by its `name` (organisations, grids, teams)."""

    field_class = NameChoiceField
