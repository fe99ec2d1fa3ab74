"""The Turing machine model: immutable, validated, and a networkx graph underneath.

Semantics (docs/contract.md): one tape, infinite both ways, blank except the input written
from cell 0; the head starts on cell 0 in ``initial_state``. A step applies one
transition (write, move ``L``/``R``/``N``, change state). The machine halts when no
transition is defined for its (state, read symbol); it accepts iff it halts in a final
state.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import networkx as nx

from theorymodel.errors import (
    InvalidMoveError,
    InvalidStateError,
    InvalidSymbolError,
    InvalidTransitionError,
    MissingInitialStateError,
)

MOVES = ("L", "R", "N")
MAX_NAME = 1000  # characters in a state or symbol name
MAX_SYMBOLS = 256  # tape symbols (the simulators code a cell in one byte)
MOVE_DELTA = {"L": -1, "R": 1, "N": 0}


class Transition(NamedTuple):
    """One entry of the transition table: what to do on reading a symbol."""

    next_state: str
    write: str
    move: str


class CodedTable(NamedTuple):
    """Integer coding of a machine for the fast simulators and the compilers.

    States are numbered in ``states`` order (initial state first) and symbols in
    ``symbols`` order, with the blank always code 0 so a fresh tape is all zeros.
    ``next_state[q, s]`` is -1 where no transition is defined (the machine halts).
    """

    states: tuple[str, ...]
    symbols: tuple[str, ...]
    next_state: np.ndarray  # int32, shape (|Q|, |Γ|)
    write: np.ndarray  # uint8, shape (|Q|, |Γ|)
    move: np.ndarray  # int8, shape (|Q|, |Γ|), values -1, 0, +1


def _name(value: Any, what: str, error: type[Exception]) -> str:
    """Normalise a state or symbol name read from a file to a non-empty string.

    YAML turns ``0`` into an int; we accept ints and strings and nothing else, so
    that a list, a float or a null is reported instead of silently stringified.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise error(f"{what} must be a string, got {type(value).__name__} {value!r}")
    text = str(value)
    if not text:
        raise error(f"{what} must not be empty")
    if len(text) > MAX_NAME:
        raise error(f"{what} {text[:20]!r}... is longer than {MAX_NAME} characters")
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    if bad:
        raise error(f"{what} {text!r} contains the control character {bad[0]!r}")
    if "symbol" in what and any(c.isspace() or c == "," for c in text):
        # input words separate multi-character symbols by spaces or commas
        raise error(f"{what} {text!r} contains a space or a comma")
    return text


class TuringMachine:
    """A deterministic single-tape Turing machine.

    Parameters
    ----------
    transitions:
        ``state -> read symbol -> (next_state, write, move)``, move one of ``L R N``.
    initial_state:
        The state the machine starts in (head on cell 0).
    blank_symbol:
        The symbol every cell holds that the input does not cover.
    input_symbols:
        The symbols an input may use (the blank excluded). Inferred from the tape
        alphabet when omitted.
    tape_symbols:
        The tape alphabet. Inferred from the transitions, the input symbols and the
        blank when omitted; when given, every symbol used must belong to it.
    final_states:
        Accepting states. A machine accepts iff it halts in one of them.
    states:
        All states. Inferred when omitted; when given, every state named anywhere
        must belong to it.
    name:
        A label for reports.

    Raises
    ------
    InvalidTransitionError, InvalidStateError, MissingInitialStateError,
    InvalidSymbolError, InvalidMoveError
        When the description is not a valid machine.

    Notes
    -----
    Instances are immutable. :attr:`graph` is a frozen ``networkx.MultiDiGraph``:
    nodes are states (attributes ``initial``, ``final``, ``halting``) and each
    transition is one edge keyed by its read symbol, carrying ``read``, ``write`` and
    ``move``.
    """

    __slots__ = (
        "name",
        "states",
        "input_symbols",
        "tape_symbols",
        "blank_symbol",
        "initial_state",
        "final_states",
        "transitions",
        "_graph",
        "_coded",
    )

    name: str
    states: tuple[str, ...]
    input_symbols: tuple[str, ...]
    tape_symbols: tuple[str, ...]
    blank_symbol: str
    initial_state: str
    final_states: frozenset[str]
    transitions: Mapping[str, Mapping[str, Transition]]
    _graph: nx.MultiDiGraph | None
    _coded: CodedTable | None

    def __init__(
        self,
        *,
        transitions: Mapping[Any, Any],
        initial_state: Any,
        blank_symbol: Any,
        input_symbols: Iterable[Any] | None = None,
        tape_symbols: Iterable[Any] | None = None,
        final_states: Iterable[Any] | None = None,
        states: Iterable[Any] | None = None,
        name: str = "machine",
    ) -> None:
        if initial_state is None or initial_state == "":
            raise MissingInitialStateError("the machine has no initial_state")
        initial = _name(initial_state, "initial_state", MissingInitialStateError)
        blank = _name(blank_symbol, "blank_symbol", InvalidSymbolError)
        if not isinstance(transitions, Mapping):
            raise InvalidTransitionError(
                f"transitions must be a mapping state -> symbol -> [next, write, move], "
                f"got {type(transitions).__name__}"
            )

        table: dict[str, dict[str, Transition]] = {}
        for raw_state, row in transitions.items():
            state = _name(raw_state, "state", InvalidStateError)
            if state in table:
                raise InvalidStateError(f"state {state!r} is listed twice in transitions")
            if row is None:
                row = {}
            if not isinstance(row, Mapping):
                raise InvalidTransitionError(
                    f"transitions of state {state!r} must be a mapping symbol -> "
                    f"[next, write, move], got {type(row).__name__}"
                )
            entries: dict[str, Transition] = {}
            for raw_read, action in row.items():
                read = _name(raw_read, f"read symbol of state {state!r}", InvalidSymbolError)
                if read in entries:
                    raise InvalidTransitionError(
                        f"state {state!r} has two transitions on symbol {read!r}: the machine must be deterministic")
                if isinstance(action, (str, bytes)) or not isinstance(action, Sequence) or len(action) != 3:
                    raise InvalidTransitionError(
                        f"transition ({state!r}, {read!r}) must be [next_state, write, move], got {action!r}"
                    )
                nxt = _name(action[0], f"next state of ({state!r}, {read!r})", InvalidStateError)
                write = _name(action[1], f"written symbol of ({state!r}, {read!r})", InvalidSymbolError)
                move = action[2]
                if move not in MOVES:
                    raise InvalidMoveError(
                        f"transition ({state!r}, {read!r}) has move {move!r}; moves are L, R, N"
                    )
                entries[read] = Transition(nxt, write, move)
            table[state] = entries

        finals = {_name(s, "final state", InvalidStateError) for s in (final_states or ())}
        used_states = [initial, *table]
        for row in table.values():
            used_states.extend(t.next_state for t in row.values())
        used_states.extend(sorted(finals))
        if states is not None:
            declared = [_name(s, "state", InvalidStateError) for s in states]
            unknown = [s for s in used_states if s not in set(declared)]
            if unknown:
                raise InvalidStateError(f"state {unknown[0]!r} is not in states {declared}")
            if initial not in declared:
                raise MissingInitialStateError(f"initial_state {initial!r} is not in states")
            used_states = [initial, *declared]
        ordered_states = tuple(dict.fromkeys(used_states))

        used_symbols = [blank]
        if input_symbols is not None:
            inputs = [_name(s, "input symbol", InvalidSymbolError) for s in input_symbols]
        else:
            inputs = None
        for row in table.values():
            for read, t in row.items():
                used_symbols += [read, t.write]
        if tape_symbols is not None:
            declared_syms = [_name(s, "tape symbol", InvalidSymbolError) for s in tape_symbols]
            allowed = set(declared_syms) | {blank}
            for sym in [*used_symbols, *(inputs or [])]:
                if sym not in allowed:
                    raise InvalidSymbolError(f"symbol {sym!r} is not in tape_symbols {declared_syms}")
            tape = tuple(dict.fromkeys([blank, *declared_syms]))
        else:
            tape = tuple(dict.fromkeys([blank, *(inputs or []), *used_symbols]))
        if len(tape) > MAX_SYMBOLS:
            raise InvalidSymbolError(f"the machine has {len(tape)} tape symbols; at most {MAX_SYMBOLS} are supported")
        if inputs is None:
            inputs = [s for s in tape if s != blank]
        if blank in inputs:
            raise InvalidSymbolError(f"the blank {blank!r} cannot be an input symbol")

        set_ = object.__setattr__
        set_(self, "name", "".join(c if c.isprintable() else "?" for c in str(name))[:MAX_NAME])
        set_(self, "states", ordered_states)
        set_(self, "input_symbols", tuple(dict.fromkeys(inputs)))
        set_(self, "tape_symbols", tape)
        set_(self, "blank_symbol", blank)
        set_(self, "initial_state", initial)
        set_(self, "final_states", frozenset(finals))
        set_(
            self,
            "transitions",
            MappingProxyType({q: MappingProxyType(dict(r)) for q, r in table.items() if r}),
        )
        set_(self, "_graph", None)  # built on first use: networkx is a heavy import
        set_(self, "_coded", None)

    # -- immutability -------------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("TuringMachine is immutable")

    def __delattr__(self, key: str) -> None:
        raise AttributeError("TuringMachine is immutable")

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The state graph: a frozen ``networkx.MultiDiGraph`` (built once, on first use)."""
        if self._graph is None:
            object.__setattr__(self, "_graph", self._build_graph())
        assert self._graph is not None
        return self._graph

    def _build_graph(self) -> nx.MultiDiGraph:
        import networkx as nx

        graph = nx.MultiDiGraph(name=self.name, blank=self.blank_symbol)
        for q in self.states:
            graph.add_node(
                q,
                initial=q == self.initial_state,
                final=q in self.final_states,
                halting=not self.transitions.get(q),
            )
        for q, row in self.transitions.items():
            for read, t in row.items():
                graph.add_edge(q, t.next_state, key=read, read=read, write=t.write, move=t.move)
        return nx.freeze(graph)

    # -- queries ------------------------------------------------------------------
    def transition(self, state: str, symbol: str) -> Transition | None:
        """The transition for (state, symbol), or None where the machine halts."""
        row = self.transitions.get(state)
        return None if row is None else row.get(symbol)

    @property
    def halting_states(self) -> tuple[str, ...]:
        """States with no outgoing transition at all."""
        return tuple(q for q in self.states if not self.transitions.get(q))

    @property
    def n_transitions(self) -> int:
        return sum(len(r) for r in self.transitions.values())

    def parse_input(self, word: str | Sequence[str] | None) -> tuple[str, ...]:
        """Split an input word into symbols and check them against ``input_symbols``.

        A string is split into characters when every input symbol is one character
        and the string holds no separator; otherwise on whitespace and commas.
        """
        if word is None:
            return ()
        if isinstance(word, str):
            single = all(len(s) == 1 for s in self.input_symbols)
            if single and not any(c in word for c in " ,"):
                symbols = list(word)
            else:
                symbols = [p for p in word.replace(",", " ").split() if p]
        else:
            symbols = [str(s) for s in word]
        for sym in symbols:
            if sym not in self.input_symbols:
                raise InvalidSymbolError(
                    f"input symbol {sym!r} is not in input_symbols {list(self.input_symbols)}"
                )
        return tuple(symbols)

    def coded(self) -> CodedTable:
        """The integer-coded transition table (cached)."""
        if self._coded is None:
            q_index = {q: i for i, q in enumerate(self.states)}
            s_index = {s: i for i, s in enumerate(self.tape_symbols)}
            shape = (len(self.states), len(self.tape_symbols))
            nxt = np.full(shape, -1, dtype=np.int32)
            write = np.zeros(shape, dtype=np.uint8)
            move = np.zeros(shape, dtype=np.int8)
            for q, row in self.transitions.items():
                for read, t in row.items():
                    i, j = q_index[q], s_index[read]
                    nxt[i, j] = q_index[t.next_state]
                    write[i, j] = s_index[t.write]
                    move[i, j] = MOVE_DELTA[t.move]
            for arr in (nxt, write, move):
                arr.setflags(write=False)
            coded = CodedTable(self.states, self.tape_symbols, nxt, write, move)
            object.__setattr__(self, "_coded", coded)
            return coded
        return self._coded

    # -- conversions --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The YAML/JSON document of docs/contract.md for this machine (round-trips)."""
        return {
            "name": self.name,
            "input_symbols": list(self.input_symbols),
            "tape_symbols": list(self.tape_symbols),
            "blank_symbol": self.blank_symbol,
            "initial_state": self.initial_state,
            "final_states": sorted(self.final_states),
            "states": list(self.states),
            "transitions": {
                q: {s: list(t) for s, t in row.items()} for q, row in self.transitions.items()
            },
        }

    def replace(self, **changes: Any) -> TuringMachine:
        """A copy with some constructor fields changed."""
        fields = self.to_dict()
        fields.update(changes)
        return TuringMachine(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TuringMachine):
            return NotImplemented
        mine, theirs = self.to_dict(), other.to_dict()
        mine.pop("name")
        theirs.pop("name")
        return mine == theirs

    def __hash__(self) -> int:
        return hash((self.initial_state, self.blank_symbol, self.states, self.tape_symbols))

    def __repr__(self) -> str:
        return (
            f"TuringMachine(name={self.name!r}, states={len(self.states)}, "
            f"symbols={len(self.tape_symbols)}, transitions={self.n_transitions})"
        )

    def _repr_svg_(self) -> str:
        """The state graph, for notebooks (pure Python, no Graphviz)."""
        from theorymodel.display import machine_scene

        return machine_scene(self).svg()
