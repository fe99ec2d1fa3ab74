"""Proof by induction over positions: every generated token equals its label.

A compiled predictor carries one label per position (a claim about the machine's run:
"cell i after t steps", "the head is on i in state q", "the answer", ...). Position k is
proved right for every input by one small query: over every *local world* (the few
cells its label and its reads talk about, at one time step, constrained only by facts
of every real run), if each position it reads holds its label's value, then its strict
argmax is its own label's value, computed from the transition table
(:func:`~proofs_check.tm_semantics.step_cell`). By induction every token equals its
label on every input, so the answer tokens equal the machine's answer.

The local worlds rest on two global facts, proved separately on the machine's bounded
run: it halts within T steps, and after t steps its head lies in
``[-min(t, L), min(t, R)]`` (so every other cell still holds its initial content, and a
row holds the one head). A read whose label the world cannot express becomes a free
token (an over-approximation: a proof stays a proof; a failure is then checked
globally before anything is reported).

Positions whose queries are identical up to a shift of cells (interior cells of a row,
the gates of one kind) share one query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import z3

from proofs_check.semantics.machine import Tables, step_cell
from proofs_check.semantics.predictor import PositionScores
from proofs_check.semantics.z3util import at_most_one, exactly_one, in_set, query_size, record_query
from theorymodel.machines import TuringMachine
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb


def local_solver() -> z3.Solver:
    """Local queries are small sums of if-then-else terms: eliminating the ITEs after
    simplification makes them an order of magnitude faster than the default."""
    return z3.Then("simplify", "propagate-values", "solve-eqs", "elim-term-ite", "smt").solver()


@dataclass
class LocalReport:
    proved: bool
    queries: int
    positions: int
    failed_positions: list[int] = field(default_factory=list)
    seconds: float = 0.0
    max_query_size: int = 0
    unknown: bool = False


class _World:
    """Cells of one time step as z3 terms: (symbol code, head state code or -1)."""

    def __init__(self, ctx: LocalProver, t: int, cells: list[int], one_head: bool = False) -> None:
        self.t = t
        self.ctx = ctx
        self.cells: dict[int, tuple[z3.ArithRef, z3.ArithRef]] = {}
        self.constraints: list[z3.BoolRef] = []
        self.x: dict[int, z3.ArithRef] = {}
        tab = ctx.tables
        free_heads = []
        for c in cells:
            if t == 0 or c not in ctx.row(t):
                sym = self.input_var(c) if 0 <= c < ctx.n else z3.IntVal(tab.blank)
                hd = z3.IntVal(tab.initial if (t == 0 and c == 0) else -1)
            else:
                sym, hd = z3.Int(f"s{c}"), z3.Int(f"h{c}")
                self.constraints += [sym >= 0, sym < ctx.n_symbols, hd >= -1, hd < ctx.n_states]
                free_heads.append(hd >= 0)
            self.cells[c] = (sym, hd)
        self.constraints.append(exactly_one(free_heads) if one_head else at_most_one(free_heads))

    def input_var(self, j: int) -> z3.ArithRef:
        if j not in self.x:
            v = z3.Int(f"x{j}")
            self.x[j] = v
            self.constraints.append(in_set(v, self.ctx.tables.inputs))
        return self.x[j]

    def label_value(self, label: np.ndarray) -> z3.ArithRef | None:
        """The token id the label claims, if this world can express it."""
        kind, t, i, q, s = (int(v) for v in label)
        if kind == lb.SEP:  # the uniform route's row separator: the same token at every time
            return z3.IntVal(self.ctx.separator)
        if t != self.t or i not in self.cells or kind not in (lb.CELL, lb.SYM, lb.HEAD, lb.AND):
            return None
        sym, hd = self.cells[i]
        ctx = self.ctx
        if kind == lb.CELL:
            return ctx.cell_token(sym, hd)
        cond = {lb.SYM: sym == s, lb.HEAD: hd == q, lb.AND: z3.And(hd == q, sym == s)}[kind]
        return z3.If(cond, ctx.one, ctx.zero)


class LocalProver:
    """Local lemmas for a labelled predictor against a machine."""

    def __init__(self, tm: TuringMachine, pred: LinearPredictor, *, n: int, T: int, L: int, R: int,
                 timeout_ms: int = 0) -> None:
        if pred.labels is None:
            raise ValueError("the predictor carries no position labels")
        self.tm, self.pred, self.n, self.T, self.L, self.R = tm, pred, n, T, L, R
        self.tables = Tables.of(tm)
        self.n_symbols, self.n_states = len(tm.tape_symbols), len(tm.states)
        self.timeout_ms = timeout_ms
        tid = pred.token_id
        self.one, self.zero = tid.get("1", -1), tid.get("0", -1)
        self.symbol_tokens = {c: tid.get(s, -1) for c, s in enumerate(tm.tape_symbols)}
        self.separator = tid.get("#", -1)
        self.head_tokens = {(q, c): tid.get(f"[{qs}]{s}", -1)
                            for q, qs in enumerate(tm.states) for c, s in enumerate(tm.tape_symbols)}
        self.labels = np.asarray(pred.labels)

    def row(self, t: int) -> range:
        return range(0, 1) if t == 0 else range(-min(t, self.L), min(t, self.R) + 1)

    def cell_token(self, sym: z3.ArithRef, hd: z3.ArithRef) -> z3.ArithRef:
        expr = z3.IntVal(-1)
        for c, tok in self.symbol_tokens.items():
            expr = z3.If(z3.And(hd < 0, sym == c), tok, expr)
        for (q, c), tok in self.head_tokens.items():
            expr = z3.If(z3.And(hd == q, sym == c), tok, expr)
        return expr

    def symbol_token(self, sym: z3.ArithRef) -> z3.ArithRef:
        expr = z3.IntVal(-1)
        for c, tok in self.symbol_tokens.items():
            expr = z3.If(sym == c, tok, expr)
        return expr

    def _domain(self, label: np.ndarray) -> list[int]:
        kind = int(label[0])
        if kind in (lb.SYM, lb.HEAD, lb.AND, lb.ACCEPT, lb.OUTBIT):
            return [self.zero, self.one]
        if kind == lb.OUT:
            return list(self.symbol_tokens.values())
        if kind == lb.SEP:
            return [self.separator]
        return [*self.symbol_tokens.values(), *self.head_tokens.values()]

    # -- one position -------------------------------------------------------------------
    def _shape(self, label: np.ndarray) -> tuple[int, list[int], int]:
        """(world time, world cells, shift origin) of a label's local world."""
        kind, t, i = int(label[0]), int(label[1]), int(label[2])
        if kind == lb.CELL and t == 0:  # row 0 of the uniform route: the input, copied
            return 0, [i], i
        if kind == lb.SEP:
            return max(t - 1, 0), [], 0
        if kind in (lb.CELL, lb.SYM, lb.HEAD):
            return t - 1, [i - 1, i, i + 1], i
        if kind == lb.AND:
            return t, [i], i
        if kind == lb.ACCEPT:
            return self.T, list(self.row(self.T)), 0
        return self.T, [i], i

    def _spec(self, label: np.ndarray) -> tuple[_World, z3.ArithRef, int]:
        """The local world of a label and the token it must be; ``i`` (the shift origin)."""
        kind, t, i, q, s = (int(v) for v in label)
        tab = self.tables
        if kind == lb.CELL and t == 0:
            w = _World(self, 0, [i])
            return w, self.cell_token(*w.cells[i]), i
        if kind == lb.SEP:
            return _World(self, max(t - 1, 0), []), z3.IntVal(self.separator), 0
        if kind in (lb.CELL, lb.SYM, lb.HEAD):
            if t < 1:
                raise ValueError("row 0 is the input, not generated")
            w = _World(self, t - 1, [i - 1, i, i + 1])
            new_sym, new_hd = step_cell(tab, w.cells[i - 1], w.cells[i], w.cells[i + 1])
            if kind == lb.CELL:
                value = self.cell_token(new_sym, new_hd)
            else:
                cond = new_sym == s if kind == lb.SYM else new_hd == q
                value = z3.If(cond, self.one, self.zero)
            return w, value, i
        if kind == lb.AND:
            w = _World(self, t, [i])
            sym, hd = w.cells[i]
            return w, z3.If(z3.And(hd == q, sym == s), self.one, self.zero), i
        if kind == lb.ACCEPT:
            cells = list(self.row(self.T))
            w = _World(self, self.T, cells, one_head=self.T >= 1)
            accept = z3.Or(*[z3.And(w.cells[c][1] >= 0, in_set(w.cells[c][1], tab.finals)) for c in cells])
            return w, z3.If(accept, self.one, self.zero), 0
        w = _World(self, self.T, [i])
        sym = w.cells[i][0]
        if kind == lb.OUT:
            return w, self.symbol_token(sym), i
        if kind == lb.OUTBIT:
            return w, z3.If(sym == s, self.one, self.zero), i
        raise ValueError(f"unknown label kind {kind}")

    def _well_formed(self, label: np.ndarray) -> bool:
        """A label whose time the lemmas read as the answer lemma does
        (:func:`proofs_check.per_length.z3_query.label_token_on_run`): a generated cell,
        symbol or head bit of a row 1..T (a cell of row 0 is the input, copied), an AND of
        a row 0..T, an answer cell (OUT, OUTBIT) of the last row T. A file whose labels say
        otherwise is not proved by lemmas (the caller falls back to enumeration or one
        global query): the lemma and the answer would otherwise read different cells."""
        kind, t = int(label[0]), int(label[1])
        if kind in (lb.SYM, lb.HEAD):
            return 1 <= t <= self.T
        if kind in (lb.CELL, lb.AND):
            return 0 <= t <= self.T
        if kind in (lb.OUT, lb.OUTBIT):
            return t == self.T
        return kind in (lb.SEP, lb.ACCEPT)

    def _key(self, k: int) -> tuple:
        """Identical for positions whose queries agree up to shifting cells by the origin."""
        label = self.labels[k]
        t_w, cells, origin = self._shape(label)
        n = self.pred.n_inputs
        pos, tok, d, w = self.pred.blocks()[k]
        roles: list[tuple] = []
        for p in pos.tolist():
            if p < n:
                roles.append(("x", p - origin))
                continue
            other = self.labels[p - n]
            kind = int(other[0])
            if kind in (lb.CELL, lb.SYM, lb.HEAD, lb.AND) and int(other[1]) == t_w and int(other[2]) in cells:
                roles.append((kind, int(other[2]) - origin, int(other[3]), int(other[4])))
            elif kind == lb.SEP:
                roles.append(("sep",))
            else:  # a free token of the label's domain, named by its distance back
                roles.append(("free", kind, n + k - p))
        entries = tuple(sorted(zip(roles, tok.tolist(), d.tolist(), w.tolist(), strict=True), key=repr))
        bias_cols, bias_vals = self.pred.bias_row(k)
        statuses: list[tuple] = []
        for c in cells:
            if t_w == 0 or c not in self.row(t_w):
                statuses.append((c - origin, "x" if 0 <= c < self.n else "blank", t_w == 0 and c == 0))
            else:
                statuses.append((c - origin, "free"))
        kind = int(label[0])
        exact_t = kind == lb.ACCEPT or t_w == 0
        return (kind, int(label[3]), int(label[4]), t_w if exact_t else None, tuple(statuses), entries,
                tuple(sorted(zip(bias_cols.tolist(), bias_vals.tolist(), strict=True))))

    def _query(self, k: int, world: _World, value: z3.ArithRef) -> tuple[z3.CheckSatResult, int]:
        n = self.pred.n_inputs
        free: dict[int, z3.ArithRef] = {}
        named: dict[int, z3.ArithRef] = {}
        links: list[z3.BoolRef] = []

        def token_at(p: int) -> z3.ArithRef:
            if p in named:
                return named[p]
            expr = self.symbol_token(world.input_var(p)) if p < n else world.label_value(self.labels[p - n])
            var = z3.Int(f"tok{p}")  # one name per read position keeps the query small
            named[p] = var
            if expr is not None:
                links.append(var == expr)
            else:  # a claim this world cannot check: any token it may hold
                free[p] = var
            return var

        scores = PositionScores(self.pred, k, token_at)
        solver = local_solver()
        if self.timeout_ms:
            solver.set("timeout", self.timeout_ms)
        solver.add(world.constraints)
        solver.add(links)
        for p, v in free.items():
            solver.add(in_set(v, self._domain(self.labels[p - n])))
        solver.add(scores.wrong(value))
        record_query(solver, f"local-position-{self.pred.n_inputs + k}")
        return solver.check(), query_size(solver)

    def prove(self, deadline: float | None = None) -> LocalReport:
        start = time.perf_counter()
        verdicts: dict[tuple, z3.CheckSatResult] = {}
        report = LocalReport(True, 0, self.pred.n_generated)
        for k in range(self.pred.n_generated):
            if deadline is not None and time.perf_counter() > deadline:
                report.proved, report.unknown = False, True
                break
            if not self._well_formed(self.labels[k]):  # no lemma reads it: the position fails
                report.proved = False
                report.failed_positions.append(self.pred.n_inputs + k)
                continue
            key = self._key(k)
            if key not in verdicts:
                world, value, _ = self._spec(self.labels[k])
                result, size = self._query(k, world, value)
                verdicts[key] = result
                report.queries += 1
                report.max_query_size = max(report.max_query_size, size)
            if verdicts[key] != z3.unsat:
                report.proved = False
                report.unknown |= verdicts[key] == z3.unknown
                report.failed_positions.append(self.pred.n_inputs + k)
        report.seconds = time.perf_counter() - start
        return report
