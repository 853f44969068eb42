"""GeoReport v2 representations: services from ServiceItems, service requests from Tickets.

Field names are the spec's (service_code, service_request_id, requested_datetime...). Our states map to the two
GeoReport states: closed (closed, rejected) and open (everything else). Anonymous readers get no description,
address, coordinates or notes: tickets are residents' matters and may name them.
"""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from services.models import ServiceItem, Ticket, TicketEvent, TicketStatus

CLOSED_STATUSES = frozenset({TicketStatus.CLOSED, TicketStatus.REJECTED})


def georeport_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def iso(value) -> str | None:
    """ISO 8601 with the offset (+08:00), as the spec asks for every datetime."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_json(item: ServiceItem) -> dict:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": item.requirements or item.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join([item.get_category_display(), item.get_handling_level_display()]),
        "group": item.get_category_display(),
    }


def service_definition_json(item: ServiceItem) -> dict:
    return {"service_code": item.code, "attributes": []}


def with_latest_event(tickets):
    """Annotate the latest event's time and note in the same query (a list stays one query however long)."""
    latest = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-created_at", "-id")
    noted = latest.exclude(note="")
    return tickets.select_related("service_item", "handling_org").annotate(
        latest_event_at=Subquery(latest.values("created_at")[:1]),
        latest_note=Subquery(noted.values("note")[:1]),
    )


def request_json(ticket: Ticket, *, detailed: bool) -> dict:
    """One service request; `detailed` (a caller whose scope covers the ticket) adds what a resident wrote."""
    data = {
        "service_request_id": ticket.reference,
        "status": georeport_status(ticket.status),
        "status_notes": "",
        "service_name": ticket.service_item.name,
        "service_code": ticket.service_item.code,
        "description": "",
        "agency_responsible": ticket.handling_org.name,
        "service_notice": "",
        "requested_datetime": iso(ticket.created_at),
        "updated_datetime": iso(getattr(ticket, "latest_event_at", None) or ticket.created_at),
        "expected_datetime": iso(ticket.resolution_due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }
    if detailed:
        data |= {
            "status_notes": getattr(ticket, "latest_note", None) or "",
            "description": ticket.description,
            "address": ticket.address,
            "lat": float(ticket.latitude) if ticket.latitude is not None else None,
            "long": float(ticket.longitude) if ticket.longitude is not None else None,
        }
    elif ticket.status == TicketStatus.REJECTED:
        data["status_notes"] = _("不予受理")
    return data
