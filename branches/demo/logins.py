"""The five demo logins: created when missing, and given the demo password again when the district already exists."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from branches import actions, selectors
from branches.demo.data import BRANCH_A, BRANCH_B, COMMITTEE_CODE, MEMBER_PHONE, PASSWORD, code_for
from branches.models import Organisation, Person, Role
from portal import actions as portal_actions
from portal.models import User

ORGADMIN = "orgadmin"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str = ""
    phone: str = ""
    active: bool = True


def orgadmin_ensure() -> User:
    user = User.objects.filter(username__iexact=ORGADMIN).first()
    if user is None:
        return portal_actions.account_create_org_department(actor=None, username=ORGADMIN, password=PASSWORD)
    if not (user.is_superuser or user.is_org_department):
        raise ValidationError(f"已有名为“{ORGADMIN}”的账号，但它不是组织部账号，请先改名。")
    return user


def _current_secretary(organisation: Organisation) -> Person | None:
    role = selectors.organisation_current_roles(organisation=organisation).filter(role=Role.SECRETARY).first()
    return role.person if role else None


def demo_accounts_ensure(*, reset_passwords: bool) -> list[Login]:
    """The five demo logins exist (created when missing) and, when asked, have the demo password again."""
    orgadmin = orgadmin_ensure()
    committee = Organisation.objects.get(code=COMMITTEE_CODE)
    branch_a = Organisation.objects.get(code=code_for(BRANCH_A))
    branch_b = Organisation.objects.get(code=code_for(BRANCH_B))
    wanted = [
        ("committee", _current_secretary(committee), f"{committee.name}书记", True),
        ("secretary", _current_secretary(branch_a), f"{branch_a.name}书记", True),
        ("member", branch_a.people.filter(phone=MEMBER_PHONE).first(), "", False),
        ("outsider", _current_secretary(branch_b), f"{branch_b.name}书记", True),
    ]
    if reset_passwords:
        portal_actions.account_password_set(actor=orgadmin, user=orgadmin, password=PASSWORD)
    logins = [Login(ORGADMIN, "组织部工作人员（全区）", active=orgadmin.is_active)]
    for username, person, role, is_secretary in wanted:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            if person is None:
                raise ValidationError(f"找不到演示账号“{username}”对应的人员。")
            user = actions.person_account_create(actor=orgadmin, person=person, username=username, password=PASSWORD)
        elif reset_passwords:
            portal_actions.account_password_set(actor=orgadmin, user=user, password=PASSWORD)
        if is_secretary and not user.is_staff:
            actions.account_grant_secretary(actor=orgadmin, user=user)
        person = Person.objects.filter(user=user).first()
        if username == "member":
            role = f"{person.organisation.name}党员" if person else "党员"
        logins.append(Login(username, role, person.name if person else "", user.phone or "", user.is_active))
    return logins
