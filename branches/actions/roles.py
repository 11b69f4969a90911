"""Roles (书记, 委员, …): assigning and ending, and the secretaries' permission group."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.actions.common import scope_require
from branches.models import (
    Organisation,
    Person,
    Role,
    RoleAssignment,
)
from branches.selectors import scope_for
from portal.audit import audit_record
from portal.models import User

# Roles ------------------------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    person: Person,
    organisation: Organisation,
    role: str,
    start_date: datetime.date,
    liaison: str = "",
) -> RoleAssignment:
    scope_require(actor, organisation)
    scope_require(actor, person.organisation)  # nobody hands a role (and with it a scope) to someone they don't manage
    if role not in Role.values:
        raise ValidationError("未知职务。")
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(person=person, organisation=organisation, role=role, start_date__lte=today)
    if current.filter(end_date__isnull=True).exists():
        raise ValidationError("此人已担任该职务。")
    assignment = RoleAssignment.objects.create(
        person=person, organisation=organisation, role=role, start_date=start_date, liaison=liaison
    )
    audit_record(actor=actor, action="role.assign", target=assignment, summary=str(assignment))
    return assignment


@transaction.atomic
def role_end(*, actor: User | None, assignment: RoleAssignment, end_date: datetime.date) -> RoleAssignment:
    scope_require(actor, assignment.organisation)
    if assignment.end_date is not None:
        raise ValidationError("该任职已结束。")
    if end_date < assignment.start_date:
        raise ValidationError("离任日期不能早于任职日期。")
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date", "updated_at"])
    audit_record(actor=actor, action="role.end", target=assignment, summary=str(assignment))
    return assignment


SECRETARY_GROUP = "党组织书记"


def secretary_group_ensure():
    """The admin permissions every secretary's account carries; the admin itself narrows them to the scope."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=SECRETARY_GROUP)
    models = [
        "organisation",
        "person",
        "statusstep",
        "membershipevent",
        "roleassignment",
        "mobilemember",
        "mobilereport",
        "hostunit",
        "grid",
    ]
    wanted = Permission.objects.filter(content_type__app_label="branches", content_type__model__in=models).exclude(
        codename__startswith="delete_"
    )
    group.permissions.add(*wanted)
    return group


@transaction.atomic
def account_grant_secretary(*, actor: User | None, user: User) -> User:
    """Lets a secretary use the admin (scoped like the staff site)."""
    if actor is not None and not scope_for(actor).manages_anything:
        raise ValidationError("您没有开通管理权限的权限。")
    user.is_staff = True
    user.save(update_fields=["is_staff", "updated_at"])
    user.groups.add(secretary_group_ensure())
    audit_record(actor=actor, action="account.grant_secretary", target=user)
    return user
