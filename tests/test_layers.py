"""The layers the architecture draws are held by tools, not by good intentions: the
import-linter contracts of pyproject.toml pass, every app of the project is under them,
and no module of the project imports, however indirectly, a module that imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
from django.apps import apps
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"]
PACKAGES = CONFIG["root_packages"]


def cycles(graph) -> list[str]:
    """Each direct import A → B of the graph whose B leads back to A, written as the
    circle A → B → … → A."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append(" → ".join((importer, *back)))
    return found


def test_the_import_linter_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for contract in CONFIG["contracts"]:
        assert f"{contract['name']} KEPT" in result.stdout


def test_every_app_of_the_project_is_under_the_contracts():
    """A new app left out of ``root_packages`` would escape every contract."""
    ours = {config.name for config in apps.get_app_configs()
            if Path(config.path).parent == ROOT}
    assert ours <= set(PACKAGES)
    assert "sanmanyi" in PACKAGES and "lib" in PACKAGES


def test_no_import_cycle_between_the_project_s_modules():
    """Imports inside functions count too: a lazy import that closes a circle only hides
    it from start-up. Listeners are wired in each app's receivers.py, tasks are queued by
    modules the task module does not need, and pages share pieces through their own
    modules (console/demand_panel.py), so that no circle is needed."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert "demands.models" in graph.modules  # the graph is the project's
    assert cycles(graph) == []


def test_a_cycle_is_found_when_there_is_one():
    """The check above would see a circle: the service loop's models importing search,
    which imports them."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    graph.add_import(importer="demands.models", imported="insights.search")
    assert "demands.models → insights.search → demands.models" in cycles(graph)


DOMAINS = ["org", "catalog", "demands", "inbox", "enterprises", "campaigns", "appointments",
           "imports", "insights"]


def site_prefixes() -> set[str]:
    """The first segment of every path the site serves: "/console/", "/track/", "/e/" …"""
    prefixes = set()
    for top in get_resolver().url_patterns:
        included = getattr(top, "url_patterns", None) if not str(top.pattern) else None
        for pattern in included or [top]:
            segment = str(pattern.pattern).lstrip("^").split("/", 1)[0]
            if segment and not set("<(") & set(segment):
                prefixes.add(f"/{segment}/")
    return prefixes


def test_domains_build_links_with_reverse():
    """A link a domain writes (an inbox item, a text message) comes from ``reverse()``: no
    string in a domain's code starts with one of the site's own paths."""
    prefixes = site_prefixes()
    assert {"/console/", "/track/", "/e/"} <= prefixes
    found = []
    for package in DOMAINS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                        node.value.startswith(tuple(prefixes)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []
