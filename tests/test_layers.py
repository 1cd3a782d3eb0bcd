"""The layers the architecture draws are held by tools, not by good intentions: the
import-linter contracts of pyproject.toml pass, every app of the project is under them,
and no module of the project imports, however indirectly, a module that imports it back."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
from django.apps import apps

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
