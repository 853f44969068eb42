"""Real headless-browser tests: Debian's chromium driven by Playwright, never a downloaded browser.

pytest-playwright's own `browser`/`page` fixtures would launch the browser Playwright downloads (`playwright
install`); these fixtures launch /usr/bin/chromium instead and skip, saying why, when it is not installed.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM in the test body is still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def phone_page(chromium, live_server):
    """A fresh 360×740 Chinese-locale page whose relative URLs go to the live server."""
    context = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _is_a_problem(message) -> bool:
    """Console errors and CSP reports. Not ours: chromium does not know the 'bluetooth' feature the site's
    Permissions-Policy denies; a failed load is reported by the response listener with its URL."""
    text = message.text
    if "Content Security Policy" in text:
        return True
    if message.type != "error" or text.startswith("Failed to load resource"):
        return False
    return not text.startswith("Error with Permissions-Policy header: Unrecognized feature")


def watch_for_problems(page, site_url: str) -> list[str]:
    """What a user would notice went wrong on `page` from now on: console errors, CSP violations, failed loads,
    uncaught script errors and any request leaving the site (no CDN: government networks are closed)."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if _is_a_problem(msg) else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and not
            r.url.endswith("/favicon.ico") else None)  # fmt: skip
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: problems.append(f"outside: {r.url}") if not r.url.startswith(site_url)
            else None)  # fmt: skip
    return problems
