"""No form offers, or accepts, an object of another branch. Every form and filter of the domain apps that is
built for a user (a `user` argument) is found by walking the apps' form modules, so a new one is checked the day it
is added; each of its choice fields that lists scoped rows (organisations, people, grids, hosts, teams, activities)
is built for 党支部A's secretary and must neither list a row of 党支部B nor accept its id."""

import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError

from branches.models import Grid, HostUnit, Organisation, Person
from services.models import Activity
from tests.factories import GridFactory, HostUnitFactory
from tests.services.test_activity_views import make_activity
from volunteers import actions as team_actions
from volunteers.models import Team

pytestmark = pytest.mark.django_db

APPS = ["branches", "volunteers", "services", "evaluations", "reports", "portal"]
# How a scoped row of each model reaches its organisation's path.
PATH_OF = {
    Organisation: "path",
    Person: "organisation__path",
    Grid: "organisation__path",
    HostUnit: "organisation__path",
    Team: "organisation__path",
    Activity: "organisation__path",
}


def _form_modules():
    """The apps' form modules: every `forms` module or package, with what lies inside a forms package."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if "forms" in info.name.split("."):
                yield importlib.import_module(info.name)


def user_forms() -> list[type]:
    """Form and FilterSet classes of our apps whose constructor takes the user."""
    found = {}
    for module in _form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            ours = cls.__module__.split(".")[0] in APPS
            is_form = issubclass(cls, forms.BaseForm | django_filters.FilterSet)
            if ours and is_form and "user" in inspect.signature(cls.__init__).parameters:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def extra_arguments(cls: type) -> dict:
    """Forms that need more than the user: the import upload form is built for the roster (its organisations)."""
    from branches.importers import PersonImporter

    return {"importer": PersonImporter} if cls.__name__ == "ImportUploadForm" else {}


def choice_fields(form) -> dict[str, forms.ModelChoiceField]:
    fields = form.form.fields if isinstance(form, django_filters.FilterSet) else form.fields
    return {
        name: field
        for name, field in fields.items()
        if isinstance(field, forms.ModelChoiceField) and field.queryset.model in PATH_OF
    }


@pytest.fixture
def branch_b_rows(cast) -> dict[type, object]:
    """One scoped row of each kind in 党支部B."""
    b = cast.branch_b
    team = team_actions.team_create(actor=None, name="乙支部服务队", level=Team.Level.BRIGADE, organisation=b)
    return {
        Organisation: b,
        Person: cast.person_b,
        Grid: GridFactory(name="乙网格", organisation=b),
        HostUnit: HostUnitFactory(name="乙单位", organisation=b),
        Team: team,
        Activity: make_activity(cast, organisation=b, title="乙支部活动"),
    }


def test_discovery_finds_the_forms_built_for_a_user():
    names = {cls.__name__ for cls in user_forms()}
    assert {"PersonFilter", "ActivityFilter", "ReportExportForm"} <= names, names


def test_no_form_offers_or_accepts_a_row_of_another_branch(cast, branch_b_rows):
    a_path = cast.branch_a.path
    problems, checked = [], 0
    for cls in user_forms():
        try:
            extra = extra_arguments(cls)
            if issubclass(cls, forms.BaseForm):
                form = cls(user=cast.secretary, **extra)
            else:
                form = cls({}, user=cast.secretary, **extra)
        except TypeError as error:  # another required argument: its own tests build it
            problems.append(f"{cls.__name__}: cannot be built with only the user ({error}); give it a row here")
            continue
        for name, field in choice_fields(form).items():
            model = field.queryset.model
            checked += 1
            path = PATH_OF[model]
            outside = field.queryset.exclude(**{f"{path}__startswith": a_path}).exclude(**{f"{path}__isnull": True})
            if model is Organisation:
                # A branch's secretary may pick the committees above their branch as a context (never branch B).
                outside = outside.exclude(pk__in=Organisation.objects.get_ancestors(cast.branch_a).values("pk"))
            if outside.exists():
                problems.append(f"{cls.__name__}.{name} lists rows outside 党支部A: {list(outside[:3])}")
            try:
                field.clean(str(branch_b_rows[model].pk))
                problems.append(f"{cls.__name__}.{name} accepts {model.__name__} #{branch_b_rows[model].pk} of 党支部B")
            except ValidationError:
                pass
    assert checked >= 5, "fewer scoped choice fields than there are: the discovery is broken"
    assert not problems, "\n".join(problems)
