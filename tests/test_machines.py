"""The TuringMachine model: validation, the exception tree, the graph, immutability."""

from __future__ import annotations

import networkx as nx
import pytest

from theorymodel.errors import (
    InvalidMoveError,
    InvalidStateError,
    InvalidSymbolError,
    InvalidTransitionError,
    MachineError,
    MissingInitialStateError,
)
from theorymodel.machines import TuringMachine, library

INC = dict(
    transitions={
        "right": {"0": ["right", "0", "R"], "1": ["right", "1", "R"], "_": ["carry", "_", "L"]},
        "carry": {"1": ["carry", "0", "L"], "0": ["done", "1", "N"], "_": ["done", "1", "N"]},
    },
    initial_state="right",
    blank_symbol="_",
    input_symbols=["0", "1"],
    final_states=["done"],
)


def test_structure_is_a_multidigraph():
    tm = TuringMachine(**INC)
    g = tm.graph
    assert isinstance(g, nx.MultiDiGraph)
    assert nx.is_frozen(g)
    assert set(g.nodes) == {"right", "carry", "done"}
    assert g.nodes["right"]["initial"] and not g.nodes["carry"]["initial"]
    assert g.nodes["done"]["final"] and g.nodes["done"]["halting"]
    assert g.number_of_edges() == 6
    assert g.number_of_edges("right", "right") == 2
    edge = g.get_edge_data("carry", "done", key="0")
    assert edge == {"read": "0", "write": "1", "move": "N"}


def test_inferred_alphabets_and_states():
    tm = TuringMachine(**INC)
    assert tm.states == ("right", "carry", "done")
    assert tm.tape_symbols[0] == "_"
    assert set(tm.tape_symbols) == {"_", "0", "1"}
    assert tm.input_symbols == ("0", "1")
    assert tm.halting_states == ("done",)


def test_immutable():
    tm = TuringMachine(**INC)
    with pytest.raises(AttributeError):
        tm.initial_state = "carry"
    with pytest.raises(TypeError):
        tm.transitions["right"]["0"] = ("x", "0", "R")  # type: ignore[index]
    with pytest.raises(TypeError):
        tm.transitions["new"] = {}  # type: ignore[index]


def test_keyword_only():
    with pytest.raises(TypeError):
        TuringMachine(INC["transitions"], "right", "_")  # type: ignore[misc]


def test_yaml_ints_become_names():
    tm = TuringMachine(transitions={0: {0: [1, 1, "R"]}}, initial_state=0, blank_symbol=0)
    assert tm.states == ("0", "1")
    assert tm.transition("0", "0") == ("1", "1", "R")


@pytest.mark.parametrize(
    "change, error",
    [
        ({"initial_state": None}, MissingInitialStateError),
        ({"initial_state": ""}, MissingInitialStateError),
        ({"transitions": [1, 2]}, InvalidTransitionError),
        ({"transitions": {"a": [1]}}, InvalidTransitionError),
        ({"transitions": {"a": {"0": ["b", "0"]}}}, InvalidTransitionError),
        ({"transitions": {"a": {"0": "b0R"}}}, InvalidTransitionError),
        ({"transitions": {"a": {"0": ["b", "0", "U"]}}}, InvalidMoveError),
        ({"transitions": {"a": {"0": ["b", None, "R"]}}}, InvalidSymbolError),
        ({"transitions": {"a": {"0": [["b"], "0", "R"]}}}, InvalidStateError),
        ({"tape_symbols": ["0", "1"], "transitions": {"right": {"0": ["x", "2", "R"]}}}, InvalidSymbolError),
        ({"states": ["right"], "transitions": {"right": {"0": ["elsewhere", "0", "R"]}}}, InvalidStateError),
        ({"input_symbols": ["_", "0"]}, InvalidSymbolError),
    ],
)
def test_invalid_machines(change, error):
    with pytest.raises(error):
        TuringMachine(**{**INC, **change})
    assert issubclass(error, MachineError)


def test_parse_input():
    tm = TuringMachine(**INC)
    assert tm.parse_input("0110") == ("0", "1", "1", "0")
    assert tm.parse_input("0 1, 1") == ("0", "1", "1")
    assert tm.parse_input("") == ()
    with pytest.raises(InvalidSymbolError, match="'2'"):
        tm.parse_input("012")
    with pytest.raises(InvalidSymbolError):
        tm.parse_input("0_")


def test_coded_table():
    tm = TuringMachine(**INC)
    c = tm.coded()
    assert c.symbols[0] == "_"
    q, s = c.states.index("carry"), c.symbols.index("1")
    assert c.next_state[q, s] == q and c.write[q, s] == c.symbols.index("0") and c.move[q, s] == -1
    assert (c.next_state[c.states.index("done")] == -1).all()
    assert not c.next_state.flags.writeable


def test_every_bundled_machine_loads():
    names = library.names()
    for required in ("binary_increment", "binary_palindrome", "zeros_then_ones", "unary_addition",
                     "parity", "ternary_increment", "bb2", "bb3", "bb4", "bb5"):
        assert required in names
    assert any(len(library.load(n).input_symbols) >= 3 for n in names)
    for name in names:
        tm = library.load(name)
        assert tm.name == name
        assert library.describe(name)
