"""Named Boolean functions: one record each, with its truth table and its reference
circuit written from the definition (never from a CoT), in one registry.

``length``, ``learn`` and the experiments resolve names here; ``threshold-K`` is a
family (1 iff at least K inputs are 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorymodel.circuits.model import Circuit, Gate
from theorymodel.errors import UsageError, parse_parameter


@dataclass(frozen=True)
class NamedFunction:
    """A Boolean function of n bits.

    Attributes
    ----------
    table:
        ``x (2^n rows x n bits, uint8) -> one output bit per row``.
    gates:
        ``input names -> gates`` of a reference circuit whose output gate is ``out``.
    even_n:
        Defined for even n only (the inputs are paired).
    """

    name: str
    table: Callable[[np.ndarray], np.ndarray]
    gates: Callable[[list[str]], dict[str, Gate]]
    even_n: bool = False
    doc: str = ""

    def circuit(self, n: int) -> Circuit:
        self.check(n)
        xs = [f"x{i}" for i in range(n)]
        return Circuit(inputs=xs, gates=self.gates(xs), outputs=["out"], name=self.name)

    def check(self, n: int) -> None:
        if self.even_n and n % 2:
            raise UsageError(f"{self.name} pairs the inputs: n must be even")


def _threshold(k: Callable[[int], int]) -> Callable[[list[str]], dict[str, Gate]]:
    return lambda xs: {"out": Gate("THRESHOLD", tuple(xs), (1,) * len(xs), k(len(xs)))}


def _inner_product_gates(xs: list[str]) -> dict[str, Gate]:
    gates = {f"p{i}": Gate("AND", (xs[2 * i], xs[2 * i + 1])) for i in range(len(xs) // 2)}
    gates["out"] = Gate("XOR", tuple(gates)) if gates else Gate("CONST", value=0)
    return gates


def _equality_gates(xs: list[str]) -> dict[str, Gate]:
    h = len(xs) // 2
    gates = {f"e{i}": Gate("XNOR", (xs[i], xs[h + i])) for i in range(h)}
    gates["out"] = Gate("AND", tuple(gates)) if gates else Gate("CONST", value=1)
    return gates


def _ones(x: np.ndarray) -> np.ndarray:
    return x.sum(axis=1)


FUNCTIONS: dict[str, NamedFunction] = {f.name: f for f in (
    NamedFunction("parity", lambda x: _ones(x) % 2,
                  lambda xs: {"out": Gate("XOR", tuple(xs)) if xs else Gate("CONST", value=0)},
                  doc="1 iff an odd number of inputs are 1"),
    NamedFunction("majority", lambda x: (2 * _ones(x) > x.shape[1]).astype(np.uint8),
                  _threshold(lambda n: n // 2 + 1), doc="1 iff more than half the inputs are 1"),
    NamedFunction("and", lambda x: (_ones(x) == x.shape[1]).astype(np.uint8),
                  lambda xs: {"out": Gate("AND", tuple(xs)) if xs else Gate("CONST", value=1)}),
    NamedFunction("or", lambda x: (_ones(x) > 0).astype(np.uint8),
                  lambda xs: {"out": Gate("OR", tuple(xs)) if xs else Gate("CONST", value=0)}),
    NamedFunction("equality", lambda x: (x[:, : x.shape[1] // 2] == x[:, x.shape[1] // 2:]).all(axis=1)
                  .astype(np.uint8), _equality_gates, even_n=True, doc="the two halves are equal"),
    NamedFunction("inner-product", lambda x: (x[:, 0::2] & x[:, 1::2]).sum(axis=1) % 2, _inner_product_gates,
                  even_n=True, doc="x1 x2 + x3 x4 + ... mod 2"),
)}


def named(spec: str) -> NamedFunction | None:
    """The function a name means (``threshold-K`` included), or None."""
    if spec in FUNCTIONS:
        return FUNCTIONS[spec]
    m = re.fullmatch(r"threshold-(\d+)", spec)
    if m:
        k = parse_parameter(m.group(1), spec)
        return NamedFunction(spec, lambda x: (_ones(x) >= k).astype(np.uint8), _threshold(lambda n: k),
                             doc=f"1 iff at least {k} inputs are 1")
    return None


def names_help() -> str:
    return ", ".join([*FUNCTIONS, "threshold-K"])
