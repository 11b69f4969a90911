"""The branch assessment pages: the form (live figures, prefilled when re-assessing, POST → the action → the
assessment's page), the assessment's page (checklist with evidence, frozen figures, stars), the list's year
filter, and the comparison (sorting, the chart's data through json_script, no inline script)."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from evaluations.actions.assessment import branch_assess
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import CHECKLIST
from tests.evaluations.assessment_helpers import Y, past_activity
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
E = "evaluations:"


def checklist(*unmet: str) -> dict:
    return {key: (key not in unmet, "" if key in unmet else f"{key} 佐证") for key in CHECKLIST}


def post_body(organisation, year: int, *unmet: str, evidence: str = "会议记录") -> dict:
    body = {"organisation": organisation.pk, "year": year}
    for key in CHECKLIST:
        if key not in unmet:
            body[f"has_{key}"] = "on"
            body[f"{key}_evidence"] = evidence
    return body


def test_form_shows_the_live_figures(cast, login):
    people = [cast.secretary_person, cast.member_person]
    past_activity(cast.branch_a, datetime.date(Y, 3, 1), attendees=people)
    response = login(cast.committee).get(reverse(E + "assessment_form"), {"organisation": cast.branch_a.pk, "year": Y})
    assert response.status_code == 200
    assert response.context["figures"]["activities"] == 1 and response.context["figures"]["participants"] == 2
    content = response.content.decode()
    assert "党员参与率" in content and "66.7%" in content  # 2 of A's 3 members
    assert "有坚强的领导班子" in content


def test_form_post_assesses_and_shows_the_stars(cast, login):
    client = login(cast.committee)
    url = reverse(E + "assessment_form") + f"?organisation={cast.branch_a.pk}&year={Y}"
    response = client.post(url, post_body(cast.branch_a, Y, "carriers"), follow=True)
    assessment = BranchAssessment.objects.get(organisation=cast.branch_a, year=Y)
    assert response.redirect_chain == [(reverse(E + "assessment_detail", args=[assessment.pk]), 302)]
    assert not assessment.has_carriers and assessment.has_rules and assessment.rules_evidence == "会议记录"
    assert assessment.stars == 2  # five items (3), no threshold reached (−1)
    content = response.content.decode()
    assert "评星结果已保存" in content
    assert 'data-stars="2"' in content and "★★☆☆☆" in content


def test_form_post_without_evidence_shows_the_error_and_writes_nothing(cast, login):
    client = login(cast.committee)
    url = reverse(E + "assessment_form") + f"?organisation={cast.branch_a.pk}&year={Y}"
    response = client.post(url, post_body(cast.branch_a, Y, evidence=""))
    assert response.status_code == 200
    assert "已勾选此项，请填写佐证材料" in response.content.decode()
    assert not BranchAssessment.objects.exists()


def test_form_refuses_a_branch_outside_the_posted_choices(cast, login):
    """The organisation posted must be one the user may assess, whatever the address says."""
    client = login(cast.orgadmin)
    url = reverse(E + "assessment_form") + f"?organisation={cast.branch_a.pk}&year={Y}"
    response = client.post(url, post_body(cast.general_branch, Y))
    assert response.status_code == 200 and response.context["form"].errors["organisation"]
    assert not BranchAssessment.objects.exists()


def test_reassessing_prefills_the_form(cast, login):
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=checklist("premises"))
    response = login(cast.committee).get(reverse(E + "assessment_form"), {"organisation": cast.branch_a.pk, "year": Y})
    form = response.context["form"]
    assert form.initial["has_premises"] is False and form.initial["has_rules"] is True
    assert form.initial["rules_evidence"] == "rules 佐证"
    assert "再次提交将按当前数据重新计算指标" in response.content.decode()


def test_detail_shows_checklist_evidence_and_frozen_figures(cast, login):
    past_activity(cast.branch_a, datetime.date(Y, 3, 1), attendees=[cast.secretary_person])
    assessment = branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=checklist("rules"))
    past_activity(cast.branch_a, datetime.date(Y, 4, 1), attendees=[cast.member_person])  # after: not shown
    response = login(cast.secretary).get(reverse(E + "assessment_detail", args=[assessment.pk]))
    content = response.content.decode()
    assert "leadership 佐证" in content and "rules 佐证" not in content
    assert "“六有”达标 5 / 6 项" in content
    assert response.context["figures"]["activities"] == 1
    assert "开展活动 1 次" in content and "参加过活动的党员 1 人" in content
    rows = {row["key"]: row for row in response.context["figure_rows"]}
    assert rows["participation_rate"]["value"] == 33.3 and rows["participation_rate"]["met"] is False


def test_list_filters_by_year(cast, login):
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=checklist())
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_b, year=Y - 1, checklist=checklist())
    client = login(cast.committee)
    everything = client.get(reverse(E + "assessment_list"))
    assert everything.context["page"].paginator.count == 2 and everything.context["years"] == [Y, Y - 1]
    of_year = client.get(reverse(E + "assessment_list"), {"year": Y - 1})
    assert [a.organisation for a in of_year.context["page"]] == [cast.branch_b]
    bad = client.get(reverse(E + "assessment_list"), {"year": "二〇二五"}, follow=True)
    assert bad.context["page"].paginator.count == 2 and "年度有误" in bad.content.decode()


def _compare(client, cast, **params):
    return client.get(reverse(E + "assessment_compare"), {"parent": cast.committee_org.pk, "year": Y, **params})


def test_compare_rows_sorting_and_chart_data(cast, login):
    c = OrganisationFactory(name="党支部C", parent=cast.general_branch)
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=checklist())  # 6 items: 3 ★
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_b, year=Y, checklist=checklist("rules", "results"))
    past_activity(c, datetime.date(Y, 5, 1), attendees=[])  # C not assessed: live figures
    client = login(cast.committee)

    by_name = _compare(client, cast)
    assert [row.organisation.name for row in by_name.context["rows"]] == ["党支部A", "党支部B", "党支部C"]
    by_stars = _compare(client, cast, sort="stars")
    assert [(row.organisation.name, row.stars) for row in by_stars.context["rows"]] == [
        ("党支部A", 3),
        ("党支部B", 1),
        ("党支部C", None),  # not assessed: last
    ]
    rows = {row.organisation.name: row for row in by_stars.context["rows"]}
    assert rows["党支部A"].frozen and rows["党支部A"].checklist_count == 6
    assert not rows["党支部C"].frozen and rows["党支部C"].figures["activities"] == 1

    content = by_stars.content.decode()
    data = json.loads(re.search(r'<script id="assessment-data" type="application/json">(.*?)</script>', content)[1])
    assert data["labels"] == ["党支部A", "党支部B", "党支部C"] and data["stars"] == [3, 1, None]
    assert [series["name"] for series in data["series"]][:2] == ["党员参与率", "群众满意率"]
    # no inline script: every other script tag loads a file
    for tag in re.findall(r"<script[^>]*>", content):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "js/assessment.js" in content


def test_compare_sort_by_a_figure_puts_missing_values_last(cast, login):
    c = OrganisationFactory(name="党支部C", parent=cast.general_branch)  # no members: no figures
    past_activity(cast.branch_b, datetime.date(Y, 5, 1), attendees=[cast.outsider_person, cast.person_b])
    past_activity(cast.branch_a, datetime.date(Y, 5, 1), attendees=[cast.member_person])
    rows = _compare(login(cast.orgadmin), cast, sort="participation_rate").context["rows"]
    assert [(row.organisation, row.figures["participation_rate"]) for row in rows] == [
        (cast.branch_b, 100.0),
        (cast.branch_a, 33.3),
        (c, None),
    ]
    unknown = _compare(login(cast.orgadmin), cast, sort="drop table")
    assert unknown.status_code == 200 and unknown.context["sort"] == "name"
