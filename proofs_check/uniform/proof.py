"""Proofs for every input length: a uniform rule is right on every (left, middle, right)
triple a run can show it, so by induction over rows its roll-out is the machine's run
for every input, every width and every number of steps (docs/uniform.md).

The next cell is computed here from the transition table (:func:`step_cell`, the z3
semantics of :mod:`proofs_check.semantics.machine`; :func:`next_cell`, its concrete twin),
never from the compiler. Tokens are read by their spelling: a symbol ``s``, a head
``[q]s``, the wall ``#``.

Two methods decide the same finite lemma: ``z3`` (one query over a symbolic triple) and
``exhaustive`` (every triple of the domain). A failed triple is not yet a
counterexample: :func:`search_counterexample` looks for a real run that reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import product
from typing import Any

import numpy as np
import z3

from proofs_check.per_length.simulation import configurations
from proofs_check.semantics.machine import Tables, next_cell, step_cell
from proofs_check.semantics.z3util import query_size, record_query, version
from proofs_check.uniform.invariant import DEADLINE, cell_tokens, invariant_domain, invariant_size
from proofs_check.uniform.row_scan import scan_triples
from proofs_check.verdict import word_text
from theorymodel.errors import UsageError
from theorymodel.machines import TuringMachine, reference_run
from theorymodel.program.uniform import SEPARATOR, UniformLayout, UniformRule, rollout

WALL = (-1, -1)  # a cell view of "#": no symbol, no head


def cell_views(tm: TuringMachine, rule: UniformRule) -> dict[int, tuple[int, int]]:
    """Token id -> (symbol code, head state code or -1), from the tokens' spelling; the
    wall ``#`` is :data:`WALL`. Tokens that spell no cell of this machine are left out."""
    return _views(tm, rule.token_id)


def _views(tm: TuringMachine, tid: Mapping[str, int]) -> dict[int, tuple[int, int]]:
    views = cell_tokens(tm, tid)
    if SEPARATOR in tid:
        views[tid[SEPARATOR]] = WALL
    return views


def head_cells(tm: TuringMachine) -> set[tuple[int, int]]:
    """(state, symbol) pairs a head cell can show, an over-approximation read off the
    transition table: the start state on an input symbol or the blank; a state entered
    without moving on the symbol just written; a state entered by a move on any symbol.
    Every row of every run has its head in this set (induction over steps; a halted
    head keeps its cell), so the lemma need not cover other head tokens."""
    tab = Tables.of(tm)
    symbols = range(len(tm.tape_symbols))
    out = {(tab.initial, s) for s in (*tab.inputs, tab.blank)}
    for (q, s), defined in tab.defined.items():
        if not defined:
            continue
        nxt = tab.next_state[q, s]
        if tab.move[q, s] == 0:
            out.add((nxt, tab.write[q, s]))
        else:
            out.update((nxt, c) for c in symbols)
    return out


def edge_heads(tm: TuringMachine, side: int, *, after_step: bool = False) -> set[tuple[int, int]]:
    """(state, symbol) pairs a head can show on the window's first cell (``side = -1``) or
    last cell (``side = 1``): the start head (in row 0, or halted there at once), or a
    state entered by a step that does not come from beyond that wall (a move toward the
    wall, or no move). Inside the space bound no head crosses a wall, so this
    over-approximates every run. ``after_step``: for rows 1.. (no fresh start head)."""
    tab = Tables.of(tm)
    symbols = range(len(tm.tape_symbols))
    out = {(tab.initial, s) for s in (*tab.inputs, tab.blank)
           if not after_step or not tab.defined.get((tab.initial, s), False)}
    for (q, s), defined in tab.defined.items():
        if not defined:
            continue
        nxt, move = tab.next_state[q, s], tab.move[q, s]
        if move == 0:
            out.add((nxt, tab.write[q, s]))
        elif move == side:
            out.update((nxt, c) for c in symbols)
    return out & head_cells(tm)


def lemma_views(tm: TuringMachine, rule: UniformRule) -> dict[int, tuple[int, int]]:
    """The tokens the lemma ranges over, as cells: symbols, the wall, and the head tokens
    :func:`head_cells` allows."""
    return _lemma_views(tm, rule.token_id)


def _lemma_views(tm: TuringMachine, tid: Mapping[str, int]) -> dict[int, tuple[int, int]]:
    heads = head_cells(tm)
    return {t: v for t, v in _views(tm, tid).items() if v[1] < 0 or (v[1], v[0]) in heads}


def _moves(tab: Tables, cell: tuple[int, int], direction: int) -> bool:
    s, q = cell
    return q >= 0 and tab.defined.get((q, s), False) and tab.move[q, s] == direction


def domain(tm: TuringMachine, rule: UniformRule, *, tight: bool = True) -> list[tuple[int, int, int]]:
    """The lemma's domain: the syntactic triples (:func:`syntactic_domain`) that the
    inductive window invariant (:mod:`proofs_check.uniform.invariant`) also admits; with
    ``tight=False``, the syntactic triples alone. Both over-approximate the triples of
    every run inside the window, so their intersection does too."""
    return list(_tight_domain(tm, rule.vocab) if tight else _syntactic_domain(tm, rule.vocab))


def domain_sizes(tm: TuringMachine, rule: UniformRule) -> dict[str, Any]:
    """The syntactic domain's size beside the invariant's (and the invariant's own size)."""
    return {"syntactic": len(_syntactic_domain(tm, rule.vocab)), "invariant": len(_tight_domain(tm, rule.vocab)),
            "window_invariant": invariant_size(tm), "row_invariant": scan_triples(tm)[1]}


def syntactic_domain(tm: TuringMachine, rule: UniformRule) -> list[tuple[int, int, int]]:
    """Every (left, middle, right) that a run inside the window can show a position: for a
    cell, three cells of one row (at most one head; walls only at the ends; no head
    stepping through a wall); for a closing ``#``, the row above's last cell and this
    row's first (a head in each is possible). Head tokens are limited by
    :func:`head_cells` and, next to a wall, :func:`edge_heads`. tests/test_uniform.py
    checks that every triple the runs show lies in this domain."""
    return list(_syntactic_domain(tm, rule.vocab))


# Both domains depend on the machine and the tokens' spellings only, so a rule's domain is
# computed once however often it is checked (the SGD learner checks its weights every 50
# steps, ``--method both`` twice, a report also gives the sizes).
@lru_cache(maxsize=64)
def _tight_domain(tm: TuringMachine, vocab: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    tid = {t: i for i, t in enumerate(vocab)}
    admitted = invariant_domain(tm, tid)
    scanned, _ = scan_triples(tm)  # whole rows, read both ways (proofs_check/uniform/row_scan.py); None: left out
    return tuple(t for t in _syntactic_domain(tm, vocab) if t in admitted
                 and (scanned is None or (vocab[t[0]], vocab[t[1]], vocab[t[2]]) in scanned))


@lru_cache(maxsize=64)
def _syntactic_domain(tm: TuringMachine, vocab: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    tid = {t: i for i, t in enumerate(vocab)}
    tab = Tables.of(tm)
    views = _lemma_views(tm, tid)
    first, last, first_later = edge_heads(tm, -1), edge_heads(tm, 1), edge_heads(tm, -1, after_step=True)
    wall = tid[SEPARATOR]

    def at(edge: set[tuple[int, int]], view: tuple[int, int]) -> bool:  # may this cell sit at that edge?
        return view[1] < 0 or (view[1], view[0]) in edge

    # one flag per view, then every triple at once (a |V|^3 loop in Python took 20 s on the
    # bracket machines); np.nonzero keeps product()'s lexicographic order
    keys = list(views)
    vs = [views[k] for k in keys]
    flag = lambda f: np.array([bool(f(v)) for v in vs], dtype=bool)  # noqa: E731
    head, is_wall = flag(lambda v: v[1] >= 0), np.array([k == wall for k in keys], dtype=bool)
    left_ok = ~flag(lambda v: _moves(tab, v, -1)) & flag(lambda v: at(first, v))  # may sit right of a wall
    right_ok = ~flag(lambda v: _moves(tab, v, 1)) & flag(lambda v: at(last, v))  # may sit left of a wall
    later_first = flag(lambda v: at(first_later, v))
    L, M, R = np.ix_(np.arange(len(keys)), np.arange(len(keys)), np.arange(len(keys)))
    one_head = (head[L].astype(np.int8) + head[M] + head[R]) <= 1
    cell = ~is_wall[M] & one_head & (~is_wall[L] | left_ok[M]) & (~is_wall[R] | right_ok[M])
    meet = is_wall[M] & ~is_wall[L] & ~is_wall[R] & right_ok[L] & later_first[R]
    idx = np.array(keys)
    return tuple((int(idx[a]), int(idx[b]), int(idx[c])) for a, b, c in zip(*np.nonzero(cell | meet), strict=True))


def expected_token(tm: TuringMachine, rule: UniformRule, tab: Tables, views: dict[int, tuple[int, int]],
                   triple: tuple[int, int, int]) -> int:
    lt, m, r = triple
    if views[m] == WALL:
        return rule.token_id[SEPARATOR]
    s, q = next_cell(tab, views[lt], views[m], views[r])
    text = tm.tape_symbols[s] if q < 0 else f"[{tm.states[q]}]{tm.tape_symbols[s]}"
    return rule.token_id.get(text, -1)


@dataclass(frozen=True)
class UniformVerdict:
    verified: bool
    method: str
    guarantee: str  # "smt-proof-uniform" or "exhaustive-uniform" (over the finite lemma)
    triples: int
    failed: tuple[tuple[str, str, str], ...] = ()
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"verified": self.verified, "method": self.method, "guarantee": self.guarantee,
                "triples": self.triples, "failed_triples": [list(t) for t in self.failed[:20]],
                "seconds": round(self.seconds, 6), **self.details}

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        return html_table("VERIFIED for every input length" if self.verified else "NOT PROVED", self.to_json())


def _names(rule: UniformRule, triple: tuple[int, int, int]) -> tuple[str, str, str]:
    return (rule.vocab[triple[0]], rule.vocab[triple[1]], rule.vocab[triple[2]])


def lemma_exhaustive(tm: TuringMachine, rule: UniformRule, *, tight: bool = True) -> UniformVerdict:
    """The local lemma on every triple of the domain, with exact integer scores."""
    start = time.perf_counter()
    tab, views = Tables.of(tm), cell_views(tm, rule)
    triples = domain(tm, rule, tight=tight)
    arr = np.array(triples, dtype=np.int64).reshape(-1, 3)
    best, tie = rule.next_tokens(arr[:, 0], arr[:, 1], arr[:, 2])
    failed = [t for t, b, x in zip(triples, best.tolist(), tie.tolist(), strict=True)
              if x or b != expected_token(tm, rule, tab, views, t)]
    return UniformVerdict(not failed, "exhaustive", "exhaustive-uniform", len(triples),
                          tuple(_names(rule, t) for t in failed), time.perf_counter() - start,
                          {"domain": "invariant" if tight else "syntactic"})


def lemma_z3(tm: TuringMachine, rule: UniformRule, *, timeout: float | None = None, tight: bool = True
             ) -> UniformVerdict:
    """The local lemma as a z3 query over a symbolic triple: the domain's constraints,
    the next cell by :func:`step_cell` (the transition table's z3 semantics), and "some
    other token scores at least as much" must be unsatisfiable. It is decided in parts (the
    whole query is unsat iff every part is): over the tight domain, a finite list, one
    ground part per triple, which z3 evaluates with the transition table's semantics; over
    the syntactic domain, one part per middle token, whose failed triples are listed by
    blocking each model."""
    start = time.perf_counter()
    tab, views = Tables.of(tm), lemma_views(tm, rule)
    wall = rule.token_id[SEPARATOR]
    toks = sorted(views)
    lt, m, r = (z3.Int(v) for v in ("left", "middle", "right"))

    def lookup(v: z3.ArithRef, values: dict[int, int], default: int = -1) -> z3.ArithRef:
        expr: z3.ArithRef = z3.IntVal(default)
        for k, val in values.items():
            expr = z3.If(v == k, val, expr)
        return expr

    def view(v: z3.ArithRef) -> tuple[z3.ArithRef, z3.ArithRef]:
        return lookup(v, {t: views[t][0] for t in toks}), lookup(v, {t: views[t][1] for t in toks})

    def moves(cell: tuple[z3.ArithRef, z3.ArithRef], direction: int) -> z3.BoolRef:
        s, q = cell
        return z3.And(q >= 0, tab.is_defined(q, s), tab.lookup("move", q, s) == direction)

    vl, vm, vr = view(lt), view(m), view(r)
    heads = [z3.If(c[1] >= 0, 1, 0) for c in (vl, vm, vr)]
    in_domain = [z3.Or(*[v == t for t in toks]) for v in (lt, m, r)]
    in_domain.append(z3.Or(m == wall, z3.Sum(heads) <= 1))  # under "#", l and r lie in different rows
    first, last, first_later = edge_heads(tm, -1), edge_heads(tm, 1), edge_heads(tm, -1, after_step=True)

    def at(edge: set[tuple[int, int]], cell: tuple[z3.ArithRef, z3.ArithRef]) -> z3.BoolRef:
        s, q = cell
        return z3.Or(q < 0, *[z3.And(q == hq, s == hs) for hq, hs in sorted(edge)])

    in_domain.append(z3.If(m == wall,
                           z3.And(lt != wall, r != wall, z3.Not(moves(vl, 1)), at(last, vl), at(first_later, vr)),
                           z3.And(z3.Implies(lt == wall, z3.And(z3.Not(moves(vm, -1)), at(first, vm))),
                                  z3.Implies(r == wall, z3.And(z3.Not(moves(vm, 1)), at(last, vm))))))
    triples = domain(tm, rule, tight=tight)
    syntactic = list(in_domain)
    if tight:  # the invariants' triples (uniform/invariant.py, row_scan.py), beside the syntactic ones
        in_domain.append(z3.Or(*[z3.And(lt == a, m == b, r == c) for a, b, c in triples]) if triples
                         else z3.BoolVal(False))
    new_sym, new_state = step_cell(tab, vl, vm, vr)
    cell_tok: z3.ArithRef = z3.IntVal(-1)
    for c, s in enumerate(tm.tape_symbols):
        cell_tok = z3.If(z3.And(new_state < 0, new_sym == c), rule.token_id.get(s, -1), cell_tok)
        for qc, q in enumerate(tm.states):
            cell_tok = z3.If(z3.And(new_state == qc, new_sym == c), rule.token_id.get(f"[{q}]{s}", -1), cell_tok)
    want = z3.If(m == wall, wall, cell_tok)

    def wrong_for(lefts: list[int], middles: list[int], rights: list[int]) -> z3.BoolRef:
        """"Some other token scores at least as much as the right one", with each score's
        lookups over the tokens given (a query whose domain keeps a cell to these tokens
        needs no other entry of the table)."""
        def score(d: int) -> z3.ArithRef:
            return (lookup(lt, {t: int(rule.left[d, t]) for t in lefts}, 0)
                    + lookup(m, {t: int(rule.middle[d, t]) for t in middles}, 0)
                    + lookup(r, {t: int(rule.right[d, t]) for t in rights}, 0) + int(rule.bias[d]))

        if len(lefts) == len(middles) == len(rights) == 1:  # a ground part: each score is one sum
            (a,), (b,), (c,) = lefts, middles, rights
            scores = [z3.IntVal(int(rule.left[d, a]) + int(rule.middle[d, b]) + int(rule.right[d, c])
                                + int(rule.bias[d])) for d in range(rule.V)]
        else:
            scores = [score(d) for d in range(rule.V)]
        want_score: z3.ArithRef = z3.IntVal(0)
        for d in range(rule.V):
            want_score = z3.If(want == d, scores[d], want_score)
        return z3.Or(want < 0, *[z3.And(want != d, scores[d] >= want_score) for d in range(rule.V)])

    wrong = wrong_for(toks, toks, toks)
    whole = z3.Solver()
    whole.add(*in_domain, wrong)
    size = query_size(whole)
    record_query(whole, "uniform local lemma")
    # decided one middle token at a time: the same formula with ``middle`` fixed, which z3
    # simplifies to a small query (the whole one is unsat iff every part is)
    formula = z3.And(*in_domain, wrong)
    failed: list[tuple[str, str, str]] = []
    res = z3.unsat
    # with the tight domain (a finite list), one ground part per triple: the transition
    # table's z3 semantics and the scores, evaluated by z3 at that triple
    parts: list[tuple[int, int | None, int | None]] = (sorted((b, a, c) for a, b, c in triples) if tight
                                                       else [(value, None, None) for value in toks])
    for value, left, right in parts:
        solver = z3.Solver()
        if timeout:
            left_ms = int((start + timeout - time.perf_counter()) * 1000)
            if left_ms < 1:
                res = z3.unknown
                break
            solver.set("timeout", left_ms)
        fixed = [(m, z3.IntVal(value))]
        part_formula = formula
        if left is not None and right is not None:  # one triple of the domain
            fixed += [(lt, z3.IntVal(left)), (r, z3.IntVal(right))]
            part_formula = z3.And(*syntactic, wrong_for([left], [value], [right]))
        solver.add(z3.simplify(z3.substitute(part_formula, *fixed)))
        part = solver.check()
        if part == z3.sat and left is not None and right is not None:  # a ground part: this triple fails
            failed.append(_names(rule, (left, value, right)))
            part = z3.unsat
        while part == z3.sat and len(failed) < 64:
            model = solver.model()
            triple = (model.eval(lt, model_completion=True).as_long(), value,
                      model.eval(r, model_completion=True).as_long())
            failed.append(_names(rule, triple))
            solver.add(z3.Or(lt != triple[0], r != triple[2]))
            part = solver.check()
        if part == z3.unknown:
            res = z3.unknown
        if len(failed) >= 64:
            break
    if res == z3.unknown and not failed:
        from theorymodel.errors import ResourceLimitError

        raise ResourceLimitError("the solver ran out of time (uniform lemma)", limit="solver-timeout")
    return UniformVerdict(not failed, "z3", "smt-proof-uniform", len(triples), tuple(failed),
                          time.perf_counter() - start, {"solver": f"z3 {version()}", "query_size": size,
                                                        "domain": "invariant" if tight else "syntactic"})


@dataclass(frozen=True)
class UniformCounterexample:
    input: str
    width: int
    row: int
    cell: int
    expected: str
    got: str
    offset: int = 0  # where row 0 put the input's first symbol

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "width": self.width, "offset": self.offset, "row": self.row, "cell": self.cell,
                "expected": self.expected, "got": self.got}


MARGINS = 2  # blank cells added on either side: past the lemma's radius (one cell), so walls meet every cell kind


def _windows(tm: TuringMachine, word: tuple[str, ...], max_steps: int) -> tuple[list[UniformLayout], int] | None:
    """The windows the claim covers for this input, tightest first: the natural one, then
    the same with 0..:data:`MARGINS` blank cells added on the left and on the right."""
    run = reference_run(tm, word, max_steps=max_steps)
    if not run.halted:
        return None
    tight = UniformLayout.holding(len(word), run.leftmost_head, run.rightmost_head)
    layouts = [UniformLayout(tight.width + a + b, tight.offset + a)
               for total in range(2 * MARGINS + 1) for a in range(MARGINS + 1) if 0 <= (b := total - a) <= MARGINS]
    return layouts, run.steps


SEARCH_INPUTS = 1 << 14  # inputs :func:`search_counterexample` tries at most
#: rows past the halting step that the search compares (the halted configuration, repeated:
#: a table wrong on a halted head shows it in the first of them)
HALTED_ROWS = 2


def searched_up_to(tm: TuringMachine, max_n: int, max_inputs: int = SEARCH_INPUTS) -> int:
    """The largest ``n <= max_n`` such that :func:`search_counterexample` tries every input
    of lengths ``0..n`` within ``max_inputs`` (-1 if not even the empty input): what a
    report may say was searched."""
    total, done = 0, -1
    for n in range(max_n + 1):
        total += len(tm.input_symbols) ** n
        if total > max_inputs:
            break
        done = n
    return done


def search_report(tm: TuringMachine, max_n: int, found: bool) -> dict[str, Any]:
    """The ``search`` entry of a report: the lengths asked for, the lengths searched in
    full (:func:`searched_up_to`) and, when nothing was found, what that does and does not
    mean."""
    done = searched_up_to(tm, max_n)
    return {"max_n": max_n, "complete_up_to": done, "found": found,
            "note": None if found else
            f"no run on inputs of length <= {done} (its rows up to {HALTED_ROWS} past the halt) reaches a failed "
            "triple"
            + (f" (the search stops at {SEARCH_INPUTS} inputs, short of length {max_n})" if done < max_n else "")
            + "; they may be unreachable, but the uniform claim is not proved"}


def search_counterexample(tm: TuringMachine, rule: UniformRule, *, max_n: int = 8, max_inputs: int = SEARCH_INPUTS,
                          max_steps: int = 10_000) -> UniformCounterexample | None:
    """Inputs of length 0, 1, ... max_n (breadth first), each in every window the claim
    covers near its tightest (:func:`_windows`): the first whose roll-out differs from the
    machine's run (or ties), replayed on the reference semantics; None when every run up
    to max_n is reproduced in all those windows."""
    tried = 0
    for n in range(max_n + 1):
        for word in product(tm.input_symbols, repeat=n):
            tried += 1
            if tried > max_inputs:
                return None
            windows = _windows(tm, word, max_steps)
            if windows is None:
                continue
            layouts, T = windows
            # the claim covers the halted configuration repeated after the halt, so the
            # search compares the rows after the halting step too
            T += HALTED_ROWS
            confs = configurations(tm, word, T)
            for layout in layouts:
                cex = _first_wrong_cell(tm, rule, layout, word, T, confs)
                if cex is not None:
                    return cex
    return None


def layout_row(tm: TuringMachine, configuration: tuple[str, int, dict[int, str]], layout: UniformLayout
               ) -> list[str]:
    """One configuration as the layout's row: W cells (the head cell spelled ``[q]s``), then ``#``."""
    state, head, cells = configuration
    row = []
    for i in range(layout.width):
        c = i - layout.offset
        sym = cells.get(c, tm.blank_symbol)
        row.append(f"[{state}]{sym}" if c == head else sym)
    return [*row, SEPARATOR]


def _first_wrong_cell(tm: TuringMachine, rule: UniformRule, layout: UniformLayout, word: tuple[str, ...], T: int,
                      confs: list) -> UniformCounterexample | None:
    got = rollout(rule, layout, [word], T)
    for t in range(1, T + 1):
        for i, want in enumerate(layout_row(tm, confs[t], layout)):
            tok = int(got.rows[0, t, i])
            if rule.vocab[tok] != want or got.ties[0, t - 1, i]:
                shown = rule.vocab[tok] + (" (tie)" if got.ties[0, t - 1, i] else "")
                return UniformCounterexample(word_text(word), layout.width, t, i, want, shown, layout.offset)
    return None


#: z3's cost on the tight domain, one ground triple at a time (measured: learned addition,
#: 1,596 triples in 30 s; learned multiplication, 2,663 in 59 s, 2 cores)
Z3_SECONDS_PER_TRIPLE = 0.02
#: ``auto`` adds the z3 proof to a lemma the enumeration found true when it is estimated to
#: take at most this long; past it the enumeration (``exhaustive-uniform``) is the proof
AUTO_Z3_SECONDS = 30.0


def verify_uniform(tm: TuringMachine, rule: UniformRule, *, method: str = "auto", timeout: float | None = None,
                   tight: bool = True) -> UniformVerdict:
    """The uniform claim (docs/uniform.md): z3, enumeration, or both (they must agree);
    ``auto`` lets the enumeration decide, and z3 prove a lemma that holds where that is
    estimated at most :data:`AUTO_Z3_SECONDS` (else the enumeration of the finite domain,
    ``exhaustive-uniform``, is the proof). On the invariant's
    domain, or with ``tight=False`` the syntactic one. ``timeout`` bounds the whole check,
    the invariant's fixpoint included (exit 3 past it)."""
    from theorymodel.progress import stage

    token = DEADLINE.set(time.monotonic() + timeout if timeout else None)
    stage(f"the uniform lemma of {tm.name} (its domain, then method {method})")
    try:
        return _verify_uniform(tm, rule, method=method, timeout=timeout, tight=tight)
    finally:
        DEADLINE.reset(token)


def _verify_uniform(tm: TuringMachine, rule: UniformRule, *, method: str, timeout: float | None,
                    tight: bool) -> UniformVerdict:
    if method == "exhaustive":
        return lemma_exhaustive(tm, rule, tight=tight)
    if method == "sat":
        raise UsageError("--method sat checks a predictor against a circuit file; the uniform rule is proved with z3")
    if method not in ("auto", "z3", "both"):
        raise UsageError(f"unknown method {method!r}; methods are auto, z3, exhaustive, both")
    if method == "auto":  # the enumeration decides (every failure listed); z3 proves a lemma that holds
        decided = lemma_exhaustive(tm, rule, tight=tight)
        if not decided.verified:
            return decided
        estimate = decided.triples * Z3_SECONDS_PER_TRIPLE
        if estimate > AUTO_Z3_SECONDS:  # the enumeration over the finite domain is the proof
            return replace(decided, details={**decided.details, "z3": f"skipped: estimated {estimate:.0f} s for "
                                                                      f"{decided.triples:,} triples (--method z3 "
                                                                      "or both runs it)"})
    proof = lemma_z3(tm, rule, timeout=timeout, tight=tight)
    if method == "both":
        check = lemma_exhaustive(tm, rule, tight=tight)
        if check.verified != proof.verified or (not proof.verified and set(check.failed) != set(proof.failed)
                                                and len(proof.failed) < 64):
            raise AssertionError("z3 and enumeration disagree on the uniform lemma")
        return replace(proof, method="both", details={**proof.details, "methods": {"z3": proof.verified,
                                                                                   "exhaustive": check.verified},
                                                      "exhaustive_seconds": round(check.seconds, 3)})
    return proof


def uniform_claim(tm: TuringMachine, rule: UniformRule, *, method: str = "auto", timeout: float | None = None,
                  max_n: int = 8, tight: bool = True) -> dict[str, Any]:
    """The whole uniform check as a report: the claim, its assumption, the lemma's
    verdict and size, and for a failed lemma the search for a real run that reaches it."""
    verdict = verify_uniform(tm, rule, method=method, timeout=timeout, tight=tight)
    report: dict[str, Any] = {
        "machine": tm.name,
        "claim": "for every width W and every input x that fits the W-cell window, if the machine's head "
                 "stays inside the window for T steps, the predictor's first T rows are exactly the "
                 "machine's first T configurations (a halted configuration repeats)",
        "assumption": "space bound: the head never leaves the W-cell window",
        "table": {"vocab_size": rule.V, "nnz": rule.nnz},
        **verdict.to_json(),
        "domain_sizes": domain_sizes(tm, rule),
        "counterexample": None,
    }
    if not verdict.verified:
        report["guarantee"] = ""  # nothing was proved: a refuted or unproved rule rests on nothing
        cex = search_counterexample(tm, rule, max_n=max_n)
        report["counterexample"] = None if cex is None else cex.to_json()
        report["search"] = search_report(tm, max_n, cex is not None)
    return report
