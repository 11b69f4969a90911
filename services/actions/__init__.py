"""Writes for service work: validated, atomic, audited. One module per area; the names are re-exported here
so callers write `from services import actions` and `actions.activity_create(...)`."""

from services.actions.activities import (
    activity_cancel,
    activity_close,
    activity_create,
    activity_end,
    activity_publish,
    activity_update,
    attendance_record,
    check_hours,
    check_times,
    hours_approve,
    hours_correct,
    participation_sign_up,
    participation_walk_in,
    participation_withdraw,
)
from services.actions.registers import (
    ActivityRecord,
    ParticipantRecord,
    activities_register_bulk,
    activity_export,
    activity_import_key,
    activity_record_problems,
)
from services.actions.teams import (
    activity_category_save,
    team_review_run,
)

__all__ = [
    "ActivityRecord",
    "ParticipantRecord",
    "activities_register_bulk",
    "activity_cancel",
    "activity_category_save",
    "activity_close",
    "activity_create",
    "activity_end",
    "activity_export",
    "activity_import_key",
    "activity_publish",
    "activity_record_problems",
    "activity_update",
    "attendance_record",
    "check_hours",
    "check_times",
    "hours_approve",
    "hours_correct",
    "participation_sign_up",
    "participation_walk_in",
    "participation_withdraw",
    "team_review_run",
]
