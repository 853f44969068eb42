"""The apps are layers and every import points down: a base app never imports the domain apps built on it.

core is the base and knows no other app of ours; orgs (the organization tree) sits on it; accounts (users, roles,
scope) on orgs; the domain apps above. Where a base app must run something a domain app offers (a grid worker's
scope, the demo builders, the PII access log) it owns a registry (core.registry) that the domain app fills in its
AppConfig.ready(). Every `import` and `from ... import` counts, also those inside functions (a lazy import is still
a dependency); string references (ForeignKey("app.Model"), include("app.urls"), registry paths) are not imports.

    core < orgs < accounts < notifications, grids < residents; cobuilding above accounts and notifications;
    services above everything but volunteers; config (settings, root URLs, the API router) on top.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# Which apps of ours each app may import. A new app gets a row here, and with it a decision about where it sits.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "orgs": {"core"},
    "accounts": {"core", "orgs"},
    "notifications": {"core", "orgs", "accounts"},
    "grids": {"core", "orgs", "accounts"},
    "residents": {"core", "orgs", "accounts", "grids"},
    "cobuilding": {"core", "orgs", "accounts", "notifications"},
    "services": {"core", "orgs", "accounts", "notifications", "grids", "residents", "cobuilding"},
    "volunteers": {"core", "orgs", "accounts"},
    "mediation": {"core", "orgs", "accounts", "notifications", "grids", "residents", "services"},
    # The dashboards read the domain apps' figures only through core.figures' registry; orgs and grids give the
    # trees they roll up over, accounts the user's scope root.
    # Figures come from every app through core.figures; the page's overdue/escalated list reads tickets directly.
    "dashboards": {"core", "orgs", "accounts", "grids", "services"},
}
OUR_APPS = set(ALLOWED)
ALLOWED["config"] = set(OUR_APPS)  # settings, root URLs and the API router assemble every app


def _type_checking_only(tree: ast.AST) -> set[ast.AST]:
    """Imports under `if TYPE_CHECKING:`: names for annotations (the acting user `by: User` in a layer below
    accounts), which never load the module at run time and so make no edge between the layers."""
    guarded: set[ast.AST] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and ast.unparse(test).endswith("TYPE_CHECKING"):
            guarded.update(inner for statement in node.body for inner in ast.walk(statement))
    return guarded


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a file at any depth (functions included), less those
    only a type checker reads."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    annotations_only = _type_checking_only(tree)
    for node in ast.walk(tree):
        if node in annotations_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def layer_violations() -> list[str]:
    violations = []
    for app, allowed in sorted(ALLOWED.items()):
        for path in sorted((ROOT / app).rglob("*.py")):
            for line, target in imported_apps(path):
                if target in OUR_APPS and target != app and target not in allowed:
                    violations.append(f"{path.relative_to(ROOT)}:{line}: {app} imports {target}")
    return violations


def test_no_app_imports_an_app_above_it():
    assert layer_violations() == []


def test_the_allowed_table_is_a_layering_without_cycles():
    placed: list[str] = []
    waiting = dict(ALLOWED)
    while waiting:
        ready = sorted(app for app, needs in waiting.items() if needs <= set(placed))
        assert ready, f"cycle among {sorted(waiting)}"
        placed += ready
        for app in ready:
            del waiting[app]


def test_every_app_of_ours_has_a_row_in_the_table():
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0] / "apps.py").exists()}
    assert ours == OUR_APPS


def test_the_check_passes_over_imports_only_a_type_checker_reads(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from accounts.models import User\n")
    assert imported_apps(module) == [(1, "typing")]


def test_the_check_sees_function_local_imports(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from grids.models import Grid\n    import residents.models\n")
    assert imported_apps(module) == [(2, "grids"), (3, "residents")]


@pytest.mark.parametrize(("low", "high"), [("grids", "residents"), ("accounts", "grids"), ("core", "accounts")])
def test_the_pairs_issue_10_named_point_one_way(low, high):
    assert high not in ALLOWED[low] and low in ALLOWED[high]
