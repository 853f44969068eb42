"""Every file the portal exports writes a cell that looks like a formula as plain text (CSV/formula injection).

A resident named `=HYPERLINK("http://x","y")` or `=1+1` must not become a live formula in the spreadsheet a
community officer opens. OWASP lists the characters a spreadsheet treats as the start of a formula: =, +, -, @,
tab and carriage return. This module is the one place that knows them:

- `safe_cell(value)` for text formats (CSV): such a string gets a leading apostrophe, which spreadsheets show as
  text and do not evaluate;
- `workbook_bytes(book)` for openpyxl, the only way an exporter saves a workbook: every formula-like cell keeps its
  value but is stored as a string, never a formula (no apostrophe is needed in xlsx, where the cell's type is
  explicit); `append_row(sheet, values)` writes a row the same way and copes with control characters;
- `SafeCSV` / `SafeXLSX`, django-import-export formats built on those two, and `SafeExportAdminMixin`, the admin
  export mixin that offers only them.

Every exporter in the project (admin changelists, the resources' `export_xlsx`, the co-building workbook) goes
through one of these; tests/core/test_exporting.py walks the admin and the source tree so a new exporter cannot
bypass them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, TypeGuard, TypeVar

import tablib
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

_V = TypeVar("_V")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)


def looks_like_formula(value: object) -> TypeGuard[str]:
    """Whether a spreadsheet would evaluate `value` if it were written as it is."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value: _V) -> _V | str:
    """The value for a text format (CSV): a formula-like string is prefixed with an apostrophe, as OWASP advises."""
    return "'" + value if looks_like_formula(value) else value


def _xlsx_value(value: _V) -> _V | str:
    # openpyxl refuses control characters with an exception; a name pasted with one must not break the export.
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value) if isinstance(value, str) else value


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row to an openpyxl sheet, storing every formula-like string as a string cell, never a formula."""
    sheet.append([_xlsx_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"


def defuse_formulas(book: Workbook) -> None:
    """Turn every formula-like cell of every sheet into a string cell, however it was written (append, cell())."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as xlsx bytes, with no live formula in it: the only way an exporter saves a workbook."""
    defuse_formulas(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_xlsx(dataset: tablib.Dataset) -> bytes:
    """A tablib dataset as an xlsx file (bold header row), every cell written through `append_row`."""
    book = Workbook()
    sheet = book.active
    sheet.title = (dataset.title or "Sheet1")[:31]
    if dataset.headers:
        append_row(sheet, dataset.headers)
        for cell in sheet[1]:
            cell.font = _BOLD
        sheet.freeze_panes = "A2"
    for row in dataset:
        append_row(sheet, row)
    return workbook_bytes(book)


class SafeCSV(CSV):  # type: ignore[misc]  # django-import-export ships no types
    """CSV export whose formula-like cells are prefixed with an apostrophe."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> str:
        escaped = tablib.Dataset(headers=[safe_cell(h) for h in dataset.headers or []] or None)
        for row in dataset:
            escaped.append([safe_cell(value) for value in row])
        exported: str = super().export_data(escaped, **kwargs)
        return exported


class SafeXLSX(XLSX):  # type: ignore[misc]  # django-import-export ships no types
    """xlsx export whose formula-like cells are string cells (tablib's own writer turns them into formulas)."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return dataset_xlsx(dataset)


SAFE_EXPORT_FORMATS = (SafeXLSX, SafeCSV)


class SafeExportAdminMixin(ExportMixin):  # type: ignore[misc]  # django-import-export ships no types
    """The admin's export: the admin's scoped queryset, as xlsx or csv, through the safe formats only."""

    formats = list(SAFE_EXPORT_FORMATS)
    export_formats = list(SAFE_EXPORT_FORMATS)  # not settings.EXPORT_FORMATS: those would bypass the escaping
