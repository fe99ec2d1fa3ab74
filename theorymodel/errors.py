"""The exception tree of theorymodel.

Every error a user can cause derives from :class:`TheoryModelError`. The CLI maps
:class:`ResourceLimitError` to exit code 3 and every other :class:`TheoryModelError`
to exit code 2 (bad input or usage), printing one ``error:`` line.
"""

from __future__ import annotations


class TheoryModelError(Exception):
    """Base class of every error theorymodel raises on purpose."""

    exit_code = 2


class UsageError(TheoryModelError):
    """A command-line request that makes no sense (bad flag value, missing path)."""


class FormatError(TheoryModelError):
    """A file or notation that cannot be parsed (syntax, encoding, structure)."""


class MachineError(TheoryModelError):
    """A Turing machine that parses but is not a valid machine."""


class InvalidStateError(MachineError):
    """A state that is missing, empty, or not a state of the machine."""


class MissingInitialStateError(InvalidStateError):
    """The machine names no initial state, or one it does not have."""


class InvalidSymbolError(MachineError):
    """A symbol outside the declared alphabets (tape or input)."""


class InvalidMoveError(MachineError):
    """A head move other than L, R or N."""


class InvalidTransitionError(MachineError):
    """A transition table that is not a mapping of the documented shape."""


class ProgramError(TheoryModelError):
    """A CoT program that is not well formed (a rule reading a later position, a
    duplicate token, labels that do not fit)."""


class CircuitError(TheoryModelError):
    """A circuit that parses but is not valid (cycle, unknown gate, bad arity)."""


class ResourceLimitError(TheoryModelError):
    """A step limit, size cap or solver timeout was reached (exit code 3).

    Parameters
    ----------
    message:
        One line saying what happened.
    limit:
        Machine-readable name of the limit (``"max-steps"``, ``"size-cap"``, ...).
    details:
        Extra JSON-serialisable facts for the ``--json`` report.
    """

    exit_code = 3

    def __init__(self, message: str, *, limit: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.details = dict(details or {})


MAX_INPUT_DIGITS = 4000  # decimal digits of |alphabet|^n that a report may print


def input_space(alphabet_size: int, n: int) -> int:
    """``alphabet_size ** n``, refused (exit 3) before it is computed when it would
    have more than ``MAX_INPUT_DIGITS`` digits: ``--n 10**20`` must fail at once, not
    fill the memory with one integer."""
    import math

    if n < 0:
        raise UsageError(f"n must be >= 0, got {n}")
    if alphabet_size > 1 and n * math.log10(alphabet_size) > MAX_INPUT_DIGITS:
        raise ResourceLimitError(
            f"{alphabet_size}^{n} inputs is beyond every method here (more than 10^{MAX_INPUT_DIGITS})",
            limit="size-cap", details={"n": n, "alphabet_size": alphabet_size})
    return alphabet_size**n


def parse_parameter(digits: str, spec: str) -> int:
    """The decimal parameter K of a name such as ``threshold-K`` or ``parity-K``: ASCII
    digits only, and refused (exit 2) before ``int()`` reads it when it has more than
    ``MAX_INPUT_DIGITS`` digits (Python itself stops at 4300 with an internal error)."""
    if not digits.isascii() or not digits.isdigit():
        raise UsageError(f"{spec[:60]!r}: the parameter must be decimal digits 0-9")
    if len(digits.lstrip("0")) > MAX_INPUT_DIGITS:
        raise UsageError(f"{spec[:40]}...: a parameter of {len(digits.lstrip('0')):,} digits is beyond every "
                         f"input length (at most {MAX_INPUT_DIGITS} digits)")
    return int(digits.lstrip("0") or "0")
