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


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def _success_schema(operation) -> dict | None:
    for code in ("200", "201"):
        if code in operation["responses"]:
            return operation["responses"][code].get("content", {}).get("application/json", {}).get("schema")
    return None


def test_every_operation_is_tagged_with_the_app_that_owns_it():
    from tests.test_layers import OUR_APPS  # every app of ours has a row in the layer table

    apps = set(OUR_APPS)
    tags = {(path, method): operation.get("tags") for path, method, operation in _operations()}
    assert {path_method: t for path_method, t in tags.items() if len(t or ()) != 1 or t[0] not in apps} == {}


def test_every_operation_documents_the_errors_it_can_answer():
    missing = []
    for path, method, operation in _operations():
        codes = set(operation["responses"])
        expected = set()
        if "security" in operation and {} not in operation["security"]:
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if method in ("POST", "PUT", "PATCH"):
            expected |= {"400", "413"}
        if method == "DELETE" or (method == "POST" and "{" in path):
            expected.add("409")
        if expected - codes:
            missing.append((method, path, sorted(expected - codes)))
    assert missing == []


def test_writes_answer_with_the_representation_get_documents():
    """One answer shape per resource: POST, PUT and PATCH of a row answer what GET of that row answers."""
    operations = {(path, method): operation for path, method, operation in _operations()}
    differing = []
    for (path, method), operation in operations.items():
        read = operations.get((path, "GET"))
        if method in ("PUT", "PATCH") and read and _success_schema(operation) != _success_schema(read):
            differing.append((method, path))
    assert differing == []
