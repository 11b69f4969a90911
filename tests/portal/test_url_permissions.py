"""Every URL of the site × every role of the cast, discovered from the URLconf — so a new view is covered the day
it is added, and one whose arguments the walk cannot fill fails here, by name, until the OBJECTS table of
tests/portal/url_walk.py says which object of 党支部A fills them.

For each named pattern (the admin, allauth's account_* pages and static files aside), the URL is built with
objects of 党支部A and requested with GET as anonymous, member of A, secretary of A, secretary of B (the
outsider), committee and orgadmin:

- the anonymous public is sent to the login page, unless the URL is in PUBLIC (listed with the reason);
- the outsider never sees an object of A: 403 or 404 (405 for a POST-only view);
- the managers of A (its secretary, the committee above it, 组织部) do find it: never 404;
- a POST-only view (require_POST) answers GET with 405;
- nothing answers 500.

Then the outsider POSTs an empty body to every URL that takes an object of A: 403, 404 or 405, and no audit
event is written (every action records one, so nothing changed). Failures are collected and reported together.
"""

import pytest
from django.test import Client

from portal.models import AuditEvent
from tests.portal.url_walk import ROLES, Route, answer, build, clients, object_key, post_only, routes, world

pytestmark = pytest.mark.django_db

MANAGERS_OF_A = ["secretary", "committee", "orgadmin"]
LOGIN_URL = "/accounts/login/"

# Pages the anonymous public may open, and why.
PUBLIC = {
    "healthz": "the load balancer's probe",
    "evaluations:rate": "the public rates an activity from its QR code / short link",
    "evaluations:rate_thanks": "the page after a rating",
    "evaluations:questionnaire_answer": "the public answers a questionnaire from its link / QR code",
    "evaluations:questionnaire_answered": "the page after an answer",
    "services:public_demand": "the public files a demand (群众需求) with a branch",
    "services:public_demand_done": "the reference page the demand form redirects to (signed link)",
    "services:public_branch": "a branch's public page: its pledges and posts",
}

# Which object of 党支部A fills a URL argument: (pattern on the URL name, argument) → object; first match wins.
# An argument no row matches fails the test with the URL's name.
# URL arguments that name no object of a branch: the kind of an import (the same page for every branch).
NOT_OBJECTS = {"kind", "token"}


def _status(client: Client, method: str, url: str) -> tuple[int, str]:
    got = answer(client, method, url)
    return got.status, got.location


def of_branch_a(route: Route) -> bool:
    """Whether the URL names an object of 党支部A (an import's kind names no object)."""
    return any(kwarg not in NOT_OBJECTS for kwarg in route.kwargs)


def check_get(route: Route, role: str, status: int, location: str) -> str | None:
    """What is wrong with this answer, or None."""
    public = route.name in PUBLIC
    of_a = of_branch_a(route)
    if status >= 500:
        return "server error"
    if role == "anonymous":
        if public:
            return "a public page sends the public to log in" if location.startswith(LOGIN_URL) else None
        return None if status == 302 and location.startswith(LOGIN_URL) else "not sent to the login page"
    if post_only(route.view) and status != 405:
        return "a POST-only view answers GET"
    if public:
        return None
    if role == "outsider" and of_a and status not in {403, 404, 405}:
        return "the outsider reaches an object of 党支部A"
    if role in MANAGERS_OF_A and of_a and status == 404:
        return "a manager of 党支部A does not find its object"
    return None


@pytest.fixture
def site(cast):
    objects = world(cast)
    return objects, clients(cast), routes()


def test_every_url_as_every_role(site):
    objects, by_role, found = site
    failures, unmapped, requested = [], [], 0
    for route in found:
        try:
            url = build(route, objects)
        except LookupError as error:
            unmapped.append(str(error))
            continue
        for role in ROLES:
            status, location = _status(by_role[role], "get", url)
            requested += 1
            problem = check_get(route, role, status, location)
            if problem:
                failures.append(f"{route.name} GET {url} as {role}: {status} {location} — {problem}")
    assert not unmapped, "\n".join(unmapped)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert requested == len(found) * len(ROLES)


def test_the_outsider_posting_to_objects_of_a_changes_nothing(site):
    objects, by_role, found = site
    failures = []
    checked = 0
    for route in found:
        if not of_branch_a(route) or route.name in PUBLIC:
            continue
        url = build(route, objects)
        before = AuditEvent.objects.count()
        status, location = _status(by_role["outsider"], "post", url)
        checked += 1
        if status not in {403, 404, 405}:
            failures.append(f"{route.name} POST {url} as outsider: {status} {location}")
        if AuditEvent.objects.count() != before:
            failures.append(f"{route.name} POST {url} as outsider: an audit event was written")
    assert checked > 50
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_the_walk_finds_every_area_including_nested_includes():
    names = {route.name for route in routes()}
    for expected in [
        "home",
        "healthz",
        "branches:person_detail",
        "services:activity_detail",
        "evaluations:rate",
        "inbox:inbox",
        "audit:audit_list",
        "reports:report_list",
        "dashboards:dashboard",
    ]:
        assert expected in names
    assert not any(name.startswith(("admin:", "account_")) for name in names)


def test_an_argument_nobody_mapped_fails_with_the_urls_name():
    route = Route(
        name="services:gadget_detail", route="services/gadgets/<int:gadget_pk>/", kwargs=("gadget_pk",), view=id
    )
    with pytest.raises(LookupError, match=r"services:gadget_detail .*'gadget_pk'"):
        object_key(route, "gadget_pk")


def test_post_only_is_read_from_the_decorators():
    by_name = {route.name: route for route in routes()}
    assert post_only(by_name["services:activity_publish"].view)
    assert post_only(by_name["inbox:read_all"].view)
    assert not post_only(by_name["services:activity_detail"].view)
    assert not post_only(by_name["services:demand_create"].view)
