"""Any predictor file, not only ours: is it one shared table, and is that table right for
every input length (docs/uniform.md, "Any predictor file")?

A predictor is uniform when every generated position past the prompt row reads only the
three positions W+2, W+1 and W back, with the same weights and bias. Then its table is
extracted (exactly: integer scores at the file's common power of two, so argmax and ties
are the file's) and handed to the finite lemma of :mod:`proofs_check.uniform.proof`. When it
is not uniform, the first position that differs is reported.

Three kinds of file are read: the uniform LinearModel file (a tile, uniform by
construction), ``predictor.npz`` of ``compile --route uniform``, and the paper's dense
LinearModel layout whose prompt is the row-0 window (``#``, W cells, ``#``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from theorymodel.errors import FormatError, UsageError
from theorymodel.machines import TuringMachine
from theorymodel.predictor.linear import LinearPredictor
from theorymodel.predictor.uniform_file import narrow_integers
from theorymodel.program.uniform import UniformLayout, UniformRule, uniform_vocab


@dataclass(frozen=True)
class NotUniform:
    """Where a predictor stops being one shared table."""

    position: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "reason": self.reason}


@dataclass(frozen=True)
class SharedTable:
    """A table read from a file: scores of every token at the three offsets, exact."""

    vocab: tuple[str, ...]
    left: np.ndarray
    middle: np.ndarray
    right: np.ndarray
    bias: np.ndarray
    width: int
    positions_checked: int
    source: str
    whole_file: LinearPredictor | None = None  # a position-dependent file: checked position by position too
    rows: int = 0  # its rows 1..T (from the arrays)
    arrays: dict[str, np.ndarray] | None = None  # a tile file's arrays, for the float readers' check


def rule_for_machine(tm: TuringMachine, table: SharedTable) -> UniformRule:
    """The table as a :class:`UniformRule` over the machine's uniform dictionary (tokens
    reordered by spelling; extra tokens of the file kept as outputs that must lose).

    Raises
    ------
    UsageError
        When the file lacks one of the machine's tokens.
    """
    canonical, symbol_token, head = uniform_vocab(tm.tape_symbols, tm.states)
    index = {t: i for i, t in enumerate(table.vocab)}
    missing = [t for t in canonical if t not in index]
    if missing:
        raise UsageError(f"the predictor's dictionary lacks the token {missing[0]!r} of {tm.name}'s uniform "
                         f"layout (#, the tape symbols, the head tokens [q]s)")
    vocab = (*canonical, *(t for t in table.vocab if t not in set(canonical)))
    perm = np.array([index[t] for t in vocab], dtype=np.int64)

    def square(a: np.ndarray) -> np.ndarray:
        return np.asarray(a)[np.ix_(perm, perm)]

    return UniformRule(vocab, tm.tape_symbols, tm.states, tm.blank_symbol, tm.initial_state, symbol_token, head,
                       square(table.left), square(table.middle), square(table.right), np.asarray(table.bias)[perm])


def _block(pred: LinearPredictor, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                     np.ndarray, np.ndarray]:
    """Position k's weights as (distance back, input token, output token, value) sorted,
    and its bias (tokens, values)."""
    pos, tok, d, w = pred.blocks()[k]
    back = pred.n_inputs + k - np.asarray(pos, dtype=np.int64)
    order = np.lexsort((tok, d, back))
    b_tok, b_val = pred.bias_row(k)
    keep = np.asarray([v != 0 for v in b_val.tolist()], dtype=bool)
    return back[order], np.asarray(tok)[order], np.asarray(d)[order], np.asarray(w)[order], \
        np.asarray(b_tok)[keep], np.asarray(b_val)[keep]


def shared_table(pred: LinearPredictor, *, width: int, first: int, stop: int | None = None
                 ) -> SharedTable | NotUniform:
    """The one table of generated positions ``first .. stop-1``, or where they differ.

    A position must read only the positions ``width + 2``, ``width + 1`` and ``width`` back,
    and carry exactly the weights and bias of position ``first``.
    """
    stop = pred.n_generated if stop is None else stop
    if not 0 <= first < stop <= pred.n_generated:
        raise UsageError(f"the predictor has {pred.n_generated} generated positions; none past the prompt row")
    reads = {width + 2, width + 1, width}
    ref = _block(pred, first)
    for k in range(first, stop):
        cur = ref if k == first else _block(pred, k)
        p = pred.n_inputs + k
        far = sorted(set(cur[0].tolist()) - reads)
        if far:
            return NotUniform(p, f"position {p} reads position {p - far[0]} ({far[0]} back); a uniform predictor "
                                 f"reads only {width + 2}, {width + 1} and {width} back")
        if k != first and not all(np.array_equal(a, b) for a, b in zip(cur, ref, strict=True)):
            return NotUniform(p, f"position {p}'s weights differ from position {pred.n_inputs + first}'s: "
                                 f"{_first_difference(pred, cur, ref)}")
    V = pred.V
    tables = {o: np.zeros((V, V), dtype=object) for o in reads}
    for back, tok, d, w in zip(*(a.tolist() for a in ref[:4]), strict=True):
        tables[back][d, tok] = int(w)
    bias = np.zeros(V, dtype=object)
    for d, v in zip(ref[4].tolist(), ref[5].tolist(), strict=True):
        bias[d] = int(v)
    left, middle, right = (narrow_integers(tables[width + j]) for j in (2, 1, 0))
    return SharedTable(pred.vocab, left, middle, right, narrow_integers(bias), width, stop - first, "predictor")


def _first_difference(pred: LinearPredictor, cur: tuple, ref: tuple) -> str:
    def entries(block: tuple) -> dict[tuple[Any, ...], int]:
        out: dict[tuple[Any, ...], int] = {
            (int(b), int(t), int(d)): int(w) for b, t, d, w in zip(*(a.tolist() for a in block[:4]), strict=True)}
        out.update({("bias", int(d)): int(v) for d, v in zip(block[4].tolist(), block[5].tolist(), strict=True)})
        return out

    a, b = entries(cur), entries(ref)
    key = sorted((k for k in a.keys() | b.keys() if a.get(k, 0) != b.get(k, 0)), key=repr)[0]
    scale = pred.scale_exponent
    unit = "" if not scale else f" (x 2^-{scale})"
    if key[0] == "bias":
        return f"bias of {pred.vocab[key[1]]!r}: {a.get(key, 0)} vs {b.get(key, 0)}{unit}"
    back, tok, d = key
    return (f"weight of {pred.vocab[d]!r} from {pred.vocab[tok]!r} {back} back: {a.get(key, 0)} vs "
            f"{b.get(key, 0)}{unit}")


def read_shared_table(path: str | Path) -> SharedTable | NotUniform:
    """The shared table of a predictor file of any of the three kinds (module doc)."""
    from theorymodel.predictor.export import MAX_NPZ_BYTES, _read_npz, load_arrays
    from theorymodel.predictor.uniform_file import is_uniform_file

    arrays = _read_npz(Path(path), MAX_NPZ_BYTES)  # read once, whatever kind the file is
    if is_uniform_file(arrays):
        return tile_table(arrays, str(path))
    if "n_inputs" not in arrays and "input_tokens" not in arrays:
        raise FormatError(f"{path} does not say how many prompt tokens it has (input_tokens)")
    if "linear1.weight" in arrays and "format" not in arrays:
        try:
            far = _far_read(arrays)
        except (KeyError, ValueError, TypeError) as exc:
            raise FormatError(f"{path} is not a readable LinearModel file ({type(exc).__name__})") from None
        if far is not None:
            return far
    pred = load_arrays(arrays, Path(path))
    meta = pred.meta
    if meta.get("route") == "uniform" and "width" in meta:  # compile --route uniform: past '#', row 0, '#'
        return _route_file_table(pred, meta["width"])
    route = str(meta.get("route", ""))
    if route and route in _position_routes():
        first = pred.n_inputs
        return NotUniform(first, f"a {route}-route predictor has one weight block per position (its prompt is the "
                                 f"raw input, not a row-0 window); compile --route uniform writes one shared table")
    width = pred.n_inputs - 2  # a LinearModel whose prompt is '#', row 0, '#'
    if width < 1:
        raise UsageError(f"a uniform predictor's prompt is '#', a row of W >= 1 cells and '#'; this file's prompt "
                         f"has {pred.n_inputs} tokens")
    return shared_table(pred, width=width, first=0)


def tile_table(arrays: dict[str, np.ndarray], name: str) -> SharedTable:
    """The table of a uniform LinearModel file's arrays (checked by
    :func:`theorymodel.predictor.uniform_file.from_arrays`; ``name`` names them in errors)."""
    from theorymodel.predictor.uniform_file import from_arrays

    f = from_arrays(arrays, name)
    return SharedTable(f.vocab, f.left, f.middle, f.right, f.bias, f.width, f.context_length - f.width - 2,
                       "uniform-linearlm", arrays=arrays)


def _route_file_table(pred: LinearPredictor, width_hint: Any) -> SharedTable | NotUniform:
    """A ``predictor.npz`` of the uniform route: its rows, found from the arrays alone.

    The width in ``meta`` is only a hypothesis: every generated position from the first
    cell of row 1 up to the first answer position (the answer positions are the file's
    last ones, as its answer layout says) must read exactly W+2, W+1 and W back through
    one table. Row 0's construction and the answer are checked by the per-n proof of the
    whole file (:func:`uniform_claim_for_file`), never skipped.
    """
    try:
        width = int(width_hint)
    except (TypeError, ValueError):
        raise FormatError(f"the predictor's meta width {width_hint!r} is not an integer") from None
    n, total = pred.n_inputs, pred.n_generated
    answer = sorted(set(pred.answer.positions))
    first_answer = answer[0] - n if answer else total
    if answer != list(range(n + first_answer, n + total)):
        return NotUniform(n + first_answer, "the answer positions are not the file's last positions")
    if not width >= 1 or first_answer < width + 2:
        return NotUniform(n, f"the file has {first_answer} positions before its answer: no row after row 0 "
                             f"for width {width}")
    rows, extra = divmod(first_answer - (width + 2), width + 1)
    if extra or not rows:
        return NotUniform(n + first_answer, f"{first_answer - width - 2} positions between row 0 and the answer "
                                            f"are not whole rows of {width} cells and '#'")
    table = shared_table(pred, width=width, first=width + 2, stop=first_answer)
    if isinstance(table, NotUniform):
        return table
    return SharedTable(table.vocab, table.left, table.middle, table.right, table.bias, width,
                       table.positions_checked, "predictor", pred, rows)


MAX_POSITION_CHECK_INPUTS = 1 << 16


def _expected_rows(tm: TuringMachine, word: tuple[str, ...], width: int, offset: int, rows: int) -> list[str]:
    """The uniform layout's tokens for one input: '#', row 0, '#', then rows 1..T each closed
    by '#' (the machine's configurations, from the transition table)."""
    from proofs_check.per_length.simulation import configurations
    from proofs_check.uniform.proof import layout_row

    layout = UniformLayout(width, offset)
    return ["#", *(tok for conf in configurations(tm, word, rows) for tok in layout_row(tm, conf, layout))]


def _whole_file(tm: TuringMachine, table: SharedTable, method: str, timeout: float | None) -> dict[str, Any]:
    """The per-n check of a position-dependent file: every position before the answer (row 0
    built from the raw input, then rows 1..T) against the layout's tokens of the machine's
    run, for every input of its length (ties wrong), and the decoded answer by the per-n
    proof (:func:`proofs_check.verdict.verify`: z3, or enumeration)."""
    from itertools import product

    from proofs_check.verdict import MachineTarget, verify, word_text
    from theorymodel.errors import input_space

    pred = table.whole_file
    assert pred is not None
    n, W, T = pred.n_inputs, table.width, table.rows
    first_answer = W + 2 + T * (W + 1)
    total = input_space(len(tm.input_symbols), n)
    positions: dict[str, Any] = {"positions": first_answer, "inputs": total}
    offset = pred.meta.get("offset")  # a hypothesis: every row-0 position is checked against it
    if total > MAX_POSITION_CHECK_INPUTS:
        positions.update(checked=False, reason=f"{total} inputs: positions are checked by enumeration up to "
                                                f"{MAX_POSITION_CHECK_INPUTS}")
    elif type(offset) is not int or not 0 <= offset < W:
        positions.update(checked=False, reason="the file does not say where row 0 puts the input (meta.offset)")
    else:
        words = list(product(tm.input_symbols, repeat=n))
        seqs = pred.rollout(pred.encode_inputs(words), margins=True)
        positions.update(checked=True, wrong=None)
        for b, word in enumerate(words):
            want = _expected_rows(tm, word, W, offset, T)
            got = seqs.sequences[b, n:n + first_answer].tolist()
            tie = seqs.ties[b, :first_answer].tolist()
            bad = next((k for k in range(first_answer) if tie[k] or pred.vocab[got[k]] != want[k]), None)
            if bad is not None:
                positions["wrong"] = {"input": word_text(word), "position": n + bad, "expected": want[bad],
                                      "got": pred.vocab[got[bad]] + (" (tie)" if tie[bad] else "")}
                break
    output = "accept" if pred.answer.kind == "accept" else "tape"
    if output == "accept" and not tm.final_states:
        raise UsageError(f"the file answers with an accept bit, but {tm.name} has no accepting state: its answer is "
                         "its tape, and an accept bit would always be 0")
    reach = pred.meta.get("reach")  # an assumption the proof itself checks (its head-reach lemma)
    try:
        bounds = (int(reach[0]), int(reach[1])) if isinstance(reach, list) and len(reach) == 2 else None
    except (TypeError, ValueError):
        bounds = None
    target = MachineTarget(tm, n, T, output)
    verdict = verify(target, pred, method="exhaustive" if method == "exhaustive" else "z3", reach=bounds,
                     timeout=timeout)
    report = verdict.to_json()
    report["answer_kind"] = output
    report["positions"] = positions
    report["verified"] = bool(verdict.verified and positions["checked"] and positions["wrong"] is None)
    return report


def _position_routes() -> set[str]:
    from theorymodel.compile.routes import ROUTES

    return {name for name, r in ROUTES.items() if not r.window_holds_input}


def _far_read(arrays: dict[str, np.ndarray]) -> NotUniform | None:
    """A dense LinearModel's first read outside the three offsets whose exact score block is
    not zero, found block by block before the whole layer is collapsed (which, for float
    weights of mixed exponents, takes Python integers and minutes)."""
    from theorymodel.predictor.export import _dyadic

    prompt = int(arrays["input_tokens"])
    C = int(arrays["context_length"])
    width = prompt - 2
    emb = _dyadic(arrays["in_embedding.weight"])[0]  # the scales do not change which blocks are zero
    out = _dyadic(arrays["out_embedding.weight"])[0]
    layer = np.asarray(arrays["linear1.weight"])
    d = emb.shape[1]
    if width < 1 or layer.shape != (C * d, C * d):
        return None
    emb_o, out_o = np.asarray(emb, dtype=object), np.asarray(out, dtype=object)
    for t in range(prompt - 1, C - 1):  # output position t predicts token t + 1
        for s in range(t + 1):  # the mask: positions <= t
            if t - s in (width + 1, width, width - 1):
                continue
            block = layer[t * d:(t + 1) * d, s * d:(s + 1) * d]
            if not block.any():
                continue
            exact, _ = _dyadic(block)
            if (out_o @ np.asarray(exact, dtype=object) @ emb_o.T != 0).any():
                p = t + 1
                return NotUniform(p, f"position {p} reads position {s} ({p - s} back); a uniform predictor reads "
                                     f"only {width + 2}, {width + 1} and {width} back")
    return None


def uniform_claim_for_file(path: str | Path, tm: TuringMachine, *, method: str = "auto", timeout: float | None = None,
                           max_n: int = 8) -> dict[str, Any]:
    """``verify --uniform PRED.npz MACHINE``: the file's shared table proved for every input
    length (:func:`proofs_check.uniform.uniform_claim`), or ``"uniform": false`` with the
    first position where the file stops being one table."""
    from proofs_check.uniform.proof import uniform_claim

    table = read_shared_table(path)
    if isinstance(table, NotUniform):
        return {"machine": tm.name, "predictor": str(path), "uniform": False, "verified": False,
                "first_difference": table.to_json()}
    rule = rule_for_machine(tm, table)
    payload = uniform_claim(tm, rule, method=method, timeout=timeout, max_n=max_n)
    payload.update({"predictor": str(path), "uniform": True, "source": table.source, "width": table.width,
                    "tiled_positions": table.positions_checked, "covers": _covers(table)})
    if table.whole_file is not None:
        whole = _whole_file(tm, table, method, timeout)
        payload["whole_file"] = whole
        if not whole["verified"]:
            payload["verified"] = False
            payload["guarantee"] = ""
            wrong = whole["positions"].get("wrong") or whole["counterexample"]
            if wrong is not None:
                row, cell = _row_cell(table, wrong["position"])
                payload["counterexample"] = {"input": wrong["input"], "width": table.width, "row": row,
                                             "cell": cell, "position": wrong["position"],
                                             "expected": wrong["expected"], "got": wrong["got"]}
            else:
                payload["search"] = {"max_n": max_n, "found": False}
                payload["note"] = whole["positions"].get("reason", "the per-n proof did not hold")
    elif table.arrays is not None:
        _float_readers(tm, table, rule, payload)
    return payload


def _row_cell(table: SharedTable, position: int | None) -> tuple[int | str, int | str]:
    """Where a position of a uniform-route file lies: (row, cell; W for the closing '#'),
    or ("answer", its index) past the rows."""
    pred = table.whole_file
    assert pred is not None
    if position is None:
        return "answer", "-"
    k = position - pred.n_inputs
    W = table.width
    if k < W + 2:
        return 0, k - 1 if k else W  # the opening '#' is shown as row 0's wall
    if k < W + 2 + table.rows * (W + 1):
        return (k - W - 2) // (W + 1) + 1, (k - W - 2) % (W + 1)
    return "answer", k - W - 2 - table.rows * (W + 1)


def _covers(table: SharedTable) -> dict[str, Any]:
    """What a file-level proof covers, in the file's own terms (docs/uniform.md)."""
    W = table.width
    if table.whole_file is not None:
        pred = table.whole_file
        return {"file": "position-dependent (predictor.npz of the uniform route)", "input_length": pred.n_inputs,
                "width": W, "rows": table.rows, "positions": pred.n_generated,
                "this_file": f"every input of length {pred.n_inputs}: every one of its {pred.n_generated} positions "
                             f"(row 0 from the raw input, {table.rows} rows, the answer) by the per-n proof",
                "every_length": "its shared table, run in rows of any width W' for any number of rows, "
                                "reproduces the machine's run on every input whose run stays in the window"}
    rows = table.positions_checked // (W + 1)
    return {"file": "one shared table" + (" (uniform LinearModel tile)" if table.source == "uniform-linearlm"
                                          else " (dense LinearModel)"),
            "width": W, "context_length": table.positions_checked + W + 2,
            "generated_positions": table.positions_checked, "complete_rows": rows,
            "this_file": f"for every prompt '#', row 0 of {W} cells, '#' that holds an input with the head on its "
                         f"first cell, its {table.positions_checked} generated tokens are the machine's next "
                         f"configurations, while the run stays inside the {W} cells",
            "every_length": "the same table in rows of any width, for any number of rows"}


def _float_readers(tm: TuringMachine, table: SharedTable, rule: UniformRule, payload: dict[str, Any]) -> None:
    """A proof of a tile file is in exact arithmetic; a reader runs it in float32 (or
    float64). Bound, for every triple of the lemma's domain, the rounding any float32
    evaluation of ``out . (sum_j K_j emb[x_j] + b1) + b_out`` can make (in any order of
    summation: |error| <= gamma_k * sum |terms| per dot product, gamma_k = k u / (1 - k u),
    u = 2^-24), and keep the proof only when every exact margin exceeds twice that bound.
    Otherwise the verdict becomes "not proved" with the first triple where a float reader
    may disagree."""
    from proofs_check.uniform.proof import domain

    if not payload.get("verified"):
        return
    z = table.arrays
    assert z is not None
    emb, out = np.asarray(z["in_embedding.weight"], np.float64), np.asarray(z["out_embedding.weight"], np.float64)
    kernel, b1 = np.asarray(z["linear1.kernel"], np.float64), np.asarray(z["linear1.bias"], np.float64)
    bout = np.asarray(z["out_embedding.bias"], np.float64)
    d = emb.shape[1]
    u = 2.0**-24
    tiny = 2.0**-126  # float32's smallest normal: a product or sum below it may flush to zero
    huge = 2.0**126  # every magnitude must stay well inside float32's range (max about 2^128)
    cast = 3  # a float64 array read as float32 adds a rounding per factor: three more terms of u

    def gamma(k: int) -> float:
        return (k + cast) * u / (1 - (k + cast) * u)

    index = {t: i for i, t in enumerate(table.vocab)}
    triples = domain(tm, rule)
    if not triples:
        return
    ids = np.array([[index[rule.vocab[x]] for x in t] for t in triples], dtype=np.int64)  # file's token ids
    # hidden h = sum_j K_j emb[x_j] + b1: exact value and a bound on its float32 error
    terms = [np.einsum("if,nf->ni", kernel[j], emb[ids[:, j]]) for j in range(3)]
    abs_terms = sum(np.einsum("if,nf->ni", np.abs(kernel[j]), np.abs(emb[ids[:, j]])) for j in range(3))
    h = sum(terms) + b1
    # relative rounding, plus an absolute term per operation for values that underflow
    err_h = gamma(3 * d + 1) * (abs_terms + np.abs(b1)) * 1.01 + (6 * d + 2) * tiny
    logits = h @ out.T + bout
    size_h = np.abs(h) + err_h
    err = (gamma(d + 1) * (size_h @ np.abs(out).T + np.abs(bout)) + err_h @ np.abs(out).T
           + (2 * d + 2) * tiny)
    overflow = max(float(np.max(abs_terms + np.abs(b1), initial=0)),
                   float(np.max(size_h @ np.abs(out).T + np.abs(bout), initial=0)),
                   *(float(np.abs(a).max(initial=0)) for a in (emb, out, kernel, b1, bout))) >= huge
    order = np.argsort(-logits, axis=1)
    top = np.take_along_axis(logits, order[:, :1], axis=1)[:, 0]
    runner = np.take_along_axis(logits, order[:, 1:2], axis=1)[:, 0] if logits.shape[1] > 1 else top - np.inf
    bound = 2 * err.max(axis=1) * 1.01
    unsafe = ((top - runner) <= bound) | overflow
    payload["float_readers"] = {"checked_triples": len(triples), "unit_roundoff": "2^-24 (float32)",
                                "safe": not bool(unsafe.any())}
    if unsafe.any():
        i = int(np.argmax(unsafe))
        payload["verified"] = False
        payload["float_readers"]["first_unsafe_triple"] = [table.vocab[x] for x in ids[i].tolist()]
        payload["note"] = ("proved in exact arithmetic, but a float32 reader's rounding may change the argmax at "
                           f"{payload['float_readers']['first_unsafe_triple']}: not proved for the file's readers")
        payload.setdefault("search", {"max_n": 0, "found": False})
