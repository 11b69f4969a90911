"""The follow-up (整改) of bad ratings: opened with the rating, called back, rectified, closed."""

from django.db import transaction
from django.utils import timezone

from branches.models import Role, RoleAssignment
from branches.selectors import working_day_deadline
from evaluations.models import EvaluationRules, FollowUp, Rating
from portal.audit import audit_record


def _branch_secretary_user(organisation):
    """The account of the organisation's current secretary, if there is one (else the follow-up is the branch's)."""
    today = timezone.localdate()
    role = (
        RoleAssignment.objects.filter(
            organisation=organisation, role=Role.SECRETARY, start_date__lte=today, person__user__isnull=False
        )
        .exclude(end_date__lte=today)
        .select_related("person__user")
        .order_by("-start_date")
        .first()
    )
    return role.person.user if role else None


@transaction.atomic
def follow_up_open(*, rating: Rating) -> FollowUp:
    """Every 差评 gets a follow-up for the activity's organisation's secretary, due in N working days (default 15).
    Called inside the rating's transaction; opening twice for one rating is impossible (one-to-one)."""
    organisation = rating.activity.organisation
    due_on = working_day_deadline(
        start=timezone.localdate(rating.created_at), days=EvaluationRules.current().follow_up_working_days
    )
    follow_up = FollowUp.objects.create(
        rating=rating, organisation=organisation, assignee=_branch_secretary_user(organisation), due_on=due_on
    )
    audit_record(actor=None, action="follow_up.open", target=follow_up, summary=f"{rating.activity} 差评整改")
    return follow_up
