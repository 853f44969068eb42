"""The xlsx zip bomb of issue 9 (400,000 rows, ~367 MB of sheet XML in ~2 MB): how long and how much memory the
upload check takes to refuse it, and (with --old) what reading every row, as the import did before, costs.

No database needed:

    .venv/bin/python -m bench.zip_bomb            # the refusal
    .venv/bin/python -m bench.zip_bomb --old      # plus the old path (about two minutes)

Each measurement runs in a child process so its peak memory (ru_maxrss) is its own.
"""

import argparse
import io
import os
import resource
import sys
import time
import zipfile
from multiprocessing import get_context

ROWS = 400_000
CELL = '<c t="inlineStr"><is><t>{text}</t></is></c>'


def build_bomb(rows: int = ROWS) -> bytes:
    header = "".join(CELL.format(text=name) for name in ("网格编码", "楼栋", "房号", "姓名", "身份证号"))
    row = "<row>" + "".join(CELL.format(text="西津街道居民") for _ in range(16)) + "</row>"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData><row>{header}</row>' + row * rows + "</sheetData></worksheet>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _refuse(content: bytes, queue, **caps) -> None:
    from django.conf import settings

    from residents.sheets import SheetError, read_sheet

    for name, value in caps.items():
        setattr(settings, name, value)
    started = time.monotonic()
    try:
        read_sheet(content, filename="bomb.xlsx")
        outcome = "accepted"
    except SheetError as exc:
        outcome = f"refused: {exc}"
    queue.put((outcome, time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _old_path(content: bytes, queue, **caps) -> None:
    import openpyxl

    started = time.monotonic()
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))  # the import listed every row before checking
    queue.put(
        (f"read {len(rows)} rows", time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    )


def _measure(target, content: bytes, **caps) -> tuple:
    context = get_context("fork")
    queue = context.Queue()
    child = context.Process(target=target, args=(content, queue), kwargs=caps)
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", action="store_true", help="also read the bomb as the import did before")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    content = build_bomb()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    print(f"bomb: {len(content) / 1e6:.2f} MB compressed, {inflated / 1e6:.0f} MB of XML, {ROWS} rows")
    lifted = {"RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES": 10**12}
    runs = [
        ("upload check", _refuse, {}),
        ("upload check, size cap lifted", _refuse, lifted),
        (
            "upload check, size and ratio caps lifted",
            _refuse,
            lifted | {"RESIDENT_IMPORT_MAX_COMPRESSION_RATIO": 10**6},
        ),
    ] + ([("old path", _old_path, {})] if args.old else [])
    for label, target, caps in runs:
        outcome, seconds, max_rss_kb = _measure(target, content, **caps)
        print(f"{label}: {outcome} in {seconds:.2f} s, peak memory {max_rss_kb / 1024:.0f} MB")


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)

if __name__ == "__main__":
    sys.exit(main())
