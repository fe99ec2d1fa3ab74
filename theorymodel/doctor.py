"""``theorymodel doctor``: what this installation has (solvers, optional extras, the
compiled simulator), without importing the heavy packages."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

PACKAGES = ("numpy", "scipy", "sympy", "networkx", "z3-solver", "PyYAML", "rich", "python-sat", "torch",
            "dask", "distributed", "matplotlib", "automata-lib")
EXTRAS = {"sat": ("python-sat",), "distributed": ("dask", "distributed"), "plots": ("matplotlib",),
          "experiments": ("torch", "matplotlib"), "automata": ("automata-lib",)}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    from theorymodel import __version__
    from theorymodel.machines.simulate import available_engines

    versions = {name: _version(name) for name in PACKAGES}
    return {
        "theorymodel": __version__,
        "python": platform.python_version(),
        "compiled_simulator": "c" in available_engines(),
        "packages": versions,
        "extras": {extra: all(versions.get(p) for p in needs) for extra, needs in EXTRAS.items()},
    }
