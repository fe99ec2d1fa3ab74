"""Length complexity (PAPER.md): the fewest generated tokens with which a predictor of a
class computes a target on every input. Exact for small n, with witnesses and UNSAT
certificates. The ``linear`` class is implemented here; the paper's ``parity-K`` and
``b2`` classes, the NPN census and plots are the remaining parts of this stage."""

from theorymodel.complexity.search import LengthResult, length_complexity
from theorymodel.complexity.targets import Target, resolve

__all__ = ["LengthResult", "Target", "length_complexity", "resolve"]
