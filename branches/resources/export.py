"""Rosters out: the template to fill in and the people export, both through `portal.lib.xlsx` (text cells only
for text, so nothing a user typed becomes a live formula)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from branches.models import Person
from branches.resources.columns import COLUMNS, EXAMPLE_ID_NUMBER
from portal.lib import xlsx

# The template -----------------------------------------------------------------------------------------------


def roster_template_xlsx() -> bytes:
    """The columns to fill in, with one example row (refused on import if left in)."""
    headers = list(COLUMNS)
    example = [
        "张三（示例，请删除此行）",
        "男",
        "1985-03-12",
        EXAMPLE_ID_NUMBER,
        "13800000000",
        "本科",
        "正式党员",
        "2010-07-01",
        "",
        "",
    ]
    return xlsx.workbook_bytes(
        title="人员名册",
        headers=headers,
        rows=[example],
        bold_header=True,
        freeze_header=True,
        # Wide enough for the example, so the 18-digit ID number shows whole.
        column_widths=[max(len(header), len(value)) for header, value in zip(headers, example, strict=True)],
    )


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
