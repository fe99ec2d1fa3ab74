"""Length complexity, linear class: known exact values, witnesses re-simulated, certificates."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from linearlm_numpy import greedy_decode

from theorymodel.circuits.model import all_assignments
from theorymodel.complexity import length_complexity, resolve
from theorymodel.complexity.classes import linear
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
    code, _, err = cli("length", "parity", "--n", "3", "--class", "parity-1")
    assert code == 2 and err.startswith("error:")
    code, _, err = cli("length", "parity", "--n", "9", "--max-k", "1")
    assert code == 3 and "max-k" in err


@pytest.mark.parametrize("n", [8, 9])
def test_parity_8_and_9_bits_are_certified(n):
    r = length_complexity(resolve("parity", n))
    assert r.length_complexity == 4 and r.lower_bound["k"] == 4
    # the UNSAT certificate for 3 tokens rests on symmetry breaking that the target admits
    assert r.lower_bound["symmetry_breaking"]["blocks"] == [list(range(n))]
    assert linear.simulate(r.witness, all_assignments(n))[:, -1].tolist() == (all_assignments(n).sum(1) % 2).tolist()


def test_inner_product_values():
    assert [length_complexity(resolve("inner-product", n)).length_complexity for n in (2, 4, 6)] == [1, 2, 4]


def test_symmetry_breaking_is_sound_on_asymmetric_targets():
    # x0 AND NOT x1 has no interchangeable inputs; a wrong constraint would lose its 1-token witness
    assert length_complexity(resolve("tt:0010", 2)).length_complexity == 1
    # negatable inputs with k = 1: NOT x0 (token 1 is the answer, so no sign constraint)
    assert length_complexity(resolve("tt:1100", 2)).length_complexity == 1


@pytest.mark.parametrize("K", [2, 3, 4])
def test_parity_k_matches_the_papers_closed_form(K):
    for n in range(1, 8):
        r = length_complexity(resolve("parity", n), cls=f"parity-{K}")
        assert r.length_complexity == max(1, math.ceil((n - 1) / (K - 1)))
        assert all(len(tok["xor_of"]) <= K for tok in r.witness_json)
        if r.length_complexity > 1:
            assert r.lower_bound["status"] == "unsat"


def test_parity_k_rejects_what_it_cannot_express(cli_json):
    r = length_complexity(resolve("majority", 3), cls="parity-2")
    assert r.length_complexity is None and r.lower_bound["status"] == "inexpressible"
    assert length_complexity(resolve("tt:10", 1), cls="parity-2").length_complexity is None  # NOT x: f(0) = 1
    code, obj, _ = cli_json("length", "majority", "--n", "3", "--class", "parity-2")
    assert code == 1 and obj["length_complexity"] is None


def test_b2_knuth_minimum_circuit_sizes():
    assert length_complexity(resolve("majority", 3), cls="b2").length_complexity == 4
    assert length_complexity(resolve("parity", 4), cls="b2").length_complexity == 3
    r = length_complexity(resolve("tt:0110", 2), cls="b2")
    assert r.length_complexity == 1 and r.witness_json == [{"inputs": [0, 1], "table": [0, 1, 1, 0]}]
    # an output that is 1 on input 0...0 (NAND): the normalised search complements the answer gate
    r = length_complexity(resolve("tt:1110", 2), cls="b2")
    assert r.length_complexity == 1 and r.witness_json[0]["table"] == [1, 1, 1, 0]


def test_a_timed_sat_search_stops_at_its_deadline(cli_json):
    # CaDiCaL cannot be interrupted, so timed SAT calls run Glucose, and say so
    code, obj, _ = cli_json("length", "parity", "--n", "10", "--class", "parity-2", "--timeout", "0.5")
    assert code == 3 and obj["limit"] == "solver-timeout" and obj["seconds"] < 5
    code, obj, _ = cli_json("length", "parity", "--n", "9", "--class", "parity-3", "--timeout", "60")
    assert code == 0 and "Glucose" in obj["lower_bound"]["solver"]
    code, obj, _ = cli_json("length", "parity", "--n", "9", "--class", "parity-3")
    assert code == 0 and "CaDiCaL" in obj["lower_bound"]["solver"]


def test_timeout_is_exit_3_with_best_bounds(cli_json):
    code, obj, _ = cli_json("length", "parity", "--n", "9", "--timeout", "0.3")
    assert code == 3 and obj["limit"] == "solver-timeout"
    assert obj["best_upper_bound"] == 4 and 1 <= obj["best_lower_bound"] <= 4


def test_series_and_plot(cli_json, cli, tmp_path):
    png = tmp_path / "parity.png"
    code, obj, _ = cli_json("length", "parity", "--n", "1..5", "--plot", str(png))
    assert code == 0 and [r["length_complexity"] for r in obj["series"]] == [1, 2, 2, 3, 3]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, obj, _ = cli_json("length", "inner-product", "--n", "1..4")
    assert [r["n"] for r in obj["series"]] == [2, 4]
    for bad in (["--n", "5..2"], ["--n", "2..4", "--export-linearlm", str(tmp_path / "x.npz")],
                ["--n", "3", "--timeout", "-1"], ["--n", "3", "--class", "parity-x"]):
        code, _, err = cli("length", "parity", *bad)
        assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1


def _plain_length(target) -> int:
    """The least k by the linear class's search with no symmetry breaking at all."""
    from theorymodel.complexity.targets import Symmetries

    none = Symmetries(tuple((i,) for i in range(target.n)), ())
    for k in range(1, 8):
        if linear.solve_k(target, k, sym=none).status == "sat":
            return k
    raise AssertionError("no witness")


@pytest.mark.parametrize("name, n", [("parity", 5), ("parity", 6), ("majority", 4), ("inner-product", 4),
                                     ("equality", 4), ("threshold-2", 5)])
def test_symmetry_breaking_never_changes_the_answer(name, n):
    target = resolve(name, n)
    assert length_complexity(target).length_complexity == _plain_length(target)


def test_symmetry_breaking_on_every_4_input_class():
    from theorymodel.complexity.npn import classes, to_tt

    for code in classes(4):
        target = resolve("tt:" + to_tt(code, 4), 4)
        assert length_complexity(target).length_complexity == _plain_length(target), to_tt(code, 4)
