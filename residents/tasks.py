"""Background resident imports: a large sheet is checked and written by a worker while the page shows progress.

The uploaded file waits in the default storage under `imports/<job id>`; the job's state and progress live in the
cache under `import_job_key(job_id)`, which the status page reads. A job that already finished is not run again,
so a redelivered task (acks_late) writes nothing twice.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from residents.importing import ImportReport, SheetError, read_sheet, residents_import

logger = logging.getLogger(__name__)

JOB_TTL_SECONDS = 24 * 3600  # long enough to read the report the next morning


def import_job_key(job_id: str) -> str:
    return f"residents:import:{job_id}"


def import_file_path(job_id: str, filename: str) -> str:
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    return f"imports/{job_id}{suffix}"


def get_import_job(job_id: str) -> dict | None:
    return cache.get(import_job_key(job_id))


def save_import_job(job_id: str, **state) -> dict:
    job = (get_import_job(job_id) or {}) | state
    cache.set(import_job_key(job_id), job, JOB_TTL_SECONDS)
    return job


@shared_task
def run_resident_import(job_id: str) -> dict:
    """Run the import described by the job `job_id` (file, user, mode) and store its report on the job."""
    job = get_import_job(job_id)
    if job is None or job.get("state") in ("done", "failed"):
        return job or {}
    save_import_job(job_id, state="running", phase="validate", done=0, total=0)

    def progress(phase: str, done: int, total: int) -> None:
        save_import_job(job_id, phase=phase, done=done, total=total)

    user = get_user_model().objects.get(pk=job["user_id"])
    try:
        with default_storage.open(job["path"], "rb") as stored:
            header, rows = read_sheet(stored.read(), filename=job["path"])
        report = residents_import(header=header, rows=rows, by=user, valid_only=job["valid_only"], progress=progress)
    except SheetError as exc:
        return save_import_job(job_id, state="failed", message=str(exc))
    except Exception:
        logger.exception("Resident import %s failed", job_id)
        return save_import_job(job_id, state="failed", message=_("导入失败，请联系管理员。"))
    return save_import_job(job_id, state="done", report=report.as_dict())


def job_report(job: dict) -> ImportReport | None:
    return ImportReport.from_dict(job["report"]) if job.get("report") else None
