"""Saving and loading predictors.

- ``predictor.npz`` (ours): the sparse exact weights, the dictionary and how the answer
  is decoded.
- LinearModel layout (``--export-linearlm``, CONTRACT "Interchange"): the state dict of
  the paper's ``LinearModel`` with identity embeddings (d = |V|) and a dense masked
  ``(C*d) x (C*d)`` layer whose output position ``t`` predicts token ``t+1`` from the
  positions ``<= t``. :func:`load` reads both back; weights trained elsewhere in that
  layout (any d, any embeddings) are turned into an equivalent sparse predictor.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from theorymodel.compile.program import Answer
from theorymodel.errors import FormatError, ResourceLimitError, UsageError
from theorymodel.io import atomic_write
from theorymodel.predictor.linear import LinearPredictor

DEFAULT_MAX_BYTES = 2 * 1024**3
FORMAT = "theorymodel-predictor-v1"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _answer_arrays(answer: Answer) -> dict[str, np.ndarray]:
    return {
        "answer_kind": np.array(answer.kind),
        "answer_positions": np.asarray(answer.positions, dtype=np.int64),
        "answer_symbols": np.array(list(answer.symbols), dtype=str),
        "answer_blank": np.array(answer.blank),
    }


def save_predictor(pred: LinearPredictor, path: str | Path) -> Path:
    """Write ``predictor.npz`` atomically."""
    W, b = pred.weights.tocsr(), pred.bias.tocsr()
    arrays = {
        "format": np.array(FORMAT),
        "vocab": np.array(list(pred.vocab), dtype=str),
        "input_alphabet": np.array(list(pred.input_alphabet), dtype=str),
        "n_inputs": np.array(pred.n_inputs),
        "W_data": W.data, "W_indices": W.indices, "W_indptr": W.indptr, "W_shape": np.array(W.shape),
        "b_data": b.data, "b_indices": b.indices, "b_indptr": b.indptr, "b_shape": np.array(b.shape),
        "meta": np.array(json.dumps(pred.meta, default=str)),
        **_answer_arrays(pred.answer),
    }
    if pred.labels is not None:
        arrays["labels"] = np.asarray(pred.labels, dtype=np.int64)
    return atomic_write(path, _npz_bytes(arrays))


def linearlm_bytes(pred: LinearPredictor) -> int:
    """Bytes the float32 dense export would take (the masked layer dominates)."""
    D = pred.context_length * pred.V
    return 4 * (D * D + D + 2 * pred.V * pred.V + pred.V)


def save_linearlm(pred: LinearPredictor, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Write the LinearModel state dict (identity embeddings, d = |V|) atomically.

    Raises
    ------
    ResourceLimitError
        When the dense layer would exceed ``max_bytes`` (exit 3, with the size).
    UsageError
        With no input token the first generated token has no position to be predicted from.
    """
    size = linearlm_bytes(pred)
    if size > max_bytes:
        raise ResourceLimitError(
            f"the LinearModel export would take {size} bytes (> --max-bytes {max_bytes})",
            limit="size-cap", details={"bytes": size, "max_bytes": max_bytes},
        )
    if pred.n_inputs == 0:
        raise UsageError("the LinearModel layout has no begin-of-sequence token: it needs --n >= 1")
    V, C, n = pred.V, pred.context_length, pred.n_inputs
    if not pred.is_exact and pred.weights.dtype.kind != "f":
        raise UsageError("weights must be numeric")
    W = pred.weights.tocoo()
    k, d = np.divmod(W.row, V)
    t = n + k - 1  # output position t predicts token t + 1 = n + k
    dense = np.zeros((C * V, C * V), dtype=np.float32)
    dense[t * V + d, W.col] = W.data
    B = pred.bias.tocoo()
    bias = np.zeros(C * V, dtype=np.float32)
    bias[(n + B.row - 1) * V + B.col] = B.data
    eye = np.eye(V, dtype=np.float32)
    arrays = {
        "in_embedding.weight": eye,
        "linear1.weight": dense,
        "linear1.bias": bias,
        "out_embedding.weight": eye,
        "out_embedding.bias": np.zeros(V, dtype=np.float32),
        "vocab": np.array(list(pred.vocab), dtype=str),
        "context_length": np.array(C),
        "input_tokens": np.array(n),
        "input_alphabet": np.array(list(pred.input_alphabet), dtype=str),
        **_answer_arrays(pred.answer),
    }
    return atomic_write(path, _npz_bytes(arrays))


def _integral(a: np.ndarray) -> np.ndarray:
    """Integer array when every value is an integer (keeps verdicts exact)."""
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.size == 0 or (np.all(np.isfinite(a)) and np.all(a == np.round(a)) and np.abs(a).max() < 2**52):
        return np.round(a).astype(np.int64)
    return a.astype(np.float64)


def _answer_from(z, n_inputs: int, context: int) -> Answer:
    if "answer_kind" in z:
        return Answer(str(z["answer_kind"]), tuple(int(p) for p in z["answer_positions"]),
                      tuple(str(s) for s in z["answer_symbols"]), str(z["answer_blank"]))
    return Answer("accept", (context - 1,))  # foreign file: the last token is the answer


def load(path: str | Path, *, n_inputs: int | None = None) -> LinearPredictor:
    """Read ``predictor.npz`` or a LinearModel-layout ``.npz`` (ours or foreign)."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"no such file: {p}")
    try:
        z = dict(np.load(p, allow_pickle=False))
    except Exception as exc:  # numpy raises several types for corrupt archives
        raise FormatError(f"{p} is not a readable .npz file ({type(exc).__name__})") from None
    try:
        if "format" in z and str(z["format"]) == FORMAT:
            W = sp.csr_matrix((_integral(z["W_data"]), z["W_indices"], z["W_indptr"]),
                              shape=tuple(z["W_shape"]))
            b = sp.csr_matrix((_integral(z["b_data"]), z["b_indices"], z["b_indptr"]),
                              shape=tuple(z["b_shape"]))
            n = int(z["n_inputs"])
            return LinearPredictor(
                tuple(str(v) for v in z["vocab"]), n, W, b,
                _answer_from(z, n, n + b.shape[0]), tuple(str(v) for v in z["input_alphabet"]),
                json.loads(str(z["meta"])), z.get("labels"),
            )
        if "linear1.weight" in z:
            return _from_linearlm(z, n_inputs)
    except KeyError as exc:
        raise FormatError(f"{p} lacks the array {exc.args[0]!r}") from None
    raise FormatError(f"{p} is neither a predictor.npz nor a LinearModel export")


def _from_linearlm(z: dict, n_inputs: int | None) -> LinearPredictor:
    """Collapse embeddings and the masked layer into per-position score blocks."""
    vocab = tuple(str(v) for v in z["vocab"])
    V = len(vocab)
    C = int(z["context_length"])
    emb = np.asarray(z["in_embedding.weight"], dtype=np.float64)  # (V, d)
    W1 = np.asarray(z["linear1.weight"], dtype=np.float64)  # (C*d, C*d)
    b1 = np.asarray(z["linear1.bias"], dtype=np.float64)
    Wout = np.asarray(z["out_embedding.weight"], dtype=np.float64)  # (V, d)
    bout = np.asarray(z.get("out_embedding.bias", np.zeros(V)), dtype=np.float64)
    d = emb.shape[1]
    if emb.shape[0] != V or Wout.shape != (V, d) or W1.shape != (C * d, C * d) or b1.shape != (C * d,):
        raise FormatError("LinearModel arrays have inconsistent shapes")
    if n_inputs is None:
        if "input_tokens" not in z:
            raise UsageError("this LinearModel file does not say how many input tokens it has: give --n")
        n_inputs = int(z["input_tokens"])
    n = n_inputs
    if not 1 <= n < C:
        raise UsageError(f"input length {n} does not fit context length {C}")
    G = C - n
    rows, cols, vals = [], [], []
    bias = np.zeros((G, V))
    for k in range(G):
        t = n + k - 1
        block = W1[t * d:(t + 1) * d, : (t + 1) * d].reshape(d, t + 1, d)  # mask: positions <= t
        eff = np.einsum("ve,esf,yf->vsy", Wout, block, emb)  # (V out, positions, V in)
        nz = np.nonzero(eff)
        rows.append(k * V + nz[0])
        cols.append(nz[1] * V + nz[2])
        vals.append(eff[nz])
        bias[k] = Wout @ b1[t * d:(t + 1) * d] + bout
    data = _integral(np.concatenate(vals)) if vals else np.zeros(0, np.int64)
    bias_arr = _integral(bias)
    if data.dtype != bias_arr.dtype:
        data, bias_arr = data.astype(np.float64), bias_arr.astype(np.float64)
    W = sp.csr_matrix((data, (np.concatenate(rows), np.concatenate(cols))), shape=(G * V, C * V))
    alphabet = tuple(str(v) for v in z["input_alphabet"]) if "input_alphabet" in z else vocab
    return LinearPredictor(vocab, n, W, sp.csr_matrix(bias_arr), _answer_from(z, n, C), alphabet,
                           {"source": "linearlm"})
