"""`{% mediation_for_ticket ticket %}`: the ticket page's "mediation cases" block, scoped to the reader.

An inclusion tag, so the ticket view (services) needs no change and no knowledge of mediation to show the link back.
"""

from django import template

from mediation.models import DisputeCase

register = template.Library()


@register.inclusion_tag("mediation/partials/ticket_cases.html", takes_context=True)
def mediation_for_ticket(context, ticket) -> dict:
    user = context["request"].user
    cases = DisputeCase.objects.visible_to(user).filter(source_ticket=ticket).order_by("opened_at", "pk")
    return {"ticket": ticket, "cases": list(cases), "can_write": user.can_write}
