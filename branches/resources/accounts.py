"""The 开通单 as a workbook: one row per opened account, with its clear initial password. Built in memory for the
response or the file being written right then; never stored (the database keeps only each password's HMAC)."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from portal.lib import xlsx

if TYPE_CHECKING:
    from branches.actions import OpenedAccount

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
