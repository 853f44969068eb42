"""The public pages a community offers residents without login, listed on its home page (/c/<code>/).

A registry that domain apps fill from their AppConfig.ready(), so the community home links a new public page
(activities, the deliberation board) without anyone editing its template, and core imports no domain app.
Each page is a URL name reversed with the community's code as its only argument.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class PublicPage:
    label: str  # a lazy translation
    url_name: str
    order: int = 100
    description: str = ""


_pages: dict[str, PublicPage] = {}


def register_public_page(label, url_name: str, order: int = 100, description="") -> None:
    """Add (or replace, by URL name) a page on every community's public home page."""
    _pages[url_name] = PublicPage(label=label, url_name=url_name, order=order, description=description)


def public_pages_for(community) -> list[dict]:
    """The registered pages in order, each as {label, description, url} for this community; unroutable ones skipped."""
    links = []
    for page in sorted(_pages.values(), key=lambda page: (page.order, page.url_name)):
        try:
            url = reverse(page.url_name, args=[community.code])
        except NoReverseMatch:
            continue
        links.append({"label": page.label, "description": page.description, "url": url, "name": page.url_name})
    return links
