"""Length complexity (docs/paper.md): the fewest generated tokens with which a predictor of a
class computes a target on every input. Exact for small n, with witnesses and UNSAT
certificates, for the classes ``linear``, ``parity-K`` and ``b2``; grouped by NPN class
in the census. Names load on first use (theorymodel/_lazy.py)."""

from typing import TYPE_CHECKING

from theorymodel._lazy import lazy_exports

if TYPE_CHECKING:
    from theorymodel.complexity.classes import get_class
    from theorymodel.complexity.search import LengthResult, length_complexity
    from theorymodel.complexity.targets import Target, resolve

__all__ = ["LengthResult", "Target", "get_class", "length_complexity", "resolve"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "get_class": "theorymodel.complexity.classes", "LengthResult": "theorymodel.complexity.search",
    "length_complexity": "theorymodel.complexity.search", "Target": "theorymodel.complexity.targets",
    "resolve": "theorymodel.complexity.targets",
})
