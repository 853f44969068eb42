"""The OpenAPI schema is valid and warning-free; the docs page works offline (closed networks: no CDN)."""

import re

import pytest
from django.core.management import call_command


def test_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "s.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/orgs/" in text
    assert "/api/v1/party-members/{id}/pii/" in text


@pytest.mark.django_db
def test_api_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)", html)
    assert assets, "the docs page should load Swagger UI assets"
    assert [url for url in assets if url.startswith(("http:", "https:", "//"))] == []
    assert "cdn" not in html.lower()
