"""Importing the resident sheet (checked first, written in bulk or not at all) and exporting it masked."""

import datetime
import io
import os
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from grids.models import Building, Household
from grids.resources import BuildingResource, HouseholdResource, export_xlsx
from orgs.rules import Level
from residents.importing import COLUMNS, SheetError, read_sheet, residents_import
from residents.models import ResidenceHistory, Resident
from residents.resources import export_residents_xlsx
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory
from tests.orgs.factories import OrganizationFactory, make_id_number
from tests.residents.factories import ResidentFactory

pytestmark = pytest.mark.django_db

HEADER = list(COLUMNS)


def sheet_row(grid_code, room="101", *, name="张三", id_number=None, gender="男", birth=datetime.date(1980, 5, 17),
              phone="13912345678", relation="户主", tags="", building="1栋", unit="1"):  # fmt: skip
    id_number = make_id_number(birth, male=gender == "男") if id_number is None else id_number
    values = {
        "网格编码": grid_code, "楼栋": building, "单元": unit, "房号": room, "户类型": "户籍户", "姓名": name,
        "身份证号": id_number, "性别": gender, "出生日期": birth, "手机号": phone, "与户主关系": relation,
        "居住状态": "户籍人口", "民族": "汉族", "政治面貌": "群众", "关爱标签": tags, "备注": "",
    }  # fmt: skip
    return [values[column] for column in HEADER]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(content: bytes, user, **kwargs):
    header, rows = read_sheet(content, filename="residents.xlsx")
    return residents_import(header=header, rows=rows, by=user, **kwargs)


@pytest.fixture
def community():
    return OrganizationFactory(level=Level.COMMUNITY, code="NG-XJ-JB")


@pytest.fixture
def grid(community):
    return GridFactory(community=community, code="JB-01")


@pytest.fixture
def other_grid():
    return GridFactory(community=OrganizationFactory(level=Level.COMMUNITY), code="HL-01")


@pytest.fixture
def eager_import(monkeypatch, settings, tmp_path):
    """Run the import task in-process even when Redis makes Celery queue it (no worker runs in tests)."""
    from residents.tasks import run_resident_import

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(run_resident_import, "delay", lambda job_id: run_resident_import.apply(args=[job_id]))


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community)


def test_one_bad_row_writes_nothing_and_names_the_row_and_reason(grid, staff):
    rows = [
        sheet_row("JB-01", "101"),
        sheet_row("JB-01", "102", name="李四", id_number="342524198005170000"),
        sheet_row("JB-01", "103", name="王五", gender="女", birth=datetime.date(1992, 3, 4)),
    ]
    report = run_import(xlsx_bytes(rows), staff)

    assert not report.written
    assert report.bad_rows == [3]  # the header is row 1
    assert report.errors[0].column == "身份证号"
    assert "校验位" in report.errors[0].message
    assert not Resident.objects.exists()
    assert not Building.objects.exists()
    assert not Household.objects.exists()


def test_valid_only_mode_writes_the_good_rows_with_history_tags_and_heads(grid, staff):
    rows = [
        sheet_row("JB-01", "101", tags="空巢独居老人，低保户"),
        sheet_row("JB-01", "101", name="张小三", relation="子女", birth=datetime.date(2005, 1, 2), phone=""),
        sheet_row("JB-01", "102", name="李四", phone="12345"),
    ]
    report = run_import(xlsx_bytes(rows), staff, valid_only=True)

    assert report.written
    assert report.bad_rows == [4]
    assert report.errors[0].column == "手机号"
    assert (report.buildings_created, report.households_created, report.residents_created) == (1, 1, 2)
    head = Resident.objects.get(name="张三")
    assert head.name_initials == "zs"
    assert sorted(head.tags.values_list("name", flat=True)) == ["低保户", "空巢独居老人"]
    assert Household.objects.get().head == head
    assert ResidenceHistory.objects.filter(household__building__grid=grid).count() == 2


def test_whole_valid_file_is_written_into_existing_buildings_and_households(grid, staff):
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1", room="101")
    report = run_import(xlsx_bytes([sheet_row("JB-01", "101"), sheet_row("JB-01", "201", name="赵六")]), staff)

    assert report.written and not report.errors
    assert (report.buildings_created, report.households_created, report.residents_created) == (0, 1, 2)
    assert Resident.objects.get(name="张三").household == household


def test_out_of_scope_grid_code_is_refused_exactly_like_a_missing_one(grid, other_grid, staff):
    report = run_import(xlsx_bytes([sheet_row("HL-01", "101"), sheet_row("NOPE-99", "102", name="李四")]), staff)

    assert not report.written
    assert [error.message for error in report.errors] == ["网格编码“HL-01”不存在。", "网格编码“NOPE-99”不存在。"]
    assert not Building.objects.filter(grid=other_grid).exists()


def test_each_row_check_reports_its_reason(grid, staff):
    current = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid)))
    duplicate = make_id_number(datetime.date(1970, 1, 1))
    rows = [
        sheet_row("JB-01", "101", gender="女", id_number=make_id_number(datetime.date(1980, 5, 17), male=True)),
        sheet_row(
            "JB-01", "102", birth=datetime.date(1981, 1, 1), id_number=make_id_number(datetime.date(1980, 5, 17))
        ),
        sheet_row("JB-01", "103", id_number=duplicate, birth=datetime.date(1970, 1, 1)),
        sheet_row("JB-01", "104", id_number=duplicate, birth=datetime.date(1970, 1, 1)),
        sheet_row("JB-01", "105", id_number=current.id_number),
        sheet_row("JB-01", "106", tags="不存在的标签"),
        sheet_row("JB-01", "", name="无房号"),
        sheet_row("JB-01", "108", name=""),
    ]
    report = run_import(xlsx_bytes(rows), staff)

    found = {(error.row, error.column): error.message for error in report.errors}
    assert found[2, "性别"] == "性别与身份证号不符。"
    assert found[3, "出生日期"].startswith("出生日期与身份证号不符")
    assert found[5, "身份证号"] == "与第 4 行的身份证号重复。"
    assert found[6, "身份证号"] == "已有在住居民使用此身份证号。"
    assert found[7, "关爱标签"] == "没有名为“不存在的标签”的关爱标签。"
    assert found[8, "房号"] == "必填。"
    assert found[9, "姓名"] == "必填。"
    assert 4 not in report.bad_rows
    assert Resident.objects.count() == 1


def test_missing_required_columns_refuse_the_whole_file(grid, staff):
    header = [column for column in HEADER if column != "身份证号"]
    with pytest.raises(SheetError, match="身份证号"):
        run_import(xlsx_bytes([], header=header), staff)


def test_official_cannot_import(grid, community):
    official = UserFactory(role=Role.OFFICIAL, scope=community)
    with pytest.raises(Exception, match="没有导入数据的权限"):
        run_import(xlsx_bytes([sheet_row("JB-01")]), official)
    assert not Resident.objects.exists()


def _read_xlsx(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_resident_export_is_masked_and_scoped(grid, other_grid, staff, django_assert_max_num_queries):
    mine = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid)))
    ResidentFactory.create_batch(5, household=HouseholdFactory(building=BuildingFactory(grid=grid)))
    ResidentFactory(name="外人", household=HouseholdFactory(building=BuildingFactory(grid=other_grid)))

    with django_assert_max_num_queries(4):
        rows = _read_xlsx(export_residents_xlsx(staff))

    header, data = rows[0], rows[1:]
    assert list(header) == HEADER[:-1]
    assert len(data) == 6 and "外人" not in {row[5] for row in data}
    first = next(row for row in data if row[5] == mine.name)
    assert first[6] == mine.id_number[:4] + "*" * 10 + mine.id_number[-4:]
    assert first[9] == "139****5678"
    assert mine.id_number not in str(rows)


def test_building_and_household_exports_are_masked_and_scoped(grid, other_grid, staff):
    HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), phone="13812345678")
    HouseholdFactory(building=BuildingFactory(grid=other_grid, name="外楼"))

    buildings = _read_xlsx(export_xlsx(BuildingResource(), Building.objects.visible_to(staff)))
    households = _read_xlsx(export_xlsx(HouseholdResource(), Household.objects.visible_to(staff)))

    assert [row[2] for row in buildings[1:]] == ["1栋"]
    assert len(households) == 2 and households[1][6] == "138****5678"


# --- Admin pages ----------------------------------------------------------------------------------------------


def test_admin_import_with_a_bad_row_shows_the_row_then_valid_only_writes_the_rest(grid, staff, client, eager_import):
    client.force_login(staff)
    content = xlsx_bytes([sheet_row("JB-01", "101"), sheet_row("JB-01", "102", name="李四", phone="12345")])
    upload = SimpleUploadedFile("居民.xlsx", content)

    response = client.post(reverse("admin:residents_resident_import_sheet"), {"file": upload}, follow=True)

    page = response.content.decode()
    assert "第 3 行" in page and "请输入有效的电话号码。" in page and "未写入任何数据" in page
    assert not Resident.objects.exists()
    response = client.post(response.redirect_chain[-1][0], follow=True)
    assert "已导入：居民 1 人" in response.content.decode()
    assert list(Resident.objects.values_list("name", flat=True)) == ["张三"]


def test_someone_elses_import_job_is_not_found(grid, staff, client, community, eager_import):
    client.force_login(staff)
    upload = SimpleUploadedFile("居民.xlsx", xlsx_bytes([sheet_row("JB-01")]))
    response = client.post(reverse("admin:residents_resident_import_sheet"), {"file": upload})
    client.force_login(UserFactory(role=Role.STAFF, scope=community))
    assert client.get(response.url).status_code == 404


def test_admin_export_is_masked_and_scoped(grid, other_grid, staff, client):
    mine = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid)))
    ResidentFactory(name="外人", household=HouseholdFactory(building=BuildingFactory(grid=other_grid)))
    client.force_login(staff)

    response = client.post(
        reverse("admin:residents_resident_export"), {"format": "0", "resource": "0", **_all_fields()}
    )

    rows = _read_xlsx(response.content)
    assert [row[5] for row in rows[1:]] == [mine.name]
    assert mine.id_number not in str(rows) and rows[1][9] == "139****5678"


def _all_fields() -> dict:
    from residents.resources import ResidentResource

    return {f"residentresource_{name}": "on" for name in ResidentResource._meta.fields}


# --- Bulk ----------------------------------------------------------------------------------------------------------


def big_sheet(grid_code: str, rows: int) -> bytes:
    """A sheet of `rows` residents, 3 per household, 60 households per building, all with valid ID numbers."""
    import random

    from core.demo import IdNumbers

    rng, ids = random.Random(1), IdNumbers()
    data = []
    for index in range(rows):
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=index % 25000)
        male = index % 2 == 0
        number = ids.make(rng, birth, "male" if male else "female")
        household = index // 3
        data.append(sheet_row(grid_code, f"{household % 60:03d}", building=f"{household // 60}栋", name=f"居民{index}",
                              id_number=number, gender="男" if male else "女", birth=birth,
                              relation="户主" if index % 3 == 0 else "子女"))  # fmt: skip
    return xlsx_bytes(data)


def test_large_import_writes_in_bulk_not_row_by_row(grid, staff, django_assert_max_num_queries):
    content = big_sheet("JB-01", 3000)
    # Row by row would be 9,000+ statements (resident, history, head); SQLite's 999-parameter limit allows ~60 rows
    # per INSERT, so bulk is ~100, and far fewer on PostgreSQL.
    with django_assert_max_num_queries(150):
        report = run_import(content, staff)
    assert report.written and report.residents_created == 3000
    assert Household.objects.filter(head__isnull=False).count() == 1000


@pytest.mark.skipif(not os.environ.get("BENCH_IMPORT"), reason="a measurement: BENCH_IMPORT=1 pytest -s -k bench")
def test_bench_100k_row_import(grid, staff):  # pragma: no cover - a measurement, run with --bench-import
    content = big_sheet("JB-01", 100_000)
    started = time.monotonic()
    report = run_import(content, staff)
    elapsed = time.monotonic() - started
    print(f"\n100k-row import: {elapsed:.1f} s ({report.residents_created} residents)")
    assert report.residents_created == 100_000
