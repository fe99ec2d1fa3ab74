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

from theorymodel.compile.tableau import check_spellings, head_token
from theorymodel.errors import MachineError
from theorymodel.machines import TuringMachine, run_batch
from theorymodel.machines.model import MOVE_DELTA
from theorymodel.program.uniform import SEPARATOR, UniformLayout, UniformRule


def compile_uniform(tm: TuringMachine) -> UniformRule:
    """The machine's uniform rule (exact integers, margin 1; docs/uniform.md)."""
    check_spellings(tm)
    Q, G = tm.states, tm.tape_symbols
    if SEPARATOR in G or any(head_token(q, s) == SEPARATOR for q in Q for s in G):
        raise MachineError(f"the symbol {SEPARATOR!r} is the uniform route's row separator; rename it")
    vocab = [SEPARATOR, *G, *(head_token(q, s) for q in Q for s in G)]
    V = len(vocab)
    symbol_token = tuple(1 + c for c in range(len(G)))
    head = {(qc, sc): 1 + len(G) + qc * len(G) + sc for qc in range(len(Q)) for sc in range(len(G))}
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
    left = -min(batch.leftmost_head, 0)
    right = max(batch.rightmost_head, n - 1, 0)
    return UniformLayout(left + right + 1, left), batch.time_bound
