"""Position labels: what each generated token claims to be, in terms of the machine's run.

A compiler attaches one label per generated position. Labels are *claims*: the checker
in :mod:`proofs_check` evaluates them on the machine's semantics (written from the
transition table) and proves every token equal to its label, so a wrong label or a
wrong weight is caught, never trusted. Stored as an int array of rows
``(kind, t, i, q, s)``; unused fields are 0. ``q`` and ``s`` index the machine's
``states`` and ``tape_symbols``.
"""

from __future__ import annotations

CELL = 0  # the content of cell i after t steps: symbol, or [q]s where the head is
SYM = 1  # bit: cell i holds symbol s after t steps
HEAD = 2  # bit: the head is on cell i in state q after t steps
AND = 3  # bit: after t steps the head is on cell i in state q reading s
ACCEPT = 4  # the answer: the machine halts (within T) in a final state
OUT = 5  # the answer symbol of cell i after T steps
OUTBIT = 6  # bit: cell i holds symbol s after T steps (an answer bit)
SEP = 7  # the row separator "#" of the uniform route (docs/uniform.md): a constant claim
GATE = 8  # a circuit file's node: (GATE, role, node, 0, 0); node indexes the circuit's inputs
# then its gates, in the order the file's reader gives them; role GATE_VALUE claims the
# token is the node's value ("1"/"0"), role GATE_HELPER claims only a strict argmax (an
# intermediate threshold gate of the node's rewriting, e.g. XOR's carry; docs/circuits.md)

GATE_VALUE = 0
GATE_HELPER = 1

NAMES = {CELL: "cell", SYM: "sym", HEAD: "head", AND: "and", ACCEPT: "accept", OUT: "out", OUTBIT: "outbit",
         SEP: "sep", GATE: "gate"}
