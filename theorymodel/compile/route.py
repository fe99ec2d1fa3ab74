"""The record every compile route fills in (registered in
:mod:`theorymodel.compile.routes`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the record itself stays import-light (the CLI reads DEFAULT_ROUTE at start-up)
    import sympy

    from theorymodel.compile.geometry import Geometry
    from theorymodel.machines import TuringMachine
    from theorymodel.program import CoTProgram

DEFAULT_ROUTE = "circuit"  # the paper's construction (Thm 3.8): the CLI's and the API's default


@dataclass(frozen=True)
class Route:
    """A compile route for Turing machines.

    Attributes
    ----------
    name:
        What ``--route`` takes.
    build:
        ``(machine, geometry, output) -> CoTProgram``; output is ``accept`` or ``tape``.
    formula:
        ``output -> `` the exact number of generated tokens as a sympy expression in
        ``n, T, L, R, Q, Gamma`` (:mod:`theorymodel.compile.geometry`'s symbols). The
        orchestrator refuses a build whose size drifts from it.
    bound_constants:
        ``(|Q|, |Γ|) -> (c, k)`` with tokens ``<= c*T*S + k*n`` (S = L + R + 1), which
        :mod:`proofs_check.certificates.bounds` proves for every admissible value.
    label_kinds:
        The position labels (:mod:`theorymodel.program.labels`) its programs carry:
        what the checker's local lemmas must know.
    doc:
        One line for the README and ``--help``.
    window_holds_input:
        True when every row spans the whole input as well as the head's reach (fixed-width
        rows): the bound's width is then S + n, not S.
    """

    name: str
    build: Callable[[TuringMachine, Geometry, str], CoTProgram]
    formula: Callable[[str], sympy.Expr]
    bound_constants: Callable[[int, int], tuple[int, int]]
    label_kinds: frozenset[int]
    doc: str
    window_holds_input: bool = False
