"""Saving and loading predictors.

- ``predictor.npz`` (ours): the sparse exact weights, the dictionary and how the answer
  is decoded.
- LinearModel layout (``--export-linearlm``, docs/contract.md, "Interchange"): the state dict of
  the paper's ``LinearModel`` with identity embeddings (d = |V|) and a dense masked
  ``(C*d) x (C*d)`` layer whose output position ``t`` predicts token ``t+1`` from the
  positions ``<= t``. :func:`load` reads both back; weights trained elsewhere in that
  layout (any d, any embeddings) are turned into an equivalent sparse predictor.
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from theorymodel.errors import FormatError, ResourceLimitError, UsageError
from theorymodel.io import atomic_write, read_bytes
from theorymodel.predictor.linear import LinearPredictor
from theorymodel.predictor.numbers import as_float64, as_int64, max_magnitude
from theorymodel.program import Answer, answer_kind

DEFAULT_MAX_BYTES = 2 * 1024**3
FORMAT = "theorymodel-predictor-v1"


def _npz_bytes(arrays: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, allow_pickle=False, **arrays)
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
    return atomic_write(path, predictor_bytes(pred))


def predictor_bytes(pred: LinearPredictor) -> bytes:
    """The ``predictor.npz`` file's bytes."""
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
    return _npz_bytes(arrays)


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


def _integral(a: np.ndarray, what: str) -> np.ndarray:
    """Integer array when every value is an integer, else float64; never a rounded value
    (:mod:`theorymodel.predictor.numbers`)."""
    if a.dtype.kind in "iu":
        return as_int64(a, what)
    f = as_float64(a, what)
    if f.size == 0 or (np.all(np.isfinite(f)) and np.all(f == np.round(f)) and np.abs(f).max() < 2**52):
        return np.round(f).astype(np.int64)
    return f


def _answer_from(z, n_inputs: int, context: int) -> Answer:
    if "answer_kind" in z:
        positions = tuple(int(p) for p in _int_array(z, "answer_positions").ravel())
        blank = np.asarray(z["answer_blank"])
        if blank.dtype.kind != "U" or blank.size != 1:
            raise FormatError("answer_blank must be one string")
        return Answer(answer_kind(_one_string(z, "answer_kind")), positions,
                      _strings(z, "answer_symbols", allow_empty=True), str(blank.ravel()[0]))
    return Answer("accept", (context - 1,))  # foreign file: the last token is the answer


MAX_NPZ_BYTES = 512 * 1024**2  # uncompressed bytes of all arrays in a predictor file


def _read_npz(p: Path, max_bytes: int) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, with the uncompressed sizes checked in the zip
    directory before anything is inflated, and no pickles."""
    return _read_npz_bytes(read_bytes(p, cap=max_bytes, what="predictor file"), p, max_bytes)


def _read_npz_bytes(data: bytes, p: Path | str = "the arrays", max_bytes: int = MAX_NPZ_BYTES
                    ) -> dict[str, np.ndarray]:
    """:func:`_read_npz` on bytes already in memory."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > max_bytes:
                raise ResourceLimitError(
                    f"{p} inflates to {total} bytes; the cap is {max_bytes}", limit="size-cap",
                    details={"bytes": total, "cap": max_bytes})
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except ResourceLimitError:
        raise
    except Exception as exc:  # zipfile and numpy raise many types for corrupt archives
        raise FormatError(f"{p} is not a readable .npz file ({type(exc).__name__})") from None


def _int_array(z: dict, key: str) -> np.ndarray:
    return as_int64(np.asarray(z[key]), f"the array {key!r}")


def _int_scalar(z: dict, key: str) -> int:
    a = _int_array(z, key)
    if a.size != 1:
        raise FormatError(f"the array {key!r} must be one integer")
    return int(a.ravel()[0])


def _one_string(z: dict, key: str) -> str:
    a = np.asarray(z[key])
    if a.dtype.kind != "U" or a.size != 1:
        raise FormatError(f"the array {key!r} must be one string")
    return str(a.ravel()[0])


def _num_array(z: dict, key: str) -> np.ndarray:
    a = np.asarray(z[key])
    if a.ndim != 1:
        raise FormatError(f"the array {key!r} must be a 1-D array of numbers, not {a.dtype} {a.shape}")
    return _integral(a, f"the array {key!r}")


def _csr(z: dict, prefix: str) -> sp.csr_matrix:
    shape = tuple(int(v) for v in _int_array(z, f"{prefix}_shape").ravel())
    if len(shape) != 2 or min(shape) < 0:
        raise FormatError(f"{prefix}_shape must be two sizes, got {shape}")
    m = sp.csr_matrix((_num_array(z, f"{prefix}_data"), _int_array(z, f"{prefix}_indices"),
                       _int_array(z, f"{prefix}_indptr")), shape=shape)
    m.check_format(full_check=True)
    return m


def _strings(z: dict, key: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    a = np.asarray(z[key])
    if a.ndim != 1 or (a.dtype.kind != "U" and not (allow_empty and a.size == 0)):
        raise FormatError(f"the array {key!r} must be a list of strings")
    out = tuple(str(v) for v in a)
    if len(set(out)) != len(out):
        raise FormatError(f"the array {key!r} lists a string twice")
    return out


#: the ``layout`` of a uniform tile file (:mod:`theorymodel.predictor.uniform_file`), which
#: ``load`` refuses with a pointer to ``verify --uniform``
UNIFORM_LAYOUT = "theorymodel-uniform-linearlm-v1"


def load(path: str | Path, *, n_inputs: int | None = None, max_bytes: int = MAX_NPZ_BYTES) -> LinearPredictor:
    """Read ``predictor.npz`` or a LinearModel-layout ``.npz`` (ours or foreign).

    Raises
    ------
    UsageError, FormatError
        A missing, unreadable or malformed file (exit 2).
    ResourceLimitError
        A file that is, or inflates to, more than ``max_bytes`` (exit 3).
    """
    p = Path(path)
    return load_arrays(_read_npz(p, max_bytes), p, n_inputs=n_inputs)


def load_arrays(z: dict[str, np.ndarray], p: Path, *, n_inputs: int | None = None) -> LinearPredictor:
    """:func:`load` on arrays already read (``p`` names them in errors)."""
    try:
        if "format" in z and str(z["format"]) == FORMAT:
            W, b = _csr(z, "W"), _csr(z, "b")
            n = int(_int_array(z, "n_inputs").ravel()[0]) if _int_array(z, "n_inputs").size == 1 else -1
            meta = json.loads(str(z["meta"])) if "meta" in z else {}
            if not isinstance(meta, dict):
                raise FormatError("the predictor's meta must be a JSON object")
            labels = _int_array(z, "labels") if "labels" in z else None
            return LinearPredictor(
                _strings(z, "vocab"), n, W, b,
                _answer_from(z, n, n + b.shape[0]), _strings(z, "input_alphabet"), meta, labels,
            )
        if "linear1.weight" in z:
            return _from_linearlm(z, n_inputs)
    except KeyError as exc:
        raise FormatError(f"{p} lacks the array {exc.args[0]!r}") from None
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise FormatError(f"{p} is malformed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if "layout" in z and str(z["layout"]) == UNIFORM_LAYOUT:  # a tile file: one shared table for every length
        raise FormatError(f"{p} is a uniform tile file (one shared table for every input length): check it with "
                          f"theorymodel verify --uniform {p} MACHINE")
    raise FormatError(f"{p} is neither a predictor.npz nor a LinearModel export")


def _dyadic(a: np.ndarray, what: str = "the weights") -> tuple[np.ndarray, int]:
    """Integers ``m`` (int64 where they fit, else Python ints) and ``e`` with ``a = m * 2^-e``
    exactly: every float is a dyadic rational; integers are taken as they are."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        ints = as_int64(a, what)
        if max_magnitude(ints) >= 1 << 62:  # products need room: Python ints
            return np.array(ints.tolist(), dtype=object).reshape(ints.shape), 0
        return ints, 0
    a = as_float64(a, what)
    if not np.all(np.isfinite(a)):
        raise FormatError("the LinearModel weights hold a NaN or an infinity")
    nz = a[a != 0]
    if not nz.size:
        return np.zeros(a.shape, dtype=np.int64), 0
    mant, expo = np.frexp(nz)
    ints = (mant * 2.0**53).astype(np.int64)
    tz = np.zeros(len(ints), dtype=np.int64)
    rest = np.abs(ints)
    for b in (32, 16, 8, 4, 2, 1):
        mask = (rest & ((1 << b) - 1)) == 0
        tz[mask] += b
        rest[mask] >>= b
    e = int(-(expo - 53 + tz).min())
    shift = expo - 53 + e  # >= -(trailing zeros): a right shift drops only zero bits
    out = np.zeros(a.shape, dtype=np.int64 if int((expo + e).max()) <= 62 else object)
    if out.dtype == object:
        out[a != 0] = [int(m) << int(k) if k >= 0 else int(m) >> int(-k)
                       for m, k in zip(ints.tolist(), shift.tolist(), strict=True)]
    else:
        out[a != 0] = np.where(shift >= 0, ints << np.maximum(shift, 0), ints >> np.maximum(-shift, 0))
    return out, e


def _fits(*bits: int) -> bool:
    return sum(bits) <= 60


def _bits(a: np.ndarray) -> int:
    return max((abs(int(v)).bit_length() for v in np.asarray(a).ravel()[np.asarray(a).ravel() != 0][:1 << 20]),
               default=0) if a.dtype == object else max_magnitude(a).bit_length()


def _float_image(v: int) -> float:
    """A nonzero integer's float image for the sparse layout (its exact value rides along):
    the float itself, or the largest float of its sign where it would overflow."""
    return float(v) if abs(v) < 1 << 1023 else math.copysign(sys.float_info.max, 1 if v > 0 else -1)


def _from_linearlm(z: dict, n_inputs: int | None) -> LinearPredictor:
    """Collapse embeddings and the masked layer into per-position score blocks, exactly:
    every array is read as the dyadic rationals it holds and the products are summed in
    integers (int64 when the bits allow, Python integers otherwise), at one common power
    of two. A float model is thus checked on the numbers it holds, never rounded."""
    vocab = _strings(z, "vocab")
    V = len(vocab)
    C = _int_scalar(z, "context_length")
    if n_inputs is None:
        if "input_tokens" not in z:
            raise UsageError("this LinearModel file does not say how many input tokens it has: give --n")
        n_inputs = _int_scalar(z, "input_tokens")
    n = n_inputs
    if not 1 <= n < C:
        raise UsageError(f"input length {n} does not fit context length {C}")
    raw = {k: np.asarray(z[k]) for k in ("in_embedding.weight", "linear1.weight", "linear1.bias",
                                         "out_embedding.weight")}
    raw_bout = np.asarray(z.get("out_embedding.bias", np.zeros(V)))
    if raw["in_embedding.weight"].ndim != 2 or raw["out_embedding.weight"].ndim != 2:
        raise FormatError("LinearModel embeddings must be 2-D")
    d = raw["in_embedding.weight"].shape[1]
    if raw["in_embedding.weight"].shape[0] != V or raw["out_embedding.weight"].shape != (V, d) \
            or raw["linear1.weight"].shape != (C * d, C * d) or raw["linear1.bias"].shape != (C * d,) \
            or raw_bout.shape != (V,):
        raise FormatError("LinearModel arrays have inconsistent shapes")
    # entries the forward pass never reads (above the mask, or rows of positions that
    # predict nothing generated) must not set the common scale: zero them in a copy
    read = np.zeros((C, C), dtype=bool)
    for t in range(n - 1, C - 1):
        read[t, : t + 1] = True
    W1_read = np.where(np.kron(read, np.ones((d, d), dtype=bool)), raw["linear1.weight"],
                       np.zeros((), dtype=raw["linear1.weight"].dtype))
    emb, e_emb = _dyadic(raw["in_embedding.weight"], "in_embedding.weight")  # (V, d)
    W1, e_w1 = _dyadic(W1_read, "linear1.weight")  # (C*d, C*d)
    b1, e_b1 = _dyadic(np.where(np.repeat(read.any(axis=1), d), raw["linear1.bias"],
                                np.zeros((), dtype=raw["linear1.bias"].dtype)), "linear1.bias")
    Wout, e_out = _dyadic(raw["out_embedding.weight"], "out_embedding.weight")  # (V, d)
    bout, e_bout = _dyadic(raw_bout, "out_embedding.bias")
    G = C - n
    # one common exponent for every score term: weights Wout.W1.emb, biases Wout.b1 and bout
    scale = max(e_out + e_w1 + e_emb, e_out + e_b1, e_bout)
    exact = _fits(_bits(Wout), _bits(W1), _bits(emb), (d * d).bit_length(), scale - (e_out + e_w1 + e_emb)) and \
        _fits(_bits(Wout), _bits(b1), d.bit_length(), scale - (e_out + e_b1)) and _fits(_bits(bout), scale - e_bout)
    kind = np.int64 if exact and W1.dtype != object and emb.dtype != object and Wout.dtype != object else object
    Wout, W1, emb, b1, bout = (np.asarray(x, dtype=kind) for x in (Wout, W1, emb, b1, bout))
    lift_w = 1 << (scale - (e_out + e_w1 + e_emb))
    lift_b1, lift_bout = 1 << (scale - (e_out + e_b1)), 1 << (scale - e_bout)
    rows, cols, vals = [], [], []
    bias = np.zeros((G, V), dtype=kind)
    for k in range(G):
        t = n + k - 1
        block = W1[t * d:(t + 1) * d, : (t + 1) * d].reshape(d, t + 1, d)  # mask: positions <= t
        eff = np.einsum("ve,esf,yf->vsy", Wout, block, emb) * lift_w  # (V out, positions, V in)
        nz = np.nonzero(eff)
        rows.append(k * V + nz[0])
        cols.append(nz[1] * V + nz[2])
        vals.append(eff[nz])
        bias[k] = Wout.dot(b1[t * d:(t + 1) * d]) * lift_b1 + bout * lift_bout
    row = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    data = np.concatenate(vals) if vals else np.zeros(0, dtype=kind)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=G * V))]).astype(np.int64)
    alphabet = _strings(z, "input_alphabet") if "input_alphabet" in z else vocab
    meta = {"source": "linearlm", "arithmetic": "exact-rational", "scale": f"2^-{scale}"}
    if kind is np.int64:  # integer scores times 2^scale: the same argmax and ties
        W = sp.csr_matrix((data.astype(np.int64), np.concatenate(cols).astype(np.int64) if cols else data, indptr),
                          shape=(G * V, C * V))
        return LinearPredictor(vocab, n, W, sp.csr_matrix(bias.astype(np.int64)), _answer_from(z, n, C), alphabet,
                               meta)
    # Python integers: the sparse matrices hold float images for layout, the exact values ride along
    W = sp.csr_matrix((np.array([_float_image(v) for v in data]), np.concatenate(cols).astype(np.int64), indptr),
                      shape=(G * V, C * V))
    b = sp.csr_matrix(np.array([[_float_image(v) for v in r] for r in bias]))
    nzb = [v for r in bias for v in r if v != 0]
    return LinearPredictor(vocab, n, W, b, _answer_from(z, n, C), alphabet, meta,
                           _wx=np.array(list(data), dtype=object), _bx=np.array(nzb, dtype=object))
