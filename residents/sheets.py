"""Reading an uploaded sheet without letting the file decide how much work the server does.

An xlsx is a zip of XML. A 1.78 MB file can declare 367 MB of XML and 400,000 rows (a zip bomb), which held the
worker for two minutes at 1.1 GB. So before openpyxl parses anything, `check_xlsx_archive` reads the zip's
directory (the declared uncompressed size of each member, their total and their compression ratio) and counts the
rows of the XML by streaming it with a cap; the same caps hold while the rows are read. The caps are settings
(RESIDENT_IMPORT_MAX_ROWS, RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES, RESIDENT_IMPORT_MAX_COMPRESSION_RATIO).

Cells are read as what they are: a formula is not a value (openpyxl's data_only mode silently reads a formula
without a cached result as empty), so it comes back as a `FormulaCell`, which the row checker reports, naming the
cell. Two columns with the same name are a file error: otherwise the last one silently wins.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

# A member smaller than this is not judged by its ratio: tiny XML parts compress oddly and cannot hurt.
RATIO_CHECK_ABOVE_BYTES = 1024 * 1024
_ROW_TOKENS = (b"<row", b":row ")
_TAIL = max(len(token) for token in _ROW_TOKENS) - 1
_CHUNK = 1024 * 1024


class SheetError(Exception):
    """The file as a whole cannot be read (wrong format, too large, bad columns); carries the message for the user."""


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula where a value belongs; the importer refuses it with the cell's coordinate."""

    coordinate: str
    formula: str

    def __str__(self) -> str:
        return self.formula


def max_rows() -> int:
    return getattr(settings, "RESIDENT_IMPORT_MAX_ROWS", 100_000)


def _max_uncompressed_bytes() -> int:
    return getattr(settings, "RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)


def _max_ratio() -> int:
    return getattr(settings, "RESIDENT_IMPORT_MAX_COMPRESSION_RATIO", 100)


def _too_many_rows() -> SheetError:
    return SheetError(_("表格超过 %(max)s 行，请拆分成多个文件后再导入。") % {"max": max_rows()})


# --- The zip, before parsing --------------------------------------------------------------------------------------


def check_xlsx_archive(content: bytes) -> None:
    """Refuse an xlsx whose declared sizes, compression ratio or row count exceed the caps, before parsing it.

    zipfile never inflates a member past its declared size (the CRC check fails first), so declared sizes bound the
    work; the rows are counted in every XML member (only worksheets have <row> elements), stopping at the cap.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise SheetError(_("无法读取文件，请上传 xlsx 格式的表格。")) from None
    with archive:
        members = archive.infolist()
        limit = _max_uncompressed_bytes()
        if sum(member.file_size for member in members) > limit:
            raise SheetError(
                _("表格解压后超过 %(max)s MB，请拆分成多个文件后再导入。") % {"max": limit // (1024 * 1024)}
            )
        for member in members:
            _check_ratio(member)
        for member in members:
            if member.filename.endswith(".xml") and _count_rows(archive, member, stop_after=max_rows() + 1) > (
                max_rows() + 1  # the header row is not a data row
            ):
                raise _too_many_rows()


def _check_ratio(member: zipfile.ZipInfo) -> None:
    if member.file_size > RATIO_CHECK_ABOVE_BYTES and member.file_size > _max_ratio() * max(member.compress_size, 1):
        raise SheetError(_("文件的压缩比异常（疑似压缩炸弹），已拒绝。请用 Excel 或 WPS 重新保存后再上传。"))


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, stop_after: int) -> int:
    """Rows in one XML member, counted on the raw bytes in chunks; stops as soon as `stop_after` is passed.

    bytes.count runs at memory speed (a regex took 6 s for 100,000 rows). `<row` also matches a sheet's single
    `<rowBreaks>`, a harmless overcount of one; `:row ` catches a namespace prefix (`</x:row>` does not match it).
    Whatever escapes the count (`<x:row>` without attributes) is still stopped by the cap while the rows are read.
    """
    count, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                data = tail + chunk
                # The tail keeps a token cut in two by the chunk boundary; those wholly inside it were counted.
                count += sum(data.count(token) - tail.count(token) for token in _ROW_TOKENS)
                tail = data[-_TAIL:]
                if count > stop_after:
                    return count
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise SheetError(_("无法读取文件，请上传 xlsx 格式的表格。")) from None
    return count


# --- Reading ------------------------------------------------------------------------------------------------------


def read_sheet(content: bytes, *, filename: str = "") -> tuple[list[str], Iterator[Sequence]]:
    """The header and the data rows of an xlsx (first sheet) or csv file, within the caps.

    Raises SheetError for a file that cannot be read, exceeds a cap or names a column twice.
    """
    header, rows = _read_csv(content) if filename.lower().endswith(".csv") else _read_xlsx(content)
    if not header:
        raise SheetError(_("表格是空的。"))
    names = [str(cell or "").strip() for cell in header]
    repeated = [name for name, count in Counter(name for name in names if name).items() if count > 1]
    if repeated:
        raise SheetError(_("表格中有多列的列名都是“%(column)s”，请只保留一列。") % {"column": repeated[0]})
    return names, _capped(rows)


def _read_csv(content: bytes) -> tuple[Sequence | None, Iterator[Sequence]]:
    try:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        raise SheetError(_("无法读取文件，csv 文件请使用 UTF-8 编码保存。")) from None
    except csv.Error:
        raise SheetError(_("无法读取文件，csv 格式有误。")) from None
    if len(rows) > max_rows() + 1:
        raise _too_many_rows()
    iterator = iter(rows)
    return next(iterator, None), iterator


def _read_xlsx(content: bytes) -> tuple[Sequence | None, Iterator[Sequence]]:
    check_xlsx_archive(content)
    try:
        # Not data_only: a formula must be seen as a formula, not as its cached value or as an empty cell.
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        # Read-only openpyxl stops at the sheet's declared <dimension>, which some writers get wrong: rows past it
        # would vanish silently. Read them all; the row cap bounds the work.
        sheet.reset_dimensions()
        iterator = (_row_values(row) for row in sheet.iter_rows())
        return next(iterator, None), iterator
    except SheetError:
        raise
    except Exception:  # openpyxl raises many types for a file that is not xlsx
        raise SheetError(_("无法读取文件，请上传 xlsx 格式的表格。")) from None


def _row_values(cells) -> tuple:
    return tuple(
        FormulaCell(cell.coordinate, str(cell.value)) if cell.data_type == "f" else cell.value for cell in cells
    )


def _capped(rows: Iterator[Sequence]) -> Iterator[Sequence]:
    """The rows, refusing the file once past the cap (a second guard behind the count on the raw XML)."""
    for index, row in enumerate(rows, start=1):
        if index > max_rows():
            raise _too_many_rows()
        yield row
