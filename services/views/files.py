"""Residents' stored files (ticket photos, wish fulfilment photos), each reached only through its row's scope.

These are the URLs every FieldFile.url names (core.uploads.VerifiedImageField), for the pages and the API alike:
the reader is the session user or the API token's user, and the row is fetched through `visible_to(reader)`, so a
photo of a ticket outside the reader's scope is a 404 exactly like a missing one.
"""

from django.shortcuts import get_object_or_404

from core.pages import get_scoped_or_404
from core.uploads import ScopedFileView
from services.models import MicroWish, Ticket, TicketPhoto


class TicketPhotoView(ScopedFileView):
    """A ticket photo, served only to those who may see the ticket (photos are not public media)."""

    def scoped_file(self, user, *, pk: int, photo_pk: int):
        ticket = get_scoped_or_404(Ticket, user, pk=pk)
        return get_object_or_404(TicketPhoto, pk=photo_pk, ticket=ticket).image


class WishPhotoView(ScopedFileView):
    """A micro-wish's fulfilment photo, served only to those who may see the wish."""

    def scoped_file(self, user, *, pk: int):
        return get_scoped_or_404(MicroWish, user, pk=pk).fulfilment_photo
