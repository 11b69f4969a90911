"""Recording audit events. Every action calls `audit_record` inside its transaction."""

from typing import Any

from django.db import models

from portal.models import AuditEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audit-worthy state of an instance, in JSON-safe values."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def audit_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit event, not yet saved: `audit_record` saves one, a bulk action saves many at once."""
    if target is not None:
        object_type = object_type or target._meta.label
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        changes=changes or {},
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    event = audit_event(
        actor=actor, action=action, target=target, object_type=object_type, summary=summary, changes=changes
    )
    event.save()
    return event
