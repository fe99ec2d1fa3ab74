"""Find import cycles between the modules of theorymodel and proofs_check.

Every ``import`` counts, at module level or inside a function: a lazy import still
ties two modules together. Run ``python tests/import_cycles.py`` (exit 1 and the cycles
when there are any); tests/test_imports.py runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("theorymodel", "proofs_check")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> nx.DiGraph:
    files = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                # the deepest module of ours that the import names
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != mod and not mod.startswith(t + "."):
                    graph.add_edge(mod, t)
    return graph


def cycles() -> list[list[str]]:
    return sorted(sorted(c) for c in nx.simple_cycles(import_graph()) if len(c) > 1)


if __name__ == "__main__":
    found = cycles()
    for c in found:
        print(" -> ".join(c))
    print(f"{len(found)} import cycles")
    sys.exit(1 if found else 0)
