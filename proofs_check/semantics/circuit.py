"""z3 semantics of a :class:`~theorymodel.circuits.Circuit`, gate by gate, read from the
circuit itself (not from its threshold rewriting)."""

from __future__ import annotations

from collections.abc import Sequence

import z3

from theorymodel.circuits import Circuit
from theorymodel.circuits.model import Gate


def gate_expr(op: str, args: Sequence[z3.BoolRef], weights: Sequence[int] = (), threshold: int = 0,
              value: int = 0) -> z3.BoolRef:
    """One gate's output as a z3 expression of its input bits (the file's gate types)."""
    if op == "CONST":
        return z3.BoolVal(bool(value))
    if op == "BUF":
        return args[0]
    if op == "NOT":
        return z3.Not(args[0])
    if op in ("AND", "NAND"):
        v = z3.And(*args)
    elif op in ("OR", "NOR"):
        v = z3.Or(*args)
    elif op in ("XOR", "XNOR"):
        v = args[0]
        for a in args[1:]:
            v = z3.Xor(v, a)
    else:  # THRESHOLD
        v = z3.Sum([z3.If(a, w, 0) for a, w in zip(args, weights, strict=True)] or [z3.IntVal(0)]) >= threshold
    return z3.Not(v) if op in ("NAND", "NOR", "XNOR") else v


def gate_of(g: Gate, args: Sequence[z3.BoolRef]) -> z3.BoolRef:
    return gate_expr(g.op, args, g.weights, g.threshold, g.value)


def circuit_outputs(circuit: Circuit, inputs: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """The output expressions for symbolic input bits, in topological order (no recursion)."""
    value: dict[str, z3.BoolRef] = dict(zip(circuit.inputs, inputs, strict=True))
    for name, g in circuit.gates.items():
        value[name] = gate_of(g, [value[f] for f in g.fanins])
    return [value[o] for o in circuit.outputs]
