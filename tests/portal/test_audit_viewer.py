"""The audit-log viewer (/audit/): 组织部 only, newest first, filtered, the changes readable, no N+1."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches import actions
from portal.audit_views import change_lines
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/audit/"


def _renames(cast, n: int, prefix: str) -> None:
    """n audited changes by three different actors: renames of branch A (orgadmin), of branch B (outsider, its
    secretary) and of a member's phone (secretary of A)."""
    for i in range(n):
        actions.organisation_update(actor=cast.orgadmin, organisation=cast.branch_a, name=f"{prefix}A{i}")
        actions.organisation_update(actor=cast.outsider, organisation=cast.branch_b, name=f"{prefix}B{i}")
        actions.person_update(actor=cast.secretary, person=cast.person_a, phone=f"139{i:08d}")


def test_reverse_name():
    assert reverse("audit:audit_list") == URL


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["member", "secretary", "committee", "outsider"])
def test_everyone_but_the_org_department_is_refused(cast, login, role):
    """Even the committee secretary, whose subtree is the whole cast: the log spans every subtree."""
    _renames(cast, 1, "改")
    response = login(getattr(cast, role)).get(URL)
    assert response.status_code == 403
    assert "改A0" not in response.content.decode()


def test_org_department_sees_every_event_newest_first_with_readable_changes(cast, login):
    _renames(cast, 2, "改")
    response = login(cast.orgadmin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="audit-event"') == min(AuditEvent.objects.count(), 50)
    # Newest first: the last rename of A (by orgadmin) comes before the first one.
    assert html.index("改A0 → 改A1") < html.index("党支部A → 改A0")
    assert "<code>name</code>：改B0 → 改B1" in html
    assert "orgadmin" in html and "乙书记（outsider）" in html


def test_a_staff_link_in_the_navigation_for_the_org_department_only(cast, login):
    assert 'href="/audit/"' in login(cast.orgadmin).get("/").content.decode()
    assert 'href="/audit/"' not in login(cast.committee).get("/").content.decode()
    assert 'href="/audit/"' not in login(cast.secretary).get("/").content.decode()


def _shown(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [event.action + "@" + event.object_id for event in response.context["page"]]


def test_filters(cast, login):
    _renames(cast, 2, "改")
    client = login(cast.orgadmin)
    a, b = str(cast.branch_a.pk), str(cast.branch_b.pk)

    by_outsider = _shown(client, actor="OUTSIDER")  # the username, case-insensitively
    assert by_outsider == ["organisation.update@" + b] * 2

    people = _shown(client, action="person.")  # a prefix of the action
    assert all(shown.startswith("person.") for shown in people)
    assert people[:2] == ["person.update@" + str(cast.person_a.pk)] * 2  # the newest; the cast's own come after
    assert not any(shown.startswith("organisation.") for shown in people)

    organisations = _shown(client, object_type="branches.Organisation", action="organisation.update")
    assert sorted(organisations) == sorted(["organisation.update@" + a] * 2 + ["organisation.update@" + b] * 2)

    today = timezone.localdate()
    assert len(_shown(client, since=today.isoformat(), until=today.isoformat())) == min(AuditEvent.objects.count(), 50)
    assert _shown(client, until=(today - datetime.timedelta(days=1)).isoformat()) == []
    assert _shown(client, since=(today + datetime.timedelta(days=1)).isoformat()) == []


def test_an_invalid_filter_value_changes_nothing_and_is_reported(cast, login):
    response = login(cast.orgadmin).get(URL, {"object_type": "no.Such", "since": "不是日期"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def _count(client, django_assert_max_num_queries, **params) -> int:
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"actor": "outsider", "action": "organisation"}], ids=["plain", "filtered"])
def test_queries_do_not_grow_with_the_rows(cast, login, django_assert_max_num_queries, params):
    client = login(cast.orgadmin)
    _renames(cast, 2, "少")
    _count(client, django_assert_max_num_queries, **params)  # warm caches (content types, sessions)
    few = _count(client, django_assert_max_num_queries, **params)
    _renames(cast, 20, "多")
    assert _count(client, django_assert_max_num_queries, **params) == few


def test_change_lines():
    assert change_lines({"name": ["旧", "新"], "rows": 3, "filters": {"year": "2025"}}) == [
        {"field": "name", "before": "旧", "after": "新"},
        {"field": "rows", "value": "3"},
        {"field": "filters", "value": '{"year": "2025"}'},
    ]
    assert change_lines({"end": [None, "2025-01-01"]}) == [{"field": "end", "before": "—", "after": "2025-01-01"}]
    assert change_lines(["网格", "手机号"]) == [{"field": "", "value": '["网格", "手机号"]'}]
    assert change_lines({}) == []
