"""Combinational circuits with threshold gates: model, formats, passes."""

from theorymodel.circuits.formats import (
    from_sympy,
    load_circuit,
    parse_aag,
    parse_bench,
    to_aag,
    to_bench,
    to_dot,
)
from theorymodel.circuits.model import Circuit, Gate, all_assignments, equivalent
from theorymodel.circuits.passes import (
    absorb_thresholds,
    optimize,
    propagate_constants,
    remove_dead_gates,
    structural_hash,
    to_threshold,
)

__all__ = [
    "Circuit", "Gate", "absorb_thresholds", "all_assignments", "equivalent", "from_sympy",
    "load_circuit", "optimize", "parse_aag", "parse_bench", "propagate_constants",
    "remove_dead_gates", "structural_hash", "to_aag", "to_bench", "to_dot", "to_threshold",
]
