"""Pages without login: a community's home page, its catalogue and request form, the follow and rating links.

/c/<code>/ links everything a community offers residents (core.public_pages); /c/<code>/request/ files a request
(channel web) through the one intake service; /t/<token>/ follows it to the rating link /r/<token>/.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.public_pages import public_pages_for
from orgs.models import Organization
from orgs.rules import Level
from services.forms import CatalogueSearchForm, PublicRequestForm, RatingForm, model_errors_to_form
from services.models import ListKind, PublishedListEntry, ServiceCategory, ServiceItem, TicketStatus
from services.tickets.follow import follow_token, public_timeline, ticket_for_follow
from services.tickets.services import LOW_RATING, ticket_create, ticket_for_rating, ticket_rate


def public_community_or_404(code: str) -> Organization:
    """An active community by its code; any other code (a street's, an inactive community's, none) is a 404."""
    return get_object_or_404(Organization, code=code, level=Level.COMMUNITY, is_active=True)


class RatingView(View):
    """/r/<token>/: 1–5 and a comment from the resident's phone; a used, expired or unknown link gets a clear page."""

    template_name = "services/rating.html"

    def get(self, request, token: str):
        try:
            ticket = ticket_for_rating(token=token)
        except ValidationError as error:
            return self.unusable(request, error)
        return self.show(request, ticket, RatingForm())

    def post(self, request, token: str):
        try:
            ticket = ticket_for_rating(token=token)
        except ValidationError as error:
            return self.unusable(request, error)
        form = RatingForm(request.POST)
        if not form.is_valid():
            return self.show(request, ticket, form)
        try:
            ticket = ticket_rate(token=token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
        except ValidationError as error:
            if "token" in getattr(error, "error_dict", {}):
                return self.unusable(request, error)
            model_errors_to_form(form, error)
            return self.show(request, ticket, form)
        context = {"ticket": ticket, "reopened": ticket.rating < LOW_RATING}
        return render(request, "services/rating_thanks.html", context)

    def show(self, request, ticket, form):
        return render(request, self.template_name, {"ticket": ticket, "form": form})

    def unusable(self, request, error: ValidationError):
        return render(request, "services/rating_unusable.html", {"reason": " ".join(error.messages)}, status=410)


class CatalogueView(TemplateView):
    """/catalogue/<community code>/: 办事指南 by category with an index and a search (?q=), and the two lists."""

    template_name = "services/catalogue.html"

    def get_context_data(self, **kwargs):
        community = public_community_or_404(self.kwargs["code"])
        search = CatalogueSearchForm(self.request.GET)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        groups = self.groups(self.items(community, query))
        return super().get_context_data(
            community=community,
            search=search,
            query=query,
            groups=groups,
            found=sum(len(group["items"]) for group in groups),
            title=_("%(community)s 服务事项清单") % {"community": community.name},
            **self.published_lists(community),
            **kwargs,
        )

    @staticmethod
    def items(community, query: str):
        items = ServiceItem.objects.published_for(community).order_by("category", "code")
        if query:
            items = items.filter(
                Q(name__icontains=query)
                | Q(code__icontains=query)
                | Q(requirements__icontains=query)
                | Q(materials__icontains=query)
            )
        return items

    @staticmethod
    def groups(items) -> list[dict]:
        """[{category, label, anchor, items}] in catalogue order: the index at the top and the sections below."""
        labels = dict(ServiceCategory.choices)
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(item.category, []).append(item)
        return [
            {"category": category, "label": labels.get(category, category), "anchor": f"cat-{category}", "items": rows}
            for category, rows in groups.items()
        ]

    @staticmethod
    def published_lists(community) -> dict:
        ancestors = community.get_ancestors(include_self=True)
        entries = PublishedListEntry.objects.filter(organization__in=ancestors) | PublishedListEntry.objects.filter(
            organization__isnull=True
        )
        entries = list(entries.order_by("kind", "sort_order", "id"))
        return {
            "micro_power": [e for e in entries if e.kind == ListKind.MICRO_POWER],
            "negative_conduct": [e for e in entries if e.kind == ListKind.NEGATIVE_CONDUCT],
        }


class CommunityDirectoryView(TemplateView):
    """/c/: every active community by name, the way in for a resident who lands on the site without an account."""

    template_name = "services/community_directory.html"

    def get_context_data(self, **kwargs):
        communities = Organization.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("code")
        return super().get_context_data(communities=communities.only("code", "name"), **kwargs)


class CommunityHomeView(TemplateView):
    """/c/<community code>/: the one public page of a community, linking every page it offers residents."""

    template_name = "services/community_home.html"

    def get_context_data(self, **kwargs):
        community = public_community_or_404(self.kwargs["code"])
        return super().get_context_data(community=community, pages=public_pages_for(community), **kwargs)


class PublicRequestView(View):
    """/c/<code>/request/: a resident files a request (channel web); it lands in the intake queue as reported."""

    template_name = "services/public_request.html"

    def get(self, request, code: str):
        community = public_community_or_404(code)
        initial = {"service_item": request.GET.get("item", "")[:20]}  # from a catalogue entry's "apply" link
        return self.show(request, community, PublicRequestForm(community=community, initial=initial))

    def post(self, request, code: str):
        community = public_community_or_404(code)
        form = PublicRequestForm(request.POST, community=community)
        if not form.is_valid():
            return self.show(request, community, form)
        try:
            ticket = ticket_create(by=None, **form.ticket_fields())
        except ValidationError as error:
            model_errors_to_form(form, error)
            return self.show(request, community, form)
        messages.success(
            request,
            _("已收到您的诉求，工单号 %(ref)s。请收藏本页，随时查看办理进度，办结后在此评价。")
            % {"ref": ticket.reference},
        )
        return redirect("ticket-follow", token=follow_token(ticket))

    def show(self, request, community, form):
        return render(request, self.template_name, {"community": community, "form": form})


class TicketFollowView(TemplateView):
    """/t/<token>/: the progress of one ticket for whoever holds its link: reference, item, status, dated steps."""

    template_name = "services/ticket_follow.html"

    def get_context_data(self, **kwargs):
        ticket = ticket_for_follow(self.kwargs["token"])
        if ticket is None:
            raise Http404
        return super().get_context_data(
            ticket=ticket,
            steps=public_timeline(ticket),
            rating_url=self.rating_url(ticket),
            rated=ticket.rated_at is not None,
            **kwargs,
        )

    @staticmethod
    def rating_url(ticket) -> str:
        if ticket.status != TicketStatus.RESOLVED:
            return ""
        try:
            ticket_for_rating(token=ticket.rating_token)
        except ValidationError:
            return ""
        return reverse("ticket-rate", args=[ticket.rating_token])
