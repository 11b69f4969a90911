"""What an import reports: the library's result with the row numbers the user sees in Excel (the header is
row 1, the first data row is row 2), and one `RosterRow` per data row for the preview page."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export.results import Result, RowResult

from branches.resources.columns import COLUMNS, UPDATABLE_FIELDS, cell_text
from portal.lib import idnumbers

logger = logging.getLogger(__name__)

OUTCOME_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "新增",
    RowResult.IMPORT_TYPE_UPDATE: "更新",
    RowResult.IMPORT_TYPE_SKIP: "无变化",
    RowResult.IMPORT_TYPE_INVALID: "错误",
    RowResult.IMPORT_TYPE_ERROR: "错误",
}


class RosterResult(Result):
    """The library's result, with row numbers as Excel shows them and what the preview page needs."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        return [(i + 2, row.errors) for i, row in enumerate(self.rows) if row.errors]

    @property
    def has_problems(self) -> bool:
        return self.has_errors() or self.has_validation_errors()

    @property
    def file_errors(self) -> list[str]:
        messages = []
        for error in self.base_errors:
            if isinstance(error.error, ValidationError):
                messages.extend(error.error.messages)
            else:
                logger.error("roster import failed", exc_info=error.error)
                messages.append("处理文件时发生内部错误，请联系管理员。")
        return messages

    def preview_rows(self) -> list["RosterRow"]:
        """Every data row with its outcome: 新增 / 更新 / 无变化 / 错误 and the reasons (built once)."""
        if getattr(self, "_preview_rows", None) is None:
            self._preview_rows = [RosterRow.from_row_result(number, row) for number, row in enumerate(self.rows, 2)]
        return self._preview_rows

    def counts(self) -> dict[str, int]:
        rows = self.preview_rows()
        return {
            outcome: sum(1 for row in rows if row.outcome == outcome)
            for outcome in ("new", "update", "skip", "blank", "error")
        }


@dataclass
class RosterRow:
    number: int
    outcome: str  # new, update, skip, blank, error
    label: str
    name: str
    id_number: str  # masked when valid: the preview never shows a whole ID number
    organisation: str
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_row_result(cls, number: int, result: RowResult) -> "RosterRow":
        values = result.row_values or {}
        id_text = idnumbers.normalise(cell_text(values.get("身份证号")))
        errors = []
        if result.validation_error is not None:
            error = result.validation_error
            error_dict = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            order = list(COLUMNS)  # reasons in the order of the sheet's columns, row-wide ones last
            for column, messages in sorted(
                error_dict.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
            ):
                errors += [message if column == NON_FIELD_ERRORS else f"{column}：{message}" for message in messages]
        for error in result.errors:
            logger.error("roster row %s failed", number, exc_info=error.error)
            errors.append("保存时发生内部错误，请联系管理员。")
        instance = result.instance
        outcome = "error" if errors else result.import_type
        if outcome == RowResult.IMPORT_TYPE_SKIP and getattr(instance, "_roster_blank", False):
            outcome = "blank"
        return cls(
            number=number,
            outcome=outcome,
            label="空行，已忽略" if outcome == "blank" else OUTCOME_LABELS.get(outcome, outcome),
            name=cell_text(values.get("姓名")),
            id_number=idnumbers.mask(id_text) if idnumbers.is_valid(id_text) else id_text[:24],
            organisation=cell_text(values.get("党组织")),
            changes=[UPDATABLE_FIELDS.get(name, "网格") for name in getattr(instance, "_roster_changes", {})],
            errors=errors,
        )
