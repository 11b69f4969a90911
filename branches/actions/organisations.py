"""Organisations: creating (one or a whole tree), updating, moving; the rule settings."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from branches.actions.common import scope_require
from branches.models import (
    Organisation,
    RuleSettings,
)
from branches.selectors import scope_for
from portal.audit import audit_event, audit_record, diff, snapshot
from portal.models import AuditEvent, User

# Organisations ----------------------------------------------------------------------------------------------


# Party groups are the leaves of the tree: nothing is set up under them.
LEAF_KINDS = (Organisation.Kind.PARTY_GROUP, Organisation.Kind.FUNCTIONAL_GROUP, Organisation.Kind.TEMPORARY_GROUP)


def organisation_create_problems(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: Organisation | None,
    code_taken: bool = False,
    founded_on: datetime.date | None = None,
) -> list[str]:
    """What stops a new organisation, without queries (the caller says whether its code is taken): the rules of
    organisation_create, which the organisation import applies row by row."""
    problems = []
    if not (name or "").strip():
        problems.append("名称不能为空。")
    if kind not in Organisation.Kind.values:
        problems.append("未知的组织类别。")
    if code_taken:
        problems.append("该组织编码已被使用。")
    if founded_on and founded_on > timezone.localdate():
        problems.append("成立日期不能晚于今天。")
    if parent is None:
        if actor is not None and not scope_for(actor).everything:
            problems.append("只有组织部可以新建顶层党组织。")
    else:
        if actor is not None and not scope_for(actor).covers_path(parent.path):
            problems.append("上级党组织不在您的管理范围内。")
        if parent.is_archived:
            problems.append(f"上级党组织“{parent.name}”已撤销。")
        if parent.kind in LEAF_KINDS:
            problems.append(f"{parent.get_kind_display()}下不能再设党组织。")
    return problems


@dataclass(frozen=True)
class NewOrganisation:
    """One organisation to set up. `parent`: a registered organisation, the code of one earlier in the same list,
    or None for a top-level organisation. `fields`: phone, address, founded_on."""

    name: str
    kind: str
    code: str | None = None
    parent: "Organisation | str | None" = None
    fields: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def organisation_create(
    *, actor: User | None, name: str, kind: str, parent: Organisation | None = None, code: str | None = None, **extra
) -> Organisation:
    return organisations_create(actor=actor, organisations=[NewOrganisation(name, kind, code, parent, extra)])[0]


@transaction.atomic
def organisations_create(*, actor: User | None, organisations: list[NewOrganisation]) -> list[Organisation]:
    """New organisations, written together (a district's tree is thousands): one organisation is the same call.

    The tree's paths are computed here as treebeard's add_child would compute them — the next step after the
    parent's last child — with one query per registered parent instead of four per organisation; parents come
    before their children in the list. Every organisation is checked (organisation_create_problems) before
    anything is written; each gets its audit event."""
    codes = [(new.code or "").strip() for new in organisations if (new.code or "").strip()]
    taken: set[str] = set()
    for start in range(0, len(codes), 500):  # SQLite's limit on query parameters
        taken |= set(Organisation.objects.filter(code__in=codes[start : start + 500]).values_list("code", flat=True))
    steplen = Organisation.steplen
    last_step: dict[str, int] = {}  # parent path ("" for the roots) → the last step used under it
    grown: dict[int, int] = {}  # registered parent pk → children added
    built: list[Organisation] = []
    by_code: dict[str, Organisation] = {}
    problems: list[str] = []
    for new in organisations:
        code = (new.code or "").strip() or None
        parent = by_code.get(new.parent) if isinstance(new.parent, str) else new.parent
        if isinstance(new.parent, str) and parent is None:
            problems.append(f"“{new.name}”：上级编号“{new.parent}”须在它之前。")
            continue
        found = organisation_create_problems(
            actor=actor,
            name=new.name,
            kind=new.kind,
            parent=parent,
            code_taken=code in taken or code in by_code,
            founded_on=new.fields.get("founded_on"),
        )
        problems += [f"“{new.name}”：{message}" if len(organisations) > 1 else message for message in found]
        base = parent.path if parent is not None else ""
        if base not in last_step and parent is not None and parent.pk is None:
            last_step[base] = 0  # a parent set up in this call has no children yet
        if base not in last_step:
            siblings = Organisation.objects.filter(path__startswith=base, depth=len(base) // steplen + 1)
            last = siblings.order_by("-path").values_list("path", flat=True).first()
            last_step[base] = Organisation._str2int(last[-steplen:]) if last else 0
        last_step[base] += 1
        depth = len(base) // steplen + 1
        organisation = Organisation(
            name=new.name.strip(),
            kind=new.kind,
            code=code,
            path=Organisation._get_path(base, depth, last_step[base]),
            depth=depth,
            numchild=0,
            **new.fields,
        )
        if parent is not None:
            parent.numchild += 1
            if parent.pk is not None:
                grown[parent.pk] = grown.get(parent.pk, 0) + 1
        built.append(organisation)
        if code:
            by_code[code] = organisation
    if problems:
        raise ValidationError(problems[:50])
    for organisation in built:
        organisation.full_clean(exclude=["path", "depth", "numchild", "code"], validate_unique=False)
    Organisation.objects.bulk_create(built, batch_size=1000)
    for pk, count in grown.items():
        Organisation.objects.filter(pk=pk).update(numchild=F("numchild") + count)
    AuditEvent.objects.bulk_create(
        [audit_event(actor=actor, action="organisation.create", target=o, summary=o.name) for o in built],
        batch_size=1000,
    )
    return built


@transaction.atomic
def organisation_update(*, actor: User | None, organisation: Organisation, **fields: Any) -> Organisation:
    scope_require(actor, organisation)
    before = snapshot(organisation, list(fields))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean(exclude=["path", "depth", "numchild"])
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        changes=diff(before, snapshot(organisation, list(fields))),
    )
    return organisation


@transaction.atomic
def organisation_move(*, actor: User | None, organisation: Organisation, new_parent: Organisation) -> Organisation:
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以调整组织隶属关系。")
    if new_parent.path.startswith(organisation.path):
        raise ValidationError("不能把党组织移到它自己或下级组织之下。")
    old_parent = Organisation.objects.get_parent(organisation)
    Organisation.objects.move(organisation, new_parent, pos="last-child")
    organisation.refresh_from_db()
    audit_record(
        actor=actor,
        action="organisation.move",
        target=organisation,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return organisation


@transaction.atomic
def rule_settings_update(*, actor: User, **fields: Any) -> RuleSettings:
    if not scope_for(actor).everything:
        raise ValidationError("只有组织部可以修改组织工作参数。")
    rules = RuleSettings.objects.select_for_update().order_by("pk").first() or RuleSettings()
    before = snapshot(rules, list(fields))
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, action="rules.update", target=rules, changes=diff(before, snapshot(rules, list(fields))))
    return rules
