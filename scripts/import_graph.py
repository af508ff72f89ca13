"""Print the import graph between apps: each edge with the number of import statements
(tests and migrations left out, annotations-only imports left out), the same graph the
architecture contracts check (pyproject.toml, [tool.importlinter]).

    .venv/bin/python scripts/import_graph.py
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from itsm.core.testing.architecture import app_imports  # noqa: E402


def main() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "acyclic_apps")
    graph = grimp.build_graph("itsm", exclude_type_checking_imports=True, cache_dir=None)
    edges = app_imports(graph, contract["apps"], contract.get("exempt", []))
    print(f"{'importer app':<22} {'imported app':<22} imports")
    for (source, target), rows in sorted(edges.items()):
        print(f"{source:<22} {target:<22} {len(rows)}")


if __name__ == "__main__":
    main()
