"""Helpers for the job tests: run a task as a worker would (in-process), and check a second run sends nothing."""

from portal.models import Notification


def sent() -> list[tuple[str, str]]:
    """Every notification sent so far, as (recipient, key)."""
    return sorted(Notification.objects.values_list("recipient__username", "key"))


def run(task, **kwargs) -> dict:
    result = task.apply(kwargs=kwargs)
    assert result.successful(), result.result
    return result.result


def run_twice(task, mailoutbox, **kwargs) -> dict:
    """The first run's summary; the second run must send nothing and change no notification."""
    first = run(task, **kwargs)
    before, mails = sent(), len(mailoutbox)
    second = run(task, **kwargs)
    assert second["reminded"] == 0
    assert sent() == before
    assert len(mailoutbox) == mails
    return first
