"""Importing the resident sheet communities keep today: buildings, households and residents from one xlsx.

The import runs in two passes. The first reads and checks every row (ID number, phone, gender and birth date
against the ID number, grid code within the importer's scope, duplicates in the file and among current residents,
tag names, required values) and collects each problem with its row number. The second writes, in bulk and in one
transaction, either everything (only when no row is bad) or, when the user chose so explicitly, the valid rows.

A grid code the user cannot see gets the same "not found" message as one that does not exist, so an import never
reveals grids outside the user's scope.
"""

from __future__ import annotations

import datetime
import functools
import io
import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypinyin import Style
from pypinyin.constants import RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

from core.scoping import CHANGE
from core.validators import (
    IdCardFacts,
    compact_id_number,
    id_card_mismatch_errors,
    normalize_phone,
    parse_id_number,
)
from grids.models import Building, Grid, Household, HouseholdKind
from orgs.models import Gender
from residents.models import (
    CareTag,
    PoliticalStatus,
    Relation,
    ResidenceHistory,
    ResidenceStatus,
    Resident,
)
from residents.sheets import FormulaCell, SheetError, read_sheet

__all__ = [
    "COLUMNS", "REQUIRED_COLUMNS", "ImportReport", "SheetError", "check_header", "read_sheet", "residents_import",
]  # fmt: skip

BATCH_SIZE = 1000
# Rows between two progress reports: often enough for a progress bar, rare enough to cost nothing.
PROGRESS_EVERY = 2000
# The first data row of a sheet: row 1 holds the column names, as in the sheets communities keep.
FIRST_DATA_ROW = 2

# Column names of the sheet (Chinese, as communities write them) → the field they fill.
COLUMNS = {
    "网格编码": "grid_code",
    "楼栋": "building",
    "单元": "unit",
    "房号": "room",
    "户类型": "household_kind",
    "姓名": "name",
    "身份证号": "id_number",
    "性别": "gender",
    "出生日期": "birth_date",
    "手机号": "phone",
    "与户主关系": "relation",
    "居住状态": "status",
    "民族": "ethnicity",
    "政治面貌": "political_status",
    "关爱标签": "tags",
    "备注": "notes",
}
REQUIRED_COLUMNS = ("网格编码", "楼栋", "房号", "姓名", "身份证号")
COLUMN_OF = {key: column for column, key in COLUMNS.items()}
# Fields that, when any is filled, make the row describe a resident (otherwise it only lists a household).
RESIDENT_KEYS = ("name", "id_number", "gender", "birth_date", "phone", "relation", "status", "political_status", "tags")
MAX_LENGTHS = {"grid_code": 40, "building": 100, "unit": 20, "room": 20, "name": 50, "ethnicity": 20}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")

ProgressCallback = Callable[[str, int, int], None]
# Called inside the write transaction, after the rows and before the commit: the caller's last word on the commit.
BeforeCommit = Callable[["ImportReport"], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import found and did; `written` is False whenever nothing reached the database."""

    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    valid_only: bool = False
    buildings_created: int = 0
    households_created: int = 0
    residents_created: int = 0
    rows_skipped: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    def as_dict(self) -> dict:
        return asdict(self) | {"bad_rows": self.bad_rows}

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = {key: value for key, value in data.items() if key != "bad_rows"}
        return cls(**data | {"errors": [RowError(**error) for error in data.get("errors", [])]})


# --- Checking -----------------------------------------------------------------------------------------------------


def _choice_map(choices_class, *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accept a choice's Chinese label, its current-language label, or its stored value."""
    mapping = {}
    with translation.override("zh-hans"):
        mapping.update({str(label): value for value, label in choices_class.choices})
    mapping.update({str(label): value for value, label in choices_class.choices})
    mapping.update({value: value for value in choices_class.values})
    mapping.update(extra or {})
    return mapping


def _choice_maps() -> dict[str, dict[str, str]]:
    return {
        "household_kind": _choice_map(HouseholdKind),
        "gender": _choice_map(Gender, extra={"男性": "male", "女性": "female"}),
        "relation": _choice_map(Relation, extra={"本人": Relation.HEAD}),
        "status": _choice_map(ResidenceStatus, extra={"户籍": ResidenceStatus.REGISTERED, "流动": "floating"}),
        "political_status": _choice_map(PoliticalStatus, extra={"党员": PoliticalStatus.PARTY_MEMBER}),
    }


def _cell_text(value) -> str:
    if value is None or isinstance(value, FormulaCell):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 13912345678.0
    return str(value).strip()


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(str(value).strip(), date_format).date()
        except ValueError:
            continue
    raise ValidationError(_("日期格式应为 2024-01-31。"))


@dataclass
class ParsedRow:
    """One checked row, in the form the writer needs."""

    row: int
    grid_code: str
    building: str
    unit: str
    room: str
    household_kind: str
    resident: dict | None
    tag_names: list[str]


class RowChecker:
    """Checks rows one by one against lookups fetched once for the whole file (grids, tags, current IDs)."""

    def __init__(self, *, grid_codes: set[str], tag_names: set[str], taken_ids: set[str]) -> None:
        self.grid_codes = grid_codes
        self.tag_names = tag_names
        self.taken_ids = taken_ids
        self.seen_ids: dict[str, int] = {}
        self.maps = _choice_maps()
        self.today = timezone.localdate()

    def check(self, row_number: int, values: dict[str, object]) -> tuple[ParsedRow | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(RowError(row_number, COLUMN_OF[key], str(message)))

        formulas = {key: value for key, value in values.items() if isinstance(value, FormulaCell)}
        for key, cell in formulas.items():
            fail(key, _("单元格 %(cell)s 是公式（%(formula)s），请把公式转换为数值后再导入。")
                 % {"cell": cell.coordinate, "formula": cell.formula})  # fmt: skip
        if formulas:
            return None, errors
        text = {key: _cell_text(values.get(key)) for key in COLUMNS.values() if key != "birth_date"}
        for key, limit in MAX_LENGTHS.items():
            if len(text[key]) > limit:
                fail(key, _("不能超过 %(max)s 个字。") % {"max": limit})
        for key in ("grid_code", "building"):
            if not text[key]:
                fail(key, _("必填。"))
        if text["grid_code"] and text["grid_code"] not in self.grid_codes:
            fail("grid_code", _("网格编码“%(code)s”不存在。") % {"code": text["grid_code"]})
        kind = self._choice("household_kind", text, fail, default=HouseholdKind.REGISTERED)
        has_resident = any(text[key] for key in RESIDENT_KEYS if key != "birth_date") or values.get("birth_date")
        if (has_resident or text["unit"]) and not text["room"]:
            fail("room", _("必填。"))
        resident, tag_names = self._resident(row_number, text, values, fail) if has_resident else (None, [])
        if errors:
            return None, errors
        parsed = ParsedRow(
            row_number, text["grid_code"], text["building"], text["unit"], text["room"], kind, resident, tag_names
        )
        return parsed, []

    def _choice(self, key: str, text: dict, fail, *, default: str) -> str:
        if not text[key]:
            return default
        value = self.maps[key].get(text[key])
        if value is None:
            fail(key, _("无法识别“%(value)s”。") % {"value": text[key]})
        return value or default

    def _resident(self, row_number: int, text: dict, values: dict, fail) -> tuple[dict, list[str]]:
        if not text["name"]:
            fail("name", _("必填。"))
        gender = self._choice("gender", text, fail, default="")
        birth_date = None
        if values.get("birth_date") not in (None, ""):
            try:
                birth_date = _parse_date(values["birth_date"])
            except ValidationError as exc:
                fail("birth_date", exc.messages[0])
        facts = self._id_facts(row_number, text["id_number"], gender, birth_date, fail)
        if facts:
            gender, birth_date = gender or facts.gender, birth_date or facts.birth_date
        if birth_date and birth_date > self.today:
            fail("birth_date", _("出生日期不能晚于今天。"))
        phone = ""
        if text["phone"]:
            try:
                phone = normalize_phone(text["phone"])
            except ValidationError as exc:
                fail("phone", exc.messages[0])
        tag_names = [name.strip() for name in text["tags"].replace("，", ",").replace("、", ",").split(",")]
        tag_names = [name for name in tag_names if name]
        for name in tag_names:
            if name not in self.tag_names:
                fail("tags", _("没有名为“%(name)s”的关爱标签。") % {"name": name})
        resident = {
            "name": text["name"],
            "id_number": facts.number if facts else "",
            "gender": gender,
            "birth_date": birth_date,
            "phone": phone,
            "relation": self._choice("relation", text, fail, default=Relation.OTHER),
            "status": self._choice("status", text, fail, default=ResidenceStatus.REGISTERED),
            "ethnicity": text["ethnicity"] or "汉族",
            "political_status": self._choice("political_status", text, fail, default=PoliticalStatus.MASSES),
            "notes": text["notes"],
        }
        return resident, tag_names

    def _id_facts(self, row_number: int, raw: str, gender: str, birth_date, fail) -> IdCardFacts | None:
        if not raw:
            return None
        try:
            facts = parse_id_number(raw, today=self.today)
        except ValidationError as exc:
            fail("id_number", exc.messages[0])
            return None
        for key, error in id_card_mismatch_errors(facts, gender=gender, birth_date=birth_date).items():
            fail(key, error.messages[0])
        if facts.number in self.taken_ids:
            fail("id_number", _("已有在住居民使用此身份证号。"))
        elif facts.number in self.seen_ids:
            fail("id_number", _("与第 %(row)s 行的身份证号重复。") % {"row": self.seen_ids[facts.number]})
        else:
            self.seen_ids[facts.number] = row_number
        return facts


# --- The service --------------------------------------------------------------------------------------------------


def _chunks(items: Sequence, size: int = 900) -> Iterator[Sequence]:
    # 900 keeps an IN (...) list under SQLite's parameter limit.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_as_dicts(header: list[str], rows: Iterable[Sequence]) -> list[tuple[int, dict]]:
    positions = {COLUMNS[name]: index for index, name in enumerate(header) if name in COLUMNS}
    result = []
    for offset, row in enumerate(rows):
        if row is None or all(cell in (None, "") for cell in row):
            continue  # blank lines between blocks are common in hand-kept sheets
        values = {key: row[index] if index < len(row) else None for key, index in positions.items()}
        result.append((FIRST_DATA_ROW + offset, values))
    return result


def _taken_ids(rows: list[tuple[int, dict]]) -> set[str]:
    """ID numbers already used by current residents anywhere (the uniqueness rule is city-wide)."""
    raw = sorted({compact_id_number(_cell_text(values.get("id_number"))) for _row, values in rows} - {""})
    taken: set[str] = set()
    for chunk in _chunks(raw):
        taken.update(Resident.objects.current().filter(id_number__in=chunk).values_list("id_number", flat=True))
    return taken


def residents_import(
    *,
    header: list[str],
    rows: Iterable[Sequence],
    by,
    valid_only: bool = False,
    progress: ProgressCallback | None = None,
    before_commit: BeforeCommit | None = None,
) -> ImportReport:
    """Check every row, then write buildings, households and residents in bulk, or nothing.

    `before_commit` runs inside the write transaction (whenever something is written); an exception from it
    undoes the whole write. Raises SheetError when required columns are missing and PermissionDenied for a user
    who may not write.
    """
    if not (by.is_authenticated and by.can_write):
        raise PermissionDenied(_("您没有导入数据的权限。"))
    check_header(header)
    progress = progress or (lambda phase, done, total: None)
    records = _rows_as_dicts(header, rows)
    report = ImportReport(total_rows=len(records), valid_only=valid_only)
    grids = _visible_grids(records, by)
    checker = RowChecker(
        grid_codes=set(grids),
        tag_names=set(CareTag.objects.values_list("name", flat=True)),
        taken_ids=_taken_ids(records),
    )
    parsed: list[ParsedRow] = []
    for index, (row_number, values) in enumerate(records, start=1):
        row, errors = checker.check(row_number, values)
        report.errors.extend(errors)
        if row is not None:
            parsed.append(row)
        if index % PROGRESS_EVERY == 0:
            progress("validate", index, len(records))
    progress("validate", len(records), len(records))
    report.rows_skipped = len(records) - len(parsed)
    if parsed and (valid_only or not report.errors):
        _write(parsed, grids, report, progress, before_commit or (lambda report: None))
    return report


def check_header(header: list[str]) -> None:
    """Refuse a sheet without the required columns (at upload time and again when the job runs)."""
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SheetError(_("表格缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)})


def _visible_grids(records: list[tuple[int, dict]], by) -> dict[str, int]:
    """Grid code → id for the codes in the file that the user may write in; other codes simply are not there."""
    codes = sorted({_cell_text(values.get("grid_code")) for _row, values in records} - {""})
    found: dict[str, int] = {}
    for chunk in _chunks(codes):
        found.update(Grid.objects.visible_to(by, CHANGE).filter(code__in=chunk).values_list("code", "id"))
    return found


@transaction.atomic
def _write(parsed: list[ParsedRow], grids: dict[str, int], report: ImportReport, progress: ProgressCallback,
           before_commit: BeforeCommit) -> None:  # fmt: skip
    buildings = _ensure_buildings(parsed, grids, report)
    residents = [row for row in parsed if row.resident is not None]
    # PostgreSQL: the residents' ids are taken from their sequence first, so a new household is inserted with its
    # head already set (no UPDATE of every new household afterwards). Elsewhere the heads are set after the insert.
    ids = _reserve_ids(Resident, len(residents)) if connection.vendor == "postgresql" else None
    heads: dict[tuple[int, str, str], int] = {}
    for row, pk in zip(residents, ids or (), strict=False):
        if row.resident is not None and row.resident["relation"] == Relation.HEAD:
            heads.setdefault(_household_key(row, grids, buildings), pk)
    households = _ensure_households(parsed, grids, buildings, report, heads)
    _create_residents(residents, grids, buildings, households, report, progress, ids)
    report.written = True
    before_commit(report)


def _household_key(
    row: ParsedRow, grids: dict[str, int], buildings: dict[tuple[int, str], int]
) -> tuple[int, str, str]:
    return buildings[grids[row.grid_code], row.building], row.unit, row.room


def _ensure_buildings(parsed, grids, report) -> dict[tuple[int, str], int]:
    wanted = {(grids[row.grid_code], row.building) for row in parsed}
    existing = {
        (grid_id, name): pk
        for pk, grid_id, name in Building.objects.filter(grid_id__in=set(grids.values())).values_list(
            "id", "grid_id", "name"
        )
    }
    new = [Building(grid_id=grid_id, name=name) for grid_id, name in sorted(wanted - existing.keys())]
    Building.objects.bulk_create(new, batch_size=BATCH_SIZE)
    existing.update({(building.grid_id, building.name): building.pk for building in new})
    report.buildings_created = len(new)
    return existing


def _ensure_households(
    parsed: list[ParsedRow],
    grids: dict[str, int],
    buildings: dict[tuple[int, str], int],
    report: ImportReport,
    heads: dict[tuple[int, str, str], int],
) -> dict[tuple[int, str, str], Household]:
    """Household key → household, creating the missing ones (with their head from `heads`, when known)."""
    kinds: dict[tuple[int, str, str], str] = {}
    for row in parsed:
        kinds.setdefault((buildings[grids[row.grid_code], row.building], row.unit, row.room), row.household_kind)
    building_ids = sorted({key[0] for key in kinds})
    existing: dict[tuple[int, str, str], Household] = {}
    for chunk in _chunks(building_ids):
        for household in Household.objects.filter(building_id__in=chunk).only(
            "id", "building_id", "unit", "room", "head_id"
        ):
            existing[household.building_id, household.unit, household.room] = household
    new = [
        Household(building_id=b, unit=u, room=r, kind=kinds[b, u, r], head_id=heads.get((b, u, r)))
        for b, u, r in kinds
        if (b, u, r) not in existing
    ]
    if connection.vendor == "postgresql":
        values = [{"building_id": h.building_id, "unit": h.unit, "room": h.room, "kind": h.kind, "head_id": h.head_id}
                  for h in new]  # fmt: skip
        for household, pk in zip(new, _insert_rows(Household, values), strict=True):
            household.pk = pk
    else:
        Household.objects.bulk_create(new, batch_size=BATCH_SIZE)
    existing.update({(h.building_id, h.unit, h.room): h for h in new})
    report.households_created = len(new)
    return existing


def _create_residents(
    rows: list[ParsedRow],
    grids: dict[str, int],
    buildings: dict[tuple[int, str], int],
    households: dict[tuple[int, str, str], Household],
    report: ImportReport,
    progress: ProgressCallback,
    reserved_ids: list[int] | None,
) -> None:
    values = []
    for row in rows:
        assert row.resident is not None
        household = households[_household_key(row, grids, buildings)]
        # name_initials: Resident.save() fills it, and no save() runs here.
        values.append(
            row.resident | {"household_id": household.pk, "name_initials": _initials_of(row.resident["name"])}
        )
    ids: list[int] = []
    step = BATCH_SIZE * 10
    for start in range(0, len(values), step):
        chunk_ids = reserved_ids[start : start + step] if reserved_ids is not None else None
        ids += _insert_rows(Resident, values[start : start + step], ids=chunk_ids)
        progress("write", min(start + step, len(values)), len(values))
    tag_ids = dict(CareTag.objects.values_list("name", "id"))
    Through = Resident.tags.through
    Through.objects.bulk_create(
        [Through(resident_id=pk, caretag_id=tag_ids[name]) for row, pk in zip(rows, ids, strict=True)
         for name in dict.fromkeys(row.tag_names)],
        batch_size=BATCH_SIZE,
    )  # fmt: skip
    _open_residence_histories([(pk, value["household_id"]) for pk, value in zip(ids, values, strict=True)])
    _set_heads(
        [(pk, value["household_id"], value["relation"]) for pk, value in zip(ids, values, strict=True)], households
    )
    report.residents_created = len(ids)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL), to insert rows whose ids are known first."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _insert_rows(model: type[models.Model], rows: list[dict], *, ids: list[int] | None = None) -> list[int]:
    """Insert `rows` (attname → value, the same keys in each) as `model.objects.bulk_create` would; their new ids.

    bulk_create spent most of the write building a model instance per row and preparing each value through its
    field. Here each field is looked at once: fields the rows leave out get their default (auto_now and
    auto_now_add: now; a callable default is called once, not per row), and only values that need converting for
    the database (dates, times, ...) go through their field; strings, integers and None go as they are. Then, on
    PostgreSQL, one COPY with ids taken from the sequence first (`ids`, or reserved here): the server neither parses
    nor plans a statement per thousand rows; elsewhere plain multi-row INSERT ... RETURNING id.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids = ids if ids is not None else _reserve_ids(model, len(rows))
        _copy_rows(model, rows, ids)
        return ids
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35: no ids from a bulk insert
        return [model.objects.create(**row).pk for row in rows]
    fields, row_params = _row_params(model, rows[0])
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(model_field.column) for model_field in fields)})"
        " VALUES {} RETURNING " + quote(model._meta.pk.column)
    )
    placeholder = f"({', '.join(['%s'] * len(fields))})"
    per_statement = min(BATCH_SIZE, (connection.features.max_query_params or 20_000) // len(fields))
    inserted: list[int] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, per_statement):
            params = [param for row in chunk for param in row_params(row)]
            cursor.execute(sql.format(", ".join([placeholder] * len(chunk))), params)
            inserted += [pk for (pk,) in cursor.fetchall()]
    return inserted


def _row_params(model: type[models.Model], sample: dict) -> tuple[list[models.Field], Callable[[dict], list]]:
    """The model's non-key columns, and a function giving a row's values for them, prepared for the database."""
    fields = [model_field for model_field in model._meta.concrete_fields if not model_field.primary_key]
    now = timezone.now()
    fixed = {}  # the same value in every row: prepared once
    for model_field in fields:
        if model_field.attname not in sample:
            auto = getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
            fixed[model_field.attname] = model_field.get_db_prep_save(
                now if auto else model_field.get_default(), connection
            )
    getters: list[Callable[[dict], object]] = []
    for model_field in fields:
        name = model_field.attname
        if name in fixed:
            getters.append(functools.partial(_constant, fixed[name]))
        elif isinstance(model_field, _PLAIN_FIELDS):
            getters.append(operator.itemgetter(name))
        else:
            prepare = functools.partial(model_field.get_db_prep_save, connection=connection)
            getters.append(functools.partial(_prepared, prepare, name))
    return fields, lambda row: [getter(row) for getter in getters]


def _constant(value: object, row: dict) -> object:
    return value


def _prepared(prepare: Callable[[object], object], name: str, row: dict) -> object:
    return prepare(row[name])


def _copy_rows(model: type[models.Model], rows: list[dict], ids: list[int] | None) -> None:
    """PostgreSQL: write `rows` in one COPY (text format, built in memory), with the given ids or the table's own.

    Each value becomes text through a per-column function chosen once (a value every row shares is written once);
    a line is escaped value by value only when one of its values holds a tab, newline or carriage return.
    """
    fields, row_params = _row_params(model, rows[0])
    now, texts = timezone.now(), []
    for model_field in fields:
        name = model_field.attname
        if name not in rows[0]:
            auto = getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
            fixed = _copy_text(model_field.get_db_prep_save(now if auto else model_field.get_default(), connection))
            texts.append(functools.partial(_constant, fixed))
        elif isinstance(model_field, _PLAIN_FIELDS) or type(model_field) is models.DateField:
            texts.append(functools.partial(_plain_text, name))
        else:
            prepare = functools.partial(model_field.get_db_prep_save, connection=connection)
            texts.append(lambda row, prepare=prepare, name=name: _copy_text(prepare(row[name])))
    tabs = len(fields) - (ids is None)
    buffer = io.StringIO()
    write = buffer.write
    for pk, row in zip(ids or itertools.repeat(None), rows, strict=False):
        line = "\t".join([getter(row) for getter in texts])
        if pk is not None:
            line = f"{pk}\t{line}"
        if line.count("\t") != tabs or "\n" in line or "\r" in line:  # a value's own tab, newline or return
            line = "\t".join(_copy_text(value) for value in ([pk] if pk is not None else []) + row_params(row))
        write(line)
        write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = [model_field.column for model_field in fields]
    columns = columns if ids is None else [model._meta.pk.column, *columns]
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN", buffer
        )


def _plain_text(name: str, row: dict) -> str:
    """A row's value as COPY text: a string as it is (backslashes escaped; a tab, newline or return is seen on the
    line), a date (not a datetime) in ISO form, None as \\N."""
    value = row[name]
    if value.__class__ is str:
        return value if "\\" not in value else value.translate(_COPY_ESCAPES)
    if value is None:
        return "\\N"
    if value.__class__ is int:  # a foreign key
        return str(value)
    if value.__class__ is datetime.date:
        return value.isoformat()
    return _copy_text(value)


# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped; None is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _open_residence_histories(residents: list[tuple[int, int]]) -> None:
    """Open each new resident's first residence row (their household, from today); `residents`: (id, household id).

    PostgreSQL takes them in one COPY; elsewhere the database copies them from the residents' own rows (INSERT ...
    SELECT): no model instance per row either way.
    """
    today, note = timezone.localdate(), _("批量导入")  # the field's default, looked up once
    if connection.vendor == "postgresql":
        rows = [{"resident_id": resident_id, "household_id": household_id, "moved_in_on": today, "note": note}
                for resident_id, household_id in residents]  # fmt: skip
        _copy_rows(ResidenceHistory, rows, ids=None)
        return
    resident_ids = [resident_id for resident_id, _household_id in residents]
    table, resident_table = ResidenceHistory._meta.db_table, Resident._meta.db_table
    columns = [
        ResidenceHistory._meta.get_field(name).column for name in ("resident", "household", "moved_in_on", "note")
    ]
    quote = connection.ops.quote_name
    per_statement = (connection.features.max_query_params or 20_000) - 2
    with connection.cursor() as cursor:
        for chunk in _chunks(resident_ids, per_statement):
            cursor.execute(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))})"
                f" SELECT {quote('id')}, {quote(Resident._meta.get_field('household').column)}, %s, %s"
                f" FROM {quote(resident_table)} WHERE {quote('id')} IN ({', '.join(['%s'] * len(chunk))})",
                [connection.ops.adapt_datefield_value(today), note, *chunk],
            )


# Fields whose values (str, int or None) go to the database as they are: nothing to prepare per row.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.ForeignKey)
# What pypinyin.lazy_pinyin builds on every call (its default arguments), built once.
_PINYIN = Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


@functools.lru_cache(maxsize=65536)
def _initials_of(name: str) -> str:
    """`residents.models.initials_of(name)`, word by word: the name is cut into words as lazy_pinyin cuts it, and
    each word's initials (lazy_pinyin of that word alone, which converts it whole) are cached. Names repeat, and
    different names share their words (a surname, a given name), so most words are converted once per import."""
    return "".join(map(_word_initials, _PINYIN.seg(name or ""))).lower()[:50]


@functools.lru_cache(maxsize=65536)
def _word_initials(word: str) -> str:
    if not RE_HANS.match(word):  # no Chinese in it: nothing, with errors="ignore" (pypinyin's own test)
        return ""
    return "".join(_PINYIN.lazy_pinyin([word], style=Style.FIRST_LETTER, errors="ignore"))


def _set_heads(residents: list[tuple[int, int, str]], households: dict) -> None:
    """A household without a head gets the first imported resident marked 户主, in a few UPDATE ... FROM VALUES.

    bulk_update would build a CASE WHEN branch per household (39 % of a 100,000-row import went there); a join on a
    VALUES list sets them all at the database's speed. SQLite has UPDATE ... FROM since 3.33 (Django 5.2 needs 3.31:
    older versions take the bulk_update path).
    """
    by_id = {household.pk: household for household in households.values()}
    heads: dict[int, int] = {}
    for pk, household_id, relation in residents:  # (id, household id, relation) of each new resident
        if relation == Relation.HEAD and by_id[household_id].head_id is None:
            heads.setdefault(household_id, pk)
    for household_id, head_id in heads.items():
        by_id[household_id].head_id = head_id
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):
        Household.objects.bulk_update([by_id[pk] for pk in heads], ["head"], batch_size=BATCH_SIZE)
        return
    pairs = list(heads.items())
    per_statement = (connection.features.max_query_params or 20_000) // 2
    table, key, head = (connection.ops.quote_name(name) for name in (Household._meta.db_table, "id", "head_id"))
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs, per_statement):
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {head} = v.column2 FROM (VALUES {values}) AS v WHERE {table}.{key} = v.column1",
                [number for pair in chunk for number in pair],
            )
