"""Writes on accounts."""

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit import audit_record
from portal.models import User


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivates an account and ends its sessions at once (not only at their next request)."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("不能停用自己的账号。")
    if not user.is_active:
        raise ValidationError("该账号已停用。")
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    ended = 0
    # Database sessions are the default backend; decoding each is fine at this size (one user's deactivation).
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    audit_record(actor=actor, action="account.deactivate", target=user, summary=f"结束会话 {ended} 个")
    return user


def sessions_clear() -> int:
    """Removes expired sessions; returns how many. Running it twice removes nothing the second time."""
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted
