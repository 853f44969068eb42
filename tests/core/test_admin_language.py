"""The admin's JavaScript speaks the user's language: every string Django's admin scripts ask for is translated."""

import json
import pathlib
import re

import django.contrib.admin
import pytest
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import UserFactory

ADMIN_JS = pathlib.Path(django.contrib.admin.__file__).parent / "static" / "admin" / "js"


def _admin_js_msgids() -> set[str]:
    ids = set()
    for path in ADMIN_JS.rglob("*.js"):
        if "vendor" in path.parts or ".min." in path.name:
            continue
        ids.update(m.group(2) for m in re.finditer(r"""\bgettext\(\s*(['"])(.*?)\1\s*\)""", path.read_text()))
    return ids


def _catalog(client: Client) -> dict:
    text = client.get("/admin/jsi18n/").content.decode()
    return json.loads(re.search(r"const newcatalog = (\{.*?\});", text, re.S).group(1))


@pytest.mark.django_db
def test_every_admin_script_string_is_translated_in_the_chinese_admin():
    # The care-tag picker said "Choose 关爱标签 by selecting them…": Django 5.2's zh_Hans lacks the newer strings.
    client = Client()
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True))
    catalog = _catalog(client)
    missing = sorted(msgid for msgid in _admin_js_msgids() if msgid not in catalog)
    assert missing == []
    assert catalog['Choose %s by selecting them and then select the "Choose" arrow button.'].startswith("选中")
