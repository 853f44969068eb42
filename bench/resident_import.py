"""Time the 100k-row resident import, step by step (read, check, write), beside the figures before issue 11.

    createdb -h 127.0.0.1 -U postgres bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python -u -m bench.resident_import

The sheet is the one the import test used to time (3 residents a household, 60 households a building, every ID
number valid, a head in every household), written once with openpyxl and kept in the temp directory. Each run goes
through the real job (`run_resident_import`: claim, heartbeat thread, progress, done in the write transaction) and is
split into steps by wrapping what the task calls: read = `read_sheet` and every row out of it; check = from there
to the last "validate" progress report; write = from there to the end of the job (the commit included). After each
run the rows are deleted with plain SQL (not timed), so every run imports into the same empty grid.

The baseline is bench/resident_import_baseline.json, written by `--save-baseline` on the code before issue 11.
PostgreSQL only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

TARGET_TOTAL_SECONDS = 15.0
STEPS = ("read", "check", "write", "total")
# Wall time, this process's CPU time, and the CPU time of the database server process serving its connection (read
# from /proc: the server must run on this machine, else "db cpu" is nan): on a shared machine CPU time moves less with
# the neighbours' load. WAL writer and checkpointer time is not in "db cpu".
FIGURES = (*STEPS, *(f"{step} cpu" for step in STEPS), *(f"{step} db cpu" for step in STEPS))
BASELINE_FILE = Path(__file__).with_name("resident_import_baseline.json")
GRID_CODE = "BENCH-IMPORT-G"
COMMUNITY_CODE = "BENCH-IMPORT-C"
HEADER = ["网格编码", "楼栋", "单元", "房号", "户类型", "姓名", "身份证号", "性别", "出生日期", "手机号",
          "与户主关系", "居住状态", "民族", "政治面貌", "关爱标签", "备注"]  # fmt: skip


def build_sheet(rows: int) -> bytes:
    """`rows` residents, 3 a household, 60 households a building, valid ID numbers, the first of each household 户主."""
    import io
    import random

    import openpyxl

    from core.demo import IdNumbers

    rng, ids = random.Random(1), IdNumbers()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for index in range(rows):
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=index % 25000)
        male = index % 2 == 0
        household = index // 3
        sheet.append([
            GRID_CODE, f"{household // 60}栋", "1", f"{household % 60:03d}", "户籍户", f"居民{index}",
            ids.make(rng, birth, "male" if male else "female"), "男" if male else "女", birth, "13912345678",
            "户主" if index % 3 == 0 else "子女", "户籍人口", "汉族", "群众", "", "",
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_bytes(rows: int) -> bytes:
    path = Path(tempfile.gettempdir()) / f"bench_resident_import_{rows}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        path.write_bytes(build_sheet(rows))
        print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
    return path.read_bytes()


def bench_user():
    from accounts.models import Role, User
    from grids.models import Grid
    from orgs.models import Organization

    community, _ = Organization.objects.get_or_create(
        code=COMMUNITY_CODE, defaults={"name": "基准导入社区", "level": "community"}
    )
    Grid.objects.get_or_create(code=GRID_CODE, defaults={"name": "基准导入网格", "community": community})
    user, _ = User.objects.get_or_create(
        username="bench-importer", defaults={"role": Role.STAFF, "scope": community, "is_staff": True}
    )
    return user


def clear_grid() -> None:
    """Drop what an earlier run imported into the bench grid (plain SQL: the ORM's cascade would take minutes)."""
    from django.db import connection, transaction

    households = (
        "SELECT h.id FROM grids_household h JOIN grids_building b ON b.id = h.building_id"
        " JOIN grids_grid g ON g.id = b.grid_id WHERE g.code = %(grid)s"
    )
    residents = f"SELECT id FROM residents_resident WHERE household_id IN ({households})"
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM residents_resident_tags WHERE resident_id IN ({residents})",
            f"DELETE FROM residents_residencehistory WHERE household_id IN ({households})",
            f"UPDATE grids_household SET head_id = NULL WHERE id IN ({households})",
            f"DELETE FROM residents_resident WHERE household_id IN ({households})",
            f"DELETE FROM grids_household WHERE id IN ({households})",
            "DELETE FROM grids_building WHERE grid_id = (SELECT id FROM grids_grid WHERE code = %(grid)s)",
        ):
            cursor.execute(sql, {"grid": GRID_CODE})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE residents_resident, grids_household, grids_building, residents_residencehistory")


def timed_job(content: bytes, user, expected: int) -> dict[str, float]:
    """One import through the real task, split into steps by wrapping what the task calls."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection

    from residents import tasks
    from residents.models import ImportJobStatus, ResidentImportJob

    marks: dict[str, tuple[float, float, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def now() -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), server_cpu(backend)

    real_read_sheet, real_progress = tasks.read_sheet, tasks.Heartbeat.progress

    def read_sheet(content, *, filename=""):
        header, rows = real_read_sheet(content, filename=filename)
        rows = list(rows)
        marks["read"] = now()
        return header, rows

    def progress(heartbeat, phase, done, total):
        real_progress(heartbeat, phase, done, total)
        if phase == "validate" and done == total:
            marks["check"] = now()

    job = ResidentImportJob.objects.create(created_by=user, filename="bench.xlsx", file="", scope=user.scope)
    job.file = default_storage.save(tasks.import_file_path(str(job.pk), "bench.xlsx"), ContentFile(content))
    job.save(update_fields=["file"])
    tasks.read_sheet, tasks.Heartbeat.progress = read_sheet, progress
    try:
        marks["start"] = now()
        status = tasks.run_resident_import.apply(args=[str(job.pk)]).get()
        marks["end"] = now()
    finally:
        tasks.read_sheet, tasks.Heartbeat.progress = real_read_sheet, real_progress
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        if cursor.fetchone()[0] != backend:
            raise SystemExit("the job ran on another database connection: its server CPU time was not measured")
    job.refresh_from_db()
    if status != ImportJobStatus.DONE or job.residents_created != expected:
        raise SystemExit(f"the import did not write {expected} residents: {status} {job.message} {job.report}")
    bounds = {
        "read": ("start", "read"), "check": ("read", "check"), "write": ("check", "end"), "total": ("start", "end"),
    }  # fmt: skip
    figures = {step: marks[end][0] - marks[begin][0] for step, (begin, end) in bounds.items()}
    figures |= {f"{step} cpu": marks[end][1] - marks[begin][1] for step, (begin, end) in bounds.items()}
    figures |= {f"{step} db cpu": marks[end][2] - marks[begin][2] for step, (begin, end) in bounds.items()}
    return figures


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of a local process (the PostgreSQL backend), or nan when /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def print_table(ours: dict[str, float], baseline: dict | None, runs: int) -> None:
    print(f"\n{'step':<14}{'ours (s)':>10}{'baseline (s)':>14}{'ratio':>8}   (median of {runs})")
    for name in FIGURES:
        before = (baseline or {}).get("steps", {}).get(name)
        ratio = f"{ours[name] / before:8.2f}" if before else f"{'-':>8}"
        print(f"{name:<14}{ours[name]:>10.2f}{before if before else float('nan'):>14.2f}{ratio}")
    if baseline:
        print(f"baseline: {baseline['commit']} ({baseline['note']})")
    verdict = "met" if ours["total"] <= TARGET_TOTAL_SECONDS else "NOT met"
    print(f"total {ours['total']:.1f} s against the target of <= {TARGET_TOTAL_SECONDS:.0f} s: {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median of each step is reported")
    parser.add_argument("--save-baseline", metavar="NOTE", help="store these medians as the baseline")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL only: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench_import_media_")
    settings.RESIDENT_IMPORT_MAX_ROWS = max(args.rows, 100_000)
    content = sheet_bytes(args.rows)
    user = bench_user()
    samples: dict[str, list[float]] = {name: [] for name in FIGURES}
    for run in range(1, args.runs + 1):
        clear_grid()
        figures = timed_job(content, user, args.rows)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"run {run} (load {load}): " + ", ".join(f"{name} {figures[name]:.2f} s" for name in FIGURES))
        for name in FIGURES:
            samples[name].append(figures[name])
    clear_grid()
    ours = {step: statistics.median(values) for step, values in samples.items()}
    baseline = json.loads(BASELINE_FILE.read_text()) if BASELINE_FILE.exists() else None
    if args.save_baseline:
        commit = os.popen("git rev-parse --short HEAD").read().strip()
        baseline = {"commit": commit, "note": args.save_baseline, "rows": args.rows, "steps": ours}
        BASELINE_FILE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
    print_table(ours, baseline, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
