"""The architecture contracts (pyproject.toml ``[tool.importlinter]``, run by ``lint-imports``
in ``make lint`` and ``.ci/run``): they hold on this code, and each contract type fails on a
graph that breaks it, naming the imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from itsm.core.testing.architecture import (
    AcyclicAppsContract,
    SiblingSurfaceContract,
    find_cycle,
)

ROOT = Path(__file__).resolve().parents[3]
APPS = ["x.core", "x.a", "x.a.sub", "x.b"]


def _graph(imports) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        for module in (importer, imported):
            graph.add_module(module)
        graph.add_import(
            importer=importer, imported=imported, line_number=3, line_contents="import …"
        )
    return graph


def _contract(cls, **options):
    return cls(
        name="test",
        session_options={"root_packages": ["x"]},
        contract_options={"apps": APPS, "exempt": ["*.tests.*"], **options},
    )


def test_the_contracts_hold_on_this_code():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_cycle_between_apps_is_found_and_named():
    graph = _graph(
        [
            ("x.a.services", "x.b.selectors"),
            ("x.b.views", "x.a.sub.selectors"),  # x.a.sub is an app of its own, not part of x.a
            ("x.b.tests.test_a", "x.a.models"),  # tests are exempt
        ]
    )
    assert _contract(AcyclicAppsContract).check(graph, verbose=False).kept
    assert find_cycle({("x.a", "x.b"): [], ("x.b", "x.a.sub"): []}) is None
    check = _contract(AcyclicAppsContract).check(
        _graph([("x.a.selectors", "x.b.selectors"), ("x.b.services", "x.a.choices")]),
        verbose=False,
    )
    assert not check.kept
    assert check.metadata["cycle"] == ["x.a", "x.b", "x.a"]
    assert check.metadata["imports"] == [
        "x.a.selectors -> x.b.selectors (l.3)",
        "x.b.services -> x.a.choices (l.3)",
    ]


def test_a_sibling_is_imported_only_through_its_public_surface():
    graph = _graph(
        [
            ("x.a.services", "x.b.selectors"),
            ("x.a.views", "x.b.choices"),
            ("x.a.views", "x.core.policy"),  # core is open to every app
            ("x.a.demo", "x.b.models"),  # refused
            ("x.a.sub.forms", "x.a.models"),  # the parent app is a sibling too: refused
            ("x.b.tests.test_x", "x.a.models"),  # tests are exempt
        ]
    )
    contract = _contract(
        SiblingSurfaceContract, public=["selectors", "services", "choices"], open_apps=["x.core"]
    )
    check = contract.check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["breaches"] == [
        ("x.a.demo", "x.b.models", 3),
        ("x.a.sub.forms", "x.a.models", 3),
    ]
