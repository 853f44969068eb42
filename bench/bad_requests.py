"""Fire the bad requests of issue 9 (and more of each class) at the portal and count the answers that were 500.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_badinput .venv/bin/python -m bench.bad_requests

Runs in-process through Django's test client on a throw-away test database (``test_<name>``, created and dropped
here), so it needs no running server. PostgreSQL is the point (NUL bytes crash it, SQLite swallows them), but it
runs on SQLite too. Prints one line per request that answered 500, then the totals: how many answered 500, and how
many invalid values were accepted silently (2xx where a 400 is due). Exits non-zero when anything answered 500.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import django

OPEN311_EXCLUDED = "/open311/"  # helper open311 owns that surface; listed here only when --open311 is given.


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def api_list_paths() -> list[str]:
    from config.api import router

    return [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]


def admin_change_paths() -> list[str]:
    from django.contrib import admin

    return [f"/admin/{m._meta.app_label}/{m._meta.model_name}/abc/change/" for m in admin.site._registry]


def requests(include_open311: bool) -> list[tuple[str, str, str, str | None, str]]:
    """(who, method, path, JSON body or None, expectation): expectation "4xx" means 2xx is a silent accept."""
    out: list[tuple[str, str, str, str | None, str]] = []
    anon_pages = ["/catalogue/%00/", "/wishes/wall/%00/", "/r/%00/", "/catalogue/x/?q=%00", "/accounts/login/?next=%00"]
    out += [("anon", "GET", p, None, "4xx") for p in anon_pages]
    staff_pages = ["/grid/search/?q=%00", "/tickets/?q=%00"]
    out += [("staff", "GET", p, None, "4xx") for p in staff_pages]
    years = ["/agreements/?year=-1", "/agreements/?year=99999999999999999999", "/commitments/?due_year=0",
             "/whistles/?year=0", "/whistle-calls/?year=0", "/evaluation-ratings/?year=99999999999999999999",
             "/evaluations/?year=99999999999999999999"]  # fmt: skip
    out += [("staff", "GET", "/api/v1" + p, None, "4xx") for p in years]
    out += [("staff", "GET", "/api/v1/tickets/?overdue=2578518", None, "4xx"),
            ("staff", "GET", "/api/v1/tickets/?page_size=false", None, "4xx"),
            ("staff", "GET", "/api/v1/tickets/?page_size=-5", None, "4xx"),
            ("staff", "GET", "/api/v1/grid-roles/?duty=", None, "4xx"),
            ("staff", "GET", "/api/v1/grid-roles/?current=maybe", None, "4xx")]  # fmt: skip
    for body in ["[1,2]", '"x"', "1", "null", _nested(5000)]:
        out.append(("anon", "POST", "/api/v1/auth/token/", body, "4xx"))
    for path in api_list_paths():
        out.append(("staff", "GET", path + "?search=%00", None, "4xx"))
        out.append(("staff", "GET", path + "%00/", None, "4xx"))
        out.append(("staff", "GET", path + "?page_size=false", None, "4xx"))
        out.append(("staff", "POST", path, _nested(5000), "4xx"))
        out.append(("staff", "POST", path, "[1,2]", "4xx"))
        out.append(("staff", "POST", path, json.dumps({"name": "\u0000", "code": "\u0000", "title": "\u0000"}), "4xx"))
    nul_and_long = json.dumps({"title": "x\u0000", "description": "y" * 70_000})
    out.append(("staff", "POST", "/api/v1/tickets/", nul_and_long, "4xx"))
    out.append(("staff", "POST", "/api/v1/tickets/", json.dumps({"description": "x" * (12 * 1024 * 1024)}), "4xx"))
    out += [("super", "GET", p, None, "4xx") for p in admin_change_paths()]
    out.append(("super", "GET", "/admin/residents/resident/99999999999999999999/change/", None, "4xx"))
    if include_open311:
        out += [("anon", "GET", "/open311/v2/requests/%00.json", None, "4xx"),
                ("anon", "POST", "/open311/v2/requests.json", "[1,2]", "4xx")]  # fmt: skip
    return out


def _clients():
    from django.test import Client
    from rest_framework.test import APIClient

    from accounts.models import Role, User
    from orgs.models import Organization

    root = Organization.objects.create(name="探针区", code="PROBE-ROOT", level="district")
    staff = User.objects.create_user("probe-staff", password="x", role=Role.STAFF, scope=root)
    superuser = User.objects.create_superuser("probe-super", password="x")
    clients = {"anon": Client(raise_request_exception=False), "staff": APIClient(raise_request_exception=False),
               "super": Client(raise_request_exception=False)}  # fmt: skip
    clients["staff"].force_login(staff)
    clients["super"].force_login(superuser)
    return clients


def run(include_open311: bool) -> tuple[int, int, int]:
    clients = _clients()
    cases = requests(include_open311)
    errors = silent = 0
    for who, method, path, body, _expect in cases:
        client = clients[who]
        if method == "GET":
            response = client.get(path)
        else:
            response = client.generic(method, path, body or "", content_type="application/json")
        if response.status_code >= 500:
            errors += 1
            print(f"500  {who:5} {method:4} {path[:100]}")
        elif response.status_code < 300:
            silent += 1
            print(f"{response.status_code}  {who:5} {method:4} {path[:100]}  (accepted silently)")
    return len(cases), errors, silent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open311", action="store_true", help="also fire a few Open311 requests")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import logging

    from django.db import connection
    from django.test.utils import setup_test_environment

    logging.disable(logging.CRITICAL)  # the 500s are counted here, not logged with tracebacks
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        total, errors, silent = run(args.open311)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    print(f"\n{total} bad requests: {errors} answered 500, {silent} accepted silently (2xx)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
