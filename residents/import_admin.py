"""The resident sheet in the admin: export (django-import-export) and our own checked, bulk import.

django-import-export's own import runs row by row and has no notion of our scope rules or of "nothing unless the
whole file is valid", so the import page here hands the file to `residents.importing` through the background task,
and shows the job's progress and its per-row report.
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.outbox import enqueue
from grids.resources import _ExportAdminMixin
from residents.importing import COLUMNS, REQUIRED_COLUMNS, SheetError, check_header, read_sheet
from residents.models import ImportJobStatus, ResidentImportJob, import_stale_after
from residents.resources import ResidentResource
from residents.tasks import import_file_path, job_report, retry_import_job, run_resident_import

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class ResidentImportForm(forms.Form):
    file = forms.FileField(label=_("表格文件"), help_text=_("xlsx 或 csv，第一行为列名。"))
    valid_only = forms.BooleanField(
        label=_("只导入有效行"), required=False, help_text=_("不勾选时，只要有一行有错误，就不写入任何数据。")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 xlsx 或 csv 文件。"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 100 MB。"))
        self._check_sheet(upload)
        return upload

    @staticmethod
    def _check_sheet(upload) -> None:
        """Refuse at upload what the worker would refuse (caps, columns), before the file is stored or queued."""
        try:
            header, _rows = read_sheet(upload.read(), filename=upload.name, header_only=True)
            check_header(header)
        except SheetError as exc:
            raise forms.ValidationError(str(exc)) from None
        finally:
            upload.seek(0)


def _new_job(*, path: str, filename: str, user, valid_only: bool, follow_up_of=None) -> ResidentImportJob:
    return ResidentImportJob.objects.create(
        created_by=user, scope_id=user.scope_id, file=path, filename=filename, valid_only=valid_only,
        follow_up_of=follow_up_of,
    )  # fmt: skip


def _queue(job: ResidentImportJob) -> None:
    # Called once the job row is committed, so the worker finds it by its id (inline in embedded mode, where tasks
    # run eagerly).
    enqueue(run_resident_import, str(job.pk))  # outbox: a broker outage loses no job


def start_import_job(*, path: str, filename: str, user, valid_only: bool) -> ResidentImportJob:
    """Record a job and hand it to the worker."""
    job = _new_job(path=path, filename=filename, user=user, valid_only=valid_only)
    _queue(job)
    return job


def start_valid_only_follow_up(job: ResidentImportJob, user) -> ResidentImportJob:
    """The "import the valid rows only" job of a report: one per report, however often the button is pressed."""
    existing = ResidentImportJob.objects.filter(follow_up_of=job).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            follow_up = _new_job(path=job.file, filename=job.filename, user=user, valid_only=True, follow_up_of=job)
    except IntegrityError:  # a second press raced the first (the one-to-one is unique): follow that one
        return ResidentImportJob.objects.get(follow_up_of=job)
    _queue(follow_up)
    return follow_up


def _job_or_none(job_id: str, user) -> ResidentImportJob | None:
    try:
        job_uuid = uuid.UUID(job_id)
    except ValueError:
        return None
    return ResidentImportJob.objects.filter(pk=job_uuid, created_by=user).first()


class ResidentImportExportAdminMixin(_ExportAdminMixin):
    resource_classes = [ResidentResource]
    import_export_change_list_template = "admin/residents/resident/change_list_import_export.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import-sheet/", view(self.import_sheet_view), name="residents_resident_import_sheet"),
            path("import-sheet/<str:job_id>/", view(self.import_status_view), name="residents_resident_import_status"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = (extra_context or {}) | {"has_import_sheet_permission": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def _context(self, request, **extra) -> dict:
        return self.admin_site.each_context(request) | {"opts": self.model._meta, **extra}

    def import_sheet_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ResidentImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            stored = default_storage.save(import_file_path(uuid.uuid4().hex, upload.name), upload)
            job = start_import_job(
                path=stored, filename=upload.name, user=request.user, valid_only=form.cleaned_data["valid_only"]
            )
            return redirect(reverse("admin:residents_resident_import_status", args=[job.pk]))
        context = self._context(
            request, form=form, title=_("导入居民表"), columns=list(COLUMNS), required_columns=REQUIRED_COLUMNS
        )
        return TemplateResponse(request, "residents/import.html", context)

    def import_status_view(self, request, job_id):
        # Someone else's job is as unknown as a missing one: a report names rows and ID numbers' problems.
        # A malformed id is as unknown as both (a <uuid:> route would fall through to the admin's catch-all).
        job = _job_or_none(job_id, request.user)
        if job is None or not self.has_add_permission(request):
            raise Http404
        if request.method == "POST":
            return self._import_status_action(request, job)
        stale_minutes = max(1, round(import_stale_after().total_seconds() / 60))
        context = self._context(
            request, job=job, report=job_report(job), stale_minutes=stale_minutes, title=_("导入结果")
        )
        return TemplateResponse(request, "residents/import_status.html", context)

    def _import_status_action(self, request, job: ResidentImportJob):
        target = job
        if request.POST.get("action") == "retry" and job.can_retry:
            if retry_import_job(job):
                messages.info(request, _("已重新开始导入。"))
        elif job.shown_status == ImportJobStatus.DONE and job.report and not job.report.get("written"):
            target = start_valid_only_follow_up(job, request.user)
            messages.info(request, _("已开始只导入有效行。"))
        return redirect(reverse("admin:residents_resident_import_status", args=[target.pk]))
