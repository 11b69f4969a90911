"""An uploaded spreadsheet read into a `Sheet`: the bounds (size, zip directory, rows) are checked before the
content is parsed, and every refusal is a Chinese ValidationError that names what to do.

xlsx is read with openpyxl in read-only mode; CSV in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or GBK/GB18030
(Excel's plain "CSV" on a Chinese Windows)."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from portal.imports import cells


@dataclass
class Sheet:
    """The first sheet of a file: trimmed headers and the data rows (header → cell), numbered as Excel shows them
    (the header is row 1). Unnamed empty columns and trailing empty rows are dropped (Excel leaves both); empty
    rows in the middle stay, so every row keeps its number."""

    headers: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_table(cls, table: list[list[Any]]) -> "Sheet":
        if not table:
            raise ValidationError("文件是空的。")
        headers = [cells.text(header) for header in table[0]]
        width = len(headers)
        body = [list(row[:width]) + [None] * (width - len(row)) for row in table[1:]]
        if any(len(row) > width and any(not cells.blank(v) for v in row[width:]) for row in table[1:]):
            raise ValidationError("有的行比表头多出了列，请检查是否有多余的逗号或列。")
        keep = [i for i, header in enumerate(headers) if header or any(not cells.blank(row[i]) for row in body)]
        while body and all(cells.blank(value) for value in body[-1]):
            body.pop()
        headers = [headers[i] for i in keep]
        if not any(headers):
            raise ValidationError("第 1 行应为表头，但它是空的。")
        return cls(headers=headers, rows=[dict(zip(headers, [row[i] for i in keep], strict=True)) for row in body])

    def numbered(self) -> list[tuple[int, dict[str, Any]]]:
        return list(enumerate(self.rows, 2))


def limit_text(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def upload_read(upload: UploadedFile) -> tuple[bytes, Sheet]:
    """An uploaded file's bytes and its sheet, within the page's bounds. The size is checked before the file is read."""
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(f"文件太大，不能超过 {limit_text(settings.IMPORT_MAX_BYTES)}。")
    content = upload.read()
    return content, sheet_read(file_name=upload.name or "", content=content)


def sheet_read(*, file_name: str, content: bytes, max_bytes: int | None = None, max_rows: int | None = None) -> Sheet:
    """The file's first sheet; the bounds default to a page's (settings.IMPORT_MAX_*)."""
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if len(content) > max_bytes:
        raise ValidationError(f"文件太大，不能超过 {limit_text(max_bytes)}。")
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后上传。")
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("只能上传 Excel（.xlsx）或 CSV 文件。")
    if not content:
        raise ValidationError("文件是空的。")
    table = _xlsx_table(content, max_rows) if suffix == ".xlsx" else _csv_table(content)
    return Sheet.from_table(table)


def _xlsx_table(content: bytes, max_rows: int) -> list[list[Any]]:
    import openpyxl  # imported on use: only imports need it

    not_a_workbook = ValidationError("文件内容不是有效的 Excel（.xlsx）文件，请用 Excel 重新保存后上传。")
    if not content.startswith(b"PK\x03\x04"):  # an .xlsx is a zip archive
        raise not_a_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as problem:
        raise not_a_workbook from problem
    # A zip bomb (a few MB inflating to gigabytes) is refused from the zip directory, before anything is inflated.
    # The directory's sizes could lie, but openpyxl's zipfile stops reading a member at its declared size.
    unpacked = sum(member.file_size for member in members)
    if len(members) > 1000 or unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        limit = limit_text(settings.IMPORT_MAX_UNPACKED_BYTES)
        raise ValidationError(f"Excel 文件解压后超过 {limit}，请删除多余的工作表、图片后重新上传。")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            table = []
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                table.append(list(row))
                # A sheet far past the row limit stops being read here (the exact count is checked later).
                if len(table) > max_rows + 1000 and any(not cells.blank(v) for v in row):
                    raise ValidationError(f"文件超过 {max_rows} 行数据的上限，请分批导入。")
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception as problem:  # whatever the parser trips on, the file is not a workbook
        raise not_a_workbook from problem
    return table


def _csv_table(content: bytes) -> list[list[Any]]:
    not_a_csv = ValidationError("文件内容不是有效的 CSV 文件，请用 Excel 另存为 .xlsx 或 CSV（UTF-8）后上传。")
    if b"\x00" in content:
        raise not_a_csv  # binary content (an image, a workbook) renamed .csv
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise not_a_csv
    try:
        return [row for row in csv.reader(io.StringIO(decoded, newline=""))]
    except csv.Error as problem:
        raise not_a_csv from problem
