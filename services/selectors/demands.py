"""Demands: reads, shaped and scoped. Overdue and unmet are derived here, in SQL, so lists can filter and sort on
them; nothing of the kind is stored.

Who sees what: those who manage an organisation see its subtree's demands and may act on them; anyone else sees
only the demands assigned to them (to their person, or to a team they are an active member of), read-only."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from branches.models import Organisation, Person
from branches.selectors import check_write, person_list_for_user, scope_for, working_calendar
from portal.lib.workdays import working_days_between
from portal.models import User
from services.models import Demand
from volunteers.models import PersonSkill, Team, TeamMembership
from volunteers.selectors import team_choices_for_user

CLOSED_STATES = (Demand.State.DONE, Demand.State.CALLED_BACK)


def overdue_q(today: datetime.date) -> Q:
    """Open past its deadline, or done after it (a late demand stays late once done)."""
    return open_overdue_q(today) | Q(state__in=CLOSED_STATES, done_on__gt=F("deadline"))


def open_overdue_q(today: datetime.date) -> Q:
    """Still open past its deadline: the work to do now (reminders, the monthly briefing, the home page)."""
    return Q(state__in=Demand.OPEN_STATES, deadline__lt=today)


def on_time_q() -> Q:
    """Done by its deadline (按期办结): the counterpart of a demand done late."""
    return Q(state__in=CLOSED_STATES, done_on__lte=F("deadline"))


def unmet_expression() -> Q:
    """The category needs a skill and no active person in the demand organisation's subtree holds it."""
    holders = PersonSkill.objects.filter(
        skill_id=OuterRef("category__skill_id"),
        person__is_active_member=True,
        person__organisation__path__startswith=OuterRef("organisation__path"),
    )
    return Q(category__skill__isnull=False) & ~Exists(holders)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _assigned_to_me_q(person_id: int | None) -> Q:
    if not person_id:
        return Q(pk__in=[])
    teams = TeamMembership.objects.filter(person_id=person_id, state=TeamMembership.State.ACTIVE).values("team_id")
    return Q(assigned_person_id=person_id) | Q(assigned_team_id__in=teams)


def demand_list_for_user(*, user: User) -> QuerySet[Demand]:
    """The user's demands, overdue first (open ones before those done late), then by deadline."""
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__") if scope.manages_anything else Q(pk__in=[])
    if not scope.everything:
        visible |= _assigned_to_me_q(scope.person_id)
    today = timezone.localdate()
    return (
        Demand.objects.filter(visible)
        .select_related("organisation", "category", "category__skill", "assigned_person", "assigned_team")
        .annotate(
            is_overdue=_flag(overdue_q(today)),
            is_open=_flag(Q(state__in=Demand.OPEN_STATES)),
            is_unmet=_flag(unmet_expression()),
        )
        .order_by("-is_overdue", "-is_open", "deadline", "pk")
    )


def demand_can_write(*, user: User, demand: Demand) -> bool:
    return scope_for(user).covers_path(demand.organisation.path)


def demand_get_for_user(*, user: User, pk: int, write: bool = False) -> Demand:
    """404 outside the scope (and for a member, unless assigned to them); PermissionDenied when seen but not
    writable and `write`."""
    demand = demand_list_for_user(user=user).filter(pk=pk).first()
    if demand is None:
        raise Http404("群众需求不存在。")
    if write:
        check_write(user, demand_can_write(user=user, demand=demand))
    return demand


def demand_create_check(*, user: User) -> None:
    """Entering demands is a staff tool: for a user who manages nothing the page does not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def demand_assignee_choices(*, user: User, demand: Demand) -> QuerySet[Person]:
    """Active people in the user's scope, those with the skill the category needs first."""
    people = person_list_for_user(user=user).filter(is_active_member=True)
    if demand.category.skill_id:
        has_skill = Exists(PersonSkill.objects.filter(person_id=OuterRef("pk"), skill_id=demand.category.skill_id))
    else:
        has_skill = Value(False, output_field=BooleanField())
    in_organisation = _flag(Q(organisation__path__startswith=demand.organisation.path))
    return people.annotate(has_skill=has_skill, in_organisation=in_organisation).order_by(
        "-has_skill", "-in_organisation", "organisation__path", "name", "pk"
    )


def demand_team_choices(*, user: User) -> QuerySet[Team]:
    """Teams a demand may be handed to: those of the user's organisations, and teams the user leads."""
    return team_choices_for_user(user=user).select_related("organisation").order_by("path")


def public_demand_organisation(*, pk: int) -> Organisation | None:
    """The organisation a public form posts to: any party organisation that is not archived."""
    return Organisation.objects.filter(pk=pk, is_archived=False).first()


@dataclass(frozen=True)
class DeadlineStatus:
    working_days_left: int | None  # open and not late: working days until the deadline (0 = due today)
    days_overdue: int | None  # late: calendar days past the deadline (until today, or until done)


def demand_deadline_status(*, demand: Demand, today: datetime.date | None = None) -> DeadlineStatus:
    """For the demand page: working days left, or days overdue (one query for the calendar)."""
    today = today or timezone.localdate()
    if demand.state in Demand.OPEN_STATES:
        if today > demand.deadline:
            return DeadlineStatus(None, (today - demand.deadline).days)
        holidays, workdays = working_calendar()
        return DeadlineStatus(working_days_between(today, demand.deadline, holidays, workdays), None)
    if demand.done_on and demand.done_on > demand.deadline:
        return DeadlineStatus(None, (demand.done_on - demand.deadline).days)
    return DeadlineStatus(None, None)


def demand_summary_counts() -> dict[str, int]:
    """Demands per state, and the overdue ones (the demo summary)."""
    counts = dict(Demand.objects.values_list("state").order_by().annotate(n=Count("pk")))
    counts["overdue"] = Demand.objects.filter(overdue_q(timezone.localdate())).count()
    return counts


def demands_open_overdue(*, today: datetime.date) -> QuerySet[Demand]:
    """Every demand still open past its deadline on `today` (the daily reminder job; not scoped: the system)."""
    return (
        Demand.objects.filter(open_overdue_q(today))
        .select_related("organisation", "category", "assigned_person__user", "assigned_team")
        .order_by("deadline", "pk")
    )
