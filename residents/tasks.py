"""Background resident imports: a large sheet is checked and written by a worker while the page shows progress.

The uploaded file waits in the default storage under `imports/<name>`; the job's state, progress and report live
in the database (`ResidentImportJob`), which the status page reads, so restarting Redis loses nothing a user comes
back to.

Each row is written once, however often the task runs (a redelivery after the worker was killed, since the task
acknowledges late and is rejected when its worker is lost, or a retry from the status page):

- a run first claims the job: only a queued job, or a running one whose heartbeat stopped, can be claimed, and the
  claim increments `attempt`;
- the rows are written in one transaction, and the same transaction marks the job done, on the condition that
  this run's attempt still holds the job. A killed run leaves nothing behind; a run that lost its claim rolls
  back; a done job is never claimed again.
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbox import enqueue
from residents.importing import ImportReport, SheetError, read_sheet, residents_import
from residents.models import (
    RUNNING_IMPORT_STATUSES,
    ImportJobStatus,
    ResidentImportJob,
    import_stale_after,
)

logger = logging.getLogger(__name__)


class JobSuperseded(Exception):
    """This run no longer holds the job (a retry claimed it after our heartbeat stopped): undo our write."""


def import_file_path(job_id: str, filename: str) -> str:
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    return f"imports/{job_id}{suffix}"


def heartbeat_seconds() -> float:
    """Seconds between two heartbeats: well under RESIDENT_IMPORT_STALE_SECONDS, so a live job never looks dead."""
    return getattr(settings, "RESIDENT_IMPORT_HEARTBEAT_SECONDS", 10)


def job_report(job: ResidentImportJob) -> ImportReport | None:
    return ImportReport.from_dict(job.report) if job.report else None


# --- Claiming and finishing ---------------------------------------------------------------------------------------


def claim_import_job(job_id) -> ResidentImportJob | None:
    """Take the job for this run, or None when it is done, failed, or being run by a live worker."""
    stale_before = timezone.now() - import_stale_after()
    claimable = Q(status=ImportJobStatus.QUEUED) | Q(status__in=RUNNING_IMPORT_STATUSES, heartbeat_at__lt=stale_before)
    with transaction.atomic():
        job = ResidentImportJob.objects.select_for_update().filter(claimable, pk=job_id).first()
        if job is None:
            return None
        job.attempt += 1
        job.status, job.heartbeat_at, job.message = ImportJobStatus.CHECKING, timezone.now(), ""
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["attempt", "status", "heartbeat_at", "message", "progress_done", "progress_total"])
    return job


def _held(job: ResidentImportJob):
    """The job's row, as long as this run's claim still holds it."""
    return ResidentImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status__in=RUNNING_IMPORT_STATUSES)


def _finish(job: ResidentImportJob, report: ImportReport) -> int:
    now = timezone.now()
    return _held(job).update(
        status=ImportJobStatus.DONE, report=report.as_dict(), total_rows=report.total_rows,
        bad_rows=len(report.bad_rows), residents_created=report.residents_created, finished_at=now, heartbeat_at=now,
    )  # fmt: skip


def _fail(job: ResidentImportJob, message: str) -> None:
    now = timezone.now()
    _held(job).update(status=ImportJobStatus.FAILED, message=message, finished_at=now, heartbeat_at=now)


def retry_import_job(job: ResidentImportJob) -> bool:
    """Queue a failed (or stale) job again; False when it is not failed after all (it finished, or beats again)."""
    stale_before = timezone.now() - import_stale_after()
    failed = Q(status=ImportJobStatus.FAILED) | Q(
        status__in=(ImportJobStatus.QUEUED, *RUNNING_IMPORT_STATUSES), heartbeat_at__lt=stale_before
    )
    requeued = ResidentImportJob.objects.filter(failed, pk=job.pk).update(
        status=ImportJobStatus.QUEUED, heartbeat_at=timezone.now(), message="", finished_at=None
    )
    if requeued:
        enqueue(run_resident_import, str(job.pk))  # outbox: a broker outage loses no job
    return bool(requeued)


# --- Heartbeat ----------------------------------------------------------------------------------------------------


class Heartbeat:
    """Keeps a running job's heartbeat and progress fresh while its worker lives.

    During the check the worker's own connection reports progress; the write is one long transaction, whose
    updates nobody else sees before the commit, so a thread with its own database connection (Django's connections
    are per thread) beats every `heartbeat_seconds()`. When the worker is killed the thread dies with it and the
    heartbeat stops, which is how the status page learns of it.
    """

    def __init__(self, job: ResidentImportJob, *, threaded: bool) -> None:
        self.job, self.threaded = job, threaded
        self.phase, self.done, self.total = "validate", 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        if self.threaded:
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self.threaded:
            self._thread.join()

    def progress(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total
        if phase != "write":  # outside the write transaction: the worker's own connection is visible at once
            self.beat()

    def beat(self) -> None:
        status = ImportJobStatus.WRITING if self.phase == "write" else ImportJobStatus.CHECKING
        try:
            _held(self.job).update(
                status=status, heartbeat_at=timezone.now(), progress_done=self.done, progress_total=self.total
            )
        except DatabaseError:  # a missed beat must not fail the import; the next one may get through
            logger.warning("Heartbeat of resident import %s failed", self.job.pk, exc_info=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(heartbeat_seconds()):
                self.beat()
        finally:
            connection.close()  # this thread's own connection


# --- The task -----------------------------------------------------------------------------------------------------


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_resident_import(self, job_id: str) -> str:
    """Run the import job `job_id` (file, user, mode) once, storing its report on the job; returns its status."""
    job = claim_import_job(job_id)
    if job is None:
        return "skipped"  # done, failed, or running in a live worker: nothing to do, nothing written twice
    with Heartbeat(job, threaded=not self.request.is_eager) as heartbeat:
        try:
            _run(job, heartbeat)
        except JobSuperseded:
            logger.info("Resident import %s attempt %s lost its claim; its write was undone", job.pk, job.attempt)
            return "superseded"
        except (SheetError, PermissionDenied) as exc:
            _fail(job, str(exc))
        except Exception:
            logger.exception("Resident import %s failed", job.pk)
            _fail(job, _("导入失败，请联系管理员。"))
    return ResidentImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def _run(job: ResidentImportJob, heartbeat: Heartbeat) -> None:
    def mark_done(report: ImportReport) -> None:
        # Inside the write transaction: the rows and "done" commit together, or neither does.
        if not _finish(job, report):
            raise JobSuperseded

    try:
        with default_storage.open(job.file, "rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        raise SheetError(_("上传的文件已不存在，请重新上传。")) from None
    header, rows = read_sheet(content, filename=job.file)
    report = residents_import(
        header=header, rows=rows, by=job.created_by, valid_only=job.valid_only, progress=heartbeat.progress,
        before_commit=mark_done,
    )  # fmt: skip
    if not report.written:
        _finish(job, report)
