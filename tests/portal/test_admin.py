"""Accounts and the audit log in the admin belong to 组织部."""

import pytest

from portal.models import AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("orgadmin", 200), ("committee", 403), ("secretary", 403), ("outsider", 403)],
)
def test_user_and_audit_admin_only_for_org_department(cast, login, role, expected):
    client = login(getattr(cast, role))
    assert client.get("/admin/portal/user/").status_code == expected
    assert client.get("/admin/portal/auditevent/").status_code == expected


@pytest.mark.django_db
def test_member_without_staff_flag_is_sent_to_admin_login(cast, login):
    response = login(cast.member).get("/admin/portal/user/")
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.django_db
def test_admin_deactivate_action_ends_access_and_is_audited(cast, login):
    client = login(cast.orgadmin)
    response = client.post(
        "/admin/portal/user/", {"action": "deactivate", "_selected_action": [cast.member.pk]}, follow=True
    )
    assert response.status_code == 200
    cast.member.refresh_from_db()
    assert not cast.member.is_active
    assert AuditEvent.objects.filter(action="account.deactivate", object_id=str(cast.member.pk)).count() == 1
