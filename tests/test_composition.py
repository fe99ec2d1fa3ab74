"""Length <= 2 by composition (theorymodel/complexity/composition.py): the threshold lists
against OEIS A000609, the composed set against brute force at n = 3, and the layer against
the exact census at n <= 4 (docs/census.md's table, each class solved by `length`)."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from theorymodel.complexity.composition import composed, length_two_layer, monotone_sorted, threshold_functions
from theorymodel.complexity.npn_classes import A000609


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_the_threshold_lists_have_oeis_counts(m):
    assert len(threshold_functions(m)) == A000609[m]


def brute_thresholds(m: int, bound: int = 3) -> set[int]:
    """[w . x >= t] over every integer weight vector in [-bound, bound]^m (enough for m <= 3)."""
    rows = [tuple((r >> (m - 1 - i)) & 1 for i in range(m)) for r in range(2**m)]
    out = set()
    for w in product(range(-bound, bound + 1), repeat=m):
        sums = [sum(a * b for a, b in zip(w, x, strict=True)) for x in rows]
        for t in range(min(sums), max(sums) + 2):
            out.add(sum(1 << r for r, s in enumerate(sums) if s >= t))
    return out


def test_threshold_lists_equal_brute_force_at_three_inputs():
    assert set(threshold_functions(3).tolist()) == brute_thresholds(3)


def test_the_composed_set_equals_brute_force_at_three_inputs():
    """f(r) = h(2r + g(r)) evaluated bit by bit, over every (g, h) pair: the same set as
    the word-parallel composition over one g per orbit, closed under input transforms."""
    from theorymodel.complexity.composition import _halves, _np_images

    gs, hs = brute_thresholds(3), brute_thresholds(4)
    brute = {sum(((h >> (2 * r + ((g >> r) & 1))) & 1) << r for r in range(8)) for g in gs for h in hs}
    halves = _halves(threshold_functions(4))
    ours = set()
    for g in monotone_sorted(3).tolist():
        ours |= set(composed(3, g, halves).tolist())
    every = np.arange(256, dtype=np.uint64)
    closure = _np_images(every, 3, lambda codes: np.isin(codes, np.array(sorted(ours), dtype=np.uint64)))
    assert set(every[closure].tolist()) == brute
    assert len(brute) == 256  # every 3-input function has length <= 2 (docs/census.md)


@pytest.mark.parametrize(("n", "classes", "functions"), [
    (1, (2, 0, 0), (4, 0, 0)),
    (2, (3, 1, 0), (14, 2, 0)),
    (3, (6, 8, 0), (104, 152, 0)),
    (4, (15, 174, 33), (1_882, 50_284, 13_370)),
])
def test_the_layer_reproduces_the_exact_census(n, classes, functions):
    counts = length_two_layer(n).counts()
    assert (counts["length_1_classes"], counts["length_2_classes"], counts["length_3_or_more_classes"]) == classes
    assert (counts["length_1_functions"], counts["length_2_functions"],
            counts["length_3_or_more_functions"]) == functions


def test_census_max_k_2_reports_the_layer(cli_json, tmp_path):
    code, obj, _ = cli_json("census", "--n", "4", "--max-k", "2", "--db", str(tmp_path / "c.db"))
    assert code == 0 and obj["max_k"] == 2 and obj["first_tokens"] == 15 and obj["second_tokens"] == 94_572
    assert obj["functions_by_length"] == {"1": 1_882, "2": 50_284, ">=3": 13_370}
    assert obj["classes_by_length"] == {"1": 15, "2": 174, ">=3": 33}
    code, _, err = cli_json("census", "--n", "4", "--max-k", "3", "--db", str(tmp_path / "c.db"))
    assert code == 2 and err.startswith("error:")
