"""Numbers read from a predictor file, exactly or not at all.

A verdict is about the numbers the forward pass uses (docs/contract.md: "Float weights
are read as exact rationals"), so every array a reader turns into weights must come out
with the same values it holds. The dtypes allowed are the ones that convert without
loss: signed and unsigned integers up to 64 bits (unsigned values beyond int64 refused),
and IEEE floats of 16, 32 and 64 bits (each a dyadic rational, kept as float64 with no
rounding). Booleans, complex numbers, extended-precision floats, strings and objects are
refused with exit 2: each would need a silent conversion.
"""

from __future__ import annotations

import numpy as np

from theorymodel.errors import FormatError

INT_KINDS = "iu"
FLOAT_SIZES = (2, 4, 8)  # float16, float32, float64: exact in float64
INT64_MAX = (1 << 63) - 1


def check_numbers(a: np.ndarray, what: str) -> None:
    """Refuse a dtype whose values a reader could not keep exactly (module doc)."""
    kind, size = a.dtype.kind, a.dtype.itemsize
    if kind in INT_KINDS and size <= 8:
        return
    if kind == "f" and size in FLOAT_SIZES:
        return
    raise FormatError(f"{what} must hold integers or 16/32/64-bit floats, not {a.dtype}")


def as_int64(a: np.ndarray, what: str) -> np.ndarray:
    """An integer array as int64, refusing unsigned values int64 cannot hold (no wrap)."""
    a = np.asarray(a)
    if a.dtype.kind not in INT_KINDS or a.dtype.itemsize > 8:
        raise FormatError(f"{what} must hold integers, not {a.dtype}")
    if a.dtype.kind == "u" and a.size and int(a.max()) > INT64_MAX:
        raise FormatError(f"{what} holds a value beyond the 64-bit signed range")
    return a.astype(np.int64)


def max_magnitude(a: np.ndarray) -> int:
    """The largest |value| of an integer array, as a Python int. Not ``np.abs(a).max()``:
    ``abs`` of int64's minimum, -2^63, wraps to itself in int64, and an overflow guard
    built on it would wave through the one value that overflows."""
    a = np.asarray(a)
    if not a.size:
        return 0
    return max(-int(a.min()), int(a.max()), 0)


def as_float64(a: np.ndarray, what: str) -> np.ndarray:
    """A float array of an allowed size as float64 (exact: widening never rounds)."""
    check_numbers(a, what)
    return np.asarray(a).astype(np.float64)


def exact_ratios(a: np.ndarray, what: str) -> list[tuple[int, int]]:
    """Each value as (numerator, power-of-two denominator), exactly."""
    check_numbers(a, what)
    if a.dtype.kind in INT_KINDS:
        return [(int(v), 1) for v in a.tolist()]
    values = a.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise FormatError(f"{what} hold a NaN or an infinity")
    return [float(v).as_integer_ratio() for v in values.tolist()]
