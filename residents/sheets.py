"""Reading an uploaded sheet without letting the file decide how much work the server does.

An xlsx is a zip of XML. A 1.78 MB file can declare 367 MB of XML and 400,000 rows (a zip bomb), which held the
worker for two minutes at 1.1 GB. So before anything parses it, `check_xlsx_archive` reads the zip's directory
(the declared uncompressed size of each member, their total and their compression ratio) and streams the XML with a
cap on its rows, and on the rows and columns the first sheet's cells name; the same row cap holds while the rows are
read. The caps are settings (RESIDENT_IMPORT_MAX_ROWS, RESIDENT_IMPORT_MAX_COLUMNS,
RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES, RESIDENT_IMPORT_MAX_COMPRESSION_RATIO).

The rows are read by calamine (Rust): openpyxl spent 40 % of a 100,000-row import parsing XML. The upload form only
needs the header, which openpyxl's read-only mode streams without reading further.

Cells are read as what they are: a formula is not a value (calamine reads its cached result, or nothing), so it
comes back as a `FormulaCell`, which the row checker reports, naming the cell. Two columns with the same name are a
file error: otherwise the last one silently wins.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from python_calamine import CalamineWorkbook

# A member smaller than this is not judged by its ratio: tiny XML parts compress oddly and cannot hurt.
RATIO_CHECK_ABOVE_BYTES = 1024 * 1024
_ROW_TOKENS = (b"<row", b":row ")
_CELL_TOKENS = (b"<c ", b"<c>", b"<c/>", b":c ", b":c>", b":c/>")
# A formula element, <f>, <f t="shared" .../> or with a namespace prefix (a closing </x:f> matches too: harmless).
_FORMULA = re.compile(rb"[<:]f[\s>/]")
# The same element found from its rarer second half ("f" then a space, ">" or "/"): a regex starting with a character
# class tries every byte of the sheet; one starting with a literal jumps from "f" to "f".
_FORMULA_TAIL = re.compile(rb"f[\s>/]")
# A cell start tag without an `r` attribute.
_CELL_WITHOUT_REF = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr=)")
# A cell start tag that is not `<c r="` (a namespace prefix needs ":c", looked for apart): when none occurs, no cell
# lacks its `r`, which this literal-led regex tells 5x faster than the look-ahead above tried on every cell.
_UNUSUAL_CELL_START = re.compile(rb'<c(?:[>/\t\n\r\x0b\x0c]| (?!r="))')
# Long enough for any token or reference above to be seen whole in the tail carried between chunks.
_TAIL = 64
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


def max_columns() -> int:
    return getattr(settings, "RESIDENT_IMPORT_MAX_COLUMNS", 50)


def _too_many_rows() -> SheetError:
    return SheetError(_("表格超过 %(max)s 行，请拆分成多个文件后再导入。") % {"max": max_rows()})


def _too_many_columns() -> SheetError:
    return SheetError(_("表格超过 %(max)s 列，请删除多余的列后再导入。") % {"max": max_columns()})


def _unreadable() -> SheetError:
    return SheetError(_("无法读取文件，请上传 xlsx 格式的表格。"))


def _big_row_pattern() -> re.Pattern:
    """Matches a row or cell reference with at least as many digits as the row cap: the only ones to look at."""
    digits = len(str(max_rows() + 1))
    return re.compile(rb'r="[A-Z]{0,3}([0-9]{%d,})"' % digits)  # a literal start: 3x faster than \sr="


def _wide_column_pattern() -> re.Pattern:
    """Matches a cell reference whose column lies past the column cap (e.g. past AX for 50 columns)."""
    last = get_column_letter(max_columns())
    longer = rb"[A-Z]{%d,}" % (len(last) + 1)
    same_length = [
        re.escape(last[:index].encode()) + b"[" + chr(ord(last[index]) + 1).encode() + b"-Z]" + b"[A-Z]" * (
            len(last) - index - 1)
        for index in range(len(last)) if last[index] != "Z"
    ]  # fmt: skip
    return re.compile(rb'r="(?:' + b"|".join([longer, *same_length]) + rb")[0-9]")


# --- The zip, before parsing --------------------------------------------------------------------------------------


@dataclass
class SheetScan:
    """What the streaming pass over the first sheet's XML learned before anything parses it."""

    has_formulas: bool = False


def check_xlsx_archive(content: bytes) -> SheetScan:
    """Refuse an xlsx whose declared sizes, compression ratio, rows or columns exceed the caps, before parsing it.

    zipfile never inflates a member past its declared size (the CRC check fails first), so declared sizes bound the
    work; the rows are counted in every XML member (only worksheets have <row> elements), stopping at the cap. The
    first sheet is also scanned for the highest row and column a cell names: calamine holds a sheet as one dense
    block from its first to its last cell, so two cells at A1 and XFD1000000 would ask for half a terabyte (and the
    Rust allocator aborts the whole worker rather than raise).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise _unreadable() from None
    with archive:
        members = archive.infolist()
        limit = _max_uncompressed_bytes()
        if sum(member.file_size for member in members) > limit:
            raise SheetError(
                _("表格解压后超过 %(max)s MB，请拆分成多个文件后再导入。") % {"max": limit // (1024 * 1024)}
            )
        for member in members:
            _check_ratio(member)
        first_sheet = _first_sheet_name(archive)
        scan = SheetScan()
        for member in members:
            if not member.filename.endswith(".xml"):
                continue
            if member.filename == first_sheet:
                scan = _scan_first_sheet(archive, member)
            elif _count_rows(archive, member, stop_after=max_rows() + 1) > max_rows() + 1:  # + the header row
                raise _too_many_rows()
        return scan


def _check_ratio(member: zipfile.ZipInfo) -> None:
    if member.file_size > RATIO_CHECK_ABOVE_BYTES and member.file_size > _max_ratio() * max(member.compress_size, 1):
        raise SheetError(_("文件的压缩比异常（疑似压缩炸弹），已拒绝。请用 Excel 或 WPS 重新保存后再上传。"))


def _first_sheet_name(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet (the one both readers take), from workbook.xml and its rels."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise _unreadable() from None
    sheet = next((element for element in workbook.iter() if element.tag.endswith("}sheet")), None)
    rel_id = next(
        (value for key, value in (sheet.attrib.items() if sheet is not None else ()) if key.endswith("}id")), None
    )
    target = next((rel.get("Target", "") for rel in rels if rel.get("Id") == rel_id), "")
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _scan_first_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> SheetScan:
    """Count rows, find the highest row and column a cell names, and notice formulas: one streaming pass.

    Each test runs in C (bytes.count, a regex search that matches only what is out of bounds or rare), so the pass
    over a 100,000-row sheet costs well under a second. Cells without an `r` (it is optional) take the column after
    the previous one, so then the cells of each row are counted instead.
    """
    scan, rows, cells_in_row, widest = SheetScan(), 0, 0, 0
    big_row, wide_column = _big_row_pattern(), _wide_column_pattern()
    for data, chunk_start in _chunks_with_tail(archive, member):
        rows += sum(data.count(token) - data[:chunk_start].count(token) for token in _ROW_TOKENS)
        if rows > max_rows() + 1:
            raise _too_many_rows()
        if any(int(number) > max_rows() + 1 for number in big_row.findall(data)):
            raise _too_many_rows()
        if wide_column.search(data):
            raise _too_many_columns()
        scan.has_formulas = scan.has_formulas or _has_formula(data)
        if _has_cell_without_ref(data):
            cells_in_row, widest = _widest_row(data[chunk_start:], cells_in_row, widest)
            if widest > max_columns():
                raise _too_many_columns()
    return scan


def _has_formula(data: bytes) -> bool:
    """`_FORMULA.search(data)`, faster."""
    return any(match.start() and data[match.start() - 1] in b"<:" for match in _FORMULA_TAIL.finditer(data))


def _has_cell_without_ref(data: bytes) -> bool:
    """`_CELL_WITHOUT_REF.search(data)`, answered at once when every cell tag starts `<c r="`."""
    if b":c" not in data and not _UNUSUAL_CELL_START.search(data):
        return False
    return bool(_CELL_WITHOUT_REF.search(data))


def _chunks_with_tail(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """The member in chunks, each preceded by the last bytes of the one before (a token cut in two is seen whole)."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                data = tail + chunk
                yield data, len(tail)
                tail = data[-_TAIL:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _unreadable() from None


def _widest_row(data: bytes, cells_in_row: int, widest: int) -> tuple[int, int]:
    """Cells per row, carried across chunks: the width calamine gives cells that do not name their column."""
    parts = data.split(b"<row")
    for index, part in enumerate(parts):
        if index:
            cells_in_row = 0
        cells_in_row += sum(part.count(token) for token in _CELL_TOKENS)
        widest = max(widest, cells_in_row)
    return cells_in_row, widest


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, stop_after: int) -> int:
    """Rows in one XML member, counted on the raw bytes in chunks; stops as soon as `stop_after` is passed.

    bytes.count runs at memory speed (a regex took 6 s for 100,000 rows). `<row` also matches a sheet's single
    `<rowBreaks>`, a harmless overcount of one; `:row ` catches a namespace prefix (`</x:row>` does not match it).
    Whatever escapes the count (`<x:row>` without attributes) is still stopped by the cap while the rows are read.
    """
    count = 0
    for data, tail_length in _chunks_with_tail(archive, member):
        # The tail keeps a token cut in two by the chunk boundary; those wholly inside it were counted.
        count += sum(data.count(token) - data[:tail_length].count(token) for token in _ROW_TOKENS)
        if count > stop_after:
            return count
    return count


# --- Reading ------------------------------------------------------------------------------------------------------


def read_sheet(
    content: bytes, *, filename: str = "", header_only: bool = False
) -> tuple[list[str], Iterator[Sequence]]:
    """The header and the data rows of an xlsx (first sheet) or csv file, within the caps.

    `header_only` (the upload form's check) reads the first row without parsing the rest; the rows it returns are
    empty. Raises SheetError for a file that cannot be read, exceeds a cap or names a column twice.
    """
    if filename.lower().endswith(".csv"):
        header, rows = _read_csv(content)
    else:
        header, rows = _read_xlsx_header(content) if header_only else _read_xlsx(content)
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
    """Every row of the first sheet, read by calamine (Rust, several times faster than openpyxl).

    calamine gives a formula's cached value, or drops the cell when there is none; formulas are not values, so
    when the scan saw any, the sheet's XML is parsed once more for them and each becomes a FormulaCell in its place.
    """
    scan = check_xlsx_archive(content)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own errors, and ValueError or TypeError for some broken parts
        raise _unreadable() from None
    if scan.has_formulas:
        _put_formulas(rows, _formulas_of_first_sheet(content))
    iterator = iter(rows)
    return next(iterator, None), iterator


def _read_xlsx_header(content: bytes) -> tuple[Sequence | None, Iterator[Sequence]]:
    """The first row only, streamed by openpyxl's read-only mode, which stops there: the upload form answers at once."""
    check_xlsx_archive(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        header = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), None)
    except Exception:  # openpyxl raises many types for a file that is not xlsx
        raise _unreadable() from None
    return header, iter(())


def _formulas_of_first_sheet(content: bytes) -> dict[tuple[int, int], FormulaCell]:
    """(row, column) from 0 → the formula there, for each cell of the first sheet holding an <f>."""
    formulas, shared = {}, {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(_first_sheet_name(archive)) as stream:
        row, column = -1, -1
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            name = element.tag.rpartition("}")[2]
            if event == "start" and name == "row":
                row, column = (int(element.get("r")) - 1 if element.get("r") else row + 1), -1
            elif event == "start" and name == "c":
                row, column = _position(element.get("r"), row, column)
            elif event == "end" and name == "f":
                text = element.text or shared.get(element.get("si"), "")
                if element.get("t") == "shared" and element.text:
                    shared[element.get("si")] = element.text
                formulas[row, column] = FormulaCell(f"{get_column_letter(column + 1)}{row + 1}", f"={text}")
            elif event == "end" and name == "row":
                element.clear()
    return formulas


def _position(reference: str | None, row: int, column: int) -> tuple[int, int]:
    if not reference:
        return row, column + 1
    letters, number = coordinate_from_string(reference)
    return int(number) - 1, column_index_from_string(letters) - 1


def _put_formulas(rows: list[list], formulas: dict[tuple[int, int], FormulaCell]) -> None:
    for (row, column), cell in formulas.items():
        while len(rows) <= row:
            rows.append([])
        rows[row].extend([""] * (column + 1 - len(rows[row])))
        rows[row][column] = cell


def _capped(rows: Iterator[Sequence]) -> Iterator[Sequence]:
    """The rows, refusing the file once past the cap (a second guard behind the count on the raw XML)."""
    for index, row in enumerate(rows, start=1):
        if index > max_rows():
            raise _too_many_rows()
        yield row
