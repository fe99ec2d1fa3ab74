"""Combinational circuits over Boolean and linear-threshold gates.

A :class:`Circuit` is immutable: ordered inputs, gates in topological order, ordered
outputs. Its structure is a networkx ``DiGraph`` (:attr:`Circuit.graph`, built on first
use so that million-gate circuits from the compilers stay cheap). Evaluation is
vectorised over a batch of inputs and iterates in topological order (no recursion).

A THRESHOLD gate with integer weights ``w`` and integer threshold ``t`` outputs 1 iff
``sum(w_i * x_i) >= t`` (docs/paper.md, Thm 3.8: each such gate becomes one CoT token).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from theorymodel.errors import CircuitError

OPS = ("CONST", "BUF", "NOT", "AND", "OR", "NAND", "NOR", "XOR", "XNOR", "THRESHOLD")
UNARY = ("BUF", "NOT")


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate. ``weights``/``threshold`` are used by THRESHOLD only, ``value`` by CONST."""

    op: str
    fanins: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    threshold: int = 0
    value: int = 0

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise CircuitError(f"unknown gate type {self.op!r}; types are {', '.join(OPS)}")
        if self.op == "CONST":
            if self.fanins or self.value not in (0, 1):
                raise CircuitError("CONST takes no inputs and a value 0 or 1")
        elif self.op in UNARY:
            if len(self.fanins) != 1:
                raise CircuitError(f"{self.op} takes exactly one input, got {len(self.fanins)}")
        elif self.op == "THRESHOLD":
            if len(self.weights) != len(self.fanins):
                raise CircuitError("THRESHOLD needs one weight per input")
            if not all(isinstance(w, (int, np.integer)) for w in (*self.weights, self.threshold)):
                raise CircuitError("THRESHOLD weights and threshold must be integers")
        elif not self.fanins:
            raise CircuitError(f"{self.op} needs at least one input")

    @staticmethod
    def threshold_gate(fanins: Sequence[str], weights: Sequence[int], threshold: int) -> Gate:
        return Gate("THRESHOLD", tuple(fanins), tuple(int(w) for w in weights), int(threshold))


def _apply(gate: Gate, args: list[np.ndarray], batch: int) -> np.ndarray:
    """Evaluate one gate on a batch (uint8 arrays of 0/1)."""
    op = gate.op
    if op == "CONST":
        return np.full(batch, gate.value, dtype=np.uint8)
    if op == "BUF":
        return args[0]
    if op == "NOT":
        return 1 - args[0]
    if op in ("AND", "NAND"):
        out = np.logical_and.reduce(args).astype(np.uint8)
    elif op in ("OR", "NOR"):
        out = np.logical_or.reduce(args).astype(np.uint8)
    elif op in ("XOR", "XNOR"):
        out = np.bitwise_xor.reduce(args).astype(np.uint8)
    else:  # THRESHOLD
        total = np.zeros(batch, dtype=np.int64)
        for w, a in zip(gate.weights, args, strict=True):
            total += w * a.astype(np.int64)
        return (total >= gate.threshold).astype(np.uint8)
    return 1 - out if op in ("NAND", "NOR", "XNOR") else out


class Circuit:
    """An immutable combinational circuit.

    Parameters
    ----------
    inputs:
        Input names, in order.
    gates:
        ``name -> Gate``. Any order: the constructor sorts them topologically.
    outputs:
        Output node names (inputs or gates), in order; repeats allowed.
    name:
        A label for reports.

    Raises
    ------
    CircuitError
        For duplicate or undefined names, a cycle, or a malformed gate.
    """

    __slots__ = ("__dict__", "gates", "inputs", "name", "outputs")
    name: str
    inputs: tuple[str, ...]
    gates: Mapping[str, Gate]
    outputs: tuple[str, ...]

    def __init__(
        self, *, inputs: Sequence[str], gates: Mapping[str, Gate], outputs: Sequence[str],
        name: str = "circuit",
    ) -> None:
        inputs = tuple(inputs)
        if len(set(inputs)) != len(inputs):
            raise CircuitError("duplicate input name")
        clash = set(inputs) & set(gates)
        if clash:
            raise CircuitError(f"{sorted(clash)[0]!r} is both an input and a gate")
        known = set(inputs) | set(gates)
        for g_name, gate in gates.items():
            for f in gate.fanins:
                if f not in known:
                    raise CircuitError(f"gate {g_name!r} reads undefined signal {f!r}")
        for o in outputs:
            if o not in known:
                raise CircuitError(f"output {o!r} is not a signal of the circuit")
        order = self._topological(inputs, gates)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "gates", MappingProxyType({g: gates[g] for g in order}))
        object.__setattr__(self, "outputs", tuple(outputs))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Circuit is immutable")

    @staticmethod
    def _topological(inputs: tuple[str, ...], gates: Mapping[str, Gate]) -> list[str]:
        """Kahn's algorithm; keeps the given order where it is already topological."""
        indegree = {g: 0 for g in gates}
        users: dict[str, list[str]] = {}
        for g, gate in gates.items():
            for f in set(gate.fanins):
                if f in gates:
                    indegree[g] += 1
                    users.setdefault(f, []).append(g)
        ready = [g for g in reversed(list(gates)) if indegree[g] == 0]
        order = []
        while ready:
            g = ready.pop()
            order.append(g)
            for u in reversed(users.get(g, ())):
                indegree[u] -= 1
                if indegree[u] == 0:
                    ready.append(u)
        if len(order) != len(gates):
            stuck = next(g for g, d in indegree.items() if d > 0)
            raise CircuitError(f"the circuit has a cycle through {stuck!r}")
        return order

    # -- structure ------------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.DiGraph:
        """The circuit as a frozen networkx DiGraph (node attrs ``op`` and the gate)."""
        g = nx.DiGraph(name=self.name)
        for i in self.inputs:
            g.add_node(i, op="INPUT")
        for name, gate in self.gates.items():
            g.add_node(name, op=gate.op, gate=gate)
            for k, f in enumerate(gate.fanins):
                g.add_edge(f, name, index=k)
        for k, o in enumerate(self.outputs):
            g.nodes[o].setdefault("outputs", []).append(k)
        return nx.freeze(g)

    @property
    def n_gates(self) -> int:
        return len(self.gates)

    def count_ops(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for gate in self.gates.values():
            counts[gate.op] = counts.get(gate.op, 0) + 1
        return counts

    def depth(self) -> int:
        level = dict.fromkeys(self.inputs, 0)
        for name, gate in self.gates.items():
            level[name] = 1 + max((level[f] for f in gate.fanins), default=0)
        return max((level[o] for o in self.outputs), default=0)

    def fanout(self) -> dict[str, int]:
        count = dict.fromkeys([*self.inputs, *self.gates], 0)
        for gate in self.gates.values():
            for f in gate.fanins:
                count[f] += 1
        for o in self.outputs:
            count[o] += 1
        return count

    # -- evaluation -------------------------------------------------------------------
    def evaluate_all(self, assignment: np.ndarray) -> dict[str, np.ndarray]:
        """Every signal's value on a batch: ``assignment`` has shape (batch, n_inputs)."""
        x = np.asarray(assignment, dtype=np.uint8)
        if x.ndim == 1:
            x = x[None, :]
        if x.shape[1] != len(self.inputs):
            raise CircuitError(f"expected {len(self.inputs)} input bits, got {x.shape[1]}")
        batch = x.shape[0]
        values: dict[str, np.ndarray] = {name: x[:, k] for k, name in enumerate(self.inputs)}
        for name, gate in self.gates.items():
            values[name] = _apply(gate, [values[f] for f in gate.fanins], batch)
        return values

    def evaluate(self, assignment: np.ndarray) -> np.ndarray:
        """Outputs on a batch: shape (batch, n_outputs), dtype uint8."""
        values = self.evaluate_all(assignment)
        batch = np.asarray(assignment).reshape(-1, len(self.inputs)).shape[0]
        if not self.outputs:
            return np.zeros((batch, 0), dtype=np.uint8)
        return np.stack([values[o] for o in self.outputs], axis=1)

    def truth_table(self) -> np.ndarray:
        """Outputs on all 2^n inputs, input 0...0 first, last input least significant."""
        n = len(self.inputs)
        if n > 24:
            raise CircuitError("truth tables are limited to 24 inputs")
        return self.evaluate(all_assignments(n))

    def __repr__(self) -> str:
        return (f"Circuit(name={self.name!r}, inputs={len(self.inputs)}, gates={self.n_gates}, "
                f"outputs={len(self.outputs)})")

    def _repr_svg_(self) -> str:
        """The gate graph layered by depth, for notebooks."""
        from theorymodel.display import circuit_scene

        return circuit_scene(self).svg()


def all_assignments(n: int) -> np.ndarray:
    """All 2^n bit vectors as rows, 0...0 first, the last column least significant."""
    idx = np.arange(1 << n, dtype=np.int64)
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
    return ((idx[:, None] >> shifts[None, :]) & 1).astype(np.uint8)


def equivalent(a: Circuit, b: Circuit, *, max_inputs: int = 20) -> bool:
    """Exhaustive equivalence of two circuits with the same inputs and output count."""
    if len(a.inputs) != len(b.inputs) or len(a.outputs) != len(b.outputs):
        return False
    if len(a.inputs) > max_inputs:
        raise CircuitError(f"exhaustive equivalence is limited to {max_inputs} inputs")
    x = all_assignments(len(a.inputs))
    return bool(np.array_equal(a.evaluate(x), b.evaluate(x)))


def build(inputs: Iterable[str], gates: Iterable[tuple[str, Gate]], outputs: Iterable[str],
          name: str = "circuit") -> Circuit:
    """Convenience constructor from an iterable of (name, gate) pairs."""
    return Circuit(inputs=list(inputs), gates=dict(gates), outputs=list(outputs), name=name)
