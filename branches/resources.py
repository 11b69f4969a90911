"""Workbooks out, through `portal.lib.xlsx` (text cells only for text, so nothing a user typed becomes a live
formula): the people export, and the 开通单 of newly opened accounts. Rosters come in through the import pipeline
(`branches.importers`)."""

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from branches.models import Person
from portal.lib import xlsx
from portal.lib.xlsx import XLSX_CONTENT_TYPE

if TYPE_CHECKING:
    from branches.actions import OpenedAccount

__all__ = ["EXPORT_HEADERS", "SLIP_HEADERS", "XLSX_CONTENT_TYPE", "account_slips_xlsx", "person_export_xlsx"]

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


# The 开通单 --------------------------------------------------------------------------------------------------
# One row per opened account, with its clear initial password. Built in memory for the response or the file being
# written right then; never stored (the database keeps only each password's HMAC).

SLIP_HEADERS = ["姓名", "党组织", "登录名", "初始密码", "有效期至", "说明"]
SLIP_NOTE = "首次登录后须修改密码"


def account_slips_xlsx(opened: Iterable["OpenedAccount"]) -> bytes:
    rows = (
        [
            account.person.name,
            account.person.organisation.name,
            account.user.username,
            account.password,
            timezone.localtime(account.expires_at),
            SLIP_NOTE,
        ]
        for account in opened
    )
    return xlsx.workbook_bytes(
        title="开通单",
        headers=SLIP_HEADERS,
        rows=rows,
        bold_header=True,
        freeze_header=True,
        column_widths=[12, 30, 14, 12, 18, 22],
    )
