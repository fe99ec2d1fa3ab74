"""z3 semantics of a Turing machine, written from its transition table alone.

Nothing here reads the compilers: this is the specification the compiled predictors
are proved against, so a proof can catch a compiler bug.

- :class:`BoundedRun`: the run on a symbolic input of length n for T steps (bounded
  model checking): tape, head and state per step, over the light cone of cells.
- :func:`step_cell`: one cell's next content from the three cells above it (the local
  rule the local lemmas use), with cells as (symbol code, head state or -1).

Symbols and states are coded by their index in ``tm.tape_symbols`` / ``tm.states``.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from proofs_check.semantics.z3util import in_set, table_lookup
from theorymodel.machines import TuringMachine

MOVE = {"L": -1, "R": 1, "N": 0}


@dataclass(frozen=True)
class Tables:
    """The transition table as four finite maps over (state code, symbol code)."""

    defined: dict[tuple[int, int], bool]
    next_state: dict[tuple[int, int], int]
    write: dict[tuple[int, int], int]
    move: dict[tuple[int, int], int]
    blank: int
    initial: int
    finals: tuple[int, ...]
    inputs: tuple[int, ...]

    @classmethod
    def of(cls, tm: TuringMachine) -> Tables:
        q_code = {q: k for k, q in enumerate(tm.states)}
        s_code = {s: k for k, s in enumerate(tm.tape_symbols)}
        defined, nxt, write, move = {}, {}, {}, {}
        for q in tm.states:
            for s in tm.tape_symbols:
                key = (q_code[q], s_code[s])
                t = tm.transition(q, s)
                defined[key] = t is not None
                if t is not None:
                    nxt[key] = q_code[t.next_state]
                    write[key] = s_code[t.write]
                    move[key] = MOVE[t.move]
        return cls(defined, nxt, write, move, s_code[tm.blank_symbol], q_code[tm.initial_state],
                   tuple(q_code[f] for f in sorted(tm.final_states)),
                   tuple(s_code[s] for s in tm.input_symbols))

    def is_defined(self, q, s) -> z3.BoolRef:
        return table_lookup((q, s), {k: z3.BoolVal(v) for k, v in self.defined.items() if v},
                            z3.BoolVal(False))

    def lookup(self, field: str, q, s, default=0) -> z3.ArithRef:
        return table_lookup((q, s), {k: z3.IntVal(v) for k, v in getattr(self, field).items()},
                            z3.IntVal(default))


class BoundedRun:
    """The machine's first T steps on a symbolic input ``x`` of length n.

    After halting, the configuration stays as it is (no transition applies), so
    ``state[T]``, ``tape[T]`` are the final configuration whenever the machine halts
    within T steps, which :meth:`not_halted` lets a solver refute.
    """

    def __init__(self, tm: TuringMachine, n: int, T: int, prefix: str = "tm") -> None:
        self.tm, self.n, self.T = tm, n, T
        tab = self.tables = Tables.of(tm)
        self.x = [z3.Int(f"{prefix}_x{j}") for j in range(n)]
        self.constraints: list[z3.BoolRef] = [in_set(v, tab.inputs) for v in self.x]
        initial = {i: self.x[i] for i in range(n)}
        self.tape: list[dict[int, z3.ArithRef]] = [dict(initial)]
        self.state = [z3.IntVal(tab.initial)]
        self.head = [z3.IntVal(0)]
        self.defined: list[z3.BoolRef] = []
        for t in range(T):
            cells = self.tape[t]
            read = z3.IntVal(tab.blank)
            for i in range(-t, t + 1):  # the head is within the light cone
                read = z3.If(self.head[t] == i, cells.get(i, z3.IntVal(tab.blank)), read)
            r = z3.Int(f"{prefix}_read{t}")
            self.constraints.append(r == read)
            q = self.state[t]
            d = z3.Bool(f"{prefix}_def{t}")
            self.constraints.append(d == tab.is_defined(q, r))
            self.defined.append(d)
            new_cells = dict(cells)
            write = tab.lookup("write", q, r)
            for i in range(-t, t + 1):
                c = z3.Int(f"{prefix}_c{t + 1}_{i}")
                old = cells.get(i, z3.IntVal(tab.blank))
                self.constraints.append(c == z3.If(z3.And(d, self.head[t] == i), write, old))
                new_cells[i] = c
            h, s = z3.Int(f"{prefix}_h{t + 1}"), z3.Int(f"{prefix}_q{t + 1}")
            self.constraints += [
                h == z3.If(d, self.head[t] + tab.lookup("move", q, r), self.head[t]),
                s == z3.If(d, tab.lookup("next_state", q, r), q),
            ]
            self.tape.append(new_cells)
            self.head.append(h)
            self.state.append(s)

    def cell(self, t: int, i: int) -> z3.ArithRef:
        return self.tape[t].get(i, self.x[i] if 0 <= i < self.n else z3.IntVal(self.tables.blank))

    def not_halted(self) -> z3.BoolRef:
        """The machine still has a transition to take after T steps."""
        T = self.T
        read = z3.IntVal(self.tables.blank)
        for i in range(-T, T + 1):
            read = z3.If(self.head[T] == i, self.cell(T, i), read)
        return self.tables.is_defined(self.state[T], read)

    def accepts(self) -> z3.BoolRef:
        return in_set(self.state[self.T], self.tables.finals)

    def outside_reach(self, left: int, right: int) -> z3.BoolRef:
        """Some step's head lies outside [-min(t, left), min(t, right)]."""
        return z3.Or(*[z3.Or(self.head[t] < -min(t, left), self.head[t] > min(t, right))
                       for t in range(1, self.T + 1)] or [z3.BoolVal(False)])


def step_cell(tab: Tables, left: tuple, mid: tuple, right: tuple) -> tuple[z3.ArithRef, z3.ArithRef]:
    """Cell i's (symbol, head state or -1) after one step, from cells i-1, i, i+1.

    Each argument is ``(symbol code, head state code or -1)``. Written from the
    transition table: the head on i writes (or keeps, if halted) its symbol; a state
    arrives from the left if that head moves right, stays if it does not move or has
    halted, and arrives from the right if that head moves left.
    """

    def parts(cell):
        s, h = cell
        d = z3.And(h >= 0, tab.is_defined(h, s))
        return d, tab.lookup("move", h, s), tab.lookup("next_state", h, s)

    ms, mh = mid
    m_has = mh >= 0
    l_def, l_move, l_next = parts(left)
    m_def, m_move, m_next = parts(mid)
    r_def, r_move, r_next = parts(right)
    symbol = z3.If(m_def, tab.lookup("write", mh, ms), ms)
    state = z3.If(z3.And(l_def, l_move == 1), l_next,
                  z3.If(z3.And(m_has, z3.Not(m_def)), mh,
                        z3.If(z3.And(m_def, m_move == 0), m_next,
                              z3.If(z3.And(r_def, r_move == -1), r_next, z3.IntVal(-1)))))
    return symbol, state


def next_cell(tab: Tables, left: tuple[int, int], mid: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
    """Cell i's (symbol, head state or -1) after one step, concretely (the twin of
    :func:`step_cell`, from the same transition table)."""

    def acts(cell: tuple[int, int]) -> tuple[bool, int, int]:
        s, q = cell
        if q < 0 or not tab.defined.get((q, s), False):
            return False, 0, -1
        return True, tab.move[q, s], tab.next_state[q, s]

    (ms, mq) = mid
    l_def, l_move, l_next = acts(left)
    m_def, m_move, m_next = acts(mid)
    r_def, r_move, r_next = acts(right)
    symbol = tab.write[mq, ms] if m_def else ms
    if l_def and l_move == 1:
        state = l_next
    elif mq >= 0 and not m_def:
        state = mq
    elif m_def and m_move == 0:
        state = m_next
    elif r_def and r_move == -1:
        state = r_next
    else:
        state = -1
    return symbol, state
