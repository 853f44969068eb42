"""The dashboard as an xlsx workbook: one sheet per figure family, one for the children table. Saved only through
core.exporting (formula-safe), like every export of the portal."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.exporting import append_row, workbook_bytes
from dashboards.report import Dashboard


def _cell(value: float | None, percent: bool = False):
    if value is None:
        return None
    return round(value * 100, 2) if percent else round(value, 2)


def dashboard_workbook(board: Dashboard) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for report in board.families:
        sheet = book.create_sheet(str(report.family.label)[:31])
        append_row(sheet, [_("指标"), _("本月"), _("上月"), _("去年同月"), _("单位")])
        for tile in report.tiles:
            f = tile.figure
            unit = "%" if f.percent else str(f.unit)
            values = [_cell(v, f.percent) for v in (tile.value, tile.last_month, tile.last_year)]
            append_row(sheet, [str(f.label), *values, unit])
    children = book.create_sheet(_("下级")[:31])
    figures = board.figures
    append_row(children, [_("名称"), *(str(f.label) + (" (%)" if f.percent else "") for f in figures)])
    for row in board.children:
        append_row(children, [row.node.name, *(_cell(row.values.get(f.key), f.percent) for f in figures)])
    return workbook_bytes(book)
