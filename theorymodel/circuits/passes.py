"""Function-preserving circuit passes. Each returns a :class:`PassReport` with the
gate counts before and after; tests check every pass for equivalence.

- :func:`propagate_constants`: fold CONST inputs through gates.
- :func:`structural_hash`: merge gates with the same operation on the same inputs.
- :func:`remove_dead_gates`: drop gates no output depends on.
- :func:`absorb_thresholds`: turn AND/OR/NAND/NOR/NOT/BUF into THRESHOLD gates, merge
  single-fanout AND-into-AND and OR-into-OR cones, and fold NOT gates into the weights
  of the gates that read them (``w*(1-y) = w - w*y``): exact, fewer gates.
- :func:`to_threshold`: every gate a THRESHOLD gate (XOR/XNOR decomposed), the form
  the circuit route of the compiler needs (docs/paper.md Thm 3.8: one token per gate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from theorymodel.circuits.model import Circuit, Gate


@dataclass(frozen=True)
class PassReport:
    name: str
    gates_before: int
    gates_after: int
    circuit: Circuit
    # new gate -> the gate of the input circuit it helps compute (to_threshold's XOR carries)
    helper_of: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"pass": self.name, "gates_before": self.gates_before, "gates_after": self.gates_after}


def _rebuild(circuit: Circuit, gates: dict[str, Gate], outputs: list[str]) -> Circuit:
    return Circuit(inputs=circuit.inputs, gates=gates, outputs=outputs, name=circuit.name)


def _resolve(alias: dict[str, str], name: str) -> str:
    while name in alias:
        name = alias[name]
    return name


def propagate_constants(circuit: Circuit) -> PassReport:
    const: dict[str, int] = {}
    alias: dict[str, str] = {}
    gates: dict[str, Gate] = {}
    for name, g in circuit.gates.items():
        fanins = tuple(_resolve(alias, f) for f in g.fanins)
        known = [const.get(f) for f in fanins]
        op = g.op
        value = None
        if op == "CONST":
            value = g.value
        elif op in ("BUF", "NOT") and known[0] is not None:
            value = known[0] ^ (op == "NOT")
        elif op in ("AND", "NAND", "OR", "NOR"):
            absorbing = 0 if op in ("AND", "NAND") else 1
            neg = op in ("NAND", "NOR")
            if absorbing in known:
                value = absorbing ^ neg
            else:
                rest = tuple(f for f, k in zip(fanins, known, strict=True) if k is None)
                if not rest:
                    value = (1 - absorbing) ^ neg
                elif len(rest) == 1 and not neg:
                    alias[name] = rest[0]
                    continue
                else:
                    g = Gate(op if len(rest) > 1 else ("NOT" if neg else "BUF"), rest)
        elif op in ("XOR", "XNOR"):
            parity = sum(k for k in known if k is not None) % 2 ^ (op == "XNOR")
            rest = tuple(f for f, k in zip(fanins, known, strict=True) if k is None)
            if not rest:
                value = parity
            else:
                g = Gate("XOR" if parity == 0 else "XNOR", rest) if len(rest) > 1 else Gate(
                    "BUF" if parity == 0 else "NOT", rest)
        elif op == "THRESHOLD":
            shift = sum(w * k for w, k in zip(g.weights, known, strict=True) if k is not None)
            weighted = [(f, w) for f, w, k in zip(fanins, g.weights, known, strict=True) if k is None]
            threshold = g.threshold - shift
            lo = sum(w for _, w in weighted if w < 0)
            hi = sum(w for _, w in weighted if w > 0)
            if lo >= threshold:
                value = 1
            elif hi < threshold:
                value = 0
            else:
                g = Gate.threshold_gate([f for f, _ in weighted], [w for _, w in weighted], threshold)
        if value is not None:
            const[name] = value
            gates[name] = Gate("CONST", value=value)
            continue
        if g.op != "CONST":
            g = Gate(g.op, tuple(_resolve(alias, f) for f in g.fanins), g.weights, g.threshold, g.value)
        gates[name] = g
    outputs = [_resolve(alias, o) for o in circuit.outputs]
    # constants still read by a gate stay as CONST gates; the others are dead
    after = remove_dead_gates(_rebuild(circuit, gates, outputs)).circuit
    return PassReport("constant-propagation", circuit.n_gates, after.n_gates, after)


_COMMUTATIVE = {"AND", "OR", "NAND", "NOR", "XOR", "XNOR"}


def structural_hash(circuit: Circuit) -> PassReport:
    seen: dict[tuple, str] = {}
    alias: dict[str, str] = {}
    gates: dict[str, Gate] = {}
    for name, g in circuit.gates.items():
        fanins = tuple(_resolve(alias, f) for f in g.fanins)
        if g.op in _COMMUTATIVE:
            key: tuple = (g.op, tuple(sorted(fanins)))
        elif g.op == "THRESHOLD":
            key = (g.op, tuple(sorted(zip(fanins, g.weights, strict=True))), g.threshold)
        else:
            key = (g.op, fanins, g.value)
        if key in seen:
            alias[name] = seen[key]
            continue
        seen[key] = name
        gates[name] = Gate(g.op, fanins, g.weights, g.threshold, g.value)
    outputs = [_resolve(alias, o) for o in circuit.outputs]
    after = _rebuild(circuit, gates, outputs)
    return PassReport("structural-hashing", circuit.n_gates, after.n_gates, after)


def remove_dead_gates(circuit: Circuit) -> PassReport:
    live = set(circuit.outputs)
    for name in reversed(list(circuit.gates)):
        if name in live:
            live.update(circuit.gates[name].fanins)
    gates = {n: g for n, g in circuit.gates.items() if n in live}
    after = _rebuild(circuit, gates, list(circuit.outputs))
    return PassReport("dead-gate-removal", circuit.n_gates, after.n_gates, after)


def _as_threshold(g: Gate) -> Gate | None:
    """The THRESHOLD form of a gate, or None for XOR/XNOR (not a single threshold)."""
    k = len(g.fanins)
    forms = {
        "AND": ([1] * k, k), "OR": ([1] * k, 1), "NAND": ([-1] * k, 1 - k),
        "NOR": ([-1] * k, 0), "NOT": ([-1], 0), "BUF": ([1], 1),
    }
    if g.op == "THRESHOLD":
        return g
    if g.op == "CONST":
        return Gate.threshold_gate([], [], 0 if g.value else 1)
    if g.op in forms:
        weights, threshold = forms[g.op]
        return Gate.threshold_gate(g.fanins, weights, threshold)
    return None


def _merge_terms(fanins, weights) -> tuple[list[str], list[int]]:
    acc: dict[str, int] = {}
    for f, w in zip(fanins, weights, strict=True):
        acc[f] = acc.get(f, 0) + w
    items = [(f, w) for f, w in acc.items() if w != 0]
    return [f for f, _ in items], [w for _, w in items]


def absorb_thresholds(circuit: Circuit) -> PassReport:
    fanout = circuit.fanout()
    outputs = set(circuit.outputs)
    merged: dict[str, Gate] = {}
    # 1. single-fanout AND-into-AND and OR-into-OR cones
    for name, g in circuit.gates.items():
        if g.op in ("AND", "OR"):
            fanins: list[str] = []
            for f in g.fanins:
                child = merged.get(f)
                if child is not None and child.op == g.op and fanout[f] == 1 and f not in outputs:
                    fanins.extend(child.fanins)
                else:
                    fanins.append(f)
            g = Gate(g.op, tuple(fanins))
        merged[name] = g
    # 2. threshold form, with NOT gates folded into their readers
    negation: dict[str, str] = {}  # NOT gate -> what it negates
    gates: dict[str, Gate] = {}
    for name, g in merged.items():
        if g.op == "NOT":
            negation[name] = g.fanins[0]
        t = _as_threshold(g)
        if t is None:
            gates[name] = g
            continue
        fanins, weights, threshold = [], [], t.threshold
        for f, w in zip(t.fanins, t.weights, strict=True):
            if f in negation:  # w * NOT(y) = w - w*y
                fanins.append(negation[f])
                weights.append(-w)
                threshold -= w
            else:
                fanins.append(f)
                weights.append(w)
        fanins, weights = _merge_terms(fanins, weights)
        gates[name] = Gate.threshold_gate(fanins, weights, threshold)
    after = remove_dead_gates(_rebuild(circuit, gates, list(circuit.outputs))).circuit
    return PassReport("threshold-absorption", circuit.n_gates, after.n_gates, after)


def to_threshold(circuit: Circuit) -> PassReport:
    """Every gate a THRESHOLD gate. XOR(a,b) becomes h = [a+b >= 2] and
    [a + b - 2h >= 1]: two gates per 2-input XOR (chained for more inputs)."""
    gates: dict[str, Gate] = {}
    helper_of: dict[str, str] = {}
    taken = set(circuit.inputs) | set(circuit.gates)
    fresh = 0

    def new(gate: Gate, hint: str) -> str:
        nonlocal fresh
        fresh += 1
        gname = f"{hint}~{fresh}"
        while gname in taken:  # a file may already use the name
            fresh += 1
            gname = f"{hint}~{fresh}"
        taken.add(gname)
        gates[gname] = gate
        helper_of[gname] = hint
        return gname

    for name, g in circuit.gates.items():
        t = _as_threshold(g)
        if t is not None:
            gates[name] = t
            continue
        acc = g.fanins[0]
        rest = g.fanins[1:]
        if not rest:  # 1-input XOR is BUF, XNOR is NOT
            xor = g.op == "XOR"
            gates[name] = Gate.threshold_gate([acc], [1] if xor else [-1], 1 if xor else 0)
            continue
        for k, b in enumerate(rest):
            last = k == len(rest) - 1
            both = new(Gate.threshold_gate([acc, b], [1, 1], 2), name)
            if last and g.op == "XNOR":
                gate = Gate.threshold_gate([acc, b, both], [-1, -1, 2], 0)
            else:
                gate = Gate.threshold_gate([acc, b, both], [1, 1, -2], 1)
            if last:
                gates[name] = gate
            else:
                acc = new(gate, name)
    after = _rebuild(circuit, gates, list(circuit.outputs))
    return PassReport("to-threshold", circuit.n_gates, after.n_gates, after, helper_of)


def optimize(circuit: Circuit) -> list[PassReport]:
    """The standard pipeline: constants, hashing, dead gates, threshold absorption."""
    reports = []
    for p in (propagate_constants, structural_hash, remove_dead_gates, absorb_thresholds):
        report = p(circuit)
        reports.append(report)
        circuit = report.circuit
    return reports
