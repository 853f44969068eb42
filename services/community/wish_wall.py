"""The public micro-wish wall (微心愿墙) of a community: no login, masked names, no addresses.

Shown on a screen in the community centre or shared as a link: a wish's title, the resident's surname only
(张**), whether it is still waiting, and who claimed it. Nothing that locates the resident (household, building,
address, phone) is read from the database for this page.
"""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from orgs.models import Organization
from orgs.rules import Level
from services.community.selectors import wish_wall


class WishWallView(TemplateView):
    template_name = "services/wish_wall.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        community = get_object_or_404(Organization, code=kwargs["code"], level=Level.COMMUNITY)
        context.update(community=community, wishes=list(wish_wall(community=community)))
        return context
