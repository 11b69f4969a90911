"""The template workbook of a kind: its headers, one example row (refused if left in) and a sheet that explains
each column."""

from portal.imports.base import Importer
from portal.lib import xlsx


def template_xlsx(importer: type[Importer]) -> bytes:
    headers = [column.header for column in importer.columns]
    rows = importer.template_rows()
    widths = [max(len(h) * 2, max(len(str(row[i])) for row in rows) * 1.6, 8) for i, h in enumerate(headers)]
    return xlsx.workbook_bytes(
        title=importer.title[:31],
        headers=headers,
        rows=rows,
        bold_header=True,
        freeze_header=True,
        column_widths=widths,
        notes=[(column.header, ("必填。" if column.required else "") + column.help) for column in importer.columns],
    )
