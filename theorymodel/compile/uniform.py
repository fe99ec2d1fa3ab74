"""Compile a machine into a uniform rule: one shared (left, middle, right) score table
(docs/uniform.md; the scores of :class:`~theorymodel.program.CellRule`, position-free).

For an output token ``d`` that is a cell (symbol ``s``, head state ``q`` or none)::

    score(d) = [after(m) = s] + [from_l(l) = q] + [from_m(m) = q] + [from_r(r) = q] - 2 [q = none]
    score(#) = 3 [m = #]

``after(m)`` is the symbol the middle cell holds after one step; ``from_x`` the state
arriving at the middle cell from the left neighbour (a head moving right), staying in it
(no move, or halted), or from the right neighbour (moving left); ``#`` is a wall with no
head and no symbol. With one head in a row, the right cell scores 2, every other token
at most 1, and ``#`` wins under ``#`` by 2.
"""

from __future__ import annotations

import numpy as np

from theorymodel.compile.geometry import Geometry, uniform_formula
from theorymodel.compile.route import Route
from theorymodel.compile.tableau import check_spellings, head_token
from theorymodel.errors import MachineError, ResourceLimitError, UsageError
from theorymodel.machines import TuringMachine, run_batch
from theorymodel.machines.model import MOVE_DELTA
from theorymodel.program import AcceptRule, Answer, CoTProgram, MapRule, Rule, SharedRule, token_ids
from theorymodel.program import labels as lb
from theorymodel.program.uniform import SEPARATOR, UniformLayout, UniformRule, uniform_vocab

MAX_PREDICTOR_NNZ = 1 << 24  # non-zero weights of a compiled uniform-route predictor (one table per position)


def compile_uniform(tm: TuringMachine) -> UniformRule:
    """The machine's uniform rule (exact integers, margin 1; docs/uniform.md)."""
    check_spellings(tm)
    Q, G = tm.states, tm.tape_symbols
    if SEPARATOR in G or any(head_token(q, s) == SEPARATOR for q in Q for s in G):
        raise MachineError(f"the symbol {SEPARATOR!r} is the uniform route's row separator; rename it")
    vocab, symbol_token, head = uniform_vocab(G, Q)
    V = len(vocab)
    # per token: its symbol (-1 for #), its head state (-1 none), and the step tables
    sym_of = np.full(V, -1)
    state_of = np.full(V, -1)
    after = np.full(V, -1)
    from_l, from_m, from_r = (np.full(V, -1) for _ in range(3))
    for sc in range(len(G)):
        sym_of[symbol_token[sc]] = sc
        after[symbol_token[sc]] = sc
    for (qc, sc), tok in head.items():
        sym_of[tok], state_of[tok] = sc, qc
        step = tm.transition(Q[qc], G[sc])
        if step is None:  # halted: the configuration is a fixed point
            after[tok], from_m[tok] = sc, qc
            continue
        after[tok] = G.index(step.write)
        arrive = {-1: from_r, 0: from_m, 1: from_l}[MOVE_DELTA[step.move]]
        arrive[tok] = Q.index(step.next_state)
    left, middle, right = (np.zeros((V, V), dtype=np.int64) for _ in range(3))
    bias = np.zeros(V, dtype=np.int64)
    for d in range(1, V):  # every cell token
        s, q = sym_of[d], state_of[d]
        middle[d] += (after == s).astype(np.int64)
        left[d] += (from_l == q).astype(np.int64)
        middle[d] += (from_m == q).astype(np.int64)
        right[d] += (from_r == q).astype(np.int64)
        if q == -1:
            bias[d] = -2
    middle[0, 0] = 3  # "#" under "#"
    return UniformRule(tuple(vocab), tuple(G), tuple(Q), tm.blank_symbol, tm.initial_state, symbol_token, head,
                       left, middle, right, bias)


def natural_layout(tm: TuringMachine, n: int, *, max_steps: int = 1_000_000) -> tuple[UniformLayout, int]:
    """The smallest window holding every run on inputs of length n (measured by
    simulation), and the time bound T(n)."""
    batch = run_batch(tm, n, max_steps=max_steps)
    if not batch.all_halted:
        raise MachineError(f"some input of length {n} does not halt within {max_steps} steps")
    return UniformLayout.holding(n, batch.leftmost_head, batch.rightmost_head), batch.time_bound


def compile_uniform_route(tm: TuringMachine, geometry: Geometry, output: str) -> CoTProgram:
    """The uniform route as a CoT program for inputs of length ``geometry.n``
    (docs/uniform.md): ``#``, row 0 (the input copied into a window of W cells at the
    offset L, the head on its first cell) and ``#``; then rows 1..T, every cell and every
    ``#`` one :class:`~theorymodel.program.SharedRule` reading the positions W+2, W+1 and
    W back through the same table; then the answer read from row T."""
    rule = compile_uniform(tm)
    n, T, W, offset = geometry.n, geometry.T, geometry.row_width, geometry.L
    if geometry.natural_columns > W:
        raise UsageError(f"--width {W} is narrower than the {geometry.natural_columns} cells that inputs of "
                         f"length {n} need (reach {geometry.L} left, {geometry.R} right)")
    weights = T * (W + 1) * rule.nnz  # each generated cell and # reads the whole shared table
    if weights > MAX_PREDICTOR_NNZ:
        raise ResourceLimitError(
            f"rows of {W} cells: the predictor would hold {weights:,} non-zero weights ({T} rows x {W + 1} "
            f"positions x {rule.nnz} table entries); the cap is {MAX_PREDICTOR_NNZ:,}", limit="size-cap",
            details={"weights_nnz": weights, "cap": MAX_PREDICTOR_NNZ})
    vocab = list(rule.vocab)
    if output == "accept":
        vocab += [b for b in ("0", "1") if b not in vocab]
    V = len(vocab)
    tid = token_ids(vocab)
    G = tm.tape_symbols
    sym = {s: tid[s] for s in G}
    q0 = tm.states.index(tm.initial_state)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.zeros((V,) * a.ndim, dtype=np.int64)
        out[tuple(slice(0, k) for k in a.shape)] = a
        return out

    strip = np.arange(V, dtype=np.int32)
    accepting = np.zeros(V, dtype=np.int8)
    for (qc, sc), tok in rule.head_token.items():
        strip[tok] = sym[G[sc]]
        accepting[tok] = tm.states[qc] in tm.final_states
    lift = np.arange(V, dtype=np.int32)
    for s in tm.input_symbols:
        lift[sym[s]] = rule.head_token[q0, G.index(s)]
    tables = {"shared_left": pad(rule.left), "shared_middle": pad(rule.middle), "shared_right": pad(rule.right),
              "shared_bias": pad(rule.bias), "copy": np.arange(V, dtype=np.int32), "lift": lift, "strip": strip,
              "accepting": accepting}

    def const(token: int) -> int:
        return -(token + 1)

    rules: list[Rule] = [MapRule(const(rule.separator), "copy")]
    labels: list[tuple[int, int, int, int, int]] = [(lb.SEP, 0, 0, 0, 0)]
    for c in range(W):  # row 0
        i = c - offset
        if 0 <= i < n:
            rules.append(MapRule(i, "lift" if i == 0 else "copy"))
        else:
            blank = rule.symbol_token[G.index(tm.blank_symbol)]
            rules.append(MapRule(const(rule.head_token[q0, G.index(tm.blank_symbol)] if i == 0 else blank), "copy"))
        labels.append((lb.CELL, 0, i, 0, 0))
    rules.append(MapRule(const(rule.separator), "copy"))
    labels.append((lb.SEP, 0, 0, 0, 0))
    for t in range(1, T + 1):
        for c in range(W + 1):
            p = n + len(rules)
            rules.append(SharedRule((p - W - 2, p - W - 1, p - W)))
            labels.append((lb.CELL, t, c - offset, 0, 0) if c < W else (lb.SEP, t, 0, 0, 0))
    row_start = n + len(rules) - (W + 1)  # row T's first cell
    n_cells = len(rules)
    start = n + len(rules)
    if output == "accept":
        rules.append(AcceptRule(tuple(row_start + i + offset for i in geometry.row(T))))
        labels.append((lb.ACCEPT, T, 0, 0, 0))
        answer = Answer("accept", (start,))
    else:
        for i in geometry.window():
            rules.append(MapRule(row_start + i + offset, "strip"))
            labels.append((lb.OUT, T, i, 0, 0))
        answer = Answer("tape", tuple(range(start, n + len(rules))), tuple(G), tm.blank_symbol)
    cell_domain = np.array(sorted(t for t in range(1, rule.V)), dtype=np.int32)
    answer_domain = (np.array(sorted({tid["0"], tid["1"]}), dtype=np.int32) if output == "accept"
                     else np.array(sorted(sym.values()), dtype=np.int32))
    separator_domain = np.array([rule.separator], dtype=np.int32)
    position_domain = np.zeros(len(rules), dtype=np.int16)
    position_domain[[k for k, label in enumerate(labels) if label[0] == lb.SEP]] = 2
    position_domain[n_cells:] = 1
    return CoTProgram(
        name=tm.name, n_inputs=n, input_alphabet=tm.input_symbols, vocab=vocab, rules=rules,
        answer=answer, tables=tables, domains=[cell_domain, answer_domain, separator_domain],
        position_domain=position_domain, labels=np.asarray(labels, dtype=np.int64).reshape(-1, 5),
        meta={"route": "uniform", "time_bound": T, "reach": [geometry.L, geometry.R], "output": output,
              "width": W, "offset": offset, "shared_table_nnz": rule.nnz, "cell_tokens": n_cells},
    )


ROUTE = Route(
    name="uniform",
    build=compile_uniform_route,
    formula=uniform_formula,
    bound_constants=lambda n_states, n_symbols: (6, 2),
    label_kinds=frozenset({lb.CELL, lb.SEP, lb.ACCEPT, lb.OUT}),
    doc="fixed-width rows of W cells and a # (docs/uniform.md): one shared (left, middle, right) table at every "
        "position, the same for every input length (margin 1)",
    window_holds_input=True,
)
