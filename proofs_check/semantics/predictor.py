"""z3 semantics of a :class:`~theorymodel.predictor.LinearPredictor`: exact scores and
the strict argmax, for one position (local lemmas) or a whole roll-out.

Scores are ``bias[d] + sum w * [token at p == y]`` with exact integers; float weights
are read as the exact dyadic rationals they are, scaled by one power of two into
integers (:func:`theorymodel.predictor.linear.exact_data`), the same numbers the
roll-out uses. A position is right
when its intended token beats every other token strictly; tokens with no weight and
no bias score exactly 0.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from theorymodel.predictor import LinearPredictor


class PositionScores:
    """The score expressions of generated position ``k``, given an expression for the
    token at each position it reads."""

    def __init__(self, pred: LinearPredictor, k: int, token_at: Callable[[int], z3.ArithRef]) -> None:
        pos, tok, d, w = pred.blocks()[k]
        bias_cols, bias_vals = pred.bias_row(k)
        self.zero = z3.IntVal(0)

        def const(v):  # exact integers (float files are scaled by one power of two)
            return z3.IntVal(int(v))

        self.active = sorted(set(d.tolist()) | set(bias_cols.tolist()))
        terms: dict[int, list] = {a: [] for a in self.active}
        for p, y, dd, ww in zip(pos.tolist(), tok.tolist(), d.tolist(), w, strict=True):
            terms[dd].append(z3.If(token_at(p) == y, const(ww), self.zero))
        b = dict(zip(bias_cols.tolist(), bias_vals.tolist(), strict=True))
        self.scores = {a: z3.Sum([const(b.get(a, 0)), *terms[a]]) for a in self.active}
        self.inactive = [v for v in range(pred.V) if v not in set(self.active)]

    def score_of(self, v: z3.ArithRef) -> z3.ArithRef:
        expr = self.zero
        for a, s in self.scores.items():
            expr = z3.If(v == a, s, expr)
        return expr

    def wrong(self, v: z3.ArithRef) -> z3.BoolRef:
        """True when token ``v`` is not the strict argmax."""
        sv = self.score_of(v)
        cases = [z3.And(v != a, s >= sv) for a, s in self.scores.items()]
        if len(self.inactive) >= 2:
            cases.append(self.zero >= sv)
        elif len(self.inactive) == 1:
            cases.append(z3.And(v != self.inactive[0], self.zero >= sv))
        return z3.Or(*cases) if cases else z3.BoolVal(False)

    def winner_constraints(self, token: z3.ArithRef, tie: z3.BoolRef) -> list[z3.BoolRef]:
        """``token`` is the strict argmax, or ``tie`` holds (no strict argmax)."""
        candidates = list(self.active) + self.inactive[:1]
        strict = []
        for a in candidates:
            sa = self.scores.get(a, self.zero)
            others = [sa > s for b, s in self.scores.items() if b != a]
            if a in self.scores and self.inactive:
                others.append(sa > self.zero)
            if a not in self.scores and len(self.inactive) >= 2:
                others.append(z3.BoolVal(False))
            strict.append((a, z3.And(*others) if others else z3.BoolVal(True)))
        some = z3.Or(*[c for _, c in strict])
        out = [tie == z3.Not(some)]
        out += [z3.Implies(z3.And(z3.Not(tie), token == a), c) for a, c in strict]
        out.append(z3.Or(*[token == a for a, _ in strict]))
        return out


class SymbolicRollout:
    """The whole greedy roll-out on symbolic input tokens (the monolithic encoding).

    Each position's token and its scores get names of their own, so every score
    expression is built once and the strictness constraints compare variables.
    """

    def __init__(self, pred: LinearPredictor, input_tokens: list[z3.ArithRef], prefix: str = "p") -> None:
        n = pred.n_inputs
        self.tokens: list[z3.ArithRef] = list(input_tokens)
        self.ties: list[z3.BoolRef] = []
        self.constraints: list[z3.BoolRef] = []
        for k in range(pred.n_generated):
            scores = PositionScores(pred, k, lambda p: self.tokens[p])
            named = {}
            for a, expr in scores.scores.items():
                v = z3.Int(f"{prefix}_s{n + k}_{a}")
                self.constraints.append(v == expr)
                named[a] = v
            scores.scores = named
            t = z3.Int(f"{prefix}_t{n + k}")
            tie = z3.Bool(f"{prefix}_tie{n + k}")
            self.constraints += scores.winner_constraints(t, tie)
            self.tokens.append(t)
            self.ties.append(tie)

    def any_tie(self) -> z3.BoolRef:
        return z3.Or(*self.ties) if self.ties else z3.BoolVal(False)


def symbol_token_map(pred: LinearPredictor, symbols: tuple[str, ...]) -> dict[int, int]:
    """Symbol code -> token id (-1 where the dictionary lacks the symbol)."""
    tid = pred.token_id
    return {c: tid.get(s, -1) for c, s in enumerate(symbols)}


def as_token(code: z3.ArithRef, mapping: dict[int, int]) -> z3.ArithRef:
    expr = z3.IntVal(-1)
    for c, t in mapping.items():
        expr = z3.If(code == c, t, expr)
    return expr


