"""Pledges (承诺) and posts (党员先锋岗 / 责任区 / 示范岗): validated, atomic, audited.

Rights, decided by the selectors' helpers: a writer of the pledge's organisation (its secretary or anyone above)
may do everything except appraise their own pledge; the member themself may create their own pledge for the
current year, add items, record progress and withdraw it — until it is appraised. After appraisal a pledge is
read-only. Nothing is deleted: a withdrawn pledge stays, flagged.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from branches.models import Organisation, Person
from branches.selectors import scope_for, secretary_users_for
from portal.actions import notification_send
from portal.audit import audit_record, diff, snapshot
from portal.models import User
from services.models import Pledge, PledgeItem, PledgeProgress, Post
from services.selectors.pledges import pledge_can_appraise, pledge_can_record, post_can_write

MAX_ITEMS = 10
MAX_AMOUNT = Decimal("9999999.9")  # what the 8-digit, 1-decimal columns hold
POST_FIELDS = ["kind", "title", "duties", "service_content", "contact", "supervision_phone"]

# Mobile (11 digits), landline with area code (and an optional extension), a local number, 400/800 numbers, and
# the five-digit public hotlines (12345 government, 12388 discipline supervision).
_PHONE = re.compile(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|[2-9]\d{6,7}|[48]00-?\d{3}-?\d{4}|1\d{4})$",
)


def phone_check(value: str, label: str = "电话") -> str:
    """The number, normalised (spaces removed), or a Chinese error."""
    phone = re.sub(r"\s+", "", value or "")
    if not phone:
        raise ValidationError(f"请填写{label}。")
    if not _PHONE.match(phone):
        raise ValidationError(
            f"{label}格式不正确：请填写手机号（11 位）、带区号的固定电话（如 0571-88886666）或服务热线。"
        )
    return phone


def _text(value: str | None, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 个字。")
    return text


def _positive(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{label}应为大于 0 的数字。") from None
    if number <= 0:
        raise ValidationError(f"{label}应大于 0。")
    if number > MAX_AMOUNT:
        raise ValidationError(f"{label}过大。")
    return number


def _locked_pledge(pledge: Pledge) -> Pledge:
    return Pledge.objects.select_for_update(of=("self",)).select_related("organisation", "person").get(pk=pledge.pk)


def _require_open(pledge: Pledge) -> None:
    if pledge.is_withdrawn:
        raise ValidationError("该承诺已撤回，不能再修改。")
    if pledge.result:
        raise ValidationError("该承诺已评议，不能再修改。")


def _clean_items(items: list[dict]) -> list[PledgeItem]:
    if not items:
        raise ValidationError("请至少填写一项承诺事项。")
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"承诺事项最多 {MAX_ITEMS} 项。")
    cleaned = []
    for number, item in enumerate(items, start=1):
        try:
            cleaned.append(
                PledgeItem(
                    content=_text(item.get("content"), "承诺事项内容", 200),
                    target=_positive(item.get("target"), "目标"),
                    unit=_text(item.get("unit"), "单位", 10),
                )
            )
        except ValidationError as error:
            raise ValidationError(f"第 {number} 项：{error.messages[0]}") from None
    return cleaned


# Pledges ----------------------------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *,
    actor: User | None,
    year: int,
    organisation: Organisation,
    person: Person | None = None,
    title: str,
    items: list[dict],
) -> Pledge:
    """A pledge with its items. A member may pledge for themself in the current year; a secretary for anyone (or
    the organisation itself) in their scope, for this year or the last (late entry of last year's register)."""
    this_year = timezone.localdate().year
    scope = scope_for(actor) if actor is not None else None
    own = person is not None and scope is not None and person.pk == scope.person_id
    writer = actor is None or scope.covers_path(organisation.path)
    if not writer:
        if not own:
            raise ValidationError("只能为本人填写承诺，或在您管理的党组织内填写。")
        if year != this_year:
            raise ValidationError(f"党员本人只能填写 {this_year} 年的承诺。")
    if organisation.is_archived:
        raise ValidationError("该党组织已撤销。")
    if not (this_year - 1 <= year <= this_year + 1):
        raise ValidationError(f"年度应在 {this_year - 1}–{this_year + 1} 年之间。")
    if person is not None:
        if person.organisation_id != organisation.pk:
            raise ValidationError("承诺党员不属于所选党组织。")
        if not person.is_active_member or not person.is_party_member:
            raise ValidationError("只有在册党员可以作出承诺。")
        if Pledge.objects.filter(year=year, person=person, is_withdrawn=False).exists():
            raise ValidationError(f"{person.name} 已有 {year} 年的承诺，每名党员每年一份。")
    pledge = Pledge(year=year, organisation=organisation, person=person, title=_text(title, "承诺标题", 120))
    rows = _clean_items(items)
    try:
        with transaction.atomic():  # a savepoint: the race loser gets the message, not a broken transaction
            pledge.save()
    except IntegrityError:
        raise ValidationError(f"{person.name if person else ''} 已有 {year} 年的承诺，每名党员每年一份。") from None
    for row in rows:
        row.pledge = pledge
    PledgeItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="pledge.create",
        target=pledge,
        summary=f"{year} {person.name if person else organisation.name}：{pledge.title}（{len(rows)} 项）",
    )
    return pledge


@transaction.atomic
def pledge_item_add(*, actor: User | None, pledge: Pledge, content: str, target: Any, unit: str) -> PledgeItem:
    pledge = _locked_pledge(pledge)
    if actor is not None and not pledge_can_record(user=actor, pledge=pledge):
        raise ValidationError("您不能修改这份承诺。")
    _require_open(pledge)
    if pledge.items.count() >= MAX_ITEMS:
        raise ValidationError(f"承诺事项最多 {MAX_ITEMS} 项。")
    item = _clean_items([{"content": content, "target": target, "unit": unit}])[0]
    item.pledge = pledge
    item.save()
    audit_record(
        actor=actor, action="pledge.item_add", target=pledge, summary=f"{item.content} {item.target}{item.unit}"
    )
    return item


@transaction.atomic
def pledge_progress_record(
    *, actor: User | None, item: PledgeItem, date: datetime.date, amount: Any, note: str = ""
) -> PledgeProgress:
    """Progress on an item, by the member themself or a writer; dated within the pledge's year, never ahead."""
    pledge = _locked_pledge(item.pledge)
    if actor is not None and not pledge_can_record(user=actor, pledge=pledge):
        raise ValidationError("只有承诺党员本人或党组织可以登记进展。")
    _require_open(pledge)
    if date is None or date.year != pledge.year:
        raise ValidationError(f"进展日期应在 {pledge.year} 年内。")
    if date > timezone.localdate():
        raise ValidationError("进展日期不能晚于今天。")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("说明不能超过 200 个字。")
    progress = PledgeProgress.objects.create(
        item=item, date=date, amount=_positive(amount, "完成量"), note=note, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="pledge.progress",
        target=pledge,
        summary=f"{item.content}：{progress.amount}{item.unit}（{date:%Y-%m-%d}）",
    )
    return progress


@transaction.atomic
def pledge_appraise(
    *,
    actor: User | None,
    pledge: Pledge,
    leader_comment: str,
    mutual_rating: str,
    mass_rating: str,
    result: str,
) -> Pledge:
    """The year-end fulfilment appraisal, once: the organisation's comment, the members' and the masses' ratings
    and the result. Never by the pledging member themself."""
    pledge = _locked_pledge(pledge)
    if actor is not None and not pledge_can_appraise(user=actor, pledge=pledge):
        raise ValidationError("只有党组织可以评议承诺，党员不能评议本人的承诺。")
    if pledge.is_withdrawn:
        raise ValidationError("该承诺已撤回，不能评议。")
    if pledge.result:
        raise ValidationError("该承诺已评议过，不能重复评议。")
    pledge.leader_comment = _text(leader_comment, "党组织评价", 500)
    if mutual_rating not in Pledge.Rating.values:
        raise ValidationError("请选择党员互评结果。")
    if mass_rating not in Pledge.Rating.values:
        raise ValidationError("请选择群众评议结果。")
    if result not in Pledge.Result.values:
        raise ValidationError("请选择践诺结果。")
    pledge.mutual_rating, pledge.mass_rating, pledge.result = mutual_rating, mass_rating, result
    pledge.appraised_on = timezone.localdate()
    pledge.save(
        update_fields=["leader_comment", "mutual_rating", "mass_rating", "result", "appraised_on", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="pledge.appraise",
        target=pledge,
        summary=pledge.get_result_display(),
        changes={"result": ["", result], "mutual_rating": ["", mutual_rating], "mass_rating": ["", mass_rating]},
    )
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor: User | None, pledge: Pledge, reason: str) -> Pledge:
    """Withdraws a pledge before appraisal (the member or a writer). It stays on record, flagged; the member may
    then make a new one for the year."""
    pledge = _locked_pledge(pledge)
    if actor is not None and not pledge_can_record(user=actor, pledge=pledge):
        raise ValidationError("您不能撤回这份承诺。")
    _require_open(pledge)
    reason = _text(reason, "撤回原因", 200)
    pledge.is_withdrawn = True
    pledge.save(update_fields=["is_withdrawn", "updated_at"])
    audit_record(
        actor=actor, action="pledge.withdraw", target=pledge, summary=reason, changes={"is_withdrawn": [False, True]}
    )
    return pledge


# Posts ------------------------------------------------------------------------------------------------------


def _post_values(fields: dict[str, Any]) -> dict[str, Any]:
    """The editable fields, checked and normalised."""
    values = dict(fields)
    if "kind" in values and values["kind"] not in Post.Kind.values:
        raise ValidationError("请选择岗位类型。")
    for name, label, max_length in (
        ("title", "岗位名称", 80),
        ("duties", "岗位职责", 1000),
        ("service_content", "服务内容", 1000),
    ):
        if name in values:
            values[name] = _text(values[name], label, max_length)
    if "contact" in values:
        values["contact"] = phone_check(values["contact"], "联系电话")
    if "supervision_phone" in values:
        values["supervision_phone"] = phone_check(values["supervision_phone"], "监督电话")
    return values


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("organisation", "person").get(pk=post.pk)


def _require_post_write(actor: User | None, post: Post) -> None:
    if actor is not None and not post_can_write(user=actor, post=post):
        raise ValidationError("该岗位不在您的管理范围内。")


@transaction.atomic
def post_create(
    *,
    actor: User | None,
    kind: str,
    person: Person,
    title: str,
    duties: str,
    service_content: str,
    contact: str,
    supervision_phone: str,
) -> Post:
    """A member's public post, owned by the member's organisation (which must be in the actor's scope)."""
    organisation = person.organisation
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("该党员不在您的管理范围内。")
    if not person.is_active_member or not person.is_party_member:
        raise ValidationError("只有在册党员可以设岗定责。")
    values = _post_values(
        {
            "kind": kind,
            "title": title,
            "duties": duties,
            "service_content": service_content,
            "contact": contact,
            "supervision_phone": supervision_phone,
        }
    )
    post = Post.objects.create(person=person, organisation=organisation, **values)
    audit_record(actor=actor, action="post.create", target=post, summary=f"{person.name} · {post}")
    return post


@transaction.atomic
def post_update(*, actor: User | None, post: Post, **fields: Any) -> Post:
    post = _locked_post(post)
    _require_post_write(actor, post)
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改：{', '.join(sorted(unknown))}")
    if not post.is_active:
        raise ValidationError("该岗位已撤岗，不能再修改。")
    values = _post_values(fields)
    before = snapshot(post, list(values))
    for name, value in values.items():
        setattr(post, name, value)
    post.save()
    audit_record(actor=actor, action="post.update", target=post, changes=diff(before, snapshot(post, list(values))))
    return post


@transaction.atomic
def post_check(*, actor: User | None, post: Post, checked_on: datetime.date, note: str = "") -> Post:
    """Records a regular check of the post (who looked, when, what they found)."""
    post = _locked_post(post)
    _require_post_write(actor, post)
    if not post.is_active:
        raise ValidationError("该岗位已撤岗，不能登记检查。")
    if checked_on is None:
        raise ValidationError("请填写检查日期。")
    if checked_on > timezone.localdate():
        raise ValidationError("检查日期不能晚于今天。")
    if post.last_checked_on and checked_on < post.last_checked_on:
        raise ValidationError(f"检查日期不能早于上次检查（{post.last_checked_on:%Y-%m-%d}）。")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("检查情况不能超过 200 个字。")
    before = snapshot(post, ["last_checked_on", "check_note"])
    post.last_checked_on, post.check_note = checked_on, note
    post.save(update_fields=["last_checked_on", "check_note", "updated_at"])
    audit_record(
        actor=actor,
        action="post.check",
        target=post,
        summary=f"{checked_on:%Y-%m-%d} {note}".strip(),
        changes=diff(before, snapshot(post, ["last_checked_on", "check_note"])),
    )
    return post


@transaction.atomic
def post_end(*, actor: User | None, post: Post) -> Post:
    """撤岗: the post leaves the public page; the row stays."""
    post = _locked_post(post)
    _require_post_write(actor, post)
    if not post.is_active:
        raise ValidationError("该岗位已撤岗。")
    post.is_active = False
    post.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="post.end", target=post, summary=str(post), changes={"is_active": [True, False]})
    return post


# The year-end appraisal job ---------------------------------------------------------------------------------


def pledge_appraisal_remind(*, year: int, today: datetime.date) -> dict:
    """年终践诺评议: the appraisal (`pledge_appraise`) needs the organisation's comment and the members' and the
    masses' ratings, so the job cannot make it; it opens the season instead. Each organisation with pledges of
    the year not yet appraised reminds its secretary once (`pledge-appraisal:{organisation}:{year}`, linking to
    those pledges), and each pledging member is asked once to bring their progress up to date before it
    (`pledge-progress:{pledge}`). Withdrawn pledges are left out. Each reminder commits on its own (see
    `notification_send`); nothing else is written."""
    pledges = list(
        Pledge.objects.filter(year=year, is_withdrawn=False, result="")
        .select_related("organisation", "person__user")
        .order_by("organisation__path", "pk")
    )
    by_organisation: dict[int, list[Pledge]] = {}
    for pledge in pledges:
        by_organisation.setdefault(pledge.organisation_id, []).append(pledge)
    secretaries = secretary_users_for(organisations={p.organisation for p in pledges}, on=today)
    summary = {"year": year, "pending": len(pledges), "reminded": 0, "no_account": 0}
    for organisation_id, rows in by_organisation.items():
        organisation = rows[0].organisation
        # "none" is the list filter's 未评议 (services.forms.pledges.UNAPPRAISED; the forms import this module)
        query = urlencode({"year": year, "organisation": organisation_id, "result": "none"})
        if not secretaries[organisation_id]:
            summary["no_account"] += 1
        for secretary in secretaries[organisation_id]:
            if notification_send(
                recipient=secretary,
                key=f"pledge-appraisal:{organisation_id}:{year}",
                title=f"{year}年度承诺践诺评议：{organisation.name}尚有 {len(rows)} 份未评议",
                body=(
                    f"{organisation.name}有 {len(rows)} 份 {year} 年度承诺尚未进行践诺评议。请在年底前组织评议："
                    "党组织评价、党员互评、群众评议，评定已践诺、部分践诺或未践诺（党员本人不能评议自己的承诺）。"
                ),
                url=f"{reverse('services:pledge_list')}?{query}",
            ):
                summary["reminded"] += 1
    for pledge in pledges:
        if pledge.person is None:
            continue
        if pledge.person.user is None:
            summary["no_account"] += 1
        elif notification_send(
            recipient=pledge.person.user,
            key=f"pledge-progress:{pledge.pk}",
            title=f"{year}年度承诺即将评议：请登记践诺进展",
            body=f"您的承诺“{pledge.title}”将在年底进行践诺评议，请在评议前登记各项承诺事项的完成情况。",
            url=reverse("services:pledge_detail", args=[pledge.pk]),
        ):
            summary["reminded"] += 1
    return summary
