"""The uniform LinearModel file: the paper's one-layer ``LinearModel`` whose masked layer
is one tile repeated along the diagonal (docs/uniform.md, "Export").

The paper's model maps the one-hot embedded context through a masked ``(C*d) x (C*d)``
layer and an output embedding. A uniform predictor's layer is block-Toeplitz: output
position ``t`` (predicting token ``t+1``) reads input positions ``t - o`` for the three
offsets ``o = W+1, W, W-1`` through the same ``d x d`` blocks, with the same bias, at every
``t`` past the prompt. So the file stores the tile, not the ``(C*d)^2`` layer:

- ``in_embedding.weight`` ``(V, d)``, ``out_embedding.weight`` ``(V, d)``, ``out_embedding.bias``;
- ``linear1.kernel`` ``(3, d, d)`` and ``linear1.kernel_offsets`` ``(3,)``: block ``j`` maps the
  embedding at ``t - offsets[j]`` into position ``t``'s hidden vector; ``linear1.bias`` ``(d,)``;
- ``layout`` (:data:`LAYOUT`), ``vocab``, ``width`` W, ``offset`` (where row 0 puts the input),
  ``context_length`` C and ``input_tokens`` (the prompt: ``#``, row 0, ``#``; W + 2 tokens).

Its size is O(|V| d) whatever C is. :func:`dense_layer` expands the tile into the paper's
masked layer for any C (what a reader of the paper's layout computes); :func:`read`
collapses the file exactly (every float is a dyadic rational) into integer score tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theorymodel.errors import FormatError, ResourceLimitError, UsageError
from theorymodel.io import atomic_write
from theorymodel.predictor.export import MAX_NPZ_BYTES, UNIFORM_LAYOUT, _dyadic, _npz_bytes, _read_npz, _strings
from theorymodel.program import CoTProgram
from theorymodel.program.uniform import SEPARATOR, UniformLayout, UniformRule

LAYOUT = UNIFORM_LAYOUT
KEYS = ("in_embedding.weight", "out_embedding.weight", "out_embedding.bias", "linear1.kernel",
        "linear1.kernel_offsets", "linear1.bias", "vocab", "width", "offset", "context_length", "input_tokens")


def kernel_offsets(width: int) -> np.ndarray:
    """How far back from output position t the three blocks read: W+1, W, W-1 (the cells
    left-above, above and right-above the predicted token t+1)."""
    return np.array([width + 1, width, width - 1], dtype=np.int64)


def uniform_file_bytes(vocab: tuple[str, ...], tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                       layout: UniformLayout, *, context_length: int) -> bytes:
    """The file's bytes for an integer table: identity embeddings (d = |V|) and the shared
    table (left, middle, right, bias) as the tile."""
    V = len(vocab)
    kernel = np.stack([np.asarray(a, dtype=np.float64) for a in tables[:3]])
    bias = np.asarray(tables[3], dtype=np.float64)
    if max(np.abs(kernel).max(initial=0), np.abs(bias).max(initial=0)) >= 2**24:
        raise UsageError("the shared table's entries exceed float32's exact integers (2^24)")
    eye = np.eye(V)
    return model_file_bytes(vocab, in_embedding=eye, kernel=kernel, bias=bias, out_weight=eye,
                            out_bias=np.zeros(V), layout=layout, context_length=context_length)


def model_file_bytes(vocab: tuple[str, ...], *, in_embedding: np.ndarray, kernel: np.ndarray, bias: np.ndarray,
                     out_weight: np.ndarray, out_bias: np.ndarray, layout: UniformLayout, context_length: int
                     ) -> bytes:
    """The file's bytes for any weights of the tied model (a trained one: any d, any
    embeddings), stored as float32."""
    prompt = layout.width + 2
    if context_length > MAX_CONTEXT or layout.width > MAX_WIDTH:
        raise UsageError(f"a uniform file holds at most {MAX_CONTEXT} positions and rows of {MAX_WIDTH} cells "
                         "(what every reader accepts)")
    if context_length <= prompt:
        raise UsageError(f"--context-length {context_length} leaves no generated token after the "
                         f"{prompt}-token prompt (#, row 0 of {layout.width} cells, #)")
    arrays = {
        "layout": np.array(LAYOUT),
        "in_embedding.weight": np.asarray(in_embedding, dtype=np.float32),
        "out_embedding.weight": np.asarray(out_weight, dtype=np.float32),
        "out_embedding.bias": np.asarray(out_bias, dtype=np.float32),
        "linear1.kernel": np.asarray(kernel, dtype=np.float32),
        "linear1.kernel_offsets": kernel_offsets(layout.width),
        "linear1.bias": np.asarray(bias, dtype=np.float32),
        "vocab": np.array(list(vocab), dtype=str),
        "width": np.array(layout.width),
        "offset": np.array(layout.offset),
        "context_length": np.array(context_length),
        "input_tokens": np.array(prompt),
    }
    return _npz_bytes(arrays)


def save_uniform_linearlm(rule: UniformRule, layout: UniformLayout, path: str | Path, *,
                          context_length: int) -> Path:
    """Write a uniform rule's LinearModel file atomically (its size does not grow with C)."""
    return atomic_write(path, uniform_file_bytes(rule.vocab, (rule.left, rule.middle, rule.right, rule.bias),
                                                 layout, context_length=context_length))


def export_uniform_program(program: CoTProgram, path: str | Path, *, context_length: int | None = None) -> Path:
    """``compile --route uniform --export-linearlm``: the program's shared table as the
    tile; C defaults to the prompt and the T rows of the compiled input length."""
    if program.meta.get("route") != "uniform":
        raise UsageError("this export is for the uniform route's programs")
    t = program.tables
    layout = UniformLayout(int(program.meta["width"]), int(program.meta["offset"]))
    C = int(program.meta["cell_tokens"]) if context_length is None else context_length
    return atomic_write(path, uniform_file_bytes(
        program.vocab, (t["shared_left"], t["shared_middle"], t["shared_right"], t["shared_bias"]), layout,
        context_length=C))


def is_uniform_file(arrays: dict[str, np.ndarray]) -> bool:
    return "layout" in arrays and str(arrays["layout"]) == LAYOUT


@dataclass(frozen=True)
class UniformFile:
    """A uniform LinearModel file collapsed exactly: ``tables[j][d, x]`` is the score token
    ``d`` gets from token ``x`` at offset ``offsets[j]``, times ``2^scale`` (so argmax and
    ties are those of the stored floats)."""

    vocab: tuple[str, ...]
    width: int
    offset: int
    context_length: int
    left: np.ndarray
    middle: np.ndarray
    right: np.ndarray
    bias: np.ndarray
    scale: int

    @property
    def layout(self) -> UniformLayout:
        return UniformLayout(self.width, self.offset)


def read(path: str | Path, *, max_bytes: int = MAX_NPZ_BYTES) -> UniformFile:
    """Read a uniform LinearModel file and collapse its embeddings and tile exactly.

    Raises
    ------
    FormatError
        Not this layout, or arrays of the wrong shape (exit 2).
    """
    return from_arrays(_read_npz(Path(path), max_bytes), str(path))


MAX_WIDTH = 1 << 20  # cells per row; a tile of a wider row is refused before any work
MAX_CONTEXT = 1 << 40  # positions; the claim is stated for the file's C, which must be a real length


def _scalar(z: dict[str, np.ndarray], key: str, path: str, lo: int, hi: int) -> int:
    """One integer in ``lo..hi``, stored as an integer (a float, bool or string is refused)."""
    a = np.asarray(z[key])
    if a.dtype.kind not in "iu" or a.shape != ():
        raise FormatError(f"{path}: {key!r} must be one integer, not {a.dtype} of shape {a.shape}")
    value = int(a)
    if not lo <= value <= hi:
        raise FormatError(f"{path}: {key!r} is {value}; it must lie in {lo}..{hi}")
    return value


def _weights(z: dict[str, np.ndarray], key: str, path: str) -> tuple[np.ndarray, int]:
    """A real array read exactly (integers or floats only: strings, complex, bools and
    objects are refused, never converted)."""
    a = np.asarray(z[key])
    if a.dtype.kind not in "iuf" or a.dtype.itemsize > 8:  # float128 would be rounded to float64 when read
        raise FormatError(f"{path}: {key!r} must hold real numbers of at most 64 bits, not {a.dtype}")
    try:
        return _dyadic(a)
    except FormatError as exc:
        raise FormatError(f"{path}: {key!r}: {exc}") from None


def from_arrays(z: dict[str, np.ndarray], path: str) -> UniformFile:
    """:func:`read` on arrays already read (``path`` names them in errors).

    Every key the forward pass uses is checked against every other: the prompt is ``#``,
    a row of ``width`` cells and ``#`` (``input_tokens = width + 2``), the three kernel
    offsets are the integers ``W+1, W, W-1``, the context holds at least one generated
    token, the dictionary spells no token twice, and the file holds no array besides the
    tile's (a dense layer beside the tile would be a second, unchecked forward pass).
    """
    if not is_uniform_file(z):
        raise FormatError(f"{path} is not a uniform LinearModel file (layout {LAYOUT})")
    missing = [k for k in KEYS if k not in z]
    if missing:
        raise FormatError(f"{path} lacks the array {missing[0]!r}")
    extra = sorted(set(z) - {*KEYS, "layout"})
    if extra:
        raise FormatError(f"{path}: the array {extra[0]!r} is not part of a uniform file (only the tile is read)")
    vocab = _strings(z, "vocab")
    V = len(vocab)
    if not V or vocab[0] != SEPARATOR:
        raise FormatError(f"the dictionary of a uniform file lists {SEPARATOR!r} first")
    if len(set(vocab)) != V:
        twice = next(t for i, t in enumerate(vocab) if t in vocab[:i])
        raise FormatError(f"{path}: 'vocab' spells the token {twice!r} twice")
    width = _scalar(z, "width", path, 1, MAX_WIDTH)
    offset = _scalar(z, "offset", path, 0, width - 1)
    prompt = _scalar(z, "input_tokens", path, width + 2, width + 2)
    C = _scalar(z, "context_length", path, prompt + 1, MAX_CONTEXT)
    offsets = np.asarray(z["linear1.kernel_offsets"])
    if offsets.dtype.kind not in "iu" or offsets.shape != (3,) or offsets.tolist() != kernel_offsets(width).tolist():
        raise FormatError(f"{path}: 'linear1.kernel_offsets' must be the integers {kernel_offsets(width).tolist()} "
                          f"(W+1, W, W-1 for width {width}), not {offsets.dtype} {offsets.tolist()!r:.60}")
    emb, e_emb = _weights(z, "in_embedding.weight", path)
    out, e_out = _weights(z, "out_embedding.weight", path)
    bout, e_bout = _weights(z, "out_embedding.bias", path)
    kernel, e_k = _weights(z, "linear1.kernel", path)
    b1, e_b1 = _weights(z, "linear1.bias", path)
    if emb.ndim != 2 or emb.shape[0] != V or out.shape != emb.shape or bout.shape != (V,):
        raise FormatError(f"{path}: the embeddings must be ({V}, d) and the output bias ({V},)")
    d = emb.shape[1]
    if kernel.shape != (3, d, d) or b1.shape != (d,):
        raise FormatError(f"{path}: the kernel must be (3, {d}, {d}) and its bias ({d},)")
    # exact collapse in Python integers: score(d | x at offset j) = out[d] . kernel[j] . emb[x]
    scale = max(e_out + e_k + e_emb, e_out + e_b1, e_bout)
    emb_o, out_o, k_o = (np.asarray(a, dtype=object) for a in (emb, out, kernel))
    pick_emb, pick_out = _selection(emb, e_emb), _selection(out, e_out)
    if pick_emb is not None and pick_out is not None:
        # one-hot embeddings (the common case, trained tied tables included): the products
        # are gathers of the kernel, the same exact integers without |V|^3 Python products
        tables = [_gather(k_o[j], pick_out, pick_emb) * (1 << (scale - e_out - e_k - e_emb)) for j in range(3)]
        b1_o = np.asarray(b1, dtype=object)
        picked = np.array([b1_o[c] if c >= 0 else 0 for c in pick_out.tolist()], dtype=object)
        bias = picked * (1 << (scale - e_out - e_b1)) + np.asarray(bout, dtype=object) * (1 << (scale - e_bout))
    else:
        tables = [(out_o @ k_o[j] @ emb_o.T) * (1 << (scale - e_out - e_k - e_emb)) for j in range(3)]
        bias = (out_o @ np.asarray(b1, dtype=object)) * (1 << (scale - e_out - e_b1)) \
            + np.asarray(bout, dtype=object) * (1 << (scale - e_bout))
    narrow = [narrow_integers(a) for a in (*tables, bias)]
    return UniformFile(vocab, width, offset, C, narrow[0], narrow[1], narrow[2], narrow[3], scale)


def _selection(m: np.ndarray, exponent: int) -> np.ndarray | None:
    """For a matrix whose value (``m * 2^-exponent``) has in each row at most one entry,
    and that entry 1: the column of each row's 1 (-1 for an all-zero row); else None."""
    if exponent != 0 or m.ndim != 2:
        return None
    nonzero = np.asarray(m != 0)
    if (nonzero.sum(axis=1) > 1).any() or any(int(v) != 1 for v in np.asarray(m)[nonzero].tolist()):
        return None
    cols = np.argmax(nonzero, axis=1)
    return np.where(nonzero.any(axis=1), cols, -1)


def _gather(k: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``S_out @ k @ S_emb.T`` for selection matrices given by their columns: entry (d, x)
    is ``k[rows[d], cols[x]]``, 0 where either row is all zero."""
    out = k[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))].copy()
    out[rows < 0, :] = 0
    out[:, cols < 0] = 0
    return out


def narrow_integers(a: np.ndarray) -> np.ndarray:
    """Exact integers as int64 when every value fits, else the exact Python integers."""
    values = [int(v) for v in a.ravel().tolist()]
    if all(-(1 << 62) < v < (1 << 62) for v in values):
        return np.array(values, dtype=np.int64).reshape(a.shape)
    out = np.empty(a.shape, dtype=object)
    out.ravel()[:] = values
    return out


def dense_layer(path: str | Path, context_length: int | None = None, *, max_bytes: int = 1 << 30
                ) -> tuple[np.ndarray, np.ndarray]:
    """The paper's masked layer and bias that the tile stands for, for C positions:
    ``(C*d, C*d)`` with block ``(t, t - offsets[j]) = kernel[j]`` for every output
    position ``t`` from the last prompt token on (float32, as stored)."""
    z = _read_npz(Path(path), MAX_NPZ_BYTES)
    checked = from_arrays(z, str(path))  # the same checks as every reader: no metadata is taken on trust
    C = checked.context_length if context_length is None else context_length
    kernel = np.asarray(z["linear1.kernel"], dtype=np.float32)
    d = kernel.shape[1]
    if 4 * (C * d) ** 2 > max_bytes:
        raise ResourceLimitError(f"the dense layer for C = {C} takes {4 * (C * d) ** 2} bytes", limit="size-cap",
                                 details={"bytes": 4 * (C * d) ** 2, "max_bytes": max_bytes})
    offsets = kernel_offsets(checked.width).tolist()
    prompt = checked.width + 2
    if not prompt < C <= MAX_CONTEXT:
        raise UsageError(f"a context of {C} positions holds no generated token after the {prompt}-token prompt")
    layer = np.zeros((C * d, C * d), dtype=np.float32)
    bias = np.zeros(C * d, dtype=np.float32)
    for t in range(prompt - 1, C - 1):
        for j, o in enumerate(offsets):
            layer[t * d:(t + 1) * d, (t - o) * d:(t - o + 1) * d] = kernel[j]
        bias[t * d:(t + 1) * d] = z["linear1.bias"]
    return layer, bias
