from services.models.catalogue import (
    LEVEL_ORDER,
    ORG_LEVEL_OF,
    EscalationLimit,
    HandlingLevel,
    ListKind,
    PublishedListEntry,
    ServiceCategory,
    ServiceItem,
)
from services.models.community import (
    HousekeeperProject,
    MenuService,
    MicroWish,
    ProjectKind,
    ProjectRating,
    ProviderKind,
    WishStatus,
)
from services.models.errands import ProxyErrand
from services.models.tickets import (
    OPEN_STATUSES,
    Card,
    Channel,
    Priority,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketPhoto,
    TicketStatus,
)
from services.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription

__all__ = [
    "LEVEL_ORDER", "OPEN_STATUSES", "ORG_LEVEL_OF", "Card", "Channel", "DeliveryStatus", "EscalationLimit",
    "HandlingLevel", "HousekeeperProject", "ListKind", "MenuService", "MicroWish", "Priority", "ProjectKind",
    "ProjectRating", "ProviderKind", "ProxyErrand", "PublishedListEntry", "ServiceCategory", "ServiceItem", "Ticket",
    "TicketCounter", "TicketEvent", "TicketPhoto", "TicketStatus", "WebhookDelivery", "WebhookSubscription",
    "WishStatus",
]  # fmt: skip
