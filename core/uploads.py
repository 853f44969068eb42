"""Stored images: verified once on the way in, named and served by what they really are, read only through scoped views.

A file's name and declared type come from the client and mean nothing: a GIF with a script appended and named
poly.html is still a valid GIF. So the one validator (`validate_image`) reads the bytes with Pillow, caps the byte
size and the pixel count (a 97 KB PNG can be 100 megapixels and take gigabytes to decode), and allows only the
formats a browser shows as an image. `VerifiedImageField` stores each file under a generated name with the
extension of the format found, and its `url` is the model's scoped view (`get_file_url()`), never a /media/ URL.
`stored_image_response` re-checks the stored bytes and answers with the verified image type only; anything else
goes out as an octet-stream attachment, always with nosniff.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views import View
from PIL import Image, UnidentifiedImageError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.settings import api_settings


class FileOwner(Protocol):
    """A model with verified images: it names the scoped view that serves each of them."""

    def get_file_url(self, field_name: str) -> str: ...


@dataclass(frozen=True)
class ImageKind:
    extension: str
    content_type: str


# Pillow's format name → how we store and serve it. MPO is what Pillow calls a phone's multi-picture JPEG.
IMAGE_KINDS = {
    "JPEG": ImageKind("jpg", "image/jpeg"),
    "MPO": ImageKind("jpg", "image/jpeg"),
    "PNG": ImageKind("png", "image/png"),
    "GIF": ImageKind("gif", "image/gif"),
    "WEBP": ImageKind("webp", "image/webp"),
}
UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def _not_an_image() -> ValidationError:
    return ValidationError(_("请上传图片文件（JPEG、PNG、GIF 或 WebP）。"), code="not_image")


def _too_many_pixels(limit: int) -> ValidationError:
    megapixels = f"{limit / 1_000_000:g}"
    return ValidationError(_("图片像素不能超过 %(mp)s 百万。") % {"mp": megapixels}, code="too_many_pixels")


def image_kind(file: IO[bytes] | File[Any]) -> ImageKind:
    """What the bytes of `file` are, if an allowed image within the pixel cap; raises ValidationError otherwise.

    Only the header is decoded (Image.open, then verify() walks the chunks without decompressing), so a
    decompression bomb is refused before it costs memory. The file's position is restored afterwards.
    """
    limit = settings.UPLOAD_IMAGE_MAX_PIXELS
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                kind = IMAGE_KINDS.get(image.format or "")
                if kind is None:
                    raise _not_an_image()
                if width * height > limit:
                    raise _too_many_pixels(limit)
                image.verify()
    except Image.DecompressionBombWarning:
        raise _too_many_pixels(limit) from None
    except UNREADABLE:
        raise _not_an_image() from None
    finally:
        file.seek(position)
    return kind


def validate_image(upload: File[Any]) -> None:
    """The one image validator (forms, serializers, services, the model field): size, format, pixel count."""
    limit = settings.TICKET_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(_("照片不能超过 %(limit)s。") % {"limit": filesizeformat(limit)}, code="too_big")
    image_kind(upload)


class VerifiedImageFieldFile(ImageFieldFile):
    """Saved under a random name with the verified format's extension; its URL is the model's scoped view."""

    def save(self, name: str, content: File[Any], save: bool = True) -> None:
        kind = image_kind(content)
        super().save(f"{secrets.token_hex(16)}.{kind.extension}", content, save)

    @property
    def url(self) -> str:
        self._require_file()  # type: ignore[attr-defined]  # FieldFile's own check, missing from django-stubs
        owner: FileOwner = self.instance  # type: ignore[assignment]  # VerifiedImageField requires get_file_url()
        return owner.get_file_url(self.field.name)


class VerifiedImageField(models.ImageField):
    """An ImageField for residents' files. The model must define `get_file_url(field_name)` (a scoped view)."""

    attr_class = VerifiedImageFieldFile

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if value and not getattr(value, "_committed", True):
            validate_image(value)


def stored_image_response(fieldfile: FieldFile, *, download_name: str = "photo") -> FileResponse:
    """Serve a stored file as the image type its bytes verify as (inline), or else as a download that no browser
    renders; a missing file is a 404, like a missing row."""
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    try:
        kind = image_kind(handle)
    except ValidationError:
        kind = None
    if kind is None:
        response = FileResponse(
            handle, as_attachment=True, filename=f"{download_name}.bin", content_type="application/octet-stream"
        )
    else:
        response = FileResponse(handle, filename=f"{download_name}.{kind.extension}", content_type=kind.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def file_reader(request: HttpRequest) -> Any:  # the project's user (core may not name accounts.User), or None
    """Who reads a stored file: the session user of the pages, or the API's token user (the same authentication
    classes as /api/v1/), so the URL the API hands out works for the API client that got it. None if anonymous;
    AuthenticationFailed for a bad token."""
    if request.user.is_authenticated:
        return request.user
    # api_settings imports the dotted paths it is given: classes here, not the strings its stub says.
    authentication = cast("list[Callable[[], Any]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    drf_request = Request(request, authenticators=[auth() for auth in authentication])
    user = drf_request.user
    return user if user.is_authenticated else None


class ScopedFileView(View):
    """Serves one stored file to a reader who may see the row it belongs to; a row outside the reader's scope is
    a 404 exactly like a missing one. Subclasses say how the row is found inside the reader's scope."""

    download_name = "photo"

    def scoped_file(self, user: Any, **kwargs: Any) -> FieldFile | None:
        """The FieldFile to serve, fetched through `visible_to(user)` (raise Http404 when there is none)."""
        raise NotImplementedError

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            user = file_reader(request)
        except AuthenticationFailed as exc:
            return JsonResponse({"detail": str(exc.detail)}, status=401)
        if user is None:
            return redirect_to_login(request.get_full_path())
        fieldfile = self.scoped_file(user, **kwargs)
        if not fieldfile:
            raise Http404
        return stored_image_response(fieldfile, download_name=self.download_name)
