"""Unit liaison pages (mounted at /unit/): a unit's agreements and commitments, joint meetings, whistles.

Every row comes through `visible_to()` (core.pages); every write calls a cobuilding.services function, so the
pages hold no business rule of their own. Community staff open the same pages for the units in their scope.
"""

from cobuilding.views.meetings import AgendaItemView, ItemProgressView, MeetingDetailView, MeetingListView
from cobuilding.views.units import (
    AgreementDetailView,
    CommitmentProgressView,
    CommitmentVerifyView,
    UnitDetailView,
    UnitHomeView,
)
from cobuilding.views.whistles import CallAcknowledgeView, CallRespondView, WhistleCallListView, WhistleDetailView

__all__ = [
    "AgendaItemView",
    "AgreementDetailView",
    "CallAcknowledgeView",
    "CallRespondView",
    "CommitmentProgressView",
    "CommitmentVerifyView",
    "ItemProgressView",
    "MeetingDetailView",
    "MeetingListView",
    "UnitDetailView",
    "UnitHomeView",
    "WhistleCallListView",
    "WhistleDetailView",
]
