"""Hypothesis classes for length complexity, by name (``linear``, ``parity-K``, ``b2``).

A class is its own module (a :class:`HypothesisClass`) plus one line in
:data:`CLASSES` or :data:`FAMILIES`; modules load on first use (their solvers are heavy
imports). docs/extending.md has the recipe.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any

from theorymodel.errors import UsageError, parse_parameter

if TYPE_CHECKING:
    from theorymodel.complexity.classes.base import HypothesisClass, KResult

#: name -> (module, class): classes without a parameter
CLASSES: dict[str, tuple[str, str]] = {
    "linear": ("theorymodel.complexity.classes.linear", "LinearClass"),
    "b2": ("theorymodel.complexity.classes.b2", "B2Class"),
}
#: family -> (module, class, least parameter): ``parity-3`` is ``ParityClass(3)``
FAMILIES: dict[str, tuple[str, str, int]] = {
    "parity": ("theorymodel.complexity.classes.parity", "ParityClass", 2),
}
CLASS_NAMES = (*CLASSES, *(f"{family}-K" for family in FAMILIES))


def get_class(name: str) -> HypothesisClass:
    """The class called ``name``: a name of :data:`CLASSES`, or ``FAMILY-K``."""
    if name in CLASSES:
        module, attr = CLASSES[name]
        return getattr(importlib.import_module(module), attr)()
    m = re.fullmatch(r"([a-z0-9]+)-(\d+)", name)
    if m and m.group(1) in FAMILIES:
        module, attr, least = FAMILIES[m.group(1)]
        k = parse_parameter(m.group(2), name)
        if k >= least:
            return getattr(importlib.import_module(module), attr)(k)
    families = ", ".join(f"{f}-K with K >= {least}" for f, (_, _, least) in FAMILIES.items())
    raise UsageError(f"unknown class {name!r}: {', '.join(CLASSES)}, or {families} (e.g. parity-2)")


__all__ = ["CLASSES", "CLASS_NAMES", "FAMILIES", "HypothesisClass", "KResult", "get_class"]


def __getattr__(name: str) -> Any:
    if name in ("HypothesisClass", "KResult"):
        return getattr(importlib.import_module("theorymodel.complexity.classes.base"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
