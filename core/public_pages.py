"""The public pages a community offers residents without login, listed on its home page (/c/<code>/).

A registry that domain apps fill from their AppConfig.ready(), so the community home links a new public page
(activities, the deliberation board) without anyone editing its template, and core imports no domain app.
Each page is a URL name reversed with the community's code as its only argument.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from core.registry import Registry


@dataclass(frozen=True)
class PublicPage:
    label: str  # a lazy translation
    url_name: str
    order: int = 100
    description: str = ""


public_pages = Registry("public pages")


def register_public_page(label: Any, url_name: str, order: int = 100, description: Any = "") -> None:
    """Add a page (by URL name) to every community's public home page."""
    public_pages.register(url_name, PublicPage(label=label, url_name=url_name, order=order, description=description))


def public_pages_for(community: Any) -> list[dict[str, Any]]:
    """The registered pages in order, each as {label, description, url} for this community; unroutable ones skipped."""
    links = []
    pages: list[PublicPage] = [entry.value for entry in public_pages]
    for page in sorted(pages, key=lambda page: (page.order, page.url_name)):
        try:
            url = reverse(page.url_name, args=[community.code])
        except NoReverseMatch:
            continue
        links.append({"label": page.label, "description": page.description, "url": url, "name": page.url_name})
    return links
