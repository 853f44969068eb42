"""The unit's yearly review workbook (述职考评材料): what the unit's Party secretary reports on at year end.

Sheets: summary figures, agreements with their fulfilled share, the items due that year, the unit's members who
reported to communities with the communities' feedback, whistle responses with their points, and the democratic
evaluation. Every figure comes from cobuilding.selectors (so the workbook and /units/{id}/yearly/ agree) and every
phone number is masked with core.masking.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cobuilding import selectors
from cobuilding.models import FeedbackRating, MemberFeedback, ResidentUnit
from core.exporting import append_row, workbook_bytes
from core.masking import mask_phone

_BOLD = Font(bold=True)


def _sheet(book: Workbook, title: str, header: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = _BOLD
    for row in rows:
        append_row(sheet, row)
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(label) * 2 + 4)


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _percent(share) -> str:
    return "" if share is None else f"{share * 100:.2f}%"


def _summary_rows(unit: ResidentUnit, year: int, figures: dict) -> list[tuple]:
    share, members = figures["commitments"], figures["members"]
    whistles, evaluation = figures["whistles"], figures["evaluation"]
    rows = [
        (_("单位名称"), unit.name),
        (_("单位类型"), unit.get_kind_display()),
        (_("年度"), year),
        (_("联系人"), unit.contact_person),
        (_("联系电话"), mask_phone(unit.contact_phone)),
        (_("党员人数"), unit.party_member_count),
        (_("年度到期承诺事项"), share["items_total"]),
        (_("已核实完成"), share["items_fulfilled"]),
        (_("履约率"), _percent(share["fulfilled_share"])),
        (_("在职党员报到人数"), members["members_reported"]),
    ]
    rows += [
        (_("社区评价：%(rating)s") % {"rating": rating.label}, members["feedback_by_rating"][rating.value])
        for rating in FeedbackRating
    ]
    rows += [
        (_("吹哨响应次数"), whistles["calls"]),
        (_("按时答复"), whistles["on_time"]),
        (_("超时答复"), whistles["late"]),
        (_("超时未答复"), whistles["unanswered"]),
        (_("吹哨响应积分"), whistles["points"]),
        (_("民主评议平均分"), "" if evaluation["average_score"] is None else float(evaluation["average_score"])),
        (_("民主评议人次"), evaluation["responses"]),
    ]
    return rows


def unit_yearly_report_xlsx(*, unit: ResidentUnit, year: int, fetched_by) -> bytes:
    figures = selectors.unit_yearly_figures(unit=unit, year=year, fetched_by=fetched_by)
    book = Workbook()
    summary = book.active
    summary.title = _("概况")
    append_row(summary, [_("%(unit)s %(year)s 年度述职考评材料") % {"unit": unit.name, "year": year}])
    summary["A1"].font = _BOLD
    for row in _summary_rows(unit, year, figures):
        append_row(summary, row)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 30

    agreements = selectors.unit_agreements_in_year(unit=unit, year=year, fetched_by=fetched_by)
    _sheet(book, _("共建协议"), [_("协议名称"), _("社区"), _("开始日期"), _("结束日期"), _("状态"), _("承诺事项数"),
                                  _("已核实完成"), _("履约率")],  # fmt: skip
           ((a.title, a.community.name, a.starts_on, a.ends_on, a.get_status_display(), a.items_total,
             a.items_fulfilled, _percent(a.fulfilled_share)) for a in agreements))  # fmt: skip

    items = selectors.commitments_with_progress(
        selectors.unit_items_due_in_year(unit=unit, year=year, fetched_by=fetched_by).select_related("agreement")
    ).order_by("due_on", "id")
    _sheet(book, _("承诺事项"), [_("承诺事项"), _("协议"), _("类别"), _("目标数量"), _("已完成"), _("完成期限"),
                                  _("社区核实")],  # fmt: skip
           ((i.title, i.agreement.title, i.get_kind_display(), float(i.target), float(i.progress_total), i.due_on,
             _("是") if i.is_fulfilled else _("否")) for i in items))  # fmt: skip

    reports = selectors.unit_member_reports(unit=unit, fetched_by=fetched_by).order_by("member__name", "id")
    feedback = {
        f.report_id: f
        for f in MemberFeedback.objects.visible_to(fetched_by).filter(report__in=reports, year=year)
    }  # fmt: skip
    _sheet(book, _("在职党员报到"), [_("姓名"), _("手机号"), _("报到社区"), _("报到日期"), _("认领岗位"),
                                      _("社区评价"), _("评语")],  # fmt: skip
           ((r.member.name, mask_phone(r.member.phone), r.community.name, r.reported_on, r.service_post,
             feedback[r.pk].get_rating_display() if r.pk in feedback else "",
             feedback[r.pk].comment if r.pk in feedback else "") for r in reports))  # fmt: skip

    calls = selectors.unit_whistle_calls(unit=unit, year=year, fetched_by=fetched_by).order_by("whistle__blown_at")
    _sheet(book, _("吹哨响应"), [_("事项"), _("吹哨社区"), _("吹哨时间"), _("报到期限"), _("报到时间"),
                                  _("答复期限"), _("答复时间"), _("状态"), _("积分")],  # fmt: skip
           ((c.whistle.title, c.whistle.community.name, _local(c.whistle.blown_at), _local(c.acknowledge_by),
             _local(c.acknowledged_at), _local(c.respond_by), _local(c.responded_at), c.get_status_display(),
             c.points) for c in calls))  # fmt: skip

    evaluation = figures["evaluation"]
    average = "" if evaluation["average_score"] is None else float(evaluation["average_score"])
    counts = (evaluation["responses"], evaluation["resident_responses"], evaluation["party_member_responses"])
    header = [_("年度"), _("平均分"), _("评议人次"), _("居民"), _("党员")]
    _sheet(book, _("民主评议"), header, [(year, average, *counts)])

    return workbook_bytes(book)
