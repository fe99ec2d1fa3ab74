"""Machine formats: every reader, every writer, round trips, detection."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import machines

from theorymodel.errors import FormatError, InvalidMoveError, MissingInitialStateError, TheoryModelError
from theorymodel.machines import TuringMachine, formats, library, load_machine, simulate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "machines"
PALINDROMES = ["", "0", "1", "00", "01", "010", "0110", "0111", "10101", "10110"]


def words_of(tm, max_len=3):
    from itertools import product

    return ["".join(w) for n in range(max_len + 1) for w in product(tm.input_symbols, repeat=n)]


def same_behaviour(a, b, words=None, max_steps=500):
    """Same run on every word both machines accept as input (formats without declared
    alphabets can only infer the symbols that their transitions mention)."""
    if words is None:
        words = words_of(a)
    shared = set(a.input_symbols) & set(b.input_symbols)
    for w in words:
        if not set(w) <= shared:
            continue
        ra, rb = simulate(a, w, max_steps=max_steps), simulate(b, w, max_steps=max_steps)
        out_b = rb.output.replace(b.blank_symbol, a.blank_symbol)  # formats with a fixed blank '_'
        assert (ra.halted, ra.steps, ra.accepted, ra.output, ra.head) == (
            rb.halted, rb.steps, rb.accepted, out_b, rb.head), w


@pytest.mark.parametrize("name", library.names())
def test_yaml_and_json_round_trip(name):
    tm = library.load(name)
    assert formats.parse_yaml(formats.to_yaml(tm)) == tm
    assert formats.parse_json(formats.to_json(tm)) == tm


@pytest.mark.parametrize("name", ["bb2", "bb3", "bb4", "bb5"])
def test_bb_round_trip_is_textual(name):
    text = library.BUSY_BEAVERS[name][0]
    assert formats.to_bb(formats.parse_bb(text)) == text


def test_bb_many_symbols_and_undefined():
    tm = formats.parse_bb("1RB2LA1RZ_2LA---0RB")
    assert tm.tape_symbols == ("0", "1", "2")
    assert tm.transition("B", "1") is None
    assert tm.transition("A", "2") == ("Z", "1", "R")
    assert formats.to_bb(tm) == "1RB2LA1RZ_2LA---0RB"
    assert tm.halting_states == ("Z",)


@pytest.mark.parametrize("bad", ["1RB1LB_1LA1R", "1RB1LB_1LA", "1RB_", "2RB1LB_1LA1RZ", "1XB1LB_1LA1RZ"])
def test_bb_malformed(bad):
    with pytest.raises(FormatError):
        formats.parse_bb(bad)


def test_bb_writer_refuses_what_it_cannot_say():
    with pytest.raises(FormatError, match="N"):
        formats.to_bb(library.load("binary_increment"))
    with pytest.raises(FormatError, match="final"):
        formats.to_bb(library.load("parity"))


def test_morphett_reader_wildcards_comments_and_halt_accept():
    tm = load_machine(str(EXAMPLES / "palindrome.morphett"))
    assert tm.initial_state == "0" and tm.blank_symbol == "_"
    assert tm.final_states == {"halt-accept"}
    assert tm.transition("1o", "1") == ("1o", "1", "R")  # '*' read and write
    assert tm.transition("1o", "_") == ("2o", "_", "L")  # exact rule wins over '*'
    assert tm.transition("2o", "_") == ("halt-accept", "_", "N")
    ours = library.load("binary_palindrome")
    for w in PALINDROMES:
        assert simulate(tm, w).accepted == simulate(ours, w).accepted, w


def test_morphett_bad_lines():
    with pytest.raises(FormatError, match="line 2"):
        formats.parse_morphett("0 0 0 r 1\n0 1 r 1\n")
    with pytest.raises(InvalidMoveError):
        formats.parse_morphett("0 0 0 x 1\n")
    with pytest.raises(FormatError):
        formats.parse_morphett("; only a comment\n")


def test_tmsim_reader():
    tm = load_machine(str(EXAMPLES / "palindrome.tmsim"))
    assert tm.name == "Binary palindrome" and tm.initial_state == "q0"
    assert tm.final_states == {"qAccept"}
    ours = library.load("binary_palindrome")
    for w in PALINDROMES:
        assert simulate(tm, w).accepted == simulate(ours, w).accepted, w


def test_tmsim_errors():
    with pytest.raises(MissingInitialStateError):
        formats.parse_tmsim("name: x\nq0,0\nq0,0,>\n")
    with pytest.raises(FormatError, match="2-tape"):
        formats.parse_tmsim("init: q0\nq0,0,0\nq0,0,0,>,>\n")
    with pytest.raises(FormatError, match="without"):
        formats.parse_tmsim("init: q0\nq0,0\n")


def test_contract_example_file():
    tm = load_machine(str(EXAMPLES / "binary_increment.yaml"))
    assert tm.final_states == {"done"} and simulate(tm, "1011").output == "1100"


@pytest.mark.parametrize("fmt", ["yaml", "json", "morphett", "tmsim"])
@pytest.mark.parametrize(
    "name", ["binary_palindrome", "zeros_then_ones", "binary_increment", "ternary_increment"]
)
def test_text_formats_round_trip_behaviour(fmt, name):
    tm = library.load(name)
    text = formats.WRITERS[fmt](tm)
    again = formats.parse_text(text, formats.detect_format(text))
    same_behaviour(tm, again, words_of(tm, 4))


@settings(max_examples=150, deadline=None)
@given(machines())
def test_random_machines_round_trip_every_format(tm):
    for fmt in ("yaml", "json", "tmsim"):
        same_behaviour(tm, formats.parse_text(formats.WRITERS[fmt](tm), fmt))
    expressible = tm.n_transitions and tm.initial_state not in tm.final_states
    if expressible and not any(tm.transitions.get(q) for q in tm.final_states):
        same_behaviour(tm, formats.parse_morphett(formats.to_morphett(tm)))


@settings(max_examples=150, deadline=None)
@given(machines(allow_n=False))
def test_random_machines_round_trip_bb(tm):
    tm = tm.replace(final_states=[])
    assume(tm.transitions.get(tm.initial_state))
    text = formats.to_bb(tm)
    assert formats.looks_like_bb(text)
    back = formats.parse_bb(text)
    assert formats.to_bb(back) == text
    same_behaviour(tm, back)


def test_automata_lib_both_directions():
    from automata.tm.dtm import DTM

    for name in ("binary_palindrome", "zeros_then_ones", "parity"):
        tm = library.load(name)
        dtm = formats.to_automata(tm)
        assert isinstance(dtm, DTM)
        back = formats.from_automata(dtm, name=name)
        same_behaviour(tm, back, PALINDROMES)
        for w in ["0110", "01", "0011", "1"]:
            assert dtm.accepts_input(w) == simulate(tm, w).accepted


def test_automata_lib_docstring_example():
    from automata.tm.dtm import DTM

    dtm = DTM(
        states={"q0", "q1", "q2", "q3", "q4"}, input_symbols={"0", "1"},
        tape_symbols={"0", "1", "x", "y", "."},
        transitions={
            "q0": {"0": ("q1", "x", "R"), "y": ("q3", "y", "R")},
            "q1": {"0": ("q1", "0", "R"), "1": ("q2", "y", "L"), "y": ("q1", "y", "R")},
            "q2": {"0": ("q2", "0", "L"), "x": ("q0", "x", "R"), "y": ("q2", "y", "L")},
            "q3": {"y": ("q3", "y", "R"), ".": ("q4", ".", "R")},
        },
        initial_state="q0", blank_symbol=".", final_states={"q4"},
    )
    tm = formats.from_automata(dtm)
    for w in ["01", "0011", "0101", "001", "000111"]:
        assert simulate(tm, w).accepted == dtm.accepts_input(w), w


def test_dot_writer():
    dot = formats.to_dot(library.load("parity"))
    assert dot.startswith('digraph "parity"')
    assert '"even" -> "odd" [label="1→1,R"]' in dot
    assert '"accept" [shape=doublecircle' in dot
    assert dot.count("->") == 1 + library.load("parity").n_transitions


def test_detection():
    assert formats.detect_format("1RB1LB_1LA1RZ") == "bb"
    assert formats.detect_format("init: q0\nq0,0\nq0,0,>") == "tmsim"
    assert formats.detect_format('{"a": 1}') == "json"
    assert formats.detect_format("initial_state: a\ntransitions: {}") == "yaml"
    assert formats.detect_format("0 0 0 r 1") == "morphett"
    assert formats.detect_format("whatever", "m.yml") == "yaml"


def _varint(v: int) -> bytes:
    out = b""
    while True:
        b, v = v & 0x7F, v >> 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def test_binary_aiger_is_read(tmp_path, cli_json):
    """x = a AND b, out = NOT x: binary AIGER with a symbol table, by extension or by header."""
    data = b"aig 3 2 0 1 1\n7\n" + _varint(6 - 4) + _varint(4 - 2) + b"i0 a\ni1 b\no0 nand\n"
    for name in ("nand.aig", "nand_without_extension"):
        (tmp_path / name).write_bytes(data)
        from theorymodel.circuits import load_circuit

        c = load_circuit(tmp_path / name)
        assert c.inputs == ("a", "b")
        assert [int(v) for v in c.evaluate(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.uint8))[:, 0]] == [
            1, 1, 1, 0]
    code, obj, _ = cli_json("length", str(tmp_path / "nand.aig"), "--n", "2")
    assert code == 0 and obj["length_complexity"] == 1
    (tmp_path / "bad.aig").write_bytes(b"aig 3 2 0 1 1\n7\n\xff")
    assert cli_json("compile", str(tmp_path / "bad.aig"))[0] == 2


def _record(bb: str) -> bytes:
    out = b""
    for group in bb.split("_"):
        for k in range(2):
            t = group[3 * k: 3 * k + 3]
            out += bytes(3) if t == "---" else bytes([int(t[0]), 1 if t[1] == "L" else 0, ord(t[2]) - 64])
    return out


def test_bbchallenge_database_is_read(tmp_path, cli_json):
    """bbchallenge's layout: a 30-byte header, then 30 bytes per 5-state machine; an
    undefined transition (next state 0) halts."""
    db = tmp_path / "seeds"
    champion = "1RB1LC_1RC1RB_1RD0LE_1LA1LD_---0LA"  # BB(5), its halting transition undefined
    db.write_bytes(bytes(30) + _record(champion) + _record("1RB1LB_1LA------_------_------_------"))
    code, obj, _ = cli_json("run", f"bbchallenge:{db}#0")
    assert code == 0 and obj["steps"] == 47_176_869 and obj["nonblank"] == 4097
    code, obj, _ = cli_json("run", f"bbchallenge:{db}#1")
    assert code == 0 and obj["steps"] == 5
    assert cli_json("run", f"bbchallenge:{db}#2")[0] == 2
    assert cli_json("run", f"bbchallenge:{db}")[0] == 2


hostile_name = st.text(alphabet="ab;*!#,:/ \t\n[]{}'\"\\_-0Ω", min_size=1, max_size=6)
hostile_symbol = st.text(alphabet="ab;*!#:/[]{}'\"\\-0Ω", min_size=1, max_size=3)  # a few are refused anyway


@settings(max_examples=200, deadline=None)
@given(states=st.lists(hostile_name, min_size=3, max_size=3, unique=True),
       symbols=st.lists(st.one_of(hostile_symbol, hostile_name), min_size=2, max_size=2, unique=True),
       fmt=st.sampled_from(["yaml", "json", "morphett", "tmsim"]))
def test_writers_never_change_meaning(states, symbols, fmt):
    """Hostile names: every writer either refuses the machine (FormatError) or writes text
    that reads back as a machine with the same behaviour; names the model cannot hold are
    refused when the machine is built."""
    q0, q1, q2 = states
    s1, s2 = symbols
    try:
        tm = TuringMachine(name="hostile", initial_state=q0, blank_symbol="_", final_states=[q2],
                           input_symbols=[s1, s2],
                           transitions={q0: {s1: [q1, s2, "R"], s2: [q2, s1, "L"], "_": [q2, "_", "N"]},
                                        q1: {s1: [q0, s1, "R"], "_": [q2, s2, "N"]}})
    except TheoryModelError:
        return
    try:
        text = formats.WRITERS[fmt](tm)
    except FormatError:
        return
    again = formats.parse_text(text, fmt)
    assert set(tm.input_symbols) <= set(again.input_symbols)
    same_behaviour(tm, again, [w for n in range(4) for w in product(tm.input_symbols, repeat=n)])


def test_several_final_states_stay_accepting_in_morphetts_format():
    """Found by the random round trip: two final states were written as halt-accept-q1 and
    halt-accept-q2, which Morphett's format (and our reader) does not read as accepting."""
    tm = TuringMachine(name="two", transitions={"q0": {"1": ["q1", "0", "L"], "0": ["q2", "0", "R"]}},
                       initial_state="q0", blank_symbol="_", input_symbols=["0", "1"],
                       tape_symbols=["0", "1", "_"], final_states=["q1", "q2"], states=["q0", "q1", "q2"])
    back = formats.parse_morphett(formats.to_morphett(tm))
    for word in ("0", "1"):
        assert simulate(back, word).accepted and simulate(tm, word).accepted
    same_behaviour(tm, back)
