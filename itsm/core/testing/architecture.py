"""Import-linter contract types for the rules between Django apps (``docs/architecture.md``,
"Apps and the direction of dependencies"); configured in ``pyproject.toml``
(``[tool.importlinter]``) and run by ``lint-imports`` from ``make lint`` and ``.ci/run``.

- ``sibling_surface``: a module of one app imports another app only through that app's public
  surface (``selectors``, ``services``, ``choices`` and any listed extra module);
- ``acyclic_apps``: the graph of direct imports between apps has no cycle.

An app is the longest listed package that contains a module (``itsm.slm.clocks`` is an app
of its own, not a part of ``itsm.slm``). Modules matching ``exempt`` (tests, migrations)
are left out of both checks. Only used by the lint run and the tests: import-linter and grimp
are development dependencies.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict

from importlinter import Contract, ContractCheck, fields, output


def app_of(module: str, apps) -> str | None:
    """The longest of *apps* that is *module* or contains it."""
    found = [a for a in apps if module == a or module.startswith(a + ".")]
    return max(found, key=len) if found else None


def _exempt(module: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns)


def app_imports(graph, apps, exempt) -> dict[tuple[str, str], list[tuple[str, str, int]]]:
    """``{(importer app, imported app): [(importer, imported, line), …]}`` of direct imports
    between different apps, exempt modules left out."""
    edges: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for importer in sorted(graph.modules):
        source = app_of(importer, apps)
        if source is None or _exempt(importer, exempt):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = app_of(imported, apps)
            if target is None or target == source or _exempt(imported, exempt):
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            for line in sorted({d["line_number"] for d in details}) or [0]:
                edges[(source, target)].append((importer, imported, line))
    return dict(edges)


def find_cycle(edges) -> list[str] | None:
    """One cycle of apps (``[a, b, …, a]``) in the graph of *edges*, or ``None``."""
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        successors[source].add(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(successors[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(successors):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


class _AppsContract(Contract):
    apps = fields.SetField(subfield=fields.StringField())
    exempt = fields.SetField(subfield=fields.StringField(), required=False)

    def _edges(self, graph):
        return app_imports(graph, sorted(self.apps), sorted(self.exempt or ()))  # type: ignore[call-overload]


class SiblingSurfaceContract(_AppsContract):
    """Another app is imported only through its ``public`` submodules (or ``extra_public``)."""

    type_name = "sibling_surface"
    public = fields.SetField(subfield=fields.StringField())
    extra_public = fields.SetField(subfield=fields.StringField(), required=False)
    # apps whose every module may be imported (the shared mechanisms: core and its apps)
    open_apps = fields.SetField(subfield=fields.StringField(), required=False)

    def _allowed(self, imported: str, target: str) -> bool:
        if target in (self.open_apps or ()):  # type: ignore[operator]
            return True
        allowed = [f"{target}.{name}" for name in self.public]  # type: ignore[attr-defined]
        allowed += list(self.extra_public or ())  # type: ignore[call-overload]
        return any(imported == a or imported.startswith(a + ".") for a in allowed)

    def check(self, graph, verbose: bool) -> ContractCheck:
        breaches = [
            (importer, imported, line)
            for (_source, target), rows in sorted(self._edges(graph).items())
            for importer, imported, line in rows
            if not self._allowed(imported, target)
        ]
        return ContractCheck(kept=not breaches, metadata={"breaches": breaches})

    def render_broken_contract(self, check: ContractCheck) -> None:
        public = ", ".join(sorted(self.public))  # type: ignore[call-overload]
        for importer, imported, line in check.metadata["breaches"]:
            output.print_error(f"{importer} -> {imported} (l.{line})", bold=False)
        output.print(f"Import another app only through its {public}.")


class AcyclicAppsContract(_AppsContract):
    """No cycle in the graph of direct imports between apps."""

    type_name = "acyclic_apps"

    def check(self, graph, verbose: bool) -> ContractCheck:
        edges = self._edges(graph)
        cycle = find_cycle(edges) or []
        lines = [
            f"{importer} -> {imported} (l.{line})"
            for source, target in zip(cycle, cycle[1:], strict=False)
            for importer, imported, line in edges[(source, target)]
        ]
        return ContractCheck(kept=not cycle, metadata={"cycle": cycle, "imports": lines})

    def render_broken_contract(self, check: ContractCheck) -> None:
        cycle = check.metadata["cycle"]
        output.print_error("Cycle between apps: " + " -> ".join(cycle), bold=True)
        for line in check.metadata["imports"]:
            output.print_error(f"-   {line}", bold=False)
