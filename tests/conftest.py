"""The role cast every test can use, and the switches for tests that need real services.

Tree: 示范区委员会 (committee) → 第一党总支 (general branch) → 党支部A, 党支部B.
Cast: orgadmin (组织部), committee (secretary of the committee), secretary (of A), member (of A),
outsider (secretary of B), and the anonymous public (the plain `client`).
"""

import datetime
import importlib
import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache

from branches import actions
from branches.models import Organisation, Person, Role
from portal.models import User
from tests.factories import OrganisationFactory, UserFactory, member

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    """Tests that need a real service skip when it is absent — unless REQUIRE_SERVICES=1, when they must run."""
    missing = {
        "postgres": None if ON_POSTGRES else "需要 PostgreSQL（设置 DATABASE_URL）",
        "redis": None if settings.REDIS_URL else "需要 Redis（设置 REDIS_URL）",
        "browser": None if shutil.which(CHROMIUM) else f"需要 {CHROMIUM}",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                if REQUIRE_SERVICES:
                    # Fails at set-up: with REQUIRE_SERVICES=1 a missing service is an error, never a skip.
                    item.add_marker(pytest.mark.usefixtures("_fail_missing_service"))
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def celery_worker():
    """A real Celery worker (a thread of this process) consuming this process's queue on the Redis broker, with
    tasks sent to the broker instead of run in-process. Messages a cut-off earlier run left are purged first."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.conf.task_always_eager = False
    try:
        app.control.purge()
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            yield app
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def _fail_missing_service():
    pytest.fail("REQUIRE_SERVICES=1: a required service is missing")


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Uploads (imports waiting for their confirm step, photos, reports) go to a folder of the test's own: ids repeat
    across tests (each rolls back), so a shared folder would hand one test's stored upload to the next."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; every test starts with none used, and with no Redis outage remembered."""
    from portal.cache import _Outage

    _Outage.until = 0.0
    cache.clear()
    yield
    cache.clear()


REFERENCE_DATA_MIGRATIONS = (
    "volunteers.migrations.0002_default_star_levels",
    "volunteers.migrations.0003_default_skills",
    "services.migrations.0003_default_categories",
    "services.migrations.0005_default_demand_categories",
)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The rows data migrations add (categories, skills, star levels) vanish when a transactional test flushes
    the database, and with parallel workers any test may come after one. Put them back (idempotently)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    transactional = transactional or bool(names & {"transactional_db", "live_server"})
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).add_defaults(apps, None)


@dataclass
class Cast:
    committee_org: Organisation
    general_branch: Organisation
    branch_a: Organisation
    branch_b: Organisation
    orgadmin: User
    committee: User
    secretary: User
    member: User
    outsider: User
    member_person: Person
    secretary_person: Person
    outsider_person: Person
    person_a: Person  # an ordinary member of A without a login
    person_b: Person  # an ordinary member of B without a login


def _with_login(person: Person, username: str) -> User:
    return actions.person_account_create(actor=None, person=person, username=username, password="demo12345")


@pytest.fixture
def cast(db) -> Cast:
    since = datetime.date(2020, 1, 1)
    committee_org = OrganisationFactory(name="示范区委员会", kind=Organisation.Kind.COMMITTEE)
    general_branch = OrganisationFactory(name="第一党总支", kind=Organisation.Kind.GENERAL_BRANCH, parent=committee_org)
    branch_a = OrganisationFactory(name="党支部A", parent=general_branch)
    branch_b = OrganisationFactory(name="党支部B", parent=general_branch)

    orgadmin = UserFactory(username="orgadmin", is_org_department=True, is_staff=True, is_superuser=True)

    committee_person = member(committee_org, name="区委书记")
    committee = _with_login(committee_person, "committee")
    actions.role_assign(
        actor=None, person=committee_person, organisation=committee_org, role=Role.SECRETARY, start_date=since
    )

    secretary_person = member(branch_a, name="甲书记")
    secretary = _with_login(secretary_person, "secretary")
    actions.role_assign(
        actor=None, person=secretary_person, organisation=branch_a, role=Role.SECRETARY, start_date=since
    )

    member_person = member(branch_a, name="甲党员", phone="13800000001")
    member_user = _with_login(member_person, "member")

    outsider_person = member(branch_b, name="乙书记")
    outsider = _with_login(outsider_person, "outsider")
    actions.role_assign(
        actor=None, person=outsider_person, organisation=branch_b, role=Role.SECRETARY, start_date=since
    )

    for user in (committee, secretary, outsider):
        actions.account_grant_secretary(actor=None, user=user)

    return Cast(
        committee_org=committee_org,
        general_branch=general_branch,
        branch_a=branch_a,
        branch_b=branch_b,
        orgadmin=orgadmin,
        committee=committee,
        secretary=secretary,
        member=member_user,
        outsider=outsider,
        member_person=member_person,
        secretary_person=secretary_person,
        outsider_person=outsider_person,
        person_a=member(branch_a, name="甲群众党员"),
        person_b=member(branch_b, name="乙党员"),
    )


@pytest.fixture
def login(client):
    """login(user) → a client logged in as that user (None: the anonymous public)."""

    def _login(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
