"""Readers and writers for the machine formats people already use.

Readers: the contract's (docs/contract.md) YAML/JSON, Busy Beaver text notation, Morphett's simulator
format, turingmachinesimulator.com's single-tape format, automata-lib ``DTM``
objects. Writers: YAML/JSON, Busy Beaver notation (where representable), Graphviz DOT,
automata-lib ``DTM``. :func:`load_machine` resolves a CLI MACHINE argument.

Nothing read from a file is ever evaluated: YAML goes through a safe loader that
also refuses anchors and aliases (an alias bomb is a few hundred bytes that expand to
gigabytes).
"""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from theorymodel.errors import (
    FormatError,
    InvalidMoveError,
    MissingInitialStateError,
    UsageError,
)
from theorymodel.io import MAX_FILE_BYTES, read_bytes
from theorymodel.machines.model import TuringMachine


# -- safe YAML ----------------------------------------------------------------------
class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, no duplicate keys and no aliases.

    - Only ``true``/``false`` are booleans (YAML 1.2): a state named ``yes``, ``no``,
      ``on``, ``off``, ``y`` or ``n`` stays a string (docs/contract.md, "Conventions").
    - A key repeated in one mapping is an error, not a silent choice (a duplicate
      state or symbol would make the machine nondeterministic).
    - Anchors and aliases are refused (an alias bomb is a few hundred bytes that
      expand to gigabytes).
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - the class-level table PyYAML reads
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise FormatError(f"YAML aliases are not supported (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise FormatError(f"a mapping key must be a scalar (line {key_node.start_mark.line + 1})") from None
            if key in seen:
                raise FormatError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                                  f"(first at line {seen[key]})")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_NoAliasLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def safe_yaml_load(text: str) -> Any:
    """Parse YAML with the safe loader, no aliases, one-line errors."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormatError(f"invalid YAML{where}: {problem}") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a small UTF-8 text file, with clear errors for missing/empty/binary files
    (regular files only, capped: :func:`theorymodel.io.read_bytes`)."""
    data = read_bytes(path, cap=MAX_FILE_BYTES)
    p = Path(path)
    if b"\x00" in data:
        raise FormatError(f"{p} is a binary file, not a machine description")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{p} is not UTF-8 text") from None
    if not text.strip():
        raise FormatError(f"{p} is empty")
    return text


# -- the contract's YAML / JSON --------------------------------------------------------
_DOC_KEYS = {
    "name", "input_symbols", "tape_symbols", "blank_symbol", "initial_state",
    "final_states", "transitions", "states", "description",
}


def from_dict(doc: Any, *, default_name: str = "machine") -> TuringMachine:
    """Build a machine from the contract's (docs/contract.md) document (already parsed)."""
    if not isinstance(doc, dict):
        raise FormatError(f"a machine file must hold a mapping, got {type(doc).__name__}")
    unknown = sorted(set(map(str, doc)) - _DOC_KEYS)
    if unknown:
        raise FormatError(f"unknown field {unknown[0]!r}; fields are {sorted(_DOC_KEYS)}")
    if doc.get("initial_state") in (None, ""):
        raise MissingInitialStateError("the machine has no initial_state")
    for key in ("transitions", "blank_symbol"):
        if key not in doc:
            raise FormatError(f"missing field {key!r}")
    for key in ("input_symbols", "tape_symbols", "final_states", "states"):
        value = doc.get(key)
        if value is not None and not isinstance(value, list):
            raise FormatError(f"{key} must be a list, got {type(value).__name__}")
    return TuringMachine(
        name=str(doc.get("name") or default_name),
        transitions=doc["transitions"],
        initial_state=doc["initial_state"],
        blank_symbol=doc["blank_symbol"],
        input_symbols=doc.get("input_symbols"),
        tape_symbols=doc.get("tape_symbols"),
        final_states=doc.get("final_states"),
        states=doc.get("states"),
    )


def parse_yaml(text: str, *, name: str = "machine") -> TuringMachine:
    return from_dict(safe_yaml_load(text), default_name=name)


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json`` object hook: a key repeated in one object is an error."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"duplicate key {key!r} in a JSON object")
        out[key] = value
    return out


def parse_json(text: str, *, name: str = "machine") -> TuringMachine:
    try:
        doc = json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise FormatError("the JSON document is nested too deeply") from None
    return from_dict(doc, default_name=name)


def to_yaml(tm: TuringMachine) -> str:
    return yaml.safe_dump(tm.to_dict(), sort_keys=False, allow_unicode=True)


def to_json(tm: TuringMachine) -> str:
    return json.dumps(tm.to_dict(), indent=2) + "\n"


# -- Busy Beaver text notation -------------------------------------------------------
_BB_RE = re.compile(r"^(?:[0-9][LR][A-Z]|---)+(?:_(?:[0-9][LR][A-Z]|---)+)*$")


def looks_like_bb(text: str) -> bool:
    """True for strings shaped like ``1RB1LB_1LA1RZ`` (not checked for consistency)."""
    return bool(_BB_RE.match(text.strip()))


def parse_bb(text: str, *, name: str | None = None) -> TuringMachine:
    """Parse standard Busy Beaver notation.

    States are ``A, B, C, ...`` in group order; each group has one 3-character
    transition per read symbol ``0, 1, 2, ...`` (write, ``L``/``R``, next state);
    ``---`` is undefined (halt); a next state that is not a state of the machine
    halts after the transition is taken. The blank is ``0``.
    """
    text = text.strip()
    groups = text.split("_")
    if not text or any(not g for g in groups):
        raise FormatError(f"Busy Beaver notation {text!r} has an empty state group")
    width = len(groups[0])
    if width % 3 or width == 0:
        raise FormatError(
            f"Busy Beaver notation {text!r}: group 'A' has {width} characters, "
            "not a multiple of 3 (truncated?)"
        )
    nsym = width // 3
    if nsym > 10:
        raise FormatError("Busy Beaver notation supports at most 10 symbols")
    if len(groups) > 26:
        raise FormatError("Busy Beaver notation supports at most 26 states")
    states = [string.ascii_uppercase[i] for i in range(len(groups))]
    transitions: dict[str, dict[str, list[str]]] = {}
    for state, group in zip(states, groups, strict=True):
        if len(group) != width:
            raise FormatError(
                f"Busy Beaver notation {text!r}: group {state!r} has {len(group)} characters, "
                f"expected {width} (truncated?)"
            )
        row: dict[str, list[str]] = {}
        for k in range(nsym):
            triple = group[3 * k: 3 * k + 3]
            if triple == "---":
                continue
            write, move, nxt = triple[0], triple[1], triple[2]
            if not write.isdigit() or int(write) >= nsym:
                raise FormatError(
                    f"Busy Beaver transition {state}{k} writes {write!r}, not a symbol 0..{nsym - 1}"
                )
            if move not in "LR":
                raise FormatError(f"Busy Beaver transition {state}{k} has move {move!r}, not L or R")
            if not nxt.isalpha() or not nxt.isupper():
                raise FormatError(f"Busy Beaver transition {state}{k} goes to {nxt!r}, not a letter")
            row[str(k)] = [nxt, write, move]
        transitions[state] = row
    symbols = [str(k) for k in range(nsym)]
    return TuringMachine(
        name=name or text,
        transitions=transitions,
        initial_state="A",
        blank_symbol="0",
        input_symbols=symbols[1:],
        tape_symbols=symbols,
        states=states + sorted({t[0] for r in transitions.values() for t in r.values()} - set(states)),
    )


def to_bb(tm: TuringMachine) -> str:
    """Write Busy Beaver notation, relabelling states A, B, ... (initial first) and
    symbols 0, 1, ... (blank first). Halting states all become ``Z``.

    Raises
    ------
    FormatError
        When the machine uses ``N`` moves, has final states, more than 25 working
        states or more than 10 symbols: the notation cannot say so.
    """
    working = [q for q in tm.states if tm.transitions.get(q)]
    if tm.initial_state not in working:
        working.insert(0, tm.initial_state)
    else:
        working.remove(tm.initial_state)
        working.insert(0, tm.initial_state)
    if tm.final_states:
        raise FormatError("Busy Beaver notation cannot express final (accepting) states")
    if len(working) > 25:
        raise FormatError("Busy Beaver notation supports at most 25 working states")
    if len(tm.tape_symbols) > 10:
        raise FormatError("Busy Beaver notation supports at most 10 symbols")
    letter = {q: string.ascii_uppercase[i] for i, q in enumerate(working)}
    code = {s: str(i) for i, s in enumerate(tm.tape_symbols)}  # blank is tape_symbols[0]
    groups = []
    for q in working:
        parts = []
        for s in tm.tape_symbols:
            t = tm.transition(q, s)
            if t is None:
                parts.append("---")
                continue
            if t.move == "N":
                raise FormatError("Busy Beaver notation cannot express an N (no) move")
            parts.append(f"{code[t.write]}{t.move}{letter.get(t.next_state, 'Z')}")
        groups.append("".join(parts))
    return "_".join(groups)


# -- Morphett -----------------------------------------------------------------------
def parse_morphett(text: str, *, name: str = "machine") -> TuringMachine:
    """Parse Morphett's format: one rule ``state read write move next`` per line.

    ``;`` starts a comment; ``_`` is the blank; ``*`` as the read symbol matches any
    symbol with no specific rule in that state, as the written symbol leaves the cell
    unchanged, as the move means no move and as the next state means the same state.
    The start state is ``0``; states named ``halt...`` halt and ``halt-accept``
    accepts. Moves are ``l``, ``r`` or ``*`` (either case). A trailing ``!``
    (breakpoint) is ignored.
    """
    rules: list[tuple[int, str, str, str, str, str]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) == 6 and parts[5] == "!":
            parts = parts[:5]
        if len(parts) != 5:
            raise FormatError(
                f"Morphett line {lineno}: expected 'state read write move next', got {line!r}"
            )
        state, read, write, move, nxt = parts
        nxt = nxt.rstrip("!") or nxt
        if len(read) != 1 or len(write) != 1:
            raise FormatError(f"Morphett line {lineno}: symbols are single characters, got {line!r}")
        move = move.lower()
        if move not in ("l", "r", "*"):
            raise InvalidMoveError(f"Morphett line {lineno}: move {parts[3]!r} is not l, r or *")
        rules.append((lineno, state, read, write, move, nxt))
    if not rules:
        raise FormatError("Morphett file has no rules")
    alphabet = ["_"]
    for _, _, read, write, _, _ in rules:
        alphabet += [c for c in (read, write) if c != "*"]
    alphabet = list(dict.fromkeys(alphabet))
    moves = {"l": "L", "r": "R", "*": "N"}
    transitions: dict[str, dict[str, list[str]]] = {}
    wildcard: dict[str, tuple] = {}
    first_line: dict[tuple[str, str], int] = {}
    for lineno, state, read, write, move, nxt in rules:
        if (state, read) in first_line:  # two rules for one (state, symbol): nondeterministic
            raise FormatError(f"line {lineno}: a second rule for state {state!r} reading {read!r} "
                              f"(the first is on line {first_line[state, read]})")
        first_line[state, read] = lineno
        if state.startswith("halt"):
            continue  # a halting state never fires a rule
        target = state if nxt == "*" else nxt
        if read == "*":
            wildcard[state] = (write, moves[move], target)
            continue
        row = transitions.setdefault(state, {})
        row[read] = [target, read if write == "*" else write, moves[move]]
    for state, (write, move, target) in wildcard.items():
        row = transitions.setdefault(state, {})
        for sym in alphabet:
            row.setdefault(sym, [target, sym if write == "*" else write, move])
    referenced = {t[0] for r in transitions.values() for t in r.values()}
    finals = [q for q in referenced if q == "halt-accept"]
    return TuringMachine(
        name=name,
        transitions=transitions,
        initial_state="0",
        blank_symbol="_",
        tape_symbols=alphabet,
        final_states=finals,
    )


def to_morphett(tm: TuringMachine) -> str:
    """Write Morphett's format (start state renamed ``0``; needs single-char symbols)."""
    if any(len(s) != 1 or s in " ;*" for s in tm.tape_symbols):
        raise FormatError("Morphett's format needs single-character symbols other than ';' and '*'")
    sym = {s: ("_" if s == tm.blank_symbol else s) for s in tm.tape_symbols}
    if tm.blank_symbol != "_" and "_" in tm.tape_symbols:
        raise FormatError("Morphett's blank is '_', which this machine uses as an ordinary symbol")

    def state_name(q: str) -> str:
        if q == tm.initial_state:
            return "0"
        if q in tm.final_states:  # every final state halts, so they merge into Morphett's one accepting state
            return "halt-accept"
        return q

    for q in tm.final_states:
        if tm.transitions.get(q):
            raise FormatError(f"Morphett's halt-accept states halt: final state {q!r} has transitions")
    if tm.initial_state in tm.final_states:
        raise FormatError("Morphett's start state 0 cannot also be an accepting halt-accept state")
    clash = [q for q in tm.states if q != tm.initial_state and (q == "0" or q.startswith("halt"))]
    if clash:
        raise FormatError(f"state {clash[0]!r} would mean something else in Morphett's format")
    unwritable = [q for q in tm.states if q != tm.initial_state and (
        any(c.isspace() or c in ";" for c in q) or q == "*" or q.endswith("!"))]
    if unwritable:
        raise FormatError(f"state {unwritable[0]!r} cannot be written in Morphett's format "
                          "(spaces, ';', '*' and a trailing '!' mean something there)")
    lines = [f"; {_one_line(tm.name)}"]
    for q, row in tm.transitions.items():
        for s, t in row.items():
            move = {"L": "l", "R": "r", "N": "*"}[t.move]
            lines.append(f"{state_name(q)} {sym[s]} {sym[t.write]} {move} {state_name(t.next_state)}")
    return "\n".join(lines) + "\n"


# -- turingmachinesimulator.com -----------------------------------------------------
def looks_like_tmsim(text: str) -> bool:
    return bool(re.search(r"^\s*init\s*:", text, re.MULTILINE))


def parse_tmsim(text: str, *, name: str = "machine") -> TuringMachine:
    """Parse turingmachinesimulator.com's single-tape format.

    A header of ``name:``, ``init:`` and ``accept:`` lines, then pairs of lines
    ``state,read`` / ``next,write,move`` with move ``<``, ``>`` or ``-``. ``//``
    starts a comment; ``_`` is the blank.
    """
    header: dict[str, str] = {}
    body: list[tuple[int, list[str]]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(name|init|accept)\s*:\s*(.*)$", line)
        if m:
            header[m.group(1)] = m.group(2).strip()
            continue
        body.append((lineno, [p.strip() for p in line.split(",")]))
    if "init" not in header or not header["init"]:
        raise MissingInitialStateError("turingmachinesimulator file has no 'init:' state")
    if len(body) % 2:
        raise FormatError(f"line {body[-1][0]}: a 'state,read' line without its 'next,write,move' line")
    transitions: dict[str, dict[str, list[str]]] = {}
    moves = {"<": "L", ">": "R", "-": "N"}
    for (l1, cond), (l2, act) in zip(body[0::2], body[1::2], strict=True):
        if len(cond) != 2 or len(act) != 3:
            tapes = max(len(cond) - 1, (len(act) - 1) // 2)
            if tapes > 1:
                raise FormatError(f"line {l1}: {tapes}-tape machines are not supported (single tape only)")
            raise FormatError(f"lines {l1}-{l2}: expected 'state,read' then 'next,write,move'")
        if act[2] not in moves:
            raise InvalidMoveError(f"line {l2}: move {act[2]!r} is not <, > or -")
        state, read = cond
        row = transitions.setdefault(state, {})
        if read in row:
            raise FormatError(f"line {l1}: a second transition for ({state}, {read}): not deterministic")
        row[read] = [act[0], act[1], moves[act[2]]]
    accept = [a.strip() for a in header.get("accept", "").split(",") if a.strip()]
    return TuringMachine(
        name=header.get("name") or name,
        transitions=transitions,
        initial_state=header["init"],
        blank_symbol="_",
        final_states=accept,
    )


def to_tmsim(tm: TuringMachine) -> str:
    """Write turingmachinesimulator.com's format; names it cannot carry are refused."""
    if tm.blank_symbol != "_" and "_" in tm.tape_symbols:
        raise FormatError("turingmachinesimulator's blank is '_', used here as an ordinary symbol")
    for what, names in (("state", tm.states), ("symbol", tm.tape_symbols)):
        for x in names:
            if ("," in x or "//" in x or x != x.strip() or re.match(r"^(name|init|accept)\s*:", x)):
                raise FormatError(f"{what} {x!r} cannot be written in turingmachinesimulator's format "
                                  "(',', '//', outer spaces and header words mean something there)")
    sym = {s: ("_" if s == tm.blank_symbol else s) for s in tm.tape_symbols}
    lines = [f"name: {_one_line(tm.name)}", f"init: {tm.initial_state}"]
    if tm.final_states:
        lines.append(f"accept: {', '.join(sorted(tm.final_states))}")
    for q, row in tm.transitions.items():
        for s, t in row.items():
            move = {"L": "<", "R": ">", "N": "-"}[t.move]
            lines += ["", f"{q},{sym[s]}", f"{t.next_state},{sym[t.write]},{move}"]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """A name as one line of text (for comments and headers)."""
    return "".join(c if c.isprintable() else "?" for c in text)


# -- Graphviz DOT -------------------------------------------------------------------
def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(tm: TuringMachine) -> str:
    """The state graph in Graphviz DOT: one edge per transition, labelled
    ``read→write,move``; final states double circles, halting states grey."""
    lines = [f"digraph {_dot_id(tm.name)} {{", "  rankdir=LR;", '  __start [shape=point, label=""];']
    for q, attrs in tm.graph.nodes(data=True):
        shape = "doublecircle" if attrs["final"] else "circle"
        style = ', style=filled, fillcolor="#dddddd"' if attrs["halting"] else ""
        lines.append(f"  {_dot_id(q)} [shape={shape}{style}];")
    lines.append(f"  __start -> {_dot_id(tm.initial_state)};")
    for u, v, attrs in tm.graph.edges(data=True):
        label = f"{attrs['read']}→{attrs['write']},{attrs['move']}"
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [label={_dot_id(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- automata-lib -------------------------------------------------------------------
def from_automata(dtm: Any, *, name: str = "machine") -> TuringMachine:
    """Convert an ``automata.tm.dtm.DTM``. States and symbols become strings.

    automata-lib halts a DTM as soon as it enters a final state; our semantics halt
    when no transition is defined. The two agree when final states have no outgoing
    transitions, which automata-lib itself requires.
    """
    transitions = {
        str(q): {str(s): [str(t[0]), str(t[1]), t[2]] for s, t in row.items()}
        for q, row in dtm.transitions.items()
    }
    return TuringMachine(
        name=name,
        transitions=transitions,
        initial_state=str(dtm.initial_state),
        blank_symbol=str(dtm.blank_symbol),
        input_symbols=sorted(map(str, dtm.input_symbols)),
        tape_symbols=sorted(map(str, dtm.tape_symbols)),
        final_states=sorted(map(str, dtm.final_states)),
        states=sorted(map(str, dtm.states)),
    )


def to_automata(tm: TuringMachine) -> Any:
    """Convert to ``automata.tm.dtm.DTM`` (needs the ``automata`` extra).

    automata-lib requires single-character symbols and no transitions out of final
    states; machines outside that fragment raise :class:`FormatError`.
    """
    try:
        from automata.base.exceptions import AutomatonException
        from automata.tm.dtm import DTM
    except ImportError:
        raise UsageError("automata-lib is not installed: pip install 'theorymodel[automata]'") from None
    for q in tm.final_states:
        if tm.transitions.get(q):
            raise FormatError(f"automata-lib forbids transitions out of final state {q!r}")
    try:
        return DTM(
            states=set(tm.states),
            input_symbols=set(tm.input_symbols),
            tape_symbols=set(tm.tape_symbols),
            transitions={q: {s: (t.next_state, t.write, t.move) for s, t in row.items()}  # type: ignore[misc]
                         for q, row in tm.transitions.items()},
            initial_state=tm.initial_state,
            blank_symbol=tm.blank_symbol,
            final_states=set(tm.final_states),
        )
    except AutomatonException as exc:
        raise FormatError(f"automata-lib rejects this machine: {exc}") from None


# -- bbchallenge's seed database -----------------------------------------------------
BBCHALLENGE_RECORD = 30  # bytes per machine; the file opens with one 30-byte header


def parse_bbchallenge_record(record: bytes, *, name: str = "machine", states: int = 5) -> TuringMachine:
    """One machine of bbchallenge's seed database: for each state A.. and read symbol 0, 1,
    three bytes (write, move: 0 right / 1 left, next state: 1.. for A.., 0 undefined)."""
    if len(record) != 6 * states:
        raise FormatError(f"a bbchallenge record of {states} states is {6 * states} bytes, not {len(record)}")
    groups = []
    for q in range(states):
        group = ""
        for sym in range(2):
            write, move, goto = record[6 * q + 3 * sym: 6 * q + 3 * sym + 3]
            if goto == 0:
                group += "---"
                continue
            if write > 1 or move > 1 or goto > states:
                raise FormatError(f"bbchallenge record {name}: transition {chr(65 + q)}{sym} is not a valid "
                                  f"(write, move, next) triple: {write}, {move}, {goto}")
            group += f"{write}{'L' if move else 'R'}{chr(64 + goto)}"
        groups.append(group)
    return parse_bb("_".join(groups), name=name)


# -- the registry: one record per format ---------------------------------------------
@dataclass(frozen=True)
class MachineFormat:
    """A machine file format.

    Attributes
    ----------
    read:
        ``(text, name=...) -> TuringMachine``, or None for a write-only format.
    write:
        ``TuringMachine -> text``, or None for a read-only format; it refuses (with a
        :class:`FormatError`) what the format cannot carry, so reading back gives the
        same machine.
    extensions:
        File name endings that choose this format.
    sniff:
        Content test for files whose extension says nothing; formats are sniffed in
        registry order, so the catch-all comes last.
    """

    name: str
    read: Callable[..., TuringMachine] | None
    write: Callable[[TuringMachine], str] | None
    extensions: tuple[str, ...] = ()
    sniff: Callable[[str], bool] | None = None


def _looks_like_yaml(text: str) -> bool:
    return bool(re.search(r"^\s*(transitions|initial_state)\s*:", text, re.MULTILINE))


MACHINE_FORMATS: dict[str, MachineFormat] = {f.name: f for f in (
    MachineFormat("yaml", parse_yaml, to_yaml, (".yaml", ".yml"), _looks_like_yaml),
    MachineFormat("json", parse_json, to_json, (".json",), lambda text: text.lstrip().startswith("{")),
    MachineFormat("bb", lambda text, name="machine": parse_bb(text.strip(), name=name), lambda tm: to_bb(tm) + "\n",
                  (".bb",), looks_like_bb),
    MachineFormat("morphett", parse_morphett, to_morphett, (".morphett",), lambda text: True),
    MachineFormat("tmsim", parse_tmsim, to_tmsim, (".tmsim",), looks_like_tmsim),
    MachineFormat("dot", None, to_dot, (".dot", ".gv")),
)}
#: formats that can be read (the CLI's --format choices), and written (--to)
FORMATS = tuple(name for name, f in MACHINE_FORMATS.items() if f.read is not None)
WRITERS: dict[str, Callable[[TuringMachine], str]] = {
    name: f.write for name, f in MACHINE_FORMATS.items() if f.write is not None}
_SNIFF_ORDER = ("json", "bb", "tmsim", "yaml", "morphett")  # most specific first; morphett takes the rest


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    suffix = Path(path).suffix.lower()
    return next((name for name, f in MACHINE_FORMATS.items() if suffix in f.extensions), None)


def detect_format(text: str, path: str | os.PathLike[str] | None = None) -> str:
    """Choose a reader by extension, else by content."""
    by_ext = format_for_path(path) if path is not None else None
    if by_ext in FORMATS:
        return by_ext
    return next(name for name in _SNIFF_ORDER if (sniff := MACHINE_FORMATS[name].sniff) and sniff(text))


def parse_text(text: str, fmt: str, *, name: str = "machine") -> TuringMachine:
    f = MACHINE_FORMATS.get(fmt)
    if f is None or f.read is None:
        raise UsageError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    return f.read(text, name=name)
