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
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from grids.resources import _ExportAdminMixin
from residents.importing import COLUMNS, REQUIRED_COLUMNS
from residents.resources import ResidentResource
from residents.tasks import get_import_job, import_file_path, job_report, run_resident_import, save_import_job

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
        return upload


def start_import_job(*, path: str, user, valid_only: bool) -> str:
    """Record a job and hand it to the worker (inline in embedded mode, where tasks run eagerly)."""
    job_id = uuid.uuid4().hex
    save_import_job(job_id, path=path, user_id=user.pk, valid_only=valid_only, state="queued")
    # Nothing is written to the database before the task runs, so there is no transaction to wait for.
    run_resident_import.delay(job_id)
    return job_id


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
            job_id = start_import_job(path=stored, user=request.user, valid_only=form.cleaned_data["valid_only"])
            return redirect(reverse("admin:residents_resident_import_status", args=[job_id]))
        context = self._context(
            request, form=form, title=_("导入居民表"), columns=list(COLUMNS), required_columns=REQUIRED_COLUMNS
        )
        return TemplateResponse(request, "residents/import.html", context)

    def import_status_view(self, request, job_id: str):
        job = get_import_job(job_id)
        # Someone else's job is as unknown as a missing one: a report names rows and ID numbers' problems.
        if job is None or job.get("user_id") != request.user.pk or not self.has_add_permission(request):
            raise Http404
        if request.method == "POST" and job.get("state") == "done":
            new_id = start_import_job(path=job["path"], user=request.user, valid_only=True)
            messages.info(request, _("已开始只导入有效行。"))
            return redirect(reverse("admin:residents_resident_import_status", args=[new_id]))
        context = self._context(request, job=job, report=job_report(job), title=_("导入结果"))
        return TemplateResponse(request, "residents/import_status.html", context)
