"""Which tape cells each configuration row covers, and the exact token-count formulas.

Row ``t`` (the configuration after ``t`` steps, ``t = 1..T``) covers the cells the head
can occupy at time ``t``: ``[-min(t, L), min(t, R)]``, where ``L`` and ``R`` bound how far
left and right the head ever goes (the light cone ``L = R = T`` when nothing better is
known; measured over every input when the inputs are enumerated). Every other cell
still holds its initial content at time ``t``. Row 0 is the input itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

n_, T_, L_, R_, Q_, G_ = sympy.symbols("n T L R Q Gamma", integer=True, nonnegative=True)
W_ = sympy.Symbol("W", integer=True, positive=True)  # cells per row of a fixed-width route


@dataclass(frozen=True)
class Geometry:
    n: int
    T: int
    L: int
    R: int
    columns: int | None = None  # a fixed row width asked for (the uniform route's --width)

    def __post_init__(self) -> None:
        if self.T < 1:
            raise ValueError("the time bound must be at least 1")
        if not (0 <= self.L <= self.T and 0 <= self.R <= self.T):
            raise ValueError("the head reach must lie within the light cone")

    @property
    def natural_columns(self) -> int:
        """The smallest fixed row width holding the reach and the input: L + max(R, n-1) + 1."""
        return self.L + max(self.R, self.n - 1, 0) + 1

    @property
    def row_width(self) -> int:
        """W: cells per row of a fixed-width route (``columns``, else the natural width)."""
        return self.natural_columns if self.columns is None else self.columns

    @classmethod
    def light_cone(cls, n: int, T: int) -> Geometry:
        return cls(n, T, T, T)

    def row(self, t: int) -> range:
        """Cells of row ``t`` (row 0: just the head's cell 0)."""
        if t == 0:
            return range(0, 1)
        return range(-min(t, self.L), min(t, self.R) + 1)

    def window(self) -> range:
        """Cells that may be non-blank at the end: the answer of a ``tape`` output."""
        return range(-self.L, max(self.R, self.n - 1) + 1)

    @property
    def width(self) -> int:
        """S: the tape width the head can use."""
        return self.L + self.R + 1

    def row_cells(self, upto: int) -> int:
        """sum_{t=0}^{upto} |row(t)|."""
        return sum(len(self.row(t)) for t in range(upto + 1))


def _sum_min(m: sympy.Expr, bound: sympy.Expr) -> sympy.Expr:
    """sum_{t=0}^{m} min(t, bound), in closed form."""
    return sympy.Piecewise(
        (m * (m + 1) / 2, m <= bound),
        (bound * (bound + 1) / 2 + (m - bound) * bound, True),
    )


def _row_cells(m: sympy.Expr) -> sympy.Expr:
    """sum_{t=0}^{m} (min(t, L) + min(t, R) + 1)."""
    return _sum_min(m, L_) + _sum_min(m, R_) + m + 1


def answer_formula(output: str, per_cell: sympy.Expr | int = 1) -> sympy.Expr:
    if output == "accept":
        return sympy.Integer(1)
    return (L_ + sympy.Max(R_, n_ - 1) + 1) * per_cell


def tableau_formula(output: str) -> sympy.Expr:
    """Generated tokens of the tableau route: one token per cell of rows 1..T, plus
    the answer."""
    return _row_cells(T_) - 1 + answer_formula(output)


def circuit_formula(output: str) -> sympy.Expr:
    """Gates (= generated tokens) of the circuit route: per step, |Q||Γ| head-reads-symbol
    AND gates per cell of the previous row, and |Q| + |Γ| next-state/next-symbol gates
    per cell of the new row; plus the answer gates."""
    return Q_ * G_ * _row_cells(T_ - 1) + (Q_ + G_) * (_row_cells(T_) - 1) + answer_formula(output, G_)


def uniform_formula(output: str) -> sympy.Expr:
    """Generated tokens of the uniform route (docs/uniform.md): ``#``, row 0 and its
    ``#`` (the input copied into the window), then T rows of W cells and a ``#``, plus
    the answer."""
    return (T_ + 1) * (W_ + 1) + 1 + answer_formula(output)


NATURAL_WIDTH = L_ + sympy.Max(R_, n_ - 1) + 1  # W when --width is not given


def evaluate_formula(expr: sympy.Expr, geometry: Geometry, n_states: int, n_symbols: int) -> int:
    value = expr.subs({n_: geometry.n, T_: geometry.T, L_: geometry.L, R_: geometry.R,
                       W_: geometry.row_width, Q_: n_states, G_: n_symbols})
    return int(value)
