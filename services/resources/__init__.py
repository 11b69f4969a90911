"""Registers of past activities in and out of spreadsheets.

- `register`: reading a secretary's register (one row per participant per activity) into ActivityRecords, with
  every problem reported per row before anything is written; `services.actions.activity_register_import`
  drives it and writes through `activities_register_bulk`;
- `export`: the register's template and the activities export (two sheets), through `portal.lib.xlsx`.

Files are parsed and kept between preview and confirm by the roster's helpers (`branches.resources`), with the
same size and row limits.
"""

from services.resources.export import EXPORT_ACTIVITY_HEADERS, EXPORT_ATTENDANCE_HEADERS, activity_export_xlsx
from services.resources.register import COLUMNS, ActivityRegisterReader, RegisterResult, register_template_xlsx

__all__ = [
    "COLUMNS",
    "EXPORT_ACTIVITY_HEADERS",
    "EXPORT_ATTENDANCE_HEADERS",
    "ActivityRegisterReader",
    "RegisterResult",
    "activity_export_xlsx",
    "register_template_xlsx",
]
