"""Rosters in and out of spreadsheets.

- `columns`: the roster's columns and the widgets that read each cell;
- `roster`: `PersonResource`, the import resource (every check per row, before anything is written);
- `results`: the import's result and the preview's rows, numbered as Excel shows them;
- `uploads`: reading an uploaded file into rows, and keeping it between preview and confirm;
- `export`: the template workbook and the people export;
- `accounts`: the 开通单 workbook of newly opened accounts.

The names other modules use are importable from here.
"""

from branches.resources.accounts import SLIP_HEADERS, account_slips_xlsx
from branches.resources.columns import COLUMNS, EXAMPLE_ID_NUMBER
from branches.resources.export import EXPORT_HEADERS, person_export_xlsx, roster_template_xlsx
from branches.resources.roster import PersonResource
from branches.resources.uploads import (
    roster_dataset_load,
    roster_upload_discard,
    roster_upload_load,
    roster_upload_read,
    roster_upload_store,
)
from portal.lib.xlsx import XLSX_CONTENT_TYPE

__all__ = [
    "COLUMNS",
    "EXAMPLE_ID_NUMBER",
    "EXPORT_HEADERS",
    "SLIP_HEADERS",
    "XLSX_CONTENT_TYPE",
    "PersonResource",
    "account_slips_xlsx",
    "person_export_xlsx",
    "roster_dataset_load",
    "roster_template_xlsx",
    "roster_upload_discard",
    "roster_upload_load",
    "roster_upload_read",
    "roster_upload_store",
]
