"""Route ``circuit``: Turing machine -> threshold circuit -> one binary token per gate.

The configuration after ``t`` steps is held in bits, for each cell ``i`` of row ``t``:
``sym[t,i,s]`` (cell ``i`` holds ``s``) and ``hs[t,i,q]`` (the head is on ``i`` in state
``q``). One step is three layers of threshold gates (docs/paper.md Thm 3.8 and its
Turing-machine corollary):

- ``a[t,i,q,s] = [hs[t,i,q] + sym[t,i,s] >= 2]``: the head on ``i`` in ``q`` reads ``s``;
- ``hs[t+1,i,q'] = [sum of a[t,i-m,q,s] over delta(q,s) = (q',_,m), plus a[t,i,q',s]
  where delta(q',s) is undefined (halted), >= 1]``;
- ``sym[t+1,i,s'] = [sym[t,i,s'] - sum_q hs[t,i,q] + 2 sum a[t,i,q,s] over writes of s'
  (or halted on s') >= 1]``: unchanged where the head is not, the written symbol where
  it is.

Input tokens enter as their one-hot indicators ``[x_j = s]``, which a linear predictor
reads for free; cells nobody has visited hold constants, folded into thresholds.
The exact gate count is :func:`theorymodel.compile.geometry.circuit_formula`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from theorymodel.circuits.model import Circuit, Gate
from theorymodel.circuits.passes import to_threshold
from theorymodel.compile.geometry import Geometry, circuit_formula
from theorymodel.compile.route import Route
from theorymodel.errors import CircuitError
from theorymodel.machines import TuringMachine
from theorymodel.machines.model import MOVE_DELTA
from theorymodel.program import Answer, AnswerKind, CoTProgram, ThresholdRule, token_ids
from theorymodel.program import labels as lb

Bit = str | int  # a signal name, or a constant 0/1


def _threshold(terms: Sequence[tuple[Bit, int]], threshold: int) -> Gate:
    """A threshold gate with constant terms folded into the threshold."""
    fanins, weights = [], []
    for bit, w in terms:
        if isinstance(bit, int):
            threshold -= w * bit
        else:
            fanins.append(bit)
            weights.append(w)
    return Gate.threshold_gate(fanins, weights, threshold)


def _wire(bit: Bit) -> str:
    """The gate name of a cell inside a row (never a constant there)."""
    if not isinstance(bit, str):
        raise AssertionError(f"expected a gate name, got the constant {bit!r}")
    return bit


def tm_circuit(tm: TuringMachine, geometry: Geometry, output: str) -> Circuit:
    """The threshold circuit computing ``tm``'s answer on inputs of length ``geometry.n``.

    Inputs are named ``x{j}={s}`` (indicator of input symbol ``s`` at position ``j``).
    Outputs: ``accept``, or for ``tape`` one bit per (cell, symbol) of the answer
    window, cell-major.
    """
    n, T = geometry.n, geometry.T
    Q, G = list(tm.states), list(tm.tape_symbols)
    qi = {q: k for k, q in enumerate(Q)}
    si = {s: k for k, s in enumerate(G)}
    inputs = [f"x{j}={s}" for j in range(n) for s in tm.input_symbols]
    gates: dict[str, Gate] = {}

    def initial_sym(i: int, s: str) -> Bit:
        if 0 <= i < n:
            return f"x{i}={s}" if s in tm.input_symbols else 0
        return int(s == tm.blank_symbol)

    def sym(t: int, i: int, s: str) -> Bit:
        if t >= 1 and i in geometry.row(t):
            return f"s{t}_{i}_{si[s]}"
        return initial_sym(i, s)

    def hs(t: int, i: int, q: str) -> Bit:
        if t == 0:
            return int(i == 0 and q == tm.initial_state)
        return f"h{t}_{i}_{qi[q]}" if i in geometry.row(t) else 0

    def a(t: int, i: int, q: str, s: str) -> Bit:
        return f"a{t}_{i}_{qi[q]}_{si[s]}" if i in geometry.row(t) else 0

    # transitions grouped by what they produce
    arrivals: dict[str, list[tuple[str, str, int]]] = {q: [] for q in Q}  # q' -> (q, s, move)
    writes: dict[str, list[tuple[str, str]]] = {s: [] for s in G}  # s' -> (q, s)
    for q in Q:
        for s in G:
            step = tm.transition(q, s)
            if step is None:  # halted: stay, keep the symbol
                arrivals[q].append((q, s, 0))
                writes[s].append((q, s))
            else:
                arrivals[step.next_state].append((q, s, MOVE_DELTA[step.move]))
                writes[step.write].append((q, s))

    for t in range(T):
        for i in geometry.row(t):
            for q in Q:
                for s in G:
                    gates[_wire(a(t, i, q, s))] = _threshold([(hs(t, i, q), 1), (sym(t, i, s), 1)], 2)
        for i in geometry.row(t + 1):
            for q2 in Q:
                terms = [(a(t, i - m, q, s), 1) for q, s, m in arrivals[q2]]
                gates[_wire(hs(t + 1, i, q2))] = _threshold(terms, 1)
            for s2 in G:
                terms = [(sym(t, i, s2), 1)] + [(hs(t, i, q), -1) for q in Q]
                terms += [(a(t, i, q, s), 2) for q, s in writes[s2]]
                gates[_wire(sym(t + 1, i, s2))] = _threshold(terms, 1)
    outputs: list[str] = []
    if output == "accept":
        gates["accept"] = _threshold(
            [(hs(T, i, q), 1) for i in geometry.row(T) for q in Q if q in tm.final_states], 1)
        outputs.append("accept")
    else:
        for i in geometry.window():
            for s in G:
                gates[f"o{i}_{si[s]}"] = _threshold([(sym(T, i, s), 1)], 1)
                outputs.append(f"o{i}_{si[s]}")
    return Circuit(inputs=inputs, gates=gates, outputs=outputs, name=tm.name)


def program_from_circuit(
    circuit: Circuit, *, input_map: dict[str, tuple[int, str]], n_inputs: int,
    input_alphabet: Sequence[str], answer: AnswerKind = "bits", symbols: Sequence[str] = (),
    blank: str = "", meta: dict | None = None,
    label_of: Callable[[str], tuple[int, int, int, int, int]] | None = None,
) -> CoTProgram:
    """One binary token per gate, in topological order, outputs last (Thm 3.8).

    ``input_map`` sends each circuit input to the (position, token) whose indicator it
    is. Every gate must be a THRESHOLD gate (run :func:`to_threshold` first). Output
    gates that other gates read, repeated outputs, and outputs that are inputs get a
    copy gate at the end, so the answer is always the last tokens.
    """
    vocab = list(dict.fromkeys([*input_alphabet, "0", "1"]))
    tid = token_ids(vocab)
    readers: set[str] = {f for g in circuit.gates.values() for f in g.fanins}
    tail: list[str] = []
    copies: list[str] = []
    for o in circuit.outputs:
        if o in circuit.gates and o not in readers and o not in tail:
            tail.append(o)
            copies.append(o)
        else:
            copies.append("")  # needs a copy gate
    order = [g for g in circuit.gates if g not in set(tail)] + tail
    pos: dict[str, int] = {g: n_inputs + k for k, g in enumerate(order)}

    def term(signal: str, weight: int) -> tuple[int, int, int]:
        if signal in pos:
            return (pos[signal], tid["1"], weight)
        p, tok = input_map[signal]
        return (p, tid[tok], weight)

    rules: list[ThresholdRule] = []
    for g in order:
        gate = circuit.gates[g]
        if gate.op != "THRESHOLD":
            raise CircuitError(f"gate {g!r} is {gate.op}; convert with to_threshold first")
        rules.append(ThresholdRule(tuple(term(f, w) for f, w in zip(gate.fanins, gate.weights,
                                                                   strict=True)), gate.threshold))
    answer_positions = []
    for o, direct in zip(circuit.outputs, copies, strict=True):
        if direct:
            answer_positions.append(pos[o])
        else:
            rules.append(ThresholdRule((term(o, 1),), 1))
            answer_positions.append(n_inputs + len(rules) - 1)
    gate_order = order + [o for o, c in zip(circuit.outputs, copies, strict=True) if not c]
    return CoTProgram(
        name=circuit.name, n_inputs=n_inputs, input_alphabet=input_alphabet, vocab=vocab,
        rules=rules, answer=Answer(answer, tuple(answer_positions), tuple(symbols), blank),
        gate_order=gate_order, meta=meta,
        labels=None if label_of is None else np.asarray([label_of(g) for g in gate_order], dtype=np.int64),
    )


def gate_label(name: str, T: int) -> tuple[int, int, int, int, int]:
    """The label a gate's name claims (see :func:`tm_circuit` for the names)."""
    if name == "accept":
        return (lb.ACCEPT, T, 0, 0, 0)
    head, rest = name[0], [int(v) for v in name[1:].split("_")]
    if head == "a":
        return (lb.AND, rest[0], rest[1], rest[2], rest[3])
    if head == "h":
        return (lb.HEAD, rest[0], rest[1], rest[2], 0)
    if head == "s":
        return (lb.SYM, rest[0], rest[1], 0, rest[2])
    if head == "o":
        return (lb.OUTBIT, T, rest[0], 0, rest[1])
    raise ValueError(f"unlabelled gate {name!r}")


def compile_circuit_route(tm: TuringMachine, geometry: Geometry, output: str) -> CoTProgram:
    circuit = tm_circuit(tm, geometry, output)
    input_map = {f"x{j}={s}": (j, s) for j in range(geometry.n) for s in tm.input_symbols}
    return program_from_circuit(
        circuit, input_map=input_map, n_inputs=geometry.n, input_alphabet=tm.input_symbols,
        answer="accept" if output == "accept" else "tape-bits", symbols=tm.tape_symbols,
        blank=tm.blank_symbol, label_of=lambda g: gate_label(g, geometry.T),
        meta={"route": "circuit", "time_bound": geometry.T, "reach": [geometry.L, geometry.R],
              "output": output, "gates": circuit.n_gates},
    )


def compile_boolean_circuit(circuit: Circuit) -> CoTProgram:
    """A circuit file's CoT: inputs are bits ``0``/``1``; XOR and friends are first
    rewritten into threshold gates."""
    report = to_threshold(circuit)
    th = report.circuit
    input_map = {name: (k, "1") for k, name in enumerate(th.inputs)}
    node = {name: k for k, name in enumerate([*circuit.inputs, *circuit.gates])}

    def label_of(name: str) -> tuple[int, int, int, int, int]:
        """The node of the source circuit a token claims (see :data:`labels.GATE`)."""
        if name in report.helper_of:
            return (lb.GATE, lb.GATE_HELPER, node[report.helper_of[name]], 0, 0)
        return (lb.GATE, lb.GATE_VALUE, node[name], 0, 0)

    return program_from_circuit(
        th, input_map=input_map, n_inputs=len(th.inputs), input_alphabet=("0", "1"), answer="bits",
        label_of=label_of,
        meta={"route": "circuit", "time_bound": None, "gates": th.n_gates,
              "source_gates": circuit.n_gates},
    )




ROUTE = Route(
    name="circuit",
    build=compile_circuit_route,
    formula=circuit_formula,
    bound_constants=lambda n_states, n_symbols: (n_states * n_symbols + n_states + 2 * n_symbols, n_symbols),
    label_kinds=frozenset({lb.SYM, lb.HEAD, lb.AND, lb.ACCEPT, lb.OUTBIT}),
    doc="the paper's construction (Thm 3.8): the run for T steps as a threshold circuit, one binary "
        "token per gate",
)
