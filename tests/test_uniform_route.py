"""The uniform route as a registered route: its programs, the per-n proof of them, the
tiled LinearModel export read back by an independent numpy forward pass at n = 4..32,
and `verify --uniform PRED.npz MACHINE` on files of every kind (docs/uniform.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from proofs_check.per_length.simulation import configurations
from proofs_check.targets import check_target
from proofs_check.uniform.invariance import NotUniform, read_shared_table, rule_for_machine, shared_table
from proofs_check.uniform.proof import verify_uniform
from proofs_check.verdict import verify
from theorymodel.cli import main
from theorymodel.compile.geometry import evaluate_formula, uniform_formula
from theorymodel.compile.pipeline import compile_target
from theorymodel.compile.routes import ROUTES
from theorymodel.compile.uniform import compile_uniform
from theorymodel.errors import UsageError
from theorymodel.machines import library, reference_run
from theorymodel.predictor import LinearPredictor, load
from theorymodel.predictor.uniform_file import dense_layer, read, save_uniform_linearlm
from theorymodel.program.uniform import UniformLayout


def test_the_route_is_one_registry_record():
    route = ROUTES["uniform"]
    assert route.window_holds_input and str(route.formula("accept")) == "(T + 1)*(W + 1) + 2"


@pytest.mark.parametrize(("name", "n", "tokens", "width"), [
    ("binary_increment", 4, 84, 6), ("parity", 5, 51, 6), ("binary_palindrome", 6, 234, 7), ("bb3", 0, 138, 5),
])
def test_programs_have_the_formula_length_and_the_natural_width(name, n, tokens, width):
    res = compile_target(library.load(name), n=n, route="uniform")
    assert res.program.cot_tokens == tokens and res.program.meta["width"] == width
    tm = res.target
    assert evaluate_formula(uniform_formula(res.program.meta["output"]), res.machine_geometry, len(tm.states),
                            len(tm.tape_symbols)) == tokens


@pytest.mark.parametrize(("name", "n", "width"), [("binary_increment", 3, None), ("binary_palindrome", 4, None),
                                                  ("binary_palindrome", 3, 9), ("parity", 4, 7)])
def test_per_n_proof_and_enumeration_agree(name, n, width):
    res = compile_target(library.load(name), n=n, route="uniform", width=width)
    pred = LinearPredictor.from_program(res.program)
    check = check_target(res)
    proof = verify(check.target, pred, method="z3", reach=check.reach)
    assert proof.verified and proof.guarantee == "smt-proof"
    assert verify(check.target, pred, method="exhaustive").verified


def test_a_broken_shared_table_fails_the_per_n_proof_with_a_replayed_counterexample():
    res = compile_target(library.load("binary_increment"), n=3, route="uniform")
    middle = np.array(res.program.tables["shared_middle"])
    tid = res.program.token_id
    middle[tid["0"], tid["1"]] += 5  # '1' under the middle now writes '0' back
    program = res.program.replace(tables={"shared_middle": middle})
    pred = LinearPredictor.from_program(program)
    check = check_target(res)
    for method in ("z3", "exhaustive"):
        v = verify(check.target, pred, method=method, reach=check.reach)
        assert not v.verified and v.counterexample is not None


def test_width_narrower_than_the_run_is_refused():
    with pytest.raises(UsageError, match="narrower"):
        compile_target(library.load("binary_palindrome"), n=6, route="uniform", width=3)
    with pytest.raises(UsageError, match="fixed-width"):
        compile_target(library.load("binary_palindrome"), n=6, route="tableau", width=9)


# -- export: an independent numpy forward pass over the file's own arrays ----------------
def numpy_forward(path: Path, word: tuple[str, ...], tm, steps: int) -> list[str]:
    """Greedy decoding straight from the npz arrays (np.load, no theorymodel reader):
    logits_t = out_emb @ (sum_j kernel[j] @ in_emb[x_{t - offset_j}] + b1) + out_bias."""
    with np.load(path, allow_pickle=False) as z:
        vocab = [str(v) for v in z["vocab"]]
        emb, out, bout = z["in_embedding.weight"], z["out_embedding.weight"], z["out_embedding.bias"]
        kernel, offsets, b1 = z["linear1.kernel"], z["linear1.kernel_offsets"], z["linear1.bias"]
        W, offset = int(z["width"]), int(z["offset"])
    tid = {t: i for i, t in enumerate(vocab)}
    row = [tm.blank_symbol] * W
    row[offset:offset + len(word)] = word
    row[offset] = f"[{tm.initial_state}]{row[offset]}"
    seq = [tid["#"], *(tid[c] for c in row), tid["#"]]
    for _ in range(steps * (W + 1)):
        t = len(seq) - 1
        hidden = b1.astype(np.float64).copy()
        for j, o in enumerate(offsets.tolist()):
            hidden += kernel[j].astype(np.float64) @ emb[seq[t - o]].astype(np.float64)
        logits = out.astype(np.float64) @ hidden + bout
        best = int(np.argmax(logits))
        assert (logits == logits[best]).sum() == 1, "no strict argmax"
        seq.append(best)
    return [vocab[i] for i in seq]


def expected_tokens(tm, word, layout: UniformLayout, steps: int) -> list[str]:
    out = ["#"]
    for state, head, cells in configurations(tm, word, steps):
        for i in range(layout.width):
            sym = cells.get(i - layout.offset, tm.blank_symbol)
            out.append(f"[{state}]{sym}" if i - layout.offset == head else sym)
        out.append("#")
    return out


@pytest.mark.parametrize("name", ["binary_palindrome", "binary_increment"])
def test_one_exported_file_decodes_the_runs_at_n_4_8_16_32(tmp_path, name):
    tm = library.load(name)
    layout = UniformLayout(36, 1)  # holds every run up to n = 32 (a carry may move one cell left)
    path = save_uniform_linearlm(compile_uniform(tm), layout, tmp_path / "u.npz", context_length=10**6)
    assert path.stat().st_size < 20_000  # the tile, not the (C*d)^2 layer
    rng = np.random.default_rng(7)
    for n in (4, 8, 16, 32):
        for word in [tuple(rng.choice(tm.input_symbols, size=n).tolist()) for _ in range(2)]:
            steps = reference_run(tm, word).steps
            assert numpy_forward(path, word, tm, steps) == expected_tokens(tm, word, layout, steps)


def test_the_dense_layer_of_the_paper_is_the_tile_repeated(tmp_path):
    tm = library.load("parity")
    layout = UniformLayout(4, 0)
    path = save_uniform_linearlm(compile_uniform(tm), layout, tmp_path / "u.npz", context_length=30)
    layer, bias = dense_layer(path)
    with np.load(path) as z:
        emb, out, vocab = z["in_embedding.weight"], z["out_embedding.weight"], [str(v) for v in z["vocab"]]
    d = emb.shape[1]
    word = ("1", "0", "1")
    want = expected_tokens(tm, word, layout, 6)  # 36 tokens: halted rows repeat
    tid = {t: i for i, t in enumerate(vocab)}
    seq = [tid[t] for t in want[:layout.width + 2]]
    while len(seq) < 30:  # the paper's forward pass: one-hot context, masked layer, output embedding
        x = np.zeros(30 * d)
        for p, tok in enumerate(seq):
            x[p * d:(p + 1) * d] = emb[tok]
        t = len(seq) - 1
        h = layer @ x + bias
        seq.append(int(np.argmax(out @ h[t * d:(t + 1) * d])))
    assert [vocab[i] for i in seq] == want[:30]
    assert not layer[: (layout.width + 1) * d].any()  # the prompt predicts nothing


# -- verify --uniform PRED.npz MACHINE ----------------------------------------------------
def run_cli(args: list[str], capsys) -> tuple[int, dict]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_every_kind_of_uniform_file_is_proved(tmp_path, capsys):
    # binary_increment: its table is proved in about a second (binary_palindrome's takes ten,
    # and test_uniform.py proves that one already)
    assert main(["compile", "binary_increment", "--n", "3", "--route", "uniform", "--out", str(tmp_path / "c"),
                 "--export-linearlm", str(tmp_path / "tile.npz"), "--json"]) == 0
    capsys.readouterr()
    for path in (tmp_path / "c" / "predictor.npz", tmp_path / "tile.npz"):
        code, out = run_cli(["verify", "--uniform", str(path), "binary_increment"], capsys)
        assert code == 0 and out["verified"] and out["guarantee"] == "smt-proof-uniform" and out["uniform"]


def test_a_position_dependent_file_is_not_uniform(tmp_path, capsys):
    main(["compile", "binary_palindrome", "--n", "4", "--route", "tableau", "--out", str(tmp_path), "--json"])
    capsys.readouterr()
    code, out = run_cli(["verify", "--uniform", str(tmp_path / "predictor.npz"), "binary_palindrome"], capsys)
    assert code == 1 and not out["uniform"] and out["first_difference"]["position"] == 4
    assert "one weight block per position" in out["first_difference"]["reason"]


def test_one_changed_block_is_reported_at_its_position(tmp_path):
    res = compile_target(library.load("binary_increment"), n=3, route="uniform")
    pred = LinearPredictor.from_program(res.program)
    W = res.program.meta["width"]
    weights = pred.weights.tolil()
    k = W + 2 + 2 * (W + 1) + 1  # row 3, cell 1
    row = k * pred.V + pred.token_id["1"]
    col = (pred.n_inputs + k - W - 1) * pred.V + pred.token_id["0"]
    weights[row, col] = weights[row, col] + 1
    changed = LinearPredictor(pred.vocab, pred.n_inputs, weights.tocsr(), pred.bias, pred.answer,
                              pred.input_alphabet, dict(pred.meta), pred.labels)
    found = shared_table(changed, width=W, first=W + 2, stop=res.program.meta["cell_tokens"])
    assert isinstance(found, NotUniform) and found.position == pred.n_inputs + k
    assert "weight of '1' from '0'" in found.reason


def test_float_weights_are_read_exactly(tmp_path):
    """A tile scaled by 2^-20 is read as the exact rationals it holds (scale 2^20) and
    proved like the integer one."""
    tm = library.load("binary_increment")
    rule = compile_uniform(tm)
    path = tmp_path / "f.npz"
    save_uniform_linearlm(rule, UniformLayout(6, 1), path, context_length=50)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["linear1.kernel"] = (arrays["linear1.kernel"].astype(np.float64) * 2.0**-20).astype(np.float32)
    arrays["linear1.bias"] = (arrays["linear1.bias"].astype(np.float64) * 2.0**-20).astype(np.float32)
    np.savez(path, **arrays)
    table = read_shared_table(path)
    assert not isinstance(table, NotUniform)
    assert verify_uniform(tm, rule_for_machine(tm, table)).verified
    assert read(path).scale == 20


def test_counterexample_from_a_file_is_replayed(tmp_path, capsys):
    tm = library.load("binary_increment")
    rule = compile_uniform(tm)
    broken = rule.with_entry("middle", rule.token_id["0"], rule.token_id["1"], 5)
    path = save_uniform_linearlm(broken, UniformLayout(6, 1), tmp_path / "b.npz", context_length=60)
    code, out = run_cli(["verify", "--uniform", str(path), "binary_increment", "--max-n", "4"], capsys)
    assert code == 1 and not out["verified"] and out["counterexample"] is not None


def test_a_file_missing_the_machines_tokens_is_refused(tmp_path, capsys):
    path = save_uniform_linearlm(compile_uniform(library.load("parity")), UniformLayout(4, 0), tmp_path / "p.npz",
                                 context_length=20)
    assert main(["verify", "--uniform", str(path), "binary_increment"]) == 2
    assert "lacks the token" in capsys.readouterr().err


def test_context_length_needs_the_uniform_export(capsys):
    assert main(["compile", "parity", "--n", "3", "--context-length", "50"]) == 2
    assert "--context-length" in capsys.readouterr().err


def test_predictor_loads_back(tmp_path):
    main(["compile", "parity", "--n", "3", "--route", "uniform", "--out", str(tmp_path), "--json"])
    pred = load(tmp_path / "predictor.npz")
    assert pred.meta["route"] == "uniform" and pred.meta["width"] == 4


def test_counterexample_uniform_reports_found(tmp_path, capsys):
    tm = library.load("binary_increment")
    rule = compile_uniform(tm)
    path = save_uniform_linearlm(rule, UniformLayout(6, 1), tmp_path / "ok.npz", context_length=60)
    code, out = run_cli(["counterexample", "--uniform", str(path), "binary_increment"], capsys)
    assert code == 0 and out["found"] is False and out["verified"]
    broken = rule.with_entry("middle", rule.token_id["0"], rule.token_id["1"], 5)
    path = save_uniform_linearlm(broken, UniformLayout(6, 1), tmp_path / "bad.npz", context_length=60)
    code, out = run_cli(["counterexample", "--uniform", str(path), "binary_increment", "--max-n", "3"], capsys)
    assert code == 1 and out["found"] is True
    cex = out["counterexample"]
    assert reference_run(tm, tuple(cex["input"])).halted
