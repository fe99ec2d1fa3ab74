"""Route ``tableau``: Turing machine -> configuration rows of cells, one token per cell.

The CoT is the machine's configurations after steps 1..T, each restricted to the
cells the head can reach (:class:`~theorymodel.compile.geometry.Geometry`). A cell
token is a tape symbol ``s``, or ``[q]s`` where the head is (state ``q``, reading
``s``). Each cell of row ``t`` is a function of the three cells above it, and that
function is an exact linear argmax (:class:`~theorymodel.compile.program.CellRule`):
the new symbol depends on the middle cell alone, and the arriving state comes from
at most one of the three (one head), so adding per-cell scores suffices. No
intermediate pair or triple tokens are needed: one generated token per cell.

A halted configuration is a fixed point (a head cell with no transition keeps its
state and symbol), so rows after the halting step repeat it: any T >= T(n) works.
"""

from __future__ import annotations

import numpy as np

from theorymodel.compile.geometry import Geometry, tableau_formula
from theorymodel.compile.route import Route
from theorymodel.errors import MachineError
from theorymodel.machines import TuringMachine
from theorymodel.machines.model import MOVE_DELTA
from theorymodel.program import AcceptRule, Answer, CellRule, CoTProgram, MapRule, token_ids
from theorymodel.program import labels as lb


def head_token(state: str, symbol: str) -> str:
    return f"[{state}]{symbol}"


def check_spellings(tm: TuringMachine) -> None:
    """Refuse a machine whose cell tokens would be ambiguous.

    A cell token is a symbol ``s`` or a head token ``[q]s``. If some symbol is spelled
    like a head token (``[b]0``), or two (state, symbol) pairs spell the same head
    token (``[a]]x`` from ``a``, ``]x`` and from ``a]``, ``x``), one token would mean
    two cells and no predictor could be right: refuse it (exit 2) rather than compile
    a wrong predictor.
    """
    seen: dict[str, str] = {s: f"symbol {s!r}" for s in tm.tape_symbols}
    for q in tm.states:
        for s in tm.tape_symbols:
            tok = head_token(q, s)
            if tok in seen:
                raise MachineError(
                    f"the tableau token {tok!r} of state {q!r} on symbol {s!r} is also the token of "
                    f"{seen[tok]}; rename the state or the symbol")
            seen[tok] = f"state {q!r} on symbol {s!r}"


def compile_tableau(tm: TuringMachine, geometry: Geometry, output: str) -> CoTProgram:
    """Build the tableau program for inputs of length ``geometry.n`` and T rows."""
    n, T = geometry.n, geometry.T
    Q, G = tm.states, tm.tape_symbols
    check_spellings(tm)
    vocab: list[str] = list(dict.fromkeys([*tm.input_symbols, *G]))
    vocab += [head_token(q, s) for q in Q for s in G]
    if output == "accept":
        vocab += [b for b in ("0", "1") if b not in vocab]
    tid = token_ids(vocab)
    V = len(vocab)
    sym = {s: tid[s] for s in G}
    head = {(q, s): tid[head_token(q, s)] for q in Q for s in G}
    q_index = {q: k for k, q in enumerate(Q)}

    after = np.arange(V, dtype=np.int32)
    from_l = np.full(V, -1, dtype=np.int32)
    from_m = np.full(V, -1, dtype=np.int32)
    from_r = np.full(V, -1, dtype=np.int32)
    strip = np.arange(V, dtype=np.int32)
    accepting = np.zeros(V, dtype=np.int8)
    lift = np.arange(V, dtype=np.int32)
    cell = np.zeros((V, len(Q) + 1), dtype=np.int32)
    for s in G:
        cell[sym[s], 0] = sym[s]
        for q in Q:
            cell[sym[s], q_index[q] + 1] = head[q, s]
    for (q, s), tok in head.items():
        strip[tok] = sym[s]
        accepting[tok] = q in tm.final_states
        step = tm.transition(q, s)
        if step is None:  # halted: the configuration is a fixed point
            after[tok] = sym[s]
            from_m[tok] = q_index[q]
            continue
        after[tok] = sym[step.write]
        target = {-1: from_r, 0: from_m, 1: from_l}[MOVE_DELTA[step.move]]
        target[tok] = q_index[step.next_state]
    for s in tm.input_symbols:
        lift[tid[s]] = head[tm.initial_state, s]
    tables: dict[str, np.ndarray] = {
        "after": after, "from_l": from_l, "from_m": from_m, "from_r": from_r, "cell": cell,
        "lift": lift, "strip": strip, "accepting": accepting,
        "symbols": np.array([sym[s] for s in G], dtype=np.int32),
    }

    def const(token: int) -> int:
        return -(token + 1)

    blank = sym[tm.blank_symbol]
    position: dict[tuple[int, int], int] = {}
    rules: list = []
    labels: list[tuple[int, int, int, int, int]] = []

    def initial(j: int) -> int:
        """Operand for cell j holding its initial content (never visited)."""
        return j if 0 <= j < n else const(blank)

    for t in range(1, T + 1):
        prev = geometry.row(t - 1)
        for i in geometry.row(t):
            ops: list[int] = []
            lifted: list[bool] = []
            for j in (i - 1, i, i + 1):
                if t - 1 == 0 and j == 0:
                    ops.append(0 if n > 0 else const(head[tm.initial_state, tm.blank_symbol]))
                    lifted.append(n > 0)
                elif t - 1 >= 1 and j in prev:
                    ops.append(position[t - 1, j])
                    lifted.append(False)
                else:
                    ops.append(initial(j))
                    lifted.append(False)
            position[t, i] = n + len(rules)
            rules.append(CellRule((ops[0], ops[1], ops[2]), (lifted[0], lifted[1], lifted[2])))
            labels.append((lb.CELL, t, i, 0, 0))
    n_cells = len(rules)
    last_row = [position[T, i] for i in geometry.row(T)]
    start = n + len(rules)
    if output == "accept":
        rules.append(AcceptRule(tuple(last_row)))
        labels.append((lb.ACCEPT, T, 0, 0, 0))
        answer = Answer("accept", (start,))
    else:
        for i in geometry.window():
            src = position.get((T, i), initial(i))
            rules.append(MapRule(src, "strip"))
            labels.append((lb.OUT, T, i, 0, 0))
        answer = Answer("tape", tuple(range(start, n + len(rules))), tuple(G), tm.blank_symbol)
    cell_domain = np.array(sorted({*sym.values(), *head.values()}), dtype=np.int32)
    answer_domain = (np.array(sorted({tid["0"], tid["1"]}), dtype=np.int32) if output == "accept"
                     else np.array(sorted(sym.values()), dtype=np.int32))
    position_domain = np.zeros(len(rules), dtype=np.int16)
    position_domain[n_cells:] = 1
    return CoTProgram(
        name=tm.name, n_inputs=n, input_alphabet=tm.input_symbols, vocab=vocab, rules=rules,
        answer=answer, tables=tables, domains=[cell_domain, answer_domain],
        position_domain=position_domain,
        labels=np.asarray(labels, dtype=np.int64).reshape(-1, 5),
        meta={"route": "tableau", "time_bound": T, "reach": [geometry.L, geometry.R],
              "output": output, "cell_tokens": n_cells},
    )


ROUTE = Route(
    name="tableau",
    build=compile_tableau,
    formula=tableau_formula,
    bound_constants=lambda n_states, n_symbols: (2, 1),
    label_kinds=frozenset({lb.CELL, lb.ACCEPT, lb.OUT}),
    doc="the configurations themselves: one token per reachable cell per step, each an exact linear "
        "argmax of the three cells above it (margin 1)",
)
