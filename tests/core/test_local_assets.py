"""No page loads a script, style or font from outside the site: government networks are closed, and a CDN link
would leave a page unstyled or its charts undrawn there (issue 12).

The check reads what the browser would fetch, not every URL-looking string:
- in every template the site renders (the project's and the installed apps'): <script src>, <link href>, and
  @import / url(...) in any <style>;
- in every CSS file the site serves (the project's static/ and the installed apps' static files): @import and
  url(...);
- in our own JavaScript (static/js): fetch(), XMLHttpRequest.open(), import(), new Worker/EventSource/WebSocket, and
  any absolute URL literal at all (our own code has no reason to name another host);
- in the vendored minified libraries (static/vendor), whose comments and strings hold licence links and XML
  namespace names that are never fetched: every absolute URL must be one of those, so an update that starts
  loading something from a CDN fails here.
The browser tests check the same at run time: the CSP (default-src 'self') reports any outside load as a violation.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.utils import get_app_template_dirs
from django.urls import URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
OUTSIDE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http:, https:, ftp:, protocol-relative //
TAG_URL = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
CSS_URL = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+?)["']?\s*\)""", re.IGNORECASE)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
JS_FETCH = re.compile(
    r"""(?:fetch|\.open|import|new\s+(?:Worker|SharedWorker|EventSource|WebSocket))\s*\(\s*(?:["'][A-Z]+["']\s*,\s*)?"""
    r"""["'`]([^"'`]+)["'`]"""
)
ABSOLUTE_URL = re.compile(r"""["'`]((?:https?:|wss?:)?//[^"'`\s]*)""", re.IGNORECASE)
ANY_URL = re.compile(r"(?:https?|wss?)://[^\s\"'`)<>]+", re.IGNORECASE)
# What the vendored libraries name without fetching: XML namespace names and licence links in their comments.
NEVER_FETCHED = (
    "http://www.w3.org/",
    "http://www.apache.org/licenses/",
    "https://www.apache.org/licenses/",
    "https://github.com/ecomfe/zrender/blob/master/LICENSE",
)


# Templates an installed app ships but no URL of ours renders (the test below checks they stay unrouted). ReDoc's
# page loads Google Fonts; the site offers Swagger UI, from drf-spectacular-sidecar's local copy, instead.
UNROUTED_TEMPLATES = {"drf_spectacular/redoc.html": "SpectacularRedocView"}


def _template_files() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [Path(d) for d in get_app_template_dirs("templates")]
    return sorted({p for d in dirs for p in d.rglob("*.html")})


def _served_static_files(suffix: str) -> list[Path]:
    found = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(["*.map", "*.gz"]):
            if path.endswith(suffix):
                found.add(Path(storage.path(path)))
    return sorted(found)


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(CSS_COMMENT.sub("", css))]


def _outside(urls, where: Path) -> list[str]:
    return [f"{where}: {url}" for url in urls if OUTSIDE.match(url)]


def test_the_checks_recognise_an_outside_reference():
    assert TAG_URL.findall('<script defer src="https://cdn.example.com/echarts.js"></script>')
    assert _outside(TAG_URL.findall("<link rel=stylesheet href='//cdn.example.com/x.css'>"), Path("t"))
    assert _outside(_css_urls("@import 'https://fonts.example.com/a.css'; b { src: url(//x.example/f.woff2) }"),
                    Path("t")) == ["t: https://fonts.example.com/a.css", "t: //x.example/f.woff2"]  # fmt: skip
    assert not _outside(_css_urls("a { background: url(data:image/png;base64,AAAA) } @import 'local.css';"), Path("t"))
    assert JS_FETCH.findall('fetch("https://api.example.com/x"); xhr.open("GET", "//x.example/y")') == [
        "https://api.example.com/x", "//x.example/y",
    ]  # fmt: skip
    assert not _outside([r"{% static 'vendor/echarts/echarts.min.js' %}", "/static/js/dashboard.js"], Path("t"))


def test_no_template_loads_a_script_style_or_font_from_outside_the_site():
    templates = _template_files()
    assert ROOT / "templates" / "base.html" in templates
    problems = []
    for template in templates:
        if any(template.as_posix().endswith("/templates/" + name) for name in UNROUTED_TEMPLATES):
            continue
        text = template.read_text(encoding="utf-8")
        problems += _outside(TAG_URL.findall(text), template)
        for block in STYLE_BLOCK.findall(text):
            problems += _outside(_css_urls(block), template)
    assert problems == []


def _routed_view_names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _routed_view_names(pattern.url_patterns)
        else:
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            names.add(getattr(view, "__name__", getattr(pattern.callback, "__name__", "")))
    return names


def test_the_templates_left_out_of_that_check_are_not_routed():
    routed = _routed_view_names(get_resolver().url_patterns)
    assert "SpectacularSwaggerSplitView" in routed  # the walk does see class-based views
    assert routed.isdisjoint(UNROUTED_TEMPLATES.values())


def test_no_served_stylesheet_imports_or_points_outside_the_site():
    stylesheets = _served_static_files(".css")
    assert ROOT / "static" / "css" / "dashboard.css" in stylesheets
    problems = []
    for stylesheet in stylesheets:
        problems += _outside(_css_urls(stylesheet.read_text(encoding="utf-8", errors="replace")), stylesheet)
    assert problems == []


@pytest.mark.parametrize("script", sorted((ROOT / "static" / "js").rglob("*.js")), ids=lambda p: p.name)
def test_our_own_javascript_requests_nothing_from_outside_the_site(script):
    text = script.read_text(encoding="utf-8")
    assert _outside(JS_FETCH.findall(text), script) == []
    assert ABSOLUTE_URL.findall(text) == []


@pytest.mark.parametrize("library", sorted((ROOT / "static" / "vendor").rglob("*.js")), ids=lambda p: p.name)
def test_vendored_libraries_name_no_url_but_namespaces_and_licences(library):
    urls = set(ANY_URL.findall(library.read_text(encoding="utf-8", errors="replace")))
    assert {url for url in urls if not url.startswith(NEVER_FETCHED)} == set()


def test_echarts_is_vendored_with_its_licence_and_notice():
    folder = ROOT / "static" / "vendor" / "echarts"
    assert {"echarts.min.js", "LICENSE", "NOTICE", "README.md"} <= {p.name for p in folder.iterdir()}
    assert "Apache License" in (folder / "LICENSE").read_text()
