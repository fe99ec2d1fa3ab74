"""Hypothesis strategies shared by the tests: random small machines (and later circuits)."""

from __future__ import annotations

from hypothesis import strategies as st

from theorymodel.machines import TuringMachine


@st.composite
def machines(draw, max_states: int = 4, max_symbols: int = 3, allow_n: bool = True,
             halt_prob_max: int = 4) -> TuringMachine:
    """A random deterministic machine over symbols '0'..'k-1' (blank '0') with
    states q0..q{m-1} and a halting state 'H'; some (state, symbol) pairs undefined."""
    n_states = draw(st.integers(1, max_states))
    n_symbols = draw(st.integers(2, max_symbols))
    states = [f"q{i}" for i in range(n_states)]
    symbols = [str(i) for i in range(n_symbols)]
    moves = ["L", "R", "N"] if allow_n else ["L", "R"]
    transitions: dict[str, dict[str, list[str]]] = {}
    for q in states:
        row = {}
        for s in symbols:
            if draw(st.integers(0, halt_prob_max)) == 0:
                continue
            row[s] = [draw(st.sampled_from([*states, "H"])), draw(st.sampled_from(symbols)),
                      draw(st.sampled_from(moves))]
        transitions[q] = row
    finals = draw(st.lists(st.sampled_from([*states, "H"]), max_size=2, unique=True))
    return TuringMachine(
        name="random", transitions=transitions, initial_state="q0", blank_symbol="0",
        input_symbols=symbols[1:], tape_symbols=symbols, final_states=finals,
        states=[*states, "H"],
    )


@st.composite
def machine_and_input(draw, max_len: int = 6, **kwargs):
    tm = draw(machines(**kwargs))
    word = draw(st.lists(st.sampled_from(tm.input_symbols), max_size=max_len))
    return tm, "".join(word)


@st.composite
def circuits(draw, max_inputs: int = 5, max_gates: int = 12, ops=None):
    """A random combinational circuit over every gate type (THRESHOLD included)."""
    from theorymodel.circuits import Circuit, Gate

    n = draw(st.integers(1, max_inputs))
    inputs = [f"x{i}" for i in range(n)]
    signals = list(inputs)
    gates = {}
    ops = ops or ["AND", "OR", "NAND", "NOR", "XOR", "XNOR", "NOT", "BUF", "THRESHOLD", "CONST"]
    for k in range(draw(st.integers(1, max_gates))):
        op = draw(st.sampled_from(ops))
        name = f"g{k}"
        if op == "CONST":
            gates[name] = Gate("CONST", value=draw(st.integers(0, 1)))
        elif op in ("NOT", "BUF"):
            gates[name] = Gate(op, (draw(st.sampled_from(signals)),))
        else:
            fanins = tuple(draw(st.lists(st.sampled_from(signals), min_size=1, max_size=4)))
            if op == "THRESHOLD":
                weights = draw(st.lists(st.integers(-3, 3), min_size=len(fanins), max_size=len(fanins)))
                gates[name] = Gate.threshold_gate(fanins, weights, draw(st.integers(-3, 4)))
            else:
                gates[name] = Gate(op, fanins)
        signals.append(name)
    outputs = draw(st.lists(st.sampled_from(signals), min_size=1, max_size=3))
    return Circuit(inputs=inputs, gates=gates, outputs=outputs, name="random")


@st.composite
def halting_machine_cases(draw, max_n: int = 3, max_steps: int = 40, **kwargs):
    """A random machine, an input length n, such that every input of length n halts."""
    from hypothesis import assume

    from theorymodel.machines import run_batch

    tm = draw(machines(**kwargs))
    n = draw(st.integers(0, max_n))
    batch = run_batch(tm, n, max_steps=max_steps)
    assume(batch.all_halted)
    return tm, n
