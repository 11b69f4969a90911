"""The follow-up (整改) of bad ratings: opened with the rating, called back, rectified, closed.

Each step is atomic, row-locked and audited; steps out of order are refused with a Chinese message. The actor must
manage the follow-up's organisation (the assignee, its secretary, does; so do the levels above)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Role, RoleAssignment
from branches.selectors import scope_for, secretary_users_for, working_day_deadline
from evaluations.models import EvaluationRules, FollowUp, Rating
from evaluations.selectors.follow_ups import overdue_q
from portal.actions import notification_send
from portal.audit import audit_record
from portal.models import User


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


# The follow-up's three steps ---------------------------------------------------------------------------------

MAX_NOTE = 500
MAX_RECTIFICATION = 2000


def _locked(follow_up: FollowUp) -> FollowUp:
    """The follow-up row, locked for this transaction: two people acting on one follow-up at once are serialised."""
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("organisation", "rating", "rating__activity")
        .get(pk=follow_up.pk)
    )


def _require_write(actor: User | None, follow_up: FollowUp) -> None:
    # actor=None is the system (demo data, jobs); a person must manage the follow-up's organisation.
    if actor is not None and not scope_for(actor).covers_path(follow_up.organisation.path):
        raise ValidationError("该差评整改不在您的管理范围内。")


def _require_state(follow_up: FollowUp, allowed: FollowUp.State, doing: str) -> None:
    if follow_up.state != allowed:
        raise ValidationError(f"该整改当前为“{follow_up.get_state_display()}”，不能{doing}。")


def _text(value: str, *, label: str, maximum: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > maximum:
        raise ValidationError(f"{label}不能超过 {maximum} 字。")
    return value


def _date(value: datetime.date | None, *, label: str, not_before: datetime.date, before_label: str) -> datetime.date:
    if value is None:
        raise ValidationError(f"请填写{label}。")
    if value > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天。")
    if value < not_before:
        raise ValidationError(f"{label}不能早于{before_label}（{not_before:%Y年%m月%d日}）。")
    return value


def _audit(actor: User | None, follow_up: FollowUp, action: str, before: str, summary: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=f"follow_up.{action}",
        target=follow_up,
        summary=summary[:100],
        changes={"state": [before, follow_up.state], **{key: str(value) for key, value in changes.items()}},
    )


@transaction.atomic
def follow_up_call_back(*, actor: User | None, follow_up: FollowUp, callback_on: datetime.date, note: str) -> FollowUp:
    """回访: the secretary has spoken to the person who gave the bad rating (or tried to: the note says how)."""
    follow_up = _locked(follow_up)
    _require_write(actor, follow_up)
    _require_state(follow_up, FollowUp.State.OPEN, "登记回访")
    rated_on = timezone.localdate(follow_up.rating.created_at)
    follow_up.callback_on = _date(callback_on, label="回访日期", not_before=rated_on, before_label="评价日期")
    follow_up.callback_note = _text(note, label="回访情况", maximum=MAX_NOTE)
    follow_up.state = FollowUp.State.CALLED_BACK
    follow_up.save(update_fields=["callback_on", "callback_note", "state", "updated_at"])
    _audit(actor, follow_up, "call_back", FollowUp.State.OPEN, follow_up.callback_note, callback_on=callback_on)
    return follow_up


@transaction.atomic
def follow_up_rectify(
    *,
    actor: User | None,
    follow_up: FollowUp,
    rectification: str,
    rectified_on: datetime.date,
    upheld: bool,
) -> FollowUp:
    """整改: what was done about it, and whether the complaint was found justified (upheld costs the organiser
    points, DOMAIN §5). Only after the callback."""
    follow_up = _locked(follow_up)
    _require_write(actor, follow_up)
    _require_state(follow_up, FollowUp.State.CALLED_BACK, "登记整改（请先回访）")
    if not isinstance(upheld, bool):
        raise ValidationError("请选择差评是否属实。")
    follow_up.rectification = _text(rectification, label="整改措施", maximum=MAX_RECTIFICATION)
    follow_up.rectified_on = _date(
        rectified_on, label="整改日期", not_before=follow_up.callback_on, before_label="回访日期"
    )
    follow_up.upheld = upheld
    follow_up.state = FollowUp.State.RECTIFIED
    follow_up.save(update_fields=["rectification", "rectified_on", "upheld", "state", "updated_at"])
    _audit(
        actor,
        follow_up,
        "rectify",
        FollowUp.State.CALLED_BACK,
        follow_up.rectification,
        rectified_on=rectified_on,
        upheld=upheld,
    )
    return follow_up


@transaction.atomic
def follow_up_close(
    *, actor: User | None, follow_up: FollowUp, closing_note: str, closed_on: datetime.date
) -> FollowUp:
    """办结 with a note. Every 差评 gets its callback: a follow-up without one is never closed."""
    follow_up = _locked(follow_up)
    _require_write(actor, follow_up)
    if follow_up.state == FollowUp.State.OPEN or follow_up.callback_on is None:
        raise ValidationError("每条差评都须先回访，回访并整改后才能办结。")
    _require_state(follow_up, FollowUp.State.RECTIFIED, "办结（请先登记整改）")
    follow_up.closing_note = _text(closing_note, label="办结说明", maximum=MAX_NOTE)
    follow_up.closed_on = _date(closed_on, label="办结日期", not_before=follow_up.rectified_on, before_label="整改日期")
    follow_up.state = FollowUp.State.CLOSED
    follow_up.save(update_fields=["closing_note", "closed_on", "state", "updated_at"])
    _audit(actor, follow_up, "close", FollowUp.State.RECTIFIED, follow_up.closing_note, closed_on=closed_on)
    return follow_up


# The daily reminder job -------------------------------------------------------------------------------------


def follow_ups_overdue_remind(*, today: datetime.date) -> dict[str, int]:
    """每日: each follow-up still open past its due date reminds the secretary of its organisation (the one in
    office now: the assignee may have moved on; failing a secretary, the assignee) — once per follow-up and due
    date (`follow-up-overdue:{id}:{due}`), however often the job runs. Overdue is derived (the list shows it
    first), never stored; each reminder commits on its own (see `notification_send`)."""
    follow_ups = list(
        FollowUp.objects.filter(overdue_q(today))
        .select_related("organisation", "assignee", "rating__activity")
        .order_by("due_on", "pk")
    )
    secretaries = secretary_users_for(organisations={f.organisation for f in follow_ups}, on=today)
    summary = {"overdue": len(follow_ups), "reminded": 0, "no_account": 0}
    for follow_up in follow_ups:
        recipients = secretaries[follow_up.organisation_id]
        if not recipients and follow_up.assignee is not None and follow_up.assignee.is_active:
            recipients = [follow_up.assignee]
        if not recipients:
            summary["no_account"] += 1
        activity = follow_up.rating.activity
        for recipient in recipients:
            if notification_send(
                recipient=recipient,
                key=f"follow-up-overdue:{follow_up.pk}:{follow_up.due_on:%Y%m%d}",
                title=f"差评整改已逾期：{activity.title}",
                body=(
                    f"活动“{activity.title}”收到的差评（{timezone.localtime(follow_up.rating.created_at):%Y年%m月%d日}）"
                    f"整改期限为 {follow_up.due_on:%Y年%m月%d日}，已逾期 {(today - follow_up.due_on).days} 天，"
                    f"当前状态：{follow_up.get_state_display()}。请尽快回访、整改并办结。"
                ),
                url=reverse("evaluations:follow_up_detail", args=[follow_up.pk]),
            ):
                summary["reminded"] += 1
    return summary
