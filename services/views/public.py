"""Pages without login: the resident's rating link and a community's published service catalogue."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from orgs.models import Organization
from orgs.rules import Level
from services.forms import RatingForm, model_errors_to_form
from services.models import ListKind, PublishedListEntry, ServiceCategory, ServiceItem
from services.tickets.services import LOW_RATING, ticket_for_rating, ticket_rate


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
    """/catalogue/<community code>/: 办事指南 grouped by category, the micro-power and conduct negative lists."""

    template_name = "services/catalogue.html"

    def get_context_data(self, **kwargs):
        community = get_object_or_404(Organization, code=self.kwargs["code"], level=Level.COMMUNITY, is_active=True)
        items = ServiceItem.objects.published_for(community).order_by("category", "code")
        labels = dict(ServiceCategory.choices)
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(item.category, []).append(item)
        ancestors = community.get_ancestors(include_self=True)
        entries = PublishedListEntry.objects.filter(organization__in=ancestors) | PublishedListEntry.objects.filter(
            organization__isnull=True
        )
        entries = list(entries.order_by("kind", "sort_order", "id"))
        return super().get_context_data(
            community=community,
            groups=[(labels.get(category, category), rows) for category, rows in groups.items()],
            micro_power=[e for e in entries if e.kind == ListKind.MICRO_POWER],
            negative_conduct=[e for e in entries if e.kind == ListKind.NEGATIVE_CONDUCT],
            title=_("%(community)s 服务事项清单") % {"community": community.name},
            **kwargs,
        )
