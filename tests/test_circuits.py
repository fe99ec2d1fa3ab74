"""Circuits: model, evaluation, formats, sympy, passes (all checked for equivalence)."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import circuits

from theorymodel.circuits import (
    Circuit,
    Gate,
    absorb_thresholds,
    all_assignments,
    equivalent,
    from_sympy,
    load_circuit,
    optimize,
    parse_aag,
    parse_bench,
    propagate_constants,
    remove_dead_gates,
    structural_hash,
    to_aag,
    to_bench,
    to_dot,
    to_threshold,
)
from theorymodel.errors import CircuitError, FormatError

C17 = Path(__file__).resolve().parents[1] / "examples" / "circuits" / "c17.bench"


def c17_reference(x1, x2, x3, x6, x7):
    nand = lambda a, b: 1 - (a & b)  # noqa: E731
    g10, g11 = nand(x1, x3), nand(x3, x6)
    g16, g19 = nand(x2, g11), nand(g11, x7)
    return nand(g10, g16), nand(g16, g19)


def test_c17_truth_tables():
    c = load_circuit(C17)
    assert c.inputs == ("1", "2", "3", "6", "7") and c.outputs == ("22", "23")
    assert c.n_gates == 6 and c.count_ops() == {"NAND": 6} and c.depth() == 3
    table = c.truth_table()
    expected = np.array([c17_reference(*bits) for bits in product((0, 1), repeat=5)])
    assert np.array_equal(table, expected)
    # input 00000 first, last input least significant: 22 = 0 there, 23 = 0 too
    assert table[0].tolist() == [0, 0] and table[-1].tolist() == [1, 0]
    assert "".join(map(str, table[:, 0])) == "00000000111111000000111111111111"
    assert "".join(map(str, table[:, 1])) == "01010100111111000101010011111100"


def test_graph_structure():
    c = load_circuit(C17)
    g = c.graph
    assert g.number_of_nodes() == 11 and g.number_of_edges() == 12
    assert g.nodes["22"]["op"] == "NAND" and g.nodes["1"]["op"] == "INPUT"
    assert g.nodes["23"]["outputs"] == [1]


def test_formats_round_trip_c17():
    c = load_circuit(C17)
    assert equivalent(c, parse_bench(to_bench(c)))
    assert equivalent(c, parse_aag(to_aag(c)))
    assert 'digraph "c17"' in to_dot(c)


def test_aag_reader_with_negations_and_symbols():
    # y = !(a & !b), an AND-inverter graph with a negated output and symbol names
    text = "aag 3 2 0 1 1\n2\n4\n7\n6 2 5\ni0 a\ni1 b\no0 y\nc\nexample\n"
    c = parse_aag(text)
    assert c.inputs == ("a", "b") and c.outputs == ("y",)
    assert c.truth_table()[:, 0].tolist() == [1, 1, 0, 1]


@pytest.mark.parametrize("text, match", [
    ("INPUT(a)\nOUTPUT(b)\nb = DFF(a)\n", "DFF"),
    ("INPUT(a)\nOUTPUT(b)\nb = FOO(a)\n", "unknown gate"),
    ("INPUT(a)\nOUTPUT(b)\nb = NOT(a, a)\n", "exactly one"),
    ("INPUT(a)\nOUTPUT(b)\nb == AND(a)\n", "cannot parse"),
    ("INPUT(a)\nb = AND(a)\n", "no OUTPUT"),
    ("INPUT(a)\nOUTPUT(b)\nb = THRESHOLD(x, 1*a)\n", "integers"),
])
def test_bad_bench(text, match):
    with pytest.raises(FormatError, match=match):
        parse_bench(text)


def test_bench_cycle_and_undefined():
    with pytest.raises(CircuitError, match="cycle"):
        parse_bench("INPUT(a)\nOUTPUT(b)\nb = AND(a, c)\nc = AND(a, b)\n")
    with pytest.raises(CircuitError, match="undefined"):
        parse_bench("INPUT(a)\nOUTPUT(b)\nb = AND(a, z)\n")


@pytest.mark.parametrize("text", ["", "aag 1 1 1 0 0\n2\n2 3\n", "aag 1 1 0 1 0\n", "aag x\n",
                                  "aag 2 1 0 1 1\n2\n4\n4 2 9\n"])
def test_bad_aag(text):
    with pytest.raises(FormatError):
        parse_aag(text)


def test_threshold_gate_semantics():
    c = Circuit(inputs=["a", "b", "c"], outputs=["t"],
                gates={"t": Gate.threshold_gate(["a", "b", "c"], [2, 1, -1], 2)})
    x = all_assignments(3)
    xi = x.astype(int)
    expected = (2 * xi[:, 0] + xi[:, 1] - xi[:, 2] >= 2).astype(np.uint8)
    assert np.array_equal(c.evaluate(x)[:, 0], expected)


a, b, c_, d = sympy.symbols("a b c d")
SYMPY_CASES = [
    a & b | ~c_,
    sympy.Xor(a, b, c_, d),
    sympy.Implies(a, b) & sympy.Equivalent(c_, d),
    sympy.ITE(a, b, c_) ^ d,
    sympy.Nand(a, b) | sympy.Nor(c_, d),
    sympy.logic.boolalg.Xnor(a, b),
    (a | b) & (a | b) & sympy.true,
    sympy.Equivalent(a, b, c_),
]


@pytest.mark.parametrize("expr", SYMPY_CASES)
def test_from_sympy_equals_expression(expr):
    circuit = from_sympy(expr, inputs=[a, b, c_, d])
    table = circuit.truth_table()[:, 0]
    for k, bits in enumerate(product((False, True), repeat=4)):
        value = bool(expr.subs(dict(zip((a, b, c_, d), bits, strict=True))))
        assert table[k] == value, (expr, bits)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**16 - 1))
def test_from_sympy_random_truth_tables(bits):
    # every 4-input function, via its sum-of-products form
    minterms = [k for k in range(16) if bits >> (15 - k) & 1]
    expr = sympy.SOPform([a, b, c_, d], [[k >> 3 & 1, k >> 2 & 1, k >> 1 & 1, k & 1] for k in minterms])
    circuit = from_sympy(expr, inputs=[a, b, c_, d])
    want = [bits >> (15 - k) & 1 for k in range(16)]
    assert circuit.truth_table()[:, 0].tolist() == want


PASSES = [propagate_constants, structural_hash, remove_dead_gates, absorb_thresholds, to_threshold]


@settings(max_examples=250, deadline=None)
@given(circuits())
def test_passes_preserve_function(circuit):
    for p in PASSES:
        report = p(circuit)
        assert report.gates_before == circuit.n_gates
        assert report.gates_after == report.circuit.n_gates
        assert equivalent(circuit, report.circuit), p.__name__
    assert all(g.op == "THRESHOLD" for g in to_threshold(circuit).circuit.gates.values())
    current = circuit
    for report in optimize(circuit):
        current = report.circuit
    assert equivalent(circuit, current)


@settings(max_examples=100, deadline=None)
@given(circuits(ops=["AND", "OR", "NOT", "XOR", "THRESHOLD"]))
def test_round_trip_bench_and_aag(circuit):
    assert equivalent(circuit, parse_bench(to_bench(circuit)))
    if all(g.op != "THRESHOLD" for g in circuit.gates.values()):
        assert equivalent(circuit, parse_aag(to_aag(circuit)))
    else:
        with pytest.raises(FormatError):
            to_aag(circuit)


def test_pass_gate_counts():
    x, y, z = sympy.symbols("x y z")
    # AND(AND(x, NOT y), z) -> one threshold gate x - y + z >= 2
    circ = Circuit(inputs=["x", "y", "z"], outputs=["o"], gates={
        "n": Gate("NOT", ("y",)), "g": Gate("AND", ("x", "n")), "o": Gate("AND", ("g", "z"))})
    report = absorb_thresholds(circ)
    assert report.gates_before == 3 and report.gates_after == 1
    assert report.circuit.gates["o"] == Gate.threshold_gate(["x", "y", "z"], [1, -1, 1], 2)
    assert equivalent(circ, report.circuit)
    dup = Circuit(inputs=["p", "q"], outputs=["o"], gates={
        "g1": Gate("AND", ("p", "q")), "g2": Gate("AND", ("q", "p")), "o": Gate("OR", ("g1", "g2"))})
    assert structural_hash(dup).gates_after == 2
    const = Circuit(inputs=["p"], outputs=["o"], gates={
        "k": Gate("CONST", value=0), "g": Gate("OR", ("p", "k")), "o": Gate("AND", ("g", "g"))})
    assert propagate_constants(const).gates_after == 1
    dead = Circuit(inputs=["p"], outputs=["o"], gates={"u": Gate("NOT", ("p",)), "o": Gate("BUF", ("p",))})
    assert remove_dead_gates(dead).gates_after == 1
    xor = from_sympy(sympy.Xor(x, y, z), inputs=[x, y, z])
    assert to_threshold(xor).gates_after == 1 + 4  # output BUF + two 2-gate XOR stages
