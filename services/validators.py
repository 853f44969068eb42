"""Upload checks shared by the API and the pages: a ticket photo is a real image within the size limit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError


def validate_ticket_photo(upload) -> None:
    """Refuse anything Pillow cannot read as an image, and anything over TICKET_PHOTO_MAX_BYTES."""
    limit = settings.TICKET_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(_("照片不能超过 %(limit)s。") % {"limit": filesizeformat(limit)}, code="too_big")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("请上传图片文件（JPEG、PNG 等）。"), code="not_image") from None
    finally:
        upload.seek(position)
