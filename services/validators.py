"""Upload checks shared by the API and the pages: a ticket photo is an image as core.uploads verifies one (bytes,
format, pixel count). One validator for every way in; this name stays for the forms and serializers using it."""

from core.uploads import validate_image

validate_ticket_photo = validate_image

__all__ = ["validate_ticket_photo"]
