"""z3 semantics of the answer a user reads, exactly as the predictor file decodes it.

A verdict is about the decoded answer (docs/contract.md: "A verdict covers what the user
reads"), so the symbolic claim must decode the answer the same way
:func:`theorymodel.compile.program.answer_cells` does: the file's answer kind, its
positions, its one-hot groups and its blank stripping, whatever they are. Both sides
become sequences of *string ids* (one id per distinct string: tokens, symbols, ``?``)
and are compared as symbol tuples, blank-stripped where the side strips, with any
offset between the two windows. Nothing here trusts the layout to match the machine:
an edited layout simply makes the mismatch satisfiable, and the counterexample is real.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3

from theorymodel.program import UNDECODABLE, Answer


class StringIds:
    """One integer per distinct string, so that string equality is integer equality."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.ids.setdefault(text, len(self.ids))

    def of_code(self, code: z3.ArithRef, strings: Sequence[str]) -> z3.ArithRef:
        """The string id of ``strings[code]`` (a token id or a symbol code)."""
        expr: z3.ArithRef = z3.IntVal(self("\0no such code"))
        for c, text in enumerate(strings):
            expr = z3.If(code == c, self(text), expr)
        return expr


def predictor_cells(answer: Answer, vocab: Sequence[str], tokens: Sequence[z3.ArithRef],
                    ids: StringIds) -> list[z3.ArithRef]:
    """String ids of the decoded cells, before blank stripping (``tokens``: one z3 token
    id per answer position, in the layout's order)."""
    strings = [ids.of_code(t, vocab) for t in tokens]
    if answer.kind != "tape-bits":
        return strings
    one, k = ids("1"), len(answer.symbols)
    cells = []
    for c in range(0, len(strings), k):
        hot = [s == one for s in strings[c: c + k]]
        value: z3.ArithRef = z3.IntVal(ids(UNDECODABLE))
        for j, sym in enumerate(answer.symbols):
            only_j = z3.And(hot[j], *[z3.Not(h) for i, h in enumerate(hot) if i != j])
            value = z3.If(only_j, ids(sym), value)
        cells.append(value)
    return cells


def _span(cells: Sequence[z3.ArithRef], blank: int | None, name: str
          ) -> tuple[z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    """(lo, hi, constraints): the non-blank span ``cells[lo:hi]``, or all of it when the
    side does not strip (``blank`` None). lo and hi are determined by the constraints."""
    m = len(cells)
    if blank is None:
        return z3.IntVal(0), z3.IntVal(m), []
    lo, hi = z3.Int(f"{name}_lo"), z3.Int(f"{name}_hi")
    nb = [c != blank for c in cells]
    out = [lo >= 0, lo <= m, hi >= lo, hi <= m]
    out += [z3.Implies(i < lo, z3.Not(nb[i])) for i in range(m)]
    out += [z3.Implies(i >= hi, z3.Not(nb[i])) for i in range(m)]
    out.append(z3.Implies(lo < m, z3.Or(*[z3.And(lo == i, nb[i]) for i in range(m)] or [z3.BoolVal(False)])))
    out.append(z3.Implies(hi > lo, z3.Or(*[z3.And(hi == i + 1, nb[i]) for i in range(m)] or [z3.BoolVal(False)])))
    return lo, hi, out


def sequences_differ(got: Sequence[z3.ArithRef], got_blank: int | None, want: Sequence[z3.ArithRef],
                     want_blank: int | None, name: str = "ans") -> tuple[z3.BoolRef, list[z3.BoolRef]]:
    """(mismatch, definitions): the stripped tuples ``got`` and ``want`` differ.

    The definitions fix the spans and must be asserted alongside the mismatch.
    """
    lo_g, hi_g, defs = _span(got, got_blank, f"{name}_got")
    lo_w, hi_w, defs_w = _span(want, want_blank, f"{name}_want")
    defs += defs_w
    differ = [hi_g - lo_g != hi_w - lo_w]
    static = got_blank is None and want_blank is None
    for i, g in enumerate(got):
        for j, w in enumerate(want):
            if static and i != j:
                continue
            differ.append(z3.And(i - lo_g == j - lo_w, lo_g <= i, i < hi_g, g != w))
    return z3.Or(*differ), defs


def answer_mismatch(answer: Answer, vocab: Sequence[str], tokens: Sequence[z3.ArithRef],
                    expected: Sequence[z3.ArithRef], expected_blank: int | None, ids: StringIds
                    ) -> tuple[z3.BoolRef, list[z3.BoolRef]]:
    """The decoded answer differs from ``expected`` (string ids, stripped of
    ``expected_blank`` unless None). Returns (mismatch, definitions)."""
    cells = predictor_cells(answer, vocab, tokens, ids)
    strips = answer.kind in ("tape", "tape-bits")
    return sequences_differ(cells, ids(answer.blank) if strips else None, expected, expected_blank)
