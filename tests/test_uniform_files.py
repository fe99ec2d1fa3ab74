"""``verify --uniform FILE`` proves the file's own forward pass (issue 21, item 3).

A differential test: hundreds of mutants of the arrays *and* the metadata of uniform
files (the tile file and ``predictor.npz`` of the uniform route) over bundled machines.
The oracle is written here from ``np.load`` alone: a forward pass (argmax; a tie is wrong)
and a step-by-step machine, sharing no code with the package. Whenever the verdict is
"proved", that pass must be right on random inputs up to n = 20 in every window that
fits; whenever it is "refuted", the pass must be wrong on the counterexample.

``python bench/uniform_file_mutants.py`` reruns :func:`campaign` and prints the table.
"""

from __future__ import annotations

import collections
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest

from proofs_check.uniform.invariance import uniform_claim_for_file
from theorymodel.compile.uniform import compile_uniform
from theorymodel.errors import TheoryModelError
from theorymodel.machines import library
from theorymodel.predictor.uniform_file import uniform_file_bytes
from theorymodel.program.uniform import UniformLayout

MACHINES = ("binary_increment", "binary_palindrome", "parity", "zeros_then_ones")
WIDTH = 24  # room for inputs up to n = 20 with blank margins


# -- the oracle: a machine and a forward pass written from the definitions -----------------
def machine_rows(tm, word: tuple[str, ...], width: int, offset: int, rows: int) -> list[list[str]] | None:
    """Rows 0..rows of the run in a window (cells then '#'), a halted row repeating; None if
    the head leaves the window."""
    tape = {offset + i: s for i, s in enumerate(word)}
    state, head = tm.initial_state, offset
    out = []
    for _ in range(rows + 1):
        if not 0 <= head < width:
            return None
        out.append([f"[{state}]{tape.get(c, tm.blank_symbol)}" if c == head else tape.get(c, tm.blank_symbol)
                    for c in range(width)] + ["#"])
        step = tm.transition(state, tape.get(head, tm.blank_symbol))
        if step is not None:
            tape[head] = step.write
            state = step.next_state
            head += {"L": -1, "R": 1, "N": 0, "S": 0}[step.move]
    return out


def halts_within(tm, word: tuple[str, ...], limit: int) -> int | None:
    tape = dict(enumerate(word))
    state, head = tm.initial_state, 0
    for t in range(limit):
        step = tm.transition(state, tape.get(head, tm.blank_symbol))
        if step is None:
            return t
        tape[head] = step.write
        state = step.next_state
        head += {"L": -1, "R": 1, "N": 0, "S": 0}[step.move]
    return None


def tile_pass(z: dict[str, np.ndarray], prompt: list[int], positions: int) -> list[int | None]:
    """The tile file's forward pass: token p from x[p-1-o] for the file's offsets o, logits
    out . (sum_j K_j emb[x] + b1) + b_out; None where the argmax ties. A row's W cells read
    only the row above, so they are computed together (then its '#')."""
    emb = np.asarray(z["in_embedding.weight"], dtype=np.float64)
    out = np.asarray(z["out_embedding.weight"], dtype=np.float64)
    S = [out @ np.asarray(z["linear1.kernel"][j], dtype=np.float64) @ emb.T for j in range(3)]
    bias = out @ np.asarray(z["linear1.bias"], dtype=np.float64) + np.asarray(z["out_embedding.bias"], np.float64)
    offsets = [int(o) for o in z["linear1.kernel_offsets"]]
    x = np.full(positions, -1, dtype=np.int64)
    x[:len(prompt)] = prompt

    def predict(ps: np.ndarray) -> bool:
        reads = [x[ps - 1 - o] for o in offsets]
        if any((r < 0).any() for r in reads):
            return False
        logits = bias + sum(S[j][:, r].T for j, r in enumerate(reads))
        best = logits.argmax(axis=1)
        ties = (logits == logits[np.arange(len(ps)), best][:, None]).sum(axis=1) > 1
        x[ps] = np.where(ties, -1, best)
        return not ties.any()

    width = int(z["width"])
    p = len(prompt)
    while p < positions:
        row = np.arange(p, min(p + width, positions))
        if not predict(row):
            break
        p += len(row)
        if p < positions and not predict(np.array([p])):
            break
        p += 1
    return [int(v) if v >= 0 else None for v in x]


def tile_is_right(tm, z: dict[str, np.ndarray], rng: random.Random, inputs: int = 3) -> tuple[bool, str]:
    """Random inputs up to n = 20, each in random windows that fit: the pass vs the machine."""
    vocab = [str(v) for v in z["vocab"]]
    width, C = int(z["width"]), int(z["context_length"])
    tid = {t: vocab.index(t) for t in vocab}
    for _ in range(inputs):
        n = rng.randint(0, 20)
        word = tuple(rng.choice(tm.input_symbols) for _ in range(n))
        T = halts_within(tm, word, 2000)
        if T is None:
            continue
        fits = [o for o in range(width) if machine_rows(tm, word, width, o, T) is not None and o + n <= width]
        for offset in rng.sample(fits, min(2, len(fits))):
            rows_in_c = (C - (width + 2)) // (width + 1) + 1
            want = machine_rows(tm, word, width, offset, min(T + 1, rows_in_c))
            assert want is not None
            flat = ["#", *want[0]] + [t for row in want[1:] for t in row]
            upto = min(C, len(flat))
            got = tile_pass(z, [tid[t] for t in flat[:width + 2]], upto)
            for p in range(width + 2, upto):
                if got[p] is None or vocab[got[p]] != flat[p]:
                    return False, f"input {''.join(word)!r} at cell {offset}: position {p}"
    return True, ""


def predictor_pass(z: dict[str, np.ndarray], word_ids: list[int]) -> list[int | None]:
    """predictor.npz's forward pass from its CSR arrays: row k scores token d at position n+k."""
    import scipy.sparse as sp

    W = sp.csr_matrix((z["W_data"], z["W_indices"], z["W_indptr"]), shape=tuple(z["W_shape"]))
    b = sp.csr_matrix((z["b_data"], z["b_indices"], z["b_indptr"]), shape=tuple(z["b_shape"])).toarray()
    V = len(z["vocab"])
    x: list[int | None] = list(word_ids)
    for k in range(b.shape[0]):
        onehot = np.zeros(W.shape[1])
        for p, t in enumerate(x):
            if t is None:
                return x
            onehot[p * V + t] = 1
        logits = W[k * V:(k + 1) * V].toarray() @ onehot + b[k]
        best = int(np.argmax(logits))
        x.append(best if (logits == logits[best]).sum() == 1 else None)
    return x


def predictor_is_right(tm, z: dict[str, np.ndarray]) -> tuple[bool, str]:
    """Every input of the file's length: the decoded answer (what a user reads) is the machine's."""
    from itertools import product

    vocab = [str(v) for v in z["vocab"]]
    n = int(z["n_inputs"])
    positions = [int(p) for p in z["answer_positions"]]
    for word in product(tm.input_symbols, repeat=n):
        T = halts_within(tm, word, 10_000)
        x = predictor_pass(z, [vocab.index(s) for s in word])
        if T is None or any(p >= len(x) or x[p] is None for p in positions):
            return False, f"input {''.join(word)!r}"
        got = [vocab[x[p]] for p in positions]
        tape = dict(enumerate(word))
        state, head = tm.initial_state, 0
        while (step := tm.transition(state, tape.get(head, tm.blank_symbol))) is not None:
            tape[head] = step.write
            state, head = step.next_state, head + {"L": -1, "R": 1, "N": 0, "S": 0}[step.move]
        if str(z["answer_kind"]) == "accept":
            want = ["1" if state in tm.final_states else "0"]
            got_answer = got
        else:
            cells = [tape[c] for c in sorted(tape)]
            want = "".join(cells).strip(tm.blank_symbol)
            got_answer = "".join(got).strip(tm.blank_symbol)
        if got_answer != want:
            return False, f"input {''.join(word)!r}: {got_answer!r} vs {want!r}"
    return True, ""


# -- the mutants ----------------------------------------------------------------------------
def npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def load(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def tile_mutants(base: dict[str, np.ndarray], rng: random.Random, count: int) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = [("untouched", dict(base))]
    d = base["in_embedding.weight"].shape[1]
    W = int(base["width"])
    meta = [("width+1", "width", np.array(W + 1)), ("width float", "width", np.array(W + 0.0)),
            ("width 5.7", "width", np.array(5.7)), ("width 2^63-1", "width", np.array(2**63 - 1)),
            ("width 10^12", "width", np.array(10**12)), ("offset = width", "offset", np.array(W)),
            ("offset -1", "offset", np.array(-1)), ("context -5", "context_length", np.array(-5)),
            ("context 3", "context_length", np.array(3)), ("context = prompt", "context_length", np.array(W + 2)),
            ("context 2^63-1", "context_length", np.array(2**63 - 1)),
            ("input_tokens 10^9", "input_tokens", np.array(10**9)),
            ("input_tokens W+1", "input_tokens", np.array(W + 1)),
            ("offsets permuted", "linear1.kernel_offsets", base["linear1.kernel_offsets"][::-1].copy()),
            ("offsets float", "linear1.kernel_offsets", base["linear1.kernel_offsets"].astype(np.float64)),
            ("offsets 2-D", "linear1.kernel_offsets", base["linear1.kernel_offsets"].reshape(3, 1)),
            ("kernel strings", "linear1.kernel", base["linear1.kernel"].astype(str)),
            ("kernel complex", "linear1.kernel", base["linear1.kernel"].astype(np.complex128)),
            ("bias bool", "linear1.bias", base["linear1.bias"] != 0),
            ("dense layer beside the tile", "linear1.weight", np.zeros((4 * d, 4 * d), np.float32)),
            ("layout renamed", "layout", np.array("something-else")),
            ("vocab spelled twice", "vocab", np.array([*base["vocab"][:-1], base["vocab"][1]])),
            ("vocab swapped", "vocab", np.array([base["vocab"][0], base["vocab"][2], base["vocab"][1],
                                                 *base["vocab"][3:]]))]
    for name, key, value in meta:
        m = dict(base)
        m[key] = value
        out.append((name, m))
    keys = ("linear1.kernel", "linear1.bias", "in_embedding.weight", "out_embedding.weight", "out_embedding.bias")
    while len(out) < count:
        m = dict(base)
        key = rng.choice(keys)
        a = np.array(m[key], dtype=np.float32)
        index = tuple(rng.randrange(s) for s in a.shape)
        a[index] += rng.choice((-1.0, 1.0, -0.5, 0.5, -2.0))
        m[key] = a
        out.append((f"{key}{list(index)}", m))
    return out


def classify(path: Path, tm, max_n: int = 3) -> tuple[str, dict | None]:
    try:
        report = uniform_claim_for_file(path, tm, method="exhaustive", max_n=max_n)
    except TheoryModelError:
        return "refused", None
    if not report["uniform"]:
        return "not one table", report
    if report["verified"]:
        return "proved", report
    return ("refuted" if report["counterexample"] else "not proved"), report


def campaign(tmp: Path, per_machine: int = 130, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    counts: collections.Counter[str] = collections.Counter()
    for name in MACHINES:
        tm = library.load(name)
        rule = compile_uniform(tm)
        base = load(uniform_file_bytes(rule.vocab, (rule.left, rule.middle, rule.right, rule.bias),
                                       UniformLayout(WIDTH, 2), context_length=(WIDTH + 1) * 240))
        for label, arrays in tile_mutants(base, rng, per_machine):
            path = tmp / "m.npz"
            path.write_bytes(npz(arrays))
            kind, report = classify(path, tm)
            counts["mutants"] += 1
            counts[kind] += 1
            if label == "untouched":
                assert kind == "proved", (name, report)
            if kind == "proved":
                right, where = tile_is_right(tm, arrays, rng)
                assert right, (name, label, where)
            if kind == "refuted":
                assert report is not None
                cex = report["counterexample"]
                word = tuple(cex["input"]) if cex["input"] else ()
                w = cex["width"]
                rows = machine_rows(tm, word, w, cex["offset"], cex["row"])
                assert rows is not None, (name, label, cex)
                # the same tile in rows of the counterexample's width (the claim covers every width)
                narrow = dict(arrays, **{"linear1.kernel_offsets": np.array([w + 1, w, w - 1]),
                                         "width": np.array(w)})
                flat = ["#", *rows[0]] + [t for row in rows[1:] for t in row]
                vocab = [str(v) for v in arrays["vocab"]]
                got = tile_pass(narrow, [vocab.index(t) for t in flat[:w + 2]], len(flat))
                wrong = any(g is None or vocab[g] != f for g, f in zip(got[w + 2:], flat[w + 2:], strict=True))
                assert wrong, (name, label, cex)
                counts["refuted, replayed on the test's pass"] += 1
    return dict(counts)


def test_tile_file_mutants_every_proof_is_of_a_right_forward_pass(tmp_path):
    counts = campaign(tmp_path)
    assert counts["mutants"] >= 500
    assert counts["proved"] >= 4 and counts["refused"] >= 4 * 22 and counts["refuted"] >= 100
    assert counts["refuted, replayed on the test's pass"] == counts["refuted"]
    print(counts)


# -- predictor.npz of the uniform route: every position, row 0 and the answer included --------
@pytest.fixture(scope="module")
def route_file(tmp_path_factory) -> Path:
    from theorymodel.cli import main

    out = tmp_path_factory.mktemp("route")
    assert main(["compile", "binary_increment", "--n", "3", "--route", "uniform", "--out", str(out)]) == 0
    return out / "predictor.npz"


def _edit(route_file: Path, tmp: Path, change) -> Path:
    arrays = load(route_file.read_bytes())
    change(arrays)
    path = tmp / "edited.npz"
    path.write_bytes(npz(arrays))
    return path


def _position_entries(arrays: dict, k: int) -> np.ndarray:
    """Indices into W_data of generated position k's weights."""
    V = len(arrays["vocab"])
    ptr = arrays["W_indptr"]
    return np.arange(ptr[k * V], ptr[(k + 1) * V])


def route_mutants(route_file: Path) -> list[tuple[str, callable]]:
    arrays = load(route_file.read_bytes())
    meta = json.loads(str(arrays["meta"]))
    W = meta["width"]
    n_gen = int(arrays["b_shape"][0])
    out = []

    def weight_change(k: int, which: int, delta: float):
        def change(a: dict) -> None:
            idx = _position_entries(a, k)
            key, ptr = ("W_data", idx) if len(idx) else ("b_data", np.arange(a["b_indptr"][k], a["b_indptr"][k + 1]))
            data = np.array(a[key], dtype=np.float64)
            data[ptr[which % len(ptr)]] += delta
            a[key] = data
        return change

    for k in range(n_gen):  # every position: row 0's construction, the rows, the answer
        for which, delta in ((0, -1.0), (1, 2.0)):
            out.append((f"position {k} weight {which} {delta:+}", weight_change(k, which, delta)))

    def set_meta(**kw):
        def change(a: dict) -> None:
            a["meta"] = np.array(json.dumps({**meta, **kw}))
        return change

    out += [("cell_tokens W+3", set_meta(cell_tokens=W + 3)), ("width+1 in meta", set_meta(width=W + 1)),
            ("route removed", lambda a: a.update(meta=np.array(json.dumps({k: v for k, v in meta.items()
                                                                            if k != "route"})))),
            ("width string", set_meta(width="x")), ("reach wrong", set_meta(reach=[0, 0])),
            ("time_bound 1", set_meta(time_bound=1))]
    return out


def test_route_file_mutants_every_position_is_checked(route_file, tmp_path):
    tm = library.load("binary_increment")
    counts: collections.Counter[str] = collections.Counter()
    for label, change in route_mutants(route_file):
        path = _edit(route_file, tmp_path, change)
        kind, _report = classify(path, tm)
        counts[kind] += 1
        # only a proof can be false here: a refusal or a failed proof of a right file loses a proof
        if kind == "proved":
            right, where = predictor_is_right(tm, load(path.read_bytes()))
            assert right, (label, where)
    assert counts["proved"] >= 1 and sum(counts.values()) - counts["proved"] >= 40
    print(dict(counts))


def test_a_broken_row_zero_is_caught(route_file, tmp_path):
    tm = library.load("binary_increment")
    assert classify(route_file, tm)[0] == "proved"

    offset = json.loads(str(load(route_file.read_bytes())["meta"]))["offset"]

    def break_row_zero(a: dict) -> None:  # row 0's cell holding the input's first symbol (after '#')
        idx = _position_entries(a, 1 + offset)
        assert len(idx)
        data = np.array(a["W_data"], dtype=np.float64)
        data[idx] = 0
        a["W_data"] = data

    kind, report = classify(_edit(route_file, tmp_path, break_row_zero), tm)
    assert kind == "refuted" and report["whole_file"]["counterexample"] is not None


def test_a_shrunk_cell_tokens_leaves_no_position_unchecked(route_file, tmp_path):
    """meta.cell_tokens = W + 3 once limited the check to one position; a broken row 3 was proved."""
    tm = library.load("binary_increment")
    arrays = load(route_file.read_bytes())
    meta = json.loads(str(arrays["meta"]))
    W = meta["width"]
    row3 = W + 2 + 2 * (W + 1) + 1  # a cell of row 3

    def change(a: dict) -> None:
        a["meta"] = np.array(json.dumps({**meta, "cell_tokens": W + 3}))
        idx = _position_entries(a, row3)
        data = np.array(a["W_data"], dtype=np.float64)
        data[idx[0]] += 5
        a["W_data"] = data

    kind, report = classify(_edit(route_file, tmp_path, change), tm)
    assert kind in ("not one table", "refuted"), report
    report = uniform_claim_for_file(route_file, tm)
    assert report["tiled_positions"] == report["covers"]["rows"] * (W + 1)


def test_a_position_that_reads_itself_or_later_is_refused(route_file, tmp_path):
    """The first red-team round: a weight on a later position (or the position itself) made
    the project's roll-out and a causal reader disagree; such files are refused."""
    arrays = load(route_file.read_bytes())
    V = len(arrays["vocab"])
    n = int(arrays["n_inputs"])
    import scipy.sparse as sp

    from theorymodel.predictor import load as load_predictor

    for target in (0, 5):  # position n + 0 reads itself; reads n + 5 (later)
        W = sp.csr_matrix((arrays["W_data"], arrays["W_indices"], arrays["W_indptr"]),
                          shape=tuple(arrays["W_shape"])).tolil()
        W[0, (n + target) * V + 1] = 1.0
        W = W.tocsr()
        edited = dict(arrays, W_data=W.data.astype(np.float64), W_indices=W.indices, W_indptr=W.indptr)
        path = tmp_path / f"ahead{target}.npz"
        path.write_bytes(npz(edited))
        with pytest.raises(TheoryModelError, match="reads only the positions before it"):
            load_predictor(path)


def test_a_tile_whose_float_readers_may_disagree_is_not_proved(tmp_path):
    """Exact arithmetic proves a bias of 2^60 on every token; a float32 reader ties. Not proved."""
    tm = library.load("binary_increment")
    rule = compile_uniform(tm)
    arrays = load(uniform_file_bytes(rule.vocab, (rule.left, rule.middle, rule.right, rule.bias),
                                     UniformLayout(6, 1), context_length=7 * 20))
    path = tmp_path / "t.npz"
    path.write_bytes(npz(arrays))
    assert classify(path, tm)[0] == "proved"
    arrays["out_embedding.bias"] = np.full_like(arrays["out_embedding.bias"], 2.0**60)
    path.write_bytes(npz(arrays))
    kind, report = classify(path, tm)
    assert kind == "not proved" and report["float_readers"]["safe"] is False
    arrays["out_embedding.bias"] = arrays["out_embedding.bias"].astype(np.longdouble)
    path.write_bytes(npz(arrays))
    assert classify(path, tm)[0] == "refused"


def test_the_one_hot_fast_path_equals_the_exact_product():
    """uniform_file._selection/_gather (one-hot embeddings read as gathers) against the
    object-array product, on random selection matrices with empty rows and huge kernels;
    anything that is not a selection (two ones, a 2, a scaled 1) takes the product."""
    from theorymodel.predictor.uniform_file import _gather, _selection

    rng = np.random.default_rng(0)
    for _ in range(200):
        V, d = int(rng.integers(1, 7)), int(rng.integers(1, 7))
        emb = np.zeros((V, d), dtype=np.int64)
        out = np.zeros((V, d), dtype=np.int64)
        for m in (emb, out):
            for row in range(V):
                if rng.random() < 0.8:
                    m[row, rng.integers(0, d)] = 1
        k = np.array([[int(v) << 70 for v in r] for r in rng.integers(-9, 9, (d, d))], dtype=object)
        se, so = _selection(emb, 0), _selection(out, 0)
        assert se is not None and so is not None
        want = np.asarray(out, dtype=object) @ k @ np.asarray(emb, dtype=object).T
        assert (_gather(k, so, se) == want).all()
    two = np.array([[1, 1], [0, 1]])
    assert _selection(two, 0) is None and _selection(np.array([[2, 0]]), 0) is None
    assert _selection(np.array([[1, 0]]), 1) is None
