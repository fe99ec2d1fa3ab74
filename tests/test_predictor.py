"""The linear predictor: exported weights under an independent forward pass, exact
margins, the perturbation tolerance (inside: safe; just outside: a flip), import."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import scipy.sparse as sp
from linearlm_numpy import greedy_decode

from theorymodel.compile import compile_target
from theorymodel.errors import FormatError, ResourceLimitError
from theorymodel.machines import library
from theorymodel.predictor import LinearPredictor, load, save_linearlm, save_predictor, tolerance

CASES = [("binary_increment", 3, "tableau"), ("binary_increment", 2, "circuit"),
         ("binary_palindrome", 3, "tableau"), ("parity", 3, "circuit"), ("ternary_increment", 2, "tableau"),
         ("zeros_then_ones", 2, "circuit"), ("unary_addition", 3, "tableau")]


def build(name, n, route):
    tm = library.load(name)
    program = compile_target(tm, n=n, route=route).program
    words = list(product(tm.input_symbols, repeat=n))
    x = program.encode_inputs(words)
    return program, LinearPredictor.from_program(program), x, program.evaluate(x)


@pytest.mark.parametrize("name, n, route", CASES)
def test_export_regenerates_every_cot_under_plain_numpy(name, n, route, tmp_path):
    program, pred, x, ref = build(name, n, route)
    path = save_linearlm(pred, tmp_path / "lm.npz")
    state = dict(np.load(path))
    assert set(state) >= {"in_embedding.weight", "linear1.weight", "linear1.bias", "out_embedding.weight",
                          "out_embedding.bias", "vocab", "context_length"}
    C, V = program.context_length, len(program.vocab)
    assert int(state["context_length"]) == C and state["linear1.weight"].shape == (C * V, C * V)
    assert list(state["vocab"]) == list(program.vocab)
    # the mask: output position t reads positions <= t only
    W = state["linear1.weight"]
    for t in range(C):
        assert not W[t * V:(t + 1) * V, (t + 1) * V:].any()
    for row_x, row_ref in zip(x, ref, strict=True):
        seq, strict = greedy_decode(state, list(row_x))
        assert strict and seq == list(row_ref)


@pytest.mark.parametrize("name, n, route", CASES)
def test_margins_exactly_positive_and_integer(name, n, route):
    _, pred, x, ref = build(name, n, route)
    assert pred.is_exact and pred.weights.dtype == np.int64
    r = pred.rollout(x, reference=ref, margins=True)
    assert r.margins.dtype == np.int64 and r.margins.min() >= 1 and not r.ties.any()
    assert (r.first_error < 0).all()


def block_perturbation(pred: LinearPredictor, eps: float, rng) -> LinearPredictor:
    """Every entry of every position's block (fan-in positions x all tokens, and the
    bias) moved by a uniform amount in (-eps, eps)."""
    V, n = pred.V, pred.n_inputs
    rows, cols, vals = [], [], []
    for k, (pos, _, _, _) in enumerate(pred.blocks()):
        reads = np.unique(pos)
        d, p, y = np.meshgrid(np.arange(V), reads, np.arange(V), indexing="ij")
        rows.append((k * V + d).ravel())
        cols.append((p * V + y).ravel())
        vals.append(rng.uniform(-eps, eps, size=d.size))
    noise = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=pred.weights.shape)
    bias_noise = rng.uniform(-eps, eps, size=pred.bias.shape)
    return LinearPredictor(pred.vocab, n, (pred.weights.astype(np.float64) + noise).tocsr(),
                           sp.csr_matrix(pred.bias.toarray() + bias_noise), pred.answer, pred.input_alphabet)


@pytest.mark.parametrize("name, n, route", CASES[:4])
def test_perturbation_tolerance_is_tight(name, n, route):
    _, pred, x, ref = build(name, n, route)
    r = pred.rollout(x, reference=ref, margins=True)
    per_pos = r.margins.min(axis=0)
    fan = pred.fan_in()
    tol = tolerance(per_pos, fan)
    assert tol == min(Fraction(int(m), 2 * (int(f) + 1)) for m, f in zip(per_pos, fan, strict=True))
    rng = np.random.default_rng(0)
    for _ in range(20):  # inside the tolerance: never a change
        noisy = block_perturbation(pred, float(tol) * 0.999, rng)
        assert np.array_equal(noisy.rollout(x).sequences, ref)
    # just outside: push the right token down and the runner-up up on the active entries
    ratio = [Fraction(int(m), 2 * (int(f) + 1)) for m, f in zip(per_pos, fan, strict=True)]
    k = int(np.argmin([float(q) for q in ratio]))
    b = int(np.argmin(r.margins[:, k]))
    eps = float(tol) * 1.001
    V, npos = pred.V, pred.n_inputs + k
    seq = ref[b]
    right = int(seq[npos])
    scores = {}
    for d in range(V):  # exact scores at (b, k) to find the runner-up
        pos, tok, dd, w = pred.blocks()[k]
        scores[d] = int(pred.bias[k, d]) + int(w[(dd == d) & (seq[pos] == tok)].sum())
    runner = max((d for d in range(V) if d != right), key=lambda d: scores[d])
    W = pred.weights.astype(np.float64).tolil()
    bias = pred.bias.astype(np.float64).toarray()
    for p in np.unique(pred.blocks()[k][0]):
        col = int(p) * V + int(seq[p])
        W[k * V + right, col] -= eps
        W[k * V + runner, col] += eps
    bias[k, right] -= eps
    bias[k, runner] += eps
    bad = LinearPredictor(pred.vocab, pred.n_inputs, W.tocsr(), sp.csr_matrix(bias), pred.answer,
                          pred.input_alphabet)
    out = bad.rollout(x[b:b + 1], reference=ref[b:b + 1], teacher_forced=True)
    assert out.first_error[0] == npos


def test_predictor_npz_round_trip(tmp_path):
    program, pred, x, ref = build("binary_palindrome", 3, "circuit")
    back = load(save_predictor(pred, tmp_path / "p.npz"))
    assert back.vocab == pred.vocab and back.answer == pred.answer and back.is_exact
    assert (back.weights != pred.weights).nnz == 0
    seqs = back.rollout(x).sequences
    assert np.array_equal(seqs, ref)
    assert [back.decode(s) for s in seqs] == [program.decode(s) for s in ref]


def test_import_general_linearlm_layout(tmp_path):
    """Weights in the paper's layout with non-identity embeddings load as an
    equivalent predictor (here 2I in, 3I out: every score times 3)."""
    _, pred, x, ref = build("parity", 3, "tableau")
    path = save_linearlm(pred, tmp_path / "lm.npz")
    state = dict(np.load(path))
    state["in_embedding.weight"] = state["in_embedding.weight"] * 2
    state["linear1.weight"] = state["linear1.weight"] / 2
    state["out_embedding.weight"] = state["out_embedding.weight"] * 3
    del state["input_tokens"]
    np.savez(tmp_path / "foreign.npz", **state)
    with pytest.raises(Exception, match="--n"):
        load(tmp_path / "foreign.npz")
    other = load(tmp_path / "foreign.npz", n_inputs=3)
    assert other.is_exact
    r = other.rollout(x, reference=ref, margins=True)
    assert (r.first_error < 0).all() and r.margins.min() == 3


def test_export_size_cap_and_bad_files(tmp_path):
    _, pred, _, _ = build("parity", 3, "circuit")
    with pytest.raises(ResourceLimitError) as info:
        save_linearlm(pred, tmp_path / "big.npz", max_bytes=1000)
    assert info.value.details["bytes"] > 1000 and not (tmp_path / "big.npz").exists()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(FormatError):
        load(bad)
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(FormatError):
        load(tmp_path / "other.npz")


def test_linearlm_entries_the_forward_pass_never_reads_do_not_set_the_scale(tmp_path):
    """A subnormal (or 1e308) above the mask, or in a row no generated position uses, is
    never read: the file loads as the same predictor, not "int too large to convert"; a
    subnormal in a row that is read is kept exactly (it changes no argmax here)."""
    _, pred, x, ref = build("parity", 3, "tableau")
    state = dict(np.load(save_linearlm(pred, tmp_path / "lm.npz")))
    w = state["linear1.weight"].astype(np.float64)
    d = state["in_embedding.weight"].shape[1]
    w[-1, -1] = 5e-324  # the last position predicts nothing generated
    w[0, 0] = 1e308  # position 0 predicts an input token: never read
    w[3 * d, 5 * d] = 5e-324  # above the mask of position 3
    state["linear1.weight"] = w
    np.savez(tmp_path / "odd.npz", **state)
    odd = load(tmp_path / "odd.npz")
    assert odd.is_exact and np.array_equal(odd.rollout(x).sequences, ref)
    w[3 * d, 0] += 2.0**-1074  # read: kept exactly, the scale is 2^1074 and more
    np.savez(tmp_path / "read.npz", **state)
    read = load(tmp_path / "read.npz")
    assert read.arithmetic == "exact-rational" and np.array_equal(read.rollout(x).sequences, ref)
