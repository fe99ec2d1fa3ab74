"""Length complexity, linear class: known exact values, witnesses re-simulated, certificates."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from linearlm_numpy import greedy_decode

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity import length_complexity, linear, resolve
from theorymodel.errors import UsageError


@pytest.mark.parametrize("n", range(1, 7))
def test_parity_is_ceil_log2_n_plus_1(n):
    r = length_complexity(resolve("parity", n))
    assert r.length_complexity == math.ceil(math.log2(n + 1)) == r.upper_bounds["binary-counting cascade"]
    x = all_assignments(n)
    assert np.array_equal(linear.simulate(r.witness, x)[:, -1], x.sum(axis=1) % 2)
    if r.length_complexity > 1:
        assert r.lower_bound["status"] == "unsat" and r.lower_bound["k"] == r.length_complexity
        # the certificate's inputs alone already rule out k - 1 tokens
        assert linear.solve_k(resolve("parity", n), r.length_complexity - 1).status == "unsat"


@pytest.mark.parametrize("name, n", [("majority", 5), ("and", 4), ("or", 3), ("threshold-2", 4)])
def test_threshold_functions_need_one_token(name, n):
    assert length_complexity(resolve(name, n)).length_complexity == 1


def test_truth_tables_and_named_targets():
    assert length_complexity(resolve("tt:0110", 2)).length_complexity == 2  # XOR
    assert length_complexity(resolve("tt:0001", 2)).length_complexity == 1  # AND
    assert resolve("equality", 4).bits() == "".join(
        str(int(b[:2] == b[2:])) for b in product((0, 1), repeat=4))
    assert resolve("inner-product", 4).table.sum() == 6
    with pytest.raises(UsageError):
        resolve("tt:011", 2)
    with pytest.raises(UsageError):
        resolve("equality", 3)


def test_machine_target_and_export(cli_json, tmp_path):
    code, obj, _ = cli_json("length", "parity", "--n", "4", "--export-linearlm", str(tmp_path / "w.npz"))
    assert code == 0 and obj["length_complexity"] == 3 and obj["lower_bound"]["status"] == "unsat"
    for key in ("target", "n", "class", "length_complexity", "witness", "lower_bound", "seconds"):
        assert key in obj
    state = dict(np.load(tmp_path / "w.npz"))
    for bits in product((0, 1), repeat=4):
        seq, strict = greedy_decode(state, list(bits))
        assert strict and seq[-1] == sum(bits) % 2
    # a decision machine as the target: 3-bit palindromes are x0 == x2, an XNOR: 2 tokens
    target = resolve("binary_palindrome", 3)
    assert target.bits() == "".join(str(int(b[0] == b[2])) for b in product((0, 1), repeat=3))
    code, obj, _ = cli_json("length", "binary_palindrome", "--n", "3")
    assert code == 0 and obj["length_complexity"] == 2


def test_length_errors(cli):
    code, _, err = cli("length", "parity", "--n", "3", "--class", "b2")
    assert code == 2 and err.startswith("error:")
    code, _, err = cli("length", "parity", "--n", "9", "--max-k", "1")
    assert code == 3 and "max-k" in err
