"""The walk over every URL of the site: its routes, one object of each kind to build them with, and a client per role.

Shared by the test modules (no test module imports from another)."""

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core import signing
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from branches import actions as branch_actions
from evaluations.actions.assessment import branch_assess
from evaluations.actions.points import points_adjustment_request
from evaluations.models import PointsEntry
from evaluations.selectors.assessment import CHECKLIST
from evaluations.selectors.questionnaires import questionnaire_code
from evaluations.selectors.ratings import rating_code
from meetings.actions import meeting_attachments_add
from portal.actions import notification_send
from reports.actions import report_export_run, report_export_start
from services.actions.pairing import visit_record
from services.actions.pledges import post_create
from services.models import HoursEntry
from services.views.demands import DONE_SALT
from tests.conftest import Cast
from tests.evaluations.conftest import activity as running_activity
from tests.evaluations.conftest import bad_follow_up
from tests.evaluations.points_helpers import day, past_activity, settle
from tests.evaluations.questionnaire_helpers import survey
from tests.evaluations.review_helpers import open_round, sheet_of
from tests.factories import member
from tests.meetings.conftest import plan as plan_meeting
from tests.services.demand_helpers import receive
from tests.services.pairing_helpers import jpeg_bytes, make_household, make_pairing, upload
from tests.services.pledge_helpers import FIELDS as POST_FIELDS
from tests.services.pledge_helpers import make_pledge
from volunteers import actions as team_actions
from volunteers.models import ReviewProposal, Team

ROLES = ["anonymous", "member", "secretary", "outsider", "committee", "orgadmin"]


OBJECTS: list[tuple[str, str, str]] = [
    (r"imports:", "kind", "import_kind"),
    (r"imports:resume", "token", "import_token"),
    (r"branches:organisation_", "pk", "organisation"),
    (r"services:public_", "org_pk", "organisation"),
    (r"branches:(person_|mobile_depart)", "pk", "person"),
    (r"services:person_skills", "person_pk", "person"),
    (r"branches:mobile_", "pk", "mobile"),
    (r"(services:(activity_|participation_|attendance_)|evaluations:activity_)", "pk", "activity"),
    (r"services:hours_correct", "pk", "hours_entry"),
    (r"services:team_member_admit", "membership_pk", "applicant"),
    (r"services:team_member_leave", "membership_pk", "membership"),
    (r"services:team_", "pk", "team"),
    (r"services:review_decide", "pk", "proposal"),
    (r"services:demand_", "pk", "demand"),
    (r"services:public_demand_done", "token", "demand_token"),
    (r"services:pledge_", "pk", "pledge"),
    (r"services:post_", "pk", "post"),
    (r"services:visit_photo", "pk", "photo"),
    (r"services:(pairing_|visit_)", "pk", "pairing"),
    (r"evaluations:rate", "code", "rating_code"),
    (r"evaluations:follow_up_", "pk", "follow_up"),
    (r"evaluations:questionnaire_answer", "code", "questionnaire_code"),
    (r"evaluations:questionnaire_", "pk", "questionnaire"),
    (r"evaluations:questionnaire_question_", "question_pk", "question"),
    (r"evaluations:points_adjustment_", "pk", "adjustment"),
    (r"evaluations:points_entry_", "pk", "points_entry"),
    (r"evaluations:review_(organisation_score|follow_up)", "pk", "review_sheet"),
    (r"evaluations:review_", "pk", "review_round"),
    (r"evaluations:assessment_", "pk", "assessment"),
    (r"meetings:attachment_file", "pk", "meeting_attachment"),
    (r"meetings:leave_decide", "attendance_pk", "meeting_attendance"),
    (r"meetings:", "pk", "meeting"),
    (r"reports:", "pk", "report"),
    (r"inbox:notification_", "pk", "notification"),
]


def _skipped(name: str, route: str) -> bool:
    """The admin has its own tests; allauth's pages are allauth's; static and media files are not views of ours."""
    return name.startswith(("admin:", "account_")) or route.startswith(("static/", "media/"))


@dataclass
class Route:
    name: str  # with its namespaces, for reverse()
    route: str  # the pattern, for messages
    kwargs: tuple[str, ...]
    view: Callable


def _kwargs(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    return list(converters) if converters else list(pattern.regex.groupindex)


def walk(patterns=None, prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()) -> Iterator[Route]:
    """Every URL pattern, with its namespaced name and the arguments of the includes it sits in."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = kwargs + tuple(_kwargs(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name or ''}" if namespace else entry.name or ""
            yield Route(name=name, route=prefix + str(entry.pattern), kwargs=here, view=entry.callback)


def routes() -> list[Route]:
    found = [route for route in walk() if not _skipped(route.name, route.route)]
    unnamed = [route.route for route in found if not route.name or route.name.endswith(":")]
    assert not unnamed, f"unnamed URL patterns cannot be checked here; give them a name: {unnamed}"
    return found


def object_key(route: Route, kwarg: str) -> str:
    for pattern, name, key in OBJECTS:
        if name == kwarg and re.match(pattern, route.name):
            return key
    raise LookupError(
        f"{route.name} ({route.route}): no object of 党支部A is mapped to the argument {kwarg!r}; "
        "add a row to OBJECTS in tests/portal/url_walk.py"
    )


def post_only(view: Callable) -> bool:
    """True when the view (through its decorators) is restricted to POST by require_POST/require_http_methods."""
    while view is not None:
        cells = dict(zip(view.__code__.co_freevars, view.__closure__ or (), strict=True))
        if "request_method_list" in cells:
            return set(cells["request_method_list"].cell_contents) == {"POST"}
        view = getattr(view, "__wrapped__", None)
    return False


def world(cast: Cast) -> dict[str, object]:
    """One object of each kind the URLs need, all of 党支部A, made through the actions (as the tests of each
    area make them). Values are pks, or the codes/tokens the public links carry."""
    today = timezone.localdate()
    secretary = cast.secretary

    traveller = member(cast.branch_a, name="甲外出党员")
    mobile = branch_actions.mobile_departure_record(
        actor=None, person=traveller, leave_date=today - datetime.timedelta(days=10), destination="深圳"
    )

    activity = running_activity(cast, organisation=cast.branch_a, title="甲支部便民服务")
    follow_up = bad_follow_up(activity)
    past_activity(cast, day(3), [cast.member_person])  # closed, hours approved: points to settle, hours to correct
    settle()
    hours_entry = HoursEntry.objects.filter(participation__person=cast.member_person).latest("pk")
    points_entry = PointsEntry.objects.filter(person=cast.member_person).latest("pk")
    adjustment = points_adjustment_request(actor=secretary, person=cast.member_person, points=3, reason="值守")

    team = team_actions.team_create(
        actor=secretary, name="甲服务大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )
    membership = team_actions.membership_add(
        actor=secretary, team=team, person=cast.person_a, joined_on=today - datetime.timedelta(days=30)
    )
    applicant = team_actions.membership_apply(actor=secretary, team=team, person=member(cast.branch_a, name="甲申请人"))
    team_actions.team_review_propose(team=team, year=today.year, hours_last_12_months={})

    demand = receive(cast)
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a))
    visit = visit_record(
        actor=None, pairing=pairing, date=today, notes="走访了解情况", photos=[upload("v.jpg", jpeg_bytes())]
    )
    questionnaire = survey(secretary, cast.branch_a, title="甲支部问卷")
    review_round = open_round(cast)
    report = report_export_start(actor=secretary, year=today.year - 1, organisation=cast.branch_a)
    report_export_run(export_id=report.pk)  # the job on_commit would queue: built, so it can be downloaded
    notification = notification_send(recipient=secretary, key="url-permissions", title="提醒", url="/")
    meeting = plan_meeting(cast.branch_a)
    meeting_attachments_add(actor=None, meeting=meeting, files=[upload("纪要.pdf", b"%PDF-1.4\n%%EOF")])
    return {
        "organisation": cast.branch_a.pk,
        "person": cast.person_a.pk,
        "mobile": mobile.pk,
        "activity": activity.pk,
        "hours_entry": hours_entry.pk,
        "team": team.pk,
        "membership": membership.pk,
        "applicant": applicant.pk,
        "proposal": ReviewProposal.objects.filter(team=team).latest("pk").pk,
        "demand": demand.pk,
        "demand_token": signing.dumps(demand.pk, salt=DONE_SALT),
        "pledge": make_pledge(cast, person=cast.member_person).pk,
        "post": post_create(actor=secretary, person=cast.person_a, **POST_FIELDS).pk,
        "pairing": pairing.pk,
        "photo": visit.photos.get().pk,
        "rating_code": rating_code(activity),
        "follow_up": follow_up.pk,
        "questionnaire": questionnaire.q.pk,
        "questionnaire_code": questionnaire_code(questionnaire=questionnaire.q),
        "question": questionnaire.single.pk,
        "adjustment": adjustment.pk,
        "points_entry": points_entry.pk,
        "review_round": review_round.pk,
        "review_sheet": sheet_of(review_round, cast.member_person).pk,
        "assessment": branch_assess(
            actor=cast.orgadmin,
            organisation=cast.branch_a,
            year=today.year - 1,
            checklist={key: (True, "有据可查") for key in CHECKLIST},
        ).pk,
        "report": report.pk,
        "notification": notification.pk,
        "meeting": meeting.pk,
        "meeting_attendance": meeting.attendances.get(person=cast.member_person).pk,
        "meeting_attachment": meeting.attachments.get().pk,
        "import_kind": "people",
        "import_token": "x" * 43,  # well-formed, stored by nobody: the page answers 404 for everyone
    }


def build(route: Route, objects: dict[str, object]) -> str:
    return reverse(route.name, kwargs={kwarg: objects[object_key(route, kwarg)] for kwarg in route.kwargs})


def clients(cast: Cast) -> dict[str, Client]:
    made = {}
    for role in ROLES:
        made[role] = Client(raise_request_exception=False)
        if role != "anonymous":
            made[role].force_login(getattr(cast, role))
    return made


@dataclass
class Answer:
    status: int
    location: str
    html: str  # the body of a (non-streaming) text/html answer, else ""


def answer(client: Client, method: str, url: str) -> Answer:
    response = getattr(client, method)(url)
    html = ""
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        html = response.content.decode()
    # File responses (photos, exports) hold a file open. Closing a response also sends request_finished, whose
    # close_old_connections would close the test's connection (mid-transaction) on PostgreSQL: not here.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return Answer(response.status_code, response.get("Location", ""), html)
