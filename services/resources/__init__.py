"""Activities out: the activities export (two sheets), through `portal.lib.xlsx`. Registers of past activities
come in through the import pipeline (`services.importers`)."""

from services.resources.export import EXPORT_ACTIVITY_HEADERS, EXPORT_ATTENDANCE_HEADERS, activity_export_xlsx

__all__ = ["EXPORT_ACTIVITY_HEADERS", "EXPORT_ATTENDANCE_HEADERS", "activity_export_xlsx"]
