"""Hypothesis classes for length complexity, by name (``linear``, ``parity-K``, ``b2``)."""

from __future__ import annotations

import re

from theorymodel.complexity.classes.base import HypothesisClass, KResult
from theorymodel.errors import UsageError

CLASS_NAMES = ("linear", "parity-K", "b2")


def get_class(name: str) -> HypothesisClass:
    """The class called ``name``: ``linear``, ``b2`` or ``parity-K`` with K >= 2."""
    if name == "linear":
        from theorymodel.complexity.classes.linear import LinearClass

        return LinearClass()
    if name == "b2":
        from theorymodel.complexity.classes.b2 import B2Class

        return B2Class()
    m = re.fullmatch(r"parity-(\d+)", name)
    if m and int(m.group(1)) >= 2:
        from theorymodel.complexity.classes.parity import ParityClass

        return ParityClass(int(m.group(1)))
    raise UsageError(f"unknown class {name!r}: linear, b2, or parity-K with K >= 2 (e.g. parity-2)")


__all__ = ["CLASS_NAMES", "HypothesisClass", "KResult", "get_class"]
