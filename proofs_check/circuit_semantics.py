"""z3 semantics of a :class:`~theorymodel.circuits.Circuit`, gate by gate, read from the
circuit itself (not from its threshold rewriting)."""

from __future__ import annotations

import z3

from theorymodel.circuits import Circuit


def circuit_outputs(circuit: Circuit, inputs: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """The output expressions for symbolic input bits, in topological order (no recursion)."""
    value: dict[str, z3.BoolRef] = dict(zip(circuit.inputs, inputs, strict=True))
    for name, g in circuit.gates.items():
        args = [value[f] for f in g.fanins]
        op = g.op
        if op == "CONST":
            v = z3.BoolVal(bool(g.value))
        elif op == "BUF":
            v = args[0]
        elif op == "NOT":
            v = z3.Not(args[0])
        elif op in ("AND", "NAND"):
            v = z3.And(*args)
        elif op in ("OR", "NOR"):
            v = z3.Or(*args)
        elif op in ("XOR", "XNOR"):
            v = args[0]
            for a in args[1:]:
                v = z3.Xor(v, a)
        else:  # THRESHOLD
            v = z3.Sum([z3.If(a, w, 0) for a, w in zip(args, g.weights, strict=True)] or [z3.IntVal(0)]) \
                >= g.threshold
        if op in ("NAND", "NOR", "XNOR"):
            v = z3.Not(v)
        value[name] = v
    return [value[o] for o in circuit.outputs]
