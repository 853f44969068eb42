"""Importing the resident sheet (checked first, written in bulk or not at all) and exporting it masked."""

import csv
import datetime
import io
import re
import time
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from grids.models import Building, Household
from grids.resources import BuildingResource, HouseholdResource, export_xlsx
from orgs.rules import Level
from residents.importing import COLUMNS, SheetError, read_sheet, residents_import
from residents.models import ResidenceHistory, Resident, ResidentImportJob
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
    """Run the import task in-process even when Redis makes Celery queue it (no worker runs in tests).

    The outbox would queue it after commit, and a test's transaction never commits: the task runs where it is queued.
    """
    from residents.tasks import run_resident_import

    def run_now(task, *args):
        return task.apply(args=list(args))

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(run_resident_import, "delay", lambda job_id: run_resident_import.apply(args=[job_id]))
    monkeypatch.setattr("residents.import_admin.enqueue", run_now)
    monkeypatch.setattr("residents.tasks.enqueue", run_now)


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


def test_household_heads_are_set_by_one_update_and_an_existing_head_is_kept(grid, staff, monkeypatch):
    kept = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1",
                                                      room="101"))  # fmt: skip
    kept.household.head = kept
    kept.household.save()
    rows = [
        sheet_row("JB-01", "101", name="新户主"),
        sheet_row("JB-01", "102", name="子女", relation="子女"),
        sheet_row("JB-01", "102", name="第一位户主"),
        sheet_row("JB-01", "102", name="第二位户主"),
        sheet_row("JB-01", "103", name="无户主", relation="子女"),
    ]
    report = run_import(xlsx_bytes(rows), staff)

    assert report.written
    heads = dict(Household.objects.values_list("room", "head__name"))
    assert heads == {"101": kept.name, "102": "第一位户主", "103": None}


def test_household_heads_fall_back_to_bulk_update_on_sqlite_before_3_33(grid, staff, monkeypatch):
    monkeypatch.setattr("residents.importing.sqlite3.sqlite_version_info", (3, 31, 1))
    report = run_import(xlsx_bytes([sheet_row("JB-01", "101", name="户主甲"), sheet_row("JB-01", "102")]), staff)

    assert report.written
    assert dict(Household.objects.values_list("room", "head__name")) == {"101": "户主甲", "102": "张三"}


def test_phone_and_id_number_typed_as_numbers(grid, staff):
    from stdnum.cn import ric

    id_number = make_id_number(datetime.date(1980, 5, 17))
    while ric.is_valid(id_number[:15] + "000"):  # by chance a valid number (1 in 11): the test wants the lost digits
        id_number = make_id_number(datetime.date(1980, 5, 17))
    rows = [
        sheet_row("JB-01", "101", phone=13800138000),  # calamine reads it as 13800138000.0
        sheet_row("JB-01", "102", phone=5631234567.0, id_number=int(id_number[:15] + "000")),  # as Excel keeps it
    ]
    report = run_import(xlsx_bytes(rows), staff, valid_only=True)

    assert Resident.objects.get().phone == "13800138000"
    assert report.bad_rows == [3]
    assert [error.column for error in report.errors] == ["身份证号"]  # an 18-digit number loses its last digits


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


# --- Import jobs live in the database -------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "居民.xlsx", **data):
    return client.post(
        reverse("admin:residents_resident_import_sheet"), {"file": SimpleUploadedFile(name, content), **data}
    )


def test_import_job_and_report_survive_the_cache_being_wiped(grid, staff, client, eager_import):
    from django.core.cache import cache

    client.force_login(staff)
    response = _upload(client, xlsx_bytes([sheet_row("JB-01", "101"), sheet_row("JB-01", "102", phone="12345")]))
    cache.clear()  # what restarting Redis did to every job

    job = ResidentImportJob.objects.get()
    assert (job.status, job.created_by, job.scope_id) == ("done", staff, staff.scope_id)
    assert (job.total_rows, job.bad_rows) == (2, 1)
    assert job.report["errors"][0]["column"] == "手机号" and job.filename == "居民.xlsx"
    page = client.get(response.url).content.decode()
    assert "第 3 行" in page and "未写入任何数据" in page


def test_the_task_acknowledges_late_and_is_redelivered_when_its_worker_dies():
    from residents.tasks import run_resident_import

    assert run_resident_import.acks_late is True
    assert run_resident_import.reject_on_worker_lost is True


def test_an_unknown_or_malformed_job_id_is_not_found(staff, client):
    client.force_login(staff)
    url = reverse("admin:residents_resident_import_status", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404
    assert client.get(url.replace("00000000-0000-0000-0000-000000000000", "abc")).status_code == 404


def _job_for(staff, tmp_path, content: bytes, **fields) -> ResidentImportJob:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = default_storage.save("imports/test.xlsx", ContentFile(content))
    return ResidentImportJob.objects.create(created_by=staff, scope=staff.scope, file=stored, **fields)


def _age(job: ResidentImportJob, seconds: int) -> None:
    ResidentImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def test_a_job_without_heartbeat_is_shown_failed_with_a_retry_button(grid, staff, client, eager_import, tmp_path):
    job = _job_for(staff, tmp_path, xlsx_bytes([sheet_row("JB-01")]), status="checking", attempt=1)
    client.force_login(staff)
    url = reverse("admin:residents_resident_import_status", args=[job.pk])

    fresh = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in fresh and "正在检查" in fresh
    _age(job, 121)
    stale = client.get(url).content.decode()

    assert 'http-equiv="refresh"' not in stale
    assert "导入已中断" in stale and 'name="action" value="retry"' in stale


def test_the_stale_threshold_is_a_setting(grid, staff, settings, tmp_path):
    job = _job_for(staff, tmp_path, b"", status="writing", attempt=1)
    _age(job, 60)
    settings.RESIDENT_IMPORT_STALE_SECONDS = 120
    assert not ResidentImportJob.objects.get(pk=job.pk).is_stale
    settings.RESIDENT_IMPORT_STALE_SECONDS = 30
    assert ResidentImportJob.objects.get(pk=job.pk).shown_status == "failed"


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no except-Exception handler sees it."""


def _kill_worker_while_writing(monkeypatch):
    from residents import importing

    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(importing, "_set_heads", killed)  # after every resident row has been inserted


def test_a_worker_killed_mid_write_leaves_nothing_and_the_retry_writes_each_row_once(
    grid, staff, client, eager_import, tmp_path, monkeypatch
):
    from residents import importing
    from residents.tasks import run_resident_import

    rows = [sheet_row("JB-01", f"{room}", name=f"居民{room}", birth=datetime.date(1980, 1, room)) for room in (1, 2, 3)]
    job = _job_for(staff, tmp_path, xlsx_bytes(rows))
    original = importing._set_heads
    _kill_worker_while_writing(monkeypatch)
    with pytest.raises(WorkerKilled):
        run_resident_import.apply(args=[str(job.pk)])
    assert not Resident.objects.exists() and not Household.objects.exists()
    assert ResidentImportJob.objects.get(pk=job.pk).status in ("checking", "writing")

    monkeypatch.setattr(importing, "_set_heads", original)
    run_resident_import.apply(args=[str(job.pk)])  # the redelivered message, while the claim is fresh: skipped
    assert not Resident.objects.exists()
    _age(job, 600)
    client.force_login(staff)
    client.post(reverse("admin:residents_resident_import_status", args=[job.pk]), {"action": "retry"})
    run_resident_import.apply(args=[str(job.pk)])  # the old message redelivered once more after the retry

    job.refresh_from_db()
    assert (job.status, job.attempt, job.residents_created) == ("done", 2, 3)
    assert Resident.objects.count() == 3 and ResidenceHistory.objects.count() == 3


def test_a_done_job_is_never_run_or_retried_again(grid, staff, client, eager_import, tmp_path):
    from residents.tasks import retry_import_job, run_resident_import

    job = _job_for(staff, tmp_path, xlsx_bytes([sheet_row("JB-01")]))
    assert run_resident_import.apply(args=[str(job.pk)]).get() == "done"
    assert run_resident_import.apply(args=[str(job.pk)]).get() == "skipped"
    job.refresh_from_db()
    assert not retry_import_job(job)
    client.force_login(staff)
    client.post(reverse("admin:residents_resident_import_status", args=[job.pk]), {"action": "retry"})

    assert Resident.objects.count() == 1
    assert ResidentImportJob.objects.get(pk=job.pk).attempt == 1


def test_a_run_that_lost_its_claim_undoes_its_write(grid, staff, eager_import, tmp_path, monkeypatch):
    from django.db.models import F

    from residents import importing
    from residents.tasks import run_resident_import

    job = _job_for(staff, tmp_path, xlsx_bytes([sheet_row("JB-01")]))
    original = importing._set_heads

    def claimed_by_a_retry_meanwhile(*args):
        ResidentImportJob.objects.filter(pk=job.pk).update(attempt=F("attempt") + 1)
        return original(*args)

    monkeypatch.setattr(importing, "_set_heads", claimed_by_a_retry_meanwhile)

    assert run_resident_import.apply(args=[str(job.pk)]).get() == "superseded"
    assert not Resident.objects.exists()
    assert ResidentImportJob.objects.get(pk=job.pk).status == "checking"


def test_importing_the_valid_rows_twice_starts_one_follow_up(grid, staff, client, eager_import):
    client.force_login(staff)
    response = _upload(client, xlsx_bytes([sheet_row("JB-01", "101"), sheet_row("JB-01", "102", phone="12345")]))

    first = client.post(response.url)
    second = client.post(response.url)

    assert first.url == second.url != response.url
    assert ResidentImportJob.objects.count() == 2
    assert Resident.objects.count() == 1


def test_a_sheet_error_fails_the_job_with_its_message_and_offers_a_retry(grid, staff, client, eager_import, tmp_path):
    from residents.tasks import run_resident_import

    job = _job_for(staff, tmp_path, b"not a zip")
    run_resident_import.apply(args=[str(job.pk)])
    client.force_login(staff)

    page = client.get(reverse("admin:residents_resident_import_status", args=[job.pk])).content.decode()
    assert "无法读取文件" in page and 'value="retry"' in page


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_reports_progress_from_its_own_connection(settings, community, tmp_path):
    from residents.tasks import Heartbeat

    settings.RESIDENT_IMPORT_HEARTBEAT_SECONDS = 0.02
    staff = UserFactory(role=Role.STAFF, scope=community)
    job = ResidentImportJob.objects.create(created_by=staff, file="x.xlsx", status="checking", attempt=1)
    _age(job, 600)

    with Heartbeat(job, threaded=True) as heartbeat:
        heartbeat.progress("write", 5, 10)  # inside the write: only the thread reports it
        deadline = time.monotonic() + 5
        while ResidentImportJob.objects.get(pk=job.pk).progress_done != 5 and time.monotonic() < deadline:
            time.sleep(0.02)

    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("writing", 5, 10)
    assert not job.is_stale


# --- xlsx caps, formulas, repeated headers -------------------------------------------------------------------------


def bomb_xlsx(rows: int, *, dimension: str = "A1:P2") -> bytes:
    """A valid xlsx whose first sheet repeats one row `rows` times: tiny compressed, large inflated, and whose
    <dimension> lies about its size (so only a streaming count can tell). Rows and cells carry no `r` (it is
    optional), so every row is the same bytes, as in the 1.78 MB bomb."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes([sheet_row("JB-01")])))
    row = '<row><c t="inlineStr"><is><t>JB-01</t></is></c><c t="inlineStr"><is><t>1栋</t></is></c></row>'
    body = (row * rows).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in base.infolist():
            data = base.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                data = data.replace(b"</sheetData>", body + b"</sheetData>")
            bomb.writestr(item.filename, data)
    return out.getvalue()


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if openpyxl or calamine is asked to parse: the caps must refuse the file before that."""
    from residents import sheets

    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(sheets.openpyxl, "load_workbook", parse)
    monkeypatch.setattr(sheets.CalamineWorkbook, "from_filelike", parse)


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_parsing(no_parsing):
    content = bomb_xlsx(20_000)  # ~2.5 MB of XML in ~20 KB
    with pytest.raises(SheetError, match="压缩比异常"):
        read_sheet(content, filename="bomb.xlsx")


def test_a_sheet_too_large_when_inflated_is_refused_before_parsing(settings, no_parsing):
    settings.RESIDENT_IMPORT_MAX_COMPRESSION_RATIO = 10_000
    settings.RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    with pytest.raises(SheetError, match="解压后超过 1 MB"):
        read_sheet(bomb_xlsx(20_000), filename="bomb.xlsx")


def test_a_sheet_with_more_rows_than_the_cap_is_refused_even_when_its_dimension_lies(settings, no_parsing):
    settings.RESIDENT_IMPORT_MAX_ROWS = 50
    with pytest.raises(SheetError, match="超过 50 行"):
        read_sheet(bomb_xlsx(50), filename="rows.xlsx")  # the base row and 50 repeated ones: 51 data rows


def test_a_sheet_at_the_row_cap_is_read(settings, grid, staff):
    settings.RESIDENT_IMPORT_MAX_ROWS = 50
    header, rows = read_sheet(bomb_xlsx(49), filename="rows.xlsx")
    assert len(list(rows)) == 50


def test_a_csv_with_more_rows_than_the_cap_is_refused(settings):
    settings.RESIDENT_IMPORT_MAX_ROWS = 3
    content = ("\n".join(["网格编码,楼栋"] + ["JB-01,1栋"] * 4)).encode()
    with pytest.raises(SheetError, match="超过 3 行"):
        read_sheet(content, filename="rows.csv")


def test_the_caps_refuse_the_file_at_upload_with_a_message_and_queue_nothing(settings, grid, staff, client):
    settings.RESIDENT_IMPORT_MAX_ROWS = 50
    client.force_login(staff)

    response = _upload(client, bomb_xlsx(60))

    assert response.status_code == 200
    assert "超过 50 行" in response.content.decode()
    assert not ResidentImportJob.objects.exists()


def test_a_formula_cell_is_a_row_error_naming_the_cell(grid, staff):
    rows = [sheet_row("JB-01", "101"), sheet_row("JB-01", "102", name='=CONCAT("李","四")')]
    report = run_import(xlsx_bytes(rows), staff)

    assert not report.written and report.bad_rows == [3]
    error = report.errors[0]
    assert error.column == "姓名"
    assert "F3" in error.message and "公式" in error.message and "CONCAT" in error.message
    assert not Resident.objects.exists()


def with_sheet_xml(content: bytes, replace: dict[bytes, bytes]) -> bytes:
    """The xlsx with pieces of its first sheet's XML replaced (what openpyxl cannot write: cached formula values)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in replace.items():
                    assert old in data, old
                    data = data.replace(old, new)
            archive.writestr(item.filename, data)
    return out.getvalue()


def test_a_formula_with_a_cached_value_and_a_shared_formula_are_row_errors_naming_the_cell(grid, staff):
    rows = [sheet_row("JB-01", "101"), sheet_row("JB-01", "102", name="李四"), sheet_row("JB-01", "103", name="王五")]
    content = with_sheet_xml(xlsx_bytes(rows), {
        '<c r="F3" t="inlineStr"><is><t>李四</t></is></c>'.encode():
            '<c r="F3" t="str"><f t="shared" ref="F3:F4" si="0">UPPER(A3)</f><v>李四</v></c>'.encode(),
        '<c r="F4" t="inlineStr"><is><t>王五</t></is></c>'.encode():
            b'<c r="F4" t="str"><f t="shared" si="0"/><v>x</v></c>',
    })  # fmt: skip
    report = run_import(content, staff)

    assert not report.written and report.bad_rows == [3, 4]
    messages = {error.row: error.message for error in report.errors if error.column == "姓名"}
    assert "F3" in messages[3] and "UPPER(A3)" in messages[3]
    assert "F4" in messages[4] and "公式" in messages[4]


def test_a_formula_cell_without_a_cached_value_in_an_otherwise_empty_row_is_still_seen(grid, staff):
    content = with_sheet_xml(xlsx_bytes([sheet_row("JB-01", "101")]), {
        b"</sheetData>": b'<row r="5"><c r="B5"><f>1+1</f></c></row></sheetData>',
    })  # fmt: skip
    report = run_import(content, staff)

    assert report.bad_rows == [5] and "B5" in report.errors[0].message


def test_a_cell_far_down_or_far_right_is_refused_before_parsing(settings, no_parsing):
    far_down = b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    with pytest.raises(SheetError, match="超过 100000 行"):
        read_sheet(with_sheet_xml(xlsx_bytes([sheet_row("JB-01")]), {b"</sheetData>": far_down}), filename="a.xlsx")
    far_right = b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    with pytest.raises(SheetError, match="超过 50 列"):
        read_sheet(with_sheet_xml(xlsx_bytes([sheet_row("JB-01")]), {b"</sheetData>": far_right}), filename="a.xlsx")
    unnamed = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 51 + b"</row></sheetData>"
    with pytest.raises(SheetError, match="超过 50 列"):
        read_sheet(with_sheet_xml(xlsx_bytes([sheet_row("JB-01")]), {b"</sheetData>": unnamed}), filename="a.xlsx")


def test_a_sheet_at_the_column_cap_is_read(settings):
    settings.RESIDENT_IMPORT_MAX_COLUMNS = 30
    header, rows = read_sheet(xlsx_bytes([["x"] * 30], header=[f"列{index}" for index in range(30)]), filename="a.xlsx")
    assert list(rows) == [["x"] * 30]


def test_the_upload_reads_only_the_header(grid, no_parsing, monkeypatch):
    from residents import sheets

    monkeypatch.undo()  # openpyxl may stream the header; calamine must not parse the rows
    monkeypatch.setattr(sheets.CalamineWorkbook, "from_filelike", lambda *args: pytest.fail("rows parsed"))
    header, rows = read_sheet(xlsx_bytes([sheet_row("JB-01")]), filename="a.xlsx", header_only=True)
    assert header == HEADER and list(rows) == []


def test_a_repeated_column_name_is_a_file_error_naming_it(grid, staff, client):
    header = [*HEADER, "姓名"]
    with pytest.raises(SheetError, match="“姓名”"):
        run_import(xlsx_bytes([[*sheet_row("JB-01"), "李四"]], header=header), staff)
    client.force_login(staff)
    response = _upload(client, xlsx_bytes([[*sheet_row("JB-01"), "李四"]], header=header))
    assert "请只保留一列" in response.content.decode() and not ResidentImportJob.objects.exists()


def test_missing_required_columns_are_refused_at_upload(grid, staff, client):
    client.force_login(staff)
    header = [column for column in HEADER if column != "身份证号"]
    response = _upload(client, xlsx_bytes([], header=header))
    assert "表格缺少必需的列：身份证号" in response.content.decode()


# --- Exports write formula-like cells as text ----------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1", "@A1"]


def test_every_resident_export_writes_formula_like_names_as_text(grid, staff, client):
    from tests.core.test_exporting import assert_no_formula

    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="=1+1"), room="-2")
    for name in FORMULAS:
        ResidentFactory(name=name, household=household)
    client.force_login(staff)

    assert_no_formula(export_residents_xlsx(staff))
    xlsx = client.post(reverse("admin:residents_resident_export"), {"format": "0", "resource": "0", **_all_fields()})
    assert_no_formula(xlsx.content)
    assert {row[5] for row in _read_xlsx(xlsx.content)[1:]} == set(FORMULAS)
    csv_response = client.post(
        reverse("admin:residents_resident_export"), {"format": "1", "resource": "0", **_all_fields()}
    )
    lines = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert {line[5] for line in lines[1:]} == {"'" + name for name in FORMULAS}
    assert all(line[1] == "'=1+1" and line[3] == "'-2" for line in lines[1:])


def test_building_and_household_exports_write_formula_like_values_as_text(grid, staff, client):
    from tests.core.test_exporting import assert_no_formula

    HouseholdFactory(building=BuildingFactory(grid=grid, name="=1+1", address="@A1"), room="+3")

    assert_no_formula(export_xlsx(BuildingResource(), Building.objects.visible_to(staff)))
    assert_no_formula(export_xlsx(HouseholdResource(), Household.objects.visible_to(staff)))
    client.force_login(staff)
    for model in ("building", "household"):
        response = client.post(reverse(f"admin:grids_{model}_export"), {"format": "1", "resource": "0",
                                                                        **_fields_of(model)})  # fmt: skip
        assert "'=1+1" in response.content.decode("utf-8-sig"), model


def _fields_of(model: str) -> dict:
    resource = {"building": BuildingResource, "household": HouseholdResource}[model]
    return {f"{resource.__name__.lower()}_{name}": "on" for name in resource._meta.fields}


def test_the_row_count_is_exact_across_chunk_boundaries(monkeypatch):
    from residents import sheets

    monkeypatch.setattr(sheets, "_CHUNK", 7)  # every token gets cut somewhere
    data = b'<row r="1"><c/></row><x:row r="2"></x:row><row>' * 20 + b"<rowBreaks/>"
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", data)
    with zipfile.ZipFile(archive_bytes) as archive:
        assert sheets._count_rows(archive, archive.infolist()[0], stop_after=10**6) == 61  # 60 rows + <rowBreaks>


def test_imported_residents_and_their_history_hold_what_bulk_create_would_write(grid, staff, monkeypatch):
    """The import's own multi-row INSERT against bulk_create and its one-by-one fallback: the same columns."""
    from django.db import connection

    from residents.importing import _insert_rows

    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1", room="101")
    row = {
        "name": "张三", "id_number": "", "gender": "male", "birth_date": datetime.date(1980, 5, 17), "phone": "",
        "relation": "head", "status": "registered", "ethnicity": "汉族", "political_status": "masses", "notes": "",
        "household_id": household.pk, "name_initials": "zs",
    }  # fmt: skip
    before = timezone.now()
    rows = [row, row | {"name": "李四", "birth_date": None, "name_initials": "ls"}]
    fast = _insert_rows(Resident, rows)
    slow = [resident.pk for resident in Resident.objects.bulk_create([Resident(**values) for values in rows])]
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    one_by_one = _insert_rows(Resident, rows)

    def stored(ids):
        rows = list(Resident.objects.filter(pk__in=ids).order_by("pk").values())
        for values in rows:
            assert before <= values.pop("created_at") <= timezone.now()
            assert before <= values.pop("updated_at") <= timezone.now()
            values.pop("id")
        return rows

    assert len(fast) == 2 and stored(fast) == stored(slow) == stored(one_by_one)
    assert stored(fast)[0] == row | {"party_member_id": None}


def test_import_opens_a_residence_row_from_today_for_each_resident(grid, staff):
    report = run_import(xlsx_bytes([sheet_row("JB-01", "101"), sheet_row("JB-01", "102", name="李四")]), staff)

    assert report.residents_created == 2
    history = ResidenceHistory.objects.order_by("resident__name")
    assert [(entry.resident.name, entry.household.room) for entry in history] == [("张三", "101"), ("李四", "102")]
    assert {(entry.moved_in_on, entry.moved_out_on, entry.note) for entry in history} == {
        (timezone.localdate(), None, "批量导入")
    }


def test_sheet_scan_shortcuts_agree_with_the_regexes_they_replace():
    """The formula and cell-without-`r` tests of the pre-parse scan against the regexes they stand for."""
    import random

    from residents import sheets

    pieces = [b"<c ", b'<c r="A1"', b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<x:c ", b'<x:c r="B2">', b"<f>", b"<f ",
              b"<f/>", b"</f>", b":f>", b"f ", b"f>", b"of ", b' t="s"', b' r="C3"', b" s=1", b">", b"<v>1</v>",
              b"</c>", b"<row>", b"</row>", b"c", b"f", b"<", b":", b" ", b"r=", b"<col ", b"<cols>"]  # fmt: skip
    rng = random.Random(21)
    samples = [b"".join(rng.choices(pieces, k=rng.randrange(0, 12))) for _ in range(20_000)]
    for data in samples:
        assert sheets._has_formula(data) == bool(sheets._FORMULA.search(data)), data
        assert sheets._has_cell_without_ref(data) == bool(sheets._CELL_WITHOUT_REF.search(data)), data
    assert any(sheets._has_formula(data) for data in samples) and not all(sheets._has_formula(d) for d in samples)
    assert any(sheets._has_cell_without_ref(d) for d in samples) and not all(
        sheets._has_cell_without_ref(d) for d in samples
    )


def test_imported_values_keep_their_tabs_newlines_and_backslashes(grid):
    """On PostgreSQL the rows go by COPY, whose text format escapes these: the stored values are the sheet's own."""
    from residents.importing import _insert_rows

    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1", room="101")
    row = {
        "name": "张\\三", "id_number": "", "gender": "", "birth_date": None, "phone": "", "relation": "head",
        "status": "registered", "ethnicity": "\\N", "political_status": "masses", "notes": "一\t二\n三\r\\N\\",
        "household_id": household.pk, "name_initials": "zs",
    }  # fmt: skip
    ids = _insert_rows(Resident, [row, row | {"notes": "", "birth_date": datetime.date(1980, 5, 17)}])

    stored = list(Resident.objects.filter(pk__in=ids).order_by("pk").values("name", "ethnicity", "notes", "birth_date"))
    assert stored == [
        {"name": "张\\三", "ethnicity": "\\N", "notes": "一\t二\n三\r\\N\\", "birth_date": None},
        {"name": "张\\三", "ethnicity": "\\N", "notes": "", "birth_date": datetime.date(1980, 5, 17)},
    ]


@pytest.mark.parametrize(
    "name",
    ["张三", "重庆", "银行行长", "长安街", "单于", "尉迟恭", "居民123", "Zhang San"]
    + ["张 三", "王芳1", "ü吕", "〇", "①张", "", "a"],
)
def test_import_name_initials_are_those_a_save_would_give(name):
    """The import converts names word by word, with a cache per word: the same initials as Resident.save()."""
    from residents.importing import _initials_of
    from residents.models import initials_of

    assert _initials_of(name) == initials_of(name)
