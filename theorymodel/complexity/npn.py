"""NPN classes of Boolean functions: equivalence under input permutation, input negation
and output negation. Length complexity is invariant under all three for the ``linear``
and ``b2`` classes (tests/test_census.py proves it on every 3-input function), so a census
solves one representative per class.

A function of n inputs is an integer whose bit r is ``table[r]`` (input index r as in
``tt:``: input 0...0 first, last input bit least significant).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

import numpy as np

from theorymodel.complexity.targets import index_map
from theorymodel.errors import ResourceLimitError

MAX_CENSUS_N = 4  # 2^(2^n) functions are enumerated; n = 5 needs a class enumerator instead


def to_tt(code: int, n: int) -> str:
    return "".join(str((code >> r) & 1) for r in range(2**n))


def to_hex(code: int, n: int) -> str:
    """The code as 2^n / 4 hex digits (at least one): the census file's ``representative``."""
    return f"{code:0{hex_digits(n)}x}"


def hex_digits(n: int) -> int:
    return max(1, (1 << n) // 4)


def from_tt(bits: str) -> int:
    return sum(1 << r for r, b in enumerate(bits) if b == "1")


def transforms(n: int) -> list[np.ndarray]:
    """Index maps of every input permutation combined with every input negation mask."""
    return [index_map(n, list(perm), flip) for perm in permutations(range(n)) for flip in range(2**n)]


@lru_cache(maxsize=8)
def canonical_all(n: int) -> np.ndarray:
    """For every function code 0 .. 2^(2^n) - 1, the least code in its NPN class
    (computed once per n; the array is read-only)."""
    if n > MAX_CENSUS_N:
        raise ResourceLimitError(f"the census enumerates all 2^(2^n) functions; n <= {MAX_CENSUS_N} here",
                                 limit="size-cap", details={"n": n, "cap": MAX_CENSUS_N})
    size = 2**n
    codes = np.arange(2**size, dtype=np.int64)
    bits = [(codes >> r) & 1 for r in range(size)]  # bit r of every code
    full = np.int64(2**size - 1)
    canon = codes.copy()
    for idx in transforms(n):
        moved = np.zeros_like(codes)
        for r, src in enumerate(idx.tolist()):
            moved |= bits[src] << r
        np.minimum(canon, moved, out=canon)
        np.minimum(canon, full ^ moved, out=canon)
    canon.setflags(write=False)
    return canon


def classes(n: int) -> dict[int, int]:
    """NPN class representative (least code) -> number of functions in the class."""
    reps, counts = np.unique(canonical_all(n), return_counts=True)
    return dict(zip(reps.tolist(), counts.tolist(), strict=True))
