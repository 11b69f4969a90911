"""Rosters out: the people export, through `portal.lib.xlsx` (text cells only for text, so nothing a user typed
becomes a live formula). Rosters come in through the import pipeline (`branches.importers`)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from branches.models import Person
from portal.lib import xlsx
from portal.lib.xlsx import XLSX_CONTENT_TYPE

__all__ = ["EXPORT_HEADERS", "XLSX_CONTENT_TYPE", "person_export_xlsx"]

# Export -----------------------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号（脱敏）",
    "手机号",
    "学历",
    "政治面貌",
    "党组织",
    "网格",
    "在册",
]


def person_export_xlsx(people: QuerySet[Person]) -> tuple[bytes, int]:
    """The people as an .xlsx workbook (rows stream out of the database into the sheet) and how many rows."""
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        for person in people.select_related("organisation", "grid").iterator(chunk_size=1000):
            count += 1
            yield [
                person.name,
                person.get_gender_display(),
                person.birth_date,
                person.id_number_masked,
                person.phone,
                person.get_education_display(),
                person.get_political_status_display(),
                person.organisation.name,
                person.grid.name if person.grid else "",
                person.is_active_member,
            ]

    content = xlsx.workbook_bytes(title="人员", headers=EXPORT_HEADERS, rows=rows())
    return content, count  # counted while the sheet was written
