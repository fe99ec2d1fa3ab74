"""Boolean targets for length complexity: named functions, truth tables, circuits, machines.

A target is its truth table over n input bits: ``table[x]`` for x = 0 .. 2^n - 1, input
0...0 first and the last input bit least significant (docs/contract.md, ``tt:``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theorymodel.circuits.formats import is_circuit_path
from theorymodel.circuits.model import all_assignments
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.functions import named, names_help

MAX_N = 16


@dataclass(frozen=True)
class Target:
    name: str
    n: int
    table: np.ndarray  # uint8, length 2^n

    def bits(self) -> str:
        return "".join(map(str, self.table))


def resolve(spec: str, n: int) -> Target:
    """A named function, ``tt:<bits>``, a single-output ``.bench`` circuit, or a
    decision machine over {0, 1} (run on every input of length n)."""
    if n < 0:
        raise UsageError("--n must be >= 0")
    if n > MAX_N:
        raise ResourceLimitError(f"exact length complexity is limited to n <= {MAX_N}", limit="size-cap",
                                 details={"n": n, "cap": MAX_N})
    x = all_assignments(n)
    if spec.startswith("tt:"):
        bits = spec[3:]
        if len(bits) != 2**n or set(bits) - {"0", "1"}:
            raise UsageError(f"tt: needs exactly 2^{n} = {2**n} bits of 0/1, got {len(bits)}")
        return Target(spec, n, np.array([int(b) for b in bits], dtype=np.uint8))
    if is_circuit_path(spec):
        from theorymodel.circuits import load_circuit

        c = load_circuit(spec)
        if len(c.outputs) != 1 or len(c.inputs) != n:
            raise UsageError(f"{spec}: need one output and {n} inputs, got {len(c.outputs)} and {len(c.inputs)}")
        return Target(c.name, n, c.evaluate(x)[:, 0].astype(np.uint8))
    function = named(spec)
    if function is not None:
        function.check(n)
        return Target(spec, n, function.table(x).astype(np.uint8))
    from theorymodel.machines import load_machine, simulate

    try:
        tm = load_machine(spec)
    except UsageError as exc:
        if "unknown machine" not in str(exc):
            raise
        raise UsageError(f"unknown target {spec!r}: {names_help()}, tt:<bits>, a .bench file or a machine") from None
    if set(tm.input_symbols) != {"0", "1"}:
        raise UsageError(f"machine {tm.name!r} must read inputs over {{0, 1}}")
    table = []
    for row in x:
        r = simulate(tm, "".join(map(str, row)), max_steps=1_000_000)
        if not r.halted:
            raise ResourceLimitError(f"{tm.name} does not halt on {''.join(map(str, row))}", limit="max-steps")
        table.append(int(r.accepted))
    return Target(tm.name, n, np.array(table, dtype=np.uint8))


@dataclass(frozen=True)
class Symmetries:
    """Input symmetries of a truth table that every class here respects.

    ``blocks``: classes of interchangeable inputs (swapping any two inputs of a block
    leaves the function unchanged; "interchangeable" is an equivalence relation, so the
    function is invariant under every permutation inside a block). ``negatable``: inputs
    whose negation maps the function to itself or to its complement.
    """

    blocks: tuple[tuple[int, ...], ...]
    negatable: tuple[int, ...]

    @property
    def trivial(self) -> bool:
        return all(len(b) == 1 for b in self.blocks)


def index_map(n: int, perm: list[int] | None = None, flip: int = 0) -> np.ndarray:
    """Index of each input under a permutation of positions (and an XOR mask)."""
    x = all_assignments(n)
    if perm is not None:
        x = x[:, perm]
    idx = x.astype(np.int64) @ (1 << np.arange(n - 1, -1, -1, dtype=np.int64)) if n else np.zeros(1, np.int64)
    return idx ^ flip


def symmetries(target: Target) -> Symmetries:
    """The interchangeable blocks and negatable inputs of ``target`` (exact, by table)."""
    n, t = target.n, target.table
    parent = list(range(n))
    for i in range(n):
        for j in range(i + 1, n):
            if parent[j] != j:
                continue
            perm = list(range(n))
            perm[i], perm[j] = j, i
            if np.array_equal(t[index_map(n, perm)], t):
                parent[j] = parent[i]
    blocks: dict[int, list[int]] = {}
    for i in range(n):
        blocks.setdefault(parent[i], []).append(i)
    negatable = []
    for i in range(n):
        diff = t[index_map(n, flip=1 << (n - 1 - i))] ^ t
        if diff.min() == diff.max():
            negatable.append(i)
    return Symmetries(tuple(tuple(b) for b in blocks.values()), tuple(negatable))
