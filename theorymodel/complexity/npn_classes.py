"""NPN class representatives and orbit sizes up to n = 5, without touching all 2^(2^n)
functions.

The representative of a class is its least code (as in :mod:`theorymodel.complexity.npn`):
bit r of a code is ``f(r)``, input 0 the most significant bit of r. So the high half of
a code is the cofactor ``x0 = 1`` and dominates the order, which gives an enumeration by
cofactors:

- Every transform of the group (input permutation, input negation, output negation)
  moves some input ``v`` to position 0 with some polarity ``p``, and acts on the other
  ``m = n - 1`` inputs by an NPN transform of m inputs. So the least high half in the
  orbit of ``f`` is ``min over (v, p)`` of the m-input canonical form of the cofactor
  ``f|x_v = p``: the representative's high half ``c`` is an m-input class representative.
- Fix ``c`` and take every low half ``f0`` (2^(2^m) of them). ``f = c:f0`` is a
  representative iff no cofactor's canonical form is below ``c``, and ``f0`` is the least
  low half among the transforms that bring the high half to ``c``. Those transforms are
  ``sigma . tau0`` for one ``tau0`` (from the m-input canonical table) and every
  ``sigma`` in the stabiliser of ``c``: a few per class.
- The orbit size is ``|G| / |Stab(f)|`` with ``|G| = 2 n! 2^n``; ``Stab(f)`` is counted
  as the transforms above that give ``f0`` back.

Vectorised over the 2^(2^m) low halves of each ``c``: n = 5 takes about a minute on
one core and a few MiB. ``tests/test_npn_classes.py`` checks n = 1..4 against the brute
force of :func:`~theorymodel.complexity.npn.canonical_all` and the counts of OEIS A000370.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from math import factorial

import numpy as np

from theorymodel.complexity.npn import transforms
from theorymodel.errors import ResourceLimitError

MAX_CLASSES_N = 5
A000370 = {1: 2, 2: 4, 3: 14, 4: 222, 5: 616_126}  # NPN classes of n-input functions (OEIS, n >= 1)
A000609 = {0: 2, 1: 4, 2: 14, 3: 104, 4: 1_882, 5: 94_572}  # threshold functions of n inputs


@dataclass(frozen=True)
class NPNTable:
    """For every m-input function g: its canonical code and one transform reaching it."""

    m: int
    canon: np.ndarray  # uint64 per code
    arg_transform: np.ndarray  # index into ``index_maps`` per code
    arg_negate: np.ndarray  # output negation (0/1) per code
    index_maps: np.ndarray  # (|NP group|, 2^m): moved bit r = bit index_maps[t, r]

    def apply(self, codes: np.ndarray, t: int | np.ndarray) -> np.ndarray:
        """The NP transform ``t`` (one, or one per code) applied to ``codes``."""
        idx = self.index_maps[t]
        out = np.zeros_like(codes)
        for r in range(2**self.m):
            src = (idx[r] if idx.ndim == 1 else idx[:, r]).astype(np.uint64)
            out |= ((codes >> src) & np.uint64(1)) << np.uint64(r)
        return out


def high_halves(n: int) -> int:
    """How many high halves :func:`class_table` goes through (its progress total)."""
    return 1 if n <= 1 else A000370[n - 1]


def _full(m: int) -> np.uint64:
    return np.uint64((1 << (2**m)) - 1)


@lru_cache(maxsize=4)
def npn_table(m: int) -> NPNTable:
    """Brute force over all 2^(2^m) codes (m <= 4: 65,536 codes, 384 transforms)."""
    if m > 4:
        raise ResourceLimitError("the brute-force NPN table stops at 4 inputs", limit="size-cap",
                                 details={"n": m, "cap": 4})
    maps = np.array(transforms(m), dtype=np.int64).reshape(-1, 2**m)
    codes = np.arange(2 ** (2**m), dtype=np.uint64)
    full = _full(m)
    canon = codes.copy()
    arg_t = np.zeros(len(codes), dtype=np.int64)
    arg_o = np.zeros(len(codes), dtype=np.uint64)
    table = NPNTable(m, canon, arg_t, arg_o, maps)
    for t in range(len(maps)):
        moved = table.apply(codes, t)
        for o in (0, 1):
            value = moved ^ full if o else moved
            better = value < canon
            canon[better] = value[better]
            arg_t[better] = t
            arg_o[better] = o
    for a in (canon, arg_t, arg_o):
        a.setflags(write=False)
    return table


def _cofactor_rows(n: int) -> dict[tuple[int, int], np.ndarray]:
    """Row r of f for each row s of the cofactor ``f|x_v = p`` (other inputs in order)."""
    m = n - 1
    rows = {}
    for v in range(n):
        for p in (0, 1):
            out = []
            for s in range(2**m):
                bits = [(s >> (m - 1 - j)) & 1 for j in range(m)]  # inputs other than v, MSB first
                bits.insert(v, p)
                out.append(sum(b << (n - 1 - i) for i, b in enumerate(bits)))
            rows[(v, p)] = np.array(out, dtype=np.uint64)
    return rows


def gather(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Codes moved by an index map: new bit s = old bit ``rows[s]``."""
    out = np.zeros_like(codes)
    for s, r in enumerate(rows.tolist()):
        out |= ((codes >> np.uint64(r)) & np.uint64(1)) << np.uint64(s)
    return out


def class_table(n: int, *, progress: Callable[[int, int], None] | None = None,
                highs: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(representatives, orbit sizes), representatives ascending; orbit sizes sum to
    2^(2^n). ``progress(done, total)`` is called once per high half. ``highs`` keeps
    only the representatives whose high half is one of these (for tests)."""
    if n < 0 or n > MAX_CLASSES_N:
        raise ResourceLimitError(f"NPN classes are enumerated for n <= {MAX_CLASSES_N}", limit="size-cap",
                                 details={"n": n, "cap": MAX_CLASSES_N})
    if n == 0:
        return np.array([0], dtype=np.uint64), np.array([2], dtype=np.int64)
    m = n - 1
    if m == 0:
        lower_canon = np.array([0, 0], dtype=np.uint64)  # constants: 0 and its negation
        lower = None
    else:
        lower = npn_table(m)
        lower_canon = lower.canon
    reps_m = np.unique(lower_canon)
    if highs is not None:
        reps_m = reps_m[np.isin(reps_m, np.asarray(highs, dtype=np.uint64))]
    group = 2 * factorial(n) * 2**n
    half = 2**m
    full_m = _full(m)
    rows = _cofactor_rows(n)
    low = np.arange(2**half, dtype=np.uint64)
    out_reps: list[np.ndarray] = []
    out_orbits: list[np.ndarray] = []
    stabilisers = {}
    for done, c in enumerate(reps_m.tolist()):
        c = np.uint64(c)
        codes = low | (c << np.uint64(half))
        cof = {vp: gather(codes, r) for vp, r in rows.items()}
        canon = {vp: lower_canon[g.astype(np.int64)] for vp, g in cof.items()}
        alive = np.ones(len(codes), dtype=bool)
        for cc in canon.values():
            alive &= cc >= c
        best = low.copy()
        stab = np.zeros(len(codes), dtype=np.int64)
        if c not in stabilisers:
            stabilisers[c] = _stabiliser(lower, c, m)
        for (v, p), cc in canon.items():
            hit = np.flatnonzero(alive & (cc == c))
            if not len(hit):
                continue
            other = cof[(v, 1 - p)][hit]
            if lower is not None:  # tau0: the transform that takes this cofactor to c
                g = cof[(v, p)][hit].astype(np.int64)
                h = lower.apply(other, lower.arg_transform[g])
                h = np.where(lower.arg_negate[g] == 1, h ^ full_m, h)
            else:
                h = np.where(cof[(v, p)][hit] == c, other, other ^ full_m)
            for t, o in stabilisers[c]:
                value = (lower.apply(h, t) if lower is not None else h)
                value = value ^ full_m if o else value
                best[hit] = np.minimum(best[hit], value)
                stab[hit] += value == low[hit]
        is_rep = alive & (best == low)
        out_reps.append(codes[is_rep])
        out_orbits.append(group // stab[is_rep])
        if progress is not None:
            progress(done + 1, len(reps_m))
    reps = np.concatenate(out_reps)
    orbits = np.concatenate(out_orbits)
    order = np.argsort(reps)
    return reps[order], orbits[order]


def _stabiliser(lower: NPNTable | None, c: np.uint64, m: int) -> list[tuple[int, int]]:
    """The (NP transform, output negation) pairs of m inputs that fix the code c."""
    full = _full(m)
    if lower is None:  # m = 0: the identity, and negation when it fixes c (never)
        return [(0, 0)]
    moved = lower.apply(np.full(len(lower.index_maps), c, dtype=np.uint64), np.arange(len(lower.index_maps)))
    return [(t, o) for t in range(len(moved)) for o in (0, 1)
            if (moved[t] ^ full if o else moved[t]) == c]


# -- threshold functions (length complexity 1 in the linear class) --------------------------
def unate(codes: np.ndarray, n: int) -> np.ndarray:
    """True where the function is monotone or antitone in every input (a threshold
    function must be; exact, by cofactors)."""
    out = np.ones(len(codes), dtype=bool)
    rows = _cofactor_rows(n) if n else {}
    for v in range(n):
        c0, c1 = gather(codes, rows[(v, 0)]), gather(codes, rows[(v, 1)])
        out &= ((c0 & ~c1) == 0) | ((c1 & ~c0) == 0)
    return out


def orbit_facts(codes: np.ndarray, n: int, *, chunk: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """For each code: the least code of its NPN class and the class's size, by brute force
    over every input permutation, input negation and output negation (7,680 transforms at
    n = 5). Independent of :func:`class_table`'s cofactor method: it checks stored rows."""
    maps = np.array(transforms(n), dtype=np.uint64).reshape(-1, 2**n)  # (|NP|, 2^n)
    full = _full(n)
    codes = np.asarray(codes, dtype=np.uint64)
    least = np.empty(len(codes), dtype=np.uint64)
    sizes = np.empty(len(codes), dtype=np.int64)
    for lo in range(0, len(codes), chunk):
        part = codes[lo:lo + chunk, None]
        images = np.zeros((len(part), len(maps)), dtype=np.uint64)
        for r in range(2**n):
            images |= ((part >> maps[None, :, r]) & np.uint64(1)) << np.uint64(r)
        both = np.concatenate([images, images ^ full], axis=1)
        both.sort(axis=1)
        least[lo:lo + chunk] = both[:, 0]
        sizes[lo:lo + chunk] = 1 + (np.diff(both, axis=1) != 0).sum(axis=1)
    return least, sizes


def rows_are_classes(reps: np.ndarray, orbits: np.ndarray, n: int) -> bool:
    """Each representative is the least code of its class and each orbit size that class's
    size, recomputed by brute force (:func:`orbit_facts`)."""
    if not len(reps):
        return True
    least, sizes = orbit_facts(reps, n)
    return bool((least == np.asarray(reps, dtype=np.uint64)).all() and (sizes == np.asarray(orbits)).all())
