"""Public ratings: writes. `rating_submit` is the public page's one write; `ratings_register_bulk` registers past
ratings (the demo year) in one go. Both check each rating with `rating_validate`, the one statement of its rules.

A rating is not audited one by one: the row itself is the append-only record (who cannot be known, when is its
created_at, nobody edits it), and a burst of hundreds of ratings should not double its writes. The bad ones are
audited through their follow-up; the bulk registration records one event.
"""

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_open
from evaluations.models import EvaluationRules, Rating
from evaluations.selectors.ratings import CLOSED, NOT_YET, UNAVAILABLE, rating_availability
from portal.audit import audit_record
from portal.models import User
from services.models import Activity

COMMENT_MAX = 200
DEVICE_MAX = 64

# ValidationError codes: the public page picks its status and wording from them.
REFUSED_STATE = "state"
REFUSED_NOT_YET = "not_yet"
REFUSED_CLOSED = "closed"
REFUSED_REPEAT = "repeat"
REFUSED_INPUT = "input"


def address_hash(address: str) -> str:
    """A keyed hash of the client address: lets abuse be traced to one address without keeping the address."""
    if not address:
        return ""
    return hmac.new(settings.PERSONAL_DATA_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y年%-m月%-d日 %H:%M}"


def _clean_level(level) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in Rating.Level.values:
        raise ValidationError("请选择五个评价等级之一。", code=REFUSED_INPUT)
    return level


def _clean_comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"意见建议不能超过 {COMMENT_MAX} 字（现有 {len(comment)} 字）。", code=REFUSED_INPUT)
    return comment


def _clean_device(device: str | None) -> str:
    device = (device or "").strip()
    if not device or len(device) > DEVICE_MAX:
        raise ValidationError("无法识别您的手机，请重新扫码打开评价页面后再提交。", code=REFUSED_INPUT)
    return device


def rating_validate(
    *,
    activity: Activity,
    level: int,
    comment: str | None,
    device: str | None,
    at: datetime.datetime | None = None,
    days: int | None = None,
) -> Rating:
    """The rules of one rating, for the live page and the bulk registration alike: a rateable activity, `at` (the
    moment it is given, default now; never in the future) inside its window (`days` after the end, default the
    current rules), a level of the five, a comment of at most COMMENT_MAX characters, a device. Returns the
    unsaved Rating with its fields cleaned; raises a ValidationError (code REFUSED_*) for the first problem. Once
    per device is left to the caller: the unique constraint for a live rating, one query for a batch."""
    now = timezone.now()
    at = at or now
    state, opens_at, closes_at = rating_availability(activity, now=at, days=days)
    if state == UNAVAILABLE:
        raise ValidationError(f"“{activity.get_state_display()}”的活动不能评价。", code=REFUSED_STATE)
    if state == NOT_YET:
        raise ValidationError(f"评价尚未开始：本次活动的评价将于 {_local(opens_at)} 开放。", code=REFUSED_NOT_YET)
    if state == CLOSED:
        raise ValidationError(f"评价已截止：本次活动的评价已于 {_local(closes_at)} 截止。", code=REFUSED_CLOSED)
    if at > now:
        raise ValidationError("评价时间不能晚于现在。", code=REFUSED_NOT_YET)
    return Rating(
        activity=activity,
        level=_clean_level(level),
        comment=_clean_comment(comment),
        device=_clean_device(device),
    )


@transaction.atomic
def rating_submit(*, activity: Activity, level: int, comment: str, device: str, address: str) -> Rating:
    """Stores one public rating, at most once per activity and device (the unique constraint decides, also for
    two posts at the same moment). A 差评 (≤ 2) opens its follow-up in the same transaction. Every refusal is a
    ValidationError with a Chinese message (and a code, see REFUSED_*) and writes nothing."""
    rating = rating_validate(activity=activity, level=level, comment=comment, device=device)
    rating.address_hash = address_hash(address)
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable after the refusal
            rating.save()
    except IntegrityError:
        raise ValidationError("您已评价过该活动，感谢您的参与。", code=REFUSED_REPEAT) from None
    if rating.is_bad:
        follow_up_open(rating=rating)
    return rating


@dataclass
class RatingRecord:
    """One past rating to register: when it was given is part of the record."""

    activity: Activity
    level: int
    device: str
    rated_at: datetime.datetime
    comment: str = ""


@transaction.atomic
def ratings_register_bulk(*, actor: User | None, rows: list[RatingRecord]) -> dict:
    """Registers past ratings (the demo year; later perhaps paper forms) all or nothing, with one audit event.

    Each row is checked by `rating_validate` against its own `rated_at` (a time outside the window, or to come, is
    reported in one wording), then once per device among the rows and against the stored ratings. Every problem is
    reported before anything is written. The rows are inserted with bulk_create; as `created_at` is auto_now_add
    (which bulk_create overwrites with now), the given times are then set with a few CASE updates. Each 差评 gets
    its follow-up through follow_up_open, due 15 working days after the rating's own date."""
    days = EvaluationRules.current().rating_days_after_end
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    ratings = []
    for number, row in enumerate(rows, start=1):
        try:
            try:
                rating = rating_validate(
                    activity=row.activity,
                    level=row.level,
                    comment=row.comment,
                    device=row.device,
                    at=row.rated_at,
                    days=days,
                )
            except ValidationError as error:
                if getattr(error, "code", None) in (REFUSED_NOT_YET, REFUSED_CLOSED):
                    raise ValidationError("评价时间不在活动的评价期内。") from None
                raise
            if (row.activity.pk, rating.device) in seen:
                raise ValidationError("同一设备对同一活动评价了两次。")
        except ValidationError as error:
            problems += [f"第 {number} 行（{row.activity}）：{message}" for message in error.messages]
            continue
        seen.add((row.activity.pk, rating.device))
        ratings.append((rating, row.rated_at))
    activity_ids = {rating.activity_id for rating, _ in ratings}
    taken = set(Rating.objects.filter(activity_id__in=activity_ids).values_list("activity_id", "device").iterator())
    problems += [
        f"“{rating.activity}”：该设备已评价过。"
        for rating, _ in ratings
        if (rating.activity_id, rating.device) in taken
    ]
    if problems:
        raise ValidationError(problems[:50])

    created = Rating.objects.bulk_create([rating for rating, _ in ratings], batch_size=500)
    for start in range(0, len(ratings), 500):
        chunk = ratings[start : start + 500]
        Rating.objects.filter(pk__in=[rating.pk for rating, _ in chunk]).update(
            created_at=Case(
                *(When(pk=rating.pk, then=Value(rated_at)) for rating, rated_at in chunk),
                output_field=DateTimeField(),
            )
        )
    follow_ups = 0
    for rating, rated_at in ratings:
        rating.created_at = rated_at
        if rating.is_bad:
            follow_up_open(rating=rating)
            follow_ups += 1
    summary = {"ratings": len(created), "follow_ups": follow_ups}
    audit_record(
        actor=actor,
        action="rating.register_bulk",
        object_type=Rating._meta.label,
        summary=f"登记群众评价 {len(created)} 条，其中差评 {follow_ups} 条已转整改",
        changes=summary,
    )
    return summary
