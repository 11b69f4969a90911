"""What people read: every HTML page the URL × role walk (tests/portal/url_walk.py) reaches (its world, its clients,
its routes — the public rating, questionnaire, demand and branch pages among them), and the error pages as a
logged-in member and as the anonymous public, must not show

- template syntax (a `{# … #}` comment over two lines renders as text, so does a broken tag),
- English words (developer text, code names) — apart from the few names in ALLOWED_WORDS and login names,
- numbers with more than two decimals (`88.4000000000000`).

Only the visible text counts: tags, attribute values, scripts and styles are stripped first.
"""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.views import defaults

from tests.conftest import Cast
from tests.portal.page_text import text_problems
from tests.portal.url_walk import ROLES, answer, build, clients, routes, world

pytestmark = pytest.mark.django_db


def test_the_checker_reads_only_the_visible_text():
    page = """<html><head><title>页面</title><style>.a{color:red}</style></head><body>
      <a href="/services/activities/?state=draft" class="nav-link" title="x">服务活动</a>
      <script type="application/json">{"series": [{"name": "满意度"}]}</script>
      <p>党支部A · ORG001 · 代码 a1B2c3 · 导出 Excel · 98.5% · 2025.12.31 · http://testserver/r/1-5pq/</p></body></html>"""
    assert text_problems(page) == []


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>{# The public's pages\n(no login) #}</p>", "template syntax"),
        ("<p>{{ activity.title }}</p>", "template syntax"),
        ("<p>report.download · portal.ReportExport #1</p>", "English: 'report'"),
        ("<p>评议得分 88.4000000000000</p>", "long decimal"),
        ("<td>pending</td>", "English: 'pending'"),
    ],
)
def test_the_checker_finds_what_issue_13_found(html, found):
    assert any(problem.startswith(found) for problem in text_problems(html)), text_problems(html)


def test_login_names_may_show():
    assert text_problems("<span>secretary</span>", logins={"secretary"}) == []
    assert text_problems("<span>secretary</span>")


def _logins(cast: Cast) -> set[str]:
    return {getattr(cast, role).username for role in ROLES if role != "anonymous"}


def test_every_page_as_every_role_reads_as_chinese(cast):
    objects, by_role, logins = world(cast), clients(cast), _logins(cast)
    failures, checked = [], 0
    for route in routes():
        url = build(route, objects)
        for role in ROLES:
            got = answer(by_role[role], "get", url)
            if not got.html:  # 200s, and the 403/404 pages the walk meets on the way
                continue
            checked += 1
            failures += [f"{route.name} {url} as {role}: {problem}" for problem in text_problems(got.html, logins)]
    assert checked > 300  # the walk did reach the pages
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def _handler_request(user=None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    return request


@pytest.mark.parametrize("role", ["anonymous", "member", "secretary"])
def test_the_error_pages_read_as_chinese(cast, role):
    user = None if role == "anonymous" else getattr(cast, role)
    client = clients(cast)[role]
    not_found = answer(client, "get", "/no-such-page/")
    assert not_found.status == 404
    request = _handler_request(user)
    pages = {
        "404 (the URLconf)": not_found.html,
        "404 (a view)": defaults.page_not_found(request, Http404("x")).content.decode(),
        "403": defaults.permission_denied(request, PermissionDenied()).content.decode(),
        "500": defaults.server_error(request).content.decode(),
    }
    failures = [f"{name}: {problem}" for name, html in pages.items() for problem in text_problems(html, _logins(cast))]
    assert not failures, "\n".join(failures)
    assert all("页面不存在" in pages[name] for name in ("404 (the URLconf)", "404 (a view)"))


def test_no_template_holds_a_comment_over_several_lines():
    """Django's {# … #} ends at the line's end: a longer one renders as text. {% comment %} instead."""
    root = Path(__file__).resolve().parents[2] / "templates"
    broken = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert not broken, broken


MENU = 'id="nav-main"'


@pytest.mark.parametrize("url", ["/no-such-page/", "/audit/"], ids=["404", "403"])
def test_error_pages_keep_the_menu_for_a_signed_in_user(cast, login, url):
    got = answer(login(cast.member), "get", url)
    assert got.status in {403, 404} and MENU in got.html and "我的积分" in got.html
    assert "页面不存在" in got.html or "只有组织部工作人员可以查看审计日志" in got.html


def test_error_pages_stay_plain_for_the_public(client):
    got = answer(client, "get", "/no-such-page/")
    assert got.status == 404 and MENU not in got.html and "页面不存在" in got.html
