"""The audit-log viewer (/audit/): 组织部 only, newest first, filtered, the changes readable, no N+1."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches import actions
from portal.audit_labels import ACTION_LABELS, action_label, change_rows, object_label
from portal.models import AuditEvent
from tests.portal.test_page_text import visible_text

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
    text = visible_text(html)
    assert text.index("改A0 → 改A1") < text.index("党支部A → 改A0")
    row = '<th scope="row" class="fw-normal text-secondary">名称</th><td class="text-break">改B0</td>'
    assert row + '<td class="text-break">→ 改B1</td>' in html
    assert "修改党组织</strong> · 党组织 #" in html and "organisation.update" not in visible_text(html)
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


def test_change_rows_name_fields_and_facts_in_words():
    assert change_rows("branches.Organisation", {"name": ["旧", "新"], "rows": 3, "filters": {"year": "2025"}}) == [
        {"field": "名称", "before": "旧", "after": "新"},
        {"field": "行数", "value": "3"},
        {"field": "筛选条件", "value": "年度：2025"},
    ]
    assert change_rows("services.Pairing", {"ended_on": [None, "2025-01-01"]}) == [
        {"field": "结束日期", "before": "—", "after": "2025-01-01"}
    ]
    assert change_rows("", ["网格", "手机号"]) == [{"field": "", "value": "网格、手机号"}]
    assert change_rows("branches.Person", {}) == []


def test_change_rows_show_choice_labels_and_yes_no():
    rows = change_rows("branches.Person", {"political_status": ["probationary", "full"], "is_retired": [False, True]})
    assert rows == [
        {"field": "政治面貌", "before": "预备党员", "after": "正式党员"},
        {"field": "已退休", "before": "否", "after": "是"},
    ]


def test_object_label_is_the_models_verbose_name():
    assert object_label("reports.ReportExport") == "年度报告"
    assert object_label("branches.Person") == "人员"
    assert object_label("no.Such") == "no.Such"  # an object type no model answers to shows as stored


def _recorded_action_codes() -> set[str]:
    """Every action code the source records: the literal ones (action="…"), and the ones built from a choice."""
    from branches.models import MembershipEvent, MobileReport
    from services.models import Activity
    from volunteers.models import ReviewProposal

    root = Path(__file__).resolve().parents[2]
    codes = set()
    for app in ("portal", "branches", "volunteers", "services", "evaluations", "reports"):
        for source in (root / app).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            codes |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', text))
            codes |= set(re.findall(r'else "([a-z_]+\.[a-z_.]+)"', text))
    codes |= {f"person.event.{kind}" for kind in MembershipEvent.Kind.values}
    codes |= {f"mobile.report.{kind}" for kind in MobileReport.Kind.values}
    codes |= {f"activity.{state}" for state in Activity.State.values if state != Activity.State.DRAFT}
    codes |= {f"team.review_{state}" for state in ReviewProposal.State.values if state != "proposed"}
    codes |= {
        f"{prefix}.{verb}"
        for prefix in ("activity_category", "demand_category", "hostunit", "grid", "calendarday")
        for verb in ("create", "update")
    }
    codes |= {f"follow_up.{verb}" for verb in ("call_back", "rectify", "close")}
    codes |= {f"points.adjustment.{verb}" for verb in ("approve", "reject")}
    return codes


def test_every_recorded_action_has_a_chinese_label():
    codes = _recorded_action_codes()
    assert {"report.download", "person.status_step", "activity.published", "hostunit.create"} <= codes
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert not missing, f"add these to ACTION_LABELS in portal/audit_labels.py: {missing}"
    assert not [label for label in ACTION_LABELS.values() if re.search(r"[A-Za-z]", label)]


def test_an_unknown_code_reads_through_its_object_else_as_stored():
    assert action_label("report.download") == "下载年度报告"
    assert action_label("grid.archive") == "grid.archive"
    assert action_label("holiday.create", "branches.CalendarDay") == "新建节假日安排"


def test_the_log_reads_as_chinese(cast, login):
    """What issue 13 saw: `report.download · portal.ReportExport #1` and raw JSON."""
    html = login(cast.orgadmin).get(URL).content.decode()
    text = visible_text(html)
    assert "登记政治面貌 · 人员 #" in text and "政治面貌" in text
    assert "political_status" not in text and "branches.Person" not in text and "{" not in text


def test_an_assessments_measured_figures_read_in_words(cast):
    """The figures an assessment freezes are a dict of measure codes: each gets its Chinese name."""
    from evaluations.actions.assessment import branch_assess
    from evaluations.selectors.assessment import CHECKLIST

    branch_assess(
        actor=cast.orgadmin, organisation=cast.branch_a, year=2025, checklist={key: (True, "有据") for key in CHECKLIST}
    )
    event = AuditEvent.objects.filter(action="assessment.create").latest("pk")
    rows = change_rows(event.object_type, event.changes)
    text = " ".join(" ".join(row.values()) for row in rows)
    assert "党员参与率" in text and "人均活动数" in text
    assert not re.search(r"[A-Za-z]{2,}", text), text
