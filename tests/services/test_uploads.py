"""Residents' stored files: one validator (format, bytes, pixels) for pages and API; stored under the verified
format's name; served only with the verified image type and nosniff, through the row's scoped view; no /media/ URL."""

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import Resolver404, resolve, reverse
from PIL import Image

from accounts.models import Role
from core.uploads import VerifiedImageField, validate_image
from orgs.rules import Level
from services.community import services as cs
from services.models import Ticket, TicketPhoto
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.scoped_api import client_as
from tests.services.factories import MicroWishFactory, ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
SCRIPT = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _image(fmt: str, size=(8, 8), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt)
    return buffer.getvalue()


def _upload(content: bytes, name: str, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _polyglot() -> SimpleUploadedFile:
    """A valid GIF with a script appended, named and typed as an HTML page."""
    return _upload(_image("GIF") + SCRIPT, "poly.html", content_type="text/html")


def _huge_png() -> bytes:
    """10,000 × 10,000 pixels (100 MP) in about 12 KB: decoding it would take 100 MB or more."""
    return _image("PNG", size=(10_000, 10_000), mode="1")


@pytest.fixture
def world():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    return {
        "community": community,
        "staff": UserFactory(role=Role.STAFF, scope=street),
        "outsider": UserFactory(role=Role.STAFF, scope=other),
        "item": ServiceItemFactory(),
    }


def _file_ticket(world, photo) -> dict:
    payload = {
        "service_item": world["item"].pk, "community": world["community"].pk, "description": "楼道灯不亮",
        "reporter_name": "李四", "photos": [photo],
    }  # fmt: skip
    return client_as(world["staff"]).post(TICKETS, payload, format="multipart")


# --- the one validator ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [_huge_png(), _image("BMP"), _image("TIFF"), b"GIF89a not really", SCRIPT],
    ids=["100-megapixels", "bmp", "tiff", "truncated-gif", "html"],
)
def test_the_image_validator_refuses_bombs_other_formats_and_non_images(content):
    with pytest.raises(ValidationError):
        validate_image(_upload(content, "x.png"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_the_image_validator_accepts_the_formats_browsers_show(fmt):
    validate_image(_upload(_image(fmt), "x"))


def test_the_pixel_cap_is_a_setting(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ValidationError) as refused:
        validate_image(_upload(_image("PNG", size=(11, 10)), "x.png"))
    assert refused.value.code == "too_many_pixels"
    validate_image(_upload(_image("PNG", size=(10, 10)), "x.png"))


def test_a_100_megapixel_png_is_a_400_in_the_api_and_on_the_pages(world, client):
    response = _file_ticket(world, _upload(_huge_png(), "huge.png"))
    assert response.status_code == 400
    assert "像素" in str(response.json()["photos"])
    client.force_login(world["staff"])
    form = {
        "reporter_name": "路人甲", "community": world["community"].pk, "service_item": world["item"].pk, "q": "",
        "description": "路灯坏了", "channel": "hotline", "priority": "normal", "photos": [_upload(_huge_png(), "h")],
    }  # fmt: skip
    page = client.post(reverse("tickets:new"), form)
    assert page.status_code == 200 and "像素" in page.content.decode()
    assert not Ticket.objects.exists()


def test_every_stored_file_field_is_a_verified_image_field_with_a_scoped_url():
    """A new upload field must go through the same verification, naming and scoped serving (or this fails)."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                assert isinstance(field, VerifiedImageField), f"{model.__name__}.{field.name}"
                assert callable(getattr(model, "get_file_url", None)), model.__name__


# --- stored by what it is, served as what it is ---------------------------------------------------------------------


def test_a_gif_polyglot_named_html_is_stored_as_gif_and_served_as_an_image_with_nosniff(world):
    response = _file_ticket(world, _polyglot())
    assert response.status_code == 201, response.content
    photo = TicketPhoto.objects.get()
    assert photo.image.name.endswith(".gif") and "poly" not in photo.image.name
    served = client_as(world["staff"]).get(reverse("tickets:photo", args=[photo.ticket_id, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "html" not in served["Content-Disposition"]


def test_a_stored_file_that_is_not_an_allowed_image_is_served_as_a_download(world, client):
    """Files stored before verification (or put there by hand) are re-checked when served."""
    ticket = TicketFactory(community=world["community"], service_item=world["item"])
    name = default_storage.save(f"tickets/{ticket.pk}/old.html", ContentFile(_image("GIF") + SCRIPT))
    photo = TicketPhoto.objects.create(ticket=ticket, image=name, uploaded_by=world["staff"])
    client.force_login(world["staff"])
    served = client.get(reverse("tickets:photo", args=[ticket.pk, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/gif"  # still a GIF by its bytes, whatever its name
    with open(default_storage.path(name), "wb") as stored:
        stored.write(SCRIPT)
    served = client.get(reverse("tickets:photo", args=[ticket.pk, photo.pk]))
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_storing_a_non_image_through_the_field_is_refused_even_outside_forms(world):
    ticket = TicketFactory(community=world["community"], service_item=world["item"])
    photo = TicketPhoto(ticket=ticket, uploaded_by=world["staff"])
    with pytest.raises(ValidationError):
        photo.image.save("x.png", ContentFile(SCRIPT), save=False)


# --- reached only through the scoped view, in the API as on the pages -----------------------------------------------


def test_the_api_hands_out_the_scoped_photo_url_never_a_media_url(world):
    created = _file_ticket(world, _upload(_image("PNG"), "p.png"))
    assert created.status_code == 201, created.content
    photo = TicketPhoto.objects.get()
    scoped = reverse("tickets:photo", args=[photo.ticket_id, photo.pk])
    for response in (created, client_as(world["staff"]).get(f"{TICKETS}{photo.ticket_id}/")):
        assert "/media/" not in response.content.decode()
        assert response.json()["photos"][0]["url"].endswith(scoped)
    timeline = client_as(world["staff"]).get(f"{TICKETS}{photo.ticket_id}/events/")
    assert "/media/" not in timeline.content.decode() and scoped in timeline.content.decode()


def test_the_api_client_reads_the_photo_with_its_token_and_an_outsider_gets_404(world):
    _file_ticket(world, _upload(_image("PNG"), "p.png"))
    photo = TicketPhoto.objects.get()
    url = reverse("tickets:photo", args=[photo.ticket_id, photo.pk])
    served = client_as(world["staff"]).get(url)  # token authentication, no session
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert client_as(world["outsider"]).get(url).status_code == 404
    missing = reverse("tickets:photo", args=[photo.ticket_id, photo.pk + 1000])
    assert client_as(world["staff"]).get(missing).status_code == 404
    wrong_ticket = reverse("tickets:photo", args=[photo.ticket_id + 1000, photo.pk])
    assert client_as(world["staff"]).get(wrong_ticket).status_code == 404


def test_anonymous_readers_never_get_a_photo(world, client):
    _file_ticket(world, _upload(_image("PNG"), "p.png"))
    photo = TicketPhoto.objects.get()
    response = client.get(reverse("tickets:photo", args=[photo.ticket_id, photo.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    bad_token = client.get(reverse("tickets:photo", args=[photo.ticket_id, photo.pk]), HTTP_AUTHORIZATION="Token nope")
    assert bad_token.status_code == 401


def test_media_is_not_served_by_url(world, client):
    _file_ticket(world, _upload(_image("PNG"), "p.png"))
    name = TicketPhoto.objects.get().image.name
    with pytest.raises(Resolver404):
        resolve(f"/media/{name}")
    client.force_login(world["staff"])
    assert client.get(f"/media/{name}").status_code == 404


def test_a_wish_photo_is_a_scoped_url_in_the_api_and_404_outside_its_scope(world):
    resident = ResidentFactory(household__building__grid__community=world["community"])
    wish = MicroWishFactory(resident=resident, community=world["community"])
    cs.wish_claim(wish=wish, by=world["staff"], organization=world["community"])
    wish = cs.wish_fulfil(wish=wish, photo=_polyglot(), by=world["staff"])
    assert wish.fulfilment_photo.name.startswith("wishes/") and wish.fulfilment_photo.name.endswith(".gif")
    listed = client_as(world["staff"]).get(f"/api/v1/wishes/{wish.pk}/")
    assert listed.status_code == 200, listed.content
    scoped = reverse("tickets:wish-photo", args=[wish.pk])
    assert listed.json()["fulfilment_photo"].endswith(scoped) and "/media/" not in listed.content.decode()
    served = client_as(world["staff"]).get(scoped)
    assert served.status_code == 200 and served["Content-Type"] == "image/gif"
    assert client_as(world["outsider"]).get(scoped).status_code == 404
    assert client_as(world["staff"]).get(reverse("tickets:wish-photo", args=[wish.pk + 1000])).status_code == 404


def test_the_admin_links_a_stored_photo_through_its_scoped_view(world, client):
    resident = ResidentFactory(household__building__grid__community=world["community"])
    wish = MicroWishFactory(resident=resident, community=world["community"])
    cs.wish_claim(wish=wish, by=world["staff"], organization=world["community"])
    cs.wish_fulfil(wish=wish, photo=_upload(_image("PNG"), "p.png"), by=world["staff"])
    client.force_login(UserFactory(role=Role.STAFF, scope=world["community"], is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:services_microwish_change", args=[wish.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("tickets:wish-photo", args=[wish.pk]) in html and "/media/" not in html
