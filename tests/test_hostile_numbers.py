"""Numbers in predictor files are read exactly or refused (theorymodel/predictor/numbers.py):
the red team's false "verified" files, each now a real counterexample or exit 2, under
every method; and a stop signal that lands in a finaliser still stops the command."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from theorymodel.cli import main

A = 2**60
METHODS = ["auto", "z3", "exhaustive", "both"]


@pytest.fixture
def buf(tmp_path: Path) -> Path:
    path = tmp_path / "buf.bench"
    path.write_text("INPUT(a)\nOUTPUT(y)\ny = BUFF(a)\n")
    return path


def npz(path: Path, entries, bias, wdtype, bdtype, **extra) -> Path:
    """predictor.npz with n = 1, one generated token, dictionary 0/1; ``entries`` are
    (score row = token, column = position * 2 + token read, value)."""
    entries = sorted(entries)
    w_ptr = np.searchsorted([r for r, _, _ in entries], np.arange(3))
    bias = sorted(bias)
    arrays = {
        "format": np.array("theorymodel-predictor-v1"), "vocab": np.array(["0", "1"]),
        "input_alphabet": np.array(["0", "1"]), "n_inputs": np.array(1),
        "W_data": np.array([v for _, _, v in entries], dtype=wdtype),
        "W_indices": np.array([c for _, c, _ in entries], dtype=np.int64), "W_indptr": w_ptr.astype(np.int64),
        "W_shape": np.array([2, 4]), "b_data": np.array([v for _, v in bias], dtype=bdtype),
        "b_indices": np.array([d for d, _ in bias], dtype=np.int64), "b_indptr": np.array([0, len(bias)]),
        "b_shape": np.array([1, 2]), "answer_kind": np.array("bits"),
        "answer_positions": np.array([1]), "answer_symbols": np.array([], dtype=str), "answer_blank": np.array(""),
    }
    arrays.update(extra)
    np.savez(path, allow_pickle=False, **arrays)
    return path


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("method", METHODS)
def test_integers_beside_float_biases_are_not_rounded(tmp_path, buf, capsys, method):
    # input 1: token 0 scores 2^60 + 1, token 1 scores 2^60 + 0.5; a float64 image ties them
    f = npz(tmp_path / "a.npz", [(0, 1, A + 1), (1, 1, A), (0, 0, 1)], [(1, 0.5)], np.int64, np.float64)
    code, err = run(capsys, "counterexample", f, buf, "--n", "1", "--method", method)
    assert code == 1 and "counterexample '1'" in err


def test_unsigned_values_beyond_int64_are_refused_not_wrapped(tmp_path, buf, capsys):
    f = npz(tmp_path / "a.npz", [(1, 1, 1), (0, 1, 2**64 - 1), (0, 0, 1)], [(0, 0)], np.uint64, np.int64)
    code, err = run(capsys, "counterexample", f, buf, "--n", "1")
    assert code == 2 and "64-bit signed range" in err


@pytest.mark.parametrize(("dtype", "words"), [(np.longdouble, "float128"), (np.complex128, "complex128"),
                                              (np.bool_, "bool")])
def test_dtypes_that_would_need_a_conversion_are_refused(tmp_path, buf, capsys, dtype, words):
    if np.dtype(dtype).itemsize <= 8 and dtype is np.longdouble:
        pytest.skip("this platform's long double is a float64")  # nothing to round
    f = npz(tmp_path / "a.npz", [(1, 1, 1), (0, 0, 1)], [(0, 0)], dtype, np.int64)
    code, err = run(capsys, "counterexample", f, buf, "--n", "1")
    assert code == 2 and err.startswith("error:") and "16/32/64-bit floats" in err


@pytest.mark.parametrize("method", ["auto", "z3", "exhaustive"])
def test_an_all_integer_linearmodel_file_is_read_exactly(tmp_path, buf, capsys, method):
    W1 = np.zeros((4, 4), dtype=np.int64)
    W1[0, 1], W1[1, 1], W1[0, 0] = A + 1, A, 2  # input 1: an exact tie of 2^60 + 1
    f = tmp_path / "lm.npz"
    np.savez(f, allow_pickle=False, **{
        "in_embedding.weight": np.eye(2, dtype=np.int64), "linear1.weight": W1,
        "linear1.bias": np.array([0, 1, 0, 0], dtype=np.int64), "out_embedding.weight": np.eye(2, dtype=np.int64),
        "out_embedding.bias": np.zeros(2, dtype=np.int64), "vocab": np.array(["0", "1"]),
        "context_length": np.array(2), "input_tokens": np.array(1)})
    code, err = run(capsys, "counterexample", f, buf, "--n", "1", "--method", method)
    assert code == 1 and "counterexample '1'" in err


@pytest.mark.parametrize(("key", "value", "words"), [
    ("input_alphabet", np.array(["0", "1", "1"]), "twice"),
    ("answer_blank", np.array(["", ""]), "one string"),
    ("vocab", np.array([0, 1]), "strings"),
])
def test_malformed_layout_arrays_are_refused(tmp_path, buf, capsys, key, value, words):
    f = npz(tmp_path / "a.npz", [(1, 1, 1), (0, 0, 1)], [(0, 0)], np.int64, np.int64, **{key: value})
    code, err = run(capsys, "counterexample", f, buf, "--n", "1")
    assert code == 2 and words in err


@pytest.mark.parametrize("method", ["auto", "z3", "sat", "exhaustive"])
def test_a_file_that_never_reads_input_1_is_refused_by_every_method(tmp_path, buf, capsys, method):
    f = npz(tmp_path / "a.npz", [(1, 1, 1), (0, 0, 1)], [(0, 0)], np.int64, np.int64,
            input_alphabet=np.array(["0"]))
    code, err = run(capsys, "counterexample", f, buf, "--n", "1", "--method", method)
    assert code == 2 and "input alphabet" in err


def test_a_stop_signal_inside_a_finaliser_still_stops_the_command(tmp_path):
    script = tmp_path / "stop.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, z3
        from theorymodel.cli import main
        original, seen = z3.AstRef.__del__, [0]
        def finaliser(self):  # the signal arrives while a z3 object is being freed
            seen[0] += 1
            if seen[0] == 200:
                os.kill(os.getpid(), signal.SIGTERM)
            original(self)
        z3.AstRef.__del__ = finaliser
        sys.exit(main(sys.argv[1:]))
    """))
    circuit = Path(__file__).resolve().parents[1] / "examples" / "circuits" / "c432.bench"
    proc = subprocess.run([sys.executable, str(script), "verify", str(circuit), "--n", "36", "--method", "z3",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 143 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == ["error: interrupted"]


@pytest.mark.parametrize("method", METHODS)
def test_a_weight_of_int64_minimum_is_read_exactly(tmp_path, buf, capsys, method):
    # input 1: token 1 scores -2^63 - 8 exactly, so token 0 wins and the answer is wrong; in
    # int64 the sum wraps to 2^63 - 8 and the file looks right (np.abs(-2^63) is -2^63)
    f = npz(tmp_path / "a.npz", [(1, 1, np.iinfo(np.int64).min)], [(1, -8)], np.int64, np.int64)
    code, err = run(capsys, "counterexample", f, buf, "--n", "1", "--method", method)
    assert code == 1 and "counterexample '1'" in err
