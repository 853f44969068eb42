"""Ticket pages (mounted at /tickets/) and the public pages (/r/<token>/, /catalogue/<code>/)."""

from services.views.files import TicketPhotoView, WishPhotoView
from services.views.intake import GridReportView, ResidentLookupView, TicketIntakeView, VisitTicketView
from services.views.public import (
    CatalogueView,
    CommunityDirectoryView,
    CommunityHomeView,
    PublicRequestView,
    RatingView,
    TicketFollowView,
)
from services.views.tickets import (
    AssignedTicketsView,
    ProxyErrandView,
    TicketActionView,
    TicketDetailView,
    TicketQueueView,
)

__all__ = [
    "AssignedTicketsView",
    "CatalogueView",
    "CommunityDirectoryView",
    "CommunityHomeView",
    "GridReportView",
    "PublicRequestView",
    "ProxyErrandView",
    "RatingView",
    "ResidentLookupView",
    "TicketActionView",
    "TicketDetailView",
    "TicketFollowView",
    "TicketIntakeView",
    "TicketPhotoView",
    "TicketQueueView",
    "VisitTicketView",
    "WishPhotoView",
]
