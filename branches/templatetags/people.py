from django import template

from branches.forms import person_choice_label
from branches.models import Person

register = template.Library()


@register.filter
def person_label(person: Person) -> str:
    """A person as pickers show them, namesakes told apart: 张伟（党支部A · 1985 年生 · 尾号 1234）."""
    return person_choice_label(person)
