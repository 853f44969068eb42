"""core.exporting: every exported cell that a spreadsheet would evaluate is written as text, by every exporter."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.contrib import admin
from import_export.admin import ExportMixin

from core.exporting import (
    FORMULA_TRIGGERS,
    SAFE_EXPORT_FORMATS,
    SafeCSV,
    SafeXLSX,
    append_row,
    safe_cell,
    workbook_bytes,
)

MALICIOUS = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
ROOT = Path(__file__).resolve().parents[2]


def assert_no_formula(content: bytes) -> None:
    """No cell of any sheet is a formula: neither openpyxl's cell type nor an <f> element in the sheet XML."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[\s>]", archive.read(name)), name


@pytest.mark.parametrize("value", MALICIOUS)
def test_safe_cell_prefixes_every_formula_trigger_with_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "13912345678", "", None, -5, 3.5, "a=b", " =1"])
def test_safe_cell_leaves_ordinary_values_alone(value):
    assert safe_cell(value) == value


def test_the_triggers_are_owasps():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def _dataset() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=["姓名", "=header"])
    for value in MALICIOUS:
        dataset.append([value, 7])
    return dataset


def test_safe_xlsx_keeps_the_text_and_writes_no_formula():
    content = SafeXLSX().export_data(_dataset())

    assert_no_formula(content)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    # The value is kept as it is, only its type is text (XML reads a carriage return back as a line feed).
    assert [row[0] for row in rows[1:]] == [value.replace("\r", "\n") for value in MALICIOUS]
    assert rows[0] == ("姓名", "=header")


def test_safe_csv_escapes_every_formula_like_cell_header_included():
    text = SafeCSV().export_data(_dataset())

    import csv

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["姓名", "'=header"]
    assert [row[0] for row in rows[1:]] == ["'" + value for value in MALICIOUS]
    assert all(row[1] == "7" for row in rows[1:])


def test_workbook_bytes_defuses_formulas_however_the_cell_was_written():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "=1+1"
    sheet.cell(row=2, column=1, value='=HYPERLINK("http://x","y")')
    sheet.append(["@SUM(A1)"])
    append_row(sheet, ["-1+1", "控制\x01字符"])

    content = workbook_bytes(book)

    assert_no_formula(content)
    values = [row[0] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert values == ["=1+1", '=HYPERLINK("http://x","y")', "@SUM(A1)", "-1+1"]


def test_every_admin_export_offers_only_the_safe_formats():
    exporting = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ExportMixin)]

    assert exporting, "the residents, buildings and households admins export"
    for model_admin in exporting:
        formats = model_admin.get_export_formats()
        assert formats and all(fmt in SAFE_EXPORT_FORMATS for fmt in formats), type(model_admin).__name__


# A module that writes a file to export must go through core.exporting: these are the ways around it.
_BYPASSES = re.compile(r"csv\.writer|csv\.DictWriter|base_formats|tablib|\bXLSX\(\)|\bCSV\(\)")
_PROJECT_DIRS = ("accounts", "cobuilding", "config", "core", "grids", "notifications", "orgs", "residents", "services",
                 "volunteers")  # fmt: skip


def _project_modules():
    for directory in _PROJECT_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" not in path.parts and path != ROOT / "core" / "exporting.py":
                yield path


def test_no_module_writes_a_spreadsheet_or_csv_except_through_core_exporting():
    offenders = []
    for path in _project_modules():
        source = path.read_text(encoding="utf-8")
        # A new workbook being built (not one being read, as load_workbook or CalamineWorkbook do).
        builds_workbook = re.search(r"(?<!\w)(?:openpyxl\.)?Workbook\(", source)
        if "openpyxl" in source and builds_workbook and "workbook_bytes" not in source:
            offenders.append(f"{path.relative_to(ROOT)}: saves a workbook without core.exporting.workbook_bytes")
        if ("csv" in source or "openpyxl" in source or "import_export" in source) and _BYPASSES.search(source):
            match = _BYPASSES.search(source)
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders, offenders
