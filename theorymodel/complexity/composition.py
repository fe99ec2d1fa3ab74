"""Length <= 2 in the ``linear`` class by composition, not search (docs/census.md,
"Length 2 by composition").

Two generated tokens compute f iff ``f(x) = h(x, g(x))`` for a threshold function g of
the n inputs (the first token) and a threshold function h of n + 1 inputs (the second
token reads the inputs and the first token). So the length-<=2 set is generated:

- :func:`threshold_functions` lists every m-input threshold function (m <= 6) from
  non-negative, non-decreasing integer weights up to :data:`MAX_WEIGHT`, closed under
  input permutation and negation. Each listed function is a threshold function by
  construction; the list is complete because its length is OEIS A000609(m)
  (15,028,134 at m = 6), checked every time.
- g need only range over one function per NP orbit (the monotone ones with sorted
  weights cover every orbit): for an input transform tau, ``h(x, g(tau x))`` is
  ``h'(tau x, g(tau x))`` with ``h' = h . (tau^-1 x id)`` a threshold function, so the
  composed set for ``g . tau`` is the composed set for g moved by tau. A class meets the
  length-<=2 set iff some function of its orbit is composed from such a g. Output
  negation needs nothing: ``not h`` is a threshold function, and ``h(x, not g(x))`` is
  h with its last input negated.
- With y the last input (the least significant bit of h's index), ``h(x, y)`` splits into
  ``h0 = h(., 0)`` and ``h1 = h(., 1)``, and ``f = (h0 & ~g) | (h1 & g)`` bitwise on
  truth tables: three word operations per (g, h) pair.

A function is a code whose bit r is f(r), input 0 the most significant bit of r
(:mod:`theorymodel.complexity.npn`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations_with_replacement, permutations

import numpy as np

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity.npn_classes import A000370, A000609, gather
from theorymodel.complexity.targets import index_map
from theorymodel.errors import ResourceLimitError

#: every threshold function of <= 6 inputs has integer weights of at most this size
#: (OEIS A003432 gives 9 at 6 inputs); completeness is not taken on trust: the count
#: is compared with A000609 every time
MAX_WEIGHT = {1: 1, 2: 1, 3: 2, 4: 3, 5: 5, 6: 9}
#: OEIS A000609 at 6 inputs: the count the enumeration must reach
A000609_6 = 15_028_134
THRESHOLD_COUNTS = {**A000609, 6: A000609_6}


def _pack(bits: np.ndarray) -> np.ndarray:
    """(k, 2^m) booleans -> k codes (uint64), bit r = column r."""
    k, width = bits.shape
    padded = np.zeros((k, 64), dtype=bool)
    padded[:, :width] = bits
    return np.packbits(padded, axis=1, bitorder="little").view("<u8").ravel().astype(np.uint64)


def negate_input(codes: np.ndarray, m: int, i: int) -> np.ndarray:
    """Codes of ``f(x with input i negated)``: swap the halves of every 2s-bit block."""
    s = 1 << (m - 1 - i)
    lo = sum(1 << r for r in range(2**m) if not (r >> (m - 1 - i)) & 1)
    mask, shift = np.uint64(lo), np.uint64(s)
    return ((codes & mask) << shift) | ((codes >> shift) & mask)


def permutation_maps(m: int) -> list[np.ndarray]:
    """Index maps of every input permutation (input i of the moved function reads input
    perm[i])."""
    return [index_map(m, list(perm)) for perm in permutations(range(m))]


def monotone_sorted(m: int) -> np.ndarray:
    """The distinct functions ``[w . x >= t]`` with 0 <= w_0 <= ... <= w_{m-1} <=
    MAX_WEIGHT[m] and every threshold t: one or more per NP orbit of threshold functions
    (negating inputs makes weights non-negative, permuting sorts them)."""
    if not 1 <= m <= 6:
        raise ResourceLimitError("threshold functions are listed up to 6 inputs", limit="size-cap",
                                 details={"m": m, "cap": 6})
    x = all_assignments(m).astype(np.int64)
    w = np.array(list(combinations_with_replacement(range(MAX_WEIGHT[m] + 1), m)), dtype=np.int64)
    sums = w @ x.T  # (weights, 2^m)
    top = int(sums.max(initial=0)) + 1
    codes = [_pack(sums >= t) for t in range(top + 1)]
    return np.unique(np.concatenate(codes))


def threshold_functions(m: int, *, check: bool = True) -> np.ndarray:
    """Every threshold function of m inputs (m <= 6), sorted, as codes; with ``check``
    its count is A000609(m) or ResourceLimitError says the weight bound was too small."""
    base = monotone_sorted(m)
    moved = np.unique(np.concatenate([gather(base, idx) for idx in permutation_maps(m)]))
    for i in range(m):
        moved = np.unique(np.concatenate([moved, negate_input(moved, m, i)]))
    if check and len(moved) != THRESHOLD_COUNTS[m]:  # pragma: no cover - the bound is known to suffice
        raise AssertionError(f"{len(moved):,} threshold functions of {m} inputs listed, A000609 says "
                             f"{THRESHOLD_COUNTS[m]:,}: the weight bound {MAX_WEIGHT[m]} is too small")
    return moved


def _halves(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h(., 0) and h(., 1) of codes over n + 1 <= 6 inputs, the last one y: the even and
    the odd bits, each packed down."""
    def compact(v: np.ndarray) -> np.ndarray:
        v = v & np.uint64(0x5555555555555555)
        for shift, mask in ((1, 0x3333333333333333), (2, 0x0F0F0F0F0F0F0F0F), (4, 0x00FF00FF00FF00FF),
                            (8, 0x0000FFFF0000FFFF), (16, 0x00000000FFFFFFFF)):
            v = (v | (v >> np.uint64(shift))) & np.uint64(mask)
        return v

    return compact(h), compact(h >> np.uint64(1))


def composed(n: int, g: int, halves: tuple[np.ndarray, np.ndarray], *, unique: bool = True) -> np.ndarray:
    """Every f = h(x, g(x)) for one g and every h (given as its two halves)."""
    h0, h1 = halves
    gm = np.uint64(g)
    full = np.uint64((1 << 2**n) - 1)
    f = (h0 & (~gm & full)) | (h1 & gm)
    return np.unique(f) if unique else f


@dataclass(frozen=True)
class LengthTwoLayer:
    """Which NPN classes of n-input functions have length <= 2 (and which exactly 1)."""

    n: int
    first_tokens: int  #: g: one per NP orbit of threshold functions (at least)
    second_tokens: int  #: h: every threshold function of n + 1 inputs
    reps: np.ndarray  #: class representatives, ascending
    orbits: np.ndarray
    at_most_two: np.ndarray  #: bool per class
    threshold: np.ndarray  #: bool per class: length 1
    seconds: float

    def counts(self) -> dict[str, int]:
        one, two = self.threshold, self.at_most_two & ~self.threshold
        rest = ~self.at_most_two
        return {"classes": len(self.reps), "length_1_classes": int(one.sum()), "length_2_classes": int(two.sum()),
                "length_3_or_more_classes": int(rest.sum()), "length_1_functions": int(self.orbits[one].sum()),
                "length_2_functions": int(self.orbits[two].sum()),
                "length_3_or_more_functions": int(self.orbits[rest].sum())}


def _np_images(reps: np.ndarray, n: int, member: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """For each representative: does some input transform (permutation and negation) of it
    satisfy ``member``? (The sets tested are closed under output negation.)"""
    hit = np.zeros(len(reps), dtype=bool)
    for idx in permutation_maps(n):
        moved = gather(reps, idx)
        variants = [moved]
        for i in range(n):
            variants += [negate_input(v, n, i) for v in variants]
        for v in variants:
            hit |= member(v)
    return hit


def length_two_layer(n: int, *, classes: tuple[np.ndarray, np.ndarray] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> LengthTwoLayer:
    """Decide length <= 2 for every NPN class of n <= 5 inputs by composition.
    ``classes``: the (checked) class table, representatives and orbit sizes; by default
    enumerated here."""
    from theorymodel.complexity.npn_classes import class_table, orbit_facts

    if not 1 <= n <= 5:
        raise ResourceLimitError("the composition layer covers 1 to 5 inputs", limit="size-cap",
                                 details={"n": n, "cap": 5})
    start = time.perf_counter()
    reps, orbits = classes if classes is not None else class_table(n)
    reps = np.asarray(reps, dtype=np.uint64)
    if len(reps) != A000370[n] or int(np.asarray(orbits).sum()) != 2 ** (2**n):
        raise ValueError(f"not the class table of n = {n}")
    firsts = np.unique(orbit_facts(monotone_sorted(n), n)[0])  # one per NPN orbit
    halves = _halves(threshold_functions(n + 1))
    # mark every composed function in a bitmap of all 2^(2^n) functions (512 MiB at n = 5)
    bitmap = np.zeros(max(1, 2 ** (2**n) // 8), dtype=np.uint8)
    for k, g in enumerate(firsts.tolist()):
        f = composed(n, g, halves, unique=False)  # bitwise_or.at takes repeats
        bits = np.uint8(1) << (f & np.uint64(7)).astype(np.uint8)
        np.bitwise_or.at(bitmap, (f >> np.uint64(3)).astype(np.int64), bits)
        if progress:
            progress(k + 1, len(firsts))

    def in_bitmap(codes: np.ndarray) -> np.ndarray:
        return ((bitmap[(codes >> np.uint64(3)).astype(np.int64)] >> (codes & np.uint64(7)).astype(np.uint8)) & 1) > 0

    at_most_two = _np_images(reps, n, in_bitmap)
    thresholds = threshold_functions(n)
    is_threshold = np.isin(reps, thresholds)  # the threshold set is closed under NPN
    return LengthTwoLayer(n, len(firsts), len(halves[0]), reps, orbits, at_most_two, is_threshold,
                          time.perf_counter() - start)
